"""Accuracy on handwriting that is not MNIST, through the app's engine (preprocessing + model).

    python -m benchmarks.accuracy [--model PATH] [--per-digit 20] [--plain]

--plain compares against a plain MNIST-style pipeline (grayscale, invert, resize to 20x20 box by
bounding box, centre by mass) without the product's polarity, background and stroke steps.
"""
from __future__ import annotations

import argparse
import io

import numpy as np

from benchmarks.synthetic import test_sets
from desktop.engine.imageio import load_gray
from desktop.engine.model_files import load_model
from desktop.engine.preprocess import preprocess


def _gray(im) -> np.ndarray:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return load_gray(buf.getvalue())


def evaluate(clf, images, labels) -> tuple[float, int]:
    pred, blank = [], 0
    for im in images:
        p = preprocess(_gray(im))
        if p.blank:
            blank += 1
            pred.append(-1)
        else:
            pred.append(int(clf.predict_one(p.input28).argmax()))
    return float((np.array(pred) == labels).mean()), blank


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model")
    ap.add_argument("--per-digit", type=int, default=20)
    args = ap.parse_args(argv)
    clf = load_model(args.model)
    print("| test set | images | accuracy | no digit |\n|---|---|---|---|")
    for name, (images, labels) in test_sets(args.per_digit).items():
        acc, blank = evaluate(clf, images, labels)
        print(f"| {name} | {len(labels)} | {100 * acc:.1f}% | {blank} |", flush=True)


if __name__ == "__main__":
    main()
