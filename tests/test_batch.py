"""The engine's batch orchestration: the worker plan, one walk, batches that fail one file at a time, a stop."""
import multiprocessing
import time

import numpy as np
import pytest
from PIL import Image

from desktop.engine import batch
from desktop.engine.batch import MIN_FILES_PER_WORKER, classify_rows, cpu_count, plan_workers, walk
from desktop.engine.files import Found
from desktop.engine.results import same_path


def test_worker_plan_is_one_rule_for_cli_and_app():
    assert plan_workers(10, 4) == 1  # a worker costs a model load: not for a handful of files
    assert plan_workers(MIN_FILES_PER_WORKER - 1, 2) == 1
    assert plan_workers(2 * MIN_FILES_PER_WORKER, 64) == min(2, cpu_count())
    assert plan_workers(100 * MIN_FILES_PER_WORKER, 64) == cpu_count()  # never more than the CPUs
    assert plan_workers(100 * MIN_FILES_PER_WORKER, None) == batch.default_workers()
    assert plan_workers(0, None) == 1


def test_walk_lists_each_file_once_and_skips_those_done(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.png", "b.png", "sub/c.png"):
        Image.new("L", (28, 28)).save(tmp_path / name)
    found = walk([tmp_path, tmp_path / "a.png"])
    assert [f.path for f in found] == [str(tmp_path / "a.png"), str(tmp_path / "b.png"), str(tmp_path / "sub" / "c.png")]
    assert [f.path for f in walk([tmp_path], skip={same_path(str(tmp_path / "b.png"))})] == [
        str(tmp_path / "a.png"), str(tmp_path / "sub" / "c.png")]
    assert len(walk([tmp_path], recursive=False)) == 2


def test_walk_goes_deeper_than_pythons_recursion_limit_in_order(tmp_path):
    """1,100 nested folders ended a run with a RecursionError (a hostile test)."""
    for name in ("b/1.png", "a/z/2.png", "a/1.png", "0.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("L", (28, 28)).save(tmp_path / name)
    made = [tmp_path / "deep"]
    try:
        made[0].mkdir()
        for _ in range(1100):  # past Python's default recursion limit (1,000)
            made.append(made[-1] / "d")
            made[-1].mkdir()  # one level at a time: mkdir(parents=True) recurses too
        Image.new("L", (28, 28)).save(made[-1] / "x.png")
        found = [f.path for f in walk([tmp_path])]
    finally:
        # Removed here, bottom up, whatever was made: shutil.rmtree recurses per level, and pytest's
        # clean-up of old temporary folders would end a later session with a RecursionError.
        (made[-1] / "x.png").unlink(missing_ok=True)
        for folder in reversed(made):
            if folder.is_dir():
                folder.rmdir()
    assert [str(tmp_path / n) for n in ("0.png", "a/1.png", "a/z/2.png", "b/1.png")] == found[:4]
    assert len(found) == 5 and found[4].endswith("/d/d/x.png")


def test_one_image_that_breaks_recognition_is_its_own_error_row(shipped, sample, tmp_path, monkeypatch):
    # Files are recognised in batches: an image the recognizer fails on must not cost the others their rows.
    for i in range(5):
        Image.fromarray(255 - sample["x_test"][i]).save(tmp_path / f"{i}.png")
    real = batch.recognize_many

    def fails_on_the_first(clf, grays, **kw):
        if any(abs(float(g.mean()) - poison) < 1e-6 for g in grays):
            raise RuntimeError("boom")
        return real(clf, grays, **kw)

    poison = float((255 - sample["x_test"][0]).astype(np.float32).mean() / 255)
    monkeypatch.setattr(batch, "recognize_many", fails_on_the_first)
    rows = list(classify_rows([Found(str(tmp_path / f"{i}.png")) for i in range(5)], shipped))
    assert rows[0].status == "error" and "RuntimeError: boom" in rows[0].error
    assert [r.digit for r in rows[1:]] == [str(d) for d in sample["y_test"][1:5]]


SLOW_NAME = "3.png"  # the file a worker is stuck on when the stop comes


def slow_folder(tmp_path, sample, monkeypatch) -> list[Found]:
    """Six digit files; reading the fourth takes 30 s (forked workers inherit the patch)."""
    for i in range(6):
        Image.fromarray(255 - sample["x_test"][i]).save(tmp_path / f"{i}.png")
    real = batch.load_gray

    def slow_for_one(path, *a, **kw):
        if str(path).endswith(SLOW_NAME):
            time.sleep(30)
        return real(path, *a, **kw)

    monkeypatch.setattr(batch, "load_gray", slow_for_one)
    return [Found(str(tmp_path / f"{i}.png")) for i in range(6)]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_stop_request_ends_the_run_while_a_file_is_slow(shipped, sample, tmp_path, monkeypatch, workers):
    # Cancel in the app must not wait for the slow file: the generator asks should_stop while it waits.
    found = slow_folder(tmp_path, sample, monkeypatch)
    stop_at = float("inf")
    got = []
    for row in classify_rows(found, shipped, workers, should_stop=lambda: time.monotonic() > stop_at,
                             start_method="fork"):
        got.append(row)
        if len(got) == 3:  # the rows before the slow file are in: ask for a stop a moment later
            stop_at = time.monotonic() + 0.3
    ended = time.monotonic() - stop_at
    assert ended < 1.5, f"the run went on {ended:.1f} s after the stop request"
    assert [r.path for r in got] == [f.path for f in found[:3]]  # the rows so far, in order
    assert not [p for p in multiprocessing.active_children() if p.is_alive()]  # workers ended, none stuck


def test_no_stop_request_reads_every_file(shipped, sample, tmp_path):
    for i in range(3):
        Image.fromarray(255 - sample["x_test"][i]).save(tmp_path / f"{i}.png")
    rows = list(classify_rows([Found(str(tmp_path / f"{i}.png")) for i in range(3)], shipped, should_stop=lambda: False))
    assert [r.digit for r in rows] == [str(d) for d in sample["y_test"][:3]]


def test_a_folder_read_as_numbers_keeps_long_rows_tall_enough(tmp_path, sample, shipped):
    """Files were shrunk to 160 px before number mode saw them, so a long row came out 8 px tall
    (the CLI read a 30-digit number as "98", a hostile test): the batch reads at number mode's scale."""
    from PIL import Image

    from benchmarks.numbers import compose_mnist
    from desktop.engine.batch import recognize_files, walk
    from desktop.engine.recognize import recognize_number

    x, y = sample["x_test"], sample["y_test"]
    gray = compose_mnist([x[i] for i in range(20)], 0.5)
    Image.fromarray(np.round(gray * 255).astype(np.uint8)).save(tmp_path / "long.png")
    (row,) = list(recognize_files(shipped, walk([tmp_path]), number=True))
    direct = recognize_number(shipped, gray).text
    assert row.digit == direct and len(direct) == 20
    assert sum(a == b for a, b in zip(direct, "".join(str(int(d)) for d in y[:20]))) >= 18


def _folder(tmp_path, sample, n=12):
    for i in range(n):
        Image.fromarray(255 - sample["x_test"][i]).save(tmp_path / f"d{i:02d}.png")
    return walk([tmp_path])


def test_workers_that_cannot_start_leave_the_run_to_this_process(shipped, sample, tmp_path, monkeypatch, caplog):
    """No usable /dev/shm (a container's --ipc=none) or too few descriptors: the queue or the pool
    raised OSError, a traceback and a header-only file that blocked the next run (third pass)."""
    found = _folder(tmp_path, sample)

    class NoSharedMemory:
        def __getattr__(self, name):
            def refuse(*a, **k):
                raise OSError(30, "Read-only file system")
            return refuse

    monkeypatch.setattr(batch.multiprocessing, "get_context", lambda *a: NoSharedMemory())
    with caplog.at_level("WARNING", logger="digits.batch"):
        rows = list(classify_rows(found, shipped.spec, workers=2))
    assert [r.path for r in rows] == [f.path for f in found] and all(r.status == "digit" for r in rows)
    assert "classifying in this process" in caplog.text


def test_a_system_limit_stops_the_run_rather_than_failing_each_file(shipped, sample, tmp_path, monkeypatch):
    """Out of descriptors (ulimit -n 20): 16,608 of 20,000 good images became error rows that
    --resume never reads again. Now the run stops after the rows so far, with one sentence."""
    import errno
    import os

    from desktop.engine import imageio
    from desktop.engine.errors import SystemLimitError

    found = _folder(tmp_path, sample)
    real_open, opened = os.open, []

    def scarce(path, *a, **k):
        if str(path).endswith(".png"):
            opened.append(path)
            if len(opened) > 5:
                raise OSError(errno.EMFILE, "Too many open files")
        return real_open(path, *a, **k)

    monkeypatch.setattr(imageio.os, "open", scarce)
    rows = []
    with pytest.raises(SystemLimitError, match="refused to read more files"):
        for r in classify_rows(found, shipped, workers=1):
            rows.append(r)
    assert len(rows) == 5 and all(r.status == "digit" for r in rows)


def test_python_out_of_memory_is_tried_again_and_then_is_the_files_own_row(shipped, sample, tmp_path, monkeypatch):
    """A MemoryError became "unexpected error: MemoryError: " rows (a hostile pass under ulimit -v).
    A file is read once more after a collection; one that fails twice is its own plain row and the
    run goes on (stopping it stopped every --resume at that file: a code review)."""
    from desktop.engine import batch

    found = _folder(tmp_path, sample)
    real, calls = batch.load_gray, {}

    def starved(path, *a, **k):
        calls[path] = calls.get(path, 0) + 1
        if path == found[1].path or (path == found[2].path and calls[path] == 1):
            raise MemoryError  # the second file always, the third once
        return real(path, *a, **k)

    monkeypatch.setattr(batch, "load_gray", starved)
    rows = list(classify_rows(found, shipped, workers=1))
    assert len(rows) == len(found)
    assert rows[1].status == "error" and "needs more memory" in rows[1].error
    assert all(r.status == "digit" for k, r in enumerate(rows) if k != 1)
    assert calls[found[2].path] == 2


def test_files_come_in_the_order_file_managers_show(tmp_path, sample):
    """scan_1, scan_10, scan_100 came before scan_2 (plain text order), in the CSV and the window."""
    for name in ("scan_10.png", "scan_2.png", "Scan_1.png", "scan_100.png"):
        Image.fromarray(255 - sample["x_test"][0]).save(tmp_path / name)
    assert [f.path.rsplit("/", 1)[-1] for f in walk([tmp_path])] == ["Scan_1.png", "scan_2.png", "scan_10.png",
                                                                    "scan_100.png"]


def test_numbers_padded_with_zeros_come_by_value():
    """page_02 came after page_3, page_007 after page_10: each number's zeros counted in its length
    (a hostile pass). By value, the zeros breaking ties only."""
    from desktop.engine.files import natural_key

    names = ["page_10", "page_007", "page_3", "page_02", "page_1", "page_01", "page_0", "page_000"]
    assert sorted(names, key=natural_key) == ["page_0", "page_000", "page_1", "page_01", "page_02", "page_3",
                                              "page_007", "page_10"]


def test_workers_refused_at_their_start_leave_the_run_to_this_process(shipped, sample, tmp_path, monkeypatch):
    """The pool starts its processes at the first submit: too few processes or descriptors allowed
    (ulimit) raised there, before any row, and the run is this process's instead."""
    found = _folder(tmp_path, sample)

    def refuse(self, *a, **k):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(batch.ProcessPoolExecutor, "submit", refuse)
    rows = list(classify_rows(found, shipped.spec, workers=2))
    assert [r.path for r in rows] == [f.path for f in found] and all(r.status == "digit" for r in rows)
