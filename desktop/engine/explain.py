"""Why the model decided: occlusion sensitivity, computed with the same TFLite model.

Each 6x6 patch of the 28x28 input (PATCH, every STRIDE pixels; patches without ink are skipped) is
blanked in turn; how much the chosen digit's probability falls says how much that part of the
drawing mattered. All patches of all the digits of an answer go through in one batch.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from desktop.engine.classifier import Classifier

PATCH, STRIDE = 6, 2
# At most this many patches for one answer (about 0.1 s of model time, on the window's thread):
# a long number's maps are coarser (a wider stride). 60 digits at stride 2 froze the window 1 s.
MAX_PATCHES = 1200


def occlusion_map(clf: Classifier, input28: np.ndarray, digit: int) -> np.ndarray:
    """(28, 28) in [0, 1]: 1 where hiding the ink costs the chosen digit the most probability."""
    return occlusion_maps(clf, [input28], [digit])[0]


def _starts(stride: int) -> list[int]:
    """Where patches start along a side, every ``stride``, the last flush with the edge: a wider
    stride alone left the input's last rows and columns never hidden (no importance shown there)."""
    return sorted({*range(0, 28 - PATCH + 1, stride), 28 - PATCH})


def _stride(n: int) -> int:
    """The finest stride (STRIDE..PATCH) whose patches for ``n`` inputs stay within MAX_PATCHES; PATCH
    (16-25 patches an input) past about 50 inputs, where the budget cannot hold."""
    for stride in range(STRIDE, PATCH):
        if n * len(_starts(stride)) ** 2 <= MAX_PATCHES:
            return stride
    return PATCH


def occlusion_maps(clf: Classifier, inputs28: Sequence[np.ndarray], digits: Sequence[int]) -> list[np.ndarray]:
    """occlusion_map of each input and its digit (a number's digits), in one batch of the model."""
    starts = _starts(_stride(len(inputs28)))
    batch, own_row, patches = [], [], []  # patches: (input, its row in batch, y, x)
    for k, x in enumerate(inputs28):
        own_row.append(len(batch))
        batch.append(x)  # the input itself: the probability that hiding a patch lowers
        for y in starts:
            for xx in starts:
                if x[y : y + PATCH, xx : xx + PATCH].max() <= 0:  # no ink here: hiding changes nothing
                    continue
                occluded = x.copy()
                occluded[y : y + PATCH, xx : xx + PATCH] = 0.0
                patches.append((k, len(batch), y, xx))
                batch.append(occluded)
    probs = clf.predict(np.stack(batch)) if batch else np.zeros((0, 10), np.float32)
    heats = [np.zeros((28, 28), np.float32) for _ in inputs28]
    counts = [np.zeros((28, 28), np.float32) for _ in inputs28]
    for k, row, y, xx in patches:
        drop = float(probs[own_row[k], digits[k]]) - float(probs[row, digits[k]])
        heats[k][y : y + PATCH, xx : xx + PATCH] += max(drop, 0.0)
        counts[k][y : y + PATCH, xx : xx + PATCH] += 1
    out = []
    for heat, count in zip(heats, counts):
        heat = np.divide(heat, count, out=np.zeros_like(heat), where=count > 0)
        top = heat.max()
        out.append(heat / top if top > 0 else heat)
    return out
