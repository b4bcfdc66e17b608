"""One drawing to ten probabilities: the app's live path, timed step by step.

    python -m benchmarks.inference [--repeats 2000]

Prints a table (median and 95th percentile, microseconds). The target is a median of at most
1 ms for preprocessing plus model on a 280x280 drawing (the answer with its jittered copies; the
live guess while a stroke is drawn skips them).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.synthetic import Style, number_image, pen_digit
from desktop.engine.model_files import load_shipped
from desktop.engine.preprocess import preprocess
from desktop.engine.recognize import recognize, recognize_number


def timeit(fn, inputs, repeats: int) -> np.ndarray:
    for x in inputs[:20]:
        fn(x)
    out = np.empty(repeats)
    for i in range(repeats):
        x = inputs[i % len(inputs)]
        t = time.perf_counter()
        fn(x)
        out[i] = time.perf_counter() - t
    return out * 1e6


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=2000)
    args = ap.parse_args(argv)
    clf = load_shipped()
    rng = np.random.default_rng(0)
    drawings = [np.asarray(pen_digit(d % 10, rng, Style()), np.float32) / 255 for d in range(50)]
    thin = [np.asarray(pen_digit(d % 10, rng, Style(width=(2, 4))), np.float32) / 255 for d in range(50)]
    inputs = [preprocess(g).input28 for g in drawings]
    zeros = drawings[::10]  # an answer of 0 also looks for a digit in its loop (recognize.CIRCLED_TALL)
    numbers = [np.asarray(number_image([1, 9, 8, 4], rng), np.float32) / 255 for _ in range(10)]
    rows = [
        ("model only (int8, 1 image)", timeit(clf.predict_one, inputs, args.repeats)),
        ("preprocess only (280x280 drawing)", timeit(preprocess, drawings, args.repeats)),
        ("drawing -> probabilities", timeit(lambda g: recognize(clf, g), drawings, args.repeats)),
        ("drawing -> live guess (no jittered copies)", timeit(lambda g: recognize(clf, g, live=True), drawings,
                                                           args.repeats)),
        ("thin-pen drawing -> probabilities", timeit(lambda g: recognize(clf, g), thin, args.repeats)),
        ("drawn 0 -> probabilities (its loop looked into)", timeit(lambda g: recognize(clf, g), zeros, args.repeats)),
        ("4-digit number (680x280) -> digits", timeit(lambda g: recognize_number(clf, g), numbers, args.repeats // 10)),
    ]
    print("| step | median (us) | p95 (us) |\n|---|---|---|")
    for name, t in rows:
        print(f"| {name} | {np.median(t):.0f} | {np.percentile(t, 95):.0f} |")


if __name__ == "__main__":
    main()
