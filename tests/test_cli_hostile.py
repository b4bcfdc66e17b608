"""Issue 12: the batch CLI under a hostile but realistic user; each test names the issue's row.

Nothing hangs (every run has a timeout), nothing crashes with a traceback, no data is lost.
"""
import csv
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
TRACEBACK = "Traceback (most recent call last)"


def run_cli(*args, timeout=120, **kw):
    return subprocess.run([sys.executable, "-m", "desktop.cli", "classify", *map(os.fsdecode, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, **kw)


def start_cli(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "desktop.cli", "classify", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def rows(path, errors="strict"):
    with open(path, newline="", encoding="utf-8", errors=errors) as f:
        return list(csv.DictReader(f))


def one_sentence_exit_2(r):
    assert r.returncode == 2, r.stderr
    assert TRACEBACK not in r.stderr
    # LiteRT itself may print an INFO line when a model is loaded; ours is the one sentence.
    ours = [line for line in r.stderr.splitlines() if not line.startswith("INFO: ")]
    assert len(ours) == 1 and ours[0].startswith("digits: "), r.stderr


@pytest.fixture
def folder(tmp_path, sample):
    d = tmp_path / "imgs"
    d.mkdir()
    for i in range(6):
        Image.fromarray(255 - sample["x_test"][i]).save(d / f"d{i:02d}.png")
    return d


@pytest.fixture
def many(tmp_path, sample):
    """20,000 files: a run that lasts long enough to act on while it runs (hard links: quick to make)."""
    d = tmp_path / "many"
    d.mkdir()
    Image.fromarray(255 - sample["x_test"][0]).save(tmp_path / "src.png")
    for i in range(20000):
        os.link(tmp_path / "src.png", d / f"{i:05d}.png")
    return d


def wait_for_rows(out, n, proc, limit=60):
    deadline = time.time() + limit
    while time.time() < deadline and proc.poll() is None:
        if out.exists() and out.read_text().count("\n") > n:
            return
        time.sleep(0.05)
    raise AssertionError(f"no {n} rows in {out} within {limit} s")


def children(pid):
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] not in ("Z", "X")
    except OSError:
        return False


# Row 1
@pytest.mark.parametrize("workers", ["1", "2"])
def test_row01_fifo_is_an_error_row_never_waited_on(folder, tmp_path, workers):
    os.mkfifo(folder / "pipe.png")
    out = tmp_path / "r.csv"
    r = run_cli(folder, folder / "pipe.png", "--out", out, "--workers", workers, timeout=60)
    assert r.returncode == 1, r.stderr
    got = {Path(g["path"]).name: g for g in rows(out)}
    assert len(got) == 7 and "named pipe" in got["pipe.png"]["error"]
    assert all(got[f"d{i:02d}.png"]["digit"] for i in range(6))


# Row 1: rows reach the file as each file is done, not per chunk.
@pytest.mark.parametrize("workers", [1, 2])
def test_row01_each_row_comes_as_soon_as_its_file_is_done(folder, tmp_path, monkeypatch, workers):
    from desktop.engine import batch
    from desktop.engine.files import find_images
    from desktop.engine.model_files import load_shipped

    flag = tmp_path / "three rows seen"
    real = batch.load_gray

    def slow_for_one(path, *a, **kw):  # forked workers inherit this
        if str(path).endswith("d03.png"):
            deadline = time.time() + 20
            while not flag.exists() and time.time() < deadline:
                time.sleep(0.02)
        return real(path, *a, **kw)

    monkeypatch.setattr(batch, "load_gray", slow_for_one)
    start = time.time()
    got = []
    for row in batch.classify_rows(find_images([folder]), load_shipped(), workers=workers, start_method="fork"):
        got.append(row)
        if len(got) == 3:
            flag.touch()
            assert time.time() - start < 15  # not held back until the slow file's chunk is done
    assert [Path(r.path).name for r in got] == [f"d{i:02d}.png" for i in range(6)]


# Row 2
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_row02_non_utf8_names_are_rows_written_losslessly(folder, tmp_path, suffix):
    raw = os.fsencode(folder) + b"/caf\xe9-\xff.png"  # Latin-1 bytes: not UTF-8
    Path(os.fsdecode(raw)).write_bytes((folder / "d00.png").read_bytes())
    out = tmp_path / f"r{suffix}"
    r = run_cli(folder, "--out", out)
    assert r.returncode == 0 and TRACEBACK not in r.stderr, r.stderr
    if suffix == ".csv":
        assert raw in out.read_bytes()  # the name's own bytes
        paths = [g["path"] for g in rows(out, errors="surrogateescape")]
    else:
        text = out.read_text(encoding="ascii")  # JSON lines stay plain ASCII: \udcXX escapes
        assert "\\udce9" in text and "\\udcff" in text
        paths = [json.loads(line)["path"] for line in text.splitlines()]
    assert len(paths) == 7 and raw in [os.fsencode(p) for p in paths]
    again = run_cli(folder, "--out", out, "--resume")
    assert again.returncode == 0 and "0 files" in again.stderr, again.stderr


def test_row02_non_utf8_name_on_stdout(folder):
    raw = os.fsencode(folder) + b"/\xff.png"
    Path(os.fsdecode(raw)).write_bytes((folder / "d00.png").read_bytes())
    r = subprocess.run([sys.executable, "-m", "desktop.cli", "classify", os.fsdecode(raw), "--quiet"], cwd=ROOT,
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert raw + b"," in r.stdout


# Row 3
def test_row03_existing_output_is_kept_without_resume_or_overwrite(folder, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    r = run_cli(folder, "--out", notes)
    one_sentence_exit_2(r)
    assert "already exists" in r.stderr and "--overwrite" in r.stderr
    assert notes.read_text() == "my notes\n"
    assert run_cli(folder, "--out", notes, "--overwrite").returncode == 0
    assert len(rows(notes)) == 6


# Row 4
def test_row04_output_problems_found_before_any_work(folder, tmp_path):
    missing_model = tmp_path / "no-model.tflite"  # were the model loaded first, it would say so
    cases = {"does not exist": tmp_path / "no" / "such" / "r.csv", "is a folder": tmp_path}
    for says, out in cases.items():
        r = run_cli(tmp_path / "no-input-here", "--out", out, "--model", missing_model)
        one_sentence_exit_2(r)
        assert says in r.stderr and "model" not in r.stderr
    assert not (tmp_path / "no").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permissions")
def test_row04_read_only_folder(folder, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        r = run_cli(folder, "--out", ro / "r.csv")
        one_sentence_exit_2(r)
        assert "cannot be written" in r.stderr
    finally:
        ro.chmod(0o700)


def test_row04_read_only_filesystem(folder, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(ro)], capture_output=True).returncode:
        pytest.skip("cannot mount a read-only tmpfs here")
    try:
        r = run_cli(folder, "--out", ro / "r.csv")
        one_sentence_exit_2(r)
        assert "cannot be written (Read-only file system)" in r.stderr
    finally:
        subprocess.run(["umount", str(ro)], check=False)


# Row 5
def test_row05_full_disk_on_stdout_is_a_sentence(folder):
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "desktop.cli", "classify", str(folder), "--quiet"], cwd=ROOT,
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    one_sentence_exit_2(r)  # at the first row (the header waits for it), so after the model's INFO line
    assert "No space left on device" in r.stderr


def test_row05_write_error_cuts_the_file_at_a_complete_row(tmp_path, monkeypatch):
    from desktop.engine import results
    from desktop.engine.results import Row
    from desktop.engine.errors import OutputError

    out, _ = results.open_results(str(tmp_path / "r.csv"), None, resume=False, overwrite=False)
    real_write, budget = os.write, [300]

    def disk_fills(fd, data):  # writes what fits, as a real disk does, then refuses
        if fd != out.fd:
            return real_write(fd, data)
        if budget[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = real_write(fd, bytes(data[: budget[0]]))
        budget[0] -= n
        return n

    monkeypatch.setattr(results.os, "write", disk_fills)
    with pytest.raises(OutputError, match="No space left on device.*complete row"):
        for i in range(100):
            out.write(Row(f"/a/quoted, \"name\"\n{i}.png", "7", 0.99, False, "7:0.990", ""))
    out.close()
    data = (tmp_path / "r.csv").read_bytes()
    # The budget counts the rows' bytes only: the header was written before the disk filled.
    assert data.endswith(b"\n") and 0 < len(data) <= 300 + len(results.header_bytes("csv"))
    got = rows(tmp_path / "r.csv")
    assert got and all(g["error"] == "" and g["top3"] == "7:0.990" for g in got)


def test_row05_a_disk_full_before_the_header_leaves_no_file(tmp_path, monkeypatch):
    """Full before the header fitted: an empty results file was left, the message said "it ends at its
    last complete row (0 rows) and --resume continues it", and the next run was refused as "already
    exists" (a hostile pass, on a 64 KB tmpfs). Nothing is kept, and the message says so."""
    from desktop.engine import results
    from desktop.engine.errors import OutputError

    real_write = os.write

    def disk_full(fd, data):
        if fd > 2 and os.path.samestat(os.fstat(fd), os.stat(tmp_path / "r.csv")):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(results.os, "write", disk_full)
    with pytest.raises(OutputError, match="No space left on device.*no row was written") as e:
        results.open_results(str(tmp_path / "r.csv"), None, resume=False, overwrite=False)
    assert "--resume" not in str(e.value)
    assert not (tmp_path / "r.csv").exists()


def test_row05_full_small_filesystem(many, tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        out = mnt / "r.csv"
        r = run_cli(many, "--out", out, "--workers", "1")
        assert r.returncode == 2 and TRACEBACK not in r.stderr, r.stderr
        assert "No space left on device" in r.stderr and "--resume" in r.stderr
        data = out.read_bytes()
        assert data.endswith(b"\n")
        got = rows(out)
        assert 0 < len(got) < 20000 and all(g["digit"] == "7" for g in got)
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


# Row 6
def test_row06_one_run_at_a_time_per_output(many, tmp_path):
    out = tmp_path / "r.csv"
    first = start_cli(many, "--out", out, "--workers", "1")
    try:
        wait_for_rows(out, 50, first)
        for extra in (["--resume"], ["--overwrite"]):
            r = run_cli(many, "--out", out, *extra)
            one_sentence_exit_2(r)
            assert "Another digits run is writing" in r.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    got = rows(out)
    assert len({g["path"] for g in got}) == len(got)
    assert b"\0" not in out.read_bytes()


# Row 7
def test_row07_workers_die_with_their_parent(many, tmp_path):
    out = tmp_path / "r.csv"
    p = start_cli(many, "--out", out, "--workers", "2")
    try:
        wait_for_rows(out, 50, p)
        workers = children(p.pid)
        assert len(workers) == 2
    finally:
        p.kill()
        p.communicate(timeout=30)
    deadline = time.time() + 10
    while time.time() < deadline and any(alive(w) for w in workers):
        time.sleep(0.1)
    left = [w for w in workers if alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left


# Row 8
def test_row08_resume_after_a_cut_inside_a_quoted_path_with_a_newline(folder, tmp_path):
    for name in ("zz\nlast.png", "zz\"quoted\".png"):
        (folder / name).write_bytes((folder / "d00.png").read_bytes())
    out = tmp_path / "r.csv"
    assert run_cli(folder, "--out", out).returncode == 0
    data = out.read_bytes()
    cut = data.index(b"zz\n") + 3  # right after the newline inside the quoted path
    out.write_bytes(data[:cut])
    r = run_cli(folder, "--out", out, "--resume")
    assert r.returncode == 0, r.stderr
    got = rows(out)
    assert sorted(Path(g["path"]).name for g in got) == sorted(p.name for p in folder.iterdir())
    assert all(g["digit"] for g in got)


# Row 9
def test_row09_resume_with_the_folder_spelled_differently(folder, tmp_path):
    out = tmp_path / "r.csv"
    assert run_cli(folder, "--out", out).returncode == 0
    relative = os.path.relpath(folder, ROOT)
    for spelling in (relative, relative + "/./", str(folder) + "/", f"{folder}/../{folder.name}"):
        r = run_cli(spelling, "--out", out, "--resume")
        assert r.returncode == 0 and "0 files" in r.stderr, (spelling, r.stderr)
    assert len(rows(out)) == 6


# Row 10
def test_row10_format_disagreeing_with_the_file_is_a_sentence(folder, tmp_path):
    out = tmp_path / "r.csv"
    assert run_cli(folder, "--out", out, "--format", "jsonl").returncode == 0
    assert json.loads(out.read_text().splitlines()[0])["path"]
    r = run_cli(folder, "--out", out, "--resume")  # the suffix says CSV, the content is JSON lines
    one_sentence_exit_2(r)
    assert "JSON lines" in r.stderr and "--format jsonl" in r.stderr
    assert run_cli(folder, "--out", out, "--resume", "--format", "jsonl").returncode == 0
    j = tmp_path / "r.JSONL"
    assert run_cli(folder, "--out", j).returncode == 0
    r = run_cli(folder, "--out", j, "--resume", "--format", "csv")
    one_sentence_exit_2(r)
    assert "holds JSON lines, not CSV" in r.stderr


def test_row10_format_comes_from_one_place():
    from desktop.engine.results import format_for

    assert [format_for(n) for n in ("a.CSV", "a.JsonL", "a.NDJSON", "a.json", "a.txt", "-")] == \
        ["csv", "jsonl", "jsonl", "jsonl", "csv", "csv"]
    assert format_for("a.csv", "jsonl") == "jsonl"


def test_row10_a_stray_quote_typed_into_a_cell_cuts_no_row(folder, tmp_path):
    """A quote opened in an edited cell swallows the rest of the file into one field, as a record
    cut mid-write does; the resume cut the file there and lost every row after it (a hostile pass:
    10 of 11 rows, exit 0). Whole rows after the quote make it an edit: refused, nothing cut."""
    out = tmp_path / "r.csv"
    assert run_cli(folder, "--out", out).returncode == 0
    lines = out.read_bytes().splitlines(keepends=True)
    assert lines[2].endswith(b",digit\n") or lines[2].endswith(b",unsure\n"), lines[2]
    lines[2] = lines[2].replace(b",,", b',"ok,', 1)  # a note typed into the empty error cell
    edited = b"".join(lines)
    out.write_bytes(edited)
    other = tmp_path / "more"
    other.mkdir()
    shutil.copy(folder / "d00.png", other / "x.png")
    r = run_cli(other, "--out", out, "--resume")
    one_sentence_exit_2(r)
    assert "malformed row" in r.stderr
    assert out.read_bytes() == edited


def test_row10_a_file_that_is_not_results_is_never_cut(folder, tmp_path):
    notes = tmp_path / "notes.csv"
    notes.write_text("name,phone\nAda,123\nno newline at the end")
    r = run_cli(folder, "--out", notes, "--resume")
    one_sentence_exit_2(r)
    assert "not a results file" in r.stderr
    assert notes.read_text() == "name,phone\nAda,123\nno newline at the end"


@pytest.mark.parametrize("text", ['{"theme": "dark", "api_key": "xyz"}', '{"path": 3}', '[1, 2]', 'notes'])
def test_a_json_file_without_a_final_newline_is_never_cut(folder, tmp_path, text):
    """json.dump writes no final newline: its one line was taken for a record cut mid-write, and
    --resume emptied a settings file before writing results into it (a hostile pass)."""
    settings = tmp_path / "settings.json"
    settings.write_text(text)
    r = run_cli(folder, "--out", settings, "--resume", "--format", "jsonl")
    one_sentence_exit_2(r)
    assert settings.read_text() == text


@pytest.mark.parametrize("line", ['{"path": "imgs/d04.png", "label": 3}',
                                  '{"path": "imgs/d04.png", "digit": "4", "confidence": "0.9", "unsure": "no", '
                                  '"top3": "4:0.9", "error": "", "status": "banana"}'])
def test_another_programs_json_lines_are_no_results(folder, tmp_path, line):
    """Any JSON object with a "path" was taken for a record: --resume skipped the file another program
    had listed, unread, and appended to its file (a hostile pass). A record has every field and a status."""
    out = tmp_path / "list.jsonl"
    out.write_text(line + "\n")
    r = run_cli(folder, "--out", out, "--resume")
    one_sentence_exit_2(r)
    assert "not a result record" in r.stderr and out.read_text() == line + "\n"


def test_a_csv_row_with_a_status_of_no_kind_is_refused(folder, tmp_path):
    out = tmp_path / "r.csv"
    assert run_cli(folder, "--out", out).returncode == 0
    edited = re.sub(r",(digit|unsure)\n", ",banana\n", out.read_text(), count=1)
    out.write_text(edited)
    r = run_cli(folder, "--out", out, "--resume")
    one_sentence_exit_2(r)
    assert "malformed row" in r.stderr and out.read_text() == edited


@pytest.mark.parametrize("text", ["[1, 2, 3]\n", '"hello"\n', "some notes\n"])
def test_a_file_of_neither_format_is_no_results_whatever_its_suffix(folder, tmp_path, text):
    """Told "holds CSV, not JSON lines; give --format csv" of anything not starting with "{", a user who
    did so was then told it was no results file (a hostile pass): it says so at once."""
    out = tmp_path / "r.jsonl"
    out.write_text(text)
    r = run_cli(folder, "--out", out, "--resume")
    one_sentence_exit_2(r)
    assert "not a results file" in r.stderr and "--format" not in r.stderr
    assert out.read_text() == text


def test_a_jsonl_record_cut_mid_write_is_written_again(folder, tmp_path):
    out = tmp_path / "r.jsonl"
    run_cli(folder, "--out", out)
    lines = out.read_text().splitlines(keepends=True)
    for cut in (3, 30, len(lines[-1]) - 1):  # inside the first key, inside the record, before its newline
        out.write_text("".join(lines[:-1]) + lines[-1][:cut])
        r = run_cli(folder, "--out", out, "--resume")
        assert r.returncode == 0, r.stderr
        got = [json.loads(x) for x in out.read_text().splitlines()]
        assert len(got) == len(lines) and len({g["path"] for g in got}) == len(lines)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_resume_the_other_way_is_refused(folder, tmp_path, suffix):
    """Resumed with --number (or without), single digits and numbers went into one file alike: each
    number row's top3 names its characters, a digit row's its three likeliest classes (a hostile pass)."""
    files = sorted(folder.iterdir())
    for first, then in (([], ["--number"]), (["--number"], [])):
        out = tmp_path / f"r{len(first)}{suffix}"
        assert run_cli(*files[:3], "--out", out, *first).returncode == 0
        before = out.read_bytes()
        r = run_cli(folder, "--out", out, "--resume", *then)
        one_sentence_exit_2(r)
        assert ("without --number" if then else "with --number") in r.stderr
        assert out.read_bytes() == before
        r = run_cli(folder, "--out", out, "--resume", *first)  # resumed the same way: goes on
        assert r.returncode == 0 and len(out.read_text().splitlines()) == len(files) + (suffix == ".csv")


def test_results_to_a_closed_standard_output_are_refused(folder):
    """`digits classify imgs >&-`: the rows went to the null device put on the closed descriptor,
    and the summary said every file was answered, exit 0 (a hostile pass)."""
    r = subprocess.run([sys.executable, "-m", "desktop.cli", "classify", str(folder)], cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=120, pass_fds=(), close_fds=True,
                       preexec_fn=lambda: os.close(1))
    one_sentence_exit_2(r)
    assert "standard output is closed" in r.stderr


@pytest.mark.parametrize("args", [["", "{d}"], ["{d}", "--out", ""], ["{d}", "--resume"], ["{d}", "--out", "-", "--overwrite"]])
def test_an_empty_name_or_a_results_option_without_a_file_is_refused(folder, args):
    """"$DIR" unset: an empty path gave an error row ". does not exist.", --out "" "The output  cannot be
    written". --resume (or --overwrite) without a results file was taken and did nothing."""
    r = run_cli(*[a.format(d=folder) for a in args])
    one_sentence_exit_2(r)
    assert ("empty" in r.stderr or "is for a results file" in r.stderr) and r.stdout == ""


def test_a_damaged_tiff_is_an_error_row_and_nothing_more(tmp_path):
    """libtiff wrote "TIFFFetchDirectory: Can not read TIFF directory." and more to descriptor 2 for
    each damaged TIFF, through -q and the progress bar (a hostile pass); the row says it in words."""
    import io

    b = io.BytesIO()
    Image.new("L", (400, 400), 100).save(b, format="TIFF", compression="tiff_lzw")
    (tmp_path / "cut.tif").write_bytes(b.getvalue()[:-50])
    r = run_cli(tmp_path / "cut.tif", "-q")
    assert r.returncode == 1 and r.stderr == "", r.stderr
    assert "cut.tif is damaged" in next(csv.DictReader(r.stdout.splitlines()))["error"]


def test_images_of_other_formats_in_a_folder_are_error_rows(tmp_path, sample):
    """A folder of phone photos (.heic) was "no image files found", an .svg left out without a word
    (a hostile pass). Each is tried, since a .heic may hold a JPEG, and said in words if unreadable."""
    d = tmp_path / "photos"
    d.mkdir()
    Image.fromarray(255 - sample["x_test"][0]).convert("RGB").save(d / "IMG_2.heic", format="JPEG")
    (d / "IMG_1.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic" + bytes(40))
    (d / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (d / "notes.txt").write_text("not an image")
    r = run_cli(d, "-q")
    got = {Path(row["path"]).name: row for row in csv.DictReader(r.stdout.splitlines())}
    assert sorted(got) == ["IMG_1.HEIC", "IMG_2.heic", "logo.svg"] and r.returncode == 1
    assert got["IMG_2.heic"]["digit"] == str(sample["y_test"][0])
    assert "HEIC format" in got["IMG_1.HEIC"]["error"] and "SVG format" in got["logo.svg"]["error"]


def test_an_output_named_as_an_image_is_refused(folder, tmp_path):
    """`--out imgs/d01.png --overwrite` (a tab completion's slip) wrote CSV over a scan that was not
    among the run's inputs (a hostile pass)."""
    scan = tmp_path / "scan.png"
    scan.write_bytes((folder / "d01.png").read_bytes())
    before = scan.read_bytes()
    for extra in ([], ["--overwrite"], ["--format", "csv", "--overwrite"]):
        r = run_cli(folder / "d00.png", "--out", scan, *extra)
        one_sentence_exit_2(r)
        assert "named as an image" in r.stderr and scan.read_bytes() == before


# Row 13
@pytest.mark.parametrize("manifest", ['{"sha256": "x"}', "[]", '{"model_file": 3, "sha256": "' + "a" * 64 + '"}',
                                      '{"model_file": "digits.tflite", "sha256": "%s", "temperature": NaN}',
                                      '{"model_file": "../../etc/passwd", "sha256": "%s"}'])
def test_row13_a_wrong_manifest_is_a_sentence(folder, tmp_path, manifest):
    import shutil

    from desktop.engine.model_files import assets_dir, read_manifest

    assets = tmp_path / "assets"
    shutil.copytree(assets_dir(), assets)
    if "%s" in manifest:
        manifest = manifest % read_manifest()["sha256"]
    (assets / "manifest.json").write_text(manifest)
    r = run_cli(folder, env={**os.environ, "DIGITS_ASSETS": str(assets)})
    one_sentence_exit_2(r)
    assert "manifest" in r.stderr and "damaged" in r.stderr


# Row 14
def test_row14_a_model_whose_scores_are_nan_is_refused(folder):
    r = run_cli(folder, "--model", ROOT / "tests" / "fixtures" / "nan_scores.tflite")
    one_sentence_exit_2(r)
    assert "NaN" in r.stderr


def test_a_model_built_for_a_batch_of_one_reads_every_file(folder, tmp_path):
    """Edge-device models often take exactly one image: it passed the load check (one image), then
    every batch failed, and each error row's text was longer than the last (2,000 files: a 102 MB
    results file, and --resume skipped them all). Such a model is fed one image at a time."""
    out = tmp_path / "r.csv"
    r = run_cli(folder, "--model", ROOT / "tests" / "fixtures" / "fixed_batch.tflite", "--out", out, "-q")
    got = rows(out)
    assert r.returncode == 0, r.stderr
    assert len(got) == 6 and all(row["status"] != "error" and row["digit"] and not row["error"] for row in got), got


# Row 15
def test_row15_workers_capped_at_the_cpu_count(many, tmp_path):
    from desktop.engine.batch import cpu_count

    out = tmp_path / "r.csv"
    p = start_cli(many, "--out", out, "--workers", "64")
    try:
        wait_for_rows(out, 50, p)
        n = len(children(p.pid))
    finally:
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
    assert n <= cpu_count()
    assert f"--workers 64 lowered to {cpu_count()}" in err


# Row 17
def test_row17_a_file_named_directly_and_through_its_folder_gives_one_row(folder, tmp_path):
    out = tmp_path / "r.csv"
    assert run_cli(folder / "d02.png", folder, f"{folder}/./d02.png", "--out", out).returncode == 0
    names = [Path(g["path"]).name for g in rows(out)]
    assert sorted(names) == [f"d{i:02d}.png" for i in range(6)]


def test_no_input_leaves_no_stray_output_file(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "r.csv"
    r = run_cli(empty, "--out", out)
    one_sentence_exit_2(r)
    assert not out.exists()


def test_threads_capped_and_model_that_is_a_folder_or_pipe_named(tmp_path, capsys):
    """Found by a hostile run: --threads 100000 crashed (thread limit); a folder as --model was "missing"."""
    import os

    from PIL import Image

    from desktop.cli import main

    img = tmp_path / "one.png"
    Image.new("L", (28, 28), 255).save(img)
    assert main(["classify", str(img), "--threads", "100000", "--out", str(tmp_path / "t.csv"), "-q"]) in (0, 1)
    folder = tmp_path / "models"
    folder.mkdir()
    fifo = tmp_path / "model.fifo"
    os.mkfifo(fifo)
    for model, words in ((folder, "a folder"), (fifo, "not a regular file")):
        capsys.readouterr()
        assert main(["classify", str(img), "--model", str(model), "--out", str(tmp_path / "m.csv"), "-q"]) == 2
        assert words in capsys.readouterr().err


def test_unreadable_file_is_said_in_plain_words(tmp_path):
    from desktop.engine.errors import ImageLoadError
    from desktop.engine.imageio import load_gray

    long_name = tmp_path / ("a" * 300 + ".png")
    try:
        load_gray(long_name)
    except ImageLoadError as e:
        assert "Errno" not in str(e) and "too long" in str(e)
    else:
        raise AssertionError("a 300-character name cannot be read")


def test_overwrite_keeps_the_old_results_until_a_row_replaces_them(folder, tmp_path):
    """--overwrite on a run that fails before its first row (no model, no images, a typo in the
    folder's name) lost every row of the old file: it was cut before the model was even loaded."""
    out = tmp_path / "r.csv"
    assert run_cli(folder, "--out", out, "-q").returncode == 0
    old = out.read_bytes()
    one_sentence_exit_2(run_cli(folder, "--out", out, "--overwrite", "--model", tmp_path / "missing.tflite"))
    empty = tmp_path / "empty"
    empty.mkdir()
    one_sentence_exit_2(run_cli(empty, "--out", out, "--overwrite"))
    assert out.read_bytes() == old
    (folder / "d00.png").unlink()
    assert run_cli(folder, "--out", out, "--overwrite", "-q").returncode == 0
    assert [Path(r["path"]).name for r in rows(out)] == [f"d{i:02d}.png" for i in range(1, 6)]


def test_an_output_that_is_one_of_the_images_is_refused(folder, tmp_path):
    """`classify img.png --out img.png --overwrite` replaced the image with the results of reading it."""
    image = folder / "d03.png"
    before = image.read_bytes()
    for args in ([image], [folder]):
        one_sentence_exit_2(run_cli(*args, "--out", image, "--overwrite"))
        assert image.read_bytes() == before
    os.link(image, tmp_path / "linked.png")  # the same file under another name
    one_sentence_exit_2(run_cli(tmp_path / "linked.png", "--out", image, "--overwrite"))
    assert image.read_bytes() == before


def test_an_output_linked_to_an_image_under_a_results_name_is_refused(folder, tmp_path):
    """A link named results.csv to one of the images: the inode check ran only for an image name or
    a path named itself, and --overwrite wrote the CSV over the image (a hostile pass)."""
    image = folder / "d05.png"
    before = image.read_bytes()
    (folder / "results.csv").symlink_to("d05.png")
    os.link(image, tmp_path / "hard.csv")
    for out in (folder / "results.csv", tmp_path / "hard.csv"):
        one_sentence_exit_2(run_cli(folder, "--out", out, "--overwrite"))
        assert image.read_bytes() == before


def test_the_same_glob_resumes_though_it_now_matches_the_results_file(folder, tmp_path):
    """`digits classify * --out r.csv`, then the same with --resume: the glob now matched r.csv, and the
    run was refused with "the output r.csv is one of the images to classify"."""
    images = sorted(str(p) for p in folder.iterdir())
    out = folder / "r.csv"
    assert run_cli(*images[:3], "--out", out).returncode == 0
    r = run_cli(*sorted(str(p) for p in folder.iterdir()), "--out", out, "--resume")
    assert r.returncode == 0, r.stderr
    assert sorted(Path(g["path"]).name for g in rows(out)) == [Path(p).name for p in images]


def test_resume_from_another_folder_neither_doubles_rows_nor_skips_other_files(folder, tmp_path):
    """Paths are written as given (relative to where the run started). A --resume from another
    folder read every file again (every row twice); matching paths by their ends instead skipped
    old/imgs/x.png because imgs/x.png was done (a second hostile pass). Now such a resume is refused
    in one sentence, and files of the same names in another folder are read."""
    out = tmp_path / "r.csv"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run_in(cwd, *args):
        return subprocess.run([sys.executable, "-m", "desktop.cli", "classify", *map(str, args)], cwd=cwd,
                              capture_output=True, text=True, timeout=120, env=env)

    (folder / "d05.png").rename(tmp_path / "later.png")
    assert run_in(tmp_path, "imgs", "--out", "r.csv", "-q").returncode == 0
    (tmp_path / "later.png").rename(folder / "d05.png")
    before = out.read_bytes()
    r = run_in(tmp_path.parent, Path(tmp_path.name) / "imgs", "--out", out, "--resume")
    one_sentence_exit_2(r)
    assert "relative to another folder" in r.stderr and out.read_bytes() == before
    r = run_in(tmp_path, "imgs", "--out", "r.csv", "--resume")  # from where it started: the one file left
    assert r.returncode == 0 and [Path(x["path"]).name for x in rows(out)] == [f"d{i:02d}.png" for i in range(6)]
    (tmp_path / "old").mkdir()
    shutil.copytree(folder, tmp_path / "old" / "imgs")
    r = run_in(tmp_path, Path("old") / "imgs", "--out", "r.csv", "--resume")
    assert r.returncode == 0 and len(rows(out)) == 12  # other files, the same names: read, not skipped


def test_resume_says_the_files_that_failed_before_and_exits_1(folder, tmp_path):
    """--resume does not read a failed file again; it said "0 files" and exited 0 over a file
    still holding an error row."""
    (folder / "broken.png").write_bytes(b"")
    out = tmp_path / "r.csv"
    assert run_cli(folder, "--out", out, "-q").returncode == 1
    r = run_cli(folder, "--out", out, "--resume")
    assert r.returncode == 1 and "1 earlier row(s) of files that could not be read" in r.stderr, r.stderr
    assert TRACEBACK not in r.stderr and len(rows(out)) == 7


def test_ctrl_c_before_the_first_row_leaves_no_file_behind(folder, tmp_path, monkeypatch):
    """An interrupt before any row left a header-only file, and the next run was refused ("already exists")."""
    from desktop import cli
    from desktop.engine import batch

    def interrupted(*args, **kw):
        raise KeyboardInterrupt
        yield  # a generator, as classify_rows is

    monkeypatch.setattr(batch, "classify_rows", interrupted)
    out = tmp_path / "r.csv"
    handlers = [signal.getsignal(s) for s in cli.STOP_SIGNALS]  # classify() sets its own, and restores them
    try:
        assert cli.main(["classify", str(folder), "--out", str(out), "-q"]) == 130
    finally:
        assert [signal.getsignal(s) for s in cli.STOP_SIGNALS] == handlers
    assert not out.exists()
    monkeypatch.undo()
    assert run_cli(folder, "--out", out, "-q").returncode == 0 and len(rows(out)) == 6


def test_a_copy_of_the_shipped_model_answers_as_the_shipped_one(folder, tmp_path, sample):
    """--model with a copy of the shipped model (no manifest beside it) gave other statuses and
    uncalibrated confidences, silently: an 82% "1" became "not a digit"."""
    import shutil

    from desktop.engine.model_files import assets_dir, read_manifest

    shutil.copy(assets_dir() / read_manifest()["model_file"], tmp_path / "copy.tflite")
    Image.fromarray((np.random.default_rng(1).uniform(0, 1, (60, 60)) * 255).astype(np.uint8)).save(folder / "noise.png")
    shipped = run_cli(folder, "--out", "-", "-q")
    copy = run_cli(folder, "--out", "-", "-q", "--model", tmp_path / "copy.tflite")
    assert copy.returncode == shipped.returncode and copy.stdout == shipped.stdout
    (tmp_path / "other.tflite").write_bytes((tmp_path / "copy.tflite").read_bytes()[:-1] + b"\0")
    r = run_cli(folder, "--out", "-", "-q", "--model", tmp_path / "other.tflite")
    assert "has no manifest.json beside it" in r.stderr


def test_no_input_is_exit_2_and_no_header_reaches_standard_output(folder, tmp_path):
    """A misspelled folder was one error row and exit 1 (the help says 2: no input); a run whose
    model failed had already printed the CSV header to standard output."""
    r = run_cli(tmp_path / "no-such-folder", "--out", "-")
    one_sentence_exit_2(r)
    assert "does not exist" in r.stderr and r.stdout == ""
    r = run_cli(folder, "--out", "-", "--model", tmp_path / "missing.tflite")
    one_sentence_exit_2(r)
    assert r.stdout == ""
    r = run_cli(folder / "d00.png", tmp_path / "typo.png", "--out", "-")  # one of two missing: its error row
    assert r.returncode == 1 and r.stdout.startswith("path,") and "typo.png does not exist" in r.stdout
    assert "2 files in" in r.stderr and "1 file in" in run_cli(folder / "d00.png", "--out", "-").stderr


def test_resume_after_the_finished_files_were_moved_away(folder, tmp_path):
    """Files done, moved out, new ones added, --resume from the same folder: it was refused as written
    "relative to another folder" because no file it named was there any more (a review)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "desktop.cli", "classify", "imgs", "--out", "r.csv"]
    assert subprocess.run(run + ["-q"], cwd=tmp_path, env=env, timeout=120).returncode == 0
    (tmp_path / "done").mkdir()
    for p in folder.glob("d*.png"):  # every file done, moved away
        p.rename(tmp_path / "done" / p.name)
    shutil.copy(tmp_path / "done" / "d00.png", folder / "new.png")
    r = subprocess.run(run + ["--resume"], cwd=tmp_path, env=env, timeout=120, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert [Path(x["path"]).name for x in rows(tmp_path / "r.csv")][-1] == "new.png" and len(rows(tmp_path / "r.csv")) == 7


def test_a_reader_that_stops_reading_ends_the_run_quietly(many):
    """`digits classify scans | head -3` said "Writing to standard output failed (Broken pipe)" and
    a summary, exit 2; a program whose reader has gone stops quietly, as SIGPIPE would stop it."""
    p = start_cli(many, "--quiet")
    head = [p.stdout.readline() for _ in range(3)]
    p.stdout.close()  # as head does once it has its lines
    err = p.stderr.read()
    p.wait(timeout=120)
    assert head[0].startswith("path,") and p.returncode == 141
    assert [line for line in err.splitlines() if not line.startswith("INFO: ")] == [], err


# Third pass
def test_a_carriage_return_in_a_name_keeps_its_row_whole(folder, tmp_path):
    """csv quotes only its own line end's characters: a bare "\r" in a path split the row for every
    CSV reader, and --resume then refused the file as edited."""
    (folder / "a\rb.png").write_bytes((folder / "d00.png").read_bytes())
    out = tmp_path / "r.csv"
    assert run_cli(folder, "--out", out).returncode == 0
    with open(out, newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert {len(r) for r in table} == {7} and len(table) == 8
    assert any(r[0].endswith("a\rb.png") and r[-1] == "digit" for r in table)
    r = run_cli(folder, "--out", out, "--resume")
    assert r.returncode == 0 and "0 files" in r.stderr, r.stderr


def test_closed_standard_error_neither_stops_the_run_nor_enters_the_results(folder, tmp_path):
    """`2>&-`: the results file took descriptor 2, LiteRT's log line went into it, and the progress
    bar (sys.stderr None) ended the run with exit 1 and no rows."""
    out = tmp_path / "r.csv"
    r = subprocess.run([sys.executable, "-m", "desktop.cli", "classify", str(folder), "--out", str(out)], cwd=ROOT,
                       stdout=subprocess.PIPE, preexec_fn=lambda: os.close(2), timeout=120)
    assert r.returncode == 0
    got = rows(out)
    assert len(got) == 6 and all(g["status"] == "digit" for g in got)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_behind_standard_error_neither_stops_the_run_nor_loses_rows(folder, tmp_path):
    """`2>log` on a full disk: the progress bar's write raised, and the run ended with exit 1
    ("finished") and no results file at all (a hostile pass)."""
    out = tmp_path / "r.csv"
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "desktop.cli", "classify", str(folder), "--out", str(out)],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=full, timeout=120)
    assert r.returncode == 0
    assert len(rows(out)) == 6


def test_a_reader_of_standard_error_that_stops_does_not_cut_the_run(many, tmp_path):
    """`2>&1 | head -c 300`: the bar's next write met a closed pipe, and the run stopped with exit 1 at
    5,285 of 10,000 files."""
    out = tmp_path / "r.csv"
    p = subprocess.Popen([sys.executable, "-m", "desktop.cli", "classify", str(many), "--out", str(out),
                          "--workers", "1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    p.stderr.read(300)
    p.stderr.close()  # the reader stops while the run goes on
    assert p.wait(timeout=600) == 0
    assert len(rows(out)) == len(os.listdir(many))


def test_a_current_folder_deleted_under_the_shell_is_a_sentence(folder, tmp_path):
    """`cd scans; (scans deleted); digits classify .`: a traceback from os.path.abspath, exit 1."""
    gone = tmp_path / "gone"

    def into_deleted_folder():
        os.mkdir(gone)
        os.chdir(gone)
        os.rmdir(gone)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in ([".", "-q"], [str(folder), "--out", "r.csv"]):
        r = subprocess.run([sys.executable, "-m", "desktop.cli", "classify", *args], env=env, capture_output=True,
                           text=True, timeout=120, preexec_fn=into_deleted_folder)
        one_sentence_exit_2(r)
        assert "current folder no longer exists" in r.stderr
    r = subprocess.run([sys.executable, "-m", "desktop.cli", "classify", str(folder), "-q"], env=env,
                       capture_output=True, text=True, timeout=120, preexec_fn=into_deleted_folder)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 7  # absolute paths need no current folder


def test_quiet_means_quiet(folder):
    """-q: nothing on standard error, LiteRT's "INFO: Created ... delegate" line included."""
    r = run_cli(folder, "-q")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert len(r.stdout.splitlines()) == 7


def test_a_link_to_a_folder_holding_the_tree_is_not_walked(folder, tmp_path):
    """A link to / (or home) inside a scans folder walked the whole disk, /proc included; a link to
    any other folder (a share, an archive) is still followed."""
    (tmp_path / "outside.png").write_bytes((folder / "d00.png").read_bytes())
    elsewhere = tmp_path / "archive"
    elsewhere.mkdir()
    (elsewhere / "old.png").write_bytes((folder / "d01.png").read_bytes())
    (folder / "up").symlink_to(tmp_path, target_is_directory=True)
    (folder / "root").symlink_to("/", target_is_directory=True)
    (folder / "archive").symlink_to(elsewhere, target_is_directory=True)
    out = tmp_path / "r.csv"
    r = run_cli(folder, "--out", out, timeout=60)
    assert r.returncode == 0, r.stderr
    names = sorted(Path(g["path"]).name for g in rows(out))
    assert names == sorted([f"d{i:02d}.png" for i in range(6)] + ["old.png"])


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_resume_reads_past_a_byte_order_mark_and_blank_lines(folder, tmp_path, suffix):
    """A file saved again by an editor: a byte-order mark made JSON lines "CSV, give --format csv"
    (which failed too), and one blank line at the end was "a malformed row ... edited"."""
    out = tmp_path / f"r{suffix}"
    (folder / "d05.png").rename(tmp_path / "later.png")
    assert run_cli(folder, "--out", out).returncode == 0
    out.write_bytes(b"\xef\xbb\xbf" + out.read_bytes() + b"\n")
    (tmp_path / "later.png").rename(folder / "d05.png")
    r = run_cli(folder, "--out", out, "--resume")
    assert r.returncode == 0 and "1 file " in r.stderr, r.stderr
    text = out.read_bytes().decode("utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == (7 if suffix == ".csv" else 6) and sum("d05.png" in line for line in lines) == 1


def test_no_row_claims_certainty(folder, tmp_path):
    """Rounded to 4 places a 0.99996 was written "1.0" (and "7:1.000" in top3): the window never
    says 100% and neither does a results file; probabilities are rounded down."""
    out = tmp_path / "r.csv"
    assert run_cli(folder, "--out", out).returncode == 0
    got = rows(out)
    sure = [float(g["confidence"]) for g in got if g["status"] == "digit"]
    assert max(sure) >= 0.999 and all(c < 1.0 for c in sure)  # the sure ones are what rounding made certain
    assert not any(":1.000" in g["top3"] for g in got)


def test_no_cell_is_a_spreadsheet_formula(folder, tmp_path):
    """A file named "=HYPERLINK(...).png" given by name: its path and its error went out as formulas
    that Excel or LibreOffice ran when the results were opened. Now "./" leads them (the same file,
    so --resume still finds it), and the JSON lines keep the name as given."""
    work = tmp_path / "work"
    work.mkdir()
    names = ['=HYPERLINK("x","y").png', "+1.png", "-2.png", "@SUM(A1).png"]
    for name in names[:3]:
        shutil.copy(folder / "d00.png", work / name)
    (work / names[3]).write_bytes(b"not an image")
    out = tmp_path / "r.csv"
    r = subprocess.run([sys.executable, "-m", "desktop.cli", "classify", "--out", str(out), "--", *names],
                       cwd=work,
                       capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 1, r.stderr  # the broken file is an error row
    got = rows(out)
    assert sorted(row["path"] for row in got) == sorted(f"./{n}" for n in names)
    for row in got:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values()), row
    assert next(row for row in got if row["path"] == f"./{names[3]}")["error"].startswith(f"./{names[3]} ")
    again = subprocess.run([sys.executable, "-m", "desktop.cli", "classify", "--out", str(out), "--resume", "--",
                            *names],
                           cwd=work, capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert TRACEBACK not in again.stderr
    assert len(rows(out)) == len(names)  # every file found done: no row doubled
    jl = subprocess.run([sys.executable, "-m", "desktop.cli", "classify", names[0], "--format", "jsonl"], cwd=work,
                        capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert json.loads(jl.stdout.splitlines()[0])["path"] == names[0]


def test_a_number_cell_is_a_number_or_shown_as_written():
    """Number mode's text in the digit cell: "-84" stays a number to a spreadsheet; "-555-234" (a
    minus, then a phone number's dash) would be a sum, -789, and is quoted to show as written."""
    from desktop.engine.results import Row, row_bytes

    cells = {d: next(csv.reader([row_bytes(Row("a.png", d, 0.9), "csv").decode()]))[1] for d in ("-84", "-0,5", "-555-234", "17:28")}
    assert cells == {"-84": "-84", "-0,5": "-0,5", "-555-234": "'-555-234", "17:28": "17:28"}


# A third hostile pass on the batch CLI
def test_the_output_is_never_the_model_or_its_manifest(folder, tmp_path):
    """`--model m.tflite --out m.tflite --overwrite` replaced the model with 2.7 KB of CSV."""
    from desktop.engine.model_files import assets_dir, files_of, read_manifest

    model = tmp_path / "m.tflite"
    shutil.copy(assets_dir() / read_manifest()["model_file"], model)
    shutil.copy(assets_dir() / "manifest.json", tmp_path / "manifest.json")
    before = {p: p.read_bytes() for p in (model, tmp_path / "manifest.json")}
    for out in before:
        r = run_cli(folder, "--model", model, "--out", out, "--overwrite")
        one_sentence_exit_2(r)
        assert "one of the model's files" in r.stderr
    assert all(p.read_bytes() == b for p, b in before.items())
    shipped = files_of(None)
    assert assets_dir() / read_manifest()["model_file"] in shipped and assets_dir() / "manifest.json" in shipped


def test_resume_through_a_link_to_the_folder_reads_nothing_again(folder, tmp_path):
    """A resume through a symbolic link to the same folder doubled every row (80 rows for 40 files)."""
    out = tmp_path / "r.csv"
    assert run_cli(folder, "--out", out, "-q").returncode == 0
    link = tmp_path / "link"
    link.symlink_to(folder)
    r = run_cli(link, "--out", out, "--resume")
    assert r.returncode == 0 and "0 files" in r.stderr, r.stderr
    assert len(rows(out)) == 6


def test_jpeg_by_its_other_names_is_read(folder, tmp_path, sample):
    """A folder of .jfif and .jpe files (JPEG's other names) was "no image files found"."""
    d = tmp_path / "jf"
    d.mkdir()
    for k, suffix in enumerate((".jfif", ".JFIF", ".jpe")):
        Image.fromarray(255 - sample["x_test"][k]).convert("RGB").save(d / f"d{k}{suffix}", "JPEG", quality=95)
    r = run_cli(d, "--out", "-", "-q")
    got = list(csv.DictReader(r.stdout.splitlines()))
    assert r.returncode == 0 and len(got) == 3 and all(g["status"] in ("digit", "unsure") for g in got), r.stdout


def test_the_terminal_closing_stops_the_run_as_an_interrupt_does(many, tmp_path):
    """SIGHUP (the terminal closed) killed the run: a header-only file was left, and the next run was
    refused ("already exists"). It stops now as Ctrl+C does: rows kept whole, exit 130."""
    out = tmp_path / "r.csv"
    p = start_cli(many, "--out", out, "--workers", "1")
    try:
        wait_for_rows(out, 20, p)
        p.send_signal(signal.SIGHUP)
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130 and TRACEBACK not in err, err
    got = rows(out)
    assert len(got) >= 20 and len({g["path"] for g in got}) == len(got)


def test_a_damaged_image_is_said_in_words_and_pillows_warnings_stay_quiet(tmp_path, sample):
    """Fuzzed TIFFs (tests/fixtures/damaged, from a hostile pass): one read "decoder error -2." in its
    error cell, one made "-q" print Pillow's warning ("Corrupt EXIF data", with its source line)."""
    d = tmp_path / "bad"
    d.mkdir()
    Image.fromarray(255 - sample["x_test"][0]).save(d / "a.png")
    shutil.copy(ROOT / "tests" / "fixtures" / "damaged" / "packbits_truncated.tif", d / "b.tif")
    shutil.copy(ROOT / "tests" / "fixtures" / "damaged" / "corrupt_exif.tif", d / "c.tif")
    r = run_cli(d, "--out", "-", "-q")
    got = {Path(g["path"]).name: g for g in csv.DictReader(r.stdout.splitlines())}
    assert got["a.png"]["status"] == "digit"
    assert got["b.tif"]["status"] == "error" and "b.tif is damaged" in got["b.tif"]["error"], got["b.tif"]
    assert "Warning" not in r.stderr and "warnings.warn" not in r.stderr, r.stderr


@pytest.mark.parametrize("relative", [False, True])
def test_a_results_folder_deleted_while_the_run_writes_is_said_without_resume(many, tmp_path, relative):
    """The output's folder deleted mid-run: the message advised --resume, into a folder that no longer
    exists (a hostile pass). It says the folder went, and to choose one that exists. ``relative``:
    `cd job && digits classify ... --out r.csv`, then `rm -rf job`: finding the output's folder asked
    for the current folder, which raised: a traceback, exit 1 (a review)."""
    job = tmp_path / "job"
    job.mkdir()
    out = "r.csv" if relative else job / "r.csv"
    p = subprocess.Popen([sys.executable, "-m", "desktop.cli", "classify", str(many), "--out", str(out),
                          "--workers", "1"], cwd=job if relative else ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        wait_for_rows(job / "r.csv", 20, p)
        shutil.rmtree(job)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 2 and "folder of" in err and "deleted or moved" in err, err
    assert "--resume" not in err and TRACEBACK not in err


def test_empty_model_and_an_output_inside_a_file_are_sentences(folder, tmp_path):
    """`--model ""` said "The model file . is a folder"; `--out a.png/r.csv` "cannot be examined (Not
    a directory)" (a hostile pass)."""
    r = run_cli(folder, "--model", "", "--out", tmp_path / "r.csv")
    assert r.returncode == 2 and "--model is an empty name" in r.stderr, r.stderr
    image = next(folder.iterdir())
    r = run_cli(folder, "--out", image / "r.csv")
    assert r.returncode == 2 and "inside a file, not a folder" in r.stderr, r.stderr


def test_a_results_file_replaced_while_the_run_writes_it_is_said(many, tmp_path):
    """An editor's save (a new file renamed over the old) while the run wrote it: the summary said
    "1200 files ... -> ed.csv", exit 0, and the file held 191 rows; the rest went to the old file."""
    out = tmp_path / "r.csv"
    p = start_cli(many, "--out", out, "--workers", "1")
    try:
        wait_for_rows(out, 20, p)
        saved = tmp_path / "saved.csv"
        saved.write_bytes(out.read_bytes())
        os.replace(saved, out)
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)  # a shorter run: the check comes at its end, however it ends
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 2 and "was deleted or replaced while this run wrote it" in err, err
    assert "--resume" in err and TRACEBACK not in err


def test_a_jsonl_file_with_carriage_return_line_ends_is_refused_not_emptied(folder, tmp_path):
    """Saved with CR line ends, a results file was one "last line", taken for a record cut mid-write:
    --resume cut all of its rows and wrote another folder's (a hostile pass)."""
    out = tmp_path / "r.jsonl"
    assert run_cli(folder, "--out", out).returncode == 0
    out.write_bytes(out.read_bytes().replace(b"\n", b"\r"))
    before = out.read_bytes()
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(next(folder.iterdir()), other / "x.png")
    one_sentence_exit_2(run_cli(other, "--out", out, "--resume"))
    assert out.read_bytes() == before


@pytest.mark.parametrize("name", ["IMG_0001.HEIC", "logo.svg", "art.psd"])
def test_an_output_named_as_an_image_of_a_format_not_read_is_refused(folder, tmp_path, name):
    """The formats named but not read (files.OTHER_IMAGE_FORMATS) are images too: --overwrite wrote
    CSV over a phone's photo (a hostile pass)."""
    photo = tmp_path / name
    photo.write_bytes(b"PRECIOUS IMAGE BYTES")
    one_sentence_exit_2(run_cli(folder, "--out", photo, "--overwrite"))
    assert photo.read_bytes() == b"PRECIOUS IMAGE BYTES"


def test_an_output_emptied_during_the_run_is_said_and_not_reported_whole(many, tmp_path):
    """`: > r.csv` (or a second `digits ... > r.csv`) while the run writes: it went on appending
    after the cut, exit 0, "20000 files", a file with no header (a hostile pass)."""
    out = tmp_path / "r.csv"
    p = start_cli(many, "--out", out, "-j", "1")
    deadline = time.time() + 60
    while (not out.exists() or out.stat().st_size < 2000) and time.time() < deadline:
        time.sleep(0.05)
    out.write_bytes(b"")
    _, err = p.communicate(timeout=120)
    assert p.returncode == 2, err
    assert "was emptied or cut while this run wrote it" in err and "--overwrite" in err


def test_a_link_to_a_file_not_there_yet_leaves_nothing_behind(tmp_path):
    """A run with no row removes the file it made: through a link that named no file yet it removed
    the link and left the header-only file, which the next run refused as "already exists"."""
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "tgt").mkdir()
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "tgt" / "results.csv")
    r = run_cli(empty, "--out", link)
    assert r.returncode == 2, r.stderr
    assert not (tmp_path / "tgt" / "results.csv").exists()


def test_a_whole_results_file_that_cannot_be_cut_is_continued(folder, tmp_path, monkeypatch):
    """An append-only file (chattr +a) cannot be truncated: --resume of a whole one cut it anyway,
    and the PermissionError was a traceback (a hostile pass). Only a half-written record needs the
    cut, and one that cannot be made is one sentence."""
    from desktop.engine.errors import OutputError
    from desktop.engine.results import open_results

    out = tmp_path / "r.csv"
    assert run_cli(folder, "--out", out).returncode == 0

    def refused(fd, length):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "ftruncate", refused)
    results, done = open_results(str(out), None, resume=True, overwrite=False)
    results.close()
    assert len(done) == 6
    out.write_bytes(out.read_bytes() + b"/cut/mid")
    with pytest.raises(OutputError, match="half-written record that cannot be cut"):
        open_results(str(out), None, resume=True, overwrite=False)


def test_running_out_of_memory_while_the_engine_loads_is_said_in_words(folder, tmp_path):
    """Under `ulimit -v 150000` importing the engine raised MemoryError: a traceback, exit 1 (a hostile
    pass). The import fails here the same way, in a fresh process, without depending on how much
    memory this machine's numpy needs."""
    starve = ("import sys\n"
              "class Starved:\n"
              "    def find_spec(self, name, path=None, target=None):\n"
              "        if name == 'desktop.engine.results':\n"
              "            raise MemoryError\n"
              "sys.meta_path.insert(0, Starved())\n"
              "from desktop.cli import main\n"
              "sys.exit(main(sys.argv[1:]))\n")
    out = tmp_path / "r.csv"
    r = subprocess.run([sys.executable, "-c", starve, "classify", str(folder), "--out", str(out)], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert TRACEBACK not in r.stderr and "out of memory" in r.stderr and "ulimit" in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("sig, gap", [(signal.SIGTERM, 0.02), (signal.SIGINT, 0.03), (signal.SIGINT, 0.002)])
def test_a_stop_signal_pressed_twice_stops_the_run_once(many, tmp_path, sig, gap):
    """Ctrl+C twice to the process group (a terminal's double press), or TERM twice: the second
    signal raised inside the stopping run's cleanup. TERM then killed the run (143, no summary) in 10
    of 12 tries, or printed a KeyboardInterrupt traceback from tqdm; INT 30 ms apart killed it too
    (a hostile pass). One stop now: exit 130, no traceback, the file whole."""
    out = tmp_path / "r.csv"
    p = start_cli(many, "--out", out, start_new_session=True)
    try:
        wait_for_rows(out, 20, p)
        os.killpg(p.pid, sig)
        time.sleep(gap)
        os.killpg(p.pid, sig)
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130, err
    assert TRACEBACK not in err and "KeyboardInterrupt" not in err, err
    got = rows(out)
    assert len(got) >= 20 and len({g["path"] for g in got}) == len(got)


def test_a_damaged_model_beside_its_own_manifest_is_refused(folder, tmp_path):
    """A copy of the shipped model with 4,000 bytes flipped, its manifest beside it, still loaded:
    the warning spoke of "another build", every row came from broken weights, exit 0 (a hostile
    pass). A manifest that names the file and disagrees with it refuses it, in words, exit 2."""
    assets = tmp_path / "assets"
    shutil.copytree(ROOT / "assets", assets)
    model = assets / "digits.tflite"
    data = bytearray(model.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 4000):
        data[i] ^= 0x55
    model.write_bytes(bytes(data))
    out = tmp_path / "r.csv"
    r = run_cli(folder, "--model", model, "--out", out, "-q")
    assert r.returncode == 2 and TRACEBACK not in r.stderr, r.stderr
    assert "damaged" in r.stderr and "manifest.json" in r.stderr and not out.exists()
