"""Split an ink image holding a number (such as 2024) into its digits, left to right.

Segmentation by recognition. The ink is over-segmented into pieces: its connected components,
and components wide enough to hold touching digits are cut further along the paths that cross
least ink (those wide enough to hold overlapping digits, finer still). Every run of up to
MAX_GROUP consecutive pieces is a candidate digit. The caller scores all candidates at once
(recognize.py: one batched call to the classifier, log-probability of the best class);
best_path() then picks, by dynamic programming, the split of the pieces into
candidates with the highest total of score plus priors. The classifier alone is a poor judge of
whether ink is one digit (half a 4 or a 1 glued to a 6 are read with near certainty), so each
candidate also pays for:

- its shape: how much farther its 28x28 input is from the nearest class's shape (digit_shapes:
  PCA subspaces of MNIST training digits) than a typical digit of that class is; the strongest
  evidence against two digits merged into one;
- its size: width to height unlike that class's (ASPECT), shorter than the line (SHORT), wider
  than a digit (WIDE), a blank gap inside (GAP);
- how it was made: each stroke cut to free it from its neighbours (CUT_COST: digits touch less
  often than not), each extra connected component in it (JOIN_COST: most digits are one stroke,
  but a broken one still reads best whole).

Stray dots (preprocess.is_speck) may be left out of the path. Every weight is in log-probability
units and named below; none is fitted to the classifier's scores, so a retrained model needs no
retuning. They were chosen on numbers composed from *training* digits (MNIST's, and the other
writers' training split); the benchmark (benchmarks/numbers.py) uses test and held-out digits only.

Pieces are labelled by desktop.engine.components.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from desktop.engine import digit_shapes
from desktop.engine.components import boxes as boxes_of
from desktop.engine.components import at_border, grown, label
from desktop.engine.number_marks import (COMMA, COMMA_TALL, DASH, DASH_FLAT, POINT, POINT_LOW, is_comma, is_dash, is_dot,
                                         is_no_digit_mark, row_of)
from desktop.engine.preprocess import is_blob, is_speck, normalise_digit, stroke_width

INK_LEVEL = 0.3  # ink above this strength forms the pieces
MIN_PIECE = 0.03  # pieces with less ink than this share of the largest are specks
# At most this many consecutive pieces make one digit: keeps the search small. A digit as wide as it is
# tall is cut into five (one cut per CUT_EVERY of the height), and one more piece of it may stand apart:
# at 5, a scanned 2 with a long foot and a loose hook was never a candidate whole, and read "2?"
# (numbers of USPS digits). Overlapping digits are cut finer (FINE_PART): a digit 0.85 of the height
# wide then spans seven of those pieces, and one more of it may stand apart.
MAX_GROUP = 8
# At most this many connected components of ink (of at least MIN_PIECE): a number of 40 digits,
# some broken, has fewer; a field of dots, dust or noise has thousands, and each costs candidates
# (6,400 dots took seconds, on the window's thread in the Images tab; a hostile test found it).
# More is no number (TooManyPieces): keeping the largest read a 100-digit row as "888".
MAX_COMPONENTS = 96
# A row of ink no taller than FLAT_ROW stroke widths (a dash, an underline alone) is not cut:
# cut every quarter of its height, one dash read as forty-five 1s.
FLAT_ROW = 2.5
# A line under or over a number (not touching it) is no digit: a piece of ink spanning RULE_SPAN of
# the ink's width, and RULE_FLAT times wider than tall, is left out when other ink remains. (An
# underlined "2024" read "224": the underline had joined a 2 and the 0 as one digit.)
RULE_SPAN = 0.6
RULE_FLAT = 0.15
# Cutting: a component wider than CUT_ASPECT x the line height may be touching digits. Cuts go
# along the paths that cross least ink, valleys first, at least MIN_PART x the height apart (and
# from the ends), at most one per CUT_EVERY x height of width. Extra cuts cost only candidates.
CUT_ASPECT = 0.55
MIN_PART = 0.2
CUT_EVERY = 0.25
FILL_ASPECT = 1.2  # up to this x the line height wide, a component is cut at its valleys only
# A component wider than FINE_ASPECT x the height holds digits that overlap (or a long run that
# touch): no column parts overlapping digits cleanly, nor is the right one the column that crosses
# least ink. Such a component is cut as any other, and between those cuts every FINE_PART x the
# height; the scores choose. A reading that rests on one of the finer cuts alone is unsure
# (recognize._guessed). Numbers of training digits, 300-600 per gap, exact at -25% / -10% / 0 / +25%:
#   MNIST 40.0 / 82.0 / 95.2 / 97.0 -> 47.5 / 86.2 / 95.0 / 97.0%
#   USPS 57.7 / 88.3 / 94.3 / 93.3 -> 65.0 / 88.7 / 94.3 / 93.3%
#   pen paths, thin pen 32.7 / 70.7 / 92.0 / 91.7 -> 34.3 / 75.3 / 91.7 / 91.7%
# At 1.2 (or 1.5) x the height, MNIST at -25% gained more, but a scanned digit that wide (a 0, a 2's
# long foot) was cut finely too and read as two: USPS at +25%, 93.3 -> 90.0% (93.0%). With FINE_PART
# 0.1, digits that merely touch were cut into three (MNIST at 0: 94.3%).
FINE_ASPECT = 1.8
FINE_PART = 0.12
# A cut path may lean up to SEAM_BAND x the line height either way from its column, paying
# SIDE_COST (in ink) per sideways step. 0 = straight cuts: leaning paths (0.1-0.25) found the
# slanted gaps but lost more right splits than they gained (on training-digit numbers).
SEAM_BAND = 0.0
SIDE_COST = 0.15
# Priors, in log-probability units, added to each candidate's score.
WIDE_ASPECT = 0.95  # a digit wider than this x the line height is likely two digits...
WIDE_COST = 6.0  # ...costing this much per unit of width / height beyond it
GAP_COST = 8.0  # a blank gap inside a candidate, per unit of line height: digits are not hollow
SHORT = 0.7  # a candidate shorter than this share of the line height is likely a fragment...
SHORT_COST = 8.0  # ...costing this much per unit of the line height it lacks
JOIN_COST = 1.0  # per extra connected component in one digit: most digits are one stroke of ink
CUT_COST = 0.25  # a digit boundary through ink, per stroke it cuts: digits touch less often than not
# Width / height of a digit per class: mean and spread of its logarithm, measured on MNIST's
# training digits (never its test digits). Other writers vary more: the spread is widened.
ASPECT = np.array([(-0.11, 0.2), (-0.94, 0.46), (-0.07, 0.22), (-0.24, 0.21), (-0.25, 0.22),
                   (-0.08, 0.26), (-0.33, 0.22), (-0.27, 0.22), (-0.29, 0.22), (-0.40, 0.21)])
ASPECT_SPREAD = 1.5
SHAPE_WEIGHT = 2.0  # per unit of log(distance from the class's shape / a typical digit's)
SPECK_SKIP = -0.05  # the cost of leaving a speck out: just above a sure digit's score
# Ink inside a loop (encloses): pieces under ENCLOSED_DUST of the largest are dust; one piece inside
# is a digit circled when it is ENCLOSED_TALL of the loop's height or more (a zero's dot or bar is less).
# A piece whose box spans ENCLOSED_RING of its loop's height and width is that loop gone over twice (a 0).
ENCLOSED_DUST, ENCLOSED_TALL, ENCLOSED_RING = 0.01, 0.55, (0.7, 0.6)
# A piece no wider than this many of its strokes is a bar (a zero's bar, or a 1): a caller may ask
# a bar for more height than other pieces (encloses' ``bar_tall``).
BAR_STROKES = 2.5
# Lines written one under another (a column of digits, two rows): bands of ink rows at least
# STACK_BAND of the tallest band's height, STACK_GAP of it apart. Number mode reads one row: a
# column of four MNIST digits was read "1" (the whole column squeezed into one input), status digit
# (a hostile pass: 17 of 90 columns). A 5's loose bar, a dot or a comma is a band far shorter; a
# row broken across (a pen skipping) leaves a gap far smaller: columns of digits leave 0.38-0.9.
# Two bands alone must stand STACK_GAP_TWO apart: an 8 drawn as two loops 0.3 apart, or an exponent
# raised clear of its number, is one row (a review).
STACK_BAND, STACK_GAP, STACK_GAP_TWO = 0.5, 0.3, 0.4
DIGIT_BONUS = 0.0  # added per digit: >0 favours more digits, <0 fewer
SHAPE_ONLY_DIGIT = -0.01  # the score of every candidate when no classifier scores them


class TooManyPieces(Exception):
    """The ink is in more pieces than a number has (MAX_COMPONENTS): noise, a texture, a field of dots."""


@dataclass
class Segment:
    """Ink of one piece or group: its columns in the ink image and the mask of its ink."""

    left: int
    right: int
    mask: np.ndarray  # bool, the whole ink image's shape
    components: frozenset = frozenset()  # the connected components of ink it is part of
    # The cuts only the finer cutting of overlapping digits made (FINE_PART) that part it from ink
    # beside it, by number: a group's are those of its pieces that no other piece of it shares.
    guessed_cuts: frozenset = frozenset()

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
    alone: bool = False  # exactly one connected component of ink, uncut: most likely a whole digit
    mask: np.ndarray | None = None  # its ink in the whole ink image (bool): its box in the image
    mark: str | None = None  # number_marks.DASH, COMMA or POINT when shaped and placed as one: the caller may leave it out
    small: bool = False  # a comma no digit could be (number_marks.is_no_digit_mark): left out however read
    components: frozenset = frozenset()  # the connected components of ink it is made of (Segment's)
    # Parted from a neighbour by a cut only the finer cutting of overlapping digits made: which ink
    # is whose, that cut guesses (the number is then unsure: recognize.NumberPrediction.guessed).
    guessed: bool = False

    @cached_property
    def input28(self) -> np.ndarray:
        # Only a whole piece of ink is brought to full strength when faint: pieces cut from strokes or
        # joined so read more like digits, and numbers overlapping by a tenth lost 5 of 600 for it.
        return normalise_digit(self.crop, is_blob(self.crop), faint=self.alone)


def _components(ink: np.ndarray) -> list[Segment]:
    labels, n = label(ink > INK_LEVEL)
    if n == 0:
        return []
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    kept = np.flatnonzero(sizes >= MIN_PIECE * sizes.max())
    if kept.size > MAX_COMPONENTS:
        raise TooManyPieces(f"{kept.size} pieces of ink")
    out = []
    for i in kept + 1:
        m = labels == i
        cols = np.flatnonzero(m.any(axis=0))
        out.append(Segment(int(cols[0]), int(cols[-1]) + 1, m))
    span = max(c.right for c in out) - min(c.left for c in out)
    digits = [c for c in out if c.right - c.left < RULE_SPAN * span or _height(c.mask) > RULE_FLAT * (c.right - c.left)]
    return digits or out  # nothing but lines: leave them to be read (and found no digit)


def _height(mask: np.ndarray) -> int:
    rows = np.flatnonzero(mask.any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


def _paths_down(cost: np.ndarray, band: int) -> tuple[np.ndarray, np.ndarray]:
    """For every column, the cheapest path down from it, at most ``band`` columns sideways.

    A path moves down one row at a time and at most one column sideways (SIDE_COST each).
    Returns the paths' columns (starts x rows) and their costs (the ink they cross).
    """
    h, w = cost.shape
    padded = np.pad(cost, ((0, 0), (band, band)))
    cols = np.arange(w)[:, None] + np.arange(2 * band + 1)[None, :]  # (starts, band) in ``padded``
    acc = np.full(cols.shape, np.inf)
    acc[:, band] = cost[0]
    moves = np.zeros((h, w, 2 * band + 1), np.int8)
    wall = np.full((w, 1), np.inf)
    for r in range(1, h):
        stacked = np.stack([np.concatenate([wall, acc[:, :-1]], axis=1) + SIDE_COST, acc,
                            np.concatenate([acc[:, 1:], wall], axis=1) + SIDE_COST])
        move = stacked.argmin(axis=0)
        moves[r] = move - 1
        acc = np.take_along_axis(stacked, move[None], axis=0)[0] + padded[r][cols]
    pos = acc.argmin(axis=1)
    total = acc[np.arange(w), pos]
    paths = np.empty((w, h), np.int32)
    for r in range(h - 1, -1, -1):
        paths[:, r] = pos
        if r:
            pos = pos + moves[r, np.arange(w), pos]
    return paths + np.arange(w)[:, None] - band, total


def _seams(cost: np.ndarray, band: int) -> tuple[np.ndarray, np.ndarray]:
    """For every column, the cheapest top-to-bottom path through it at the middle row.

    Paths may lean up to ``band`` columns either way above and below the middle, so they can
    follow a slanted gap between two digits that no straight column finds.
    """
    mid = cost.shape[0] // 2
    down, down_cost = _paths_down(cost[mid:], band)
    up, up_cost = _paths_down(cost[: mid + 1][::-1], band)
    paths = np.concatenate([up[:, ::-1], down[:, 1:]], axis=1)
    return paths, down_cost + up_cost - cost[mid]


def _cuts(seg: Segment, ink: np.ndarray, line_height: int, stroke: float) -> list[tuple[np.ndarray, bool]]:
    """Cut paths (a column per row of the ink image) where a wide component may be two digits.

    Widths are measured against the line's height: a broken digit's flat bar is no wide blob.
    Each path is the cheapest in ink from top to bottom near a start column; valleys first, then the
    cheapest, at least MIN_PART x the height apart (and from the ends), at most one per CUT_EVERY x
    height of width; FINE_PART for both in a component wider than FINE_ASPECT. Extra cuts cost only
    candidates: the scores choose. Each path comes with whether only the finer cutting made it.
    """
    height, width = line_height, seg.right - seg.left
    if width <= CUT_ASPECT * height or _height(seg.mask) < SHORT * height or height < FLAT_ROW * stroke:
        return []  # one digit, or part of one (touching digits are each the line's height), or a dash
    rows = np.flatnonzero(seg.mask.any(axis=1))
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    cost = np.where(seg.mask, ink, 0.0)[top:bottom, seg.left : seg.right]
    paths, total = _seams(cost, round(SEAM_BAND * height))
    where = paths.mean(axis=1)
    # Likely one digit (or a broken one's half): cut it at its valleys only. (Cut at the cheapest
    # columns too, with FINE_ASPECT 1.5, MNIST's touching digits read better, 95.0 -> 96.8%, and
    # scanned wide ones worse: USPS at 0 and +25%, 93.3 -> 93.0% and 93.0 -> 92.3%.)
    valleys_only = width <= FILL_ASPECT * height
    chosen = _chosen(where, total, width, round(MIN_PART * height), int(width / (CUT_EVERY * height)), valleys_only)
    guessed: set[int] = set()
    if width > FINE_ASPECT * height:
        # The usual cuts and more between them: any split the usual cuts make is still a path
        fine = _chosen(where, total, width, round(FINE_PART * height), int(width / (FINE_PART * height)), valleys_only,
                       chosen)
        guessed, chosen = set(fine) - set(chosen), fine
    out = []
    for k in sorted(chosen, key=lambda k: where[k]):
        full = np.empty(ink.shape[0], np.int32)
        full[:top], full[top:bottom], full[bottom:] = paths[k][0], paths[k], paths[k][-1]
        out.append((full + seg.left, k in guessed))
    return out


def _chosen(where: np.ndarray, total: np.ndarray, width: int, spacing: int, budget: int, valleys_only: bool,
            taken: Sequence[int] = ()) -> list[int]:
    """Which paths to cut along (``where``: their mean columns in a component ``width`` wide, ``total``:
    the ink they cross): those ``taken`` already, then valleys, then (unless ``valleys_only``) the
    cheapest, at least ``spacing`` apart and from the ends, at most ``budget`` of them."""
    spacing = max(2, spacing)
    inside = (where >= spacing) & (where <= width - spacing)
    # Valleys: paths that cross no less ink than any other path within ``spacing`` of them.
    valleys = [k for k in np.flatnonzero(inside)
               if total[k] <= total[np.abs(where - where[k]) < spacing].min()]
    rest = [] if valleys_only else [k for k in np.argsort(total, kind="stable") if inside[k]]
    chosen: list[int] = list(taken)
    for k in [*sorted(valleys, key=lambda k: total[k]), *rest]:
        if len(chosen) >= budget:
            break
        if all(abs(where[k] - where[c]) >= spacing for c in chosen):
            chosen.append(int(k))
    return chosen


@dataclass
class _Line:
    """The row of ink the pieces make: its mask, its height and its stroke width (measured once)."""

    mask: np.ndarray
    height: int
    stroke: float


def over_segment(ink: np.ndarray) -> list[Segment]:
    """Pieces, left to right: connected components, wide ones cut along their cheapest paths.
    TooManyPieces when the components are more than any number has."""
    return _pieces(ink)[0]


def _pieces(ink: np.ndarray) -> tuple[list[Segment], _Line | None]:
    """over_segment's pieces and the line they make (None when there is no ink)."""
    pieces = []
    components = _components(ink)
    if not components:
        return [], None
    ink_mask = np.logical_or.reduce([c.mask for c in components])  # the pieces' union too: cuts split, not drop
    line = _Line(ink_mask, _height(ink_mask), stroke_width(np.where(ink_mask, ink, 0.0)))
    line_height, stroke = line.height, line.stroke
    columns = np.arange(ink.shape[1])[None, :]
    cut_number = 0
    for number, seg in enumerate(components):
        edge = np.full((ink.shape[0], 1), seg.left)
        parts: list[np.ndarray] = []  # its slices with ink, left to right
        # Whether only finer cuts part each slice from the next (cuts with no ink between are one
        # boundary, a usual one if any of them is)
        finer_only: list[bool] = []
        since = False  # only finer cuts since the last slice with ink
        for path, guessed in [*_cuts(seg, ink, line_height, stroke), (None, False)]:
            right = np.full_like(edge, seg.right) if path is None else np.maximum(path[:, None], edge)
            m = seg.mask & (columns >= edge) & (columns < right)
            edge = right
            if m.any():
                if parts:
                    finer_only.append(since)
                parts.append(m)
                since = guessed
            else:
                since = since and guessed
        cuts = [frozenset()] * (len(parts) + 1)  # the guessed cut left of each slice, by number
        for k, finer in enumerate(finer_only):
            if finer:
                cut_number += 1
                cuts[k + 1] = frozenset([cut_number])
        for k, m in enumerate(parts):
            cols = np.flatnonzero(m.any(axis=0))
            pieces.append(Segment(int(cols[0]), int(cols[-1]) + 1, m, frozenset([number]), cuts[k] | cuts[k + 1]))
    # Order by the centre of the ink: the piece of a broken digit sits between its neighbours.
    return sorted(pieces, key=lambda s: float(np.flatnonzero(s.mask.any(axis=0)).mean())), line


def _severed(mask: np.ndarray, ink_mask: np.ndarray) -> int:
    """Pixels of ``mask`` that touch other ink (4-neighbours): the length of the cuts around it."""
    other = ink_mask & ~mask
    touch = np.zeros_like(mask)
    touch[1:] |= other[:-1]
    touch[:-1] |= other[1:]
    touch[:, 1:] |= other[:, :-1]
    touch[:, :-1] |= other[:, 1:]
    return int(np.count_nonzero(mask & touch))


def _prior(group: Segment, line_height: float, stroke: float, ink_mask: np.ndarray) -> float:
    """Log-prior that this ink is one digit: not too wide, not too short, no blank gap inside,
    and cut from as few strokes as possible (digits mostly stand apart; half of each cut is paid
    by the candidate on either side of it)."""
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
    score -= CUT_COST / 2 * _severed(group.mask, ink_mask) / stroke
    score -= JOIN_COST * max(0, len(group.components) - 1)
    return score


def candidates(ink: np.ndarray) -> tuple[int, list[Candidate]]:
    """The number of pieces and every candidate digit: runs of up to MAX_GROUP pieces."""
    pieces, line = _pieces(ink)
    if not pieces:
        return 0, []
    ink_mask, line_height, stroke = line.mask, float(line.height), max(1.0, line.stroke)
    row = _row(pieces)
    out = []
    for i in range(len(pieces)):
        group = pieces[i]
        for j in range(i + 1, min(i + MAX_GROUP, len(pieces)) + 1):
            if j > i + 1:
                p = pieces[j - 1]
                group = Segment(min(group.left, p.left), max(group.right, p.right), group.mask | p.mask,
                                group.components | p.components, group.guessed_cuts ^ p.guessed_cuts)
            crop = group.crop(ink)
            if crop is None:
                continue
            alone = len(group.components) == 1 and _severed(group.mask, ink_mask) == 0
            # A dash is a piece of its own (a cut's flat end, a plus's arm, is none).
            mark = _mark(group, crop, line, row) if j == i + 1 and alone else None
            speck = is_speck(crop, image_side=max(ink.shape))
            if speck and j > i + 1:
                continue  # several pieces that together are a speck: the single ones cover it
            small = mark == COMMA and is_no_digit_mark(_box(group), row[1] - row[0], row[1])
            out.append(Candidate(i, j, crop, _prior(group, line_height, stroke, ink_mask), speck, alone, group.mask,
                                 mark=mark, components=group.components, small=small,
                                 guessed=bool(group.guessed_cuts)))
    return len(pieces), out


def _row(pieces: list[Segment]) -> tuple[float, float]:
    """The top and foot of the line the pieces make (number_marks.row_of)."""
    spans = [(r[0], r[-1] + 1) for r in (np.flatnonzero(p.mask.any(axis=1)) for p in pieces) if r.size]
    return row_of(spans)[1:]


def _box(piece: Segment) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of a piece's ink, exclusive ends."""
    rows = np.flatnonzero(piece.mask.any(axis=1))
    return int(rows[0]), int(rows[-1]) + 1, piece.left, piece.right


def _mark(piece: Segment, crop: np.ndarray, line: _Line, row: tuple[float, float]) -> str | None:
    """DASH or COMMA when a piece of its own (a cut's flat end, a plus's arm, is none) is shaped and
    placed as one on the ``row`` of digits (number_marks.is_dash, is_comma), with no other ink above
    or below it (a broken 5's bar, a broken 1's foot); POINT for a dot low on the line, wherever it
    stands; else None."""
    tall, wide = crop.shape
    top, bottom = row
    if wide < DASH_FLAT * tall and tall > COMMA_TALL * (bottom - top):
        return None  # the usual case, decided at once: a digit
    box = _box(piece)
    alone = not (line.mask[:, piece.left : piece.right] & ~piece.mask[:, piece.left : piece.right]).any()
    if alone and is_dash(box, bottom - top, (top + bottom) / 2, piece.mask[box[0] : box[1], box[2] : box[3]], line.stroke):
        return DASH
    # A point may stand under a digit's overhang (the 2 of "89.2" reaches over it): a dot low on the
    # line is left out of the path wherever it stands, for number_marks to read ("89.2" read 892).
    if ((box[0] + box[1]) / 2 >= top + POINT_LOW * (bottom - top)
            and is_dot(box, int(np.count_nonzero(piece.mask)), bottom - top, line.stroke)):
        return POINT
    return COMMA if alone and is_comma(box, bottom - top, top, bottom, line.stroke) else None


def farness(cands: list[Candidate]) -> np.ndarray:
    """(candidates, 10): log of how much farther each candidate is from each class's shape
    (digit_shapes) than a typical MNIST digit of that class is; 0 for specks."""
    far = np.zeros((len(cands), 10))
    real = [k for k, c in enumerate(cands) if not c.speck]
    if real:
        d = digit_shapes.distances(np.stack([cands[k].input28 for k in real]))
        far[real] = np.log(np.maximum(d, 1e-6) / digit_shapes.reference())
    return far


def _geometry(cands: list[Candidate], far: np.ndarray, writer: tuple[float, float] | None = None) -> np.ndarray:
    """(candidates, 10): log-likelihood of each candidate's width to height (ASPECT) and shape
    for each class. ``writer`` is how this writer's digits typically differ from MNIST's: in log
    width to height, and in log farness (a pen unlike MNIST's makes every digit far); only the
    shape farther than that costs, SHAPE_WEIGHT per log unit. Without it, being wider than the
    class is usual costs (two digits read as one) but narrower does not: people write narrow
    digits, and fragments pay for their shape and their cuts."""
    aspect = np.log([c.crop.shape[1] / c.crop.shape[0] for c in cands])
    mean, sd = ASPECT[:, 0] + (writer[0] if writer else 0.0), ASPECT[:, 1] * ASPECT_SPREAD
    off = aspect[:, None] - mean[None, :]
    size = -0.5 * ((off if writer else np.maximum(off, 0.0)) / sd[None, :]) ** 2
    return size - SHAPE_WEIGHT * np.maximum(far - (writer[1] if writer else 0.0), 0.0)


def class_scores(cands: list[Candidate], probs: np.ndarray) -> np.ndarray:
    """Each candidate's log-likelihood of being a digit, given the model's probabilities of the
    ten classes: the best over classes of the probability plus the class's geometry (_geometry)."""
    return (np.log(np.clip(probs, 1e-6, 1.0)) + _geometry(cands, farness(cands))).max(axis=1)


def _path(n_pieces: int, cands: list[Candidate], scores: np.ndarray) -> list[int]:
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


def best_path(n_pieces: int, cands: list[Candidate], scores: np.ndarray, far: np.ndarray | None = None) -> list[int]:
    """Indices of the digits, left to right, whose scores plus priors sum highest over all the pieces.

    ``scores`` holds the model's log-probability of its surest class per candidate (the class
    whose shape and width fit best then sets the geometric prior), or its probabilities of the
    ten classes per candidate (see class_scores). Specks' rows are ignored: they may be left out
    at SPECK_SKIP. Every piece belongs to exactly one candidate of the path. ``far``: farness(cands)
    when the caller has it (a caller that chooses several paths among the same candidates, some of
    them taken for specks, measures their shapes once).
    """
    scores = np.asarray(scores, dtype=float)
    # (candidates, 10) log-probabilities; with the surest class's only, the same for every class.
    log_probs = np.log(np.clip(scores, 1e-6, 1.0)) if scores.ndim == 2 else np.repeat(scores[:, None], 10, 1)
    far = farness(cands) if far is None else far
    both = log_probs + _geometry(cands, far)
    path = _path(n_pieces, cands, both.max(axis=1))
    if not path:
        return path
    # How this writer differs from MNIST, from the first path's digits (the median: a wrong digit
    # or two do not move it): then a second path, judged against this writer's own habits.
    # Its width to height from the digits that stand alone (one component, uncut), else all.
    cls = both[path].argmax(axis=1)
    aspect = np.log([cands[k].crop.shape[1] / cands[k].crop.shape[0] for k in path]) - ASPECT[cls, 0]
    alone = [n for n, k in enumerate(path) if cands[k].alone] or list(range(len(path)))
    writer = (float(np.median(aspect[alone])), max(0.0, float(np.median(far[path, cls]))))
    return _path(n_pieces, cands, (log_probs + _geometry(cands, far, writer)).max(axis=1))


def encloses(ink: np.ndarray, tall: float = ENCLOSED_TALL, bar_tall: float = ENCLOSED_TALL) -> bool:
    """Ink inside a loop of other ink, as no number has it (its digits stand side by side): a face's
    eyes and mouth in its circle (two pieces or more in one loop, not all specks), a digit or a
    number circled (one piece at least ``tall`` of the loop's height, ``bar_tall`` for a bar); not a zero's dot or bar,
    its inner ring, nor dust in a 0 or an 8. Cut into columns, a face
    read "13" as surely as any number (a hostile pass: 16 of 20 faces). More pieces than a number
    has is no number either way, and is left to candidates (TooManyPieces)."""
    labels, n = label(ink > INK_LEVEL)
    if n < 2:
        return False
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    pieces = np.flatnonzero(sizes >= ENCLOSED_DUST * sizes.max()) + 1
    if pieces.size < 2 or pieces.size > MAX_COMPONENTS:
        return False
    ink_mask = labels > 0
    # The paper reached from the image's border, the ink grown by a pixel so that a loop closed but
    # for a pixel still closes.
    outside = at_border(*label(~grown(ink_mask)))
    inside = np.setdiff1d(pieces, labels[grown(grown(outside)) & ink_mask])
    if inside.size == 0:
        return False
    where = boxes_of(labels, n)
    held: dict[int, list[bool]] = {}  # loop -> whether each piece it holds is more than a speck
    for k in inside:
        t, b, lf, r = where[k - 1]
        # Its loop: the smallest other piece whose box holds its box.
        loops = [m for m in pieces if m not in inside and where[m - 1, 0] <= t and where[m - 1, 1] >= b
                 and where[m - 1, 2] <= lf and where[m - 1, 3] >= r]
        if not loops:
            continue
        loop = min(loops, key=lambda m: (where[m - 1, 1] - where[m - 1, 0]) * (where[m - 1, 3] - where[m - 1, 2]))
        loop_tall, wide = where[loop - 1, 1] - where[loop - 1, 0], where[loop - 1, 3] - where[loop - 1, 2]
        if b - t >= ENCLOSED_RING[0] * loop_tall and r - lf >= ENCLOSED_RING[1] * wide:
            continue  # a zero gone over twice: its inner ring
        crop = np.where(labels[t:b, lf:r] == k, ink[t:b, lf:r], 0.0)
        held.setdefault(loop, []).append(not is_speck(crop, image_side=max(ink.shape)))
        bar = r - lf <= BAR_STROKES * stroke_width(crop)
        # Two pieces in one loop, one of them more than a speck (a face's mouth; specks alone are dust
        # in a 0 or an 8's loops), or one piece tall in its loop (a digit circled).
        if (len(held[loop]) >= 2 and any(held[loop])) or b - t >= (bar_tall if bar else tall) * loop_tall:
            return True
    return False


def stacked(mask: np.ndarray) -> bool:
    """Ink in lines one under another (STACK_BAND, STACK_GAP, STACK_GAP_TWO), as no number in one row has it."""
    rows = mask.any(axis=1)
    edges = np.flatnonzero(np.diff(np.concatenate([[False], rows, [False]]).astype(np.int8)))
    bands = edges.reshape(-1, 2)  # (top, bottom) of each run of inked rows, bottom exclusive
    if len(bands) < 2:
        return False
    heights = bands[:, 1] - bands[:, 0]
    tall = bands[heights >= STACK_BAND * heights.max()]
    gaps = tall[1:, 0] - tall[:-1, 1]
    return bool(np.any(gaps >= (STACK_GAP if len(tall) >= 3 else STACK_GAP_TWO) * heights.max()))


def lean(crop: np.ndarray) -> float:
    """How far the ink's long axis leans from upright, in degrees (> 0: its top to the right), from
    its second moments: a 1's lean, whatever its width."""
    h, w = crop.shape
    total = float(crop.sum())
    if total <= 0:
        return 0.0
    ys, xs = np.mgrid[:h, :w]
    my, mx = float((ys * crop).sum()) / total, float((xs * crop).sum()) / total
    cov_xy = float(((xs - mx) * (ys - my) * crop).sum()) / total
    var_y = float(((ys - my) ** 2 * crop).sum()) / total
    # x = -shear * y fits the ink (rows grow downwards): a top to the right is a negative slope.
    return float(np.degrees(np.arctan2(-cov_xy, max(var_y, 1e-6))))


def split_digits(ink: np.ndarray, scores: np.ndarray | None = None) -> list[np.ndarray]:
    """Tight crops of each digit's ink, left to right; by shape alone unless ``scores`` given."""
    n, cands = candidates(ink)
    if scores is None:
        # Shape alone: the priors decide, and of equal splits the one with fewer digits wins.
        scores = np.full(len(cands), SHAPE_ONLY_DIGIT)
    return [cands[k].crop for k in best_path(n, cands, scores)]
