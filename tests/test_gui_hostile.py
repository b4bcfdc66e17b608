"""Hostile use of the real widgets (pytest-qt offscreen): what a careless or curious user does that
the happy-path tests do not (ink over the pad's edge, odd files, odd export names, full disks)."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from desktop.app.main_window import MainWindow
from desktop.app.state import AppState


@pytest.fixture
def win(win):
    """The shared window (conftest) at a fixed size: these tests draw near the pad's edges."""
    win.resize(1000, 700)
    return win


def drag(qtbot, widget, points):
    """A stroke through points in the pad's page units (they may lie off the page)."""
    pts = [widget.to_widget(QPointF(x, y)).toPoint() for x, y in points]
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=pts[0])
    for a, b in zip(pts, pts[1:]):
        for t in np.linspace(0, 1, 10)[1:]:
            qtbot.mouseMove(widget, QPoint(int(a.x() + t * (b.x() - a.x())), int(a.y() + t * (b.y() - a.y()))))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=pts[-1])


def test_ink_over_the_pads_right_edge_stays_off_the_page(win, qtbot):
    """A stroke that runs off the square's right edge (into the grey beside it) is cut there: no
    "drawn in number mode" notice, and turning Number mode on does not bring the lost part back
    as an extra "?" digit."""
    d = win.draw
    d.number_mode.setChecked(False)
    c = d.canvas
    drag(qtbot, c, [(140, 50), (140, 230)])  # a 1
    drag(qtbot, c, [(60, 140), (330, 140)])  # a line through it, ending 50 units past the edge
    assert not d.notice.isVisibleTo(d)
    d.number_mode.setChecked(True)
    ink = c.gray() < 0.5
    assert ink[:, 200:280].any()  # the line up to the edge is kept
    assert not ink[:, 285:].any()  # nothing beyond where the page ended when it was drawn


def test_a_foreign_labels_csv_is_never_appended_to(win, qtbot, tmp_path):
    """A corrections folder whose labels.csv is someone else's file (another tool's labels): the
    correction is refused and says why, the file is left as it was (it used to get our row
    appended while the window said "Kept as 7 (0 in your corrections folder)")."""
    from desktop.app.places import set_corrections_folder

    folder = tmp_path / "labels of another tool"
    folder.mkdir()
    theirs = "path,digit\nscan1.png,4\n"
    (folder / "labels.csv").write_text(theirs)
    set_corrections_folder(str(folder))
    d = win.draw
    d.number_mode.setChecked(False)
    drag(qtbot, d.canvas, [(140, 40), (140, 240)])
    assert d.last is not None and d.last.digit is not None
    assert not d.correction.choose(7)
    assert (folder / "labels.csv").read_text() == theirs
    assert list(p.name for p in folder.iterdir()) == ["labels.csv"]
    assert "not a corrections file" in d.correction.note.text()


@pytest.mark.parametrize("size", [(640, 480), (900, 650), (1200, 800)])
def test_why_legend_text_is_never_cut(win, qtbot, size):
    """The "Why?" legend under a number's digits wraps onto as many lines as it needs: under X11
    at 640x480 its three lines were squeezed into two lines' height, cut at the top and bottom."""
    d = win.draw
    d.number_mode.setChecked(True)
    d.why.setChecked(True)
    for x in (100, 250, 400):
        drag(qtbot, d.canvas, [(x, 60), (x, 220)])
    win.resize(*size)
    qtbot.wait(50)
    label = d.result.legend.label
    assert d.result.legend.isVisible()
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()), timeout=2000)


def test_export_never_replaces_a_device_or_a_pipe(win, qtbot, tmp_path, monkeypatch):
    """Export to a name that is a pipe (or, for root, /dev/full): refused with a message. The atomic
    save used to write a temporary file beside it and rename it over the pipe or device node,
    saying "Exported ... rows" (as root, /dev/full became a CSV file)."""
    import os
    import stat

    from PySide6.QtWidgets import QMessageBox

    warned = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: warned.append(a[2])))
    fifo = tmp_path / "results.csv"
    os.mkfifo(fifo)
    assert not win.batch.export(str(fifo), shown=False)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert warned and "not a regular file" in warned[0]
    assert "Exported" not in win.batch.note.text()


def test_export_to_a_folder_says_folder(win, qtbot, tmp_path, monkeypatch):
    """Export to a folder's path said "Existing file ... is not writable" (a hostile pass)."""
    from PySide6.QtWidgets import QMessageBox

    warned = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: warned.append(a[2])))
    assert not win.batch.export(str(tmp_path), shown=False)
    assert warned == [f"{tmp_path} is a folder: choose a file name in it."]
    assert tmp_path.is_dir()


def test_images_added_twice_or_folders_among_them(win, qtbot, tmp_path, sample):
    """A list of 5,000 addresses over 3,000 files made 5,000 entries; a folder dropped with a file
    was an entry reading "is a folder" (a hostile pass). Each file once; folders left out, said."""
    from PIL import Image

    t = win.images
    files = []
    for i in range(3):
        files.append(str(tmp_path / f"d{i}.png"))
        Image.fromarray(255 - sample["x_test"][i]).save(files[-1])
    (tmp_path / "sub").mkdir()
    t.add_files([files[0], files[1], files[0], str(tmp_path / "sub"), files[2], files[1]])
    assert [t.list.item(i).text() for i in range(t.list.count())] == ["d0.png", "d1.png", "d2.png"]
    assert "1 folder left out" in t.message.text() and "Batch tab" in t.message.text()


def test_a_drag_on_a_squeezed_image_preview_does_nothing(win, qtbot, tmp_path):
    """Without a window manager (or with one that ignores minimum sizes) the window can be made
    smaller than its minimum and the preview squeezed to a few pixels: a drag on it then divided
    by the image's zero width on screen (ZeroDivisionError in a mouse handler)."""
    from PIL import Image

    path = tmp_path / "seven.png"
    Image.new("L", (64, 64), 255).save(path)
    t = win.images
    win.tabs.setCurrentWidget(t)
    t.add_files([str(path)])
    p = t.preview
    p.setMinimumSize(0, 0)
    p.resize(6, 6)
    assert p.image_rect().isEmpty()
    qtbot.mousePress(p, Qt.MouseButton.LeftButton, pos=QPoint(1, 1))
    qtbot.mouseMove(p, QPoint(20, 20))  # past the widget: the press grabbed the mouse
    qtbot.mouseRelease(p, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert t.region() is None


def test_number_strip_keeps_no_empty_boxes(win, qtbot):
    """Numbers drawn and cleared again and again (number mode): the strip of digit tiles holds
    one box per digit shown, not every box it ever had (each clear left its boxes behind, empty,
    in the strip's row: a long session grew the layout without end)."""
    d = win.draw
    d.number_mode.setChecked(True)
    strip = d.result.strip
    for _ in range(3):
        for x in (60, 200, 340, 480):
            drag(qtbot, d.canvas, [(x, 60), (x, 220)])
        assert len(strip.tiles) == 4
        d.canvas.clear()
    for x in (100, 300):
        drag(qtbot, d.canvas, [(x, 60), (x, 220)])
    assert len(strip.tiles) == 2
    assert strip.row.count() == len(strip.tiles) + 1  # a box per digit and the stretch


def test_a_batch_cancelled_while_counting_does_not_say_0_of_0(win, qtbot, tmp_path):
    """Start, then Cancel at once (before the folder's files were counted): the status said
    "Cancelled: 0 of 0 files" for a folder of 400 images."""
    from PIL import Image

    Image.new("L", (28, 28), 255).save(tmp_path / "first.png")
    data = (tmp_path / "first.png").read_bytes()
    for i in range(400):
        (tmp_path / f"{i:04d}.png").write_bytes(data)
    b = win.batch
    b.folder.setText(str(tmp_path))
    b.start()
    b.cancel()
    qtbot.waitUntil(lambda: b.start_btn.isEnabled() and not b.running, timeout=60000)
    if b.total:  # the walk was quicker than the click: nothing to check
        pytest.skip("the files were counted before the cancel")
    assert "0 of 0" not in b.status.text()
    assert b.status.text().startswith("Cancelled")


def test_a_failed_export_does_not_leave_the_last_success_on_show(win, qtbot, tmp_path, monkeypatch):
    """Export once, then to a folder's name: the warning says it failed, and the note under the
    table no longer says "Exported ... to" the first file as if this one had worked."""
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: None))
    b = win.batch
    assert b.export(str(tmp_path / "first.csv"), shown=False)
    assert b.note.text().startswith("Exported")
    (tmp_path / "a folder").mkdir()
    assert not b.export(str(tmp_path / "a folder"), shown=False)
    assert not b.note.text().startswith("Exported")
    assert "a folder" in b.note.text()


def test_a_region_kept_for_a_file_that_shrank_on_disk(win, qtbot, tmp_path):
    """A region dragged on a 400x400 scan, the scan saved again at 50x50 (scanned anew), the file
    chosen again in the list: the region no longer fits the image. It used to be cut out of the
    new image as it was, empty, and the engine failed on it (ValueError, a traceback per read)."""
    from PIL import Image, ImageDraw

    path = tmp_path / "scan.png"
    im = Image.new("L", (400, 400), 255)
    ImageDraw.Draw(im).line((300, 250, 300, 390), fill=0, width=12)
    im.save(path)
    other = tmp_path / "other.png"
    Image.new("L", (40, 40), 255).save(other)
    t = win.images
    win.tabs.setCurrentWidget(t)
    t.add_files([str(path), str(other)])
    t.list.setCurrentRow(0)
    t.set_region((250.0, 240.0, 100.0, 155.0))
    assert t.result.digit.text() != "–"  # an answer, whichever the model gives
    im = Image.new("L", (50, 50), 255)
    ImageDraw.Draw(im).line((25, 5, 25, 45), fill=0, width=4)
    im.save(path)
    t.list.setCurrentRow(1)
    t.list.setCurrentRow(0)  # read again from the disk
    assert t.region() is None and not t.whole_btn.isEnabled()
    assert t.result.digit.text() != "–"  # the whole new image is read (it was the old "No digit found")
    t.number_mode.setChecked(True)
    t.why.setChecked(True)
    assert t.result.digit.text() != "–"


def test_save_drawing_never_writes_into_a_pipe(win, qtbot, tmp_path, monkeypatch):
    """Save drawing… onto a name that is a pipe: refused with a message. It used to open the pipe
    and block the whole window until some other program read it (here a helper thread reads it
    after a second, so the old behaviour ends)."""
    import os
    import threading
    import time

    from PySide6.QtWidgets import QFileDialog, QMessageBox

    fifo = tmp_path / "digit.png"
    os.mkfifo(fifo)
    got = []

    def reader():
        time.sleep(1.0)
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        time.sleep(0.5)
        try:
            got.append(os.read(fd, 1 << 20))
        except BlockingIOError:
            pass
        os.close(fd)

    threading.Thread(target=reader, daemon=True).start()
    warned = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(fifo), "PNG (*.png)")))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: warned.append(a[2])))
    drag(qtbot, win.draw.canvas, [(140, 40), (140, 240)])
    t0 = time.monotonic()
    win.save_drawing()
    assert time.monotonic() - t0 < 0.5  # the window never waited on the pipe
    assert warned and "not a regular file" in warned[0]


def test_save_drawing_that_cannot_be_written_whole_keeps_the_old_file(win, qtbot, tmp_path, monkeypatch):
    """Save drawing… onto a full disk (here: a file-size limit, which fails a write as a full disk
    does): a message, and the drawing saved there before is kept whole. QImage.save wrote in place:
    a hostile pass found a 4 KB truncated PNG over the old drawing, and no word."""
    import resource
    import signal

    from PIL import Image
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    target = tmp_path / "digit.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "PNG (*.png)")))
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: warned.append(a[2])))
    drag(qtbot, win.draw.canvas, [(140, 40), (140, 240)])
    win.save_drawing()
    old = target.read_bytes()
    assert not warned and Image.open(target).format == "PNG"
    for k in range(12):  # a busy scribble: a PNG far larger than the limit below
        drag(qtbot, win.draw.canvas, [(20 + 20 * k, 20), (260 - 15 * k, 260), (30 + 10 * k, 140)])
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), not the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (len(old) + 64, limit[1]))
    try:
        win.save_drawing()
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
        signal.signal(signal.SIGXFSZ, previous)
    assert warned and "could not be written" in warned[0]
    assert target.read_bytes() == old  # the old drawing, whole
    assert [p.name for p in tmp_path.iterdir()] == ["digit.png"]  # no temporary file left behind


def test_a_name_typed_without_a_suffix_gets_the_chosen_formats(win, qtbot, tmp_path, monkeypatch):
    """Save drawing… as "mine" wrote a PNG named mine; Export as "res" with JSON lines chosen wrote
    CSV (the format follows the name). Now each gets its suffix, and a file already there under the
    suffixed name (the dialog only asked about the name typed) is replaced only when the user agrees."""
    import json

    from PIL import Image
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    answers = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: answers.pop(0)))
    typed = {"Save drawing": (str(tmp_path / "mine"), "PNG (*.png)"),
             "Export results": (str(tmp_path / "res"), "JSON lines (*.jsonl *.ndjson)")}
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda parent, title, *a: typed[title]))
    drag(qtbot, win.draw.canvas, [(140, 40), (140, 240)])
    win.save_drawing()
    assert not (tmp_path / "mine").exists()
    assert Image.open(tmp_path / "mine.png").format == "PNG"

    folder = tmp_path / "scans"
    folder.mkdir()
    Image.new("L", (28, 28), 255).save(folder / "blank.png")
    win.batch.folder.setText(str(folder))
    win.batch.start()
    qtbot.waitUntil(lambda: bool(win.batch.model.rows) and not win.batch.running, timeout=30_000)
    win.batch.export_dialog()
    assert json.loads((tmp_path / "res.jsonl").read_text().splitlines()[0])["status"] == "no digit"

    (tmp_path / "res.jsonl").write_text("mine\n")
    answers.append(QMessageBox.StandardButton.No)
    win.batch.export_dialog()
    assert (tmp_path / "res.jsonl").read_text() == "mine\n"  # kept: the user said no
    answers.append(QMessageBox.StandardButton.Yes)
    win.batch.export_dialog()
    assert (tmp_path / "res.jsonl").read_text() != "mine\n"


def test_a_damaged_settings_file_never_stops_the_start(qtbot):
    """Settings hand-edited or left by another version: a word where a number belongs made the
    window fail to open on every start (ValueError from int()); widths outside the sliders' ranges
    drew with a negative pen or a page-wide eraser."""
    from desktop.app.state import settings

    s = settings()
    for key, value in (("window/tab", "abc"), ("batch/export", "x"), ("model/threads", "lots"),
                       ("draw/pen_width", "-5"), ("draw/eraser_width", "1e9")):
        s.setValue(key, value)
    s.sync()
    w = MainWindow(AppState.from_settings())
    qtbot.addWidget(w)
    assert w.state.threads >= 1 and w.state.classifier is not None
    c, d = w.draw.canvas, w.draw
    assert d.width_slider.minimum() <= c.pen_width <= d.width_slider.maximum()
    assert d.eraser_slider.minimum() <= c.eraser_width <= d.eraser_slider.maximum()


def test_closing_during_a_batch_that_will_not_stop_in_time_never_aborts(win, qtbot):
    """Close the window while the batch waits on a file that takes longer than the close's wait
    (rows come in order: a slow number on a speckled scan holds them all). The window used to go
    on closing and the running QThread was destroyed: "QThread: Destroyed while thread is still
    running", the process aborted. Now the window stays, says why, and closes when the run ends."""
    import threading

    from PySide6.QtCore import QThread

    release = threading.Event()

    class Stuck(QThread):
        cancelled, error = True, ""

        def run(self):
            release.wait(30)

        def stop(self, timeout_ms=5000):
            self.requestInterruption()
            return self.wait(100)  # as when the file in hand takes longer than the wait

    b = win.batch
    b.thread = Stuck(b)
    b.thread.finished.connect(b._finished)
    b.thread.start()
    try:
        win.close()
        assert win.isVisible() and "Close again" in b.note.text()  # a running batch: asked once
        win.close()
        assert win.isVisible()  # not closed under a running thread
        assert "Stopping" in b.status.text()
    finally:
        release.set()
        b.thread.wait(10000)
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=5000)  # closed once the run ended


def test_a_typed_folder_may_start_with_a_tilde(win, qtbot, tmp_path, monkeypatch):
    """Typing ~/scans into the batch folder field (as in a shell) said "Choose a folder that exists."."""
    from PIL import Image

    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "scans").mkdir()
    Image.new("L", (28, 28), 255).save(tmp_path / "scans" / "blank.png")
    b = win.batch
    b.folder.setText("~/scans")
    b.start()
    qtbot.waitUntil(lambda: b.start_btn.isEnabled() and not b.running, timeout=60000)
    assert len(b.model.rows) == 1
    assert b.status.text().startswith("Done")


def test_pasting_a_web_address_says_there_is_no_image(win, qtbot):
    """A link copied from a browser (an http URL, no local file, no image data): Paste did nothing
    at all, not even "The clipboard holds no image."."""
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtWidgets import QApplication

    md = QMimeData()
    md.setUrls([QUrl("https://example.com/seven.png")])
    QApplication.clipboard().setMimeData(md)
    t = win.images
    try:
        t.paste()
        assert t.list.count() == 0
        assert "no image" in t.message.text()
    finally:
        # The clipboard owns the data now; left there, the application's teardown at exit freed it
        # after Python had (exit status 139 once every test had passed).
        QApplication.clipboard().clear()


def test_a_metrics_job_outliving_its_tab_ends_quietly():
    """Quit while "Measure" or "Score the model on my corrections" runs: the job finished after the
    tab (and its signal object) was gone and printed a traceback at exit ("Error calling Python
    override of QRunnable::run(): RuntimeError: Signal source has been deleted")."""
    import shiboken6

    from desktop.app.metrics_tab import _Job

    job = _Job(lambda: 42)
    shiboken6.delete(job.signals)
    job.run()  # no exception


QUIT_AFTER_SETTINGS = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop.app.main import make_window
app = QApplication(sys.argv)
win = make_window([])
win.show()
done = []

def press_when_shown():  # polled, not timed: a loaded machine may show the dialog late
    dialog = QApplication.activeModalWidget()
    if dialog is None:
        return
    poll.stop()
    getattr(dialog, sys.argv[1])()
    done.append(True)
    QTimer.singleShot(100, win.close)  # Ctrl+Q
    QTimer.singleShot(200, app.quit)

poll = QTimer(interval=20)
poll.timeout.connect(press_when_shown)
poll.start()
QTimer.singleShot(0, win.open_settings)  # Ctrl+, : the real method, a modal dialog
app.exec()
print("pressed" if done else "never shown")
"""


@pytest.mark.parametrize("button", ["accept", "reject"])
def test_quitting_after_the_settings_dialog_exits_cleanly(tmp_path, button):
    """Settings, OK, then Ctrl+Q: "QObject: shared QObject was deleted directly" and a bus error
    at every exit (hostile test); the dialog outlived its window into the interpreter's exit."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-c", QUIT_AFTER_SETTINGS, button], capture_output=True, text=True,
                       timeout=120, env=env, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert r.returncode == 0 and "QObject" not in r.stderr and "pressed" in r.stdout, (r.returncode, r.stderr[-2000:])


def test_a_long_session_keeps_a_bounded_undo_history(win, qtbot):
    """Every stroke and every cleared page stayed on the undo stack: about 70 KB a digit, without
    end (hostile test: 500 digits, +45 MB). Undo still goes back through the last UNDO_LIMIT steps."""
    from desktop.app.canvas import UNDO_LIMIT

    c = win.draw.canvas
    for i in range(UNDO_LIMIT // 2 + 10):
        drag(qtbot, c, [(100 + i % 80, 60), (140, 220)])
        c.clear()
    assert c.undo_stack.count() == UNDO_LIMIT
    c.undo_stack.undo()  # the last clear, undone: its stroke is back
    assert (c.gray() < 0.5).any()


def test_a_pasted_image_past_the_pixel_limit_is_refused_before_it_is_encoded(win):
    """A 9000x9000 paste froze the window 1.5 s (encoded to PNG) and was then refused by the loader,
    leaving a useless row in the list."""
    from PySide6.QtGui import QImage

    t = win.images
    before = t.list.count()
    huge = QImage(8100, 8000, QImage.Format.Format_Mono)  # 64.8 megapixels in 8 MB
    huge.fill(1)
    t.add_image(huge, "pasted image")
    assert t.list.count() == before and "8100x8000" in t.message.text() and "megapixel" in t.message.text()


def test_a_pasted_image_qt_could_not_decode_is_said_not_listed(win, qtbot):
    """72 MP in the clipboard: Qt's 256 MB image limit refused it before ours, and the list gained a
    "pasted image" entry saying "The image data is empty" (a 40-minute soak)."""
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    t = win.images
    before = t.list.count()
    QApplication.clipboard().setImage(QImage())  # what a failed decode leaves: a null image
    win._paste()
    assert t.list.count() == before and "could not be read" in t.message.text()


def test_an_image_dropped_on_the_draw_tab_opens_in_the_images_tab(win, qtbot, tmp_path, sample):
    """The README says: drop images on the window. On the Draw and Metrics tabs the window refused them."""
    from PIL import Image
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDragEnterEvent

    from tests.test_gui_batch import drop

    path = tmp_path / "seven.png"
    Image.fromarray(255 - sample["x_test"][0]).save(path)
    win.tabs.setCurrentWidget(win.draw)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    win.dragEnterEvent(enter)
    assert enter.isAccepted() and win.acceptDrops()
    drop(win, [path])
    assert win.tabs.currentWidget() is win.images
    assert win.images.list.currentItem().text() == "seven.png"
    assert win.images.result.digit.text() == str(sample["y_test"][0])


def test_a_path_copied_as_text_is_pasted_as_its_image(win, qtbot, tmp_path, sample):
    """A path copied from a terminal (or a file:// address as text) said "The clipboard holds no image."."""
    from PIL import Image
    from PySide6.QtCore import QUrl
    from PySide6.QtWidgets import QApplication

    path = tmp_path / "a seven.png"
    Image.fromarray(255 - sample["x_test"][0]).save(path)
    t = win.images
    before = t.list.count()
    for text in (str(path), f"'{path}'\n", QUrl.fromLocalFile(str(path)).toString()):
        t.result.digit.setText("")
        QApplication.clipboard().setText(text)
        t.paste()
        # Listed once, however its path is written (the same file again shows its entry)
        assert t.list.count() == before + 1 and t.result.digit.text() == str(sample["y_test"][0]), text
    QApplication.clipboard().setText(f"{path}\nnot a file")
    t.paste()
    assert t.message.text() == "The clipboard holds no image."


def test_a_large_pasted_image_is_kept_small_and_still_read(win, qtbot, sample):
    """A 64 megapixel paste was encoded to PNG whole: the window froze 1.3-1.7 s (a second hostile
    pass); shrunk first, an 8000x8000 paste still held it 0.4-0.6 s (a long session's pass). It is
    shrunk and encoded on a thread of its own, and listed when done."""
    import io

    from PIL import Image
    from PySide6.QtGui import QImage

    from desktop.app.images_tab import PASTE_SIDE, SOURCE

    digit = Image.fromarray(255 - sample["x_test"][0]).resize((6000, 6000))
    t = win.images
    before = t.list.count()
    t.add_image(QImage(digit.tobytes(), 6000, 6000, 6000, QImage.Format.Format_Grayscale8).copy(), "pasted image")
    assert t.list.count() == before and "Reading the pasted image" in t.message.text()  # not on this thread
    qtbot.waitUntil(lambda: t.list.count() == before + 1, timeout=20000)
    stored = Image.open(io.BytesIO(t.list.currentItem().data(SOURCE)))
    assert max(stored.size) == PASTE_SIDE and t.result.digit.text() == str(sample["y_test"][0])


def test_a_folder_dropped_on_the_draw_tab_runs_in_batch_and_a_web_link_is_said(win, qtbot, tmp_path, sample):
    """A folder dropped on the window added a dead row to Images ("is a folder, not an image file");
    a web link was accepted and did nothing, under the previous drop's message (a second hostile pass)."""
    from PIL import Image
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from tests.test_gui_batch import drop

    folder = tmp_path / "scans"
    folder.mkdir()
    Image.fromarray(255 - sample["x_test"][0]).save(folder / "a.png")
    win.tabs.setCurrentWidget(win.draw)
    rows_before = win.images.list.count()
    drop(win, [folder])
    assert win.tabs.currentWidget() is win.batch and win.images.list.count() == rows_before
    qtbot.waitUntil(lambda: win.batch.start_btn.isEnabled() and not win.batch.running, timeout=60000)
    assert win.batch.status.text().startswith("Done: 1 of 1 file:")
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/x.png")])
    win.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier))
    assert win.tabs.currentWidget() is win.images and "Only files on this computer" in win.images.message.text()


def test_undo_takes_back_the_last_stroke_even_when_an_earlier_one_is_the_same(win, qtbot):
    """A dot, the eraser over it, the same dot again: Ctrl+Z removed the first dot (equal strokes
    compared equal), so the erased dot was gone and the visible one stayed (a second hostile pass)."""
    c = win.draw.canvas
    win.draw.number_mode.setChecked(False)
    c.clear()
    dot = [(140, 140), (141, 141)]
    drag(qtbot, c, dot)
    c.eraser = True
    drag(qtbot, c, [(100, 100), (180, 180)])
    c.eraser = False
    drag(qtbot, c, dot)
    assert (c.gray() < 0.5).any()
    c.undo_stack.undo()  # the last dot goes; the first is still under the eraser's stroke
    assert not (c.gray() < 0.5).any()


@pytest.mark.parametrize("name", ["not_a_model.tflite", "m" * 240 + ".tflite"])
def test_the_settings_dialog_shows_its_whole_message(win, qtbot, tmp_path, name):
    """A broken model's message wrapped to two lines in one line's height: both cut (hostile test);
    a 240-character file name in it made the dialog 1,756 px wide (a second hostile pass)."""
    from desktop.app.settings_dialog import SettingsDialog

    bad = tmp_path / name
    bad.write_bytes(b"this is not a model" * 10)
    d = SettingsDialog(win.state, win)
    qtbot.addWidget(d)
    d.show()
    d.path.setText(str(bad))
    d.accept()
    qtbot.wait(50)
    m = d.message
    assert d.isVisible() and name in m.text().replace("\u200b", "") and d.width() < 900
    assert m.height() >= m.heightForWidth(m.width()) > m.fontMetrics().height()  # wrapped, and all of it shown


def test_a_drop_is_taken_as_a_copy_never_a_move(win, qtbot, tmp_path, sample):
    """A file manager proposes a move, and told it was one may delete the files dropped (an hour's
    soak: every drop was answered MoveAction). Every widget that takes drops answers CopyAction."""
    from PIL import Image
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    path = tmp_path / "seven.png"
    Image.fromarray(255 - sample["x_test"][0]).save(path)
    both = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    for widget in (win, win.images, win.batch):
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        enter = QDragEnterEvent(QPoint(5, 5), both, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        enter.setDropAction(Qt.DropAction.MoveAction)  # what the source proposes
        widget.dragEnterEvent(enter)
        assert enter.isAccepted() and enter.dropAction() == Qt.DropAction.CopyAction, widget
        dropped = QDropEvent(QPointF(5, 5), both, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        dropped.setDropAction(Qt.DropAction.MoveAction)
        widget.dropEvent(dropped)
        assert dropped.isAccepted() and dropped.dropAction() == Qt.DropAction.CopyAction, widget
        qtbot.waitUntil(lambda: not win.batch.running, timeout=60000)
    assert path.exists()


def test_an_empty_image_in_the_clipboard_is_said_not_an_unexpected_error(win, qtbot):
    """A 0-byte image/png in the clipboard (xclip of an empty file): Qt gives no image data at all, and
    QImage(None) raised, showing an "Unexpected error" dialog with PySide's whole signature list (an
    hour's soak of the real window)."""
    from PySide6.QtCore import QByteArray, QMimeData
    from PySide6.QtWidgets import QApplication

    t = win.images
    before = t.list.count()
    mime = QMimeData()
    mime.setData("application/x-qt-image", QByteArray())  # what an empty image/png gives: hasImage, no data
    QApplication.clipboard().setMimeData(mime)
    win._paste()
    assert t.list.count() == before and "could not be read" in t.message.text()


def _png_cut_short() -> bytes:
    import io

    from PIL import Image

    b = io.BytesIO()
    Image.effect_noise((200, 200), 60).save(b, format="PNG")
    return b.getvalue()[:242]


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(3000), b"", _png_cut_short()])
def test_a_damaged_image_from_another_program_is_called_damaged(win, qtbot, data):
    """3 KB of broken PNG (or none) put in the clipboard by another program as image/png: the window
    said it was "too large (over 256 MB decoded) or damaged" and named a "pasted image 6" never added."""
    from PySide6.QtCore import QByteArray, QMimeData
    from PySide6.QtWidgets import QApplication

    t = win.images
    before = t.list.count()
    mime = QMimeData()
    mime.setData("image/png", QByteArray(data))
    mime.setData("application/x-qt-image", QByteArray(data))  # what Qt's X11 clipboard offers beside it
    QApplication.clipboard().setMimeData(mime)
    win._paste()
    assert t.list.count() == before
    assert "damaged or empty" in t.message.text() and "too large" not in t.message.text()
    assert "pasted image" not in t.message.text()


def test_a_large_image_from_another_program_is_called_too_large(win, qtbot):
    """The same message's other half: a valid PNG header of 20000x20000 that Qt refuses to decode."""
    import struct
    import zlib

    from PySide6.QtCore import QByteArray, QMimeData
    from PySide6.QtWidgets import QApplication

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(bytes(1000))) + chunk(b"IEND", b""))
    mime = QMimeData()
    mime.setData("image/png", QByteArray(png))
    mime.setData("application/x-qt-image", QByteArray(png))
    QApplication.clipboard().setMimeData(mime)
    win._paste()
    assert "too large" in win.images.message.text() and "damaged or empty" not in win.images.message.text()


def test_the_batch_folder_field_takes_a_pasted_address_or_a_quoted_path(win, qtbot, tmp_path):
    """A file:// address (a browser's or a file manager's) and a path in quotes (a file manager's
    "Copy path") were refused: "Choose a folder that exists." (a hostile pass)."""
    from PIL import Image
    from PySide6.QtCore import QUrl

    folder = tmp_path / "my scans"
    folder.mkdir()
    Image.new("L", (28, 28), 255).save(folder / "blank.png")
    b = win.batch
    for text in (QUrl.fromLocalFile(str(folder)).toString(), f'"{folder}"', f"  '{folder}'  "):
        b.folder.setText(text)
        b.start()
        qtbot.waitUntil(lambda: b.start_btn.isEnabled() and not b.running, timeout=60000)
        assert len(b.model.rows) == 1 and b.status.text().startswith("Done"), (text, b.status.text())


def test_large_pastes_are_listed_in_the_order_pasted_and_remove_all_drops_those_waiting(win, qtbot):
    """The thread reads the newest first: three large pastes were listed A, C, B, the older taking the
    selection; and "Remove all" while they were read brought them back when done (a review)."""
    from PySide6.QtGui import QImage

    t = win.images
    t.remove_all()

    def big(tone: int) -> QImage:
        im = QImage(3000, 3000, QImage.Format.Format_Grayscale8)
        im.fill(tone)
        return im

    for k, name in enumerate(("pasted A", "pasted B", "pasted C")):
        t.add_image(big(200 + k), name)
    qtbot.waitUntil(lambda: t.list.count() == 3, timeout=30000)
    assert [t.list.item(i).text() for i in range(3)] == ["pasted A", "pasted B", "pasted C"]
    assert t.list.currentItem().text() == "pasted C"
    t.add_image(big(250), "pasted D")
    t.remove_all()
    qtbot.wait(3000)
    assert t.list.count() == 0 and not t.pending


def test_a_clipboard_with_no_data_at_all_is_said_empty(win, qtbot, monkeypatch):
    """Qt may give no clipboard data at all (mimeData() is None: offscreen after clear(), some
    platforms): Ctrl+V raised AttributeError in the Images tab (a hostile pass)."""
    from PySide6.QtWidgets import QApplication

    class NoData:
        def mimeData(self):
            return None

    monkeypatch.setattr(QApplication, "clipboard", staticmethod(lambda: NoData()))
    before = win.images.list.count()
    win.images.paste()
    assert win.images.list.count() == before and "no image" in win.images.message.text()
    win.batch.folder.setFocus()
    qtbot.keyClick(win.batch.folder, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)  # the field's own paste


def test_another_model_chosen_in_settings_reads_every_shown_answer_again(win, qtbot, tmp_path, sample, monkeypatch):
    """Settings → another model: the Draw tab read its drawing again, but the Images tab kept the old
    model's "7, > 99.9% sure" (its Wrong? would record it), and the Metrics tab its score and speed
    (a hostile pass)."""
    import shutil
    from pathlib import Path

    from PIL import Image

    from desktop.app import main_window
    from desktop.engine.imageio import load_gray
    from desktop.engine.recognize import recognize

    image = tmp_path / "seven.png"
    Image.fromarray(255 - sample["x_test"][0]).save(image)
    win.images.add_files([str(image)])
    before = win.images.last
    assert before is not None and before.digit == 7
    win.metrics.speed_label.setText("0.2 ms per digit")
    win.metrics.corrections_result.setText("The model in use reads 1 of 2 corrections right (50%).")
    other = tmp_path / "other.tflite"  # a network of its own (another build): reads the 7 otherwise
    shutil.copy(Path(__file__).parent / "fixtures" / "fixed_batch.tflite", other)

    def choose_other(dialog):
        dialog.path.setText(str(other))
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(main_window, "run_modal", choose_other)
    win.open_settings()
    assert win.state.model_path == str(other)
    now, expected = win.images.last, recognize(win.state.classifier, load_gray(str(image)))
    assert (now.digit, now.status) == (expected.digit, expected.status) != (before.digit, before.status)
    assert win.metrics.speed_label.text() == "" and win.metrics.corrections_result.text() == ""


def test_a_score_of_none_right_is_0_percent_not_under_a_tenth():
    """"reads 0 of 1 corrections right (< 0.1%)" beside a table row of "0%" (a hostile pass)."""
    from desktop.app.metrics_tab import _share

    assert (_share(0, 1), _share(2, 2), _share(1, 3), _share(999, 1000)) == ("0%", "100%", "33.3%", "99.9%")
    assert _share(9999, 10000) == "> 99.9%" and _share(1, 10000) == "< 0.1%"


def test_a_score_started_before_another_model_was_chosen_says_nothing_when_done(win, qtbot, tmp_path, monkeypatch):
    """Settings applied while the corrections were being scored: the score, the old model's (its own
    copy), arrived after and said "The model in use reads ..." of the new one (a review)."""
    import threading

    from desktop.engine import corrections

    gate = threading.Event()

    def slow_score(clf, folder):
        gate.wait(10)
        return corrections.CorrectionsScore(3, 2, {7: (3, 2)})

    monkeypatch.setattr(corrections, "score", slow_score)
    win.metrics.score_corrections()
    assert win.metrics.corrections_result.text() == "Scoring…" and not win.metrics.corrections_btn.isEnabled()
    win.metrics.model_changed()
    gate.set()
    qtbot.waitUntil(win.metrics.corrections_btn.isEnabled, timeout=10000)
    assert win.metrics.corrections_result.text() == ""
