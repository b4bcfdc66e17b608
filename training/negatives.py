"""Generated non-digits for outlier exposure (Hendrycks et al., 2019): the model learns a flat softmax on them.

Every image is a grayscale file image (float32, white = 1, dark ink on light paper unless the
image says otherwise), as a user gives the app; ``training.product_data`` passes it through the
app's own ``preprocess()`` like every other training input. Each image has its own seeded RNG
(``default_rng([seed, i])``), so the set is the same whatever the order or number of workers.

Kinds: strokes, scribbles, letters (DejaVu fonts), shapes, two digits merged into one glyph, noise
and textures. Digit fragments (half of a digit) are left out: half a 0, 6, 8 or 9 is a 1 or a 0,
half a 4 is a 1, and with them the model read 8 MNIST test 1s as 0s and 5 6s as 0s. Letters whose shapes are digits in many hands are left out:
O o (0), I l (1), Z z (2), S s (5), b (6), B (8), g q (9): a flat softmax on them would teach the
model to doubt real digits.
"""
from __future__ import annotations

import glob
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

CANVAS = 96  # images are drawn at this side (px); preprocess() takes any size
FONT_GLOB = "/usr/share/fonts/truetype/dejavu/*.ttf"
DIGIT_LIKE_LETTERS = set("OoIlZzSsbBgq")
LETTERS = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in DIGIT_LIKE_LETTERS]
INVERTED_SHARE = 0.15  # white ink on dark paper, as some users' files are
KINDS = ("stroke", "scribble", "letter", "shape", "pair", "noise")
# Share of each kind; letters, shapes and strokes are what users draw most when not drawing digits.
KIND_WEIGHTS = (0.16, 0.16, 0.28, 0.20, 0.11, 0.09)
EXTRA_KINDS = ("question_mark", "pen_letter", "pen_symbol")  # made only for a second stage (extra): the first stage's set is unchanged
# Symbols a pen_symbol may be; left out: $ & (an S or an 8 in some hands), brackets and slashes (a 1)
PEN_SYMBOLS = "+-=*#%@<>~^"
EXTRA_STREAM = 7  # their RNG streams are apart from make()'s


@lru_cache(maxsize=1)
def fonts() -> list[str]:
    return sorted(glob.glob(FONT_GLOB))


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    im = Image.new("L", (CANVAS, CANVAS), 0)  # ink = 255 on 0, turned into paper at the end
    return im, ImageDraw.Draw(im)


def _pen(rng) -> int:
    return int(rng.integers(2, 10))


def _points(rng, n: int, lo: float = 10, hi: float = CANVAS - 10) -> list[tuple[float, float]]:
    return [tuple(rng.uniform(lo, hi, 2)) for _ in range(n)]


def stroke(rng) -> Image.Image:
    """One to three straight or bent lines: dashes, bars, carets, crossings. A lone straight line
    is kept within 40 degrees of horizontal: a steeper one is a 1."""
    im, d = _canvas()
    n = int(rng.integers(1, 4))
    if n == 1 and rng.random() < 0.5:
        a, length = np.deg2rad(rng.uniform(-40, 40)), rng.uniform(30, CANVAS - 16)
        c = CANVAS / 2 + rng.uniform(-10, 10, 2)
        dx, dy = length / 2 * np.cos(a), length / 2 * np.sin(a)
        d.line((c[0] - dx, c[1] - dy, c[0] + dx, c[1] + dy), fill=255, width=_pen(rng))
        return im
    for _ in range(n):
        d.line(_points(rng, 3 if n == 1 else int(rng.integers(2, 4))), fill=255, width=_pen(rng), joint="curve")
    return im


def scribble(rng) -> Image.Image:
    """A smoothed random walk: a doodle, a signature-like squiggle, a crossed-out mess."""
    im, d = _canvas()
    n = int(rng.integers(8, 30))
    steps = rng.normal(0, rng.uniform(6, 16), (n, 2)).cumsum(axis=0)
    steps = np.apply_along_axis(lambda v: np.convolve(v, np.ones(3) / 3, mode="same"), 0, steps)
    steps -= steps.min(axis=0)
    steps *= (CANVAS - 20) / max(float(steps.max()), 1.0)
    d.line([tuple(p + 10) for p in steps], fill=255, width=_pen(rng), joint="curve")
    return im


def letter(rng) -> Image.Image:
    """A letter (not a digit-like one) in a DejaVu face, size and slant chosen at random."""
    ch = LETTERS[int(rng.integers(len(LETTERS)))]
    font = ImageFont.truetype(fonts()[int(rng.integers(len(fonts())))], int(rng.integers(40, 72)))
    im, d = _canvas()
    d.text((CANVAS / 2, CANVAS / 2), ch, fill=255, font=font, anchor="mm")
    return im.rotate(float(rng.uniform(-15, 15)), resample=Image.Resampling.BILINEAR)


def _star(cx, cy, r, k=5):
    pts = []
    for i in range(2 * k):
        a = np.pi * i / k - np.pi / 2
        rr = r if i % 2 == 0 else r * 0.45
        pts.append((cx + rr * np.cos(a), cy + rr * np.sin(a)))
    return pts


def shape(rng) -> Image.Image:
    """A circle with a cross, a box (empty, ticked or crossed), a tick, a star, a triangle, an arrow,
    a hash, a plus, a smiley. No plain circle or ellipse: that is a 0."""
    im, d = _canvas()
    w = _pen(rng)
    c = CANVAS / 2 + rng.uniform(-8, 8, 2)
    r = rng.uniform(22, 40)
    x0, y0, x1, y1 = c[0] - r, c[1] - r * rng.uniform(0.7, 1.0), c[0] + r, c[1] + r * rng.uniform(0.7, 1.0)
    kind = int(rng.integers(10))
    if kind == 0:  # circle with a cross
        d.ellipse((x0, y0, x1, y1), outline=255, width=w)
        d.line((x0, y0, x1, y1), fill=255, width=w)
        d.line((x0, y1, x1, y0), fill=255, width=w)
    elif kind in (1, 2, 3):  # a box: empty, ticked, crossed
        d.rectangle((x0, y0, x1, y1), outline=255, width=w)
        if kind == 2:
            d.line([(x0 + 0.2 * r, c[1]), (c[0] - 0.1 * r, y1 - 0.2 * r), (x1 - 0.1 * r, y0 + 0.1 * r)],
                   fill=255, width=w, joint="curve")
        elif kind == 3:
            d.line((x0, y0, x1, y1), fill=255, width=w)
            d.line((x0, y1, x1, y0), fill=255, width=w)
    elif kind == 4:  # tick
        d.line([(x0, c[1]), (c[0] - 0.3 * r, y1), (x1, y0)], fill=255, width=w, joint="curve")
    elif kind == 5:  # star
        d.polygon(_star(c[0], c[1], r, int(rng.integers(5, 7))), outline=255, width=w)
    elif kind == 6:  # triangle
        d.polygon([(c[0], y0), (x1, y1), (x0, y1)], outline=255, width=w)
    elif kind == 7:  # arrow
        d.line((x0, c[1], x1, c[1]), fill=255, width=w)
        d.line([(x1 - 0.5 * r, y0 + 0.4 * r), (x1, c[1]), (x1 - 0.5 * r, y1 - 0.4 * r)], fill=255, width=w,
               joint="curve")
    elif kind == 8:  # hash or plus
        if rng.random() < 0.5:
            for f in (0.35, 0.65):
                d.line((x0 + f * 2 * r, y0, x0 + f * 2 * r, y1), fill=255, width=w)
                d.line((x0, y0 + f * (y1 - y0), x1, y0 + f * (y1 - y0)), fill=255, width=w)
        else:
            d.line((c[0], y0, c[0], y1), fill=255, width=w)
            d.line((x0, c[1], x1, c[1]), fill=255, width=w)
    else:  # smiley
        d.ellipse((x0, y0, x1, y1), outline=255, width=w)
        e = 0.15 * r
        for sx in (-0.35, 0.35):
            d.ellipse((c[0] + sx * r - e, c[1] - 0.3 * r - e, c[0] + sx * r + e, c[1] - 0.3 * r + e), fill=255)
        d.arc((c[0] - 0.5 * r, c[1] - 0.3 * r, c[0] + 0.5 * r, c[1] + 0.5 * r), 20, 160, fill=255, width=w)
    return im.rotate(float(rng.uniform(-20, 20)), resample=Image.Resampling.BILINEAR)


def _mnist_ink(digit: np.ndarray) -> Image.Image:
    return Image.fromarray(digit.astype(np.uint8)).resize((CANVAS // 2, CANVAS // 2), Image.Resampling.BILINEAR)


def pair(rng, digits: np.ndarray) -> Image.Image:
    """Two MNIST training digits overlapping into one glyph (shifted by 25-55% of a digit's width)."""
    a, b = (digits[int(i)] for i in rng.integers(len(digits), size=2))
    shift = int(rng.uniform(0.25, 0.55) * CANVAS / 2)
    im, _ = _canvas()
    big = np.zeros((CANVAS, CANVAS), np.float32)
    top = CANVAS // 4 + int(rng.integers(-4, 5))
    left = CANVAS // 4 - shift // 2
    big[CANVAS // 4 : CANVAS // 4 + CANVAS // 2, left : left + CANVAS // 2] = np.asarray(_mnist_ink(a))
    region = big[top : top + CANVAS // 2, left + shift : left + shift + CANVAS // 2]
    np.maximum(region, np.asarray(_mnist_ink(b), np.float32)[: region.shape[0], : region.shape[1]], out=region)
    return Image.fromarray(big.astype(np.uint8))


def noise(rng) -> Image.Image:
    """Noise and textures: speckle, smooth blobs, stripes, a checkerboard, a half-dark frame."""
    kind = int(rng.integers(5))
    if kind == 0:
        a = (rng.random((CANVAS, CANVAS)) < rng.uniform(0.05, 0.5)) * 255.0
    elif kind == 1:
        a = rng.random((CANVAS // 8, CANVAS // 8))
        a = np.asarray(Image.fromarray((a * 255).astype(np.uint8)).resize((CANVAS, CANVAS), Image.Resampling.BICUBIC),
                       np.float32)
        a = (a > np.quantile(a, rng.uniform(0.5, 0.85))) * 255.0
    elif kind == 2:
        period = int(rng.integers(6, 20))
        rows = (np.arange(CANVAS) // period) % 2
        a = np.broadcast_to(rows[:, None] if rng.random() < 0.5 else rows[None, :], (CANVAS, CANVAS)) * 255.0
    elif kind == 3:
        p = int(rng.integers(8, 24))
        i = np.arange(CANVAS) // p
        a = ((i[:, None] + i[None, :]) % 2) * 255.0
    else:
        a = np.zeros((CANVAS, CANVAS))
        cut = int(rng.integers(CANVAS // 3, 2 * CANVAS // 3))
        a[:, cut:] = 255.0
        if rng.random() < 0.5:
            a = a.T
    im = Image.fromarray(np.ascontiguousarray(a).astype(np.uint8))
    return im.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 1.5))))


def question_mark(rng) -> Image.Image:
    """A hand-drawn question mark: a hook (most of a circle's top, then down to the middle), a short
    stem, a dot below. Read as a 3 at up to 99.99% by the shipped model (an outside pass: 35 of 40);
    only a second stage adds them (ModelSpec.extra_negatives), after the first stage's data."""
    im, d = _canvas()
    w = _pen(rng)
    cx, top = CANVAS / 2 + rng.uniform(-8, 8), rng.uniform(8, 20)
    r = rng.uniform(14, 24)
    lean = rng.uniform(-0.25, 0.25)  # slant: x offset per unit of height
    start, sweep = rng.uniform(160, 200), rng.uniform(230, 290)  # degrees, from the left round the top
    arc = [(cx + r * np.cos(np.radians(start + t)), top + r + r * np.sin(np.radians(start + t)))
           for t in np.linspace(0, sweep, 24)]
    stem_top = arc[-1]
    stem_len = rng.uniform(8, 22)
    stem_end = (cx + lean * stem_len + rng.uniform(-3, 3), stem_top[1] + stem_len)
    d.line(arc + [stem_end], fill=255, width=w, joint="curve")
    gap = rng.uniform(6, 16)
    dot = (stem_end[0] + lean * gap, stem_end[1] + gap + w)
    dr = max(w * rng.uniform(0.6, 1.2), 2.0)
    d.ellipse((dot[0] - dr, dot[1] - dr, dot[0] + dr, dot[1] + dr), fill=255)
    return im.rotate(float(rng.uniform(-10, 10)), resample=Image.Resampling.BILINEAR)


def pen_letter(rng) -> Image.Image:
    """A letter (not a digit-like one) drawn with a pen in one of Hershey's single-stroke faces
    (``training.pen_glyphs``): handwriting, where the DejaVu letters are type. Only a second stage
    adds them (ModelSpec.extra_negatives)."""
    from training import pen_glyphs

    face = pen_glyphs.FACES[int(rng.integers(len(pen_glyphs.FACES)))]
    letters = [c for c in LETTERS if c not in pen_glyphs.DIGIT_SHAPED.get(face, "")]
    return pen_glyphs.draw(letters[int(rng.integers(len(letters)))], rng, face)


def pen_symbol(rng) -> Image.Image:
    """A symbol of PEN_SYMBOLS drawn with a pen in a Hershey face (``training.pen_glyphs``). Only a
    second stage adds them (ModelSpec.extra_negatives)."""
    from training import pen_glyphs

    return pen_glyphs.draw(PEN_SYMBOLS[int(rng.integers(len(PEN_SYMBOLS)))], rng)


def as_file_image(im: Image.Image, rng, blur: bool = True) -> np.ndarray:
    """Ink drawn 255 on 0 as a user's file gives it: grayscale, white = 1, anti-aliased like a scan or a
    drawing pad (``blur``), dark ink on light paper but for INVERTED_SHARE of images."""
    if blur:
        im = im.filter(ImageFilter.GaussianBlur(0.6))
    ink = np.asarray(im, np.float32) / 255.0
    return (ink if rng.random() < INVERTED_SHARE else 1.0 - ink).astype(np.float32)


def extra(kind: str, n: int, seed: int) -> np.ndarray:
    """``n`` non-digits of one kind a second stage adds (ModelSpec.extra_negatives), as grayscale file
    images (white = 1), each from its own seeded RNG."""
    out = []
    for i in range(n):
        rng = np.random.default_rng([seed, EXTRA_STREAM, i])
        out.append(as_file_image(globals()[kind](rng), rng))
    return np.stack(out)


def make(i: int, seed: int, digits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, str]:
    """The ``i``-th non-digit of the set ``seed``: (grayscale file image, white = 1; its kind)."""
    rng = np.random.default_rng([seed, i])
    kind = KINDS[int(rng.choice(len(KINDS), p=KIND_WEIGHTS))]
    if kind == "pair":
        im = pair(rng, digits)
    else:
        im = globals()[kind](rng)
    return as_file_image(im, rng, blur=kind != "noise"), kind
