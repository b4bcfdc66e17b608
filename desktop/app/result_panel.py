"""What a prediction looks like on screen: the digit, how sure, the bars and the model's view.

The answer grows with the panel. A live guess while a stroke is drawn is shown provisional
(smaller, grey, italic, no percentages) and only the finished stroke's answer in full. For a
number, each digit has its own model view in a strip; the selected one's bars are shown.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QAbstractScrollArea, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from desktop.app.overlay import HeatLegend
from desktop.app.widgets import ArrayView, ProbabilityBars
from desktop.engine.recognize import NOT_A_DIGIT, UNSURE, NumberPrediction, Prediction, format_confidence

NOT_A_DIGIT_MESSAGE = "That doesn't look like a digit"
NO_GUESS = "No digit stands out"  # in place of a best guess when the top classes tie (Prediction.best_guess)
PROVISIONAL_MESSAGE = "Still drawing: a guess until the stroke ends"
PROVISIONAL_STYLE = "color: #8a8a8a; font-style: italic"
EMPTY = "–"  # the answer when there is none
MODEL_VIEW_MIN, MODEL_VIEW_MAX = 84, 280
TILE, TILE_MIN = 56, 20  # a number's digit in the strip, largest and smallest


def describe(p: Prediction) -> str:
    """One digit's answer in words, as the verdict line says it."""
    if p.status == NOT_A_DIGIT:
        if p.best_guess is None:
            return f"{NOT_A_DIGIT_MESSAGE} ({NO_GUESS.lower()})"
        return f"{NOT_A_DIGIT_MESSAGE} (best guess {p.best_guess}, {format_confidence(p.confidence, 0)})"
    if p.status == UNSURE:
        b, pb = p.rival  # the runner-up, or what slightly moved copies of the drawing say instead
        return f"Unsure: {p.digit} ({format_confidence(p.confidence, 0)}) or {b} ({format_confidence(pb, 0)})?"
    return f"{format_confidence(p.confidence)} sure"


class DigitStrip(QWidget):
    """The digits of a number, each as the model sees it; click one to see its bars."""

    selected = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tiles: list[ArrayView] = []
        self.labels: list[QLabel] = []
        self.cells: list[QWidget] = []
        self.current = -1
        # The digit the user picked (a tile or a box clicked), -1 before: the one shown first is not a
        # choice, and a correction of a number needs one (it labelled digit 1 when none was picked).
        self.chosen = -1
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addStretch()
        self.setAccessibleName("Digits of the number")

    def set_digits(self, digits: list[Prediction], heats: list | None = None) -> None:
        before = [label.text() for label in self.labels]
        texts = ["?" if d.not_a_digit else str(d.digit) for d in digits]
        while len(self.tiles) > len(digits):
            # One widget per digit, its tile and label inside: it leaves the row whole (a bare
            # layout per digit stayed behind in the row, empty, after its tile was deleted).
            self.tiles.pop()
            self.labels.pop()
            cell = self.cells.pop()
            self.row.removeWidget(cell)
            cell.hide()
            cell.deleteLater()
        while len(self.tiles) < len(digits):
            k = len(self.tiles)
            cell = QWidget(self)
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            tile = ArrayView(TILE)
            tile.setCursor(Qt.CursorShape.PointingHandCursor)
            tile.clicked.connect(lambda k=k: self.choose(k))
            label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
            box.addWidget(tile)
            box.addWidget(label)
            self.row.insertWidget(k, cell)
            self.cells.append(cell)
            self.tiles.append(tile)
            self.labels.append(label)
        for k, d in enumerate(digits):
            self.tiles[k].set_array(d.input28, heats[k] if heats and k < len(heats) else None)
            self.tiles[k].setToolTip(f"Digit {k + 1} of {len(digits)}: click to see its bars")
            self.labels[k].setText(texts[k])
        self.setVisible(bool(digits))
        self._fit()
        if texts != before:
            # Another answer: the digit picked in the last one is no choice in this one. The same
            # digits read again (Why? or a mode toggled) keep it: the tile stayed highlighted while
            # Wrong? said no digit was chosen (a hostile pass).
            self.chosen = -1
        if not 0 <= self.current < len(digits):
            self.current = -1

    def minimumSizeHint(self) -> QSize:
        return QSize(TILE_MIN * 3, TILE_MIN + self.fontMetrics().height() + 6)

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self._fit()

    def _fit(self) -> None:
        """Tiles share the strip's width: a long number gets smaller tiles, never a wider panel."""
        n = max(1, len(self.tiles))
        side = int(max(TILE_MIN, min(TILE, (self.width() - self.row.spacing() * n) / n)))
        for t in self.tiles:
            t.set_side(side)

    def choose(self, k: int) -> None:
        """The user picked digit ``k`` (its tile, or its box on the image)."""
        self.select(k)
        self.chosen = k

    def select(self, k: int) -> None:
        self.current = k
        for i, t in enumerate(self.tiles):
            t.set_selected(i == k)
        self.selected.emit(k)


class ResultPanel(QWidget):
    selectedChanged = Signal(int)  # the digit of a number whose bars are shown

    def __init__(self, invitation: str, parent: QWidget | None = None, nothing_found: str | None = None):
        super().__init__(parent)
        self.invitation = invitation
        # Said when what was read holds no digit: after the invitation by default ("Draw a digit on
        # the pad."); the Images tab's own, since "Open, drop or paste an image" under an open one misleads.
        self.nothing_found = nothing_found
        self.provisional = False
        self.number: NumberPrediction | None = None
        self.heats: list | None = None
        self.digit = QLabel()
        self.digit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.digit.setMinimumWidth(80)
        self.digit.setAccessibleName("Predicted digit")
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)  # "< 1%" is text, not a tag
        self.verdict.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.guess = QLabel()  # the best guess in small print, under "not a digit"
        self.guess.setTextFormat(Qt.TextFormat.PlainText)
        self.guess.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.guess.setStyleSheet("color: gray; font-size: small")
        self.bars = ProbabilityBars()
        self.model_view = ArrayView(112)
        self.model_view.setToolTip("The 28x28 image the model sees, after preprocessing")
        self.caption = QLabel("What the model sees")
        self.caption.setStyleSheet("color: gray")
        self.timing = QLabel()
        self.timing.setStyleSheet("color: gray")
        self.strip = DigitStrip()
        self.strip.selected.connect(self.select_digit)
        self.strip.hide()
        self.detail = QLabel()  # the selected digit of a number, in words
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.legend = HeatLegend()
        self.legend.hide()
        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.digit, 1)
        left.addWidget(self.verdict)
        left.addWidget(self.guess)
        top.addLayout(left, 1)
        view = QVBoxLayout()
        view.addWidget(self.caption)
        view.addWidget(self.model_view)
        view.addWidget(self.timing)
        view.addStretch()
        top.addLayout(view)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.strip)
        lay.addWidget(self.detail)
        lay.addWidget(self.legend)  # above the bars: seen without scrolling in a small window
        lay.addWidget(self.bars, 1)
        self.show_empty()

    # --- sizes -----------------------------------------------------------------------------
    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        space = self._space()
        side = int(min(space.width() * 0.38, space.height() * 0.3))
        self.model_view.set_side(max(MODEL_VIEW_MIN, min(MODEL_VIEW_MAX, side)))
        self._fit_digit()

    def _space(self) -> QSize:
        """The room the panel is shown in: its scroll area's viewport when it has one, else its own size.
        In a scroll area its own height follows what it holds: fonts sized by it made it taller, and
        taller fonts again (with draw_tab.SteadyScrollArea's recursion, a crash after a long session)."""
        parent = self.parentWidget()
        if parent is not None and isinstance(parent.parentWidget(), QAbstractScrollArea):
            return parent.size()
        return self.size()

    def _fit_digit(self) -> None:
        """The answer as large as the panel allows (and smaller while provisional)."""
        space = self._space()
        room = max(60, space.width() - self.model_view.width() - 40)
        n = max(1, len(self.digit.text()))
        px = min(space.height() / 5, room / (0.65 * n + 0.3), 160)
        if self.provisional or self.digit.text() == EMPTY:
            px *= 0.6
        f = QFont(self.font())
        f.setPixelSize(int(max(20, px)))
        f.setBold(not self.provisional and self.digit.text() != EMPTY)
        f.setItalic(self.provisional)
        self.digit.setFont(f)
        # The verdict grows with the answer too, up to 1.6 times the normal size.
        v = QFont(self.font())
        base = self.font().pointSizeF()
        v.setPointSizeF(max(base, min(1.6 * base, base * space.height() / 450)))
        self.verdict.setFont(v)

    def _set_provisional(self, on: bool) -> None:
        self.provisional = on
        style = PROVISIONAL_STYLE if on else ""
        self.digit.setStyleSheet(style)
        self.verdict.setStyleSheet(style)
        self._fit_digit()

    # --- answers ---------------------------------------------------------------------------
    def show_empty(self, message: str | None = None) -> None:
        self.digit.setText(EMPTY)
        self._set_provisional(False)
        self.digit.setStyleSheet("color: gray")  # nothing to answer: no big black mark
        self.number, self.heats = None, None
        self.verdict.setText(message or self.invitation)
        self.guess.setText("")
        self.detail.setText("")
        self.strip.set_digits([])
        self.bars.set_probabilities(None)
        self.model_view.set_array(None)
        self.caption.setText("What the model sees")
        self.timing.setText("")
        self.legend.hide()
        self._fit_digit()

    def show_provisional(self, p: Prediction | NumberPrediction) -> None:
        """A guess while the stroke is drawn: grey, smaller, no percentages, no verdict."""
        if isinstance(p, NumberPrediction):
            if not p.digits:
                self.show_empty("No digits yet. " + self.invitation)
                return
            self.number, self.heats = p, None
            self.strip.set_digits(p.digits)
            self.digit.setText(p.text)
            shown = p.digits[self.strip.current if self.strip.current >= 0 else -1]
        else:
            if p.digit is None:
                self.show_empty("No digit yet. " + self.invitation)
                return
            self.number = None
            self.strip.set_digits([])
            self.digit.setText(str(p.digit))
            shown = p
        self._set_provisional(True)
        self.verdict.setText(PROVISIONAL_MESSAGE)
        self.guess.setText("")
        self.detail.setText("")
        self.bars.set_probabilities(shown.probabilities, provisional=True)
        self.model_view.set_array(shown.input28)
        self.timing.setText("")
        self.legend.hide()

    def show_prediction(self, p: Prediction, heat=None) -> None:
        if p.digit is None:
            self.show_empty(self.nothing_found or "No digit found. " + self.invitation)
            return
        self._set_provisional(False)
        self.number, self.heats = None, None
        self.strip.set_digits([])
        self.detail.setText("")
        self.guess.setText("")
        if p.status == NOT_A_DIGIT:
            # The best guess stays visible, in small print: the user may disagree with the rule.
            self.digit.setText("?")
            self.verdict.setText(NOT_A_DIGIT_MESSAGE)
            self.guess.setText(NO_GUESS if p.best_guess is None
                               else f"Best guess: {p.best_guess} ({format_confidence(p.confidence, 0)})")
        else:
            self.digit.setText(str(p.digit))
            self.verdict.setText(describe(p))
        self._fit_digit()
        self.bars.set_probabilities(p.probabilities)
        self.model_view.set_array(p.input28, heat)
        self.caption.setText("What the model sees")
        self.legend.setVisible(heat is not None)
        self.timing.setText(f"{1000 * p.seconds:.2f} ms")

    def show_number(self, n: NumberPrediction, heats: list | None = None) -> None:
        if not n.digits:
            self.show_empty(self.nothing_found or "No digits found. " + self.invitation)
            return
        self._set_provisional(False)
        self.number, self.heats = n, heats
        self.digit.setText(n.text)
        self._fit_digit()
        self.guess.setText("")
        flag = {NOT_A_DIGIT: "A character (?) is not a digit. ", UNSURE: "Unsure. "}.get(n.status, "")
        self.verdict.setText(flag + f"{format_confidence(n.confidence)} sure overall")
        self.strip.set_digits(n.digits, heats)
        self.legend.setVisible(bool(heats))
        self.timing.setText(f"{1000 * n.seconds:.2f} ms, {len(n.digits)} digits")
        self.strip.select(self.strip.current if self.strip.current >= 0 else 0)

    def choose_digit(self, k: int) -> None:
        """The user clicked digit ``k``'s box on the drawing or the image."""
        if self.number is not None and 0 <= k < len(self.number.digits):
            self.strip.choose(k)

    def select_digit(self, k: int) -> None:
        """Show digit ``k`` of the number: its bars, its model view and its answer in words."""
        n = self.number
        if n is None or not 0 <= k < len(n.digits):
            return
        if self.strip.current != k:
            self.strip.select(k)  # comes back here through the strip's signal
            return
        d = n.digits[k]
        heat = self.heats[k] if self.heats and k < len(self.heats) else None
        self.bars.set_probabilities(d.probabilities, provisional=self.provisional)
        self.model_view.set_array(d.input28, heat)
        self.caption.setText(f"Digit {k + 1} of {len(n.digits)}")
        if not self.provisional:
            self.detail.setText(f"Digit {k + 1} of {len(n.digits)}: "
                                f"{'?' if d.not_a_digit else d.digit}, {describe(d)}")
        self.selectedChanged.emit(k)

