"""The Qt binding must not leak references to None: on CPython 3.11 that aborts the app after
minutes of drawing (PySide6-Essentials 6.12.0 did, about one reference per call)."""
import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QLabel

from desktop.app.qt_binding import none_refcount_drift


def test_painting_calls_keep_none_alive():
    # A leaking binding drops about one reference per call (5,000 here); a few are noise.
    assert abs(none_refcount_drift()) <= 20


def test_widget_calls_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    pen = QPen(QColor("black"))

    def calls():
        label.setText("7")
        label.setStyleSheet("")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pen.setColor(QColor("red"))

    for _ in range(200):  # warm-up: Qt's caches take references once
        calls()
    before = sys.getrefcount(None)
    for _ in range(1000):
        calls()
    assert abs(sys.getrefcount(None) - before) <= 20  # 4,000 calls: a leak would show thousands


def test_build_check_passes_on_the_installed_binding():
    """What scripts/package.sh runs before it packages the binary."""
    r = subprocess.run([sys.executable, "-m", "desktop.app.qt_binding"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "refcount of None drifted by" in r.stdout
