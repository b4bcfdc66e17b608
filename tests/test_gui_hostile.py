"""Hostile use of the real widgets (pytest-qt offscreen): what a careless or curious user does that
the happy-path tests do not (ink over the pad's edge, odd files, odd export names, full disks)."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from desktop.app.main_window import MainWindow
from desktop.app.state import AppState


@pytest.fixture
def win(qtbot):
    w = MainWindow(AppState.from_settings())
    qtbot.addWidget(w)
    w.resize(1000, 700)
    w.show()
    return w


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
    assert not ink[:, 285:].any()  # nothing beyond where the page ended when it was drawn
    assert "?" not in d.result.digit.text() and len(d.result.digit.text()) == 1
