"""Digits that did not come from MNIST: pen strokes, scans on paper, photos, and UCI digits.

Each digit is a few hand-placed strokes in a unit square, jittered, smoothed, rotated, scaled
and rendered with a round pen of a chosen width, the way a mouse or pen draws it. The same
strokes drive the GUI tests' mouse drags. Everything is seeded, so a set is the same every time.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# Strokes per digit, (x, y) in a unit square, y downwards; a few writing styles for some digits.
def _arc(cx, cy, rx, ry, a0, a1, n=14):
    t = np.linspace(np.radians(a0), np.radians(a1), n)
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in t]


TEMPLATES: dict[int, list[list[list[tuple[float, float]]]]] = {
    0: [[_arc(0.5, 0.5, 0.3, 0.45, -90, 275)]],
    1: [[[(0.5, 0.05), (0.5, 0.95)]], [[(0.3, 0.25), (0.55, 0.05), (0.55, 0.95)]]],
    2: [[[(0.2, 0.3), (0.3, 0.1), (0.5, 0.04), (0.72, 0.12), (0.78, 0.32), (0.6, 0.55), (0.2, 0.95), (0.85, 0.95)]]],
    3: [[[(0.2, 0.12), (0.5, 0.04), (0.76, 0.2), (0.7, 0.38), (0.45, 0.47), (0.75, 0.6), (0.78, 0.8), (0.5, 0.96),
          (0.2, 0.86)]]],
    4: [[[(0.58, 0.05), (0.15, 0.65), (0.88, 0.65)], [(0.66, 0.3), (0.66, 0.97)]],
        [[(0.25, 0.05), (0.2, 0.55), (0.8, 0.55)], [(0.72, 0.05), (0.72, 0.97)]]],
    5: [[[(0.78, 0.05), (0.3, 0.05), (0.25, 0.45), (0.55, 0.37), (0.78, 0.55), (0.75, 0.82), (0.5, 0.96),
          (0.22, 0.86)]]],
    6: [[[(0.7, 0.04), (0.42, 0.28), (0.26, 0.62), (0.34, 0.92), (0.6, 0.95), (0.74, 0.74), (0.6, 0.52),
          (0.36, 0.55), (0.28, 0.68)]]],
    7: [[[(0.18, 0.08), (0.82, 0.08), (0.42, 0.96)]], [[(0.18, 0.08), (0.82, 0.08), (0.42, 0.96)], [(0.35, 0.5), (0.72, 0.5)]]],
    8: [[[(0.62, 0.1), (0.5, 0.04), (0.3, 0.12), (0.32, 0.35), (0.5, 0.48), (0.72, 0.62), (0.7, 0.88), (0.5, 0.96),
          (0.3, 0.88), (0.28, 0.64), (0.5, 0.48), (0.68, 0.34), (0.66, 0.14), (0.55, 0.05)]]],
    9: [[_arc(0.48, 0.3, 0.24, 0.24, 0, 360) + [(0.72, 0.3), (0.68, 0.96)]]],
}


@dataclass(frozen=True)
class Style:
    width: tuple[float, float] = (10, 22)  # pen width in px on a 280 px canvas
    scale: tuple[float, float] = (0.55, 0.85)  # digit height as a share of the canvas
    offset: float = 0.08  # max shift of the centre, as a share of the canvas
    rotation: float = 10.0  # degrees either way
    jitter: float = 0.025


def _smooth(pts: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Chaikin corner cutting: a hand's smooth curve through jittered control points."""
    for _ in range(rounds):
        if len(pts) < 3:
            return pts
        q = 0.75 * pts[:-1] + 0.25 * pts[1:]
        r = 0.25 * pts[:-1] + 0.75 * pts[1:]
        pts = np.vstack([pts[:1], np.column_stack([q, r]).reshape(-1, 2), pts[-1:]])
    return pts


def digit_strokes(digit: int, rng: np.random.Generator, style: Style, size: int = 280,
                  box: tuple[float, float, float, float] | None = None) -> tuple[list[np.ndarray], float]:
    """Pixel polylines for one handwritten ``digit`` and the pen width to draw them with."""
    strokes = TEMPLATES[digit][rng.integers(len(TEMPLATES[digit]))]
    h = rng.uniform(*style.scale) * size
    w = h * rng.uniform(0.55, 0.8)
    if box is None:
        cx = size / 2 + rng.uniform(-style.offset, style.offset) * size
        cy = size / 2 + rng.uniform(-style.offset, style.offset) * size
    else:
        cx, cy, w, h = box
    angle = np.radians(rng.uniform(-style.rotation, style.rotation))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    out = []
    for s in strokes:
        p = np.array(s, dtype=float) + rng.normal(0, style.jitter, (len(s), 2))
        p = _smooth(p) - 0.5
        p = (p * [w, h]) @ rot.T + [cx, cy]
        out.append(p)
    return out, float(rng.uniform(*style.width))


def render(strokes: list[np.ndarray], width: float, size: tuple[int, int] = (280, 280), ink: int = 0,
           paper: int = 255) -> Image.Image:
    im = Image.new("L", size, paper)
    d = ImageDraw.Draw(im)
    r = width / 2
    for s in strokes:
        pts = [tuple(map(float, p)) for p in s]
        d.line(pts, fill=ink, width=max(1, round(width)), joint="curve")
        for x, y in (pts[0], pts[-1]):
            d.ellipse((x - r, y - r, x + r, y + r), fill=ink)
    return im


def pen_digit(digit: int, rng: np.random.Generator, style: Style = Style()) -> Image.Image:
    """Black ink on white, 280x280, like the app's canvas."""
    strokes, width = digit_strokes(digit, rng, style)
    return render(strokes, width)


def number_image(digits: list[int], rng: np.random.Generator, width: float = 14.0, touching: bool = False) -> Image.Image:
    """Several digits in a row on one wide canvas."""
    cell = 150 if not touching else 112
    size = (cell * len(digits) + 80, 280)
    strokes = []
    for i, d in enumerate(digits):
        s, _ = digit_strokes(d, rng, Style(rotation=5), box=(40 + cell * i + cell / 2, 140, cell * 0.62, 190))
        strokes += s
    return render(strokes, width, size)


def scanned(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Grey-blue ink on textured paper with a tone gradient, saved as JPEG."""
    a = np.asarray(im, dtype=np.float32) / 255.0
    h, w = a.shape
    paper = 0.86 + 0.08 * np.linspace(0, 1, w)[None, :] * rng.uniform(-1, 1) + rng.normal(0, 0.025, (h, w))
    ink_level = rng.uniform(0.15, 0.45)
    g = paper * a + ink_level * (1 - a)
    rgb = np.stack([g * 0.97, g * 0.98, np.minimum(g * 1.05, 1)], axis=-1)
    out = Image.fromarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=int(rng.integers(55, 85)))
    return Image.open(io.BytesIO(buf.getvalue()))


def photo(im: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A phone photo of paper: larger, blurred, a shadow across it, uneven light, noise, JPEG."""
    big = im.resize((640, 640), Image.Resampling.BILINEAR)
    a = np.asarray(big, dtype=np.float32) / 255.0
    h, w = a.shape
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    light = 0.95 - 0.35 * (rng.uniform(0.3, 1) * xx + rng.uniform(0, 0.6) * yy)
    edge = rng.uniform(0.2, 0.8)
    shadow = np.where(xx + 0.3 * yy < edge, rng.uniform(0.55, 0.75), 1.0)
    g = (a * 0.9 + 0.1) * light * shadow + rng.normal(0, 0.03, (h, w))
    out = Image.fromarray((np.clip(g, 0, 1) * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.5))
    buf = io.BytesIO()
    out.convert("RGB").save(buf, "JPEG", quality=70)
    return Image.open(io.BytesIO(buf.getvalue()))


def uci_digits(side: int = 64) -> tuple[list[Image.Image], np.ndarray]:
    """scikit-learn's bundled UCI handwritten digits (8x8, 0-16), upscaled smoothly to ``side``."""
    from sklearn.datasets import load_digits

    d = load_digits()
    images = [Image.fromarray((img * 255 / 16).astype(np.uint8)).resize((side, side), Image.Resampling.BICUBIC)
              for img in d.images]
    return images, d.target


STYLES = {
    "pen (clean)": Style(),
    "mouse: thin": Style(width=(2, 4)),
    "mouse: thick": Style(width=(28, 40)),
    "small, off-centre": Style(scale=(0.2, 0.35), offset=0.25),
    "large, rotated 15°": Style(scale=(0.85, 0.95), offset=0.02, rotation=15),
}


def test_sets(n_per_digit: int = 20, seed: int = 7) -> dict[str, tuple[list[Image.Image], np.ndarray]]:
    """Every non-MNIST set by name: (images, labels)."""
    sets = {}
    for name, style in STYLES.items():
        rng = np.random.default_rng(seed)
        labels = np.repeat(np.arange(10), n_per_digit)
        sets[name] = ([pen_digit(int(d), rng, style) for d in labels], labels)
    rng = np.random.default_rng(seed + 1)
    labels = np.repeat(np.arange(10), n_per_digit)
    sets["scanned paper (JPEG)"] = ([scanned(pen_digit(int(d), rng), rng) for d in labels], labels)
    sets["photo with shadow"] = ([photo(pen_digit(int(d), rng), rng) for d in labels], labels)
    sets["UCI digits, upscaled"] = uci_digits()
    return sets
