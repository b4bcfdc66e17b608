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
    scanner's border along two sides; not a drawn circle (a smiley kept its eyes and mouth), but
    in one-digit mode a ring or box drawn round one digit is (_round_one_digit);
  - a line drawn under the digit, judged against the digit alone (_under_digit);
  - in one-digit mode, a form's print reaching LINE_SPAN of a side and an edge of the image (a
    comb's base and ticks, a divider), thinner than the writer's strokes;
  - in one-digit mode, a strip from a corner of the image along a side (STRIP: a desk's wedge);
  - a speck: under SPECK_SHARE of the largest piece and off the rest's box, while specks are not
    most of the ink (noise is left to the not-a-digit rule);
- lines running edge to edge through the digit (ruled paper: runs along a whole row, in bands no
  thicker than LINE_THICK of the image nor LINE_STROKE of the writer's strokes measured alike,
  reaching LINE_BEYOND past the rest at both ends, across a digit that leaves LINE_ROOM for them:
  not a tight crop's own bar), less where a stroke crosses them (ink within CROSS px above and below);
- in one-digit mode, a ring or box drawn round the digit and touching it, peeled off (_ring_touching);
- in one-digit mode, slivers along the image's edges clear of the digit (_slivers: a page's edge in a photo).

Nothing is zeroed when little else would remain (REST_SHARE): a blank ruled page, a lone line or
a 1 with a fleck of its serif are read as they are. Only ink that could hold such marks is split
(its box touches the image's edge, has a blank row or column inside, spans LINE_SPAN of both
sides, or looks boxed, underlined or ringed from a few rows and columns); a digit in the middle of
clean paper costs two projections and a few lines. On every benchmark set and
30,000 MNIST training digits no answer changed; the drawing pad triggers the split for 2% of
drawings (30 us on average).
"""
from __future__ import annotations

import numpy as np

from desktop.engine.components import at_border, box_of, boxes, grown, label, largest, run_pixels, runs, stroke_width

LINE_SPAN = 0.6
LINE_FLAT = 0.15
LINE_THICK = 0.06
LINE_OVER = 1.5
LINE_BEYOND = 0.1
FRAME_FILL = 0.25
FORM_BOX = 0.25  # a form's box round a digit is at least this share of the image's shorter side across
FRAME_BAND, FRAME_EDGE = 0.1, 0.8  # FRAME_EDGE of a frame's pixels lie within FRAME_BAND of its box's side from its edges
REST_SHARE = 0.25
SPECK_SHARE = 0.03
SPECK_MARGIN, SPECK_MARGIN_PX = 0.1, 2  # "off the rest's box": this share of its size away, at least these pixels
SPECKS_MAX = 0.5  # specks outweighing half the kept ink are no clutter but the image itself
CROSS = 3
LINE_ROOM = 0.8  # lines through the ink are cut only when the rest spans less than this across them
LINE_STROKE = 0.7  # a line of the paper is thinner than this share of the writer's stroke
MIN_SIDE = 40  # px at work scale: smaller images are left as they are (a folder of 28x28 files ran 14% slower)
EDGE_GAP = 1  # px: a ruled line or a margin runs to the image's edges, within this
# An underline under one digit, however short beside the page: a piece whose box is at most UNDER_TILT
# as tall as it is wide (a hand's line slopes) is looked at; it must be thin (no thicker, column by
# column, than UNDER_STROKES of the digit's strokes: one line, or two drawn close that touch), UNDER_LONG
# of the digit's height long, its top no higher than UNDER_OVERLAP of that height above the digit's foot
# (an outside evaluation's underlined font digits: 0.76-1.0 of the height; a 9 read 2 and a 4 read 1
# with it, 14-20% of them), however far under it (a page's edge or last ruled line far under a
# number is no digit either; a limit at half the digit's height lost two such readings to save a font's
# hairline 2, whose base stood apart at work scale). Under a 1 or a 7 a line may be shorter, UNDER_SHORT
# of the height, when it stands clear of the digit's foot (UNDER_CLEAR strokes and UNDER_GAP_PX at
# least): a 1's base touches its foot or stands a stroke under it. Two lines, one under the other, are
# each judged against the digit alone (a fourth outside evaluation's double underlines: a 9 read a
# sure 2 in 13 of 40).
UNDER_TILT, UNDER_STROKES, UNDER_LONG, UNDER_SHORT, UNDER_OVERLAP = 0.35, 2.5, 0.7, 0.4, 0.05
UNDER_CLEAR, UNDER_GAP_PX = 2.0, 2
UNDER_OVER = 1.1  # ...and this many times as long as the digit is wide (a 0's or an 8's underline: 1.2-1.5)
UNDER_BAND = 0.25  # a line close under the digit is looked for in this share of the ink's height from its foot
UNDER_TIP, UNDER_PAST = 0.1, 0.25  # see _under_digit
RING_HELD, RING_REST = 0.5, 0.1  # a ring or box drawn round one digit: see _pieces_off
RING_BIT = 0.1  # pieces left inside a ring under this share of the largest are bits of its edge, not of the digit
RING_HOLE, RING_PEEL, RING_STRAIGHT, RING_CORE = 0.3, 1.5, 0.12, 0.6  # ...and one touching it: see _ring_touching
# In one-digit mode, a piece lying wholly within SLIVER of the image's shorter side from its edges and
# SLIVER_OFF of the rest's size off the rest's box: a page's or a desk's edge left by the light taken
# off a photo (an outside evaluation's phone photos of a page: 84% -> 90% right and sure), when the
# rest stands clear of the edges. A digit's own stroke along the edge joins the digit, or (a 5's bar
# cropped tight) stands no farther from it than a stroke.
SLIVER, SLIVER_OFF = 0.04, 0.1
# In one-digit mode, a piece from a corner of the image along a side, at least STRIP_LONG of that
# side long and no wider than STRIP of the image across it, beside a digit clear of the edges: a
# strip or wedge of desk, or the page's edge, in a photo of a page. It outweighed a thin pen's digit,
# whose pieces were then specks beside it, and read a sure 1 (an outside evaluation's photos: 7 of its
# 11 digits read wrong and sure; its pages with the desk in wedges 59.3 -> 78.0% right and sure). A 1
# cropped tight fills its image's width; one with a margin stands apart from the sides. Number mode
# keeps it: a number cropped tight starts with its 1 at the image's edge.
STRIP, STRIP_LONG, STRIP_OFF = 0.1, 0.25, 0.25
# All the ink of a photo or a scan lying along one edge, reaching it (EDGE_GAP) and no farther than
# STRIP of the image from it, EDGE_LONG times as long as it is thick: the edge of a shadow across
# blank paper or a sliver of paper beside a black blob, no digit (an outside evaluation's blank
# pages in shade and mostly black photos: 10 of 200 read as sure digits, 6 of them a 1; now 7). A
# digit photographed or scanned stands clear of the edges: a 1 a few pixels from one is read (an
# outside review: 13 of 41 1s 1-6% from an edge were "no digit" with the ink not made to reach it).
EDGE_LONG = 3.0


def _may_hold_clutter(mask: np.ndarray) -> bool:
    rows, cols = mask.any(axis=1), mask.any(axis=0)
    top, bottom = int(rows.argmax()), rows.size - int(rows[::-1].argmax())
    left, right = int(cols.argmax()), cols.size - int(cols[::-1].argmax())
    h, w = mask.shape
    touches = top == 0 or left == 0 or bottom == h or right == w
    gap = not rows[top:bottom].all() or not cols[left:right].all()
    large = bottom - top >= LINE_SPAN * h and right - left >= LINE_SPAN * w
    if touches or gap or large:
        return True
    ink = mask[top:bottom, left:right]
    return _boxed(ink) or _underlined(ink) or _ringed(ink)


def _underlined(ink: np.ndarray) -> bool:
    """The ink's lowest UNDER_BAND reaches past the rest at both ends: maybe a line under a digit
    that leaves no blank row above it (a sloping line, or one drawn close under the digit's foot).
    ``ink`` is cropped to its box with every column inked, so only its first and last columns tell."""
    band = max(2, round(UNDER_BAND * ink.shape[0]))
    return ink.shape[0] > band and not ink[:-band, 0].any() and not ink[:-band, -1].any()


def _ringed(ink: np.ndarray) -> bool:
    """Maybe a ring drawn round a digit: a row and a column across the middle of the ink's box (cropped
    to it) that each meet ink three times or more, first and last at the box's sides (the ring, the
    digit, the ring). A 0, an 8, a 6 or a 9 meets a row across its middle twice at most."""
    h, w = ink.shape
    band = max(1, round(FRAME_BAND * min(h, w)))
    return _crossed(ink[[h // 3, h // 2, h - 1 - h // 3]], band) and _crossed(ink[:, [w // 3, w // 2, w - 1 - w // 3]].T, band)


def _crossed(lines: np.ndarray, band: int) -> bool:
    """One of the (k, n) lines meets ink in three runs or more, its first and last within ``band`` of its ends."""
    runs = np.count_nonzero(lines[:, 1:] & ~lines[:, :-1], axis=1) + lines[:, 0]
    return bool(np.any((runs >= 3) & lines[:, :band].any(axis=1) & lines[:, -band:].any(axis=1)))


def _boxed(ink: np.ndarray) -> bool:
    """The ink's box drawn round it: each of its outermost rows and columns (within a band, as a
    hand's box is not straight) inked along FRAME_EDGE of its length. A form's box round one digit."""
    h, w = ink.shape
    band = max(2, round(FRAME_BAND * min(h, w)))
    if h <= 2 * band or w <= 2 * band:
        return False
    sides = (ink[:band].any(axis=0), ink[-band:].any(axis=0), ink[:, :band].any(axis=1), ink[:, -band:].any(axis=1))
    return all(side.mean() >= FRAME_EDGE for side in sides)


def _edge_to_edge(mask: np.ndarray) -> np.ndarray:
    """The pixels of runs along the rows from the image's left edge to its right (within EDGE_GAP):
    ruled lines. A digit's bar stops short of an edge unless the digit is cropped tight, where the
    rest of the ink reaches the edges too and the bar is kept (_uncrossed)."""
    h, w = mask.shape
    row, start, end = runs(mask)
    edge = (start <= EDGE_GAP) & (end >= w - EDGE_GAP) & (end - start >= LINE_SPAN * w)
    lines = np.zeros((h, w), bool)  # C order, so ravel() is a view (mask may be a transposed one)
    lines.ravel()[run_pixels(row[edge], start[edge], end[edge], w)] = True
    return lines


def _uncrossed(lines: np.ndarray, rest: np.ndarray, stroke: float) -> np.ndarray:
    """Rows of edge-to-edge runs that are lines through the ink: in bands thinner than the writer's
    ``stroke`` (LINE_STROKE of it; a 7's bar drawn with a thin pen is as thick as its stem) and than
    LINE_THICK of the image (a 1 cropped tight is many such runs side by side), reaching LINE_BEYOND
    of the width past the rest of the ink on both sides, less where a stroke crosses them."""
    cols = np.flatnonzero(rest.any(axis=0))
    beyond = max(2, round(LINE_BEYOND * lines.shape[1]))
    reach = lines[:, : max(cols[0] - beyond + 1, 0)].any(axis=1) & lines[:, cols[-1] + beyond :].any(axis=1)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], reach.astype(np.int8), [0]))))
    thin = np.zeros_like(reach)
    for a, b in zip(edges[::2], edges[1::2]):
        # Measured as the strokes are (stroke_width: 2 x area / boundary), so a 1 px bar of a digit
        # drawn with a 1 px pen is as thick as its strokes, not half of them.
        thin[a:b] = b - a <= max(1, LINE_THICK * lines.shape[0]) and stroke_width(lines[a:b]) <= LINE_STROKE * stroke
    if not thin.any():
        return np.zeros_like(lines)
    above, below = np.zeros_like(rest), np.zeros_like(rest)
    for k in range(1, CROSS + 1):
        above[k:] |= rest[:-k]
        below[:-k] |= rest[k:]
    return lines & thin[:, None] & ~(above & below)


def _lines_through(mask: np.ndarray) -> np.ndarray:
    """The pixels of lines running edge to edge through the ink, along the rows or the columns."""
    across, down = _edge_to_edge(mask), _edge_to_edge(mask.T).T
    rest = mask & ~across & ~down
    longest = max(int(across.sum(axis=1).max()), int(down.sum(axis=0).max()))
    if longest == 0 or rest.sum() < REST_SHARE * longest:
        return np.zeros_like(mask)  # nothing but lines (a blank ruled page): read as it is
    stroke = stroke_width(rest)
    rows, cols = np.flatnonzero(rest.any(axis=1)), np.flatnonzero(rest.any(axis=0))
    h, w = mask.shape
    # A digit filling LINE_ROOM of the image across the lines is cropped (nearly) tight: its own bar
    # or base runs edge to edge (a 7's overshooting bar, a 2's long base, drawn with a thin pen, read
    # 1 and 7). Ruled lines leave the digit room above and below.
    lines = np.zeros_like(mask)
    if rows[-1] + 1 - rows[0] < LINE_ROOM * h:
        lines |= _uncrossed(across, rest, stroke)
    if cols[-1] + 1 - cols[0] < LINE_ROOM * w:
        lines |= _uncrossed(down.T, rest.T, stroke).T
    return lines


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


def _under_digit(labels: np.ndarray, i: int, digit: np.ndarray, box: np.ndarray, sizes: np.ndarray,
                 stroke: float) -> bool:
    """Piece ``i`` (``labels``' i + 1) is a line drawn under the ``digit`` (flags of the pieces that
    make it; ``box``: every piece's top, bottom, left, right; ``stroke``: the digit's): thin (its ink
    per column), its box sloping at most UNDER_TILT, under the digit's foot (UNDER_OVERLAP), as long
    as the digit is tall (UNDER_LONG; UNDER_SHORT clear of its foot), longer than it is wide
    (UNDER_OVER), reaching as far as the digit at both ends, and with the digit's tip (the middle of
    its lowest UNDER_TIP) in its middle half (UNDER_PAST from either end).

    A 2's base drawn apart starts at or near the 2's tip, where its stroke comes down: no underline
    (past the tip by a stroke or two, it read a sure 7: a review). A base starting a third of its
    length or more before the tip is one no rule here tells from a 7's underline: MNIST 2s with their
    base rows moved 2 px down read a sure 7 in 46 of 400 (a second review), 24 now that the line must
    reach as far as the digit (a 2's top often reaches further left than its base); asking such close
    lines for a tip nearer the middle saved more but lost real underlines drawn as close (two of the
    tests' photos). A 1's detached base is short, and at its foot."""
    top, bottom, left, right = box.T
    d_top, d_bottom = _others(top, digit, i, True), _others(bottom, digit, i, False)
    d_left, d_right = _others(left, digit, i, True), _others(right, digit, i, False)
    d_wide, tall = d_right - d_left, d_bottom - d_top
    length, thick = int(right[i] - left[i]), sizes[i] / max(int(right[i] - left[i]), 1)
    band = max(1, round(UNDER_TIP * tall))
    tip_cols = np.flatnonzero(np.isin(labels[d_bottom - band : d_bottom], np.flatnonzero(digit) + 1).any(axis=0))
    tip = (tip_cols[0] + tip_cols[-1]) / 2
    clear = top[i] - d_bottom >= max(UNDER_GAP_PX, UNDER_CLEAR * stroke)
    # A bold line (a marker under a pen's digit) is thin beside its length, as any line is.
    return bool(thick <= max(UNDER_STROKES * stroke, LINE_FLAT * length) and bottom[i] - top[i] <= UNDER_TILT * length
                and top[i] >= d_bottom - UNDER_OVERLAP * tall
                and length >= (UNDER_SHORT if clear else UNDER_LONG) * tall and length >= UNDER_OVER * d_wide
                and min(tip - left[i], right[i] - tip) >= UNDER_PAST * length and left[i] <= d_left and right[i] >= d_right)


def _round_one_digit(labels: np.ndarray, i: int, kept: np.ndarray, box: np.ndarray, sizes: np.ndarray) -> bool:
    """Piece ``i``, whose box holds all the other kept pieces', is a ring or a box drawn round one
    digit: one piece in it at least RING_HELD of its height and no straight stroke (a 0 with its
    slash apart inside read a sure 1: a review), the others together under RING_REST of that piece's
    ink. A smiley's mouth is shorter, or joined to an eye with the other eye beside it, and the face
    stays to be read as no digit."""
    top, bottom = box[:, 0], box[:, 1]
    inside = kept.copy()
    inside[i] = False
    held = np.flatnonzero(inside)[np.argmax((bottom - top)[inside])]
    return bool(bottom[held] - top[held] >= RING_HELD * (bottom[i] - top[i])
                and sizes[inside].sum() - sizes[held] < RING_REST * sizes[held] and not _straight(labels == held + 1))


def _others(values: np.ndarray, kept: np.ndarray, i: int, least: bool) -> int:
    """The least (or greatest) of ``values`` over the kept pieces but ``i``."""
    v = np.where(kept, values, np.iinfo(np.int64).max if least else -1)
    v[i] = np.iinfo(np.int64).max if least else -1
    return int(v.min() if least else v.max())


def _pieces_off(mask: np.ndarray, rings: bool = False, marks: bool = True) -> np.ndarray:
    """The pixels of pieces of clear ink that are lines, frames or specks (see the module's doc);
    ``rings``: one digit is read, and a ring drawn round it is a frame too; ``marks``: with ``rings``,
    a photo's or a scan's marks along the edges are looked for too (strips, slivers, a form's comb)."""
    labels, n = label(mask)
    none = np.zeros_like(mask)
    if n < 2:
        return none
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    h, w = mask.shape
    box = boxes(labels, n)
    top, bottom, left, right = box.T
    photo = rings and marks
    strips = _strips(box, h, w) if photo else np.zeros(n, bool)
    if strips.any():
        # Only beside a digit clear of the edges (its largest piece), and STRIP_OFF of its size away
        # from it: nothing else, an image half dark whose edge is in arcs along the sides, or a 7's
        # bar drawn apart along the image's top edge, is read as it is.
        big = int(np.argmax(np.where(strips, 0, sizes)))
        t, b, l, r = box[big]
        clear = not strips[big] and not _at_edge(t, b, l, r, h, w)
        strips &= clear & _apart(box, (t, b, l, r), STRIP_OFF * max(b - t, r - l))
    specks = sizes < SPECK_SHARE * sizes[~strips].max()
    if specks.any():
        # Only specks off the rest's box: those near it change the digit's box by a pixel or two, and
        # at low resolution such a fleck is the end of a stroke (a 9 cropped tight lost one and read 4).
        t, b, l, r = rest = _union(box, ~specks)
        specks &= _apart(box, rest, max(SPECK_MARGIN_PX, round(SPECK_MARGIN * max(b - t, r - l))))
    if sizes[specks].sum() > SPECKS_MAX * sizes[~specks].sum():
        specks[:] = False
    kept = ~specks & ~strips
    if photo:
        kept &= ~_slivers(labels, box, kept)
    # Only pieces reaching LINE_SPAN of a side can be lines or frames, and flat ones underlines: a
    # few, however many specks.
    flat = bottom - top <= UNDER_TILT * (right - left)
    # An underline is judged against the digit alone: the ink that is not flat (two lines under it
    # are not each other's digit).
    body = kept & ~flat
    body_stroke = stroke_width(np.isin(labels, np.flatnonzero(body) + 1)) if (flat & kept).any() and body.any() else 0.0
    # ...and a box drawn round the rest, however small in the image (a form's box round one digit).
    outer = ((top == top[kept].min()) & (bottom == bottom[kept].max())
             & (left == left[kept].min()) & (right == right[kept].max()))
    for i in np.flatnonzero(kept & ((bottom - top >= LINE_SPAN * h) | (right - left >= LINE_SPAN * w) | flat | outer)):
        if kept.sum() < 2:
            break
        r_top, r_bottom = _others(top, kept, i, True), _others(bottom, kept, i, False)
        r_left, r_right = _others(left, kept, i, True), _others(right, kept, i, False)
        tall, wide = int(bottom[i] - top[i]), int(right[i] - left[i])
        # A margin runs the page's height, top edge to bottom: a tall 1 beside smaller digits does not.
        margin = top[i] <= EDGE_GAP and bottom[i] >= h - EDGE_GAP
        line = (_line(wide, tall, w, h, left[i] - r_left, right[i] - r_right, r_right - r_left)
                or (margin and _line(tall, wide, h, w, top[i] - r_top, bottom[i] - r_bottom, r_bottom - r_top)))
        round_rest = (sizes[i] <= FRAME_FILL * tall * wide
                      and top[i] < r_top and r_bottom < bottom[i] and left[i] < r_left and r_right < right[i])
        frame = round_rest and _rectangular(labels[top[i] : bottom[i], left[i] : right[i]] == i + 1)
        if rings and round_rest and outer[i] and not frame:
            frame = _round_one_digit(labels, i, kept, box, sizes)
        digit = body & kept
        under = flat[i] and digit.any() and _under_digit(labels, i, digit, box, sizes, body_stroke)
        if under:
            # A 2's base drawn apart and as long is taken for one too ("7" at 99.8%: a code review):
            # no gap, length or pen tells them apart, and a stroke's gap lost most underlines.
            if sizes[kept].sum() - sizes[i] >= REST_SHARE * sizes[i]:
                kept[i] = False
            continue
        # In one-digit mode, a form's print cut with the digit from its row of boxes: a comb (a base
        # line with ticks), a divider, a box's corner, any shape reaching LINE_SPAN of a side and an
        # edge of the image, when it is thinner than the writer's strokes (below). Neither a line
        # nor a frame, it joined the digit's box (an outside evaluation's form crops: 44% right
        # and sure, most of the rest "not a digit"; now 73%).
        comb = photo and (wide >= LINE_SPAN * w or tall >= LINE_SPAN * h) and _at_edge(*box[i], h, w)
        if not (frame or line or comb):
            continue
        # Thinner than the writer's strokes: the paper's (a printed box, a ruled margin). As thick: the
        # writer's own (a 1's detached base, a 0 drawn boxy, a 7's bar cropped tight), unless it is a
        # frame along the whole image (a scanner's border).
        rest = (labels > 0) & (labels != i + 1) & kept[np.maximum(labels - 1, 0)]
        own = stroke_width(labels[top[i] : bottom[i], left[i] : right[i]] == i + 1) > LINE_STROKE * stroke_width(rest)
        border = frame and tall >= h - 2 * EDGE_GAP and wide >= w - 2 * EDGE_GAP
        # A box round the rest is no stroke of a digit, whatever its pen: drawn by the hand that wrote
        # the digit, it was kept, and an outside evaluation's boxed digits were "not a digit".
        if own and not (border or frame):
            continue
        if frame or sizes[kept].sum() - sizes[i] >= REST_SHARE * sizes[i]:
            kept[i] = False
    return none if kept.all() else np.isin(labels, np.flatnonzero(~kept) + 1)


def _strips(box: np.ndarray, h: int, w: int) -> np.ndarray:
    """Which pieces (of ``box``, their boxes, in an image ``h`` x ``w``) are strips along a side (STRIP)."""
    top, bottom, left, right = box.T
    ends = (top <= EDGE_GAP) | (bottom >= h - EDGE_GAP)
    sides = (left <= EDGE_GAP) | (right >= w - EDGE_GAP)
    down = ends & sides & (right - left <= STRIP * w) & (bottom - top >= STRIP_LONG * h)
    across = ends & sides & (bottom - top <= STRIP * h) & (right - left >= STRIP_LONG * w)
    return down | across


def _slivers(labels: np.ndarray, box: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Which pieces (of ``box``, their boxes) are slivers along the image's edges (SLIVER), among
    the ``kept`` ones; none when the rest reaches an edge itself (a tight crop, an image half dark)."""
    h, w = labels.shape
    band = max(2, round(SLIVER * min(h, w)))
    inside = np.zeros(len(box) + 1, bool)
    inside[np.unique(labels[band : h - band, band : w - band])] = True
    along = ~inside[1:]  # every pixel within ``band`` of an edge
    rest = kept & ~along
    if not rest.any():
        return np.zeros(len(box), bool)
    t, b, l, r = _union(box, rest)
    if _at_edge(t, b, l, r, h, w):
        return np.zeros(len(box), bool)
    return along & kept & _apart(box, (t, b, l, r), max(2, round(SLIVER_OFF * max(b - t, r - l))))


def along_an_edge(box: tuple[int, int, int, int], h: int, w: int) -> bool:
    """Whether ink whose box is ``box`` (top, bottom, left, right; exclusive ends) in an image ``h`` x
    ``w`` lies along one of its edges, reaching it and within STRIP of it (see EDGE_LONG)."""
    top, bottom, left, right = box
    tall, wide = bottom - top, right - left
    return (tall >= EDGE_LONG * wide and _hugs(left, right, w)) or (wide >= EDGE_LONG * tall and _hugs(top, bottom, h))


def _hugs(start: int, end: int, side: int) -> bool:
    """Whether a span [start, end) across a side ``side`` long reaches one of its ends (EDGE_GAP) and
    lies within STRIP of it."""
    return (start <= EDGE_GAP and end <= STRIP * side) or (start >= (1 - STRIP) * side and end >= side - EDGE_GAP)


def _union(box: np.ndarray, which: np.ndarray) -> tuple[int, int, int, int]:
    """The box (top, bottom, left, right) round the boxes ``which`` selects."""
    return int(box[which, 0].min()), int(box[which, 1].max()), int(box[which, 2].min()), int(box[which, 3].max())


def _at_edge(top, bottom, left, right, h: int, w: int):
    """A box (exclusive ends; numbers, or arrays of them) reaches the image's edge, within EDGE_GAP."""
    return (top <= EDGE_GAP) | (left <= EDGE_GAP) | (bottom >= h - EDGE_GAP) | (right >= w - EDGE_GAP)


def _apart(box: np.ndarray, other: tuple[int, int, int, int], margin: float) -> np.ndarray:
    """Which of the boxes stand at least ``margin`` off the box ``other`` (top, bottom, left, right)."""
    t, b, l, r = other
    top, bottom, left, right = box.T
    return (bottom <= t - margin) | (top >= b + margin) | (right <= l - margin) | (left >= r + margin)


def _ring_touching(mask: np.ndarray) -> np.ndarray:
    """The pixels of a ring (or a box) drawn round one digit and touching it, so that both are one
    piece: the largest piece's ink within RING_PEEL of its strokes of the paper round it, when that
    piece holds paper inside (RING_HOLE of what it encloses) and what is left of it inside holds a
    piece at least RING_HELD of its height that is no straight stroke (a 0 slashed through is no
    digit in a ring). A 0, a 6, an 8 or a 9 is all near the paper round it: nothing is left inside.
    A 0 pressed against its box along a side leaves an arc, read as a 1: no measure tried (the
    arc's width, the ring's ink, where it touches) told it from a digit touching its ring.
    Read whole, such a digit was a sure 0 or "not a digit" (an outside set: 23% of circled digits
    a sure 0, 93% of digits in a box drawn by hand flagged)."""
    none = np.zeros_like(mask)
    box = box_of(mask)
    if box is None or not _ringed(mask[box[0] : box[1], box[2] : box[3]]):
        return none
    labels, n = label(mask)
    biggest = largest(labels, n)
    top, bottom, left, right = (int(v) for v in boxes(labels, n)[biggest - 1])
    piece = np.pad(labels[top:bottom, left:right] == biggest, 1)
    outside = at_border(*label(~piece))
    if np.count_nonzero(~outside & ~piece) < RING_HOLE * np.count_nonzero(~outside):
        return none
    near = outside
    for _ in range(max(1, round(RING_PEEL * stroke_width(piece)))):
        near = grown(near)
    inner, k = label(piece & ~near)
    if k == 0:
        return none
    # What is left inside, all of it: a ring drawn through the digit cuts it in pieces.
    sizes = np.bincount(inner.ravel(), minlength=k + 1)[1:]
    spans = boxes(inner, k)[sizes >= RING_BIT * sizes.max()]
    held = inner > 0
    if (spans[:, 1].max() - spans[:, 0].min() < RING_HELD * (bottom - top) or _straight(held)
            or not _reaches_middle(held)):
        return none
    out = none.copy()
    out[top:bottom, left:right] = (piece & near)[1:-1, 1:-1]
    return out


def _reaches_middle(held: np.ndarray) -> bool:
    """What is left inside a ring (``held``, in the ring's padded box) reaches into its middle: a
    quarter of its ink or more within RING_CORE of the way from the middle to the ring. A 0 traced
    twice leaves its inner pass, an arc along the ring (read a sure 1, or no digit: a review, 72 of
    240 such 0s); a digit in its ring stands in the middle."""
    ys, xs = np.nonzero(held)
    h, w = held.shape
    reach = np.hypot((ys - (h - 1) / 2) / (h / 2), (xs - (w - 1) / 2) / (w / 2))
    return bool(np.count_nonzero(reach <= RING_CORE) >= 0.25 * reach.size)


def _straight(stroke: np.ndarray) -> bool:
    """The pixels lie along one straight line: their spread across it under RING_STRAIGHT of that along it."""
    ys, xs = np.nonzero(stroke)
    if ys.size < 3:
        return True
    across, along = np.linalg.eigvalsh(np.cov(np.stack([ys, xs]).astype(np.float64)))
    return across < (RING_STRAIGHT ** 2) * max(along, 1e-9)


def _outside_frames(mask: np.ndarray) -> np.ndarray:
    """The pixels of a form's printing round the box a digit is written in: when pieces of ink are
    printed boxes (_rectangular outlines, FRAME_FILL of their box inked at most) holding other ink
    and ink lies outside them too (a label, "please write clearly"), every piece but those inside the
    boxes, the boxes included. Read whole, such a form was "not a digit" (a third outside evaluation:
    7.5% of boxed digits with a label beside them read, 65% without the label)."""
    labels, n = label(mask)
    none = np.zeros_like(mask)
    if n < 3:
        return none
    box = boxes(labels, n)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    top, bottom, left, right = box.T
    inside, frame = np.zeros(n, bool), np.zeros(n, bool)
    for i in range(n):
        tall, wide = int(bottom[i] - top[i]), int(right[i] - left[i])
        if min(tall, wide) < FORM_BOX * min(mask.shape) or sizes[i] > FRAME_FILL * tall * wide:
            continue  # (noise holds small rectangles of its own)
        held = (top > top[i]) & (bottom < bottom[i]) & (left > left[i]) & (right < right[i])
        if held.any() and _rectangular(labels[top[i] : bottom[i], left[i] : right[i]] == i + 1):
            frame[i] = True
            inside |= held
    printed = ~inside & ~frame
    if not frame.any() or not printed.any() or sizes[inside].max() < sizes[printed].max():
        # Nothing but the boxes and what they hold; or the largest piece outside them outweighs
        # every one inside: a digit written beside a box holding dust or a tick, not a form's print
        # round its answer (a review: the digit was erased, "no digit").
        return none
    return np.isin(labels, np.flatnonzero(printed | frame) + 1)


def digit_only(ink: np.ndarray, level: float, *, form: bool = False, marks: bool = True) -> np.ndarray:
    """``ink`` (white on black, work scale) with the paper's marks zeroed; ``ink`` itself when none.
    ``level``: the strength of clear ink (the digit's box is that of the ink above it). ``form``: one
    digit is read, and a form's print round the box it is written in goes too (_outside_frames; a
    number's digits may stand outside a box round some of them: a review's "357" with its 5 boxed
    read a sure 5). ``marks``: with ``form``, the image may be a photo's or a scan's (its paper not
    of one exact tone, preprocess.paper_may_hold_marks), and a desk's strips, a page's slivers and a
    form's comb along its edges go too; on a drawing they are the digit's own strokes drawn apart
    at the edge (a review: a 7's bar along the pad's top read a sure 1, a 2's base along its foot 7)."""
    if max(ink.shape) < MIN_SIDE:
        return ink  # a crop of one digit (MNIST's 28x28): no page around it to carry marks
    mask = ink > level
    if not mask.any() or not _may_hold_clutter(mask):
        return ink
    # Pieces first (a printed box is one piece, a frame, until its sides are cut off as lines), then
    # lines through the ink, then the pieces those leave (a margin cut free of the ruled lines).
    removed = _outside_frames(mask) if form else np.zeros_like(mask)
    removed |= _pieces_off(mask & ~removed, form, marks)
    removed |= _lines_through(mask & ~removed)
    removed |= _pieces_off(mask & ~removed, form, marks)
    if form:
        removed |= _ring_touching(mask & ~removed)
    if not removed.any():
        return ink
    out = ink.copy()
    out[removed | (grown(removed) & ~mask)] = 0.0  # a removed line's anti-aliased edge goes too; the digit's own clear ink never
    return out
