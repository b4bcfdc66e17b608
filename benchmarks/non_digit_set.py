"""A held-out set of images that are not digits: letters, symbols, words, scribbles, shapes...

    from benchmarks.non_digit_set import non_digit_set
    kinds = non_digit_set()          # {kind: [gray float32 arrays in 0..1, dark ink on light paper]}

Built with its own seed and its own drawing code (Pillow primitives and numpy), independent of
whatever the training side generates as negatives (training/negatives.py is deliberately not
imported: this set is the test, not the training data). Characters that ARE digit-shaped in
handwriting (O o I l i S s Z z b g q and / | ( ), a plain ellipse) are left out: calling an "O" a
0 is not an error the product can or should avoid.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SEED = 20261125
PER_KIND = 56  # 10 kinds x 56 = 560 images
SIDE = 280  # the app's canvas
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Italic.ttf",
         "DejaVuSansMono.ttf", "DejaVuSansCondensed-BoldOblique.ttf", "DejaVuSans-ExtraLight.ttf",
         "DejaVuSerifCondensed-Bold.ttf")
LETTERS = "ABCDEFGHJKLMNPQRTUVWXYacdefhkmnprtuvwxy"  # digit-like letters left out (see above)
SYMBOLS = "+-=%&@#?*!$<>~^{}[]÷×€£¥§¶©®"
WORDS = ("cat", "dog", "Hello", "yes", "NO", "ok", "tree", "AB", "xyz", "Mum", "hat", "pen", "key", "win")

Rng = np.random.Generator


def _font(rng: Rng, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / FONTS[rng.integers(len(FONTS))]), size)


def _text(text: str, rng: Rng, size: int) -> Image.Image:
    im = Image.new("L", (SIDE, SIDE), 255)
    d = ImageDraw.Draw(im)
    font = _font(rng, size)
    x0, y0, x1, y1 = d.textbbox((0, 0), text, font=font)
    pos = ((SIDE - (x1 - x0)) / 2 - x0 + rng.uniform(-15, 15), (SIDE - (y1 - y0)) / 2 - y0 + rng.uniform(-15, 15))
    d.text(pos, text, fill=0, font=font)
    return im.rotate(rng.uniform(-12, 12), fillcolor=255, resample=Image.Resampling.BILINEAR)


def letter(rng: Rng) -> Image.Image:
    return _text(LETTERS[rng.integers(len(LETTERS))], rng, int(rng.integers(110, 190)))


def symbol(rng: Rng) -> Image.Image:
    return _text(SYMBOLS[rng.integers(len(SYMBOLS))], rng, int(rng.integers(110, 190)))


def word(rng: Rng) -> Image.Image:
    return _text(WORDS[rng.integers(len(WORDS))], rng, int(rng.integers(50, 80)))


def _pen(rng: Rng) -> int:
    return int(rng.integers(6, 20))


def scribble(rng: Rng) -> Image.Image:
    """A random walk with momentum: loops and zigzags, the way a bored hand doodles."""
    im = Image.new("L", (SIDE, SIDE), 255)
    n = int(rng.integers(25, 60))
    heading, speed = rng.uniform(0, 2 * np.pi), rng.uniform(12, 25)
    p, pts = np.array([SIDE / 2, SIDE / 2]), []
    for _ in range(n):
        heading += rng.normal(0, 0.9)
        p = np.clip(p + speed * np.array([np.cos(heading), np.sin(heading)]), 30, SIDE - 30)
        pts.append(tuple(p))
    ImageDraw.Draw(im).line(pts, fill=0, width=_pen(rng), joint="curve")
    return im


def _polygon(rng: Rng, k: int, r: float, star: bool = False) -> list[tuple[float, float]]:
    c = SIDE / 2 + rng.uniform(-20, 20, 2)
    a0 = rng.uniform(0, 2 * np.pi)
    n = 2 * k if star else k
    radii = [r if (i % 2 == 0 or not star) else r * 0.45 for i in range(n)]
    return [(c[0] + q * np.cos(a0 + 2 * np.pi * i / n), c[1] + q * np.sin(a0 + 2 * np.pi * i / n))
            for i, q in enumerate(radii)]


def shape(rng: Rng) -> Image.Image:
    """Outlined or filled polygons, stars, arrows, crosses and hearts."""
    im = Image.new("L", (SIDE, SIDE), 255)
    d = ImageDraw.Draw(im)
    kind = rng.integers(5)
    r = rng.uniform(60, 110)
    fill = 0 if rng.random() < 0.3 else None
    if kind == 0:
        d.polygon(_polygon(rng, int(rng.integers(3, 7)), r), outline=0, fill=fill, width=_pen(rng))
    elif kind == 1:
        d.polygon(_polygon(rng, int(rng.integers(5, 8)), r, star=True), outline=0, fill=fill, width=_pen(rng))
    elif kind == 2:  # an arrow
        y, w = SIDE / 2, _pen(rng)
        d.line([(40, y), (240, y)], fill=0, width=w)
        d.line([(190, y - 50), (240, y), (190, y + 50)], fill=0, width=w, joint="curve")
        im = im.rotate(rng.uniform(0, 360), fillcolor=255)
    elif kind == 3:  # a cross / plus of bars
        w = _pen(rng) * 2
        d.rectangle((SIDE / 2 - w, 50, SIDE / 2 + w, 230), fill=0)
        d.rectangle((50, SIDE / 2 - w, 230, SIDE / 2 + w), fill=0)
        im = im.rotate(rng.uniform(0, 90), fillcolor=255)
    else:  # a heart
        s = r / 100
        c = np.array([SIDE / 2, SIDE / 2])
        t = np.linspace(0, 2 * np.pi, 80)
        x = 16 * np.sin(t) ** 3
        y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
        pts = [tuple(c + 6 * s * np.array([a, b])) for a, b in zip(x, y)]
        d.polygon(pts, outline=0, fill=fill, width=_pen(rng))
    return im


def ticked_box(rng: Rng) -> Image.Image:
    im = Image.new("L", (SIDE, SIDE), 255)
    d = ImageDraw.Draw(im)
    a, b = rng.uniform(40, 70), rng.uniform(210, 240)
    d.rectangle((a, a, b, b), outline=0, width=_pen(rng))
    w = _pen(rng)
    if rng.random() < 0.5:  # a tick
        d.line([(a + 25, 150), (120, b - 25), (b + 20, a - 20)], fill=0, width=w, joint="curve")
    else:  # a cross
        d.line([(a + 20, a + 20), (b - 20, b - 20)], fill=0, width=w)
        d.line([(a + 20, b - 20), (b - 20, a + 20)], fill=0, width=w)
    return im.rotate(rng.uniform(-8, 8), fillcolor=255)


def smiley(rng: Rng) -> Image.Image:
    im = Image.new("L", (SIDE, SIDE), 255)
    d = ImageDraw.Draw(im)
    r, w = rng.uniform(80, 120), _pen(rng)
    c = SIDE / 2
    d.ellipse((c - r, c - r, c + r, c + r), outline=0, width=w)
    e = r * 0.12
    for dx in (-0.38, 0.38):
        d.ellipse((c + dx * r - e, c - 0.3 * r - e, c + dx * r + e, c - 0.3 * r + e), fill=0)
    mouth = (c - 0.55 * r, c - 0.3 * r, c + 0.55 * r, c + 0.6 * r)
    d.arc(mouth, 20, 160, fill=0, width=w) if rng.random() < 0.7 else d.arc(
        (c - 0.5 * r, c + 0.2 * r, c + 0.5 * r, c + 0.8 * r), 200, 340, fill=0, width=w)
    return im


def noise(rng: Rng) -> Image.Image:
    """Uniform, salt-and-pepper, or blurred Gaussian noise over the whole image or a patch."""
    k = rng.integers(3)
    if k == 0:
        a = rng.uniform(0, 255, (SIDE, SIDE))
    elif k == 1:
        a = np.where(rng.random((SIDE, SIDE)) < rng.uniform(0.05, 0.4), 0, 255).astype(float)
    else:
        a = np.asarray(Image.fromarray(rng.normal(128, 60, (SIDE, SIDE)).clip(0, 255).astype(np.uint8))
                       .filter(ImageFilter.GaussianBlur(rng.uniform(1, 6))), float)
        a = (a - a.min()) / max(np.ptp(a), 1) * 255
    return Image.fromarray(a.astype(np.uint8))


def half(rng: Rng) -> Image.Image:
    """Half black, half white, split along a random line (sometimes with a gradient or a corner)."""
    yy, xx = np.mgrid[0:SIDE, 0:SIDE] - SIDE / 2
    a = rng.uniform(0, 2 * np.pi)
    v = xx * np.cos(a) + yy * np.sin(a) + rng.uniform(-40, 40)
    soft = rng.uniform(0.5, 30)
    g = 1 / (1 + np.exp(-v / soft))
    return Image.fromarray((g * 255).astype(np.uint8))


def texture(rng: Rng) -> Image.Image:
    """Stripes, checkerboards, grids or dot lattices."""
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(float)
    period = rng.uniform(12, 60)
    a = rng.uniform(0, np.pi)
    u, v = xx * np.cos(a) + yy * np.sin(a), -xx * np.sin(a) + yy * np.cos(a)
    k = rng.integers(4)
    if k == 0:
        g = np.sin(2 * np.pi * u / period) > 0
    elif k == 1:
        g = (np.floor(u / period) + np.floor(v / period)) % 2 == 0
    elif k == 2:
        g = ~((u % period < period * 0.15) | (v % period < period * 0.15))
    else:
        g = ((u % period - period / 2) ** 2 + (v % period - period / 2) ** 2) > (period * 0.25) ** 2
    return Image.fromarray(np.where(g, 255, 0).astype(np.uint8))


def blob(rng: Rng) -> Image.Image:
    """One or a few filled irregular shapes: a cat-like blob, an ink splash."""
    im = Image.new("L", (SIDE, SIDE), 255)
    d = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(1, 4))):
        n = int(rng.integers(7, 14))
        c = SIDE / 2 + rng.uniform(-50, 50, 2)
        t = np.sort(rng.uniform(0, 2 * np.pi, n))
        r = rng.uniform(30, 100, n)
        d.polygon([(c[0] + q * np.cos(a), c[1] + q * np.sin(a)) for a, q in zip(t, r)], fill=0)
    return im.filter(ImageFilter.GaussianBlur(rng.uniform(0, 3)))


KINDS: dict[str, Callable[[Rng], Image.Image]] = {
    "letters": letter, "symbols": symbol, "words": word, "scribbles": scribble, "shapes": shape,
    "ticked boxes": ticked_box, "smileys": smiley, "noise": noise, "half black/white": half,
    "textures": texture, "blobs": blob,
}


def non_digit_set(per_kind: int = PER_KIND, seed: int = SEED) -> dict[str, list[np.ndarray]]:
    """Every kind's images as the loader gives them: luminance floats in 0..1."""
    out = {}
    for k, (name, make) in enumerate(KINDS.items()):
        rng = np.random.default_rng([seed, k])
        out[name] = [np.asarray(make(rng), np.float32) / 255.0 for _ in range(per_kind)]
    return out
