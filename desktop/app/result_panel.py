"""What a prediction looks like on screen: the digit, how sure, the bars and the model's view."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.app.widgets import ArrayView, ProbabilityBars
from desktop.engine.recognize import NumberPrediction, Prediction


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
        self.bars = ProbabilityBars()
        self.model_view = ArrayView(112)
        self.model_view.setToolTip("The 28x28 image the model sees, after preprocessing")
        self.timing = QLabel()
        self.timing.setStyleSheet("color: gray")
        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.digit)
        left.addWidget(self.verdict)
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
        self.bars.set_probabilities(None)
        self.model_view.set_array(None)
        self.timing.setText("")

    def show_prediction(self, p: Prediction, heat=None) -> None:
        if p.digit is None:
            self.show_empty("No digit found. " + self.invitation)
            return
        self.digit.setText(str(p.digit))
        if p.unsure:
            (a, pa), (b, pb) = p.top3[:2]
            self.verdict.setText(f"Unsure: {a} ({100 * pa:.0f}%) or {b} ({100 * pb:.0f}%)?")
        else:
            self.verdict.setText(f"{100 * p.confidence:.1f}% sure")
        self.bars.set_probabilities(p.probabilities)
        self.model_view.set_array(p.input28, heat)
        self.timing.setText(f"{1000 * p.seconds:.2f} ms")

    def show_number(self, n: NumberPrediction) -> None:
        if not n.digits:
            self.show_empty("No digits found. " + self.invitation)
            return
        self.digit.setText(n.text)
        per = ", ".join(f"{d.digit}: {100 * d.confidence:.0f}%" for d in n.digits)
        self.verdict.setText(("Unsure. " if n.unsure else "") + f"{100 * n.confidence:.1f}% sure overall ({per})")
        last = n.digits[-1]
        self.bars.set_probabilities(last.probabilities)
        self.model_view.set_array(last.input28)
        self.timing.setText(f"{1000 * n.seconds:.2f} ms, {len(n.digits)} digits")
