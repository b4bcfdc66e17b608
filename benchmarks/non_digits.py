"""How often answers are flagged: non-digit images (should be) and digits (should not be).

    python -m benchmarks.non_digits [--model PATH] [--sample 600] [--per-digit 20] [--per-kind 56]

Every image goes through ``recognize_many()``, the app's own path, and gets its status
(``Prediction.status``). Sets: the held-out non-digit set of ``benchmarks/non_digit_set.py`` per
kind; letters and digits in the handwriting faces of ``benchmarks/handwriting_faces.py``, which
training never sees; the MNIST test set; the held-out part of each other-writers set (``training/other_writers.py``
``split()``, a few renderings each); the synthetic drawings, scans and photos. Prints one table
(share flagged = not a digit or unsure; for non-digits, "no digit" counts as caught too), the
accuracy of the digits that are accepted, the drawing -> answer median, and calibration (ECE and
a reliability table) on MNIST test and the other-writers held-out digits.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks import accuracy, handwriting_faces
from benchmarks.non_digit_set import LETTERS, non_digit_set
from desktop.engine.model_files import load_model
from desktop.engine.recognize import DEFAULT_RULE, DIGIT, NO_DIGIT, NOT_A_DIGIT, UNSURE, recognize, recognize_many

BINS = 10  # reliability bins of the top probability
RENDERINGS = ("margin", "4x smooth", "medium pen", "thin pen")  # other-writers renderings in the table


def run_set(clf, grays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per image: its status, its answer (-1 for no digit) and its top probability (0 for no digit)."""
    statuses, answers, tops = [], np.full(len(grays), -1), np.zeros(len(grays))
    predictions = [p for s in range(0, len(grays), 64) for p in recognize_many(clf, grays[s : s + 64])]
    for i, p in enumerate(predictions):
        statuses.append(p.status)
        if p.digit is not None:
            answers[i], tops[i] = p.digit, p.confidence
    return np.array(statuses), answers, tops


def reliability(tops: np.ndarray, right: np.ndarray) -> tuple[float, list[tuple[str, int, float, float]]]:
    """Expected calibration error and the table behind it: (bin, count, mean confidence, accuracy)."""
    edges = np.linspace(0, 1, BINS + 1)
    rows, ece = [], 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (tops > lo) & (tops <= hi)
        if m.any():
            conf, acc = float(tops[m].mean()), float(right[m].mean())
            ece += m.mean() * abs(conf - acc)
            rows.append((f"{lo:.1f}-{hi:.1f}", int(m.sum()), conf, acc))
    return float(ece), rows


def drawing_median_us(clf, repeats: int = 400) -> float:
    from benchmarks.inference import timeit
    from benchmarks.synthetic import Style, pen_digit

    rng = np.random.default_rng(0)
    drawings = [np.asarray(pen_digit(d % 10, rng, Style()), np.float32) / 255 for d in range(50)]
    return float(np.median(timeit(lambda g: recognize(clf, g), drawings, repeats)))


def digit_sets(sample: int, per_digit: int):
    yield from accuracy.mnist_set()
    digits = handwriting_faces.glyphs("0123456789")
    if digits:
        yield (handwriting_faces.set_name("digits"), [g for _, _, g in digits],
               np.array([int(ch) for _, ch, _ in digits]))
    for name, grays, labels in accuracy.other_writer_sets(sample):
        if name.split(": ", 1)[1] in RENDERINGS:
            yield name, grays, labels
    yield from accuracy.synthetic_sets(per_digit)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model")
    ap.add_argument("--sample", type=int, default=accuracy.SAMPLE, help="held-out digits per other-writers set")
    ap.add_argument("--per-digit", type=int, default=20, help="synthetic images per digit")
    ap.add_argument("--per-kind", type=int, default=56, help="non-digit images per kind")
    args = ap.parse_args(argv)
    clf = load_model(args.model)
    start = time.perf_counter()
    rule = clf.not_digit or DEFAULT_RULE
    print(f"not-a-digit rule: {rule.rule} < {rule.threshold:.2f} (plus the ink-fill shape check)\n")
    print("| set | images | not a digit | unsure | no digit | flagged | accepted-digit accuracy |\n|---|---|---|---|---|---|---|")

    def line(name: str, st: np.ndarray, flagged: float, acc: str = "") -> None:
        share = {k: 100 * float(np.mean(st == k)) for k in (NOT_A_DIGIT, UNSURE, NO_DIGIT)}
        print(f"| {name} | {len(st):,} | {share[NOT_A_DIGIT]:.1f}% | {share[UNSURE]:.1f}% | {share[NO_DIGIT]:.1f}% "
              f"| **{100 * flagged:.1f}%** | {acc} |", flush=True)

    every = []
    for kind, grays in non_digit_set(args.per_kind).items():
        st, _, _ = run_set(clf, grays)
        every.append(st)
        line(f"non-digits: {kind}", st, float(np.mean(st != DIGIT)))  # a "no digit" is caught too
    st = np.concatenate(every)
    line("**non-digits: all**", st, float(np.mean(st != DIGIT)))
    letters = [g for _, _, g in handwriting_faces.glyphs(LETTERS)]
    if letters:
        st, _, _ = run_set(clf, letters)
        line(handwriting_faces.set_name("letters"), st, float(np.mean(st != DIGIT)))
    else:
        print("| letters in handwriting faces | none installed (benchmarks/handwriting_faces.py) | | | | | |")
    calib: dict[str, tuple[list, list]] = {"MNIST test": ([], []), "other writers held-out": ([], [])}
    for name, grays, labels in digit_sets(args.sample, args.per_digit):
        st, answers, tops = run_set(clf, grays)
        right = answers == labels
        accepted = st == DIGIT
        acc = f"{100 * float(right[accepted].mean()):.2f}% (all: {100 * float(right.mean()):.2f}%)"
        line(name, st, float(np.mean((st == NOT_A_DIGIT) | (st == UNSURE))), acc)
        key = "MNIST test" if name.startswith("MNIST") else "other writers held-out" if "held-out" in name else None
        if key:
            calib[key][0].append(tops[answers >= 0])
            calib[key][1].append(right[answers >= 0])
    print(f"\ndrawing -> answer (280x280 pen drawing, recognize() with its jittered copies): median "
          f"{drawing_median_us(clf):.0f} us")
    for key, (tops, right) in calib.items():
        ece, rows = reliability(np.concatenate(tops), np.concatenate(right))
        print(f"\n{key}: ECE {100 * ece:.2f}% (top probability, {BINS} bins)\n\n| confidence | images | mean confidence | accuracy |\n|---|---|---|---|")
        for b, c, conf, acc in rows:
            print(f"| {b} | {c:,} | {100 * conf:.1f}% | {100 * acc:.1f}% |")
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
