"""Split an ink image holding a number (such as 2024) into its digits, left to right.

Connected components find the pieces; pieces that overlap horizontally are one digit (a 5 or 4
drawn in two strokes); a piece much wider than tall is touching digits, cut where the ink is
thinnest. The labelling is a few lines of breadth-first search on the small work-scale mask
rather than scipy.ndimage.label: scipy would add tens of MB to the packaged binary.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

MIN_PIECE = 0.03  # pieces with less ink than this share of the largest are specks
OVERLAP = 0.5  # horizontal overlap (of the narrower piece) that makes two pieces one digit
MAX_ASPECT = 1.15  # width / height above which a piece is taken to be touching digits
DIGIT_ASPECT = 0.7  # typical width / height of one handwritten digit


@dataclass
class Segment:
    """One digit: its columns in the ink image and the mask of the ink that belongs to it."""

    left: int
    right: int
    mask: np.ndarray  # bool, the whole ink image's shape

    def crop(self, ink: np.ndarray) -> np.ndarray | None:
        part = np.where(self.mask, ink, 0.0)[:, self.left : self.right]
        rows = np.flatnonzero(part.any(axis=1))
        if rows.size == 0:
            return None
        return part[rows[0] : rows[-1] + 1]


def label(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected component labels (0 = background) and their count."""
    labels = np.zeros(mask.shape, np.int32)
    h, w = mask.shape
    n = 0
    for y, x in zip(*np.nonzero(mask)):
        if labels[y, x]:
            continue
        n += 1
        labels[y, x] = n
        queue = deque([(y, x)])
        while queue:
            cy, cx = queue.popleft()
            for ny in (cy - 1, cy, cy + 1):
                for nx in (cx - 1, cx, cx + 1):
                    if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not labels[ny, nx]:
                        labels[ny, nx] = n
                        queue.append((ny, nx))
    return labels, n


def _pieces(ink: np.ndarray) -> list[Segment]:
    labels, n = label(ink > 0.3)
    if n == 0:
        return []
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    pieces = []
    for i in np.flatnonzero(sizes >= MIN_PIECE * sizes.max()) + 1:
        m = labels == i
        cols = np.flatnonzero(m.any(axis=0))
        pieces.append(Segment(int(cols[0]), int(cols[-1]) + 1, m))
    return sorted(pieces, key=lambda s: s.left)


def _merge_overlapping(pieces: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for p in pieces:
        if merged:
            q = merged[-1]
            overlap = min(q.right, p.right) - max(q.left, p.left)
            if overlap > OVERLAP * min(q.right - q.left, p.right - p.left):
                merged[-1] = Segment(min(q.left, p.left), max(q.right, p.right), q.mask | p.mask)
                continue
        merged.append(p)
    return merged


def _split_wide(seg: Segment, ink: np.ndarray) -> list[Segment]:
    rows = np.flatnonzero(seg.mask.any(axis=1))
    height = rows[-1] - rows[0] + 1
    width = seg.right - seg.left
    if width <= MAX_ASPECT * height:
        return [seg]
    count = max(2, round(width / (DIGIT_ASPECT * height)))
    profile = np.where(seg.mask, ink, 0.0)[:, seg.left : seg.right].sum(axis=0)
    cuts = []
    for k in range(1, count):
        centre = k * width // count
        lo, hi = max(1, centre - width // (3 * count)), min(width - 1, centre + width // (3 * count) + 1)
        cuts.append(lo + int(np.argmin(profile[lo:hi])) if hi > lo else centre)
    edges = [0, *cuts, width]
    out = []
    for a, b in zip(edges, edges[1:]):
        m = np.zeros_like(seg.mask)
        m[:, seg.left + a : seg.left + b] = seg.mask[:, seg.left + a : seg.left + b]
        out.append(Segment(seg.left + a, seg.left + b, m))
    return out


def split_digits(ink: np.ndarray) -> list[np.ndarray]:
    """Tight crops of each digit's ink, left to right."""
    segments = [s for seg in _merge_overlapping(_pieces(ink)) for s in _split_wide(seg, ink)]
    crops = [s.crop(ink) for s in segments]
    return [c for c in crops if c is not None]
