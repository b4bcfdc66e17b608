"""The batch CLI as a user runs it: folders with good and broken files, resume, Ctrl+C, exit codes."""
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from desktop.engine import files as files_mod
from desktop.engine.files import find_images

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "desktop.cli", "classify", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture
def folder(tmp_path, sample):
    d = tmp_path / "imgs"
    (d / "sub").mkdir(parents=True)
    for i in range(12):
        Image.fromarray(255 - sample["x_test"][i]).save(d / ("sub" if i % 3 == 0 else ".") / f"d{i:02d}.png")
    (d / "broken.png").write_text("not an image")
    (d / "empty.jpg").write_bytes(b"")
    Image.new("L", (50, 50), 255).save(d / "blank.png")
    (d / "readme.txt").write_text("ignored: not an image suffix")
    return d


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_folder_with_good_and_broken_files(folder, tmp_path, sample):
    out = tmp_path / "r.csv"
    r = run_cli(folder, "--out", out, "--workers", "1")
    assert r.returncode == 1, r.stderr  # finished, some files failed
    got = rows(out)
    assert len(got) == 15
    # Stable order: a folder's files by name, then its subfolders'.
    top = sorted(p.name for p in folder.iterdir() if p.suffix in (".png", ".jpg"))
    sub = sorted(p.name for p in (folder / "sub").iterdir())
    assert [g["path"] for g in got] == [str(folder / n) for n in top] + [str(folder / "sub" / n) for n in sub]
    by_name = {Path(g["path"]).name: g for g in got}
    assert "not an image" in by_name["broken.png"]["error"]
    assert "empty" in by_name["empty.jpg"]["error"]
    assert by_name["blank.png"]["error"] == "no digit found"
    right = sum(by_name[f"d{i:02d}.png"]["digit"] == str(sample["y_test"][i]) for i in range(12))
    assert right >= 11
    assert "15 files" in r.stderr


# Loaded by every Python process the CLI starts (its workers too, however they are started):
# each image a process opens is logged with that process's id.
PID_LOGGER = """
import os
if os.environ.get("DIGITS_TEST_PID_LOG"):
    import PIL.Image
    _open = PIL.Image.open

    def _logged_open(*a, **kw):
        with open(os.environ["DIGITS_TEST_PID_LOG"], "a") as f:
            f.write(f"{os.getpid()}\\n")
        return _open(*a, **kw)

    PIL.Image.open = _logged_open
"""


def test_two_workers_same_rows_as_one(folder, tmp_path, sample):
    for i in range(600):  # enough files that a run splits them between two workers
        Image.fromarray(255 - sample["x_test"][i % len(sample["x_test"])]).save(folder / "sub" / f"m{i:04d}.png")
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(PID_LOGGER)
    log = tmp_path / "pids.txt"
    env = {**os.environ, "PYTHONPATH": str(hook), "DIGITS_TEST_PID_LOG": str(log)}
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    run_cli(folder, "--out", a, "--workers", "1", env=env)
    one = log.read_text().split()
    log.unlink()
    p = subprocess.Popen([sys.executable, "-m", "desktop.cli", "classify", str(folder), "--out", str(b),
                          "--workers", "2"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.communicate(timeout=120)
    two = log.read_text().split()
    assert len(rows(a)) == 615 and rows(a) == rows(b)
    assert len(set(one)) == 1  # one worker: every image opened by one process
    workers = set(two) - {str(p.pid)}
    assert len(workers) == 2, f"images opened by {len(workers)} worker processes"
    assert all(two.count(w) >= 64 for w in workers)  # each classified at least a chunk's worth


def test_jsonl_and_resume(folder, tmp_path):
    out = tmp_path / "r.jsonl"
    first = sorted(folder.glob("d0*.png"))[:3]
    run_cli(*first, "--out", out)
    assert len(out.read_text().splitlines()) == 3
    r = run_cli(folder, "--out", out, "--resume")
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 15 and len({x["path"] for x in lines}) == 15
    assert "12 files" in r.stderr  # only the ones not already there


def test_resume_after_partial_last_line(folder, tmp_path):
    out = tmp_path / "r.csv"
    run_cli(folder, "--out", out)
    text = out.read_text()
    out.write_text(text[: text.rfind("\n", 0, len(text) - 1) + 8])  # cut mid-row, as a kill would
    run_cli(folder, "--out", out, "--resume")
    assert len(rows(out)) == 15


def test_exit_codes(folder, tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    for p in sorted(folder.glob("d*.png"))[:3]:
        (good / p.name).write_bytes(p.read_bytes())
    assert run_cli(good, "--out", tmp_path / "g.csv").returncode == 0
    r = run_cli(tmp_path / "nothing-here", "--out", tmp_path / "n.csv")  # no input at all
    assert r.returncode == 2 and "does not exist" in r.stderr and not (tmp_path / "n.csv").exists()
    empty = tmp_path / "emptydir"
    empty.mkdir()
    r = run_cli(empty)
    assert r.returncode == 2 and "no image files" in r.stderr
    r = run_cli(good, "--model", tmp_path / "missing.tflite")
    assert r.returncode == 2 and "missing" in r.stderr


def test_stdout_csv(folder, sample):
    p = sorted(folder.glob("d*.png"))[0]
    r = run_cli(p, "--quiet")
    got = list(csv.DictReader(io.StringIO(r.stdout)))  # a CSV with its header, nothing else on stdout
    raw = subprocess.run([sys.executable, "-m", "desktop.cli", "classify", str(p), "-q"], cwd=ROOT,
                         capture_output=True, timeout=120).stdout  # bytes: text mode would hide a "\r"
    assert b"\r" not in raw and raw.endswith(b",digit\n")  # lines as grep and cut expect them
    assert [g["path"] for g in got] == [str(p)] and got[0]["digit"] == str(sample["y_test"][int(p.stem[1:])])


def test_ctrl_c_leaves_parseable_file(tmp_path, sample):
    d = tmp_path / "many"
    d.mkdir()
    img = Image.fromarray(sample["x_test"][0])
    for i in range(6000):
        img.save(d / f"{i:05d}.png")
    out = tmp_path / "r.csv"
    # SIGINT as a terminal gives it: a suite started in the background (``pytest &``) ignores SIGINT,
    # and an ignored signal stays ignored in the child, which then never sees the Ctrl+C.
    p = subprocess.Popen([sys.executable, "-m", "desktop.cli", "classify", str(d), "--out", str(out),
                          "--workers", "2"], cwd=ROOT, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while time.time() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 200):
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    got = rows(out)
    assert 0 < len(got) < 6000 and all(r["digit"] == "7" for r in got)
    assert "interrupted" in err


def test_symlink_loop_and_unreadable_folder(tmp_path, monkeypatch):
    d = tmp_path / "d"
    (d / "a").mkdir(parents=True)
    Image.new("L", (10, 10)).save(d / "a" / "x.png")
    os.symlink(d, d / "a" / "loop")  # d/a/loop -> d
    (d / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(files_mod.os, "scandir", scandir)
    found = list(find_images([d]))
    assert [f.path for f in found if not f.error] == [str(d / "a" / "x.png")]
    assert [f.error for f in found if f.error] == ["folder could not be read: Permission denied"]


def test_the_engine_runs_openblas_on_one_thread_unless_told_otherwise():
    import os
    import subprocess
    import sys

    pytest.importorskip("threadpoolctl")  # scikit-learn's, in the dev extra
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("OpenBLAS runs one thread on one CPU whatever it is told")
    code = ("import desktop.engine.preprocess, numpy, threadpoolctl; "
            "print(max(i['num_threads'] for i in threadpoolctl.threadpool_info() if i['internal_api'] == 'openblas'))")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=ROOT).stdout.strip() == "1"
    assert subprocess.run([sys.executable, "-c", code], env={**env, "OPENBLAS_NUM_THREADS": "2"},
                          capture_output=True, text=True, cwd=ROOT).stdout.strip() == "2"  # 2 cores here


def test_a_file_named_like_an_option_is_named_with_the_way_to_give_it(tmp_path, monkeypatch, capfd):
    from desktop import cli

    monkeypatch.chdir(tmp_path)
    Image.new("L", (28, 28), 255).save(tmp_path / "-scan.png")
    with pytest.raises(SystemExit) as e:
        cli.main(["classify", "-scan.png"])
    assert e.value.code == 2
    assert "write it as ./-scan.png" in capfd.readouterr().err
    cli.main(["classify", "-q", "./-scan.png"])  # the way it names works: a row for the file
    assert "./-scan.png,,,False,,no digit found,no digit" in capfd.readouterr().out
