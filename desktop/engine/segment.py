"""Split an ink image holding a number (such as 2024) into its digits, left to right.

Segmentation by recognition. The ink is over-segmented into pieces: its connected components,
and components wide enough to hold touching digits are cut further at their thinnest columns.
Every run of up to MAX_GROUP consecutive pieces is a candidate digit. The caller scores all
candidates at once (recognize.py: one batched call to the classifier, log-probability of the
best class); best_path() then picks, by dynamic programming, the split of the pieces into
candidates with the highest total of score plus geometric prior (shape and gaps of a digit).
A broken stroke is two pieces that score best together; touching digits are a component that
scores best cut. Stray dots (preprocess.is_speck) may be left out of the path.

The labelling is a few lines of breadth-first search on the small work-scale mask rather than
scipy.ndimage.label: scipy would add tens of MB to the packaged binary.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from desktop.engine.preprocess import is_speck

INK_LEVEL = 0.3  # ink above this strength forms the pieces
MIN_PIECE = 0.03  # pieces with less ink than this share of the largest are specks
MAX_GROUP = 5  # at most this many consecutive pieces make one digit: keeps the search small
# Cutting: a component wider than CUT_ASPECT x its height may be touching digits. Cuts go at the
# columns with least ink, at least MIN_PART x the height apart (and from the ends), at most one
# per CUT_EVERY x height of width. Extra cuts cost only candidates: the scores choose.
CUT_ASPECT = 0.55
MIN_PART = 0.2
CUT_EVERY = 0.25
FILL_ASPECT = 1.2  # wider than this x its height, a component is cut at thin columns, valley or not
# Priors, in log-probability units, added to each candidate's score.
WIDE_ASPECT = 0.95  # a digit wider than this x the line height is likely two digits...
WIDE_COST = 6.0  # ...costing this much per unit of width / height beyond it
GAP_COST = 8.0  # a blank gap inside a candidate, per unit of line height: digits are not hollow
SHORT = 0.55  # a candidate shorter than this share of the line height is likely a fragment...
SHORT_COST = 4.0  # ...costing this much per unit of the line height it lacks
SPECK_SKIP = -0.05  # the cost of leaving a speck out: just above a sure digit's score
DIGIT_BONUS = 0.0  # added per digit: >0 favours more digits, <0 fewer
SHAPE_ONLY_DIGIT = -0.01  # the score of every candidate when no classifier scores them


@dataclass
class Segment:
    """Ink of one piece or group: its columns in the ink image and the mask of its ink."""

    left: int
    right: int
    mask: np.ndarray  # bool, the whole ink image's shape

    def crop(self, ink: np.ndarray) -> np.ndarray | None:
        part = np.where(self.mask, ink, 0.0)[:, self.left : self.right]
        rows = np.flatnonzero(part.any(axis=1))
        if rows.size == 0:
            return None
        return part[rows[0] : rows[-1] + 1]


@dataclass
class Candidate:
    """Pieces first..last-1 taken as one digit (or, when ``speck``, as a dot to leave out)."""

    first: int
    last: int
    crop: np.ndarray
    prior: float
    speck: bool


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


def _components(ink: np.ndarray) -> list[Segment]:
    labels, n = label(ink > INK_LEVEL)
    if n == 0:
        return []
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    out = []
    for i in np.flatnonzero(sizes >= MIN_PIECE * sizes.max()) + 1:
        m = labels == i
        cols = np.flatnonzero(m.any(axis=0))
        out.append(Segment(int(cols[0]), int(cols[-1]) + 1, m))
    return out


def _height(mask: np.ndarray) -> int:
    rows = np.flatnonzero(mask.any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


def _cut_columns(seg: Segment, ink: np.ndarray, line_height: int) -> list[int]:
    """Columns (relative to seg.left) where a wide component may be two digits touching.

    Widths are measured against the line's height: a broken digit's flat bar is no wide blob.
    """
    height, width = line_height, seg.right - seg.left
    if width <= CUT_ASPECT * height:
        return []
    profile = np.where(seg.mask, ink, 0.0)[:, seg.left : seg.right].sum(axis=0)
    profile = np.convolve(profile, np.ones(3) / 3, mode="same")  # one thin column is no valley
    spacing = max(2, round(MIN_PART * height))
    budget = int(width / (CUT_EVERY * height))
    # Valleys only: a column with no less ink within ``spacing`` either side of it.
    padded = np.pad(profile, spacing, constant_values=np.inf)
    local_min = np.array([padded[c : c + 2 * spacing + 1].min() for c in range(width)])
    valleys = [c for c in np.flatnonzero(profile <= local_min) if spacing <= c <= width - spacing]
    cuts: list[int] = []
    rest = [c for c in np.argsort(profile, kind="stable") if spacing <= c <= width - spacing]
    if width <= FILL_ASPECT * height:
        rest = []  # likely one digit: cutting it anywhere but at its valleys only adds risk
    # Valleys first, thinnest first; then the thinnest other columns, for overlapping digits
    # have no valley between them.
    for c in [*sorted(valleys, key=lambda c: profile[c]), *rest]:
        if len(cuts) >= budget:
            break
        if all(abs(c - k) >= spacing for k in cuts):
            cuts.append(int(c))
    return sorted(cuts)


def over_segment(ink: np.ndarray) -> list[Segment]:
    """Pieces, left to right: connected components, wide ones cut at their thinnest columns."""
    pieces = []
    components = _components(ink)
    if not components:
        return []
    line_height = _height(np.logical_or.reduce([c.mask for c in components]))
    for seg in components:
        edges = [0, *_cut_columns(seg, ink, line_height), seg.right - seg.left]
        for a, b in zip(edges, edges[1:]):
            m = np.zeros_like(seg.mask)
            m[:, seg.left + a : seg.left + b] = seg.mask[:, seg.left + a : seg.left + b]
            if m.any():
                pieces.append(Segment(seg.left + a, seg.left + b, m))
    # Order by the centre of the ink: the piece of a broken digit sits between its neighbours.
    return sorted(pieces, key=lambda s: float(np.flatnonzero(s.mask.any(axis=0)).mean()))


def _prior(group: Segment, line_height: float) -> float:
    """Log-prior that this ink is one digit: not too wide, not too short, no blank gap inside."""
    cols = group.mask[:, group.left : group.right].any(axis=0)
    height = _height(group.mask)
    gap = 0
    run = 0
    for filled in cols:  # the widest run of blank columns inside
        run = 0 if filled else run + 1
        gap = max(gap, run)
    width = group.right - group.left
    score = -WIDE_COST * max(0.0, width / line_height - WIDE_ASPECT)
    score -= GAP_COST * gap / line_height
    score -= SHORT_COST * max(0.0, SHORT - height / line_height)
    return score


def candidates(ink: np.ndarray) -> tuple[int, list[Candidate]]:
    """The number of pieces and every candidate digit: runs of up to MAX_GROUP pieces."""
    pieces = over_segment(ink)
    if not pieces:
        return 0, []
    line_height = float(_height(np.logical_or.reduce([p.mask for p in pieces])))
    out = []
    for i in range(len(pieces)):
        group = pieces[i]
        for j in range(i + 1, min(i + MAX_GROUP, len(pieces)) + 1):
            if j > i + 1:
                p = pieces[j - 1]
                group = Segment(min(group.left, p.left), max(group.right, p.right), group.mask | p.mask)
            crop = group.crop(ink)
            if crop is None:
                continue
            speck = is_speck(crop)
            if speck and j > i + 1:
                continue  # several pieces that together are a speck: the single ones cover it
            out.append(Candidate(i, j, crop, _prior(group, line_height), speck))
    return len(pieces), out


def best_path(n_pieces: int, cands: list[Candidate], scores: np.ndarray) -> list[int]:
    """Indices of the digits, left to right, whose scores plus priors sum highest over all the pieces.

    ``scores`` holds one log-likelihood per candidate (ignored for specks, which may be left out
    at SPECK_SKIP). Every piece belongs to exactly one candidate of the path.
    """
    best = np.full(n_pieces + 1, -np.inf)
    best[0] = 0.0
    back: list[int] = [-1] * (n_pieces + 1)
    by_end: dict[int, list[int]] = {}
    for k, c in enumerate(cands):
        by_end.setdefault(c.last, []).append(k)
    for j in range(1, n_pieces + 1):
        for k in by_end.get(j, []):
            c = cands[k]
            gain = SPECK_SKIP if c.speck else float(scores[k]) + c.prior + DIGIT_BONUS
            if best[c.first] + gain > best[j]:
                best[j], back[j] = best[c.first] + gain, k
    path = []
    j = n_pieces
    while j > 0 and back[j] >= 0:
        path.append(back[j])
        j = cands[back[j]].first
    return [k for k in reversed(path) if not cands[k].speck]


def split_digits(ink: np.ndarray, scores: np.ndarray | None = None) -> list[np.ndarray]:
    """Tight crops of each digit's ink, left to right; by shape alone unless ``scores`` given."""
    n, cands = candidates(ink)
    if scores is None:
        # Shape alone: the priors decide, and of equal splits the one with fewer digits wins.
        scores = np.full(len(cands), SHAPE_ONLY_DIGIT)
    return [cands[k].crop for k in best_path(n, cands, scores)]
