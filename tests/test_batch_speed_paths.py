"""The one-process batch path's hand-off (batch._Hand): rows the same as file by file, memory bounded,
a slow file holding back no row before it, a failed listing raised after the rows so far."""
import threading
import time

import pytest
from PIL import Image

from desktop.engine import batch
from desktop.engine.batch import BATCH, classify_rows, recognize_files
from desktop.engine.files import Found
from desktop.engine.imageio import load_gray
from desktop.engine.recognize import recognize_many
from desktop.engine.results import Row, row_for


def digit_files(tmp_path, sample, n: int) -> list[Found]:
    found = []
    for i in range(n):
        path = tmp_path / f"{i:04d}.png"
        if i % 17 == 5:
            path.write_bytes(b"not an image")  # error rows mixed in
        elif i % 17 == 9:
            # Files the reader reduces (past WORK_SIDE), reads as their smooth source (pixel-repeated)
            # or finds small (12 px): each reaches the model through the batch as through the app.
            im = Image.fromarray(255 - sample["x_test"][i])
            size = (28 * (4 + i % 3), 28 * (4 + i % 3)) if i % 2 else (12, 12)
            im.resize(size, Image.Resampling.NEAREST if i % 4 == 1 else Image.Resampling.BICUBIC).save(path)
        else:
            Image.fromarray(255 - sample["x_test"][i]).save(path)
        found.append(Found(str(path)))
    found.append(Found(str(tmp_path / "a folder"), error="could not be read"))
    return found


def one_by_one(clf, found: list[Found]) -> list[Row]:
    rows = []
    for f in found:
        if f.error:
            rows.append(Row(f.path, error=f.error))
            continue
        try:
            rows.append(row_for(f.path, recognize_many(clf, [load_gray(f.path)])[0]))
        except Exception as e:
            rows.append(Row(f.path, error=str(e)))
    return rows


def test_rows_are_those_of_each_file_alone_in_order(shipped, sample, tmp_path):
    found = digit_files(tmp_path, sample, 3 * BATCH + 7)
    assert list(classify_rows(found, shipped)) == one_by_one(shipped, found)


def test_the_reader_stays_at_most_a_batch_ahead(shipped, sample, tmp_path, monkeypatch):
    found = digit_files(tmp_path, sample, 3 * BATCH)
    reads = []
    real = batch.load_gray
    monkeypatch.setattr(batch, "load_gray", lambda p, *a, **kw: (reads.append(p), real(p, *a, **kw))[1])
    rows = recognize_files(shipped, found)
    next(rows)
    time.sleep(0.3)  # the reader, unhindered, would read every file meanwhile
    assert len(reads) <= 2 * BATCH + 1
    assert len(list(rows)) == len(found) - 1


def test_rows_before_a_slow_file_come_out_while_it_is_read(shipped, sample, tmp_path, monkeypatch):
    found = digit_files(tmp_path, sample, 4)
    release = threading.Event()
    real = batch.load_gray

    def slow_last(path, *a, **kw):
        if path == found[3].path:
            release.wait(10)
        return real(path, *a, **kw)

    monkeypatch.setattr(batch, "load_gray", slow_last)
    rows = recognize_files(shipped, found)
    start = time.monotonic()
    first = [next(rows) for _ in range(3)]
    assert time.monotonic() - start < 5 and [r.path for r in first] == [f.path for f in found[:3]]
    release.set()
    assert [r.path for r in rows] == [f.path for f in found[3:]]


def test_a_listing_that_fails_raises_after_the_rows_so_far(shipped, sample, tmp_path):
    found = digit_files(tmp_path, sample, BATCH + 3)

    def listing():
        yield from found[:BATCH + 2]
        raise OSError("the drive went away")

    got = []
    with pytest.raises(OSError, match="went away"):
        for r in recognize_files(shipped, listing()):
            got.append(r)
    assert [r.path for r in got] == [f.path for f in found[:BATCH + 2]]


def test_a_stop_between_batches_ends_the_run(shipped, sample, tmp_path):
    found = digit_files(tmp_path, sample, 3 * BATCH)
    got = []
    for r in recognize_files(shipped, found, should_stop=lambda: len(got) >= BATCH):
        got.append(r)
    assert BATCH <= len(got) < len(found)
    assert [r.path for r in got] == [f.path for f in found[: len(got)]]
