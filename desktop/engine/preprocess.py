"""Turn any grayscale image of a digit into the model's 28x28 input, the way MNIST was made.

MNIST digits are white ink on black, anti-aliased, fitted into a 20x20 box keeping their aspect
ratio and placed in 28x28 by centre of mass. Users' drawings, scans and photos differ in polarity,
background, size, position and stroke width; each step below removes one of those differences.
This module is the one place that does it: the app, the CLI and the converter's checks call it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image

from desktop.engine.imageio import fit_longest

WORK_SIDE = 160  # longest side the ink is found at; enough for a 20 px digit, cheap for numpy
BOX = 20  # MNIST's digit box
SIZE = 28  # MNIST's image
FINE = 4  # stroke width is measured and normalised at FINE x the 20 px box (80 px)
# Stroke width of MNIST digits at 80 px box scale: the median of stroke_width() over the MNIST
# training set (the report measures it: 12.1 px, about 3 px in the 28x28 image; 10-90% range 8.5-17.4).
MNIST_STROKE = 12.1
# Strokes outside [THIN, THICK] x MNIST_STROKE are normalised; MNIST itself spans 0.7-1.45, and
# normalising its own variety costs accuracy, so only clear outliers (a hairline, a marker) change.
THIN, THICK = 0.55, 2.0
NOISE_FLOOR = 0.15  # ink fainter than this share of the strongest ink is background
SHADOW_FLOOR = 0.35  # the same, after removing uneven light from a photo
BBOX_LEVEL = 0.4  # the digit's box is that of its clear ink; faint specks around do not widen it
UNEVEN = 0.05  # spread of the paper tone between the image's sides that means uneven light
BORDER_SHARE = 0.04  # the border ring polarity is read from, as a share of the shorter side
PAPER_QUANTILE = 0.9  # a side's paper level: its 90th percentile (10th on dark paper)
RING_SAMPLE = 200
BORDER_SPLIT = 0.1  # a border between 40% and 60% light is split: the corners decide
MIN_CONTRAST = 0.12  # a "digit" fainter than this against its background is no digit
MIN_INK_PIXELS = 6  # at work scale; fewer strong ink pixels than this is an empty canvas
MIN_INK_SHARE = 0.0004
# Ink whose clear extent is under this many stroke widths is a dot or a speck (an accidental
# click on the pad measures 1.75-1.85), not a digit. The least of the 10,000 MNIST test digits, a
# blotted 8, measures 2.36; of 2,000 optdigits 2.8.
MIN_EXTENT_STROKES = 2.2
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
class Preprocessed:
    """The model input (None when no digit is there) and, on request, each step for display."""

    input28: np.ndarray | None
    blank: bool
    steps: dict[str, np.ndarray] = field(default_factory=dict)


def _filter(a: np.ndarray, radius: int, reduce) -> np.ndarray:
    """Grey dilation (np.max) or erosion (np.min) by a square of side 2*radius+1, separably."""
    if radius <= 0:
        return a
    fill = 0.0 if reduce is np.max else 1.0
    p = np.pad(a, radius, constant_values=fill)
    k = 2 * radius + 1
    p = reduce(sliding_window_view(p, k, axis=1), axis=-1)
    return reduce(sliding_window_view(p, k, axis=0), axis=-1)


def _background(ink: np.ndarray) -> np.ndarray:
    """Smooth background (shadows, uneven light, paper tone) by grey opening at 24 px scale.

    At that scale any pen stroke is narrower than the 5 px opening and disappears from the
    estimate, while light falling across the page does not.
    """
    small = fit_longest(ink, 24)
    opened = _filter(_filter(small, 2, np.min), 2, np.max)
    h, w = ink.shape
    return np.asarray(Image.fromarray(opened).resize((w, h), Image.Resampling.BILINEAR), dtype=np.float32)


def _ring(gray: np.ndarray) -> list[np.ndarray]:
    """The image's four sides, each BORDER_SHARE of its side deep (at least one pixel)."""
    h, w = gray.shape
    d = max(1, round(BORDER_SHARE * min(h, w)))
    sides = [gray[:d].ravel(), gray[-d:].ravel(), gray[:, :d].ravel(), gray[:, -d:].ravel()]
    # Every k-th pixel, at most about RING_SAMPLE a side: the same tones for a fraction of the cost.
    return [s[:: max(1, s.size // RING_SAMPLE)] for s in sides]


@dataclass
class Paper:
    """The paper's tone (0..1, white = 1) and whether it is lighter than the ink."""

    tone: float
    light: bool
    uneven: bool  # the paper's tone differs between the image's sides: uneven light, a shadow


def find_paper(gray: np.ndarray) -> Paper:
    """Which tone is paper: the one the border mostly shows.

    The border is paper wherever the digit does not reach it, and a digit touches its frame only
    where its strokes end or turn: even cropped to the ink, or stretched to fill its frame, most
    of the border is paper. The image's median is not: a tight crop or an upscaled 8x8 digit is
    half ink or more, and the median then calls the ink paper. When the border itself is split
    (a "1" cropped to its stroke), the corners decide: a digit's strokes rarely fill them.
    """
    lo, hi = float(gray.min()), float(gray.max())
    mid = (lo + hi) / 2
    sides = _ring(gray)
    ring = np.concatenate(sides)
    light_share = float((ring > mid).mean())
    if abs(light_share - 0.5) < BORDER_SPLIT:
        corners = np.array([gray[0, 0], gray[0, -1], gray[-1, 0], gray[-1, -1]])
        light = bool((corners > mid).sum() >= 2)
    else:
        light = light_share > 0.5
    tone = float(np.median(ring[ring > mid] if light else ring[ring <= mid]))
    # Each side's paper level: its lightest (darkest for light-on-dark) pixels, which stay paper
    # where the digit touches the side and where grey anti-aliased or low-resolution ink lies.
    pct = 100 * PAPER_QUANTILE if light else 100 * (1 - PAPER_QUANTILE)
    levels = [float(np.partition(s, k)[k]) for s in sides for k in [round(pct / 100 * (s.size - 1))]]
    uneven = max(levels) - min(levels) > UNEVEN
    return Paper(tone, light, uneven)


def to_ink(gray: np.ndarray) -> Ink:
    """Polarity, background removal and contrast normalisation: white ink on black, 0 to 1."""
    gray = np.ascontiguousarray(gray, dtype=np.float32)
    if max(gray.shape) > WORK_SIDE:
        # An integer box reduction: a third of the cost of resampling to exactly WORK_SIDE.
        gray = np.asarray(Image.fromarray(gray).reduce(-(-max(gray.shape) // WORK_SIDE)))
    paper = find_paper(gray)
    inverted = paper.light
    ink = 1.0 - gray if inverted else gray
    floor = NOISE_FLOOR
    if min(ink.shape) >= 96 and paper.uneven:  # photos only: it costs
        # Shadows or a gradient across a photo: subtract the smooth background, pixel by pixel.
        # A shadow's sharp edge survives as a faint line, hence the higher floor.
        ink = np.clip(ink - _background(ink), 0.0, None)
        floor = SHADOW_FLOOR
    else:
        # Even paper or canvas: one level. The opening would also eat into bold strokes.
        ink = np.clip(ink - (1.0 - paper.tone if inverted else paper.tone), 0.0, None)
    # Strongest ink, robust to a few hot pixels: the k-th largest value rather than the maximum.
    k = max(3, ink.size // 1000)
    flat = ink.ravel()
    contrast = float(np.partition(flat, flat.size - k)[flat.size - k]) if flat.size > k else float(flat.max())
    if contrast < MIN_CONTRAST:
        return Ink(np.zeros_like(ink), True, inverted, contrast)
    ink = np.minimum(ink / contrast, 1.0)
    # Zero the faint rest (paper grain, JPEG noise) but keep the grey edges of strokes as they are.
    ink[ink < floor] = 0.0
    strong = int(np.count_nonzero(ink > 0.5))
    blank = strong < max(MIN_INK_PIXELS, MIN_INK_SHARE * ink.size)
    return Ink(ink, blank, inverted, contrast)


def ink_bbox(ink: np.ndarray, level: float = 0.0) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right), exclusive ends, of the pixels above ``level``; None if none."""
    mask = ink > level
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def stroke_width(fine: np.ndarray) -> float:
    """Mean stroke width in pixels: 2 x area / boundary, exact for long strokes of any width."""
    mask = np.pad(fine > 0.5, 1)  # ink touching the crop's edge still has a boundary there
    area = int(mask.sum())
    if area == 0:
        return 0.0
    inner = mask.copy()
    inner[1:] &= mask[:-1]
    inner[:-1] &= mask[1:]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    boundary = area - int(inner.sum())
    return 2.0 * area / max(boundary, 1)


def _normalise_stroke(fine: np.ndarray) -> np.ndarray:
    width = stroke_width(fine)
    if 0 < width < THIN * MNIST_STROKE:  # a thin pen: thicken towards MNIST's stroke
        r = round((MNIST_STROKE - width) / 2)
        return _filter(np.pad(fine, r), r, np.max)  # padded, so the stroke ends grow too
    if width > THICK * MNIST_STROKE:  # a marker: thin it, never below MNIST's stroke
        r = min(round((width - MNIST_STROKE) / 2 * 0.75), int(width / 4))
        return _filter(fine, r, np.min)
    return fine


def is_speck(crop: np.ndarray) -> bool:
    """Too little ink for a digit: a dot or blot no longer than a few of its own stroke widths."""
    bbox = ink_bbox(crop, BBOX_LEVEL)
    if bbox is None:
        return True
    top, bottom, left, right = bbox
    extent = max(bottom - top, right - left)
    return extent < MIN_EXTENT_STROKES * stroke_width(crop[top:bottom, left:right])


def centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """Place a digit of at most 20x20 in 28x28 with its centre of mass at MNIST's centre."""
    h, w = digit.shape
    total = float(digit.sum())
    if total <= 0:
        cy, cx = (h - 1) / 2, (w - 1) / 2
    else:
        cy = float(digit.sum(axis=1) @ np.arange(h)) / total
        cx = float(digit.sum(axis=0) @ np.arange(w)) / total
    top = int(np.clip(round(CENTRE[0] - cy), 0, SIZE - h))
    left = int(np.clip(round(CENTRE[1] - cx), 0, SIZE - w))
    out = np.zeros((SIZE, SIZE), np.float32)
    out[top : top + h, left : left + w] = digit
    return out


def normalise_digit(crop: np.ndarray, steps: dict | None = None) -> np.ndarray:
    """A tight crop of one digit's ink to the 28x28 model input (stroke, box, centre of mass)."""
    fine = fit_longest(crop, BOX * FINE)
    fine = _normalise_stroke(fine)
    if steps is not None:
        steps["stroke"] = fine
    bbox = ink_bbox(fine)
    if bbox is not None:  # thickening grew the digit; erosion may have shrunk it
        top, bottom, left, right = bbox
        fine = fine[top:bottom, left:right]
    box = np.clip(fit_longest(fine, BOX), 0.0, 1.0)
    return centre_by_mass(box)


def preprocess(gray: np.ndarray, keep_steps: bool = False) -> Preprocessed:
    """Grayscale image (white = 1) of one digit to the model input, or ``blank`` when empty."""
    steps: dict[str, np.ndarray] = {}
    ink = to_ink(gray)
    if keep_steps:
        steps["ink"] = ink.ink
    if ink.blank:
        return Preprocessed(None, True, steps)
    top, bottom, left, right = ink_bbox(ink.ink, BBOX_LEVEL)
    crop = ink.ink[max(top - 1, 0) : bottom + 1, max(left - 1, 0) : right + 1]
    if keep_steps:
        steps["crop"] = crop
    if is_speck(crop):
        return Preprocessed(None, True, steps)
    x = normalise_digit(crop, steps if keep_steps else None)
    if keep_steps:
        steps["input"] = x
    return Preprocessed(x, False, steps)
