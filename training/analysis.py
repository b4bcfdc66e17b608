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
