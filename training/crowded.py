"""Crowded digits: MNIST training digits as number mode cuts them out of numbers whose digits touch or overlap.

Number mode (desktop.engine.segment) reads a digit from a crop that the cut left it: part of its
ink may stay with its neighbour, and the neighbour's ink may reach into it. A model trained only on
whole, isolated digits is unsure of such crops (on numbers whose digits overlap by a quarter of their
width, most misses had the right split among the candidates, read right but unsure, and a surer
wrong split won). These examples are those very crops: numbers
composed of training digits are over-segmented by the app's own code, and each candidate that
covers one digit (and little of its neighbours) is kept with that digit's label.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from benchmarks.numbers import MARGIN, row_layout
from desktop.engine.preprocess import at_work_scale, to_ink
from desktop.engine.segment import INK_LEVEL, candidates

CROWDED = 8_000  # examples kept
GAP = (-0.35, 0.05)  # gap between neighbours, as a share of their mean width (< 0 overlaps)
SCALE = (1.0, 3.0)  # composed numbers are upscaled by this much, as a scan or photo would be
DIGITS = (2, 4)  # digits per composed number
COVER = 0.85  # a candidate stands for a digit when it holds this share of the digit's ink...
SPILL = 0.25  # ...and other ink no more than this share of the digit's...
WHOLE = 0.5  # ...and no more than this share of any other digit's ink (a 1 beside a 4 is a digit, not a sliver)
PER_DIGIT = 2  # crops kept per digit at most (the candidates of one digit are much alike)
# 1s are left out: a 1 is one stroke, and a 1 with slivers of its neighbours on either side is a
# narrow 0, an A or a V (trained on them, the model read a narrow drawn 0 as a 1, 99% sure).
SKIP = (1,)


def compose(images: list[np.ndarray], gap: float, scale: float) -> tuple[np.ndarray, list[np.ndarray]]:
    """Digits (white on black uint8) in a row as dark ink on white paper (0..1), and each digit
    alone in the same place (the ink each digit owns)."""
    parts, lefts, width = row_layout(images, gap)  # the number-mode benchmark's layout
    size = (max(1, round(width * scale)), max(1, round((28 + 2 * MARGIN) * scale)))
    solos = []
    for left, p in zip(lefts, parts):
        canvas = np.zeros((28 + 2 * MARGIN, width), np.float32)
        canvas[MARGIN : MARGIN + 28, left : left + p.shape[1]] = p
        solos.append(np.asarray(Image.fromarray(1.0 - canvas).resize(size, Image.Resampling.BILINEAR), np.float32))
    return np.minimum.reduce(solos), solos  # overlapping ink combines as a pen's would: the darker wins


def crowded_digits(x: np.ndarray, y: np.ndarray, seed: int, n: int = CROWDED) -> tuple[np.ndarray, np.ndarray]:
    """``n`` crowded crops (uint8 28x28 model inputs, white on black) of digits from ``x``, and their labels."""
    rng = np.random.default_rng([seed, 2])
    xs: list[np.ndarray] = []
    ys: list[int] = []
    while len(xs) < n:
        idx = rng.choice(len(x), int(rng.integers(DIGITS[0], DIGITS[1] + 1)), replace=False)
        gray, solos = compose([x[i] for i in idx], rng.uniform(*GAP), rng.uniform(*SCALE))
        ink = to_ink(gray)
        if ink.blank:
            continue
        owned = [1.0 - at_work_scale(solo) > INK_LEVEL for solo in solos]  # the same scale as ink.ink
        _, cands = candidates(ink.ink)
        found: dict[int, list[np.ndarray]] = {}
        sizes = [np.count_nonzero(own) for own in owned]
        for c in cands:
            if c.speck or c.alone or c.mask is None:
                continue  # isolated whole digits: MNIST has plenty of those
            held = [np.count_nonzero(own & c.mask) for own in owned]
            k = int(np.argmax(held))
            if held[k] >= COVER * sizes[k] and np.count_nonzero(c.mask) - held[k] <= SPILL * held[k] \
                    and all(h <= WHOLE * sizes[j] for j, h in enumerate(held) if j != k):
                found.setdefault(k, []).append(c.input28)
        for k, crops in found.items():
            if int(y[idx[k]]) in SKIP:
                continue
            for j in rng.permutation(len(crops))[:PER_DIGIT]:
                xs.append(np.round(np.clip(crops[j], 0, 1) * 255).astype(np.uint8))
                ys.append(int(y[idx[k]]))
    return np.stack(xs[:n]), np.asarray(ys[:n], y.dtype)
