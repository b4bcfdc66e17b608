"""Number mode: exact-match rate on numbers of 2-6 real handwritten digits, by gap, old vs new.

Numbers are composed from MNIST *test* digits (never trained on), as dark ink on white paper like
a user's image, with the gap between neighbours from overlapping (-25% of a digit's width)
through touching (0) to wide (+50%); from the other writers' held-out digits (USPS scans upscaled
4x, UCI pen paths drawn with a thin and a medium pen: training/other_writers.py), each scaled to
one height as a writer's digits are; and drawn numbers from benchmarks.synthetic's pen model.
"Old" is the segmentation before segmentation by recognition (components, overlap merge, cuts
at fixed widths), kept here only to be compared against.

    python -m benchmarks.numbers [--per-gap 300] [--seed 0]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.synthetic import Style, digit_strokes, render
from desktop.engine.classifier import Classifier
from desktop.engine.model_files import load_model, load_shipped
from desktop.engine.preprocess import is_speck, normalise_digit, to_ink
from desktop.engine.recognize import DIGIT, recognize_number
from desktop.engine.components import label
from desktop.engine.segment import Segment
from training import other_writers

MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"
GAPS = (-0.25, -0.1, 0.0, 0.25, 0.5)  # share of the neighbours' mean width; < 0 overlaps
MIN_DIGITS, MAX_DIGITS = 2, 6
MARGIN = 6  # px of paper around a composed number, at MNIST scale
SCALE = 2  # composed numbers are upscaled like a photo or scan of a written number
DRAWN_HEIGHT = 190  # px, a digit drawn on the app's 280 px high pad
WRITER_HEIGHT = 56  # px, the other writers' digits in a number (their sources differ in size)
# The other writers' sets: (name, source set, how one digit is rendered as ink 0..1)
WRITERS = (("usps", "usps", lambda a: other_writers._resize(other_writers.source_ink("usps", a), 4, smooth=True)),
           ("pen-thin", "pendigits", lambda a: other_writers.draw_path(a, other_writers.PEN_WIDTHS["thin pen"])),
           ("pen", "pendigits", lambda a: other_writers.draw_path(a, other_writers.PEN_WIDTHS["medium pen"])))


def row_layout(images: list[np.ndarray], gap: float) -> tuple[list[np.ndarray], list[int], int]:
    """MNIST digits cropped to their ink's columns (0..1), each one's left column in a row where a
    neighbour starts ``gap`` x the pair's mean width after the previous digit ends, and the row's width."""
    parts = []
    for im in images:
        cols = np.flatnonzero(im.max(axis=0) > 0)
        parts.append(im[:, cols[0] : cols[-1] + 1].astype(np.float32) / 255.0)
    return parts, *_placed(parts, gap, MARGIN)


def _placed(parts: list[np.ndarray], gap: float, margin: int) -> tuple[list[int], int]:
    """Each part's left column in a row where a neighbour starts ``gap`` x the pair's mean width
    after the previous part ends, ``margin`` from the row's left end; and the row's width."""
    lefts = [margin]
    for a, b in zip(parts, parts[1:]):
        lefts.append(lefts[-1] + a.shape[1] + round(gap * (a.shape[1] + b.shape[1]) / 2))
    return lefts, max(left + p.shape[1] for left, p in zip(lefts, parts)) + margin


def compose_mnist(images: list[np.ndarray], gap: float) -> np.ndarray:
    """MNIST digits (white on black, 0..255) side by side as a grey image, dark ink on white (0..1).

    Each digit is cropped to its ink's columns; a neighbour starts ``gap`` x the pair's mean width
    after the previous digit ends (overlapping ink combines as a pen would: the darker wins).
    """
    parts, lefts, width = row_layout(images, gap)
    canvas = np.zeros((28 + 2 * MARGIN, width), np.float32)
    for left, p in zip(lefts, parts):
        view = canvas[MARGIN : MARGIN + 28, left : left + p.shape[1]]
        np.maximum(view, p, out=view)
    im = Image.fromarray(1.0 - canvas).resize((width * SCALE, canvas.shape[0] * SCALE), Image.Resampling.BILINEAR)
    return np.array(im, dtype=np.float32)


def compose_ink(inks: list[np.ndarray], gap: float, height: int = WRITER_HEIGHT) -> np.ndarray:
    """Digits' ink (0..1, any size) each cropped to its ink and scaled to ``height``, side by side as
    compose_mnist places them, as dark ink on white (0..1)."""
    parts = []
    for ink in inks:
        rows, cols = np.flatnonzero(ink.max(axis=1) > 0.05), np.flatnonzero(ink.max(axis=0) > 0.05)
        ink = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        width = max(2, round(ink.shape[1] * height / ink.shape[0]))
        parts.append(np.asarray(Image.fromarray(ink).resize((width, height), Image.Resampling.BILINEAR), np.float32))
    margin = round(MARGIN * height / 28)
    lefts, width = _placed(parts, gap, margin)
    canvas = np.zeros((height + 2 * margin, width), np.float32)
    for left, p in zip(lefts, parts):
        view = canvas[margin : margin + height, left : left + p.shape[1]]
        np.maximum(view, p, out=view)
    return 1.0 - canvas


def drawn_number(digits: list[int], rng: np.random.Generator, gap: float) -> np.ndarray:
    """Digits drawn with the synthetic pen in a row, ``gap`` x a digit's width apart, as grey 0..1."""
    widths = [DRAWN_HEIGHT * rng.uniform(0.5, 0.7) for _ in digits]
    centres = [40 + widths[0] / 2]
    for a, b in zip(widths, widths[1:]):
        centres.append(centres[-1] + (a + b) / 2 * (1 + gap))
    size = (int(centres[-1] + widths[-1] / 2 + 40), 280)
    strokes = []
    for d, cx, w in zip(digits, centres, widths):
        s, _ = digit_strokes(d, rng, Style(rotation=5), box=(cx, 140, w, DRAWN_HEIGHT))
        strokes += s
    return np.asarray(render(strokes, float(rng.uniform(10, 18)), size), dtype=np.float32) / 255.0


# --- The old segmentation (HEAD before segmentation by recognition), for comparison only ---
OLD_MIN_PIECE, OLD_OVERLAP, OLD_MAX_ASPECT, OLD_DIGIT_ASPECT = 0.03, 0.5, 1.15, 0.7


def _old_split(ink: np.ndarray) -> list[np.ndarray]:
    labels, n = label(ink > 0.3)
    if n == 0:
        return []
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    pieces = []
    for i in np.flatnonzero(sizes >= OLD_MIN_PIECE * sizes.max()) + 1:
        m = labels == i
        cols = np.flatnonzero(m.any(axis=0))
        pieces.append(Segment(int(cols[0]), int(cols[-1]) + 1, m))
    merged: list[Segment] = []
    for p in sorted(pieces, key=lambda s: s.left):
        if merged:
            q = merged[-1]
            overlap = min(q.right, p.right) - max(q.left, p.left)
            if overlap > OLD_OVERLAP * min(q.right - q.left, p.right - p.left):
                merged[-1] = Segment(min(q.left, p.left), max(q.right, p.right), q.mask | p.mask)
                continue
        merged.append(p)
    out = []
    for seg in merged:
        rows = np.flatnonzero(seg.mask.any(axis=1))
        height, width = rows[-1] - rows[0] + 1, seg.right - seg.left
        if width <= OLD_MAX_ASPECT * height:
            out.append(seg)
            continue
        count = max(2, round(width / (OLD_DIGIT_ASPECT * height)))
        profile = np.where(seg.mask, ink, 0.0)[:, seg.left : seg.right].sum(axis=0)
        cuts = []
        for k in range(1, count):
            centre = k * width // count
            lo, hi = max(1, centre - width // (3 * count)), min(width - 1, centre + width // (3 * count) + 1)
            cuts.append(lo + int(np.argmin(profile[lo:hi])) if hi > lo else centre)
        edges = [0, *cuts, width]
        for a, b in zip(edges, edges[1:]):
            m = np.zeros_like(seg.mask)
            m[:, seg.left + a : seg.left + b] = seg.mask[:, seg.left + a : seg.left + b]
            out.append(Segment(seg.left + a, seg.left + b, m))
    crops = [s.crop(ink) for s in out]
    return [c for c in crops if c is not None]


def old_read(classifier: Classifier, gray: np.ndarray) -> tuple[str, bool]:
    """The old segmentation's text; it had no unsure answer: every reading is given as sure."""
    ink = to_ink(gray)
    if ink.blank:
        return "", True
    crops = [c for c in _old_split(ink.ink) if not is_speck(c)]
    if not crops:
        return "", True
    probs = classifier.predict(np.stack([normalise_digit(c) for c in crops]))
    return "".join(str(int(d)) for d in probs.argmax(axis=1)), True


def new_read(classifier: Classifier, gray: np.ndarray) -> tuple[str, bool]:
    """The number's text, and whether it is given as sure (status digit: no digit unsure or not read)."""
    number = recognize_number(classifier, gray)
    return number.text, number.status == DIGIT


# --- The benchmark ---
def mnist_numbers(x: np.ndarray, y: np.ndarray, n: int, gap: float, seed: int):
    """``n`` (image, text) pairs of 2-6 random MNIST digits at ``gap``, reproducible by seed."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        idx = rng.choice(len(x), int(rng.integers(MIN_DIGITS, MAX_DIGITS + 1)), replace=False)
        yield compose_mnist([x[i] for i in idx], gap), "".join(str(int(y[i])) for i in idx)


def writer_numbers(x: np.ndarray, y: np.ndarray, render, n: int, gap: float, seed: int):
    """``n`` (image, text) pairs of 2-6 random held-out digits of another writers' set at ``gap``."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        idx = rng.choice(len(x), int(rng.integers(MIN_DIGITS, MAX_DIGITS + 1)), replace=False)
        yield compose_ink([render(x[i]) for i in idx], gap), "".join(str(int(y[i])) for i in idx)


def drawn_numbers(n: int, gap: float, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        digits = [int(d) for d in rng.integers(0, 10, int(rng.integers(MIN_DIGITS, MAX_DIGITS + 1)))]
        yield drawn_number(digits, rng, gap), "".join(map(str, digits))


def score(classifier: Classifier, cases, read) -> tuple[float, float, float, float]:
    """Exact-match rate, the share read right and given as sure, the share read wrong yet given as
    sure (what a user trusts and should not), and median milliseconds per number."""
    right = sure_right = sure_wrong = total = 0
    seconds = []
    for gray, text in cases:
        start = time.perf_counter()
        got, sure = read(classifier, gray)
        seconds.append(time.perf_counter() - start)
        right += got == text
        sure_right += got == text and sure
        sure_wrong += got != text and sure
        total += 1
    return right / total, sure_right / total, sure_wrong / total, 1000 * float(np.median(seconds))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-gap", type=int, default=300)
    ap.add_argument("--drawn", type=int, default=100, help="drawn numbers per gap")
    ap.add_argument("--writers", type=int, default=150, help="numbers per gap of each other writers' set (0: none)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-old", action="store_true", help="skip the old segmentation (faster)")
    ap.add_argument("--model", help="a .tflite (its manifest beside it); default: the shipped model")
    args = ap.parse_args(argv)
    classifier = load_model(args.model) if args.model else load_shipped()
    with np.load(MNIST) as d:
        x, y = d["x_test"], d["y_test"]
    print(f"{'set':8} {'gap':>6} {'n':>5} {'old exact':>10} {'new exact':>10} {'sure right':>11} {'sure wrong':>11} {'old ms':>7}"
          f" {'new ms':>7}  (new; sure: status digit; ms: median per number)")
    sets = [("mnist", g, lambda g=g: mnist_numbers(x, y, args.per_gap, g, args.seed)) for g in GAPS]
    if args.writers:
        held = other_writers.held_out()
        for name, source, render in WRITERS:
            x_w, y_w = held[source]
            sets += [(name, g, lambda g=g, x_w=x_w, y_w=y_w, render=render:
                      writer_numbers(x_w, y_w, render, args.writers, g, args.seed)) for g in GAPS]
    sets += [("drawn", g, lambda g=g: drawn_numbers(args.drawn, g, args.seed)) for g in GAPS]
    for name, gap, cases in sets:
        old, _, _, old_ms = (np.nan,) * 4 if args.no_old else score(classifier, cases(), old_read)
        new, right, wrong, new_ms = score(classifier, cases(), new_read)
        n = {"mnist": args.per_gap, "drawn": args.drawn}.get(name, args.writers)
        print(f"{name:8} {gap:>+6.0%} {n:>5} {old:>10.1%} {new:>10.1%} {right:>11.1%} {wrong:>11.1%} {old_ms:>7.1f} {new_ms:>7.1f}", flush=True)


if __name__ == "__main__":
    main()
