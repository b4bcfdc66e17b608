"""Turn any grayscale image of a digit into the model's 28x28 input, the way MNIST was made.

MNIST digits are white ink on black, anti-aliased, fitted into a 20x20 box keeping their aspect
ratio and placed in 28x28 by centre of mass. Users' drawings, scans and photos differ in polarity,
background, size, position and stroke width; each step below removes one of those differences.
This module is the one place that does it: the app, the CLI and the converter's checks call it
through ``recognize.recognize_many``. ``preprocess_many`` finds the ink of same-sized images
together (a folder of 28x28 files is one numpy pass, not one per file); the steps that cost more
(background removal, stroke thickening or thinning) run only for the images that need them.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from desktop.engine.clutter import along_an_edge, digit_only
from desktop.engine.components import at_border, box_of, boxes, grown, label, largest, stroke_width
from desktop.engine.errors import DigitsError
from desktop.engine.imageio import fit_longest, resize_weights

try:  # np.clip(a, lo, hi) on an array is this ufunc behind three Python calls: the ufunc itself
    from numpy._core.umath import clip as _clip
except ImportError:  # another numpy layout
    _clip = np.clip

WORK_SIDE = 160  # longest side the ink is found at; enough for a 20 px digit, cheap for numpy
# A digit small in a large image (a phone photo of a page: a 150 px digit in 4000x3000) is 6 px at
# work scale, too few to read or to tell from a speck ("no digit" for 80 of 80 such photos made
# outside this project). Images over LOOK_OVER px both ways (a photo, which imageio.load_gray
# decodes at about 1,000-1,500 px; number mode's files, which the batch hands it at 640 px; not the
# 680x280 number pad or a strip of digits, where the look took 5 ms of a 10 ms number) are first looked
# at with at most LOOK_SIDE on their longest side, and at least halved (a look at a 600 px image
# at full size took 7 ms, halved 2 ms); ink there whose box spans less than ZOOM_BELOW of the
# image's longest side (and at least ZOOM_MIN_SIDE look pixels: dust is no digit) is read from its
# own crop, with ZOOM_MARGIN x its size of paper around it (look_closer: one rule for both modes).
LOOK_OVER = 320
LOOK_SIDE = 640
ZOOM_BELOW = 0.25
ZOOM_MIN_SIDE = 6
ZOOM_MARGIN = 0.5
# In such a photo, ink that runs from one side of the image to the opposite one, lying along a
# third side or thin as a ruled line, is the page's or the desk's edge or the paper's line (a blank
# page beside a strip of desk read "1, 99.9%"): it is left out of the look (work_view), and a photo
# with nothing else is plain paper, no digit.
NUMBER_MIN_HEIGHT = 32  # number mode: a row of digits stays at least this tall at work scale...
NUMBER_MAX_SIDE = 4 * WORK_SIDE  # ...while its longest side stays within this
# ...and its strokes unbroken: a thin pen reduced to the row's scale leaves hairlines whose faint
# parts fall below the ink level. Broken is BROKEN_GAPS more pieces of ink than there are once
# gaps of a pixel are closed (digits that merely touch when grown make a few).
BROKEN_GAPS = 6
BOX = 20  # MNIST's digit box
SIZE = 28  # MNIST's image
FINE = 4  # stroke width is measured and normalised at FINE x the 20 px box (80 px)
# Stroke width of MNIST digits at 80 px box scale: the median of stroke_width() over the MNIST
# training set (the report measures it: 12.1 px, about 3 px in the 28x28 image; 10-90% range 8.5-17.4).
MNIST_STROKE = 12.1
# Strokes outside [THIN, THICK] x MNIST_STROKE are normalised; MNIST itself spans 0.7-1.45, and
# normalising its own variety costs accuracy, so only clear outliers (a hairline, a marker) change.
THIN, THICK = 0.55, 2.0
# A thin pen in a large image comes out faint once reduced to work scale: a line 3 px wide reduced
# 4x covers a pixel only in part, so its ink is half strength and uneven, and thickened so it kept
# its gaps (a photographed ballpoint digit read 4-7 points worse than the same digit in a 6 px pen).
# Thin ink whose median strength (of the ink over FAINT_FLOOR, at work scale) is under FAINT_CORE
# is brought up to full strength first. MNIST's own digits are full strength (their median 0.91,
# 1% under 0.65): none of its answers changed.
FAINT_FLOOR, FAINT_CORE = 0.2, 0.7
NOISE_FLOOR = 0.15  # ink fainter than this share of the strongest ink is background
BACKGROUND_SIDE = 85  # uneven light is subtracted (_background) from images at least this many px both ways at work scale
# ...and from a row of digits (number mode) this tall: a number on a slip lit from one side is a row
# 40-80 px tall, and its shaded digits were lost. (A single digit cropped tight, 40-85 px wide, lost
# 0.5-0.8 point of MNIST's to it: a digit's bold joins survive the opening at that scale.)
ROW_BACKGROUND_SIDE = 32
BACKGROUND_OPEN = 0.17  # the opening's square, as a share of the shorter side (5 px of 24 before, 0.21, blurred)
# The same after removing uneven light from a photo: a shadow's sharp edge survives the smooth
# background's subtraction as faint ink (0.3-0.5 of the digit's) that joined the digit's box and
# shrank it. At 0.35, 8% of the synthetic photos were flagged; 0.55 was chosen on photos of another
# seed (8% -> 1%) and reads pencil photos with uneven pressure 92.5% -> 98.5% (0.75 fades them: 84%).
SHADOW_FLOOR = 0.55
LIGHT_LEAST = 0.5  # paper in a shade darker than this (of white) is taken as lit this much: its noise stays noise
BBOX_LEVEL = 0.4  # the digit's box is that of its clear ink; faint specks around do not widen it
UNEVEN = 0.05  # spread of the paper tone between the image's sides that means uneven light
BORDER_SHARE = 0.04  # the border ring polarity is read from, as a share of the shorter side
PAPER_QUANTILE = 0.9  # a side's paper level: its 90th percentile (10th on dark paper)
RING_SAMPLE = 200
MID_SHARE, THIN_DETAIL = 0.003, 0.04  # a grey border: darker and lighter pixels this share of the image; a stroke's scale
# A grey border's tones spread at most GREY_SPREAD (10th to 90th percentile): a low-light photo's
# noise and vignette spread its paper 0.1-0.15, and its darker border turned the polarity (an outside
# evaluation: 26 of 40 such digits flagged); a tight crop's border of paper and ink spreads far wider.
GREY_SPREAD = 0.2
# ...leaving out black or white fill (within FILL_TONE) when the rest is FILL_REST of the border or more
FILL_REST, FILL_TONE = 0.5, 0.02
GREY_BAND = 0.06  # a grey desk: the pixels this near its tone (or its own spread, if wider)
GREY_CONVEX = 0.75  # ...round a page at least this share of its hull (the band of its shade as grey as the desk joins it)
BORDER_SPLIT = 0.1  # a border between 40% and 60% light is split: the corners decide
BAND_SHARE = 0.9  # a side this much of one tone is one tone along its whole length (see _papers)
BAND_PAGE = 0.6  # ...and the page inside a scanner's border is at least this share of the image
# A drawing's paper (the pad's, a clean file's) is one exact tone: at least this share of its pixels
# (the pad's drawings 0.8-0.99 at work scale; a phone photo's or a JPEG scan's lightest value, a few pixels).
ONE_TONE = 0.5
DESK_LIT = 0.15  # a desk beside a page is lit as the page is: its tone at least this (a black ground is less)
# A page smaller than that in the photo (a slip on a dark table, a scan in a wide dark frame: 0.2-0.5
# of the image) is told from a light digit on a dark ground by its shape (preprocess._a_page): at
# least PAGE_MIN of the image, filling PAGE_FILL of its box, holding ink on at most PAGE_INK of it.
PAGE_MIN, PAGE_FILL, PAGE_INK = 0.15, 0.6, 0.2
DESK_SPREAD = 0.1  # ...and the desk around it one tone: its 90th percentile within this of its median
# A page photographed or scanned is at least PAGE_SIDE px across at work scale: a bold light 8 in a
# 28x28 image (MNIST test 7853) filled its box as a sheet does, its holes slits like strokes.
PAGE_SIDE = 40
PAINT_REACH = 0.25  # the desk is painted with the mean of the page this share of the shorter side around
DESK_STEP, PAGE_TOP = 0.2, 99  # page: lighter than the desk by this share of the way to the paper (its 99th percentile)
DESK_OPEN = 0.03  # the desk is opened by a square of this share of the image's shorter side (radius)
# ...and convex: at least PAGE_CONVEX of its convex hull (slips and frames 0.96 and more; MNIST's
# boldest light 8s and 6s at 112 px, whose holes passed for ink, at most 0.935: a code review).
PAGE_CONVEX = 0.95
PAGE_STROKE = 0.12  # ...and its ink strokes, their width at most this share of the page's shorter side (0.02-0.1)
MIN_CONTRAST = 0.12  # a "digit" fainter than this against its background is no digit
MIN_INK_PIXELS = 6  # at work scale; fewer strong ink pixels than this is an empty canvas
MIN_INK_SHARE = 0.0004
# Ink whose clear extent is under this many stroke widths is a dot or a speck (an accidental
# click on the pad measures 1.75-1.85), not a digit. The least of the 10,000 MNIST test digits, a
# blotted 8, measures 2.36; of 2,000 optdigits 2.8.
MIN_EXTENT_STROKES = 2.2
# ...unless it is large: a speck's extent is under this share of the image's longer side. A filled
# box or disc measures 1-1.3 of its own "stroke" too, and was "No digit found. Draw a digit" on a
# pad a third covered in ink; now the model and the blob rule read it (not a digit).
SPECK_MAX_SHARE = 0.25
# Low-resolution sources (issue 15). An image upscaled by repeating pixels (a 16x16 scan shown at 8x,
# "nearest") is read as its source upscaled smoothly: blocks of flat ink cut by the box at
# BBOX_LEVEL lose a whole source pixel at an edge (UCI 8x8 digits at 8x: 97.5% read; smooth 99.0%).
MAX_BLOCK = 32  # the largest pixel repetition looked for
# A 1-bit scan whose greys are dithered (a fax, a thermal printer): the paper a field of lone dots,
# read as ink (an outside evaluation: 47 of 48 such MNIST digits "not a digit"). Two tones with
# more than DITHER_DOTS of the image in lone dots of either tone (its dithered scans 5-13%; a thresholded
# scan's edges well under 1%) are averaged over a square of radius DITHER_BLUR first, plus one per
# step of a reduction to work scale below DITHER_MAX_FACTOR: reduced 2x, pencil dithered at 300 px
# (sparse dots on the paper, half the stroke's) was averaged over 2x2 only, and 4% of an outside
# sweep's digits were read right and sure (radius 2 at full size: 81% of held-out pen digits; 3: 97%).
DITHER_DOTS, DITHER_BLUR, DITHER_WINDOW, DITHER_MAX_FACTOR = 0.02, 2, 64, 5
# A source smaller than MNIST's 20 px box (an 8x8 or 16x16 scan as it is) has its ink found at
# LOW_RES_SIDE or more, upscaled smoothly: at 8x8 a faint cell at the digit's edge was cut off with
# the box, and UCI's 8x8 digits with a margin were flagged 5.2% (now 1.0%) on the other writers'
# validation digits (64 chosen there over 40 and 96).
SMALL_SIDE = 20
LOW_RES_SIDE = 64
# MNIST places the centre of mass at the centre of the 28x28 field; in pixel-index coordinates
# the training set's mean centre of mass is (14.0, 14.0) (the report measures it).
CENTRE = (14.0, 14.0)


@dataclass
class Ink:
    """The image as ink strength in [0, 1] on a clean black background, at work scale."""

    ink: np.ndarray
    blank: bool
    inverted: bool  # the input was dark ink on light paper
    contrast: float


@dataclass
class Found:
    """A digit found in an image: the model's input, and its ink as cut from the image at work scale
    (what recognize reads for shapes the 28x28 input no longer shows: a ring around a digit)."""

    input28: np.ndarray
    crop: np.ndarray
    # A second look at the image (find_digits: LIGHT_PAPER or SHADED), read another way; recognition decides.
    other: "Found | None" = None
    look: str = ""  # how this one was read: "" the first look, else the second look's kind


@dataclass
class Preprocessed:
    """The model input, or None when no digit is there."""

    input28: np.ndarray | None
    blank: bool


def _filter(a: np.ndarray, radius: int, reduce) -> np.ndarray:
    """Grey dilation (np.max) or erosion (np.min) by a square of side 2*radius+1, separably."""
    if radius <= 0:
        return a
    op = np.maximum if reduce is np.max else np.minimum
    p = _padded(a, radius, 0.0 if reduce is np.max else 1.0)
    return _running(_running(p, 2 * radius + 1, op, rows=True), 2 * radius + 1, op)


def _padded(a: np.ndarray, r: int, fill: float) -> np.ndarray:
    """np.pad(a, r, constant_values=fill), without np.pad's cost on small arrays."""
    p = np.full((a.shape[0] + 2 * r, a.shape[1] + 2 * r), fill, a.dtype)
    p[r : r + a.shape[0], r : r + a.shape[1]] = a
    return p


def _running(a: np.ndarray, k: int, op, rows: bool = False) -> np.ndarray:
    """``op`` (max or min) over every k consecutive columns (``rows``: rows): windows doubled, log2(k)
    passes, exact. Rows are slices of whole rows, not a transposed view: contiguous, a third faster."""
    span = 1
    if rows:
        while 2 * span <= k:
            a = op(a[: a.shape[0] - span], a[span:])
            span *= 2
        return a if span == k else op(a[: a.shape[0] - (k - span)], a[k - span :])
    while 2 * span <= k:
        a = op(a[:, : a.shape[1] - span], a[:, span:])
        span *= 2
    return a if span == k else op(a[:, : a.shape[1] - (k - span)], a[:, k - span :])


def _background(ink: np.ndarray) -> np.ndarray:
    """Smooth background (shadows, uneven light, paper tone) by grey opening, a square BACKGROUND_OPEN
    of the shorter side across: any pen stroke is narrower and disappears from the estimate, while
    light falling across the page does not. Taken at work scale, so that a shadow's or a desk's sharp
    edge stays sharp in it (opened at 24 px and resized back, the edge was blurred, and what it left
    read as a sure 1 on a blank strip with a shadow across it: a code review)."""
    r = max(1, round(BACKGROUND_OPEN * min(ink.shape) / 2))
    return _filter(_filter(ink, r, np.min), r, np.max)


# An image too small for the opening (a digit photographed and cropped tight: its bold strokes are
# as wide as the opening's square) has its uneven light fitted instead: a smooth surface, quadratic in
# x and y, fitted by least squares to the paper of its border (SURFACE_BORDER of the shorter side
# deep), SURFACE_ROUNDS times, each round leaving out the pixels more than SURFACE_SPREAD robust
# deviations above it (ink where the digit reaches the border). Before, such photos kept one paper
# level, and their shaded corners and vignettes were ink: an outside evaluation's small tight photos
# (30-75 px) read 68% right and sure, the rest mostly flagged. Fitted to the whole image, the surface
# followed a digit that fills its frame (optdigits 4x, coloured: 98.8% -> 91.3%).
SURFACE_ROUNDS, SURFACE_SPREAD, SURFACE_NOISE, SURFACE_BORDER = 4, 2.5, 0.02, 0.1
SURFACE_LEAST = 12  # paper pixels at least to fit the surface's six terms to
MAD_TO_SD = 1.4826  # a median absolute deviation times this is the standard deviation of normal noise


def _surface(raw: np.ndarray) -> np.ndarray | None:
    """The smooth background under ``raw`` (ink polarity: paper low, ink high), see SURFACE_ROUNDS;
    None when it is flat (within UNEVEN)."""
    h, w = raw.shape
    yy, xx = np.mgrid[-1 : 1 : h * 1j, -1 : 1 : w * 1j]
    basis = np.stack([np.ones_like(xx), xx, yy, xx * xx, xx * yy, yy * yy], axis=-1).reshape(-1, 6)
    values = raw.reshape(-1).astype(np.float64)
    b = max(2, round(SURFACE_BORDER * min(h, w)))
    border = np.ones((h, w), bool)
    border[b:-b, b:-b] = False
    ring = border.reshape(-1)
    # First from the border's paper half (its lower values: ink is high here; where a digit that
    # fills its frame reaches the border along whole sides), then from all of the paper it explains.
    paper = ring & (values <= np.median(values[ring]))
    fit = np.zeros(values.size)
    for _ in range(SURFACE_ROUNDS):
        if np.count_nonzero(paper) < SURFACE_LEAST:
            break
        coef = np.linalg.lstsq(basis[paper], values[paper], rcond=None)[0]
        fit = basis @ coef
        resid = values - fit
        spread = MAD_TO_SD * float(np.median(np.abs(resid[paper] - np.median(resid[paper]))))
        paper = ring & (resid < max(SURFACE_SPREAD * spread, SURFACE_NOISE))
    fit = np.clip(fit, 0.0, 1.0)
    if fit.max() - fit.min() <= UNEVEN:
        # Even light after all (the border read as uneven where a digit filling its frame reaches it):
        # None, the paper's one level stands (a surface bent a little by the ink ate thin strokes).
        return None
    return fit.reshape(h, w).astype(raw.dtype)


def _ring(gray: np.ndarray) -> list[np.ndarray]:
    """The four sides of (n, h, w) images, each BORDER_SHARE of its side deep (at least one pixel): (n, k) each."""
    n, h, w = gray.shape
    d = max(1, round(BORDER_SHARE * min(h, w)))
    sides = [gray[:, :d].reshape(n, -1), gray[:, -d:].reshape(n, -1), gray[:, :, :d].reshape(n, -1),
             gray[:, :, -d:].reshape(n, -1)]
    # Every k-th pixel, at most about RING_SAMPLE a side: the same tones for a fraction of the cost.
    return [s[:, :: max(1, s.shape[1] // RING_SAMPLE)] for s in sides]


@dataclass
class Paper:
    """The paper's tone (0..1, white = 1) and whether it is lighter than the ink; arrays for a stack."""

    tone: float | np.ndarray
    light: bool | np.ndarray
    uneven: bool | np.ndarray  # the paper's tone differs between the image's sides: uneven light, a shadow
    # A page photographed on a desk that shows along some of the image's sides, not all round
    # (_papers; look_closer paints a desk all round): its ink is read without the desk (_desk_beside)
    desk: bool | np.ndarray = False


def find_paper(gray: np.ndarray) -> Paper:
    """Which tone is paper: the one the border mostly shows.

    The border is paper wherever the digit does not reach it, and a digit touches its frame only
    where its strokes end or turn: even cropped to the ink, or stretched to fill its frame, most
    of the border is paper. The image's median is not: a tight crop or an upscaled 8x8 digit is
    half ink or more, and the median then calls the ink paper. When the border itself is split
    (a "1" cropped to its stroke), the corners decide: a digit's strokes rarely fill them.
    """
    p = _papers(_checked(np.asarray(gray, np.float32))[None])
    return Paper(float(p.tone[0]), bool(p.light[0]), bool(p.uneven[0]))


def _plain_border(ring: np.ndarray) -> bool:
    """Every image's border (rows of _ring's pixels) is pure white, or every one pure black, all round."""
    return bool(ring.min() == ring.max() and ring.flat[0] in (0.0, 1.0))


def _papers(gray: np.ndarray, look: str = "") -> Paper:
    """find_paper for (n, h, w) same-sized images at once; ``look``: a second look's kind (find_digits),
    LIGHT_PAPER: light paper whatever the border says, where some of it is light; SHADED: lit unevenly."""
    lo, hi = gray.min(axis=(1, 2)).astype(np.float64), gray.max(axis=(1, 2)).astype(np.float64)
    mid = ((lo + hi) / 2).astype(np.float32)[:, None]  # compared in float32, as one image's Python float is
    sides = _ring(gray)
    ring = np.concatenate(sides, axis=1)
    if _plain_border(ring):
        # Every border pure white or pure black all round (the drawing pad, a clean file): what the
        # rules below decide for it, without them (they cost the pad a tenth of its answer's time).
        light = ring[:, 0] > mid[:, 0]
        return Paper(ring[:, 0].astype(np.float64), light, np.zeros(len(gray), bool))
    return _papers_of(gray, mid, sides, ring, look)


def _papers_of(gray: np.ndarray, mid: np.ndarray, sides: list[np.ndarray], ring: np.ndarray, look: str = "") -> Paper:
    """_papers with the image's mid tone and its border (its sides, and all of it) measured."""
    above = ring > mid
    light_share = above.mean(axis=1)
    corners = gray[:, [0, 0, -1, -1], [0, -1, 0, -1]]
    split = np.abs(light_share - 0.5) < BORDER_SPLIT
    light = np.where(split, (corners > mid).sum(axis=1) >= 2, light_share > 0.5)
    # Two sides dark along their whole length and two light: a scanner's black border or the desk
    # beside a page, and the page. A digit touches its frame only in places, and along a whole side
    # on one side at most (a tight crop's 7, dark or light ink), so the light sides are the paper.
    # (Two black sides of four outvoted the page: every digit so scanned was its paper read as ink;
    # one light side was not enough: a white 7 on black, cropped to its bar, was read as black ink.)
    edges = (gray[:, 0], gray[:, -1], gray[:, :, 0], gray[:, :, -1])  # a band reaches the outermost pixels
    dark_shares = np.stack([(e <= mid).mean(axis=1) for e in edges], axis=1)
    # And the light tone must be most of the image, as a page is: a white Z-shaped 2 on black cropped
    # into its bars also has two light sides, and a dark-mode screenshot a light frame on two.
    banded = ((dark_shares >= BAND_SHARE).sum(axis=1) >= 2) & ((dark_shares <= 1 - BAND_SHARE).sum(axis=1) >= 2)
    if banded.any():  # rare: the whole image is looked at only then
        banded &= (gray > mid[:, :, None]).mean(axis=(1, 2)) >= BAND_PAGE
    light = light | banded
    # A page photographed on a desk that shows along its sides, not all round (a wedge each side, a
    # strip along the top): the border is mostly desk and outvoted the page, whose paper was read as
    # ink and its strokes as gaps in it (a fourth outside evaluation: 31% of such numbers right and
    # sure). When the light tone is most of the image (BAND_PAGE), as a page is, its thin strokes
    # dark (_strokes_dark: a bold light digit on black has light ones), and some of the border is
    # light, the page is the paper. Not where the dark is a black ground (under DESK_LIT: a desk is
    # lit as the page is), as round a bold white digit cropped tight, whose gaps are thin and dark,
    # nor in an image narrower than a page (PAGE_SIDE: a white 1 cropped to its stroke). Both modes;
    # in one-digit mode the desk is then taken out of the ink (Paper.desk, _desk_beside): one digit so
    # photographed had been read with the desk as paper, the page's light as ink and the digit a hole
    # in it (a fourth outside evaluation's phone photos: 74% right and sure; with the page as paper but
    # the desk's edge left in, 11 read right became flagged). Now 90%.
    desk = np.zeros(len(gray), bool)
    for i in np.flatnonzero(~light & (light_share > 0) & (min(gray.shape[1:]) >= PAGE_SIDE)):
        if ((gray[i] > mid[i]).mean() >= BAND_PAGE and np.median(ring[i][~above[i]]) >= DESK_LIT
                and _strokes_dark(gray[i])):
            light[i] = desk[i] = True
    if look == LIGHT_PAPER:  # the paper's tone is then that of the border's light part: some must be
        light = light | (light_share > 0)
    tone = _median_where(ring, above == light[:, None])
    # Each side's paper level: its lightest (darkest for light-on-dark) pixels, which stay paper
    # where the digit touches the side and where grey anti-aliased or low-resolution ink lies.
    levels = []
    for s in sides:
        k_light, k_dark = (round(pct / 100 * (s.shape[1] - 1)) for pct in (100 * PAPER_QUANTILE, 100 * (1 - PAPER_QUANTILE)))
        part = np.partition(s, sorted({k_light, k_dark}), axis=1)
        levels.append(np.where(light, part[:, k_light], part[:, k_dark]).astype(np.float64))
    levels = np.stack(levels, axis=1)
    uneven = levels.max(axis=1) - levels.min(axis=1) > UNEVEN
    # Light falling off all round (a phone camera's vignetting, a lamp's spot) leaves the sides alike
    # but the middle's paper lighter (darker on dark paper) than theirs: uneven too. (Not subtracted,
    # moderate vignetting's corners were ink: 43% of such photos read right and sure.)
    edge = np.where(light, levels.min(axis=1), levels.max(axis=1))
    h, w = gray.shape[1:]
    for i in np.flatnonzero(~uneven & (np.where(light, edge < 1.0 - UNEVEN, edge > UNEVEN))):
        middle = gray[i, h // 4 : h - h // 4 : 2, w // 4 : w - w // 4 : 2].ravel()
        if middle.size:
            k = round((PAPER_QUANTILE if light[i] else 1 - PAPER_QUANTILE) * (middle.size - 1))
            paper_there = float(np.partition(middle, k)[k])
            uneven[i] = abs(paper_there - float(edge[i])) > UNEVEN
    if look == SHADED:
        uneven[:] = True
    # A border of a middle tone (a grey desk around a page, a shadow along a side) is neither the
    # paper nor the ink: the ink is then the tone that draws thin strokes (_strokes_dark), and the
    # paper's level is taken from its own light (uneven), not from the border.
    for i in np.flatnonzero(_grey_bordered(gray, ring)):
        light[i] = _strokes_dark(gray[i])
        uneven[i] = True
    return Paper(tone, light, uneven, desk)


# A shadow or a lamp's fall-off across part of a page, reaching no side whole (a shadow's edge
# through the middle, a corner darkened), leaves every side's paper level alike and the middle lit:
# even by the rules above, so the shadowed paper was ink. Where the paper's level in each of a grid
# of PAPER_BLOCKS x PAPER_BLOCKS blocks (its PAPER_QUANTILE) differs by more than BLOCKS_UNEVEN, the
# photo is looked at a second time as lit unevenly (SHADED, find_digits), and recognition decides.
# Taken for uneven light at once, the strokes of a bold digit, a tight crop's or a low-resolution
# digit's touching the frame, were opened away as shade (an outside review: such digits 186 -> 175
# of 216 read), though an image whose ink reaches its border (BORDER_SHARE deep, BORDER_INK) is a
# crop, not looked at (MNIST digits cropped tight, 8x nearest: 99.2% -> 81% with every one looked
# at), and a block near the ink's tone (INK_BLOCK) is ink. (At half way to the paper's tone, a
# shadow leaving 60% of the light across a corner was taken for ink in a quarter of the images.)
PAPER_BLOCKS, BLOCKS_UNEVEN = 4, 0.1
INK_TONE = 0.005  # the ink's tone: the image's darkest 0.5% (light paper), as the paper's is its lightest 10%
INK_BLOCK = 0.25  # a block whose paper level is darker than this share of the way from the ink's tone to the paper's is ink
BORDER_INK = 0.25  # ink reaching the border: darker than this share of the way from the ink's tone to the paper's


def _blocks_uneven(g: np.ndarray) -> bool:
    """Whether the paper of ``g`` (light paper, dark ink) is lit unevenly within the image, see PAPER_BLOCKS."""
    h, w = g.shape
    bh, bw = h // PAPER_BLOCKS, w // PAPER_BLOCKS
    if min(bh, bw) < 2:
        return False
    sample = g[::2, ::2].ravel()
    k = round(INK_TONE * (sample.size - 1))
    ink, paper = float(np.partition(sample, k)[k]), float(g.max())
    d = max(1, round(BORDER_SHARE * min(h, w)))
    if min(g[:d].min(), g[-d:].min(), g[:, :d].min(), g[:, -d:].min()) <= ink + BORDER_INK * (paper - ink):
        return False
    blocks = (g[: bh * PAPER_BLOCKS, : bw * PAPER_BLOCKS].reshape(PAPER_BLOCKS, bh, PAPER_BLOCKS, bw)
              .transpose(0, 2, 1, 3).reshape(PAPER_BLOCKS**2, -1))
    k = round(PAPER_QUANTILE * (blocks.shape[1] - 1))
    levels = np.partition(blocks, k, axis=1)[:, k]
    top = float(levels.max())
    paper_levels = levels[levels > ink + INK_BLOCK * (top - ink)]
    return top - float(paper_levels.min()) > BLOCKS_UNEVEN


def _desk_beside(gray: np.ndarray) -> np.ndarray:
    """The desk beside a page (Paper.desk) in its image at work scale: the dark connected to the
    image's border, clearly darker than the page (DESK_STEP of the way from the desk's tone to the
    paper's), without the strokes written up to it (_opened)."""
    edge = np.concatenate(_sides(gray))
    mid = (float(gray.min()) + float(gray.max())) / 2
    # The desk's tone: the dark part of the image's outermost pixels (the rest is the page reaching them)
    desk_tone = float(np.median(edge[edge <= mid])) if (edge <= mid).any() else float(edge.min())
    top = float(np.percentile(gray[::2, ::2], PAGE_TOP))
    dark = gray <= desk_tone + DESK_STEP * (top - desk_tone)
    # What the opening leaves apart from the image's edges (a dark blob that joined the desk by a
    # stroke, a digit crossing a grid) is no desk.
    return at_border(*label(_opened(at_border(*label(dark)))))


def _grey_bordered(gray: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """For (n, h, w) images and their border pixels (n, k): the border is of one tone (GREY_SPREAD: a
    tight crop's border is paper and ink) with clearly darker and clearly lighter pixels inside, each
    at least MID_SHARE of the image (a small digit's ink is 1-3% of it): a grey desk around a page."""
    grey = np.zeros(len(gray), bool)
    # Most borders are the image's lightest or darkest tone all round (paper, MNIST's black): none
    # of those is grey, and the drawing pad (pure white all round) pays nothing more.
    if _plain_border(ring):
        return grey
    sample = gray[:, ::4, ::4].reshape(len(gray), -1)
    lo, hi = sample.min(axis=1), sample.max(axis=1)
    some = np.flatnonzero((ring.min(axis=1) < hi - MIN_CONTRAST) & (ring.max(axis=1) > lo + MIN_CONTRAST))
    if some.size == 0:
        return grey
    gray, ring = gray[some], ring[some]
    ordered = np.sort(ring, axis=1)  # np.percentile costs ten times as much on the drawing pad
    k = ordered.shape[1] - 1
    b10, border, b90 = (ordered[:, round(q * k)].astype(np.float64) for q in (0.1, 0.5, 0.9))
    # A photo turned in software is filled black (or white) at its corners: that fill, pure black or
    # white, is no desk (a second outside evaluation: 23 of 40 such digits flagged). The rest of the
    # border decides when it is most of it.
    fill = (ordered <= FILL_TONE) | (ordered >= 1.0 - FILL_TONE)
    for i in np.flatnonzero(fill.any(axis=1) & ((~fill).sum(axis=1) >= FILL_REST * ordered.shape[1])):
        rest = ordered[i][~fill[i]]
        b10[i], border[i], b90[i] = (float(rest[round(q * (rest.size - 1))]) for q in (0.1, 0.5, 0.9))
    one_tone = b90 - b10 <= GREY_SPREAD
    for i in np.flatnonzero(one_tone):  # one tone all round: a desk or a frame (every fourth pixel looked at)
        sample = gray[i, ::4, ::4]
        step = max(MIN_CONTRAST, float(b90[i] - b10[i]))
        grey[some[i]] = (np.count_nonzero(sample > border[i] + step) >= MID_SHARE * sample.size
                         and np.count_nonzero(sample < border[i] - step) >= MID_SHARE * sample.size)
    return grey


def _strokes_dark(gray: np.ndarray) -> bool:
    """The thin strokes are dark ones: of the dark and the light detail no wider than THIN_DETAIL of
    the image (grey closing and opening: a pen's strokes, not a page), the dark is the larger; or,
    first, of the detail no wider than a pixel or two, the dark is HAIRLINE_DARK x the light and
    HAIRLINE_SHARE of the wider detail."""
    fine_dark, fine_light = _detail(gray, 1)
    dark, light = _detail(gray, max(1, round(THIN_DETAIL * min(gray.shape))))
    if fine_dark > 0 and fine_dark >= HAIRLINE_DARK * fine_light and fine_dark >= HAIRLINE_SHARE * (dark + light):
        return True
    return dark >= light


# A fine pen's row of digits at work scale (strokes a pixel or two wide, the paper between them and
# inside their loops a few pixels): the opening at THIN_DETAIL closed those gaps, and the paper
# there was light detail, more than the strokes' dark: a photographed page whose border is grey was
# read as light ink, its paper the ink ("947495" read "?????", 5 of an outside evaluation's 600
# numbers). Detail a pixel or two wide sees the strokes and not the gaps; paper grain gives as much
# light detail as dark. And it must be HAIRLINE_SHARE of the wider detail: bold light digits or chalk
# in a grey frame have a few dark pixels of that width (0.2-5% of it; a fine pen's strokes 11-48%),
# and 11 of an outside review's 495 such images were read as dark ink without it, 2 as a sure wrong
# digit (README, "A fine pen's row": the review's figures; its 0.08).
HAIRLINE_DARK, HAIRLINE_SHARE = 2.0, 0.08


def _detail(gray: np.ndarray, r: int) -> tuple[float, float]:
    """How much dark and light detail ``gray`` has no wider than 2r px (of over 0.1): what a grey
    closing and opening by a square 2r + 1 across take away."""
    dark = _filter(_filter(gray, r, np.max), r, np.min) - gray
    light = gray - _filter(_filter(gray, r, np.min), r, np.max)
    return float(np.sum(dark[dark > 0.1])), float(np.sum(light[light > 0.1]))


def _median_where(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """np.median of each row's masked values (float64 of the float32 median; rows have at least one)."""
    s = np.sort(np.where(mask, a, np.inf), axis=1)
    c = mask.sum(axis=1)
    rows = np.arange(len(a))
    hi, lo = s[rows, c // 2], s[rows, np.maximum(c - 1, 0) // 2]
    return np.where(c % 2 == 1, hi, (lo + hi) / np.float32(2)).astype(np.float64)


def _checked(gray: np.ndarray) -> np.ndarray:
    """The image itself, or DigitsError in words: every way into recognition starts at work scale, so
    an empty or not-2-D array is refused here, not deep in numpy (the min of an empty array)."""
    if gray.ndim != 2:
        raise DigitsError(f"This is not a grayscale image (an array of {gray.ndim} dimensions, not 2).")
    if gray.size == 0:
        raise DigitsError(f"This image is empty ({gray.shape[1]}x{gray.shape[0]} pixels).")
    lo, hi = gray.min(), gray.max()  # NaN if any pixel is
    if not (0.0 <= lo and hi <= 1.0):
        # A float file (TIFF) may hold NaN, inf or values past white: one such pixel would set the
        # paper's level and the contrast for all the others, and the digit vanish. Unknown pixels
        # take the image's median tone; the rest is clipped to black..white.
        finite = np.isfinite(gray)
        fill = float(np.median(gray[finite])) if finite.any() else 1.0
        gray = np.clip(np.where(finite, gray, np.float32(fill)), 0.0, 1.0).astype(np.float32)
    return gray


def work_factor(shape: tuple[int, ...], side: int = WORK_SIDE) -> int:
    """How many image pixels one work-scale pixel spans: the integer reduction to at most ``side``.
    (1 for a shape that is no image: _checked then says what is wrong with it.)"""
    longest = max(shape[:2], default=0)
    return -(-longest // side) if longest > side else 1


def number_work_factor(shape: tuple[int, ...], row_height: int | None = None) -> int:
    """work_factor for a row of digits: no coarser than keeps the row NUMBER_MIN_HEIGHT tall (a
    20-digit number reduced to 160 px wide is 8 px tall), within NUMBER_MAX_SIDE. ``row_height``:
    the ink's height in image pixels (a number on a page is shorter than the page); default the image's."""
    height = row_height if row_height is not None else (shape[0] if shape else 0)
    return min(work_factor(shape), max(work_factor(shape, NUMBER_MAX_SIDE), height // NUMBER_MIN_HEIGHT, 1))


def at_work_scale(gray: np.ndarray, factor: int | None = None) -> np.ndarray:
    """The image as float32, shrunk by an integer factor (default: to at most about WORK_SIDE)."""
    gray = _checked(np.ascontiguousarray(gray, dtype=np.float32))
    return _reduced(gray, work_factor(gray.shape) if factor is None else factor)


def _reduced(gray: np.ndarray, f: int) -> np.ndarray:
    """at_work_scale of a checked float32 image."""
    if f < DITHER_MAX_FACTOR and _dithered(gray):  # reduced by more, a scan's dots are averaged anyway
        gray = _box_mean(gray, DITHER_BLUR + f - 1)
    # An integer box reduction: a third of the cost of resampling to exactly WORK_SIDE.
    h, w = gray.shape
    if f == 1:
        return as_drawn(gray)
    if f != 2 or h % 2 or w % 2:
        return as_drawn(np.asarray(Image.fromarray(gray).reduce(f)))
    # Halving (the drawing pad): Pillow's reduce done by numpy, the same float32 sums in the same order.
    return as_drawn((gray[0::2, 0::2] + gray[0::2, 1::2] + gray[1::2, 0::2] + gray[1::2, 1::2]) * np.float32(0.25))


def _dithered(gray: np.ndarray) -> bool:
    """Two tones, one of them in dots standing alone (DITHER_DOTS of it): a 1-bit scan or fax whose
    greys are dithered. Looked for in a window at the middle (DITHER_WINDOW px square): dithering
    covers the page, and a two-tone drawing on the pad cost 90 us looked at whole, 10 us so."""
    h, w = gray.shape
    top, left = max(0, h // 2 - DITHER_WINDOW // 2), max(0, w // 2 - DITHER_WINDOW // 2)
    win = gray[top : top + DITHER_WINDOW, left : left + DITHER_WINDOW]
    lo, hi = win.min(), win.max()
    dark = win == lo
    if lo == hi or not (dark | (win == hi)).all():
        return False
    # A pixel whose four neighbours are all of the other tone: a dot, dark on light or light on dark.
    alone = np.ones_like(dark)
    alone[1:] &= dark[1:] != dark[:-1]
    alone[:-1] &= dark[:-1] != dark[1:]
    alone[:, 1:] &= dark[:, 1:] != dark[:, :-1]
    alone[:, :-1] &= dark[:, :-1] != dark[:, 1:]
    return np.count_nonzero(alone) > DITHER_DOTS * win.size


def _box_mean(gray: np.ndarray, r: int) -> np.ndarray:
    """The mean over a (2r+1)-square around each pixel (the edge repeated), by cumulative sums."""
    k = 2 * r + 1
    c = np.pad(gray, r, mode="edge").astype(np.float64).cumsum(axis=0).cumsum(axis=1)
    c = np.pad(c, ((1, 0), (1, 0)))
    return ((c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)).astype(np.float32)


def as_drawn(gray: np.ndarray) -> np.ndarray:
    """An image upscaled by repeating pixels as its source upscaled smoothly, in the same shape (so
    boxes found on it are the image's); a two-tone one, or any other image, as it is."""
    k = repeat_factor(gray)
    if k == 1:
        return gray
    h, w = gray.shape
    source = gray[::k, ::k]
    if ((source == source.min()) | (source == source.max())).all():
        # Two tones (pixel art, a thresholded scan): smoothing its source's stair steps read pen
        # digits drawn at 28-40 px and shown at 4-8x 2 points worse; they stay as blocks.
        return gray
    return _smooth_upscale(source, h, w)


def _smooth_upscale(a: np.ndarray, h: int, w: int) -> np.ndarray:
    """``a`` resized to h x w as Pillow's bicubic would, clipped to black..white."""
    up = resize_weights(a.shape[0], h, Image.Resampling.BICUBIC) @ a @ resize_weights(a.shape[1], w, Image.Resampling.BICUBIC).T
    return np.clip(up, 0.0, 1.0).astype(np.float32)


def repeat_factor(gray: np.ndarray) -> int:
    """The largest k (2..MAX_BLOCK) such that the image is made of k x k blocks of one value, else 1.

    Rows within a block are equal and so are columns: every change from one row (column) to the
    next falls on a multiple of k, so k divides the gcd of where they fall and of the sides."""
    h, w = gray.shape
    # Rows first: in a drawing or a scan two neighbouring rows change, and the gcd is 1 at once.
    g = math.gcd(h, w, *(np.flatnonzero(_any(gray[1:] != gray[:-1], axis=1)) + 1).tolist())
    if g > 1:
        g = math.gcd(g, *(np.flatnonzero(_any(gray[:, 1:] != gray[:, :-1], axis=0)) + 1).tolist())
    return next((k for k in range(min(g, MAX_BLOCK), 1, -1) if g % k == 0), 1)


# On a small photo (fitted with a smooth surface, _surface), what the surface cannot follow (a ruled
# line's or a grid's print, a shadow's edge, light changing within the digit's size) stayed ink
# beside or across the digit. Where the grey opening of the image by a square UNDER_STROKES pen
# strokes across each way from its middle (the pen's: that of the largest piece of clear ink, the
# digit, not a form's thin print) stands above the surface, it is the background: it removes the
# strokes and keeps anything wider. An outside evaluation's small photos: MNIST digits on ruled or
# squared paper 88.5 -> 92.0% right and sure
# (wrong and sure 0.5 -> 0%), drawn digits 83.3 -> 86.0%, 4,520 single digits 87.8 -> 88.1%
# (wrong and sure 1.4 -> 1.3%). At 1 stroke, a bold MNIST digit cropped tight lost its joins (2 of 600).
UNDER_STROKES = 2.0


def _under_strokes(raw: np.ndarray, back: np.ndarray) -> np.ndarray:
    """The background under the strokes of ``raw`` (ink polarity), whose smooth background is ``back``:
    its grey opening by a square UNDER_STROKES of the pen's strokes each way (see UNDER_STROKES)."""
    sub = np.clip(raw - back, 0.0, None)
    top = float(sub.max())
    if top <= 0:
        return back
    labels, n = label(sub > 0.5 * top)
    pen = labels == largest(labels, n)
    r = max(1, round(UNDER_STROKES * stroke_width(pen)))
    return _filter(_filter(raw, r, np.min), r, np.max)


def to_ink(gray: np.ndarray, factor: int | None = None, *, row: bool = False) -> Ink:
    """Polarity, background removal and contrast normalisation: white ink on black, 0 to 1, at work
    scale (``factor``: image pixels per work pixel; default work_factor). ``row``: a row of digits
    (number mode), whose uneven light is taken off from ROW_BACKGROUND_SIDE px tall."""
    return ink_at_work(at_work_scale(gray, factor), row=row)


def ink_at_work(work: np.ndarray, *, row: bool = False, look: str = "") -> Ink:
    """to_ink of an image at work scale already (at_work_scale's or work_view's); ``look``: a second
    look's kind, as find_digits reads it (Found.look)."""
    ink, blank, inverted, contrast, _ = _inks(work[None], row=row, look=look)
    return Ink(ink[0], bool(blank[0]), bool(inverted[0]), float(contrast[0]))


@dataclass(frozen=True)
class WorkView:
    """What one digit is read from: the image at work scale, or a crop of it around a digit that
    would be too small there (look_closer), at the crop's own work scale."""

    gray: np.ndarray  # at work scale
    factor: int  # image pixels per work pixel
    top: int = 0  # where the crop starts in the image, in image pixels
    left: int = 0


def work_view(gray: np.ndarray) -> WorkView:
    """The image at work scale, or the crop of it that holds a digit small in a large image."""
    part, (top, left) = readable_part(gray)
    factor = work_factor(part.shape)
    return WorkView(_reduced(np.ascontiguousarray(part), factor), factor, top, left)


def number_view(gray: np.ndarray) -> WorkView:
    """What number mode reads of an image, in the window and the batch alike: readable_part, shrunk
    within NUMBER_MAX_SIDE (the batch's reader keeps no larger image in memory; number mode picks its
    own scale from there). Read from the full-size part, the window chose its scale among other
    factors than the batch did from the shrunk one, and the two read one file differently (a row 32
    px tall at 4x, 43 px at 3x: "823-7729" in the window, 8237729 in the batch: an outside evaluation)."""
    part, (top, left) = readable_part(gray)
    factor = work_factor(part.shape, NUMBER_MAX_SIDE)
    return WorkView(at_work_scale(part, factor), factor, top, left)


@dataclass(frozen=True)
class Look:
    """What a look at a large image found (look_closer)."""

    gray: np.ndarray  # the image; a page photographed on a desk with the desk painted the page's tone
    region: tuple[int, int, int, int] | None  # (top, bottom, left, right): the crop to read a small
    # digit from, with paper around it; None: read the whole image; EDGES_ONLY: nothing but edges


def look_closer(gray: np.ndarray) -> Look:
    """The look at an image over LOOK_OVER px both ways (one digit's work_view and number mode alike);
    smaller images are read as they are."""
    gray = _checked(np.ascontiguousarray(gray, dtype=np.float32))
    small_image = min(gray.shape) <= LOOK_OVER
    # A small image is looked at only for a desk around its page (a slip photographed on a table, a
    # dark frame round a scan: the frame was read as the ink, and 100 of 100 such digits flagged),
    # and only when its outermost pixels are dark all round: a drawing's white edge rules it out.
    dark = min(gray.shape) >= PAGE_SIDE and _dark_all_round(gray)
    grey = (min(gray.shape) >= PAGE_SIDE and not dark
            and bool(_grey_bordered(gray[None], np.concatenate(_sides(gray))[None, ::4])[0]))
    if small_image and not (dark or grey):
        # No page fits (a 28x28 digit, white on black, is dark all round: a folder of them ran 40%
        # slower looking for a desk), or nothing dark, or grey, all round to be a desk.
        return Look(gray, None)
    look = work_factor(gray.shape) if small_image else max(2, work_factor(gray.shape, LOOK_SIDE))
    small = _reduced(gray, look)
    desk = _desk(small) if dark else _grey_desk(small) if grey else None
    if desk is not None:
        painted = _page_tones(small, desk)
        small = np.where(desk, painted, small)
        # Painted at look scale, in blocks as the desk's mask is (a bilinear resize took 93 ms of a 4000x3000 photo)
        gray = np.where(_in_blocks(desk, look, gray.shape), _in_blocks(painted, look, gray.shape), gray)
    return Look(gray, None if small_image else _small_digit(small, look, gray.shape))


def _in_blocks(a: np.ndarray, look: int, shape: tuple[int, int]) -> np.ndarray:
    """A look-scale array back at the image's ``shape``, each pixel a ``look``-square block."""
    h, w = shape
    full = np.repeat(np.repeat(a, look, axis=0), look, axis=1)[:h, :w]
    return np.pad(full, ((0, h - full.shape[0]), (0, w - full.shape[1])), mode="edge")


def _page_tones(small: np.ndarray, desk: np.ndarray) -> np.ndarray:
    """The page's tone carried out over the desk: each pixel the mean of the page within PAINT_REACH
    of the shorter side around it (the median of the page where none is that near). One tone for the
    whole desk hid the light falling across the page: its sides all alike, no shading was taken off,
    and the page's dark end read as ink ("1467" on a slip lit from one side: "??")."""
    page = (~desk).astype(np.float32)
    r = max(1, round(PAINT_REACH * min(small.shape)))
    weight = _box_mean(page, r)
    mean = _box_mean(np.where(desk, 0.0, small).astype(np.float32), r)
    flat = np.float32(np.median(small[~desk]))
    return np.where(weight > 0.01, mean / np.maximum(weight, 1e-6), flat).astype(np.float32)


def _sides(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The image's outermost rows and columns: top, bottom, left, right."""
    return a[0], a[-1], a[:, 0], a[:, -1]


def _dark_all_round(gray: np.ndarray) -> bool:
    """Every side of the image dark along (almost) its whole length: where a desk may surround a page.
    Dark against the middle of the image's tones, taken from every fourth pixel (the drawing pad's cost)."""
    sample = gray[::4, ::4]
    lo, hi = float(sample.min()), float(sample.max())
    mid = (lo + hi) / 2
    return lo < hi and all(np.count_nonzero(side > mid) <= (1 - BAND_SHARE) * side.size
                           for side in _sides(gray))


def _desk(look: np.ndarray) -> np.ndarray | None:
    """At look scale, the desk around a page photographed lying on it: the dark ink connected to
    the image's border, when every side of the image is dark (BAND_SHARE) and the light inside is a
    page: most of the image (BAND_PAGE), or a sheet that fills its box and holds little ink (_a_page);
    None for any other image. (Its border dark, the page was read as the ink: 0 of 7 such photos
    made outside this project read; 0 of 268 slips on a dark table and digits in a dark frame.)"""
    # The page is whatever is clearly lighter than the desk, the tone of the image's outermost
    # pixels: a page shaded by the light falling across it stays page down to DESK_STEP of the way
    # from the desk's tone to the paper's (halfway, its shaded end joined the desk and the page
    # was no sheet's shape: a row of digits on a slip read "88888?").
    edge = np.concatenate(_sides(look))
    desk_tone = float(np.median(edge))
    # Halfway is tried too when that finds no sheet: a thumb or a stain lighter than the desk lying
    # across the page's edge joins the page then, and the page is no sheet's shape (a code review:
    # 28 -> 2 of 36 thumbs' numbers read with DESK_STEP alone).
    top = float(np.percentile(look, PAGE_TOP))
    for step in (DESK_STEP, 0.5):
        light = look > desk_tone + step * (top - desk_tone)
        share = float(light.mean())
        if share < PAGE_MIN or any(side.mean() > 1 - BAND_SHARE for side in _sides(light)):
            continue
        desk = at_border(*label(~light))
        if share >= BAND_PAGE or _a_page(~desk, light, look[desk]):
            return _opened(desk)
    return None


def _grey_desk(look: np.ndarray) -> np.ndarray | None:
    """At look scale, a grey desk around a page (a border of one middle tone, _grey_bordered): the
    pixels within GREY_BAND of the border's tone connected to the border, when they run along every
    side (BAND_SHARE) and what they surround is a sheet's shape (PAGE_MIN, PAGE_SIDE, PAGE_FILL,
    PAGE_CONVEX). Lit from one side, the page is lighter than such a desk at one end and darker at
    the other: no threshold between desk and page finds it (_desk). None for any other image."""
    edge = np.concatenate(_sides(look))
    low, tone, high = np.percentile(edge, [10, 50, 90])
    labels, n = label(np.abs(look - tone) <= max(GREY_BAND, high - low))
    desk = at_border(labels, n)
    if any(side.mean() < BAND_SHARE for side in _sides(desk)):
        return None
    inside = ~desk
    if np.count_nonzero(inside) < PAGE_MIN * inside.size or _sheet_side(inside, GREY_CONVEX) is None:
        return None
    # Where the page's shade passes through the desk's tone, that band of the page joined the desk:
    # the page is convex, so the desk is only what lies outside the page's hull.
    return _opened(desk & ~_hull_mask(inside))


def _opened(desk: np.ndarray) -> np.ndarray:
    """The desk without the strokes that reach it from the page, and the page's shaded rim beside it."""
    # Strokes written up to the page's edge join the desk there: opened away from it (they are
    # thinner than DESK_OPEN of the image), they stay ink ("0:41" on a slip read "0", its 4 and 1
    # painted out with the table). Only what the opening takes off inside the image is ink: a thin
    # strip of desk along the image's edge, where the page nearly reaches it, stays desk.
    r = max(1, round(DESK_OPEN * min(desk.shape)))
    opened = _filter(_filter(desk.astype(np.float32), r, np.min), r, np.max) > 0.5
    opened |= at_border(*label(desk & ~opened))
    return grown(opened)  # ...and the page's shaded rim beside it


def _hull_area(mask: np.ndarray) -> float:
    """The area of the convex hull of a mask's pixels (as unit squares): a page is convex, a bold
    light 8 or 6 is not (its waist)."""
    hull = _hull(mask)
    if len(hull) < 3:
        return float(np.count_nonzero(mask))
    xs, ys = np.array([p[0] for p in hull]), np.array([p[1] for p in hull])
    return float(abs(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1))) / 2)


def _hull_mask(mask: np.ndarray) -> np.ndarray:
    """The pixels inside the convex hull of a mask's pixels."""
    hull = _hull(mask)
    if len(hull) < 3:
        return mask.copy()
    canvas = Image.new("1", (mask.shape[1], mask.shape[0]), 0)
    ImageDraw.Draw(canvas).polygon([(x - 0.5, y - 0.5) for x, y in hull], fill=1)
    return np.asarray(canvas, bool) | mask


def _hull(mask: np.ndarray) -> list[tuple[float, float]]:
    """The convex hull (x, y corners of the pixels as unit squares) of a mask's pixels, from each
    row's first and last pixel by the monotone chain."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return []
    first = mask[rows].argmax(axis=1)
    last = mask.shape[1] - 1 - mask[rows][:, ::-1].argmax(axis=1)
    pts = sorted({(float(x), float(y)) for y, a, b in zip(rows, first, last)
                  for x in (a, b + 1.0) for y in (y, y + 1.0)})
    if len(pts) < 3:
        return pts

    def half(points):
        chain: list[tuple[float, float]] = []
        for p in points:
            while len(chain) >= 2 and ((chain[-1][0] - chain[-2][0]) * (p[1] - chain[-2][1])
                                       - (chain[-1][1] - chain[-2][1]) * (p[0] - chain[-2][0])) <= 0:
                chain.pop()
            chain.append(p)
        return chain

    return half(pts)[:-1] + half(pts[::-1])[:-1]


def _a_page(inside: np.ndarray, light: np.ndarray, desk_tones: np.ndarray) -> bool:
    """What the desk surrounds is a sheet of paper, not a light digit on a dark ground: it fills its
    box as a page does, turned or in perspective (PAGE_FILL), is convex (PAGE_CONVEX: a bold light 8
    has a waist), and the dark inside it is ink, a small share of it (PAGE_INK), where a light 0's
    or 8's holes are a third of its area or more. And the desk is one tone (DESK_SPREAD): where the
    page's own shaded half fell below the threshold and joined it, painting it out took the digit
    too, and what was left of the page read "1" at 99.8%."""
    ink = inside & ~light
    side = _sheet_side(inside, PAGE_CONVEX)
    if side is None or not 0 < int(np.count_nonzero(ink)) <= PAGE_INK * np.count_nonzero(inside):
        return False  # a digit's image, not a sheet's shape, or nothing written on it (a light bar: a "1")
    low, high = np.percentile(desk_tones, [50, 90])
    # Ink is strokes, thin beside the page; a bold light 0's hole is a blob (0.17-0.31 of its width).
    return high - low <= DESK_SPREAD and stroke_width(ink.astype(np.float32)) <= PAGE_STROKE * side


def _sheet_side(inside: np.ndarray, convex: float) -> int | None:
    """The shorter side of the box of what a desk surrounds when it is a sheet's shape: at least
    PAGE_SIDE across, filling PAGE_FILL of its box and ``convex`` of its hull; else None."""
    rows, cols = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
    if rows.size == 0:
        return None
    area = int(np.count_nonzero(inside))
    tall, wide = int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
    if min(tall, wide) < PAGE_SIDE or area < PAGE_FILL * tall * wide or area < convex * _hull_area(inside):
        return None
    return min(tall, wide)


PLAIN_PAPER = np.ones((1, 1), np.float32)  # what is read of a photo holding nothing but edges: no digit
PLAIN_PAPER.setflags(write=False)  # shared: never written to


def readable_part(gray: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """The part of an image that is read, full size (float32), and where it starts (top, left): the
    whole image, the crop around a small digit or number (look_closer), or PLAIN_PAPER. One digit
    (work_view), number mode and the batch's reader all read from it."""
    look = look_closer(gray)
    if look.region is EDGES_ONLY:
        return PLAIN_PAPER, (0, 0)
    if look.region is None:
        return look.gray, (0, 0)
    top, bottom, left, right = look.region
    return look.gray[top:bottom, left:right], (top, left)
EDGE_EVEN = 2.0  # an edge's band is nowhere wider than this x its median width (+2 px)
EDGE_ALONG = 0.9  # ...and it lies along a side of the image for this share of its length,
EDGE_LINE = 0.015  # ...or its median width is at most this share of the image across it (a ruled line)
EDGES_ONLY = (0, 0, 0, 0)  # look_closer's region for a photo whose only ink runs edge to edge


def _without_edges(ink: np.ndarray) -> np.ndarray:
    """The ink without its pieces (of clear ink) that run from a side of the image to the opposite
    side: an edge, or a ruled line. Where such a band is wider than EDGE_EVEN x its usual width
    (a digit written on the line), that part stays."""
    labels, n = label(ink > BBOX_LEVEL)
    if n == 0:
        return ink
    h, w = ink.shape
    b = boxes(labels, n)
    edge = np.zeros((h, w), bool)
    for i in np.flatnonzero(((b[:, 0] == 0) & (b[:, 1] == h)) | ((b[:, 2] == 0) & (b[:, 3] == w))):
        piece = labels == i + 1
        down = b[i, 0] == 0 and b[i, 1] == h
        widths = piece.sum(axis=1 if down else 0)  # across the band, all along it
        length, across = (h, w) if down else (w, h)
        sides = (piece[:, 0], piece[:, -1]) if down else (piece[0], piece[-1])
        # Only a band lying along a side of the image (the desk, the page's edge) or thin beside the
        # image (a ruled line): a tight crop's 1 runs from top to bottom too.
        if max(s.sum() for s in sides) < EDGE_ALONG * length and np.median(widths) > EDGE_LINE * across:
            continue
        band = widths <= EDGE_EVEN * np.median(widths) + 2
        edge |= piece & (band[:, None] if down else band[None, :])
    if not edge.any():
        return ink
    return np.where(grown(edge), 0.0, ink).astype(ink.dtype)  # their faint fringe goes too


def _small_digit(small: np.ndarray, look: int, shape: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) in image pixels of the paper around ink that would be too small to
    read at work scale, from ``small``, the image of ``shape`` reduced by ``look``; None when there
    is no such ink (or too much); EDGES_ONLY when its only ink runs from side to side."""
    ink, _, _, contrast, _ = _inks(small[None], LOOK_HOT)
    if contrast[0] < MIN_CONTRAST:
        return None  # no ink at all (the blank rule's share of the image would call any small digit blank)
    kept = _without_edges(ink[0])
    clean, box = digit_ink(kept, paper_may_hold_marks(small))
    if box is None:
        return EDGES_ONLY if kept is not ink[0] else None
    top, bottom, left, right = box
    side = max(bottom - top, right - left)
    if side < ZOOM_MIN_SIDE or side * look >= ZOOM_BELOW * max(shape) \
            or np.count_nonzero(clean > 0.5) < MIN_INK_PIXELS or _solid(clean, box):
        return None  # nothing to look closer at: too little ink, or a dot (a click on the pad, dust)
    m = ZOOM_MARGIN * side
    h, w = shape
    return (max(0, int((top - m) * look)), min(h, int(math.ceil((bottom + m) * look))),
            max(0, int((left - m) * look)), min(w, int(math.ceil((right + m) * look))))


# Up to this many pixels the k-th largest is read off a sort: np.partition is slow on images whose
# pixels are mostly equal (0 paper, 1 ink), 4x a sort's time on 28x28. The same value either way.
SORT_MAX = 4096
# The contrast is set by the k-th strongest ink pixel, k one in HOT of the image's pixels: a few hot
# pixels do not set it. A look for a small digit (work_view) allows fewer, one in LOOK_HOT: a digit
# there can be fewer pixels than one in HOT, and its contrast would read as none.
HOT = 1000
LOOK_HOT = 20_000


def _inks(gray: np.ndarray, hot: int = HOT, row: bool = False,
          look: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """to_ink for (n, h, w) same-sized images at work scale: (ink, blank, inverted, contrast, uneven),
    one per image; one pixel in ``hot`` may be too bright to set the contrast by; ``row``: a row of
    digits (number mode), see to_ink; ``look``: see _papers."""
    n, h, w = gray.shape
    paper = _papers(gray, look)
    inverted = paper.light
    if inverted.all():  # one polarity for the whole stack (a drawing, a folder of one kind): no where()
        ink = 1.0 - gray
    elif not inverted.any():
        ink = gray
    else:
        ink = np.where(inverted[:, None, None], 1.0 - gray, gray)
    floor = np.full(n, NOISE_FLOOR, np.float32)
    # Even paper or canvas: one level. The opening would also eat into bold strokes.
    level = np.where(inverted, 1.0 - paper.tone, paper.tone).astype(np.float32)
    ink = np.clip(ink - level[:, None, None], 0.0, None)
    lit = {}  # image -> the contrast of its ink with uneven light subtracted (not measured against the light)
    opened = min(h, w) >= (ROW_BACKGROUND_SIDE if row else BACKGROUND_SIDE)
    for i in np.flatnonzero(paper.uneven):  # photos only: it costs
        # Shadows or a gradient across a photo: subtract the smooth background, pixel by pixel.
        # A shadow's sharp edge survives as a faint line, hence the higher floor.
        raw = 1.0 - gray[i] if inverted[i] else gray[i]
        back = _background(raw) if opened else _surface(raw)
        if back is None:
            continue
        if not opened:
            back = np.maximum(back, _under_strokes(raw, back))
        # Light falling off darkens ink and paper alike (it multiplies): on light paper, the ink is
        # measured against the paper's own light, so a digit in the shade is as strong as one in
        # the sun (subtracted alone, a row's shaded digits fell under the floor: "9834534" read
        # "34534", and one digit in a photo's shade was flagged). Whether there is ink at all is
        # still judged by the subtracted contrast (MIN_CONTRAST): an image half black, half white
        # kept its edge at twice the strength, read as a sure 1 (non-digit set 95.3% -> 94.8% flagged).
        subtracted = np.clip(raw - back, 0.0, None)
        ink[i] = np.clip(subtracted / np.maximum(1.0 - back, LIGHT_LEAST), 0.0, None) if inverted[i] else subtracted
        floor[i] = SHADOW_FLOOR
        lit[i] = _strongest(subtracted.ravel(), max(3, h * w // hot))
    for i in np.flatnonzero(paper.desk & (not row)):
        # The desk's light is taken off as uneven light, but its edge with the page stays a line
        # (L-shaped round a page's corner) that joined the digit's box: the desk and that edge go.
        # (Not in number mode: a strip of the desk too light to be taken off with it stayed along the
        # image's edge, read a 1: "173.42" on a slip read "1173.42". Number mode reads such a page as before.)
        ink[i][grown(_desk_beside(gray[i]))] = 0.0
    # Strongest ink, robust to a few hot pixels: the k-th largest value rather than the maximum.
    k = max(3, h * w // hot)
    flat = ink.reshape(n, -1)
    if h * w <= k:
        contrast = flat.max(axis=1)
    elif n == 1:
        contrast = np.array([_strongest(flat[0], k)], np.float32)
    elif h * w <= SORT_MAX:  # small images: a sort, several times faster than a partition (many equal values)
        contrast = np.sort(flat, axis=1)[:, h * w - k]
    else:
        contrast = np.partition(flat, h * w - k, axis=1)[:, h * w - k]
    faint = contrast < MIN_CONTRAST
    for i, c in lit.items():
        faint[i] = c < MIN_CONTRAST
    ink = np.minimum(ink / np.where(faint, 1.0, contrast).astype(np.float32)[:, None, None], 1.0)
    # Zero the faint rest (paper grain, JPEG noise) but keep the grey edges of strokes as they are.
    ink[(ink < floor[:, None, None]) | faint[:, None, None]] = 0.0
    strong = np.count_nonzero(ink > 0.5, axis=(1, 2))
    blank = strong < max(MIN_INK_PIXELS, MIN_INK_SHARE * h * w)
    return ink, blank | faint, inverted, contrast, paper.uneven


def _strongest(flat: np.ndarray, k: int) -> float:
    """The k-th largest of one image's ink (0 and up, flattened): among the few inked pixels, or 0, so
    a partition of those only."""
    if flat.size <= k:
        return float(flat.max())
    inked = flat[flat > 0]
    return float(np.partition(inked, inked.size - k)[inked.size - k]) if inked.size >= k else 0.0


_any = np.logical_or.reduce  # ndarray.any(axis) without its Python wrapper: the same flags


def ink_bbox(ink: np.ndarray, level: float = 0.0) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right), exclusive ends, of the pixels above ``level``; None if none."""
    return box_of(ink > level)


def _faint_core(ink: np.ndarray) -> float | None:
    """The median of the ink's strengths when it is under FAINT_CORE, else None. Counted first: the
    median is taken only when the count cannot tell (np.median cost a thin pen's drawing 0.1 ms)."""
    # Compared in float64, as the median's Python float is (a float32 0.7 is under 0.7; NumPy 1.x
    # compares a float32 array with a float64 scalar in float32).
    under, n = int(np.count_nonzero(ink.astype(np.float64) < FAINT_CORE)), ink.size
    if 2 * under < n:  # the middle value (both, for an even count) is FAINT_CORE or more
        return None
    core = float(np.median(ink))
    return core if core < FAINT_CORE else None


def _normalise_stroke(fine: np.ndarray, crop: np.ndarray | None) -> np.ndarray:
    """``fine``, the digit's ``crop`` (at work scale) fitted to FINE x the box, with MNIST's stroke;
    faint thin ink at full strength first, unless ``crop`` is None."""
    width = stroke_width(fine)
    if 0 < width < THIN * MNIST_STROKE:  # a thin pen: thicken towards MNIST's stroke
        ink = crop[crop > FAINT_FLOOR] if crop is not None else None
        core = _faint_core(ink) if ink is not None and ink.size else None
        if core is not None:  # faint: at full strength first
            fine = np.minimum(fine / core, 1.0).astype(fine.dtype)
        r = round((MNIST_STROKE - width) / 2)
        # Dilated by r, padded by r first so the stroke ends grow too: one pad of 2r, as _filter would make.
        k = 2 * r + 1
        return _running(_running(_padded(fine, 2 * r, 0.0), k, np.maximum, rows=True), k, np.maximum)
    if width > THICK * MNIST_STROKE:  # a marker: thin it, never below MNIST's stroke
        r = min(round((width - MNIST_STROKE) / 2 * 0.75), int(width / 4))
        return _filter(fine, r, np.min)
    return fine


def _solid(crop: np.ndarray, bbox: tuple[int, int, int, int]) -> bool:
    """Ink no longer than a few of its own stroke widths: a dot, a blot, a filled box or disc."""
    top, bottom, left, right = bbox
    extent = max(bottom - top, right - left)
    return extent < MIN_EXTENT_STROKES * stroke_width(crop[top:bottom, left:right])


def is_speck(crop: np.ndarray, bbox: tuple[int, int, int, int] | None = None, image_side: int | None = None) -> bool:
    """Too little ink for a digit: a dot or blot no longer than a few of its own stroke widths, and,
    given the image's longer side, small beside it (SPECK_MAX_SHARE; larger, it is a blob: is_blob).
    ``bbox``: the crop's ink_bbox at BBOX_LEVEL when the caller knows it already."""
    bbox = bbox or ink_bbox(crop, BBOX_LEVEL)
    if bbox is None:
        return True
    top, bottom, left, right = bbox
    if image_side is not None and max(bottom - top, right - left) >= SPECK_MAX_SHARE * image_side:
        return False
    return _solid(crop, bbox)


def is_blob(crop: np.ndarray, bbox: tuple[int, int, int, int] | None = None) -> bool:
    """A filled shape (most of its box is ink, and it is no longer than a few of its strokes): it is
    normalised without thinning, so the fill rule sees it filled and calls it not a digit (a thinned
    disc filled 0.70 of its box and read "0" at 99%). The fill is looked at first: it costs nothing."""
    bbox = bbox or ink_bbox(crop, BBOX_LEVEL)
    if bbox is None:
        return False
    top, bottom, left, right = bbox
    box = crop[top:bottom, left:right]
    return 2 * int(np.count_nonzero(box > 0.5)) > box.size and _solid(crop, bbox)


def centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """Place a digit of at most 20x20 in 28x28 with its centre of mass at MNIST's centre."""
    h, w = digit.shape
    total = float(digit.sum())
    if total <= 0:
        cy, cx = (h - 1) / 2, (w - 1) / 2
    else:
        cy = float(digit.sum(axis=1) @ np.arange(h)) / total
        cx = float(digit.sum(axis=0) @ np.arange(w)) / total
    top = min(max(round(CENTRE[0] - cy), 0), SIZE - h)  # plain ints: np.clip on scalars costs more than the rest
    left = min(max(round(CENTRE[1] - cx), 0), SIZE - w)
    out = np.zeros((SIZE, SIZE), np.float32)
    out[top : top + h, left : left + w] = digit
    return out


def normalise_digit(crop: np.ndarray, blob: bool = False, faint: bool = True) -> np.ndarray:
    """A tight crop of one digit's ink to the 28x28 model input (stroke, box, centre of mass);
    ``blob`` (is_blob): a filled shape, its stroke left as it is; ``faint``: faint thin ink may be
    brought to full strength (FAINT_CORE)."""
    fine = fit_longest(crop, BOX * FINE)
    if not blob:
        fine = _normalise_stroke(fine, crop if faint else None)
    bbox = ink_bbox(fine)
    if bbox is not None:  # thickening grew the digit; erosion may have shrunk it
        top, bottom, left, right = bbox
        fine = fine[top:bottom, left:right]
    box = _clip(fit_longest(fine, BOX), 0.0, 1.0)
    return centre_by_mass(box)


def preprocess(gray: np.ndarray) -> Preprocessed:
    """Grayscale image (white = 1) of one digit to the model input, or ``blank`` when empty."""
    x = preprocess_many([gray])[0]
    return Preprocessed(x, x is None)


def preprocess_many(grays: Sequence[np.ndarray], *, at_work: bool = False) -> list[np.ndarray | None]:
    """Each image's 28x28 model input, or None where no digit is there (empty, too little ink, a speck)."""
    return [None if f is None else f.input28 for f in find_digits(grays, at_work=at_work)]


def find_digits(grays: Sequence[np.ndarray], *, at_work: bool = False) -> list[Found | None]:
    """Each image's digit (its model input and its ink), or None where no digit is there.

    Images of one size at work scale (a folder of 28x28 files, say) find their ink in one pass.
    ``at_work``: the images are work_view's output already (a batch's reader makes them so, to
    keep its queue small), and are not checked and reduced a second time.
    """
    work = [_readable(g if at_work else work_view(g).gray) for g in grays]
    groups: dict[tuple[int, int], list[int]] = {}
    for i, g in enumerate(work):
        groups.setdefault(g.shape, []).append(i)
    out: list[Found | None] = [None] * len(work)
    for members in groups.values():
        inks, blanks, light, _, uneven = _inks(np.stack([work[i] for i in members]))
        for i, ink, blank, inverted, shaded in zip(members, inks, blanks, light, uneven):
            if blank:
                continue
            marks = paper_may_hold_marks(work[i])
            out[i] = found = _digit_input(ink, marks)
            if found is None or not marks:
                continue
            if not inverted and _strokes_dark(work[i]):
                found.other = _second_look(work[i], marks, LIGHT_PAPER)
            elif inverted and not shaded and _blocks_uneven(work[i]):
                found.other = _second_look(work[i], marks, SHADED)
    return out


# A photo of dark ink on paper whose border is mostly dark (a shadow over its edges, a dim room's
# vignette, a hand's shade) was read as light ink on dark paper: its paper was the ink and its
# strokes the gaps (an outside evaluation: 94 of 4,520 photographed digits, 3 of them read). Where a
# photo's border says light ink but its thin strokes are dark (_strokes_dark), it is also read as
# dark ink on light paper (LIGHT_PAPER), and recognition decides (recognize_many): the second
# reading is the answer only when the first is flagged and the second is a sure digit. The strokes
# alone cannot tell: a bold white digit cropped tight has thin dark gaps between them. A photo of
# light paper lit evenly by its sides but not in its blocks (_blocks_uneven) is looked at again as
# lit unevenly (SHADED), decided the same way.
LIGHT_PAPER, SHADED = "light paper", "shaded"


def _second_look(work: np.ndarray, marks: bool, look: str) -> Found | None:
    ink, blank, _, _, _ = _inks(work[None], look=look)
    if blank[0]:
        return None
    found = _digit_input(ink[0], marks)
    if found is not None:
        found.look = look
    return found


def _readable(gray: np.ndarray) -> np.ndarray:
    """A work-scale image smaller than SMALL_SIDE upscaled smoothly to LOW_RES_SIDE or more; others as they are.
    (Only for one digit's input: number mode and the window's boxes keep work-scale coordinates.)"""
    h, w = gray.shape
    if max(h, w) >= SMALL_SIDE:
        return gray
    k = -(-LOW_RES_SIDE // max(h, w))
    return _smooth_upscale(gray, h * k, w * k)


def paper_may_hold_marks(gray: np.ndarray) -> bool:
    """Whether an image (at work scale) may be a photo or a scan, whose edges carry a desk's strips,
    a page's slivers or a form's print: its paper is not of one exact tone. A drawing's (the pad's, a
    clean file's) is: ONE_TONE of its pixels are exactly its lightest or its darkest value."""
    lo, hi = gray.min(), gray.max()
    return max(np.count_nonzero(gray == lo), np.count_nonzero(gray == hi)) < ONE_TONE * gray.size


def digit_ink(ink: np.ndarray, marks: bool = True) -> tuple[np.ndarray, tuple[int, int, int, int] | None]:
    """The ink without the paper's marks (clutter.digit_only; ``marks``: a photo's or a scan's too, see
    paper_may_hold_marks) and its digit's box, that of its clear ink: the box the model's input is cut
    from, and the one the window draws."""
    ink = digit_only(ink, BBOX_LEVEL, form=True, marks=marks)
    return ink, ink_bbox(ink, BBOX_LEVEL)


def _digit_input(ink: np.ndarray, marks: bool = True) -> Found | None:
    """Ink at work scale to the digit found (its model input and its crop), None for a speck or, in
    a photo or a scan, ink along an edge (clutter.along_an_edge); ``marks``: see digit_ink."""
    ink, (top, bottom, left, right) = digit_ink(ink, marks)
    y, x = max(top - 1, 0), max(left - 1, 0)
    crop = ink[y : bottom + 1, x : right + 1]
    box = (top - y, bottom - y, left - x, right - x)  # the same box, in the crop
    if is_speck(crop, box, max(ink.shape)) or (marks and along_an_edge((top, bottom, left, right), *ink.shape)):
        return None
    return Found(normalise_digit(crop, is_blob(crop, box)), crop)
