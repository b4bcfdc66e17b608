"""The Batch tab's table and export (issue 13): relative paths, default sort, tooltips, the filter on
what is shown, export of the rows shown or of all, the summary kept, every outcome counted apart,
an empty folder, numbers opened in number mode, corrections from the context menu, choices kept."""
import csv
import json
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from desktop.app.batch_tab import COLUMNS, EXPORT_CHOICES, BatchTab
from desktop.app.places import set_corrections_folder
from desktop.app.state import AppState
from desktop.engine.corrections import read_corrections
from desktop.engine.recognize import ERROR

FILE, ERR, STATUS = COLUMNS.index("file"), COLUMNS.index("error"), COLUMNS.index("status")


@pytest.fixture
def tab(qtbot):
    t = BatchTab(AppState.from_settings())
    qtbot.addWidget(t)
    return t


def folder_of_kinds(root, sample):
    """secretparent/imgs with a digit, noise, a blank, a broken file, and two x.png in subfolders."""
    d = root / "secretparent" / "imgs"
    (d / "a").mkdir(parents=True)
    (d / "b").mkdir()
    Image.fromarray(255 - sample["x_test"][0]).save(d / "a_digit.png")
    Image.fromarray((np.random.default_rng(0).uniform(0, 1, (120, 120)) * 255).astype(np.uint8)).save(d / "b_noise.png")
    Image.new("L", (50, 50), 255).save(d / "c_blank.png")
    (d / "d_broken.png").write_text("not an image")
    Image.fromarray(255 - sample["x_test"][1]).save(d / "a" / "x.png")
    Image.fromarray(255 - sample["x_test"][2]).save(d / "b" / "x.png")
    return d


def run(qtbot, t, folder, number=False):
    t.folder.setText(str(folder))
    t.number.setChecked(number)
    t.start()
    assert not t.start_btn.isEnabled()  # running: the button comes back when the run has finished
    qtbot.waitUntil(lambda: t.start_btn.isEnabled() and not t.running, timeout=60000)


def shown(t, col=FILE):
    return [t.proxy.index(i, col).data() for i in range(t.proxy.rowCount())]


def test_the_table_sorts_names_as_file_managers_do(tab, qtbot, tmp_path, sample):
    """s_1, s_10, s_100 before s_2 (sorted as plain text), in a folder of scans (hostile GUI pass)."""
    for name in ("s_10.png", "s_2.png", "s_100.png", "s_1.png"):
        Image.fromarray(255 - sample["x_test"][0]).save(tmp_path / name)
    run(qtbot, tab, tmp_path)
    assert shown(tab) == ["s_1.png", "s_2.png", "s_10.png", "s_100.png"]
    tab.table.sortByColumn(FILE, Qt.SortOrder.DescendingOrder)
    assert shown(tab) == ["s_100.png", "s_10.png", "s_2.png", "s_1.png"]


def test_relative_paths_default_sort_tooltips_and_filter(tab, qtbot, tmp_path, sample):
    d = folder_of_kinds(tmp_path, sample)
    run(qtbot, tab, d)
    header = tab.table.horizontalHeader()
    assert header.sortIndicatorSection() == FILE and header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    names = shown(tab)
    # Relative to the chosen folder, so the two x.png differ; sorted by that path.
    assert names == sorted(["a_digit.png", "b_noise.png", "c_blank.png", "d_broken.png", "a/x.png", "b/x.png"])
    broken = names.index("d_broken.png")
    row = tab.model.rows[tab.proxy.mapToSource(tab.proxy.index(broken, 0)).row()]
    assert row.status == ERROR and len(row.error) > 10
    assert tab.proxy.index(broken, ERR).data(Qt.ItemDataRole.ToolTipRole) == row.error  # the whole text
    assert tab.proxy.index(broken, FILE).data(Qt.ItemDataRole.ToolTipRole) == str(d / "d_broken.png")
    assert tab.proxy.index(broken, STATUS).data(Qt.ItemDataRole.ToolTipRole).startswith("error: ")
    # The filter matches what is shown: not the folders above the chosen one, but the subfolder.
    tab.search.setText("secretparent")
    assert tab.proxy.rowCount() == 0
    tab.search.setText("a/")
    assert shown(tab) == ["a/x.png"]
    tab.search.setText("X.PNG")
    assert shown(tab) == ["a/x.png", "b/x.png"]
    # A space typed into the box (or around a pasted name) hid every row with no hint (an hour's soak).
    tab.search.setText(" ")
    assert tab.proxy.rowCount() == 6
    tab.search.setText(" a/ ")
    assert shown(tab) == ["a/x.png"]


def test_every_outcome_counted_apart_and_filterable(tab, qtbot, tmp_path, sample):
    run(qtbot, tab, folder_of_kinds(tmp_path, sample))
    text = tab.status.text()
    assert text.startswith("Done: 6 of 6 files: ")
    assert "1 not a digit" in text and "1 no digit" in text and "1 error" in text and "errors or" not in text
    assert "3 answers" in text or ("unsure" in text and "answer" in text)
    for status, n in (("error", 1), ("no digit", 1), ("not a digit", 1)):
        tab.filter_box.setCurrentIndex(tab.filter_box.findText(f"Status: {status}"))
        assert shown(tab, STATUS) == [status] * n


def test_export_shown_or_all_keeps_the_summary(tab, qtbot, tmp_path, sample):
    run(qtbot, tab, folder_of_kinds(tmp_path, sample))
    summary = tab.status.text()
    tab.search.setText("x.png")
    tab.table.sortByColumn(FILE, Qt.SortOrder.DescendingOrder)
    out = tmp_path / "shown.csv"
    assert tab.export(str(out), shown=True)
    with open(out, newline="") as f:
        got = [r["path"] for r in csv.DictReader(f)]
    assert [p.split("imgs/")[1] for p in got] == ["b/x.png", "a/x.png"]  # the rows shown, in the order shown
    assert tab.status.text() == summary and "Exported 2 rows shown" in tab.note.text()
    # All rows, as JSON lines: the format from the name, upper case and .ndjson included.
    out2 = tmp_path / "ALL.NDJSON"
    tab.export_what.setCurrentIndex(EXPORT_CHOICES.index("all rows"))
    assert tab.export(str(out2))
    lines = out2.read_text().splitlines()
    assert len(lines) == 6 and all(json.loads(x)["path"] for x in lines)
    assert tab.status.text() == summary


def test_export_keeps_a_file_name_that_is_not_utf8(tab, qtbot, tmp_path, sample):
    """A Latin-1 name (caf\xe9_7.png) among the files: the CSV export writes it back as its own bytes,
    as the CLI does (a hostile pass: the export failed outright, 'UnicodeEncodeError')."""
    import os
    name = os.fsdecode(b"caf\xe9_7.png")
    Image.fromarray(255 - sample["x_test"][0]).save(os.path.join(str(tmp_path), name))
    Image.fromarray(255 - sample["x_test"][1]).save(tmp_path / "ok_2.png")
    run(qtbot, tab, tmp_path)
    out = tmp_path / "results.csv"
    assert tab.export(str(out), shown=False), tab.note.text()
    data = out.read_bytes()
    assert b"caf\xe9_7.png" in data and b"ok_2.png" in data
    assert len(data.splitlines()) == 3  # header and both rows


def test_thumbnails_are_read_off_the_windows_thread(tab, qtbot, tmp_path, sample):
    """The table asks for a row's thumbnail as it paints: it gets None at once and the thumbnail
    comes later (a hostile pass: 64 MP PNGs decoded on the window's thread froze it 19.5 s as the
    table scrolled). Every thumbnail arrives, a name that is not UTF-8 included."""
    import os

    from desktop.app.batch_tab import THUMB
    from desktop.engine.recognize import DIGIT, NO_DIGIT
    Image.new("L", (300, 200), 255).save(tmp_path / "blank.png")  # no digit: its thumbnail shows it blank
    Image.fromarray(255 - sample["x_test"][0]).resize((3000, 3000)).save(tmp_path / "big_7.png")
    Image.fromarray((255 - sample["x_test"][1]).astype(np.uint16) * 257).save(  # 16-bit: Qt's reader gave none
        os.path.join(str(tmp_path), os.fsdecode(b"caf\xe9_2.png")))
    run(qtbot, tab, tmp_path)
    model = tab.model
    assert sorted(r.status for r in model.rows) == sorted([DIGIT, DIGIT, NO_DIGIT])
    changed = []
    model.dataChanged.connect(lambda a, b, roles: changed.append((a.row(), b.row())))
    first = [model.data(model.index(i, 0), Qt.ItemDataRole.DecorationRole) for i in range(3)]
    assert first == [None, None, None]  # not read here, on the window's thread
    qtbot.waitUntil(lambda: all(model.data(model.index(i, 0), Qt.ItemDataRole.DecorationRole) is not None
                                for i in range(3)), timeout=10_000)
    sizes = {os.path.basename(r.path): model.data(model.index(i, 0), Qt.ItemDataRole.DecorationRole).size()
             for i, r in enumerate(model.rows)}
    assert max(sizes["big_7.png"].width(), sizes["big_7.png"].height()) == THUMB  # 3000 px, made small
    assert all(max(s.width(), s.height()) <= THUMB for s in sizes.values())
    # Each thumbnail changes its own row: the whole column made the filter look at every row again
    # for each (15,000 rows: 37 ms of the window's thread a thumbnail, a hostile pass).
    assert set(changed) == {(0, 0), (1, 1), (2, 2)}


def test_empty_folder_says_no_images_found(tab, qtbot, tmp_path):
    empty = tmp_path / "nothing here"
    empty.mkdir()
    (empty / "notes.txt").write_text("no images")
    run(qtbot, tab, empty)
    assert tab.status.text() == f"No images found in {empty}"
    assert "0 of 0" not in tab.status.text()


def test_number_row_opens_in_number_mode(win, qtbot, tmp_path, sample):
    d = tmp_path / "numbers"
    d.mkdir()
    pair = np.hstack([255 - sample["x_test"][1], 255 - sample["x_test"][2]])  # "21"
    Image.fromarray(np.pad(pair, 10, constant_values=255)).save(d / "n.png")
    b = win.batch
    run(qtbot, b, d, number=True)
    assert len(b.model.rows) == 1 and len(b.model.rows[0].digit) == 2
    seen = []
    b.inspect.connect(lambda p: seen.append(("digit", p)))
    b.inspectNumber.connect(lambda p: seen.append(("number", p)))
    b._double_clicked(b.proxy.index(0, FILE))
    assert seen == [("number", str(d / "n.png"))]
    assert win.tabs.currentWidget() is win.images
    assert win.images.list.count() == 1
    number = getattr(win.images, "number_mode", None)  # the Images tab's toggle, where it has one
    if number is not None and hasattr(number, "isChecked"):
        assert number.isChecked()


def test_correction_from_the_table(tab, qtbot, tmp_path, sample):
    corrections = tmp_path / "mine"
    set_corrections_folder(str(corrections))
    run(qtbot, tab, folder_of_kinds(tmp_path, sample))
    rows = {tab.model.shown_path(r): r for r in tab.model.rows}
    menu = tab.row_menu(rows["a/x.png"])
    fix = [a.menu() for a in menu.actions() if a.menu()][0]
    assert fix.isEnabled() and [a.text() for a in fix.actions()] == [f"&{d}" for d in range(10)]
    fix.actions()[4].trigger()  # "It is a 4"
    back = read_corrections(corrections).rows
    assert [(c.label, c.source) for c in back] == [(4, f"batch:{rows['a/x.png'].path}")]
    assert str(corrections) in tab.note.text() and "Kept as 4" in tab.note.text()
    # An unreadable file cannot be a correction: the submenu is off.
    err_menu = tab.row_menu(rows["d_broken.png"])
    assert not [a.menu() for a in err_menu.actions() if a.menu()][0].isEnabled()


def test_choices_are_remembered(qtbot, tmp_path, sample):
    d = folder_of_kinds(tmp_path, sample)
    t = BatchTab(AppState.from_settings())
    qtbot.addWidget(t)
    t.recursive.setChecked(False)
    t.export_what.setCurrentIndex(1)
    run(qtbot, t, d, number=True)
    again = BatchTab(AppState.from_settings())
    qtbot.addWidget(again)
    assert again.folder.text() == str(d)
    assert again.number.isChecked() and not again.recursive.isChecked()
    assert again.export_what.currentIndex() == 1


def drop(widget, paths):
    """A drop of files and folders from a file manager onto the widget (the real dropEvent)."""
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)


def test_files_and_folders_dropped_together_are_one_batch(tab, qtbot, tmp_path, sample):
    """Of 50 files dropped, only the first was read ("Done: 1 of 1 files"), without a word; a drop
    during a run changed the folder named above the run's rows."""
    import os

    d = folder_of_kinds(tmp_path, sample)
    many = d / "many"  # enough files that the run is still going when the second drop comes
    many.mkdir()
    for i in range(600):
        os.link(d / "a_digit.png", many / f"{i:03d}.png")
    tab.folder.setText(str(d / "b"))
    drop(tab, [d / "a_digit.png", d / "b_noise.png", d / "a", many])
    # The field is left as it was: their common folder there would be run whole by the next Enter.
    assert tab.folder.text() == str(d / "b")
    assert tab.running  # 603 files: well over the few microseconds to the next line
    drop(tab, [d])  # while it runs: refused, and said where row updates do not overwrite it
    assert "running" in tab.note.text() and tab.folder.text() == str(d / "b")
    qtbot.waitUntil(lambda: tab.start_btn.isEnabled() and not tab.running, timeout=60000)
    files = shown(tab)
    assert len(files) == 603 and {"a/x.png", "a_digit.png", "b_noise.png"} <= set(files)
    assert tab.status.text().startswith("Done: 603 of 603 files")


def test_a_cancel_after_the_last_row_says_done(tab, qtbot, tmp_path, sample):
    """A cancel pressed as the last rows came in stopped nothing: the run said "Cancelled: 602 of 602
    files" (an hour's soak). Here the run ends, then its thread reports the late request."""
    run(qtbot, tab, folder_of_kinds(tmp_path, sample))
    tab.thread.cancelled = True  # the request arrived after the last row
    tab._finished()
    assert tab.status.text().startswith("Done: 6 of 6 files: ")
    tab.thread.cancelled, tab.total = True, 7  # one file was still to come: that is a cancel
    tab._finished()
    assert tab.status.text().startswith("Cancelled: 6 of 7 files: ")


def test_rows_arriving_go_where_the_sort_puts_them_and_a_selection_stays(tab, qtbot):
    """The table is sorted by its model (Python's sort on keys made once per row; sorted by Qt's
    proxy, 3,000 rows froze the window 0.6-2 s). Rows that arrive while it is sorted go in their
    place, equal ones after those there; the row selected stays selected through a new sort."""
    from desktop.app.batch_tab import COLUMNS
    from desktop.engine.results import Row

    conf = COLUMNS.index("confidence")

    def shown_confidences():
        return [tab.model.rows[tab.proxy.mapToSource(tab.proxy.index(i, 0)).row()].confidence
                for i in range(tab.proxy.rowCount())]

    tab.model.root = "/scans"
    tab.table.sortByColumn(conf, Qt.SortOrder.DescendingOrder)
    values = [0.5, 0.9, 0.1, 0.5, 0.7, None, 0.3]
    tab.model.append([Row(f"/scans/a{i}.png", "1", v, False, "", "" if v is not None else "broken")
                      for i, v in enumerate(values)])
    tab.model.append([Row("/scans/b.png", "2", 0.5)])
    got = shown_confidences()
    assert got == [0.9, 0.7, 0.5, 0.5, 0.5, 0.3, 0.1, None]
    fives = [tab.model.rows[tab.proxy.mapToSource(tab.proxy.index(i, 0)).row()].path for i in (2, 3, 4)]
    assert fives == ["/scans/a0.png", "/scans/a3.png", "/scans/b.png"]  # equal ones in arrival order
    tab.table.selectRow(1)  # the 0.7
    tab.table.sortByColumn(conf, Qt.SortOrder.AscendingOrder)
    assert shown_confidences() == [None, 0.1, 0.3, 0.5, 0.5, 0.5, 0.7, 0.9]
    selected = tab.table.selectionModel().selectedRows()
    assert [tab._row_at(i).confidence for i in selected] == [0.7]
    tab.table.sortByColumn(COLUMNS.index("file"), Qt.SortOrder.AscendingOrder)
    assert [tab.proxy.index(i, COLUMNS.index("file")).data() for i in range(3)] == ["a0.png", "a1.png", "a2.png"]
    tab.search.setText("a1")
    assert tab.proxy.rowCount() == 1


def cancelled_with_another_folder_ready(qtbot, tab, tmp_path, sample, n_old: int, n_new: int):
    """A run on a folder of ``n_old`` images, cancelled once its first rows are in; and a folder of
    ``n_new`` images for the next run. (old, new)."""
    from tests.test_gui import make_folder

    old = make_folder(tmp_path / "old", sample, n_old, broken=0)
    new = make_folder(tmp_path / "new", sample, n_new, broken=0)
    tab.folder.setText(str(old))
    tab.start()
    qtbot.waitUntil(lambda: len(tab.model.rows) > 0, timeout=60000)
    tab.cancel()
    return old, new


def test_a_run_started_as_the_last_one_ends_gets_none_of_its_rows(tab, qtbot, tmp_path, sample):
    """Cancel, then Enter for another folder while the cancelled run's last rows and its end were
    still on their way: they went into the new run's table ("Done: 3024 of 3000 files", 24 rows of
    the other folder), and its end left the new run with Start on and Cancel off (a hostile pass)."""
    _, new = cancelled_with_another_folder_ready(qtbot, tab, tmp_path, sample, 600, 40)
    tab.thread.wait()  # ended, while the window was busy: its last signals not yet delivered
    tab.folder.setText(str(new))
    qtbot.keyClick(tab.folder, Qt.Key.Key_Return)
    assert tab.cancel_btn.isEnabled() and not tab.start_btn.isEnabled()
    qtbot.wait(200)  # the old run's queued rows and end are delivered now
    assert tab.cancel_btn.isEnabled() or tab.status.text().startswith("Done")
    qtbot.waitUntil(lambda: not tab.running and tab.start_btn.isEnabled(), timeout=60000)
    qtbot.wait(100)
    assert all(str(new) in r.path for r in tab.model.rows)
    assert len(tab.model.rows) == 40 and tab.status.text().startswith("Done: 40 of 40 files")


def test_enter_while_a_run_is_cancelling_starts_the_next_run_when_it_stops(tab, qtbot, tmp_path, sample):
    """Cancel, then Enter for another folder at once: the Enter was dropped without a word, and the
    run ended "Cancelled: 601 of 3001" with no new run (a hostile pass). "Cancelling…" stays while
    the rows already read come in (progress overwrote it), and the next run follows."""
    old, new = cancelled_with_another_folder_ready(qtbot, tab, tmp_path, sample, 1500, 30)
    tab.folder.setText(str(new))
    qtbot.keyClick(tab.folder, Qt.Key.Key_Return)
    if tab.running:  # not stopped yet (it nearly always is not): the next run waits for it
        assert tab.status.text().startswith("Cancelling…") and "next run" in tab.status.text()
    qtbot.waitUntil(lambda: tab.status.text().startswith("Done"), timeout=60000)
    assert all(str(new) in r.path for r in tab.model.rows) and len(tab.model.rows) == 30
    tab.folder.setText(str(old))
    tab.start()
    qtbot.waitUntil(lambda: len(tab.model.rows) > 0, timeout=60000)
    tab.start()  # Enter again while running, not cancelling: said, nothing else
    assert "A batch is running" in tab.note.text()
    tab.cancel()
    qtbot.waitUntil(lambda: not tab.running and tab.start_btn.isEnabled(), timeout=60000)


def test_a_rows_menu_does_not_stay_after_it_closes(tab, qtbot, tmp_path, sample):
    """Each right-click made a menu, a child of the tab, that stayed for the session."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QMenu

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    run(qtbot, tab, folder_of_kinds(tmp_path, sample))
    before = len(tab.findChildren(QMenu))
    for _ in range(5):
        QTimer.singleShot(30, lambda: QApplication.activePopupWidget().close())  # as Esc would
        tab._context_menu(tab.table.visualRect(tab.proxy.index(0, 1)).center())
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert len(tab.findChildren(QMenu)) == before


def test_the_queued_run_starts_though_the_cancelled_thread_still_reports_running(tab, qtbot, tmp_path, sample,
                                                                                  monkeypatch):
    """finished() comes as the thread ends, and isRunning() may still be true for a moment: the run
    queued by Enter during the cancel was queued again and never made (Esc then Enter at once, in
    the real window: a soak). Here a thread reports running until it is waited for."""
    from desktop.app.batch_thread import BatchThread

    real_wait = BatchThread.wait

    def wait(self, *a):
        self.waited = True
        return real_wait(self, *a)

    monkeypatch.setattr(BatchThread, "isRunning", lambda self: not getattr(self, "waited", False))
    monkeypatch.setattr(BatchThread, "wait", wait)
    _, new = cancelled_with_another_folder_ready(qtbot, tab, tmp_path, sample, 1500, 30)
    tab.folder.setText(str(new))
    qtbot.keyClick(tab.folder, Qt.Key.Key_Return)
    assert "next run" in tab.status.text()
    qtbot.waitUntil(lambda: tab.status.text().startswith("Done"), timeout=60000)
    assert len(tab.model.rows) == 30 and all(str(new) in r.path for r in tab.model.rows)
    tab.thread.wait()


def test_a_finished_runs_thread_does_not_stay(tab, qtbot, tmp_path, sample):
    """Each run's thread stayed a child of the tab, with its paths, for as long as the window was
    open (a soak found 20 threads after 20 runs); the last run's thread is the only one kept."""
    from desktop.app.batch_thread import BatchThread

    folder = folder_of_kinds(tmp_path, sample)
    for _ in range(4):
        run(qtbot, tab, folder)
    qtbot.wait(50)  # deleteLater is carried out by the event loop
    assert tab.findChildren(BatchThread) == [tab.thread]
    assert tab.status.text().startswith("Done")


def test_signals_of_a_thread_not_the_current_runs_are_ignored(tab, qtbot, tmp_path, sample):
    """Signals of a thread that is not the current run's (an earlier run's, its last rows and its end
    still queued when the next run started) are ignored: its rows went into the new run's table and
    its count replaced the new run's (a hostile pass). Emitted here on purpose: in the race test
    (test_a_run_started_as_the_last_one_ends_gets_none_of_its_rows) whether they still come is timing."""
    from desktop.app.batch_thread import BatchThread

    run(qtbot, tab, folder_of_kinds(tmp_path, sample))
    rows, status, total = list(tab.model.rows), tab.status.text(), tab.total
    other = BatchThread([str(tmp_path)], False, False, tab.state.classifier.spec, 1, tab)  # never started
    other.rowsReady.connect(tab._rows)
    other.counted.connect(tab._counted)
    other.counted.emit(3000)
    other.rowsReady.emit(rows[:2])
    assert tab.model.rows == rows and tab.total == total and tab.status.text() == status
    other.deleteLater()


def test_the_last_runs_end_coming_late_does_not_end_the_next_run(tab, qtbot, tmp_path, sample):
    """isRunning() is false while a thread is still emitting finished(). A run started in that moment
    deleted the old thread before its end was queued, and that end came from no sender: it ended the
    new run (Start on, Cancel off while it ran; a code review). The moment is widened here by a slot
    that sleeps as the old thread ends, connected before the tab's."""
    from tests.test_gui import make_folder

    old = make_folder(tmp_path / "old", sample, 1, broken=0)
    new = make_folder(tmp_path / "new", sample, 600, broken=0)
    tab.folder.setText(str(old))
    tab.start()
    t = tab.thread
    t.finished.disconnect(tab._finished)
    t.finished.connect(lambda: time.sleep(0.4), Qt.ConnectionType.DirectConnection)
    t.finished.connect(tab._finished)
    qtbot.waitUntil(lambda: not t.isRunning(), timeout=60000)  # ended, still emitting finished()
    tab.folder.setText(str(new))
    qtbot.keyClick(tab.folder, Qt.Key.Key_Return)
    qtbot.wait(300)  # the old run's end is delivered now
    assert tab.cancel_btn.isEnabled() and not tab.start_btn.isEnabled()
    qtbot.waitUntil(lambda: not tab.running and tab.start_btn.isEnabled(), timeout=60000)
    assert tab.status.text().startswith("Done: 600 of 600 files")


def test_a_new_run_keeps_the_last_runs_results_that_were_not_exported(tab, qtbot, tmp_path, sample, monkeypatch):
    """A finished batch of 2,167 files was gone with the next run, without a word (a hostile pass):
    its rows are kept in a file first, and the note says where; rows exported since need no keeping;
    rows that cannot be kept stop the new run, which says why."""
    from desktop.app import batch_tab

    first, second = tmp_path / "first", tmp_path / "second"
    for d, idx in ((first, (0, 1, 2)), (second, (3,))):
        d.mkdir()
        for i in idx:
            Image.fromarray(255 - sample["x_test"][i]).save(d / f"d{i}.png")
    kept = tmp_path / "data" / "previous.csv"
    monkeypatch.setattr(batch_tab, "previous_results_path", lambda: str(kept))
    run(qtbot, tab, first)
    run(qtbot, tab, second)
    with open(kept, newline="") as f:
        assert sorted(r["path"].rsplit("/", 1)[1] for r in csv.DictReader(f)) == ["d0.png", "d1.png", "d2.png"]
    assert str(kept) in tab.note.text() and "3 results" in tab.note.text()
    assert len(tab.model.rows) == 1
    kept.unlink()
    tab.export_what.setCurrentIndex(EXPORT_CHOICES.index("all rows"))
    assert tab.export(str(tmp_path / "out.csv"))
    run(qtbot, tab, first)  # exported: nothing to keep
    assert not kept.exists() and "kept" not in tab.note.text()
    monkeypatch.setattr(batch_tab, "previous_results_path", lambda: str(tmp_path / "out.csv" / "no.csv"))
    tab.folder.setText(str(second))
    tab.start()
    assert not tab.running and len(tab.model.rows) == 3 and "could not be kept" in tab.status.text()


def test_each_kept_run_has_a_file_of_its_own(qtbot):
    """Two runs kept one after the other: the second was written over the first (a review)."""
    from desktop.app.places import previous_results_path

    first = previous_results_path()
    Path(first).parent.mkdir(parents=True, exist_ok=True)
    Path(first).write_text("path\n")
    assert previous_results_path() != first


def test_closing_the_window_keeps_a_finished_runs_rows_not_exported(win, qtbot, tmp_path, sample, monkeypatch):
    """One Ctrl+Q after a finished run of 5,031 files threw its rows away without a word (a hostile
    pass), though a new run keeps them: closing keeps them too, and the next start says where."""
    from desktop.app import batch_tab

    d = tmp_path / "imgs"
    d.mkdir()
    for i in range(3):
        Image.fromarray(255 - sample["x_test"][i]).save(d / f"d{i}.png")
    kept = tmp_path / "data" / "previous.csv"
    monkeypatch.setattr(batch_tab, "previous_results_path", lambda: str(kept))
    run(qtbot, win.batch, d)
    win.close()
    assert not win.isVisible()
    with open(kept, newline="") as f:
        assert sorted(r["path"].rsplit("/", 1)[1] for r in csv.DictReader(f)) == ["d0.png", "d1.png", "d2.png"]
    again = BatchTab(AppState.from_settings())
    qtbot.addWidget(again)
    assert str(kept) in again.note.text() and "3 results" in again.note.text()
    third = BatchTab(AppState.from_settings())  # said once
    qtbot.addWidget(third)
    assert third.note.text() == ""


def test_closing_with_rows_that_cannot_be_kept_asks_again(win, qtbot, tmp_path, sample, monkeypatch):
    from desktop.app import batch_tab

    d = tmp_path / "imgs"
    d.mkdir()
    Image.fromarray(255 - sample["x_test"][0]).save(d / "d0.png")
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(batch_tab, "previous_results_path", lambda: str(tmp_path / "file" / "no.csv"))
    run(qtbot, win.batch, d)
    win.close()
    assert win.isVisible() and "could not be kept" in win.batch.status.text()
    assert "Close again" in win.batch.note.text()
    win.close()  # the second close quits without them
    assert not win.isVisible()


def test_a_drop_while_a_run_is_cancelling_starts_when_it_stops(tab, qtbot, tmp_path, sample):
    """A folder dropped while a cancelled run was stopping was lost, with the note "cancel it (Esc)
    before dropping more" (a hostile pass). It waits as Enter does, then runs."""
    _, new = cancelled_with_another_folder_ready(qtbot, tab, tmp_path, sample, 1500, 30)
    drop(tab, [new])
    assert "cancel it" not in tab.note.text()
    qtbot.waitUntil(lambda: tab.status.text().startswith("Done"), timeout=60000)
    assert len(tab.model.rows) == 30 and all(str(new) in r.path for r in tab.model.rows)


def test_start_without_a_model_leaves_the_table_and_the_bar_alone(tab, qtbot, tmp_path, sample):
    """With no model loaded, Start emptied the table (its rows to the kept file) and left the bar
    busy for ever, for a run that never started (a hostile pass)."""
    run(qtbot, tab, folder_of_kinds(tmp_path, sample))
    rows = len(tab.model.rows)
    tab.state.classifier = None
    tab.start()
    assert tab.status.text() == "No model loaded: see Settings." and not tab.running
    assert len(tab.model.rows) == rows and tab.progress.maximum() > 0
