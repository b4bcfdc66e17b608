"""Accuracy on every test set, the product's preprocessing against a plain one, same model.

    python -m benchmarks.accuracy [--model PATH] [--sample N] [--per-digit 20] [--sets mnist,usps,...]

Sets: the MNIST test set (through the whole path); the held-out part of each other-writers set
(`training/other_writers.py`: a seeded, label-stratified 20%) in several renderings; and the
synthetic drawings, scans and photos of `benchmarks/synthetic.py`. Both columns run the same
shipped model on batches; "product" is the app's own path, `recognize_many` (the answer is the
vote of the input and its turned copies, recognize.VOTE); "input alone" the same path without the
copies, as the live guess while drawing (`live=True`); "plain" is `plain_preprocess` below
through `Classifier.predict`. One printed table.
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from desktop.engine.imageio import fit_longest
from desktop.engine.model_files import load_model
from desktop.engine.recognize import recognize_many
from training import other_writers

MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"
BATCH = 512
SAMPLE = 600  # held-out digits per other-writers set and rendering (seeded); 0 = all of them
SAMPLE_SEED = 0


def plain_preprocess(gray: np.ndarray) -> np.ndarray | None:
    """The 20-line MNIST recipe: polarity, crop to ink, 20 px box keeping aspect, centre of mass."""
    g = np.asarray(gray, dtype=np.float32)
    border = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])
    ink = 1.0 - g if border.mean() > 0.5 else g  # the paper is what the border mostly shows
    ink = ink - np.median(np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]]))
    ink = np.clip(ink / max(float(ink.max()), 1e-6), 0.0, 1.0)
    rows, cols = np.flatnonzero(ink.max(1) > 0.1), np.flatnonzero(ink.max(0) > 0.1)
    if rows.size == 0:
        return None
    box = fit_longest(ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1], 20)
    h, w = box.shape
    total = float(box.sum()) or 1.0
    cy = float(box.sum(1) @ np.arange(h)) / total
    cx = float(box.sum(0) @ np.arange(w)) / total
    top = int(np.clip(round(14 - cy), 0, 28 - h))
    left = int(np.clip(round(14 - cx), 0, 28 - w))
    out = np.zeros((28, 28), np.float32)
    out[top : top + h, left : left + w] = np.clip(box, 0.0, 1.0)
    return out


def product(clf, grays: list[np.ndarray], live: bool = False) -> np.ndarray:
    """Digits read by the app's path (-1: no digit), in batches of BATCH images."""
    answers = [p for s in range(0, len(grays), BATCH) for p in recognize_many(clf, grays[s : s + BATCH], live=live)]
    return np.array([-1 if p.digit is None else p.digit for p in answers])


def input_alone(clf, grays: list[np.ndarray]) -> np.ndarray:
    return product(clf, grays, live=True)


def plain(clf, grays: list[np.ndarray]) -> np.ndarray:
    inputs = [plain_preprocess(g) for g in grays]
    pred = np.full(len(grays), -1)
    idx = np.array([i for i, x in enumerate(inputs) if x is not None], dtype=int)
    for s in range(0, idx.size, BATCH):
        chunk = idx[s : s + BATCH]
        pred[chunk] = clf.predict(np.stack([inputs[i] for i in chunk])).argmax(1)
    return pred


PIPELINES: dict[str, Callable[..., np.ndarray]] = {"product": product, "input alone": input_alone, "plain": plain}


def evaluate(clf, grays: list[np.ndarray], labels: np.ndarray, pipeline) -> tuple[float, int]:
    """(accuracy, images read as "no digit"); a "no digit" counts as wrong."""
    pred = pipeline(clf, grays)
    return float((pred == labels).mean()), int((pred < 0).sum())


def _sample(n: int, size: int) -> np.ndarray:
    if size <= 0 or size >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(SAMPLE_SEED).choice(n, size, replace=False))


def mnist_set() -> Iterator[tuple[str, list[np.ndarray], np.ndarray]]:
    with np.load(MNIST) as d:
        x, y = d["x_test"], d["y_test"].astype(np.int64)
    yield "MNIST test (white on black, 28x28)", list(x.astype(np.float32) / 255.0), y


def mnist_renderings(sample: int) -> Iterator[tuple[str, list[np.ndarray], np.ndarray]]:
    """MNIST test digits cropped to their ink, then rendered like the other writers' grids."""
    with np.load(MNIST) as d:
        x, y = d["x_test"], d["y_test"].astype(np.int64)
    idx = _sample(len(y), sample)
    tight = [other_writers.tight(a.astype(np.float32) / 255.0) for a in x[idx]]
    for rname, render in other_writers.GRID_RENDERINGS.items():
        yield f"MNIST test, cropped to ink: {rname}", [render(a) for a in tight], y[idx]


def other_writer_sets(sample: int) -> Iterator[tuple[str, list[np.ndarray], np.ndarray]]:
    for name, (x, y) in other_writers.held_out().items():
        idx = _sample(len(y), sample)
        for rname, render in other_writers.renderings(name).items():
            yield f"{name} held-out: {rname}", [render(a) for a in x[idx]], y[idx]


def synthetic_sets(per_digit: int) -> Iterator[tuple[str, list[np.ndarray], np.ndarray]]:
    from benchmarks.synthetic import test_sets

    for name, (images, labels) in test_sets(per_digit).items():
        # As the loader gives them: luminance, 0..1 (PNG/JPEG round trips are in the images).
        yield f"synthetic: {name}", [np.asarray(im.convert("L"), np.float32) / 255.0 for im in images], labels


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model")
    ap.add_argument("--sample", type=int, default=SAMPLE, help="held-out digits per set and rendering; 0 = all")
    ap.add_argument("--per-digit", type=int, default=20, help="synthetic images per digit")
    ap.add_argument("--sets", default="mnist,other,synthetic")
    args = ap.parse_args(argv)
    clf = load_model(args.model)
    chosen = set(args.sets.split(","))
    sources = []
    if "mnist" in chosen:
        sources.append(mnist_set())
        sources.append(mnist_renderings(args.sample))
    if "other" in chosen:
        sources.append(other_writer_sets(args.sample))
    if "synthetic" in chosen:
        sources.append(synthetic_sets(args.per_digit))
    start = time.perf_counter()
    print("| test set | images | product | input alone | plain | product: no digit |\n|---|---|---|---|---|---|")
    for source in sources:
        for name, grays, labels in source:
            res = {k: evaluate(clf, grays, labels, f) for k, f in PIPELINES.items()}
            print(f"| {name} | {len(labels):,} | {100 * res['product'][0]:.1f}% | {100 * res['input alone'][0]:.1f}% "
                  f"| {100 * res['plain'][0]:.1f}% "
                  f"| {res['product'][1]} |", flush=True)
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
