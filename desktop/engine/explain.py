"""Why the model decided: occlusion sensitivity, computed with the same TFLite model.

Each 6x6 patch of the 28x28 input (PATCH, every STRIDE pixels; patches without ink are skipped) is
blanked in turn; how much the chosen digit's probability falls says how much that part of the
drawing mattered. All patches go through in one batch.
"""
from __future__ import annotations

import numpy as np

from desktop.engine.classifier import Classifier

PATCH, STRIDE = 6, 2


def occlusion_map(clf: Classifier, input28: np.ndarray, digit: int) -> np.ndarray:
    """(28, 28) in [0, 1]: 1 where hiding the ink costs the chosen digit the most probability."""
    base = float(clf.predict_one(input28)[digit])
    starts = range(0, 28 - PATCH + 1, STRIDE)
    batch, where = [], []
    for y in starts:
        for x in starts:
            if input28[y : y + PATCH, x : x + PATCH].max() <= 0:  # no ink here: hiding changes nothing
                continue
            occluded = input28.copy()
            occluded[y : y + PATCH, x : x + PATCH] = 0.0
            batch.append(occluded)
            where.append((y, x))
    heat = np.zeros((28, 28), np.float32)
    count = np.zeros((28, 28), np.float32)
    if batch:
        drops = base - clf.predict(np.stack(batch))[:, digit]
        for (y, x), d in zip(where, drops):
            heat[y : y + PATCH, x : x + PATCH] += max(float(d), 0.0)
            count[y : y + PATCH, x : x + PATCH] += 1
    heat = np.divide(heat, count, out=np.zeros_like(heat), where=count > 0)
    top = heat.max()
    return heat / top if top > 0 else heat
