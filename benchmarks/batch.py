"""Batch speed against its bound, in one run so the ratios hold on a noisy machine.

    python -m benchmarks.batch [--files 3000]

On the same 28x28 PNG files: Pillow opening and decoding them (the baseline); the model alone on
what a file needs (the image and its 3 jittered copies, in batches); the bound those two make
(decode + model per file: no preprocessing, no Python around them); then the engine's batch path
(``classify_rows``, rows included) in this process and with two worker processes, each as files/s
and as a ratio to Pillow and to the bound. Then a 3000x4000 JPEG photo: a full decode against the
reduced decode the loader does, and the whole path to an answer.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from desktop.engine.batch import classify_rows, walk
from desktop.engine.imageio import load_gray
from desktop.engine.model_files import load_shipped
from desktop.engine.recognize import jittered, recognize


def make_files(folder: Path, n: int) -> None:
    from benchmarks.synthetic import Style, pen_digit

    rng = np.random.default_rng(0)
    base = [pen_digit(d, rng, Style()).resize((28, 28), Image.Resampling.LANCZOS) for d in range(10)]
    for i in range(n):
        base[i % 10].save(folder / f"{i:06d}.png")


def pillow_rate(files: list[str]) -> float:
    t = time.perf_counter()
    for f in files:
        with Image.open(f) as im:
            im.load()
    return len(files) / (time.perf_counter() - t)


def model_rate(clf, files: list[str], batch: int = 64) -> float:
    """Files/s of the model alone: each file's input and its 3 jittered copies, batch files at a time."""
    x = jittered(np.stack([np.asarray(Image.open(f), np.float32) / 255 for f in files[:batch]])).reshape(-1, 28, 28)
    clf.predict(x)
    rounds = max(3, len(files) // batch // 4)
    t = time.perf_counter()
    for _ in range(rounds):
        clf.predict(x)
    return rounds * batch / (time.perf_counter() - t)


def engine_rate(folder: Path, workers: int, clf) -> float:
    t = time.perf_counter()
    n = sum(1 for _ in classify_rows(walk([folder]), clf, workers=workers))
    return n / (time.perf_counter() - t)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=3000)
    args = ap.parse_args(argv)
    clf = load_shipped()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_files(folder, args.files)
        files = sorted(str(p) for p in folder.iterdir())
        pillow_rate(files[:200])  # warm the page cache
        base = pillow_rate(files)
        model = model_rate(clf, files)
        bound = 1 / (1 / base + 1 / model)
        one = engine_rate(folder, 1, clf)
        two = engine_rate(folder, 2, clf)
        photo = folder / "photo.jpg"
        Image.fromarray(np.random.default_rng(1).integers(0, 255, (4000, 3000), np.uint8)).convert("RGB").save(photo)
        t = time.perf_counter()
        with Image.open(photo) as im:
            im.load()
        full = time.perf_counter() - t
        t = time.perf_counter()
        g = load_gray(photo)
        reduced = time.perf_counter() - t
        t = time.perf_counter()
        recognize(clf, load_gray(photo))
        answer = time.perf_counter() - t
    print(f"| path ({args.files} files of 28x28 PNG) | files/s | ratio to Pillow decode | ratio to bound |\n"
          "|---|---|---|---|")
    print(f"| Pillow open + decode only | {base:.0f} | 1.00 | |")
    print(f"| model only (image + 3 jittered copies, batched) | {model:.0f} | {model / base:.2f} | |")
    print(f"| bound: decode + model | {bound:.0f} | {bound / base:.2f} | 1.00 |")
    print(f"| engine, 1 process | {one:.0f} | {one / base:.2f} | {one / bound:.2f} |")
    print(f"| engine, 2 worker processes | {two:.0f} | {two / base:.2f} | {two / bound:.2f} |")
    print(f"\ntwo workers / one process: {two / one:.2f}x")
    print(f"\n| 3000x4000 JPEG | ms |\n|---|---|\n| Pillow full decode | {1000 * full:.0f} |\n"
          f"| engine load_gray (reduced decode, {g.shape[1]}x{g.shape[0]}) | {1000 * reduced:.0f} |\n"
          f"| engine load_gray + recognize (the whole path) | {1000 * answer:.0f} |")


if __name__ == "__main__":
    main()
