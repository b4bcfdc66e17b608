"""Load MNIST in the keras layout, offline first.

Order of sources: an explicit path, then ``$DIGITS_MNIST``, then the keras download
(which needs internet). The first that works wins; when none does, one sentence says what to do.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from desktop.engine.model_files import sha256 as file_sha256

ENV_VAR = "DIGITS_MNIST"
KEYS = ("x_train", "y_train", "x_test", "y_test")
SEED = 42  # every split, shuffle and initialisation, unless --seed says otherwise
N_VAL = 5000  # training images held out for validation (what candidates are compared on)
QUICK_TRAIN, QUICK_TEST, QUICK_N_VAL = 3000, 1000, 500  # --quick: the first images of each split


class DataNotFoundError(RuntimeError):
    """No MNIST source could be read."""


@dataclass(frozen=True)
class Mnist:
    x_train: np.ndarray  # (n, 28, 28) uint8, white ink on black
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    sha256: str | None


@dataclass(frozen=True)
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def _read_npz(path: Path) -> Mnist:
    try:
        with np.load(path) as d:
            arrays = [d[k] for k in KEYS]
    except KeyError as e:
        raise DataNotFoundError(f"{path} is not MNIST in the keras layout: it lacks {e}.") from e
    except (OSError, ValueError) as e:
        raise DataNotFoundError(f"{path} could not be read as an .npz file: {e}.") from e
    x_train, y_train, x_test, y_test = arrays
    if x_train.shape[1:] != (28, 28) or x_test.shape[1:] != (28, 28):
        raise DataNotFoundError(f"{path} does not hold 28x28 images (found {x_train.shape}).")
    return Mnist(x_train, y_train, x_test, y_test, source=str(path), sha256=file_sha256(path))


def load_mnist(path: str | Path | None = None) -> Mnist:
    """Return MNIST from ``path``, ``$DIGITS_MNIST`` or the keras download, in that order."""
    chosen = path or os.environ.get(ENV_VAR)
    if chosen:
        p = Path(chosen).expanduser()
        if not p.is_file():
            raise DataNotFoundError(
                f"MNIST file {p} does not exist; pass --data PATH or set {ENV_VAR} to a keras-layout mnist.npz."
            )
        return _read_npz(p)
    try:
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as e:  # the download raises many kinds of network errors
        raise DataNotFoundError(
            "MNIST could not be downloaded and no local copy was given; pass --data PATH or set "
            f"{ENV_VAR} to a keras-layout mnist.npz ({type(e).__name__}: {e})."
        ) from e
    return Mnist(x_train, y_train, x_test, y_test, source="keras.datasets.mnist", sha256=None)


def validation_split(x: np.ndarray, y: np.ndarray, n_val: int, seed: int) -> Split:
    """Hold out ``n_val`` training images, stratification left to chance but fixed by ``seed``."""
    order = np.random.default_rng(seed).permutation(len(x))
    val, train = order[:n_val], order[n_val:]
    return Split(x[train], y[train], x[val], y[val])


def subset(m: Mnist, n_train: int, n_test: int) -> Mnist:
    """The first images of each split: what ``--quick`` runs on."""
    return Mnist(m.x_train[:n_train], m.y_train[:n_train], m.x_test[:n_test], m.y_test[:n_test], m.source, m.sha256)
