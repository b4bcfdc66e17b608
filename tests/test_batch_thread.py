"""The Batch tab's thread: rows back in chunks, stopped by requestInterruption()/stop(), the plan shared."""
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


def test_rows_come_back_in_order_with_the_models_settings(qtbot, folder, shipped, sample):
    rows, counted = run(qtbot, BatchThread([str(folder)], True, False, shipped.spec, workers=1))
    assert counted == [300] and [r.path for r in rows] == sorted(str(p) for p in folder.iterdir())
    assert sum(r.digit == str(sample["y_test"][i % 100]) for i, r in enumerate(rows)) >= 295


def test_stop_ends_a_running_batch_and_keeps_its_rows(qtbot, folder, shipped):
    t = BatchThread([str(folder)], True, False, shipped.spec, workers=1)
    rows = []
    t.rowsReady.connect(rows.extend)
    t.start()
    qtbot.waitUntil(lambda: len(rows) > 0, timeout=60000)
    assert t.stop(30000) and not t.isRunning()  # interrupted, then waited for: no bare flag, no join elsewhere
    assert t.cancelled and 0 < len(rows) < 300 and not t.error
    assert [r.path for r in rows] == sorted(str(p) for p in folder.iterdir())[: len(rows)]

