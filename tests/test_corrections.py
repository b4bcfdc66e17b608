"""Corrections kept on disk (desktop/engine/corrections.py): written, appended safely, read back, scored."""
import csv
import os
from pathlib import Path
import stat
from datetime import datetime, timezone

import numpy as np
import pytest

from desktop.engine import corrections as corr
from desktop.engine.corrections import CorrectionsError, load_examples, read_corrections, save_correction, score


def paper(sample, i: int) -> np.ndarray:
    """An MNIST test digit as a user's image: dark ink on white paper, float gray in [0, 1]."""
    return 1.0 - sample["x_test"][i].astype(np.float32) / 255.0


def test_written_and_read_back(tmp_path, sample):
    folder = tmp_path / "corr"  # not there yet: made on the first correction
    rows = [save_correction(folder, int(sample["y_test"][i]), paper(sample, i), predicted="1", source="draw")
            for i in range(3)]
    with open(folder / corr.LABELS, newline="") as f:
        got = list(csv.reader(f))
    assert got[0] == list(corr.FIELDS)
    assert [r[1] for r in got[1:]] == [str(sample["y_test"][i]) for i in range(3)]
    assert all(r[2] == "1" and r[3] == "draw" for r in got[1:])
    assert all(datetime.fromisoformat(r[4]).tzinfo is not None for r in got[1:])
    back = read_corrections(folder)
    assert back.rows == rows and not back.skipped
    for r in rows:
        assert (folder / r.file).is_file() and (folder / r.input_file()).is_file()
    x, y, kept = load_examples(folder)
    assert x.shape == (3, 28, 28) and x.dtype == np.uint8 and list(y) == [r.label for r in rows]
    # The model input is white ink on black, centred like MNIST: the border is dark, the middle is not.
    assert x[:, :2, :].max() < 30 and x[:, 8:20, 8:20].max() > 200
    # The user's image is kept as it was: white paper.
    from PIL import Image

    with Image.open(folder / rows[0].file) as im:
        assert im.size == (28, 28) and np.asarray(im)[0, 0] == 255


def test_same_moment_never_overwrites(tmp_path, sample):
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    a = save_correction(tmp_path, 7, paper(sample, 0), now=now)
    b = save_correction(tmp_path, 7, paper(sample, 1), now=now)
    assert a.file != b.file and len(read_corrections(tmp_path).rows) == 2


def test_earlier_rows_survive_a_cut_line_and_garbage(tmp_path, sample):
    first = save_correction(tmp_path, 3, paper(sample, 0))
    with open(tmp_path / corr.LABELS, "ab") as f:
        f.write(b"2026XYZ_4.png,4,")  # a row cut by a crash: no newline
    second = save_correction(tmp_path, 5, paper(sample, 1))
    with open(tmp_path / corr.LABELS, "a") as f:
        f.write("missing.png,2,1,draw,2026-01-01T00:00:00+00:00\n")
        f.write(f"{first.file},x,1,draw,2026-01-01T00:00:00+00:00\n")
    back = read_corrections(tmp_path)
    assert [r.file for r in back.rows] == [first.file, second.file]
    assert len(back.skipped) == 3 and any("missing.png" in s for s in back.skipped)


def test_a_stray_quote_a_byte_order_mark_and_a_raw_byte_name_lose_nothing(tmp_path, sample):
    """One stray quote in labels.csv swallowed every row after it (and past csv's field limit raised);
    a file saved by Excel (a byte-order mark) was "not a corrections file"; a source path that is not
    UTF-8 raised and left two images without their row (a third hostile pass)."""
    first = save_correction(tmp_path, 3, paper(sample, 0))
    with open(tmp_path / corr.LABELS, "a") as f:
        f.write('"a stray quote,4,1,draw,2026-01-01T00:00:00+00:00\n')
    later = [save_correction(tmp_path, 5, paper(sample, i)) for i in range(1, 4)]
    odd = save_correction(tmp_path, 6, paper(sample, 4), source=os.fsdecode(b"batch:/scans/\xff.png"))
    back = read_corrections(tmp_path)
    assert [r.file for r in back.rows] == [first.file, *(r.file for r in later), odd.file]
    assert len(back.skipped) == 1 and back.skipped[0].startswith("line 3")
    data = (tmp_path / corr.LABELS).read_bytes()
    assert b"\xff.png" in data  # the name's own byte, kept
    (tmp_path / corr.LABELS).write_bytes(b"\xef\xbb\xbf" + data)  # saved again by a spreadsheet
    assert len(read_corrections(tmp_path).rows) == 5


def test_a_batch_files_name_with_line_breaks_keeps_its_row(tmp_path, sample):
    """A batch file named with a carriage return (or another line break Python knows) split the
    correction's row on reading, and the correction was skipped (a review)."""
    names = ["batch:/scans/a\rb.png", "batch:/scans/c\u2028d.png", "batch:/scans/e\nf.png", "batch:/scans/g\x85h.png"]
    kept = [save_correction(tmp_path, 2, paper(sample, i), source=name) for i, name in enumerate(names)]
    back = read_corrections(tmp_path)
    assert [r.file for r in back.rows] == [k.file for k in kept] and not back.skipped
    assert [r.source for r in back.rows[:2]] == names[:2]


def test_missing_model_input_is_recomputed(tmp_path, sample):
    row = save_correction(tmp_path, int(sample["y_test"][0]), paper(sample, 0))
    x_saved, _, _ = load_examples(tmp_path)
    os.remove(tmp_path / row.input_file())
    x_again, y, _ = load_examples(tmp_path)
    assert len(y) == 1 and np.abs(x_again.astype(int) - x_saved.astype(int)).max() <= 1


@pytest.mark.parametrize("where", ["notes.txt", "/dev/null"])
def test_a_corrections_folder_that_is_a_file_says_so(tmp_path, sample, where):
    """It said "cannot be written (File exists)" (a hostile pass)."""
    folder = tmp_path / where if not where.startswith("/") else Path(where)
    if not folder.exists():
        folder.write_text("my notes")
    with pytest.raises(CorrectionsError) as e:
        save_correction(folder, 1, paper(sample, 2))
    assert str(e.value).startswith(f"The corrections folder {folder} is not a folder (it is a file)")
    assert folder.is_dir() is False and (where.startswith("/") or folder.read_text() == "my notes")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_a_plain_message(tmp_path, sample):
    ro = tmp_path / "ro"
    ro.mkdir()
    save_correction(ro, 1, paper(sample, 2))
    before = (ro / corr.LABELS).read_bytes()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(CorrectionsError) as e:
            save_correction(ro, 2, paper(sample, 3))
        assert str(e.value).startswith(f"The corrections folder {ro} cannot be written")
        assert "Traceback" not in str(e.value) and "Errno" not in str(e.value)
        assert (ro / corr.LABELS).read_bytes() == before
    finally:
        ro.chmod(stat.S_IRWXU)


def test_blank_image_and_bad_label_are_refused(tmp_path):
    with pytest.raises(CorrectionsError, match="no digit"):
        save_correction(tmp_path, 1, np.ones((50, 50), np.float32))
    with pytest.raises(ValueError):
        save_correction(tmp_path, 10, np.ones((50, 50), np.float32))
    assert not (tmp_path / corr.LABELS).exists()


def test_not_a_corrections_file_says_so(tmp_path):
    (tmp_path / corr.LABELS).write_text("path,digit\n")
    with pytest.raises(CorrectionsError, match="not a corrections file"):
        read_corrections(tmp_path)
    assert read_corrections(tmp_path / "nowhere").rows == []


def test_score_counts_per_digit(tmp_path, sample, shipped):
    for i in range(20):  # MNIST digits with their true labels: the shipped model reads nearly all
        save_correction(tmp_path, int(sample["y_test"][i]), paper(sample, i))
    save_correction(tmp_path, (int(sample["y_test"][0]) + 1) % 10, paper(sample, 0))  # a wrong label
    s = score(shipped, tmp_path)
    assert s.count == 21 and sum(n for n, _ in s.per_digit.values()) == 21
    assert 19 <= s.correct <= 20 and s.accuracy == s.correct / 21
    wrong = (int(sample["y_test"][0]) + 1) % 10
    n, right = s.per_digit[wrong]
    assert right <= n - 1


def test_unwritable_folder_is_a_plain_message_even_as_root(tmp_path, sample, monkeypatch):
    """As root the chmod test above cannot run: a refused write is simulated where labels.csv is opened."""
    save_correction(tmp_path, 1, paper(sample, 2))
    before = (tmp_path / corr.LABELS).read_bytes()
    real_open = os.open

    def refuse(path, *a, **k):
        if str(path).endswith(corr.LABELS):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **k)

    monkeypatch.setattr(corr.os, "open", refuse)
    with pytest.raises(CorrectionsError, match=r"cannot be written \(Permission denied\); choose another folder"):
        save_correction(tmp_path, 2, paper(sample, 3))
    assert (tmp_path / corr.LABELS).read_bytes() == before
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setattr(corr.os, "open", real_open)
    with pytest.raises(CorrectionsError, match="cannot be written"):
        save_correction(blocked / "sub", 2, paper(sample, 3))
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".png") == sorted(
        [r.file for r in read_corrections(tmp_path).rows] + [r.input_file() for r in read_corrections(tmp_path).rows])


@pytest.mark.parametrize("fail_on", [1, 2, "replace"])
def test_full_disk_leaves_no_temporary_file(tmp_path, sample, monkeypatch, fail_on):
    """A disk that fills up mid-PNG (the first image, the model input, or the rename): no ``*.tmp``
    is left, and the rows and files kept before stay as they were."""
    first = save_correction(tmp_path, 1, paper(sample, 2))
    before = (tmp_path / corr.LABELS).read_bytes()
    files_before = sorted(p.name for p in tmp_path.iterdir())
    real_save, saves = corr.Image.Image.save, []

    def full_disk(self, fp, *a, **k):
        saves.append(fp)
        if len(saves) == fail_on:
            with open(fp, "wb") as f:
                f.write(b"\x89PNG half")  # what a full disk leaves: part of the file, then ENOSPC
            raise OSError(28, "No space left on device")
        return real_save(self, fp, *a, **k)

    def full_rename(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(corr.Image.Image, "save", full_disk)
    if fail_on == "replace":
        monkeypatch.setattr(corr.os, "replace", full_rename)
    with pytest.raises(CorrectionsError, match=r"cannot be written \(No space left on device\)"):
        save_correction(tmp_path, 2, paper(sample, 3))
    assert not list(tmp_path.glob("*.tmp"))
    assert sorted(p.name for p in tmp_path.iterdir()) == files_before
    assert (tmp_path / corr.LABELS).read_bytes() == before
    assert read_corrections(tmp_path).rows == [first]


def test_training_adds_corrections_to_the_training_part_only(tmp_path, sample):
    from training import corrections as tc
    from training.data import Split

    for i in range(3):
        save_correction(tmp_path, int(sample["y_test"][i]), paper(sample, i))
    x, y = tc.load(tmp_path)
    assert x.shape == (3, 28, 28) and list(y) == [int(v) for v in sample["y_test"][:3]]
    split = Split(sample["x_train"][:100], sample["y_train"][:100].astype(np.int64), sample["x_test"][:10],
                  sample["y_test"][:10])
    more = tc.with_corrections(split, x, y, repeat=4)
    assert len(more.x_train) == 112 and (more.x_train[:100] == split.x_train).all()
    assert list(more.y_train[100:]) == list(y) * 4 and (more.x_train[100:103] == x).all()
    assert more.x_val is split.x_val and more.y_val is split.y_val  # validation untouched
    with pytest.raises(tc.NoCorrectionsError, match="holds no corrections"):
        tc.load(tmp_path / "empty")


@pytest.mark.slow
def test_digits_train_run_with_corrections(tmp_path, sample, mnist_fixture, monkeypatch):
    """--corrections reaches the models' training digits; the product-data cache key and the
    defaults stay as they were; an empty folder stops the run before anything is written."""
    pytest.importorskip("tensorflow")
    from training import cli, compare

    folder = tmp_path / "corr"
    for i in range(5):
        save_correction(folder, int(sample["y_test"][i]), paper(sample, i))
    seen = {}

    class Stop(Exception):
        pass

    def fake_train(spec, split, *a, **k):
        seen["n"], seen["tail"] = len(split.x_train), list(split.y_train[-5:])
        raise Stop

    monkeypatch.setattr(compare, "train", fake_train)
    out = tmp_path / "run"
    with pytest.raises(Stop):
        cli.main(["run", "--quick", "--data", str(mnist_fixture), "--out", str(out), "--models", "simple_nn",
                  "--corrections", str(folder), "--corrections-repeat", "3"])
    import json

    from training.data import QUICK_N_VAL, QUICK_TRAIN

    n_train = min(QUICK_TRAIN, len(sample["x_train"])) - QUICK_N_VAL  # --quick on the committed sample
    assert seen["n"] == n_train + 15 and seen["tail"] == [int(v) for v in sample["y_test"][:5]]
    env = json.loads((out / "environment.json").read_text())
    assert env["corrections"] == str(folder) and env["corrections_repeat"] == 3
    # Without the option: the same training digits as before, and no new keys in environment.json.
    with pytest.raises(Stop):
        cli.main(["run", "--quick", "--data", str(mnist_fixture), "--out", str(tmp_path / "plain"),
                  "--models", "simple_nn"])
    assert seen["n"] == n_train
    assert "corrections" not in json.loads((tmp_path / "plain" / "environment.json").read_text())
    assert cli.main(["run", "--quick", "--data", str(mnist_fixture), "--out", str(tmp_path / "none"),
                     "--corrections", str(tmp_path / "nothing")]) == 2
    assert not (tmp_path / "none").exists()
