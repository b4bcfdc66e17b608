"""The Images tab (issue 13), driven offscreen with pytest-qt: the preview rescales, a region
dragged on it is read alone and can be reset, number mode (a toggle, and as the Batch tab opens a
number), a digit selected by a click on its box, and "Why?" over the image itself."""
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage

from tests.test_gui_layout import orange_pixels, settle


def digit(sample, label: int, k: int = 0) -> np.ndarray:
    """The k-th sample test digit with this label, white ink on black, 28x28."""
    return sample["x_test"][np.flatnonzero(sample["y_test"] == label)[k]]


@pytest.fixture
def page(tmp_path, sample):
    """A scanned page: a 7 at the top, a footer "12" and a rule below it (the issue's "Page 12")."""
    im = np.full((400, 300), 255, np.uint8)
    im[40:180, 80:220] = 255 - np.asarray(Image.fromarray(digit(sample, 7)).resize((140, 140)))
    for i, d in enumerate((1, 2)):
        im[300:356, 150 + 45 * i : 206 + 45 * i] = np.minimum(
            im[300:356, 150 + 45 * i : 206 + 45 * i], 255 - np.asarray(Image.fromarray(digit(sample, d)).resize((56, 56))))
    im[370:376, 20:280] = 0
    path = tmp_path / "page.png"
    Image.fromarray(im).save(path)
    return path


@pytest.fixture
def number(tmp_path, sample):
    """The number 314 as three handwritten digits in a row, dark on light, 4x upscaled."""
    row = np.concatenate([np.pad(digit(sample, d), ((4, 4), (6, 6))) for d in (3, 1, 4)], axis=1)
    path = tmp_path / "314.png"
    Image.fromarray(255 - row).resize((row.shape[1] * 4, row.shape[0] * 4), Image.Resampling.BILINEAR).save(path)
    return path


def drag_region(qtbot, preview, x0, y0, x1, y1):
    """Drag on the preview from image pixel (x0, y0) to (x1, y1)."""
    a, b = preview.to_widget(x0, y0).toPoint(), preview.to_widget(x1, y1).toPoint()
    qtbot.mousePress(preview, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(preview, (a + b) / 2)
    qtbot.mouseMove(preview, b)
    qtbot.mouseRelease(preview, Qt.MouseButton.LeftButton, pos=b)


def test_the_preview_rescales_with_the_window(win, qtbot, page):
    win.tabs.setCurrentWidget(win.images)
    win.images.add_files([str(page)])
    settle(qtbot, win, (800, 600))
    small = win.images.preview.image_rect()
    settle(qtbot, win, (1600, 1000))
    big = win.images.preview.image_rect()
    assert big.height() > 1.5 * small.height()
    assert abs(big.width() / big.height() - 300 / 400) < 0.01  # the image's aspect kept


def test_a_region_is_read_alone_and_reset_to_the_whole_image(win, qtbot, page):
    t = win.images
    win.tabs.setCurrentWidget(t)
    settle(qtbot, win, (1000, 700))
    t.add_files([str(page)])
    whole = t.result.digit.text()
    assert whole != "7" and not t.whole_btn.isEnabled()  # the footer spoils the page's answer
    drag_region(qtbot, t.preview, 60, 20, 240, 200)
    assert t.region() is not None
    x, y, w, h = t.region()
    assert abs(x - 60) <= 3 and abs(y - 20) <= 3 and abs(w - 180) <= 4 and abs(h - 180) <= 4
    assert t.result.digit.text() == "7" and t.whole_btn.isEnabled()
    # The box drawn is the 7's ink, in the whole image's pixels (read at half scale: 2 px slack).
    ink = np.asarray(Image.open(page))[20:200, 60:240] < 128
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    want = (60 + cols[0], 20 + rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1)
    assert np.abs(np.subtract(t.preview.marks[0].box, want)).max() <= 4, (t.preview.marks[0].box, want)
    # A click (no drag) does not change the region; the button reads the whole image again.
    qtbot.mouseClick(t.preview, Qt.MouseButton.LeftButton, pos=t.preview.to_widget(150, 300).toPoint())
    assert t.region() is not None
    qtbot.mouseClick(t.whole_btn, Qt.MouseButton.LeftButton)
    assert t.region() is None and t.result.digit.text() == whole and not t.whole_btn.isEnabled()


def test_number_mode_in_images_and_a_digit_selected(win, qtbot, number):
    t = win.images
    win.tabs.setCurrentWidget(t)
    settle(qtbot, win, (1000, 700))
    t.open(str(number), number=False)
    assert len(t.result.digit.text()) == 1 and not t.number_mode.isChecked()
    t.open(str(number), number=True)  # as the Batch tab opens a row read as a number
    assert t.number_mode.isChecked() and t.result.digit.text() == "314"
    assert [m.label for m in t.preview.marks] == ["3", "1", "4"]
    assert len(t.result.strip.tiles) == 3
    # A click on a digit's box shows its bars.
    x, y, w, h = t.preview.marks[2].box
    qtbot.mouseClick(t.preview, Qt.MouseButton.LeftButton, pos=t.preview.to_widget(x + w / 2, y + h / 2).toPoint())
    assert t.result.strip.current == 2 and t.preview.selected == 2
    assert np.array_equal(t.result.bars.probs, t.last.digits[2].probabilities)
    t.number_mode.setChecked(False)  # the toggle reads the same image as one digit
    assert len(t.result.digit.text()) == 1 and t.result.strip.isHidden()


@pytest.mark.parametrize("mode", ["digit", "number"])
def test_why_is_drawn_over_the_image(win, qtbot, page, number, mode):
    t = win.images
    win.tabs.setCurrentWidget(t)
    settle(qtbot, win, (1000, 700))
    t.open(str(number if mode == "number" else page), number=mode == "number")
    if mode == "digit":
        drag_region(qtbot, t.preview, 60, 20, 240, 200)
    r = t.preview.image_rect().toRect()
    assert orange_pixels(t.preview.grab().toImage(), r) == 0
    t.why.setChecked(True)
    assert all(m.heat is not None for m in t.preview.marks) and t.preview.marks
    assert t.result.legend.isVisibleTo(t.result)
    shot = t.preview.grab().toImage()
    for m in t.preview.marks:
        x, y, w, h = m.box
        box = QRect(t.preview.to_widget(x, y).toPoint(), t.preview.to_widget(x + w, y + h).toPoint())
        assert orange_pixels(shot, box) > 0.03 * box.width() * box.height(), m.label


def test_an_open_image_without_a_digit_says_so_not_open_an_image(win, tmp_path):
    """A blank image open in the tab said "No digit found. Open, drop or paste an image." (a third
    hostile pass): it is open already; what it lacks is a readable digit."""
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("L", (200, 120), 255).save(blank)
    t = win.images
    for number in (False, True):
        t.add_files([str(blank)], number=number)
        text = t.result.verdict.text()
        assert "No digit found in this image" in text and "Open, drop or paste" not in text, text


def test_images_are_taken_off_the_list(win, qtbot, page, number, sample):
    """Pasted images stay in memory: a list that only grew held an afternoon of screenshots. Delete
    (or the list's menu) takes the one shown off and shows the next; "Remove all" empties the tab."""
    tab = win.images
    win.tabs.setCurrentWidget(tab)
    tab.add_files([str(page), str(number)])
    pasted = QImage(255 - np.ascontiguousarray(digit(sample, 4)), 28, 28, 28, QImage.Format.Format_Grayscale8)
    tab.add_image(pasted.copy(), "pasted image 3")
    assert tab.list.count() == 3 and tab.result.digit.text() == "4"
    tab.list.setFocus()
    qtbot.waitUntil(tab.list.hasFocus)
    qtbot.keyClick(tab.list, Qt.Key.Key_Delete)
    assert [tab.list.item(i).text() for i in range(tab.list.count())] == ["page.png", "314.png"]
    assert tab.list.currentItem().text() == "314.png" and tab.number_mode.isChecked() is False
    assert tab.preview.image is not None and tab.result.digit.text() not in ("4", "")
    menu = tab.list_menu()
    assert [a.text() for a in menu.actions()] == ["Remove from the list\tDel", "Remove all"]
    menu.actions()[1].trigger()
    assert tab.list.count() == 0 and tab.gray is None and tab.preview.image is None
    assert tab.result.verdict.text() == tab.result.invitation
    tab.remove_current()  # on an empty list: nothing happens
    assert tab.list.count() == 0
    from PySide6.QtWidgets import QApplication

    for _ in range(3):  # each paste its own name, whatever was removed before (names repeated)
        QApplication.clipboard().setImage(pasted)
        tab.paste()
    tab.list.setCurrentRow(0)
    tab.remove_current()
    QApplication.clipboard().setImage(pasted)
    tab.paste()
    names = [tab.list.item(i).text() for i in range(tab.list.count())]
    assert len(set(names)) == len(names) == 3, names


def test_a_chosen_digit_stays_chosen_when_the_same_number_is_read_again(win, qtbot, number, page):
    """Toggling Why? reads the number again: its tile stayed highlighted while Wrong? said no digit
    was chosen (a hostile pass). The same digits keep the choice; another answer drops it."""
    tab = win.images
    tab.number_mode.setChecked(True)
    tab.add_files([str(number)])
    assert tab.result.digit.text() == "314"
    tab.result.choose_digit(1)
    assert tab.result.strip.chosen == 1 and tab.correction.sample() is not None
    tab.why.setChecked(True)
    assert tab.result.strip.chosen == 1 and tab.result.strip.current == 1
    assert tab.correction.sample() is not None
    tab.add_files([str(page)])  # another image, another answer: nothing chosen in it yet
    assert tab.result.strip.chosen == -1


def test_a_very_large_image_is_read_off_the_windows_thread(win, qtbot, tmp_path, sample):
    """A 9 MP PNG (no JPEG's decoding at a fraction) is read by a thread of its own: the tab says it
    is reading and the window goes on; then the answer comes. One chosen meanwhile wins: the slow
    read, ending later, is dropped (a hostile pass: 0.74-0.92 s of a frozen window per selection of
    a 64 MP PNG)."""
    from desktop.engine.imageio import SLOW_PIXELS

    big = np.full((3000, 3000), 255, np.uint8)
    big[500:2500, 500:2500] = 255 - np.asarray(Image.fromarray(digit(sample, 3)).resize((2000, 2000)))
    path = tmp_path / "big_3.png"
    Image.fromarray(big).save(path)
    assert big.size > SLOW_PIXELS
    t = win.images
    win.tabs.setCurrentWidget(t)
    t.add_files([str(path)])
    assert t.gray is None and "Reading big_3.png" in t.message.text()  # not read on this thread
    qtbot.waitUntil(lambda: t.gray is not None, timeout=20_000)
    assert t.last.digit == 3 and t.message.text() == ""
    # Chosen again, then another image chosen before it is read: the other one stays on show.
    small = tmp_path / "small_7.png"
    Image.fromarray(255 - digit(sample, 7)).resize((200, 200)).save(small)
    t.add_files([str(small)])
    assert t.last.digit == 7  # a small image: read at once
    with qtbot.waitSignal(t.slow_reads.done, timeout=20_000):  # the slow read ends meanwhile, and is dropped
        t.list.setCurrentRow(0)
        assert t.gray is None
        t.list.setCurrentRow(1)
        assert t.gray is not None and t.last.digit == 7
    assert t.list.currentRow() == 1 and t.last.digit == 7 and t.gray.shape == (200, 200)


def test_a_file_opened_again_or_by_another_name_is_listed_once(win, qtbot, tmp_path, sample):
    """One file opened three times, then as bad/../bad/a.png and through a link, made five entries
    (a hostile pass): its entry is shown instead, and a new file still comes after it."""
    import os

    d = tmp_path / "bad"
    d.mkdir()
    Image.fromarray(255 - sample["x_test"][0]).save(d / "a.png")
    Image.fromarray(255 - sample["x_test"][1]).save(d / "b.png")
    os.symlink(d / "a.png", tmp_path / "link.png")
    t = win.images
    before = t.list.count()
    t.add_files([str(d / "a.png")])
    t.add_files([str(d / "b.png")])
    for again in (d / "a.png", d / "a.png", tmp_path / "bad" / ".." / "bad" / "a.png", tmp_path / "link.png"):
        t.add_files([str(again)])
        assert t.list.count() == before + 2 and t.list.currentRow() == before  # a.png's entry shown
    t.add_files([str(d / "b.png"), str(d / "a.png")])
    assert t.list.count() == before + 2 and t.list.currentRow() == before
