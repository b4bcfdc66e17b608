"""What on the page is not the digit: ruled lines, a margin, a printed box, an underline, a
scanner's border, specks.

A photo or scan of one written digit brings its paper's marks along, and read whole, the digit's
box spans them. A pass with inputs made outside this project found that 0 of 40 digits were read
on ruled paper with a margin, in a printed box, with 1% scanner speckle or a black scan border,
and an underline turned 9s into 2s. ``digit_only`` zeroes such marks in the ink at work scale:

- pieces of clear ink (connected components) that are
  - a line: reaching LINE_SPAN of the image's side, thin (LINE_FLAT of its length, LINE_THICK of
    the image across it), LINE_OVER times as long as the rest of the ink is along it and reaching
    LINE_BEYOND past it at both ends: an underline or a margin, not a 1 beside its detached foot
    or a 7's bar in a tight crop;
  - a frame: a rectangular outline (FRAME_EDGE of its pixels near its box's edges, FRAME_FILL of
    the box inked) reaching LINE_SPAN of both sides with all the rest inside it: a printed box, a
    scanner's border along two sides; not a drawn circle (a smiley kept its eyes and mouth);
  - a speck: under SPECK_SHARE of the largest piece and off the rest's box, while specks are not
    most of the ink (noise is left to the not-a-digit rule);
- lines running edge to edge through the digit (ruled paper: runs along a row of LINE_SPAN of the
  width, in bands no thicker than LINE_THICK, reaching LINE_BEYOND past the rest at both ends),
  less where a stroke crosses them (ink within CROSS px above and below).

Nothing is zeroed when little else would remain (REST_SHARE): a blank ruled page, a lone line or
a 1 with a fleck of its serif are read as they are. Only ink that could hold such marks is split
(its box touches the image's edge, has a blank row or column inside, or spans LINE_SPAN of both
sides); a digit in the middle of clean paper costs two projections. On every benchmark set and
30,000 MNIST training digits no answer changed; the drawing pad triggers the split for 2% of
drawings (30 us on average).
"""
from __future__ import annotations

import numpy as np

from desktop.engine.components import label

LINE_SPAN = 0.6
LINE_FLAT = 0.15
LINE_THICK = 0.06
LINE_OVER = 1.5
LINE_BEYOND = 0.1
FRAME_FILL = 0.25
FRAME_BAND, FRAME_EDGE = 0.1, 0.8  # FRAME_EDGE of a frame's pixels lie within FRAME_BAND of its box's side from its edges
REST_SHARE = 0.25
SPECK_SHARE = 0.03
SPECK_MARGIN, SPECK_MARGIN_PX = 0.1, 2  # "off the rest's box": this share of its size away, at least these pixels
SPECKS_MAX = 0.5  # specks outweighing half the kept ink are no clutter but the image itself
CROSS = 3


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _may_hold_clutter(mask: np.ndarray) -> bool:
    rows, cols = mask.any(axis=1), mask.any(axis=0)
    top, bottom = int(rows.argmax()), rows.size - int(rows[::-1].argmax())
    left, right = int(cols.argmax()), cols.size - int(cols[::-1].argmax())
    h, w = mask.shape
    touches = top == 0 or left == 0 or bottom == h or right == w
    gap = not rows[top:bottom].all() or not cols[left:right].all()
    large = bottom - top >= LINE_SPAN * h and right - left >= LINE_SPAN * w
    return touches or gap or large


def _grown(mask: np.ndarray) -> np.ndarray:
    """The mask and its 8 neighbours: a removed line's anti-aliased edge goes with it."""
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    grown = out.copy()
    grown[:, 1:] |= out[:, :-1]
    grown[:, :-1] |= out[:, 1:]
    return grown


def _long_runs(mask: np.ndarray) -> np.ndarray:
    """The pixels of runs along the rows at least LINE_SPAN of the width long: ruled lines, borders."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    row, start = np.nonzero(step == 1)
    _, end = np.nonzero(step == -1)
    long = end - start >= LINE_SPAN * w
    runs = np.zeros_like(mask)
    for r, a, b in zip(row[long], start[long], end[long]):
        runs[r, a:b] = True
    return runs


def _uncrossed(runs: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """Long runs along the rows that are lines through the ink: reaching LINE_BEYOND of the width
    past the rest of the ink on both sides (a bar that does not is the digit's own: a 7's in a tight
    crop), less where a stroke crosses them."""
    cols = np.flatnonzero(rest.any(axis=0))
    beyond = max(2, round(LINE_BEYOND * runs.shape[1]))
    reach = runs[:, : max(cols[0] - beyond + 1, 0)].any(axis=1) & runs[:, cols[-1] + beyond :].any(axis=1)
    # Thin bands of such rows only: a stroke of a 1 or a 4 cropped tight is many such runs side by side.
    edges = np.flatnonzero(np.diff(np.concatenate(([0], reach.astype(np.int8), [0]))))
    thin = np.zeros_like(reach)
    for a, b in zip(edges[::2], edges[1::2]):
        thin[a:b] = b - a <= max(1, LINE_THICK * runs.shape[0])
    if not thin.any():
        return np.zeros_like(runs)
    runs = runs & thin[:, None]  # a run reaching past both sides is one run: the row's only long one
    above, below = np.zeros_like(rest), np.zeros_like(rest)
    for k in range(1, CROSS + 1):
        above[k:] |= rest[:-k]
        below[:-k] |= rest[k:]
    return runs & ~(above & below)


def _lines_through(mask: np.ndarray) -> np.ndarray:
    """The pixels of lines running edge to edge through the ink, along the rows or the columns."""
    across, down = _long_runs(mask), _long_runs(mask.T).T
    rest = mask & ~across & ~down
    longest = max(int(across.sum(axis=1).max()), int(down.sum(axis=0).max()))
    if longest == 0 or rest.sum() < REST_SHARE * longest:
        return np.zeros_like(mask)  # nothing but lines (a blank ruled page): read as it is
    return _uncrossed(across, rest) | _uncrossed(down.T, rest.T).T


def _rectangular(piece: np.ndarray) -> bool:
    """Most of the piece lies along the edges of its box: a printed box, not a drawn circle (a
    smiley's face, whose eyes and mouth would be read alone)."""
    h, w = piece.shape
    band = max(2, round(FRAME_BAND * min(h, w)))
    inner = piece[band:-band, band:-band].sum() if h > 2 * band and w > 2 * band else 0
    return piece.sum() - inner >= FRAME_EDGE * piece.sum()


def _line(length: int, thick: int, side: int, across: int, start_past: int, end_past: int, rest: int) -> bool:
    """A piece is a line along a side ``side`` long (``across`` the other): long, flat and thin, much
    longer than the rest of the ink is along it and reaching past it at both ends (a 1 beside its
    detached foot is no underline: it does not reach past the foot at its own foot's end)."""
    beyond = max(2, round(LINE_BEYOND * side))
    return (length >= LINE_SPAN * side and thick <= LINE_FLAT * length and thick <= max(2, LINE_THICK * across)
            and length >= LINE_OVER * rest and start_past <= -beyond and end_past >= beyond)


def _pieces_off(mask: np.ndarray) -> np.ndarray:
    """The pixels of pieces of clear ink that are lines, frames or specks (see the module's doc)."""
    labels, n = label(mask)
    none = np.zeros_like(mask)
    if n < 2:
        return none
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    h, w = mask.shape
    boxes = [_box(labels == i + 1) for i in range(n)]
    specks = sizes < SPECK_SHARE * sizes.max()
    if specks.any():
        # Only specks off the rest's box: those near it change the digit's box by a pixel or two, and
        # at low resolution such a fleck is the end of a stroke (a 9 cropped tight lost one and read 4).
        top, bottom, left, right = (f(b[k] for b, s in zip(boxes, specks) if not s)
                                    for k, f in enumerate((min, max, min, max)))
        margin = max(SPECK_MARGIN_PX, round(SPECK_MARGIN * max(bottom - top, right - left)))
        specks &= np.array([b[1] <= top - margin or b[0] >= bottom + margin or b[3] <= left - margin
                            or b[2] >= right + margin for b in boxes])
    if sizes[specks].sum() > SPECKS_MAX * sizes[~specks].sum():
        specks[:] = False
    kept = ~specks
    for i in np.flatnonzero(kept):
        top, bottom, left, right = boxes[i]
        rest = [boxes[j] for j in np.flatnonzero(kept) if j != i]
        if not rest:
            break
        r_top, r_bottom = min(b[0] for b in rest), max(b[1] for b in rest)
        r_left, r_right = min(b[2] for b in rest), max(b[3] for b in rest)
        tall, wide = bottom - top, right - left
        line = (_line(wide, tall, w, h, left - r_left, right - r_right, r_right - r_left)
                or _line(tall, wide, h, w, top - r_top, bottom - r_bottom, r_bottom - r_top))
        frame = (tall >= LINE_SPAN * h and wide >= LINE_SPAN * w and sizes[i] <= FRAME_FILL * tall * wide
                 and top < r_top and r_bottom < bottom and left < r_left and r_right < right
                 and _rectangular(labels[top:bottom, left:right] == i + 1))
        if frame or (line and sizes[kept].sum() - sizes[i] >= REST_SHARE * sizes[i]):
            kept[i] = False
    return none if kept.all() else np.isin(labels, np.flatnonzero(~kept) + 1)


def digit_only(ink: np.ndarray, level: float) -> np.ndarray:
    """``ink`` (white on black, work scale) with the paper's marks zeroed; ``ink`` itself when none.
    ``level``: the strength of clear ink (the digit's box is that of the ink above it)."""
    mask = ink > level
    if not mask.any() or not _may_hold_clutter(mask):
        return ink
    # Pieces first (a printed box is one piece, a frame, until its sides are cut off as lines), then
    # lines through the ink, then the pieces those leave (a margin cut free of the ruled lines).
    removed = _pieces_off(mask)
    removed |= _lines_through(mask & ~removed)
    removed |= _pieces_off(mask & ~removed)
    if not removed.any():
        return ink
    out = ink.copy()
    out[removed | (_grown(removed) & ~mask)] = 0.0  # the digit's own clear ink is never touched
    return out
