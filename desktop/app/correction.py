"""Corrections in the window: "Wrong? ▾" gives the right digit; the image and label are kept.

The Draw and Images result panels hold a CorrectionButton; the Batch tab's context menu uses
``digit_menu`` and ``keep``. Writing and reading the folder is the engine's (engine/corrections.py).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtCore import Signal, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QWidget

from desktop.app.places import corrections_folder
from desktop.engine.corrections import (LABELS, Correction, CorrectionsError, read_corrections, relabel_correction,
                                        save_correction)
from desktop.engine.recognize import NOT_A_DIGIT_MARK, Prediction

log = logging.getLogger("digits.corrections")
FEEDBACK_MS = 6000  # the "kept" note stays this long, then the button is alone again
NOTHING_TO_CORRECT = "Nothing to correct: no digit is shown (in a number, click the digit first)."


@dataclass
class Sample:
    """What a correction keeps: the user's image (float gray, white paper), the model's input if
    known (else the engine computes it) and what the app answered."""
    image: np.ndarray
    input28: np.ndarray | None
    predicted: str


def predicted_text(p: Prediction | None) -> str:
    """The answer as labels.csv records it: the digit, ? for not a digit, empty for no digit."""
    if p is None or p.digit is None:
        return ""
    return NOT_A_DIGIT_MARK if p.not_a_digit else str(p.digit)


def sample_of(answer, gray: np.ndarray | None, selected: int | None = None) -> Sample | None:
    """What a correction of the answer on screen keeps, or None when there is nothing to correct.

    One digit: the user's image as read and its model input. A number: the selected digit (or the
    only one); its model input stands for the image too, since one label fits one digit, not the
    whole drawing.
    """
    if answer is None or gray is None:
        return None
    digits = getattr(answer, "digits", None)
    if digits is not None:
        if selected is not None and 0 <= selected < len(digits):
            d = digits[selected]
        elif len(digits) == 1:
            d = digits[0]
        else:
            return None
        return None if d.input28 is None else Sample(1.0 - d.input28, d.input28, predicted_text(d))
    if answer.digit is None or answer.input28 is None:
        return None
    return Sample(gray, answer.input28, predicted_text(answer))


def crop(gray: np.ndarray | None, box) -> np.ndarray | None:
    """The part of the image that was read: ``box`` (x, y, w, h in image pixels) or the whole."""
    if gray is None or box is None:
        return gray
    x, y, w, h = (int(v) for v in box)
    return gray[y : y + h, x : x + w]


# The last correction kept from each source ("draw", "images", "batch:<path>"), with its folder and
# sample: choosing again for the same answer relabels it (five choices on one drawing kept five
# identical images with five labels, all trained on; a hostile pass).
_kept: dict[str, tuple[str, Sample, Correction]] = {}


def keep(sample: Sample, label: int, source: str) -> tuple[Correction | None, str]:
    """Save one correction in the user's folder, or relabel the one just kept from ``source`` when
    the same answer is chosen again; (the row or None, a sentence for the window)."""
    folder = corrections_folder()
    labels = Path(folder).expanduser() / LABELS
    if os.path.isfile(labels):  # the folder's labels.csv must be ours: never append to another tool's file
        try:
            read_corrections(folder)
        except CorrectionsError as e:
            log.warning("correction not kept: %s", e)
            return None, f"{e} Nothing was written; choose another folder in Settings."
    earlier = _kept.get(source)
    again = (earlier is not None and earlier[0] == folder and earlier[1].predicted == sample.predicted
             and np.array_equal(earlier[1].image, sample.image))
    try:
        if again:  # the same answer on screen, chosen again: the first choice was a slip, not a second image
            row = relabel_correction(folder, earlier[2], label)
        else:
            row = save_correction(folder, label, sample.image, sample.input28, sample.predicted, source)
    except CorrectionsError as e:
        log.warning("correction not kept: %s", e)
        return None, str(e)
    _kept[source] = (folder, sample, row)
    if again:
        log.info("correction %s %s -> %d (was %d) in %s", source, sample.predicted, label, earlier[2].label, folder)
        return row, (f"Changed to {label} (it was kept as {earlier[2].label})." if label != earlier[2].label
                     else f"Already kept as {label}.")
    log.info("correction %s %s -> %d in %s", source, sample.predicted, label, folder)  # as soon as it is kept
    try:
        n = len(read_corrections(folder).rows)
    except CorrectionsError:
        n = 0
    return row, f"Kept as {label} ({n} in your corrections folder)."


def digit_menu(parent: QWidget, on_digit: Callable[[int], None], title: str = "It is a…") -> QMenu:
    """A menu of the ten digits; choosing one calls ``on_digit`` with it. Each digit is its own
    mnemonic: with the menu open, typing 7 chooses 7."""
    m = QMenu(title, parent)
    for d in range(10):
        a = m.addAction(f"&{d}")
        a.setObjectName(f"correct-{d}")
        a.triggered.connect(lambda _=False, d=d: on_digit(d))
    return m


class CorrectionButton(QWidget):
    """ "Wrong? ▾" and, after a choice, what happened (kept where, or why not)."""

    kept = Signal(object)  # the Correction written

    def __init__(self, source: str, sample: Callable[[], Sample | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.source, self.sample = source, sample
        self.button = QToolButton()
        self.button.setText("&Wrong? ▾")  # Alt+W opens it, then a digit key chooses
        self.button.setToolTip("Give the right digit: the image and the digit are kept in your corrections "
                               "folder (Settings), to score the model on and to train the next one.")
        self.button.setAccessibleName("Correct the answer")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")  # the text has ▾
        self.menu = digit_menu(self, self.choose, "The right digit is")
        self.menu.aboutToShow.connect(self._refresh)
        self.button.setMenu(self.menu)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: gray")
        self._clear = QTimer(self, singleShot=True, interval=FEEDBACK_MS)
        self._clear.timeout.connect(lambda: self.note.setText(""))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.button)
        lay.addWidget(self.note, 1)

    def _refresh(self) -> None:
        # Nothing on screen to correct (empty pad, unreadable file, no digit of a number chosen): the
        # digits cannot be chosen, and the note says why (ten greyed digits alone gave no reason).
        ready = self.sample() is not None
        for a in self.menu.actions():
            a.setEnabled(ready)
        if not ready:
            self._say(NOTHING_TO_CORRECT, error=True)

    def answer_changed(self) -> None:
        """Another answer (or digit of a number) is on screen: a note that there was nothing to correct
        no longer holds (it stayed red beside "5, > 99.9% sure": an hour's soak)."""
        if self.note.text() == NOTHING_TO_CORRECT and self.sample() is not None:
            self.note.setText("")

    def choose(self, label: int) -> bool:
        """Keep the current image as ``label``; False (and a sentence saying why) if it could not be."""
        s = self.sample()
        if s is None:
            self._say(NOTHING_TO_CORRECT, error=True)
            return False
        row, message = keep(s, label, self.source)
        self._say(message, error=row is None)
        self.note.setToolTip(corrections_folder())  # the path is long: beside the short note, on hover
        if row is not None:
            self.kept.emit(row)
        return row is not None

    def _say(self, text: str, error: bool = False) -> None:
        self.note.setStyleSheet("color: #c62828" if error else "color: gray")
        self.note.setText(text)
        if error:
            self._clear.stop()  # a problem stays until the next choice
        else:
            self._clear.start()
