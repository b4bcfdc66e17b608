"""Shapes the model reads as a digit and no digit has, looked for in an answer's own ink.

At 28x28 some ink passes for a digit that is none: a digit drawn in a ring is a "0" (the ring is
what the model sees), a "!" or an "i" is a "1" (its dot a fleck beside the stroke), a spiral a "0",
"6" or "9" (its turns merged), a "B" an "8", a "D" and a "C" a "0". Each check runs only on the
answers it passes for (CHECKS: a "0" for the ring, the coil, the straight back and the mouth, a "1"
for the dot, a "6" and a "9" for the coil, an "8" for the straight back), on the digit's crop at
work scale (preprocess.Found.crop), so a drawing of any other digit pays nothing; a 1 in one run of
rows pays a slice or two, a 0 its 48 px look (about 0.05 ms, the mouth half of it), the rest a
labelling (0.1-0.6 ms).
A shape found makes the answer "not a digit" (recognize_many; number mode's 1s: recognize._dotted).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from desktop.engine.components import stroke_width
from desktop.engine.imageio import fit_longest
from desktop.engine.segment import INK_LEVEL, encloses

# A digit drawn in a ring read "0" at up to 99.9% (25 of 60 circled digits in a hostile pass). A "0"
# whose loop holds a piece at least RING_TALL of its height (a bar, which may be the zero's own
# mark: RING_BAR), or two pieces (segment.encloses), is not a digit. Only a "0" with ink in the
# middle third of its box is looked into: the check labels the ink at work scale (0.1-0.2 ms; 0.6 ms
# for a large ring), too dear for every drawing within the 1 ms budget. 0.3 flagged 176 of 178
# MNIST digits circled and read "0", and none of the 0s of MNIST test (990 read 0), the other
# writers' held-out sets or the synthetic sets. A zero's dot or inner ring is left alone as in
# number mode, and its bar up to 0.35 of its height (a circled 1: 0.39 and more).
RING_TALL, RING_BAR = 0.3, 0.35
# A "!" read "1" (an outside evaluation: 17 of 27, up to 99.9%), an "i" likewise: a stroke and, past
# a blank row, a dot at most DOT_TALL of the whole height, no more than DOT_ROUND x as long as wide,
# at least DOT_PEN of the stroke's width across (dust is less) and over the stroke's columns.
DOT_TALL, DOT_ROUND, DOT_PEN = 0.3, 2.0, 0.8
# A spiral doodle read "0", "6" or "9" at up to 99.9% (an outside evaluation: 15 of its 50 spirals
# as sure digits): at 28x28 its turns merge into a ring. Crossed by lines at COIL_LINES of its box,
# each way, a spiral's ink is cut into COIL_RUNS or more runs both ways; a 0, a 6 or a 9 into 2-4 (a
# zero traced twice: 4). 9 of those 15 spirals; of 2,915 MNIST test digits read 0, 6 or 9 none, of
# the other writers' held-out sets none, of 1,242 outside photographed ones 1.
COIL_LINES, COIL_RUNS = (0.4, 0.5, 0.6), 5
# The coil and the straight back are looked at with the ink's longer side this many px (area-averaged:
# chalk's specks and a rough pen's holes are ink), shrunk once for both (_no_zero).
LOOK_SIDE = 48
# A "B" read "8" (an outside evaluation: 6 of its 7 Bs, at 0.65-0.98; Bs in handwriting faces: 23 of
# 30 read 8): its left side is one straight stroke, where an 8's dips in at its waist. Looked at with
# its longer side LOOK_SIDE px, the ink's left edge along the middle BACK_ROWS of its rows keeps within
# BACK_WOBBLE of the ink's width of a straight line: 9 of those 23 Bs and 4 of the 7, none of 973
# MNIST test 8s read 8 (3 within 0.05), none of 4,697 other writers' and synthetic 8s (7 within 0.04).
# A "D" read "0" likewise (faces: 8 of its 20 flagged); of 6,844 0s read 0 in those sets, 1 (MNIST test).
# Its right side must bow out, BOW of the width off a straight line or more: block-letter 8s and
# rectangular 0s are straight on both sides (a review's generator: 38% and 31% of them flagged without
# it, none with it; its Bs and Ds: 55 of 77 and 53 of 72 read 8 and 0 flagged).
BACK_ROWS, BACK_WOBBLE, BOW = 0.8, 0.035, 0.1
# A "C" or a "c" read "0" (handwriting faces: 34 of their 60 Cs and cs, 22 as a sure 0): its
# mouth opens to the right. A row is in the mouth when its last ink lies MOUTH_DEEP of the ink's
# width or more left of the ink reaching furthest right both above it and below it (a slanted 0's
# right edge only falls, row by row: no mouth); MOUTH_TALL of the height or more in one run is a C.
# 24 of those 34 (15 of the 22); of 5,912 MNIST training 0s read 0, 2 (0s drawn as a C); of MNIST
# test's 982 answers 0, a 0 so drawn and a 6 (read unsure); none of the other writers' held-out or
# synthetic 0s. (A fifth of the height at first: an outside review's 0s drawn with a round pen and
# left open 35 degrees at the right, 11 of 24 flagged; of its 288 0s open 0-35 degrees 3 are now,
# and of its 192 letters 12 read as a sure digit, 10 then.) The line is narrow and the pen's ends
# move it: an oval drawn as an arc with square ends (its gap a stroke wider) open 30-35 degrees at
# the right is a C.
MOUTH_DEEP, MOUTH_TALL = 0.3, 0.22


def _ink_in_middle(crop: np.ndarray) -> bool:
    """Ink in the middle third of the crop each way: where a ringed digit lies (a (c)'s C too; the
    middle fifth missed it), and a drawn 0 is empty."""
    h, w = crop.shape
    return bool(crop[h // 3 : -(-2 * h // 3), w // 3 : -(-2 * w // 3)].max(initial=0.0) > INK_LEVEL)


def in_a_ring(crop: np.ndarray) -> bool:
    """A digit (or a face) inside a loop of other ink: no 0."""
    return _ink_in_middle(crop) and encloses(crop, RING_TALL, RING_BAR)


def dotted(crop: np.ndarray) -> bool:
    """A stroke with a dot above or below it, a blank row between: "!", "i", no 1."""
    inked = crop.max(axis=1) > INK_LEVEL
    rows = np.flatnonzero(inked)
    if rows.size == 0:
        return False
    blank = np.flatnonzero(~inked[rows[0] : rows[-1] + 1]) + rows[0]
    if blank.size == 0:
        return False  # the usual 1: one run of rows, decided at once
    height = rows[-1] - rows[0] + 1
    parts = [crop[rows[0] : blank[0]], crop[blank[-1] + 1 : rows[-1] + 1]]  # above the gap, below it
    for dot, stroke in (parts, parts[::-1]):
        if not dot.size or not stroke.size or dot.shape[0] > DOT_TALL * height:
            continue
        d_cols, s_cols = np.flatnonzero(dot.max(axis=0) > INK_LEVEL), np.flatnonzero(stroke.max(axis=0) > INK_LEVEL)
        d_rows = np.flatnonzero(dot.max(axis=1) > INK_LEVEL)
        if d_cols.size == 0 or s_cols.size == 0:
            continue
        tall, wide = d_rows[-1] - d_rows[0] + 1, d_cols[-1] - d_cols[0] + 1
        over = d_cols[-1] >= s_cols[0] and d_cols[0] <= s_cols[-1]
        if max(tall, wide) <= DOT_ROUND * min(tall, wide) and min(tall, wide) >= DOT_PEN * stroke_width(stroke) and over:
            return True
    return False


def _runs(line: np.ndarray) -> int:
    """How many runs of ink a line of pixels crosses."""
    on = line > INK_LEVEL
    return int(np.count_nonzero(on[1:] & ~on[:-1])) + bool(on[0])


def _looked_at(crop: np.ndarray) -> np.ndarray:
    """The crop with its longer side LOOK_SIDE px at most."""
    return fit_longest(crop, LOOK_SIDE) if max(crop.shape) > LOOK_SIDE else crop


def coiled(crop: np.ndarray) -> bool:
    """Ink coiled as a spiral: cut into COIL_RUNS runs or more across its middle both ways."""
    return _coiled(_looked_at(crop))


def _coiled(crop: np.ndarray) -> bool:
    h, w = crop.shape
    across = max(_runs(crop[min(int(h * f), h - 1)]) for f in COIL_LINES)
    down = max(_runs(crop[:, min(int(w * f), w - 1)]) for f in COIL_LINES)
    return min(across, down) >= COIL_RUNS


def straight_backed(crop: np.ndarray) -> bool:
    """A left side that is one straight stroke top to bottom: a "B" or a "D", no 8 or 0."""
    return _straight_backed(_looked_at(crop))


def _straight_backed(crop: np.ndarray) -> bool:
    on = crop > INK_LEVEL
    rows, cols = np.flatnonzero(on.any(axis=1)), np.flatnonzero(on.any(axis=0))
    if rows.size < 8:
        return False
    trim = int((rows[-1] - rows[0] + 1) * (1 - BACK_ROWS) / 2)
    ys = np.arange(rows[0] + trim, rows[-1] + 1 - trim)
    ys = ys[on[ys].any(axis=1)]
    if ys.size < 3:
        return False  # (a colon's two dots: no side to speak of)
    width = cols[-1] - cols[0] + 1
    left = np.argmax(on[ys], axis=1)  # each row's first ink
    right = on.shape[1] - 1 - np.argmax(on[ys, ::-1], axis=1)  # and its last
    # A box-shaped 8 or 0 (block letters, seven segments) is straight on its right too: a B's or a
    # D's right side bows out (an outside review: 38% of boxy 8s and 31% of rectangular 0s flagged).
    return _wobble(ys, left) < BACK_WOBBLE * width and _wobble(ys, right) >= BOW * width


def _wobble(ys: np.ndarray, edge: np.ndarray) -> float:
    """How far ``edge`` (a column per row ``ys``) strays from its least-squares line, at most.
    In closed form: np.polyfit cost a drawn 0 0.1 ms of the 1 ms from drawing to answer."""
    dy, de = ys - ys.mean(), edge - edge.mean()
    return float(np.abs(de - float(dy @ de) / float(dy @ dy) * dy).max())


def open_right(crop: np.ndarray) -> bool:
    """A mouth open to the right, an arm above it and one below: a "C", no 0."""
    return _open_right(_looked_at(crop))


def _open_right(crop: np.ndarray) -> bool:
    on = crop > INK_LEVEL
    inked = on.any(axis=1)
    rows, cols = np.flatnonzero(inked), np.flatnonzero(on.any(axis=0))
    if rows.size < 8:
        return False
    right = np.where(inked, on.shape[1] - 1 - np.argmax(on[:, ::-1], axis=1), -1)[rows[0] : rows[-1] + 1]
    reach = np.minimum(np.maximum.accumulate(right), np.maximum.accumulate(right[::-1])[::-1])
    mouth = (right >= 0) & (reach - right >= MOUTH_DEEP * (cols[-1] - cols[0] + 1))
    return _longest_run(mouth) >= MOUTH_TALL * right.size


def _longest_run(on: np.ndarray) -> int:
    """The most True values in a row."""
    edges = np.flatnonzero(np.diff(np.concatenate(([False], on, [False])).astype(np.int8)))
    return int((edges[1::2] - edges[::2]).max(initial=0))


def _no_zero(crop: np.ndarray) -> bool:
    if in_a_ring(crop):
        return True
    small = _looked_at(crop)
    return _coiled(small) or _straight_backed(small) or _open_right(small)


CHECKS: dict[int, Callable[[np.ndarray], bool]] = {0: _no_zero, 1: dotted, 6: coiled, 8: straight_backed, 9: coiled}
