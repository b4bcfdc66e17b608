"""The user's corrections (the app's "Wrong? ▾") as extra labelled training digits.

Read with the app's own reader (``desktop.engine.corrections.load_examples``): the model inputs the
app saved, 28x28 white ink on black, MNIST's layout. They join the training part of the split only;
validation, test and the product-data cache (keyed on the MNIST training part) stay as they were.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from training.data import Split

# A few dozen corrections among 55,000 MNIST digits would barely move the model: each is repeated
# (augmentation makes every repeat a slightly different copy).
REPEAT = 10


class NoCorrectionsError(RuntimeError):
    """The folder holds no usable correction."""


def load(folder: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """(n, 28, 28) uint8 inputs and (n,) labels from a corrections folder; an error if there are none."""
    from desktop.engine.corrections import LABELS, load_examples

    x, y, _ = load_examples(folder)
    if not len(y):
        raise NoCorrectionsError(f"{folder} holds no corrections ({LABELS} with rows and their images); "
                                 "give the folder the app keeps them in (Settings > Corrections folder).")
    return x, y


def with_corrections(split: Split, x: np.ndarray, y: np.ndarray, repeat: int = REPEAT) -> Split:
    """The split with the corrections added ``repeat`` times to its training part."""
    return replace(split, x_train=np.concatenate([split.x_train, np.tile(x, (repeat, 1, 1))]),
                   y_train=np.concatenate([split.y_train, np.tile(y.astype(split.y_train.dtype), repeat)]))
