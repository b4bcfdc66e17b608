"""The other writers' digits (USPS, optdigits, pendigits): loading, the held-out split, renderings.

One module for training and benchmarks alike, numpy and Pillow only (no TensorFlow), so that the
held-out part is the same everywhere and never trained on.

The split: per set, a seeded permutation (SPLIT_SEED) of each label's indices; the first
HELD_OUT share of every label (rounded up) is held out for evaluation, the rest may be trained on.
Stratified by label, so every digit is in the held-out part in its set's proportion.

Renderings turn each source into the grayscale images users give the app (float32, white = 1):
dark ink on light paper unless a rendering says otherwise.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "other-writers.npz"
SETS = ("usps", "optdigits", "pendigits")
SPLIT_SEED = 15  # the issue that introduced the split; changing it changes the held-out part
HELD_OUT = 0.2
MARGIN = 0.25  # "with margin": paper around the digit, as a share of its frame on each side
PEN_CANVAS = 112  # pendigits are drawn on this square canvas (px)
PEN_WIDTHS = {"thin pen": 2.0, "medium pen": 6.0, "thick pen": 14.0}


def load(path: str | Path = DEFAULT_PATH) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each set's raw arrays and labels: usps (n,16,16) ink in 0..1, optdigits (n,8,8) 0..16,
    pendigits (n,8,2) points 0..100 with y up."""
    with np.load(path) as d:
        return {name: (d[f"{name}_x"], d[f"{name}_y"].astype(np.int64)) for name in SETS}


def split(labels: np.ndarray, seed: int = SPLIT_SEED, held_out: float = HELD_OUT) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, held-out indices), sorted: a seeded ``held_out`` share of every label."""
    rng = np.random.default_rng(seed)
    test = []
    for digit in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        test.append(idx[: int(np.ceil(held_out * idx.size))])
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(labels.size), test_idx)
    return train_idx, test_idx


def held_out(path: str | Path = DEFAULT_PATH) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each set's held-out part only (for evaluation)."""
    out = {}
    for name, (x, y) in load(path).items():
        _, idx = split(y)
        out[name] = (x[idx], y[idx])
    return out


# --- renderings: a source digit's ink (float, 0..1, ink = 1) to what a user's file looks like -----

def _resize(ink: np.ndarray, factor: int, smooth: bool) -> np.ndarray:
    h, w = ink.shape
    resample = Image.Resampling.BICUBIC if smooth else Image.Resampling.NEAREST
    out = Image.fromarray(ink.astype(np.float32)).resize((w * factor, h * factor), resample)
    return np.clip(np.asarray(out, dtype=np.float32), 0.0, 1.0)


def _margin(ink: np.ndarray, share: float = MARGIN) -> np.ndarray:
    p = max(1, round(share * max(ink.shape)))
    return np.pad(ink, p)


def _to_file(ink: np.ndarray, dark_on_light: bool = True) -> np.ndarray:
    """As an 8-bit file stores it: 256 grey levels, white = 1."""
    gray = 1.0 - ink if dark_on_light else ink
    return np.round(np.clip(gray, 0.0, 1.0) * 255.0).astype(np.float32) / 255.0


def coloured(ink: np.ndarray) -> np.ndarray:
    """Blue ink on yellowish paper, as the loader's luminance (ITU-R 601) sees it."""
    paper, pen = np.array([250, 235, 160]), np.array([40, 60, 170])  # RGB
    rgb = paper[None, None] * (1 - ink[..., None]) + pen[None, None] * ink[..., None]
    return (rgb @ np.array([0.299, 0.587, 0.114]) / 255.0).astype(np.float32)


def draw_path(points: np.ndarray, width: float, side: int = PEN_CANVAS, margin: float = 0.15) -> np.ndarray:
    """A pendigits path (8 points, 0..100, y up) drawn with a round pen: ink (side, side), 0..1."""
    p = points.astype(np.float64)
    p[:, 1] = 100.0 - p[:, 1]  # y grows upward in the data, downward in an image
    inner = side * (1 - 2 * margin)
    span = max(np.ptp(p[:, 0]), np.ptp(p[:, 1]), 1.0)
    p = (p - p.min(axis=0)) * (inner / span)
    p += (side - p.max(axis=0)) / 2  # centred: keeps the writer's aspect ratio
    scale = 4  # drawn at 4x and area-averaged down: anti-aliased like a real pen
    im = Image.new("L", (side * scale, side * scale), 0)
    d = ImageDraw.Draw(im)
    pts = [tuple(map(float, q * scale)) for q in p]
    w = max(1, round(width * scale))
    d.line(pts, fill=255, width=w, joint="curve")
    r = w / 2
    for x, y in pts:
        d.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(im.reduce(scale), dtype=np.float32) / 255.0


def tight(ink: np.ndarray) -> np.ndarray:
    """The ink's bounding box (above 0.1), no margin."""
    rows, cols = np.flatnonzero(ink.max(1) > 0.1), np.flatnonzero(ink.max(0) > 0.1)
    if rows.size == 0:
        return ink
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


Rendering = Callable[[np.ndarray], np.ndarray]

# Per source kind, name -> function from the source's ink (0..1) to a grayscale file image.
GRID_RENDERINGS: dict[str, Rendering] = {
    "tight": lambda a: _to_file(a),
    "margin": lambda a: _to_file(_margin(a)),
    "2x nearest": lambda a: _to_file(_resize(a, 2, smooth=False)),
    "4x smooth": lambda a: _to_file(_resize(a, 4, smooth=True)),
    "8x nearest": lambda a: _to_file(_resize(a, 8, smooth=False)),
    "8x smooth, margin": lambda a: _to_file(_margin(_resize(a, 8, smooth=True))),
    "white on black, 4x": lambda a: _to_file(_resize(a, 4, smooth=True), dark_on_light=False),
    "thresholded, 4x": lambda a: _to_file((_resize(a, 4, smooth=True) > 0.5).astype(np.float32)),
    "coloured, 4x": lambda a: coloured(_resize(a, 4, smooth=True)),
}
PEN_RENDERINGS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    **{name: (lambda p, w=w: _to_file(draw_path(p, w))) for name, w in PEN_WIDTHS.items()},
    "medium pen, tight": lambda p: _to_file(tight(draw_path(p, PEN_WIDTHS["medium pen"]))),
    "medium pen, white on black": lambda p: _to_file(draw_path(p, PEN_WIDTHS["medium pen"]), dark_on_light=False),
    "medium pen, thresholded": lambda p: _to_file((draw_path(p, PEN_WIDTHS["medium pen"]) > 0.5).astype(np.float32)),
}


def source_ink(name: str, x: np.ndarray) -> np.ndarray:
    """A grid set's raw digit as ink in 0..1 (usps already is; optdigits counts 0..16)."""
    return x.astype(np.float32) / 16.0 if name == "optdigits" else x.astype(np.float32)


def renderings(name: str) -> dict[str, Rendering]:
    """The renderings that apply to a set: drawn paths for pendigits, grids for the others."""
    if name == "pendigits":
        return PEN_RENDERINGS
    return {k: (lambda a, f=f: f(source_ink(name, a))) for k, f in GRID_RENDERINGS.items()}
