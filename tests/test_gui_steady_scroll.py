"""The answer panel's scroll area settles (draw_tab.SteadyScrollArea).

A soak of the real window crashed after about forty minutes of drawing numbers: SIGSEGV, a stack
of 10,250 QScrollArea::eventFilter -> QWidget::resize, the scroll area resizing its widget from
inside its own handling of the widget's resize, the widget's wanted size different each time.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.app.draw_tab import SteadyScrollArea, scrolled

RESTLESS = 400  # the widget changes its mind this many times, then settles (a bounded test)


class Restless(QWidget):
    """A widget whose minimum height grows at every look: no size it is given is the one it wants."""

    def __init__(self):
        super().__init__()
        self.looks = 0
        self.resizes = 0
        QVBoxLayout(self).addWidget(QLabel("A character (?) is not a digit."))

    def minimumSizeHint(self) -> QSize:
        self.looks += 1
        return QSize(120, 300 + min(self.looks, RESTLESS))

    def event(self, e) -> bool:
        if e.type() == QEvent.Type.Resize:
            self.resizes += 1
        return super().event(e)


def test_the_scroll_area_does_not_chase_a_restless_widget(qtbot):
    w = Restless()
    area = scrolled(w)
    assert isinstance(area, SteadyScrollArea)
    qtbot.addWidget(area)
    area.resize(300, 200)
    area.show()
    qtbot.waitExposed(area)
    before = w.resizes
    area.resize(310, 220)  # one resize of the area: a plain QScrollArea resized its widget ~RESTLESS times, nested
    assert w.resizes - before < 10
    assert area.widget() is w and w.height() >= 300  # and it still holds and scrolls the widget
