"""Punctuation in a number: the decimal point or comma, a minus sign or dash, a colon.

Number mode reads digits; people write numbers with marks between them. Left unread, each mark
cost the user silently: a point or a short dash is a speck the path leaves out ("-84" read 84,
".5" read 5, 14.79 read 1479), and a comma or a longer dash was read as a digit or joined to one,
surely ("62,93" read 62193, "95,008" 951008, "-84" ?4: a hostile pass with inputs made outside this
project, 43 of 68 such numbers confidently wrong). The path leaves marks out as it leaves specks
out (segment.candidates: a dash; recognize: a comma the model reads as a 1), and find_marks then
reads the stray ink before the first digit and in each gap between two.

Every rule is measured against the line the digits make: the median height of its full-height
digits (LINE), the top and foot of the digits either side of the mark.

- point ".": a round, solid dot low on the line (POINT_*), the only stray ink low in its gap. Points in
  several gaps ("1.2.3") are all shown, and the number is unsure (``doubtful``) unless it reads as a
  date (is_date: 25.11.2026, 3.4.1998, 25.11.26), the one common number with two points.
- colon ":": two such dots in one gap, one high and one below the line's middle, one over the other
  (leaning as italics do).
- dash "-": a flat stroke at the middle of the line (DASH_*): a minus sign, a phone number's or a
  date's dash.
- comma ",": one stroke, small, in the line's lower half and hanging under its foot (COMMA_*),
  taller than wide. A decimal comma and a thousands comma look alike: shown as written.
A number starts with no colon and no comma; nothing after the last digit is read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from desktop.engine.components import boxes as boxes_of
from desktop.engine.components import label
from desktop.engine.preprocess import stroke_width

Box = tuple[int, int, int, int]  # (top, bottom, left, right), exclusive ends

INK_LEVEL = 0.3  # stray ink above this strength forms the marks (segment.INK_LEVEL's, for the pieces)
LINE = 0.6  # digits at least this share of the tallest's height make the line
# A point: its centre below POINT_LOW of the line's height, reaching at most POINT_BELOW of it under
# the line, no larger than POINT_SIZE of it, at least POINT_PEN of the digits' stroke across.
POINT_LOW, POINT_BELOW, POINT_SIZE = 0.6, 0.4, 0.45
POINT_PEN = 0.6
POINT_ROUND, POINT_SOLID = 1.8, 0.5  # longest side / shortest at most; share of its box inked at least
POINT_SEARCH = 0.35  # a point or a comma is looked for from this share of the line's height down
COLON_ALIKE = 2.5  # a colon's two dots: the larger at most this x the smaller (a point and a fleck are none)
# ...the upper one's centre above COLON_HIGH of the line, the lower's below its middle, COLON_APART of
# its height apart at least, and the upper at most COLON_LEAN x their distance aside (about 27 degrees).
COLON_HIGH, COLON_APART, COLON_LEAN = 0.65, 0.25, 0.5
REACH = 0.25  # a colon's dot or a dash may reach this share of the line's height into a digit's box either side
# Stray ink under FLECK x the digits' stroke width squared is a fleck, no pen's mark (a point is 0.36 at
# least, POINT_PEN squared; graph paper's crossings left in the gaps 0.02, and hid "-9671"'s minus sign).
FLECK = 0.1
LEAD = 1.5  # a mark before the first digit is looked for up to this x the line's height to its left
# A dash: at least DASH_FLAT times wider than tall, at most DASH_THIN of the line's height tall,
# DASH_SHORT..DASH_LONG of it long, its centre in the middle of the line (DASH_MIDDLE either way).
DASH_FLAT, DASH_THIN, DASH_SHORT, DASH_LONG, DASH_MIDDLE = 1.8, 0.3, 0.2, 1.2, 0.25
# ...and one straight stroke (is_dash): on two hostile passes' inputs, minus signs and dashes strayed at
# most 0.1 of a stroke from a line (or a gentle bow) and their fullest column held 1.33 x the typical;
# tildes 0.25-0.47, arrows 3-4 x.
DASH_WAVE, DASH_HEAD = 0.18, 2.0
DASH_BOW = 1.0  # ...bowed at most this many strokes deep (see is_dash)
# A comma: at most COMMA_TALL of the line's height tall and COMMA_WIDE of it wide, its top below
# COMMA_TOP of the line, its foot at least COMMA_BELOW of the line's height under the line's foot (a
# 1 written small stands on the line: "7116" read 71,6 with the foot allowed on it; every comma of a
# hostile pass's 44 hung under it); one stroke, at most COMMA_PENS of the digits' stroke widths wide
# (those commas 0.8-1.6, a few 2.1; digits written small beside large ones 2.2-3.5).
COMMA_TALL, COMMA_WIDE, COMMA_TOP, COMMA_BELOW, COMMA_PENS = 0.55, 0.45, 0.5, 0.05, 2.0
# ...and its box that much wider by its lean, COMMA_LEAN of its height at most (about 27 degrees): a
# fourth outside evaluation's commas, straight flicks a third of the line long, hung 0.07-0.17 under
# it and were 2.0-3.9 strokes wide; 17 of its 120 prices read wrong, as sure, without a comma.
COMMA_LEAN = 0.5
# A comma at most COMMA_SMALL of the line's height tall is too small for a digit among these: it may
# be COMMA_PENS_SMALL of the strokes wide (a thin pen's comma with a round head: 2.1), and it is left
# out of the path whatever the model reads in it (a tiny comma with a head reads "9" at 100%). It may
# even sit on the line (an outside evaluation's fonts set it there) when it is COMMA_STROKES of the
# strokes tall: a head and a tail, where a point is a dab of the pen (1-1.5 strokes, a marker's oval too).
COMMA_SMALL, COMMA_PENS_SMALL, COMMA_STROKES = 0.3, 2.5, 2.5
COMMA_HANG = 0.25  # ...and so may one whose foot hangs this share of the line's height under it
COMMA_LONG = 1.5  # a mark this much taller than wide is a comma, not a point (a point is round)
# A dot whose foot hangs COMMA_DROP of the line's height or more under the foot of the digits beside
# it, COMMA_OVAL x taller than wide or more, is a comma's head and tail, not a point: fonts' round
# commas (Leckerli's, 1.12-1.23 x taller than wide, 0.13 under) and ones two strokes wide (1.57 x,
# 0.17 under) read as points: "4,73" read a sure 4.73 (an outside evaluation). A round dot hanging
# under the line stays a point.
COMMA_DROP, COMMA_OVAL = 0.1, 1.1
# ...and whose tail sweeps left: its lowest third's middle COMMA_SWEEP of its width or more left of its
# highest third's (fonts' commas 0.11-0.5; an oval point hanging so is upright, 0: a review's 16 of
# 24 such points read as commas without it).
COMMA_SWEEP = 0.1
POINT, COLON, DASH, COMMA = ".", ":", "-", ","
# A lone fleck low in a gap between digits, too small for a point at the scale the row is read at (a
# fine pen's point on a photo: 1-2 px across where the strokes are 2) may be a point or dust: the
# number is read without it and is unsure (an outside evaluation: "5.0", "444.97" read a sure 50 and
# 44497, 12.5% of its decimals).
SPECK_POINT = "speck"
# ...a fleck of SPECK_LEAST pixels and SPECK_PEN of the strokes' width squared at least: one dark pixel
# of grain made any clean number unsure (a review: 12 of 12); the evaluation's points were 0.5 of it.
SPECK_LEAST, SPECK_PEN = 2, 0.25
# A date written with points: day and month of 1-2 digits (either first) and a year of 4, or day and
# month of 2 and a year of 2 (a hostile pass: "3.199" with a fleck of dust read "3.1.99", sure, and
# version numbers 2.7.18 or 3.14.15 are no dates).
DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.[12]\d{3}|(\d{2})\.(\d{2})\.\d{2}")
SLASH = "/"  # read by recognize._slashes: a slash is a digit's size, a stroke the path takes as a 1


def is_date(text: str) -> bool:
    """``text`` is a date written with points, as a number's digits and marks read it: "25.11.2026",
    "3.4.1998", "11.25.2026" (month first), "25.11.26"; not "1.2.3", "3.4.98", "40.11.2026" nor
    "13.14.15". Of an outside evaluation's numbers with two points, 14 of 18 read exactly right were
    dates called unsure."""
    match = DATE.fullmatch(text)
    if match is None:
        return False
    first, second = (int(match[1]), int(match[2])) if match[1] else (int(match[3]), int(match[4]))
    return 1 <= min(first, second) and max(first, second) <= 31 and min(first, second) <= 12


class _Piece(NamedTuple):
    """A piece of stray ink near a gap: its box (exclusive ends), its pixels and its label."""

    top: int
    bottom: int
    left: int
    right: int
    size: int
    label: int


@dataclass(frozen=True)
class Marks:
    """What find_marks found: each mark as (the number of digits before it, its character), left to
    right; ``doubtful`` when points stand in several gaps, or a fleck too small to tell a point
    from dust stands alone in one (SPECK_POINT)."""

    at: tuple[tuple[int, str], ...] = ()
    doubtful: bool = False

    def text(self, digits: list[str]) -> str:
        """The number's text: its ``digits`` with the marks in place."""
        chars = list(digits)
        for before, char in sorted(self.at, key=lambda m: m[0], reverse=True):
            chars.insert(before, char)
        return "".join(chars)


@dataclass(frozen=True)
class _Line:
    height: float
    top: float
    bottom: float
    stroke: float

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def row_of(spans: list[tuple[int, int]]) -> tuple[float, float, float]:
    """(height, top, foot) of the line of digits whose ink spans these (top, foot) rows: the medians
    of the full-height ones (LINE), so that no mark hanging under the line, nor two, moves it.
    The one measure of the line for number_marks and segment's marks alike."""
    tallest = max(b - t for t, b in spans)
    full = [(t, b) for t, b in spans if b - t >= LINE * tallest]
    return (float(np.median([b - t for t, b in full])), float(np.median([t for t, _ in full])),
            float(np.median([b for _, b in full])))


def _line(ink: np.ndarray, masks: list[np.ndarray], boxes: list[Box]) -> _Line:
    height, top, foot = row_of([(b[0], b[1]) for b in boxes])
    return _Line(height, top, foot, stroke_width(np.where(np.logical_or.reduce(masks), ink, 0.0)))


def is_dash(box: Box, line_height: float, middle: float, ink: np.ndarray, stroke: float) -> bool:
    """Flat, thin and at the middle of a line of digits ``line_height`` tall, and one straight or gently
    bowed stroke: a minus sign or a dash. ``ink``: its pixels (bool) in its box. Straight: the middle
    of its ink down each column strays at most DASH_WAVE of the digits' ``stroke`` from a line or a
    bow at most DASH_BOW strokes deep (a tilde waves), and no column holds more than DASH_HEAD x the
    typical column's ink (an arrow's head). (segment.candidates lets the path leave such a piece out,
    as it does a speck.)"""
    tall, wide = box[1] - box[0], box[3] - box[2]
    centre = (box[0] + box[1]) / 2
    if not (wide >= DASH_FLAT * max(tall, 1) and tall <= DASH_THIN * line_height
            and DASH_SHORT * line_height <= wide <= DASH_LONG * line_height
            and abs(centre - middle) <= DASH_MIDDLE * line_height):
        return False
    counts = ink.sum(axis=0)
    cols = np.flatnonzero(counts)
    rows = np.arange(ink.shape[0])[:, None]
    mid = (ink * rows).sum(axis=0)[cols] / counts[cols]
    # Gently bowed is straight enough: a hand's dash sags at its ends a pixel, 0.2 of a stroke off a
    # line at a row's scale ("823-7729" read 8237729, sure: an outside evaluation), its bow 0.6-0.7 of
    # a stroke deep; an arc deeper than DASH_BOW strokes is no dash (a review: a 2.3-stroke arc passed
    # a quadratic fit), and a tilde's wave is no bow.
    coef = np.polyfit(cols, mid, min(2, cols.size - 1)) if cols.size > 1 else mid[:1]  # one column: itself
    fit = np.polyval(coef, cols)
    bow = abs(coef[0]) * ((cols[-1] - cols[0]) / 2) ** 2 if coef.size == 3 else 0.0
    wave = float(np.sqrt(np.mean((mid - fit) ** 2)))
    return (wave <= DASH_WAVE * stroke and bow <= DASH_BOW * stroke
            and counts.max() <= DASH_HEAD * np.median(counts[cols]))


def is_comma(box: Box, line_height: float, top: float, bottom: float, stroke: float) -> bool:
    """Small, low and one stroke wide on a line of digits from ``top`` to ``bottom``: a comma."""
    tall, wide = box[1] - box[0], box[3] - box[2]
    small = is_small_mark(box, line_height)
    # A comma hanging well under the line may be as wide as a small one (a pen's round head and a
    # tail: "424,6" read 42496, sure); a digit written small stands on the line.
    pens = COMMA_PENS_SMALL if is_no_digit_mark(box, line_height, bottom) else COMMA_PENS
    hangs = box[1] >= bottom + COMMA_BELOW * line_height
    # A comma hanging under the line may lean as a pen's flick does: its box is wider than its stroke
    # by up to COMMA_LEAN of its height.
    lean = COMMA_LEAN * tall if hangs else 0.0
    return (tall <= COMMA_TALL * line_height and wide <= min(COMMA_WIDE * line_height, pens * stroke + lean)
            and tall >= wide and box[0] >= top + COMMA_TOP * line_height
            and (hangs or small and tall >= COMMA_STROKES * stroke))


def is_small_mark(box: Box, line_height: float) -> bool:
    """Too small for a digit written among digits ``line_height`` tall (COMMA_SMALL)."""
    return box[1] - box[0] <= COMMA_SMALL * line_height


def is_no_digit_mark(box: Box, line_height: float, bottom: float) -> bool:
    """A comma no digit could be, whatever the model reads in it: too small (is_small_mark), or hanging
    COMMA_HANG of the line under its foot (``bottom``) as no digit written small does ("424,6": its
    comma read 9 at 96%)."""
    return is_small_mark(box, line_height) or box[1] >= bottom + COMMA_HANG * line_height


def _comma(box: Box, line: _Line) -> bool:
    return is_comma(box, line.height, line.top, line.bottom, line.stroke)


def is_dot(box: Box, size: int, line_height: float, stroke: float) -> bool:
    """Round and solid (``size``: its pixels), a pen's ``stroke`` across at least and small beside
    digits ``line_height`` tall: a point's, or a colon's dot's, shape. (A colon's dots a third of the
    stroke across, as an outside evaluation's renderer drew them, made dust and dot-grid paper into
    colons: a hostile pass, 24 numbers read right before read wrong with status `digit`.)"""
    tall, wide = box[1] - box[0], box[3] - box[2]
    return (max(tall, wide) <= POINT_ROUND * min(tall, wide) and size >= POINT_SOLID * tall * wide
            and POINT_PEN * stroke <= min(tall, wide) and max(tall, wide) <= POINT_SIZE * line_height)


def _local(line: _Line, *around: Box) -> _Line:
    """The line where a mark stands: from the top to the foot of the digits either side of it (a
    number written uphill has no one line), at the whole line's height and stroke."""
    return _Line(line.height, float(min(b[0] for b in around)), float(max(b[1] for b in around)), line.stroke)


def _gap_mark(stray: np.ndarray, digits: np.ndarray, line: _Line, left: int, right: int,
              lead: bool = False) -> str | None:
    """The mark in the columns left..right of a gap (None: none, or ink that is no mark); ``lead``:
    the stretch before the first digit, whose left end is no boundary (a minus sign may start at the
    image's edge: it was lost there, "-84" cropped tight read 84)."""
    top = int(max(line.top - 0.1 * line.height, 0))
    # Pieces are found in the gap widened by REACH of the line either way, and those that reach into
    # the gap are its: a colon's dot may reach into a digit's box where the digit's serif or foot
    # widens it (a colon set tight after a 1: "11:56" read 1156), a minus sign into the first digit's.
    reach = max(1, round(REACH * line.height))
    lo, hi = max(left - reach, 0), min(right + reach, stray.shape[1])
    region = stray[top : int(line.bottom + POINT_BELOW * line.height) + 1, lo:hi]
    labels, n = label(region)
    if n == 0:
        return None
    sizes_all = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    found = [_Piece(int(t) + top, int(b) + top, int(lf) + lo, int(r) + lo, int(size), k + 1)
             for k, ((t, b, lf, r), size) in enumerate(zip(boxes_of(labels, n), sizes_all))]
    # Flecks smaller than any pen's mark (FLECK: a grid's crossings, paper grain) are no ink of a mark,
    # nor do they hide one.
    found = [f for f in found if f.right > left and f.left < right and f.size >= FLECK * line.stroke ** 2]
    if not found:
        return None
    n = len(found)
    pieces = [(f.top, f.bottom, f.left, f.right) for f in found]
    sizes = [f.size for f in found]
    # A mark stands free: not running on out of the widened gap (an underline, a digit's stroke) nor
    # touching a digit. (The widened gap's right end is the image's only where a digit narrower than
    # REACH stands last: a mark beyond it is no mark in a gap.)
    free = [(lead or lf > lo or lo == 0) and (r < hi or hi == stray.shape[1])
            and not digits[max(t - 1, 0) : b + 1, max(lf - 1, 0) : r + 1].any()
            for t, b, lf, r in pieces]
    if n == 2 and all(free):
        (upper, a), (lower, b) = sorted(zip(pieces, sizes))
        up, down = (upper[0] + upper[1]) / 2, (lower[0] + lower[1]) / 2
        # One dot above the middle and one below; or one high, one low and far apart, as a font or a
        # hand may set both below the middle (Humor Sans: the upper dot at 0.6 of the line). Leaning
        # either way within COLON_LEAN (italics put the upper dot right of the lower).
        above_below = up < line.middle < down or (up < line.top + COLON_HIGH * line.height and down > line.middle
                                                  and down - up >= COLON_APART * line.height)
        one_over_other = abs((upper[2] + upper[3]) - (lower[2] + lower[3])) / 2 <= COLON_LEAN * (down - up)
        alike = max(a, b) <= COLON_ALIKE * min(a, b)
        dots = is_dot(upper, a, line.height, line.stroke) and is_dot(lower, b, line.height, line.stroke)
        if above_below and one_over_other and alike and dots:
            return COLON
    # A dash is the one piece in the gap standing free: a sliver of a digit beside it (touching the
    # digit) does not hide it ("-359" read 359: the 3's tip lay in the gap).
    loose = [k for k in range(n) if free[k]]
    if len(loose) == 1:
        dash = found[loose[0]]
        shape = labels[dash.top - top : dash.bottom - top, dash.left - lo : dash.right - lo] == dash.label
        if is_dash(pieces[loose[0]], line.height, line.middle, shape, line.stroke):
            return DASH
    # A point or a comma: the one piece low in the gap; a fleck higher up is left alone, as it was
    # before colons and dashes were read ("3.2" with a speck above the point read 32).
    low = [k for k, p in enumerate(pieces) if p[0] >= line.top + POINT_SEARCH * line.height]
    if len(low) != 1 or not free[low[0]]:
        return None  # nothing low, dust (several flecks), or ink that is no mark
    # ...and its middle in the gap: a fleck mostly over a digit's box is no point. (A point may reach
    # into a digit's box: a font's "0.777" read 0777. So may a fleck of dust as large as a point,
    # low in a gap with only specks higher up: a code review's dusty numbers read "70.5" for 705 in
    # 13 of 40, 4 before; a second fleck low in the gap still makes dust of both.)
    box, size = pieces[low[0]], sizes[low[0]]
    tall, wide = box[1] - box[0], box[3] - box[2]
    if _comma(box, line) and tall >= COMMA_LONG * wide:  # a comma too short to be a candidate
        return COMMA  # (its middle may be under a digit's overhang: a 5's bar over it, "995,6" read 9956)
    middle = (box[2] + box[3] - 1) / 2
    if not ((lead or left <= middle) and middle < right):  # ("!": its dot under the 1 is no leading point)
        return None
    low_down = (box[0] + box[1]) / 2 >= line.top + POINT_LOW * line.height
    if low_down and is_dot(box, size, line.height, line.stroke):
        shape = labels[box[0] - top : box[1] - top, box[2] - lo : box[3] - lo] == found[low[0]].label
        hangs = box[1] >= line.bottom + COMMA_DROP * line.height
        return COMMA if hangs and tall >= COMMA_OVAL * wide and _swept(shape) else POINT
    speck_sized = size >= max(SPECK_LEAST, SPECK_PEN * line.stroke ** 2) and max(tall, wide) <= POINT_SIZE * line.height
    if low_down and n == 1 and speck_sized:
        return SPECK_POINT  # a point too small to tell from dust at this scale, alone in its gap: unsure
    return None


def _swept(shape: np.ndarray) -> bool:
    """A comma's tail: the ink of ``shape``'s lowest third of rows lies COMMA_SWEEP of its width or
    more left of its highest third's."""
    third = max(1, shape.shape[0] // 3)
    cols = np.arange(shape.shape[1])
    top, foot = shape[:third].sum(axis=0), shape[-third:].sum(axis=0)
    if not top.any() or not foot.any():
        return False
    return float(cols @ foot / foot.sum() - cols @ top / top.sum()) <= -COMMA_SWEEP * shape.shape[1]


def find_marks(ink: np.ndarray, masks: list[np.ndarray], boxes: list[Box | None]) -> Marks:
    """The marks of a number whose path's digits have these ink ``masks`` and ``boxes`` (left to
    right, in ``ink``'s work-scale pixels): the stray ink before the first digit and in each gap."""
    if not boxes or any(b is None for b in boxes):
        return Marks()
    line = _line(ink, masks, boxes)
    digits = np.logical_or.reduce(masks)
    stray = (ink > INK_LEVEL) & ~digits
    first = boxes[0]
    gaps = [(_local(line, first), max(0, int(first[2] - LEAD * line.height)), first[2])]  # before the first digit
    gaps += [(_local(line, a, b), a[3], b[2]) for a, b in zip(boxes, boxes[1:])]
    found = []
    for before, (around, left, right) in enumerate(gaps):
        mark = _gap_mark(stray, digits, around, left, right, lead=before == 0) if right - left >= 1 else None
        if mark is not None and not (before == 0 and mark in (COLON, COMMA, SPECK_POINT)):  # no number starts so
            found.append((before, mark))
    points = sum(char == POINT for _, char in found)
    marks = tuple(m for m in found if m[1] != SPECK_POINT)  # a speck is no mark, only a doubt
    return Marks(marks, points > 1 or len(marks) < len(found))
