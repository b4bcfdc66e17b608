"""How long the drawing pad holds the window painting its strokes again (offscreen Qt).

    python -m benchmarks.pad_paint [--scribbles 6] [--samples 600] [--repeats 5]

Every stroke's end, undo, redo and resize paints all the pad's strokes again. Frantic scribbles
(samples jumping across the pad, as a fast hand gives) were slow to paint as one path each: six
held every stroke for 1.6 s (a hostile pass). Prints, for paths of canvas.PATH_SEGMENTS segments
and for one path a stroke, the median time of painting everything again, of a press, and of
painting a few ordinary digits, in one run.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scribbles", type=int, default=6)
    ap.add_argument("--samples", type=int, default=600)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication

    from benchmarks.synthetic import Style, digit_strokes
    from desktop.app import canvas

    app = QApplication.instance() or QApplication([])
    pad = canvas.DrawingCanvas()
    pad.resize(980, 640)
    pad.show()
    app.processEvents()
    rng = np.random.default_rng(0)
    scribbles = [canvas.Stroke([QPointF(*rng.uniform(0, canvas.PAGE_SIDE, 2)) for _ in range(args.samples)], 18.0)
                 for _ in range(args.scribbles)]
    digits = []
    for d in range(10):
        strokes, _ = digit_strokes(d, rng, Style(), box=(140, 140, 120, 190))
        digits += [canvas.Stroke([QPointF(float(x), float(y)) for x, y in s], 18.0) for s in strokes]
    segments = canvas.PATH_SEGMENTS
    print(f"| strokes painted as | {args.scribbles} scribbles: all again (ms) | a press on them: its dot (ms; all again before) | "
          f"{len(digits)} digit strokes: all again (ms) |")
    print("|---|---|---|---|")
    for name, n in ((f"paths of {segments} segments (canvas.PATH_SEGMENTS)", segments), ("one path a stroke", 10**9)):
        canvas.PATH_SEGMENTS = n
        pad._strokes[:] = scribbles
        all_again = _median_ms(pad._render, args.repeats)

        dot = canvas.Stroke([QPointF(140, 140)], 18.0)
        pressed = _median_ms(lambda: pad._paint_over(dot), args.repeats)
        pad._strokes[:] = digits
        ordinary = _median_ms(pad._render, args.repeats)
        print(f"| {name} | {all_again:.0f} | {pressed:.1f} | {ordinary:.1f} |")
    canvas.PATH_SEGMENTS = segments


if __name__ == "__main__":
    main()
