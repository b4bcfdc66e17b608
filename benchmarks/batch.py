"""Batch speed against Pillow alone, in one run so the ratios hold on a noisy machine.

    python -m benchmarks.batch [--files 3000]

Rows: opening and decoding the same 28x28 PNG files with Pillow (the baseline); the engine's
batch path in this process; with two worker processes. Then a 3000x4000 JPEG photo: a full
decode against the reduced decode the loader does.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from desktop.engine.batch import classify_files
from desktop.engine.files import find_images
from desktop.engine.imageio import load_gray
from desktop.engine.model_files import load_shipped


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


def engine_rate(folder: Path, workers: int, clf) -> float:
    t = time.perf_counter()
    n = sum(len(rows) for rows in classify_files(find_images([folder]), workers=workers, classifier=clf))
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
    print(f"| path ({args.files} files of 28x28 PNG) | files/s | ratio to Pillow decode |\n|---|---|---|")
    print(f"| Pillow open + decode only | {base:.0f} | 1.00 |")
    print(f"| engine, 1 process | {one:.0f} | {one / base:.2f} |")
    print(f"| engine, 2 worker processes | {two:.0f} | {two / base:.2f} |")
    print(f"\n| 3000x4000 JPEG | ms |\n|---|---|\n| Pillow full decode | {1000 * full:.0f} |\n"
          f"| engine load_gray (reduced decode, {g.shape[1]}x{g.shape[0]}) | {1000 * reduced:.0f} |")


if __name__ == "__main__":
    main()
