"""The product model's extra training data: other writers' digits and generated non-digits, as the model sees them.

Every image goes through the app's own ``desktop.engine.preprocess.preprocess``, so training inputs
are what the model is given at run time. The arrays are cached as one .npz (uint8, never committed).

Parts (all seeded):
  other writers, train   the TRAIN part of each set by ``other_writers.split()`` (its held-out 20%
                         is never touched here), less OW_VAL of it; each digit in RENDERINGS_PER_DIGIT
                         renderings picked at random among its set's renderings
  other writers, val     OW_VAL of each set's TRAIN part, one random rendering each: for choosing
                         the not-a-digit threshold and checking it, never trained on
  negatives train/val/test  ``training.negatives`` images 0..N_NEG_TRAIN, then N_NEG_VAL, then
                         N_NEG_TEST (the test part is only reported)
"""
from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training import negatives, other_writers

OW_VAL = 0.1
RENDERINGS_PER_DIGIT = 2
N_NEG_TRAIN = 12_000
N_NEG_VAL = 1_500
N_NEG_TEST = 1_500
WORKERS = 2
CACHE_DIR = Path("runs/cache")


@dataclass(frozen=True)
class ProductData:
    x_ow: np.ndarray  # (n, 28, 28) uint8 model inputs, white ink on black
    y_ow: np.ndarray
    x_ow_val: np.ndarray
    y_ow_val: np.ndarray
    ow_val_rendering: np.ndarray  # "set: rendering" of each validation digit
    x_neg: np.ndarray
    x_neg_val: np.ndarray
    x_neg_test: np.ndarray
    neg_test_kind: np.ndarray


def _to_uint8(x28: np.ndarray) -> np.ndarray:
    return np.round(np.clip(x28, 0.0, 1.0) * 255).astype(np.uint8)


def _prep(gray: np.ndarray) -> np.ndarray | None:
    from desktop.engine.preprocess import preprocess

    x = preprocess(gray).input28
    return None if x is None else _to_uint8(x)


# Workers inherit these through fork (set before the pool starts): the sources to render.
_SOURCES: dict = {}


def _ow_job(job: tuple[str, int, str]):
    name, i, rendering = job
    x, _ = _SOURCES["ow"][name]
    return _prep(other_writers.renderings(name)[rendering](x[i]))


def _neg_job(job: tuple[int, int]):
    i, seed = job
    gray, kind = negatives.make(i, seed, *_SOURCES["digits"])
    return _prep(gray), kind


def _map(fn, jobs: list, workers: int) -> list:
    if workers <= 1:
        return [fn(j) for j in jobs]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(fn, jobs, chunksize=256)


def _ow_jobs(sets: dict, seed: int) -> tuple[list, list, list, list]:
    rng = np.random.default_rng(seed)
    train_jobs, train_y, val_jobs, val_y = [], [], [], []
    for name, (_, y) in sets.items():
        train_idx, _ = other_writers.split(y)  # the held-out part stays out, as everywhere
        train_idx = rng.permutation(train_idx)
        n_val = int(round(OW_VAL * len(train_idx)))
        names = list(other_writers.renderings(name))
        for i in train_idx[n_val:]:
            for r in rng.choice(len(names), RENDERINGS_PER_DIGIT, replace=False):
                train_jobs.append((name, int(i), names[r]))
                train_y.append(int(y[i]))
        for i in np.sort(train_idx[:n_val]):
            val_jobs.append((name, int(i), names[int(rng.integers(len(names)))]))
            val_y.append(int(y[i]))
    return train_jobs, train_y, val_jobs, val_y


def build(mnist_train_digits: tuple[np.ndarray, np.ndarray], seed: int, path=other_writers.DEFAULT_PATH, quick: bool = False,
          workers: int = WORKERS, echo=print) -> ProductData:
    """Render everything (minutes on two cores); ``quick`` takes a small share, for tests."""
    sets = other_writers.load(path)
    _SOURCES["ow"], _SOURCES["digits"] = sets, mnist_train_digits
    tr_jobs, tr_y, va_jobs, va_y = _ow_jobs(sets, seed)
    n_neg = (N_NEG_TRAIN, N_NEG_VAL, N_NEG_TEST)
    if quick:
        tr_jobs, tr_y, va_jobs, va_y = tr_jobs[::50], tr_y[::50], va_jobs[::10], va_y[::10]
        n_neg = (300, 100, 100)
    echo(f"rendering {len(tr_jobs) + len(va_jobs):,} other writers' digits and {sum(n_neg):,} non-digits "
         f"through preprocess() ...")
    ow = _map(_ow_job, tr_jobs + va_jobs, workers)
    neg = _map(_neg_job, [(i, seed) for i in range(sum(n_neg))], workers)
    blank = np.zeros((28, 28), np.uint8)

    def keep(xs, ys, jobs):
        ok = [k for k, x in enumerate(xs) if x is not None]
        return (np.stack([xs[k] for k in ok]) if ok else np.zeros((0, 28, 28), np.uint8),
                np.array([ys[k] for k in ok], np.int64), [jobs[k] for k in ok])

    x_ow, y_ow, _ = keep(ow[: len(tr_jobs)], tr_y, tr_jobs)
    x_va, y_va, va_kept = keep(ow[len(tr_jobs):], va_y, va_jobs)
    parts, start = [], 0
    for n in n_neg:
        chunk = neg[start : start + n]
        start += n
        ok = [x for x, _ in chunk if x is not None]
        kinds = [k for x, k in chunk if x is not None]
        parts.append((np.stack(ok) if ok else blank[None][:0], np.array(kinds)))
    return ProductData(x_ow, y_ow, x_va, y_va, np.array([f"{j[0]}: {j[2]}" for j in va_kept]),
                       parts[0][0], parts[1][0], parts[2][0], parts[2][1])


def cache_path(mnist_train_digits: tuple[np.ndarray, np.ndarray], seed: int, quick: bool) -> Path:
    """One file per seed, size, recipe and MNIST training part (pairs are drawn from it)."""
    import hashlib

    recipe = repr((negatives.KINDS, negatives.KIND_WEIGHTS, RENDERINGS_PER_DIGIT, N_NEG_TRAIN, N_NEG_VAL, N_NEG_TEST))
    tag = hashlib.sha256(np.ascontiguousarray(mnist_train_digits[0]).tobytes() + recipe.encode()).hexdigest()[:10]
    return CACHE_DIR / f"product-data-seed{seed}{'-quick' if quick else ''}-{tag}.npz"


def load_or_build(mnist_train_digits: tuple[np.ndarray, np.ndarray], seed: int, quick: bool = False, echo=print) -> ProductData:
    """The cached arrays for this seed, built first when missing."""
    p = cache_path(mnist_train_digits, seed, quick)
    if p.exists():
        with np.load(p) as d:
            return ProductData(**{k: d[k] for k in d.files})
    data = build(mnist_train_digits, seed, quick=quick, echo=echo)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **data.__dict__)
    tmp.replace(p)
    return data
