"""Is this Qt binding safe on this Python? PySide6-Essentials 6.12.0 drops a reference to ``None``
on every Qt call that returns nothing; on CPython < 3.12 (``None`` not immortal) the count reaches
zero after minutes of drawing and the process aborts with ``none_dealloc``.

``python -m desktop.app.qt_binding`` exits 1 when the installed binding leaks: the build script runs
it before packaging, and the tests call :func:`none_refcount_drift`.
"""
from __future__ import annotations

import os
import sys


def none_refcount_drift(rounds: int = 1000, warmup: int = 100, limit: int = 200) -> int:
    """Change of ``sys.getrefcount(None)`` over ``rounds`` rounds of five Qt calls that return
    nothing. Stops early once the drift passes ``limit``: a leaking binding would otherwise free
    ``None`` and abort this very process."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QImage, QPainter, QPen

    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    pen = QPen(QColor("black"))

    def round_() -> None:
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        painter.setPen(pen)
        painter.drawLine(0, 0, 7, 7)
        painter.end()
        pen.setWidth(2)

    for _ in range(warmup):  # first calls create caches that hold references for good
        round_()
    before = sys.getrefcount(None)
    for i in range(rounds):
        round_()
        if i % 50 == 49 and abs(sys.getrefcount(None) - before) > limit:
            break
    return sys.getrefcount(None) - before


def main() -> int:
    import PySide6

    drift = none_refcount_drift()
    immortal = sys.version_info >= (3, 12)
    print(f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]}: "
          f"refcount of None drifted by {drift} over up to 5000 Qt calls")
    if abs(drift) > 50 and not immortal:
        print("This binding leaks references to None and will crash the app on this Python: "
              "install another PySide6-Essentials (see pyproject.toml).", file=sys.stderr)
        sys.stderr.flush()
        os._exit(1)  # a normal exit would free the leaked None while finalising and abort
    return 0


if __name__ == "__main__":
    sys.exit(main())
