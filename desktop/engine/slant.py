"""Upright a row of handwriting that leans (deslanting), before number mode cuts it into digits.

Touching digits are cut along straight columns (segment.py); in a row that leans, as italics and
most people's quick handwriting do, no column separates two neighbours that a slanted line would,
and each cut digit carries a slice of the next ("66774656" in an italic font read "6677?556"). The
writer's slant is the shear that stacks the ink's pixels into the fewest, fullest columns (the sum
of the squared column counts, largest when the strokes stand upright; Vinciarelli and Luettin's
criterion counts only columns whose ink is one unbroken run: digits' diagonals made that no better,
on an outside evaluation's leaning numbers); rows are then shifted by whole pixels, so the shear is exactly
undone on any mask (the digits' boxes are shown on the image as it was).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_SLANT = 45  # degrees either way that a writer's slant is looked for (in STEP-degree steps)
STEP = 3
MIN_SLANT = 8  # degrees: a row leaning less is left as it is (the cuts handle a slight lean)
GAIN = 1.05  # ...and so is one whose best shear stacks its ink no more than this x better than upright


@dataclass(frozen=True)
class Shear:
    """Each row of an image ``written`` columns wide moved right by ``shifts[row]`` columns."""

    shifts: np.ndarray  # int, one per row, all >= 0
    written: int  # columns of the image as written
    angle: float = 0.0  # degrees the ink leaned as written (> 0: leaning right), which the shear stands upright

    @property
    def width(self) -> int:
        """Columns of the sheared canvas."""
        return self.written + int(self.shifts.max())

    def apply(self, a: np.ndarray) -> np.ndarray:
        """``a`` (rows x columns) sheared: each row moved right by its shift."""
        out = np.zeros((a.shape[0], self.width), a.dtype)
        w = a.shape[1]
        for row, shift in enumerate(self.shifts):
            out[row, shift : shift + w] = a[row]
        return out

    def undo(self, a: np.ndarray) -> np.ndarray:
        """A sheared ``a`` back to the image as written."""
        return np.stack([a[row, shift : shift + self.written] for row, shift in enumerate(self.shifts)])


def slant(mask: np.ndarray) -> float:
    """The writer's slant in degrees (> 0: leaning right) of the ink ``mask``; 0 for upright or no ink."""
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return 0.0
    angles = np.arange(-MAX_SLANT, MAX_SLANT + 1, STEP)
    scores = np.empty(angles.size)
    centre = ys.mean()
    for k, angle in enumerate(angles):
        cols = xs + np.round(np.tan(np.radians(angle)) * (ys - centre)).astype(np.int64)
        scores[k] = np.square(np.bincount(cols - cols.min()).astype(np.float64)).sum()
    best = int(np.argmax(scores))
    upright = scores[angles.size // 2]
    if abs(angles[best]) < MIN_SLANT or scores[best] < GAIN * upright:
        return 0.0
    return float(angles[best])


def upright(mask: np.ndarray) -> Shear | None:
    """The shear that stands the ink ``mask`` upright, or None when it does not lean (slant)."""
    angle = slant(mask)
    if angle == 0.0:
        return None
    rows = np.arange(mask.shape[0])
    # A right lean puts the top to the right: the rows above the middle move left, those below right.
    shifts = np.round(np.tan(np.radians(angle)) * (rows - mask.shape[0] / 2)).astype(np.int64)
    shifts -= shifts.min()
    return Shear(shifts, mask.shape[1], angle)
