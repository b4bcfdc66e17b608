"""The numbers of the data-analysis report (the study's task 1), computed from MNIST arrays.

The per-class shape figures (ink, box, centre of mass, stroke) use the app's own measuring
functions, because they are the targets the app's preprocessing must reproduce.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from desktop.engine.imageio import fit_longest
from desktop.engine.preprocess import FINE, BOX, ink_bbox, stroke_width


@dataclass
class Shape:
    ink: np.ndarray  # per image: sum of intensities / 255 (pixels' worth of full ink)
    height: np.ndarray
    width: np.ndarray
    com_y: np.ndarray
    com_x: np.ndarray
    stroke: np.ndarray  # stroke width in pixels of the 28x28 image


def shape_stats(x: np.ndarray) -> Shape:
    xf = x.astype(np.float32) / 255.0
    ink = xf.sum(axis=(1, 2))
    rows, cols = np.arange(28, dtype=np.float32), np.arange(28, dtype=np.float32)
    com_y = xf.sum(axis=2) @ rows / np.maximum(ink, 1e-6)
    com_x = xf.sum(axis=1) @ cols / np.maximum(ink, 1e-6)
    h, w, s = [], [], []
    for img in xf:
        top, bottom, left, right = ink_bbox(img) or (0, 1, 0, 1)
        h.append(bottom - top)
        w.append(right - left)
        # Measured at the scale the preprocessing measures it (80 px box), reported at 28x28 scale.
        s.append(stroke_width(fit_longest(img[top:bottom, left:right], BOX * FINE)) / FINE)
    return Shape(ink, np.array(h), np.array(w), com_y, com_x, np.array(s))


def duplicates(a: np.ndarray, b: np.ndarray | None = None) -> int:
    """Exact duplicate images within ``a`` (extra copies), or images of ``b`` also found in ``a``."""
    ha = [hashlib.blake2b(img.tobytes(), digest_size=16).digest() for img in a]
    if b is None:
        return len(ha) - len(set(ha))
    seen = set(ha)
    return sum(hashlib.blake2b(img.tobytes(), digest_size=16).digest() in seen for img in b)


def class_balance(y: np.ndarray) -> np.ndarray:
    return np.bincount(y, minlength=10)


def per_class_table(s: Shape, y: np.ndarray) -> list[dict]:
    out = []
    for d in range(10):
        m = y == d
        out.append({
            "digit": d, "count": int(m.sum()),
            "ink": float(s.ink[m].mean()), "height": float(s.height[m].mean()), "width": float(s.width[m].mean()),
            "aspect": float((s.width[m] / s.height[m]).mean()),
            "com_y": float(s.com_y[m].mean()), "com_x": float(s.com_x[m].mean()),
            "stroke": float(np.median(s.stroke[m])),
        })
    return out


def embedding(x: np.ndarray, seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """2-D t-SNE of ``n`` digits (after PCA to 50 dimensions) and the indices it used."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    idx = np.random.default_rng(seed).choice(len(x), min(n, len(x)), replace=False)
    flat = x[idx].reshape(len(idx), -1).astype(np.float32) / 255.0
    pcs = PCA(50, random_state=seed).fit_transform(flat)
    xy = TSNE(2, init="pca", random_state=seed, perplexity=min(30, max(5, len(idx) // 10))).fit_transform(pcs)
    return xy, idx


# --- how a digit sits in its frame, for any source (the other writers' section) -------------------
INK_LEVEL = 0.1  # a pixel is part of the digit's box above this much ink (0..1)
MEASURES = {  # key: (column title, what it is)
    "box_share": ("box / frame", "share of the frame the digit's bounding box covers"),
    "margin": ("margin", "narrowest gap between box and frame edge, as a share of the frame"),
    "ink_share": ("ink share", "share of the frame's pixels that are ink (> 0.5)"),
    "fill": ("box fill", "mean ink inside the bounding box (0..1)"),
    "stroke": ("stroke (px)", "stroke width with the box's longest side scaled to 20 px, as MNIST's"),
    "aspect": ("aspect w/h", "box width over height"),
    "slant": ("slant (deg)", "lean of the strokes from the second moments; positive leans right"),
    "offset_frame": ("mass to frame centre", "distance of the centre of mass from the frame centre, share of the frame"),
    "offset_box": ("mass to box centre", "distance of the centre of mass from the box centre, share of the box"),
}


def measure(inks) -> dict[str, np.ndarray]:
    """Per image (ink in 0..1, ink high, any frame size): the ``MEASURES``."""
    out = {k: [] for k in MEASURES}
    for a in inks:
        a = np.asarray(a, np.float32)
        big, wide = a.shape
        top, bottom, left, right = ink_bbox(a, INK_LEVEL) or (0, big, 0, wide)
        h, w = bottom - top, right - left
        crop = a[top:bottom, left:right]
        mass = max(float(a.sum()), 1e-6)
        ys, xs = np.mgrid[0:big, 0:wide].astype(np.float32)
        cy, cx = float((a * ys).sum() / mass), float((a * xs).sum() / mass)
        mu11 = float((a * (ys - cy) * (xs - cx)).sum() / mass)
        mu02 = max(float((a * (ys - cy) ** 2).sum() / mass), 1e-6)
        out["box_share"].append(h * w / (big * wide))
        out["margin"].append(min(top, left, big - bottom, wide - right) / max(big, wide))
        out["ink_share"].append(float((a > 0.5).mean()))
        out["fill"].append(float(crop.mean()))
        out["stroke"].append(stroke_width(fit_longest(crop, BOX * FINE)) / FINE)
        out["aspect"].append(w / h)
        out["slant"].append(float(np.degrees(np.arctan(-mu11 / mu02))))  # y grows downward
        out["offset_frame"].append(float(np.hypot((cy - (big - 1) / 2) / big, (cx - (wide - 1) / 2) / wide)))
        out["offset_box"].append(float(np.hypot((cy - top - (h - 1) / 2) / h, (cx - left - (w - 1) / 2) / w)))
    return {k: np.asarray(v, np.float64) for k, v in out.items()}


def as_file_stats(images) -> dict[str, float]:
    """What a rendering looks like as a file (grey, white = 1): median size, paper grey (the
    border's median), and the share of pixels far (> 0.5) from the paper, i.e. ink."""
    sizes, paper, ink = [], [], []
    for g in images:
        g = np.asarray(g, np.float32)
        border = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])
        p = float(np.median(border))
        sizes.append(g.shape)
        paper.append(p)
        ink.append(float((np.abs(g - p) > 0.5).mean()))
    h, w = np.median(np.array(sizes), axis=0)
    return {"height": float(h), "width": float(w), "paper": float(np.median(paper)), "ink_share": float(np.mean(ink))}
