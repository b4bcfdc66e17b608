"""Letters and digits drawn as a hand draws them: Hershey's single-stroke fonts (the plotter fonts of
1967, packaged as ``Hershey-Fonts``) traced with a round pen, slanted, turned, stretched and with a
wobble along each stroke.

Why: the first stage's letters are DejaVu type, and the model it gave flagged only 83% of letters in
handwriting faces (B read 8, c/C/D/U read 0, y read 4, G read 6). A second stage trains on these
letters as non-digits, and on the same renderer's digits as digits, so that what it learns is the
shape, not the pen: a drawn digit must not look "drawn, so not a digit".

Each image is 96 x 96, ink = 255 on 0 (``training.negatives``' convention), from its own RNG.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from HersheyFonts import HersheyFonts
from PIL import Image, ImageDraw

CANVAS = 96
# Hershey's faces closest to hands: simplex and duplex sans (print), simplex and complex script; two
# print and two script faces for letters and digits alike, so that a script look says nothing. Left
# out: rowmans (futural's strokes), cursive (scripts' letters with futural's digits), the gothic,
# Greek, Japanese and symbol faces.
FACES = ("futural", "futuram", "scripts", "scriptc")
# Glyphs that are a digit's shape: the scripts draw a capital Q as a 2. An i or j whose dot
# preprocessing drops is a stroke, a 1 in some hand (leaning, it passes training.train.is_bar).
DIGIT_SHAPED = {"futural": "ij", "futuram": "ij", "scripts": "Qij", "scriptc": "Qij"}
HEIGHT = (30, 80)  # of the glyph's box, px on the canvas: small ones are fat once scaled to MNIST's size
PEN = (2, 10)  # px, as training.negatives._pen
SLANT = 0.3  # horizontal shear, either way
TURN = 12.0  # degrees, either way
STRETCH = (0.75, 1.3)  # width over the face's own
WOBBLE = 0.025  # of the glyph's height: the size of the hand's slow drift along a stroke
STEP = 2.0  # px between the points a stroke is traced through before the wobble


@lru_cache(maxsize=None)
def _face(name: str) -> HersheyFonts:
    face = HersheyFonts()
    face.load_default_font(name)
    return face


def strokes(ch: str, face: str) -> list[np.ndarray]:
    """The pen strokes of ``ch`` in a Hershey face, each an (n, 2) array of x, y (y down)."""
    return [np.asarray(s, np.float64) for s in _face(face).strokes_for_text(ch) if len(s) > 1]


def _traced(line: np.ndarray) -> np.ndarray:
    """The polyline through points STEP px apart, so the wobble bends it smoothly."""
    seg = np.linalg.norm(np.diff(line, axis=0), axis=1)
    at = np.concatenate([[0.0], np.cumsum(seg)])
    t = np.linspace(0.0, at[-1], max(2, int(at[-1] / STEP) + 1))
    return np.stack([np.interp(t, at, line[:, 0]), np.interp(t, at, line[:, 1])], axis=1)


def _wobble(n: int, size: float, rng: np.random.Generator) -> np.ndarray:
    """A slow random drift, (n, 2) px: a random walk smoothed over ~8 points, scaled to size."""
    walk = rng.normal(0.0, 1.0, (n + 16, 2)).cumsum(axis=0)
    kernel = np.ones(9) / 9
    smooth = np.stack([np.convolve(walk[:, k], kernel, mode="same") for k in range(2)], axis=1)[8 : 8 + n]
    smooth -= smooth.mean(axis=0)
    scale = np.abs(smooth).max() or 1.0
    return smooth / scale * size * WOBBLE * rng.uniform(0.3, 1.0)


def draw(ch: str, rng: np.random.Generator, face: str | None = None) -> Image.Image | None:
    """``ch`` as a hand would draw it (ink 255 on 0, CANVAS square), or None when no face has it."""
    face = face or FACES[int(rng.integers(len(FACES)))]
    lines = strokes(ch, face)
    if not lines:
        return None
    pts = np.concatenate(lines)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    height = max(hi[1] - lo[1], 1.0)
    size = rng.uniform(*HEIGHT)
    turn = np.radians(rng.uniform(-TURN, TURN))
    rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    shape = rot @ np.array([[rng.uniform(*STRETCH), rng.uniform(-SLANT, SLANT)], [0.0, 1.0]]) * (size / height)
    centre = (lo + hi) / 2
    pen = int(rng.integers(*PEN))
    # A wide glyph (W, m) stretched and turned may outgrow the canvas: shrink it to fit, pen and wobble included
    placed = (pts - centre) @ shape.T
    room = CANVAS - 2 * pen - 2 * size * WOBBLE - 4
    fit = min(1.0, room / np.ptp(placed, axis=0).max())
    shape = shape * fit
    # ...and centre its box, which a shear moves off the glyph's own centre
    offset = CANVAS / 2 - (placed.min(axis=0) + placed.max(axis=0)) / 2 * fit
    im = Image.new("L", (CANVAS, CANVAS), 0)
    d = ImageDraw.Draw(im)
    for line in lines:
        traced = _traced(line)
        moved = (traced - centre) @ shape.T + offset + _wobble(len(traced), size, rng)
        d.line([tuple(p) for p in moved], fill=255, width=pen, joint="curve")
        if pen > 3:  # round ends, as a pen leaves them
            for p in (moved[0], moved[-1]):
                d.ellipse((p[0] - pen / 2, p[1] - pen / 2, p[0] + pen / 2, p[1] + pen / 2), fill=255)
    return im
