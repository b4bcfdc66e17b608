"""What a prediction looks like on screen: the digit, how sure, the bars and the model's view."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.app.widgets import ArrayView, ProbabilityBars
from desktop.engine.recognize import NOT_A_DIGIT, UNSURE, NumberPrediction, Prediction, format_confidence

NOT_A_DIGIT_MESSAGE = "That doesn't look like a digit"


class ResultPanel(QWidget):
    def __init__(self, invitation: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.invitation = invitation
        self.digit = QLabel()
        f = QFont(self.font())
        f.setPointSize(48)
        f.setBold(True)
        self.digit.setFont(f)
        self.digit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.digit.setMinimumWidth(160)
        self.digit.setAccessibleName("Predicted digit")
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)  # "< 1%" is text, not a tag
        self.guess = QLabel()  # the best guess in small print, under "not a digit"
        self.guess.setTextFormat(Qt.TextFormat.PlainText)
        self.guess.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.guess.setStyleSheet("color: gray; font-size: small")
        self.bars = ProbabilityBars()
        self.model_view = ArrayView(112)
        self.model_view.setToolTip("The 28x28 image the model sees, after preprocessing")
        self.timing = QLabel()
        self.timing.setStyleSheet("color: gray")
        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.digit)
        left.addWidget(self.verdict)
        left.addWidget(self.guess)
        left.addStretch()
        top.addLayout(left)
        view = QVBoxLayout()
        caption = QLabel("What the model sees")
        caption.setStyleSheet("color: gray")
        view.addWidget(caption)
        view.addWidget(self.model_view)
        view.addWidget(self.timing)
        view.addStretch()
        top.addLayout(view)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.bars, 1)
        self.show_empty()

    def show_empty(self, message: str | None = None) -> None:
        self.digit.setText("–")
        self.verdict.setText(message or self.invitation)
        self.guess.setText("")
        self.bars.set_probabilities(None)
        self.model_view.set_array(None)
        self.timing.setText("")

    def show_prediction(self, p: Prediction, heat=None) -> None:
        if p.digit is None:
            self.show_empty("No digit found. " + self.invitation)
            return
        status = p.status
        self.guess.setText("")
        if status == NOT_A_DIGIT:
            # The best guess stays visible, in small print: the user may disagree with the rule.
            self.digit.setText("?")
            self.verdict.setText(NOT_A_DIGIT_MESSAGE)
            self.guess.setText(f"Best guess: {p.digit} ({format_confidence(p.confidence, 0)})")
        elif status == UNSURE:
            self.digit.setText(str(p.digit))
            b, pb = p.rival  # the runner-up, or what slightly moved copies of the drawing say instead
            self.verdict.setText(f"Unsure: {p.digit} ({format_confidence(p.confidence, 0)}) or {b} "
                                 f"({format_confidence(pb, 0)})?")
        else:
            self.digit.setText(str(p.digit))
            self.verdict.setText(f"{format_confidence(p.confidence)} sure")
        self.bars.set_probabilities(p.probabilities)
        self.model_view.set_array(p.input28, heat)
        self.timing.setText(f"{1000 * p.seconds:.2f} ms")

    def show_number(self, n: NumberPrediction) -> None:
        if not n.digits:
            self.show_empty("No digits found. " + self.invitation)
            return
        self.digit.setText(n.text)
        self.guess.setText("")
        per = ", ".join(f"{d.digit}: {format_confidence(d.confidence, 0)}" for d in n.digits)
        flag = {NOT_A_DIGIT: "A character (?) is not a digit. ", UNSURE: "Unsure. "}.get(n.status, "")
        self.verdict.setText(flag + f"{format_confidence(n.confidence)} sure overall ({per})")
        last = n.digits[-1]
        self.bars.set_probabilities(last.probabilities)
        self.model_view.set_array(last.input28)
        self.timing.setText(f"{1000 * n.seconds:.2f} ms, {len(n.digits)} digits")
