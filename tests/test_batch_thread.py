"""The Batch tab's thread: rows back in chunks, stopped by requestInterruption()/stop(), the plan shared."""
import time

import pytest
from PIL import Image

pytest.importorskip("pytestqt")

from desktop.app.batch_thread import BatchThread  # noqa: E402


@pytest.fixture
def folder(tmp_path, sample):
    for i in range(300):
        Image.fromarray(255 - sample["x_test"][i % 100]).save(tmp_path / f"{i:03d}.png")
    return tmp_path


def run(qtbot, t: BatchThread) -> list:
    rows, counted = [], []
    t.rowsReady.connect(rows.extend)
    t.counted.connect(counted.append)
    with qtbot.waitSignal(t.finished, timeout=120000):
        t.start()
    return rows, counted


def started(t: BatchThread) -> list:
    """The thread started, and the list its rows arrive in."""
    rows = []
    t.rowsReady.connect(rows.extend)
    t.start()
    return rows


def test_rows_come_back_in_order_with_the_models_settings(qtbot, folder, shipped, sample):
    rows, counted = run(qtbot, BatchThread([str(folder)], True, False, shipped.spec, workers=1))
    assert counted == [300] and [r.path for r in rows] == sorted(str(p) for p in folder.iterdir())
    assert sum(r.digit == str(sample["y_test"][i % 100]) for i, r in enumerate(rows)) >= 295


def test_stop_ends_a_running_batch_and_keeps_its_rows(qtbot, folder, shipped):
    t = BatchThread([str(folder)], True, False, shipped.spec, workers=1)
    rows = started(t)
    qtbot.waitUntil(lambda: len(rows) > 0, timeout=60000)
    assert t.stop(30000) and not t.isRunning()  # interrupted, then waited for: no bare flag, no join elsewhere
    assert t.cancelled and 0 < len(rows) < 300 and not t.error
    assert [r.path for r in rows] == sorted(str(p) for p in folder.iterdir())[: len(rows)]




@pytest.fixture
def slow_folder(tmp_path, sample, monkeypatch):
    """Six digit files; reading the fourth (3.png) takes 30 s."""
    from desktop.engine import batch

    for i in range(6):
        Image.fromarray(255 - sample["x_test"][i]).save(tmp_path / f"{i}.png")
    real = batch.load_gray

    def slow_for_one(path, *a, **kw):
        if str(path).endswith("3.png"):
            time.sleep(30)
        return real(path, *a, **kw)

    monkeypatch.setattr(batch, "load_gray", slow_for_one)
    return tmp_path


def test_rows_before_a_slow_file_are_shown_while_it_is_read(qtbot, slow_folder, shipped):
    # Rows were sent only when the next row came: the three done waited 30 s for the slow file.
    t = BatchThread([str(slow_folder)], True, False, shipped.spec, workers=1)
    rows = started(t)
    try:
        qtbot.waitUntil(lambda: len(rows) == 3, timeout=5000)
    finally:
        t.stop(60000)
    assert [r.path for r in rows] == [str(slow_folder / f"{i}.png") for i in range(3)]


def test_stop_does_not_wait_for_a_slow_file(qtbot, slow_folder, shipped):
    """Cancel and closing the window end the run within about a second, even while a file takes 30 s."""
    t = BatchThread([str(slow_folder)], True, False, shipped.spec, workers=1)
    rows = started(t)
    qtbot.waitUntil(lambda: len(rows) > 0, timeout=60000)
    time.sleep(1)  # the three files before the slow one are done by now: the run waits on the slow one
    start = time.monotonic()
    stopped = t.stop(2000)
    waited = time.monotonic() - start
    if not stopped:
        t.wait()  # never leave a running QThread to be destroyed
    assert stopped and waited < 2, f"stop waited {waited:.1f} s for the slow file"
    assert t.cancelled and not t.error, t.error
    qtbot.waitUntil(lambda: len(rows) == 3, timeout=5000)  # the rows held back are sent as the run ends
    assert [r.path for r in rows] == [str(slow_folder / f"{i}.png") for i in range(3)]
