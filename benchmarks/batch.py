"""Batch speed against its bound, in one run so the ratios hold on a noisy machine.

    python -m benchmarks.batch [--files 3000]

On the same 28x28 PNG files: Pillow opening and decoding them (the baseline); the model alone on
what a file needs (the image, and its 3 jittered copies when the model's rule needs them, in
batches); the bound those two make
(decode + model per file: no preprocessing, no Python around them); then the engine's batch path
(``classify_rows``, rows included) in this process and with two worker processes, each as files/s
and as a ratio to Pillow and to the bound. Each is measured ``--rounds`` times, interleaved, and
the best round counts (other programs on the machine only ever slow a round down); the CPU time
per file (workers' included) says what each costs whatever else runs. Then a 3000x4000 JPEG
photo: a full decode against the reduced decode the loader does, and the whole path to an answer.
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from desktop.engine.batch import classify_rows, walk
from desktop.engine.imageio import load_gray
from desktop.engine.model_files import load_shipped
from desktop.engine.recognize import DEFAULT_RULE, jittered, recognize


def make_files(folder: Path, n: int) -> None:
    from benchmarks.synthetic import Style, pen_digit

    rng = np.random.default_rng(0)
    base = [pen_digit(d, rng, Style()).resize((28, 28), Image.Resampling.LANCZOS) for d in range(10)]
    for i in range(n):
        base[i % 10].save(folder / f"{i:06d}.png")


def timed(fn) -> tuple[int, float, float]:
    """(items fn returns, wall seconds, CPU seconds of this process and of the children it waited for)."""
    c0, p0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.process_time(), time.perf_counter()
    n = fn()
    wall, c1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    return n, wall, time.process_time() - p0 + (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)


def pillow(files: list[str]) -> int:
    for f in files:
        with Image.open(f) as im:
            im.load()
    return len(files)


MODEL_ONLY = "model only (what each file needs, batched)"


def model_only(clf, files: list[str], batch: int = 64):
    """The model alone on what files need (each input and its jittered copies: recognize.VOTE and
    the rule's scores, NotDigitRule.needs_shrunk_copy), batch files a call."""
    shrunk = (clf.not_digit or DEFAULT_RULE).needs_shrunk_copy
    x = jittered(np.stack([np.asarray(Image.open(f), np.float32) / 255 for f in files[:batch]]), shrunk)
    x = x.reshape(-1, 28, 28)
    clf.predict(x)

    def run() -> int:
        rounds = max(3, len(files) // batch // 4)
        for _ in range(rounds):
            clf.predict(x)
        return rounds * batch

    return run


def engine(folder: Path, workers: int, clf):
    return lambda: sum(1 for _ in classify_rows(walk([folder]), clf, workers=workers))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    clf = load_shipped()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_files(folder, args.files)
        files = sorted(str(p) for p in folder.iterdir())
        pillow(files[:200])  # warm the page cache
        paths = {"Pillow open + decode only": lambda: pillow(files),
                 MODEL_ONLY: model_only(clf, files),
                 "engine, 1 process": engine(folder, 1, clf), "engine, 2 worker processes": engine(folder, 2, clf)}
        best: dict[str, tuple[float, float]] = {}  # files/s of the best round, CPU us per file
        for _ in range(args.rounds):
            for name, fn in paths.items():
                n, wall, cpu = timed(fn)
                if n / wall > best.get(name, (0.0, 0.0))[0]:
                    best[name] = (n / wall, 1e6 * cpu / n)
        photo = folder / "photo.jpg"
        Image.fromarray(np.random.default_rng(1).integers(0, 255, (4000, 3000), np.uint8)).convert("RGB").save(photo)
        full, reduced, answer = np.inf, np.inf, np.inf
        for _ in range(args.rounds):
            t = time.perf_counter()
            with Image.open(photo) as im:
                im.load()
            full = min(full, time.perf_counter() - t)
            t = time.perf_counter()
            g = load_gray(photo)
            reduced = min(reduced, time.perf_counter() - t)
            t = time.perf_counter()
            recognize(clf, load_gray(photo))
            answer = min(answer, time.perf_counter() - t)
    (base, base_cpu), (model, model_cpu) = best["Pillow open + decode only"], best[
        MODEL_ONLY]
    bound, bound_cpu = 1 / (1 / base + 1 / model), base_cpu + model_cpu
    print(f"| path ({args.files} files of 28x28 PNG, best of {args.rounds}) | files/s | ratio to Pillow decode "
          "| ratio to bound | CPU us/file |\n|---|---|---|---|---|")
    for name, (rate, cpu) in best.items():
        print(f"| {name} | {rate:.0f} | {rate / base:.2f} | {'' if 'only' in name else f'{rate / bound:.2f}'} | {cpu:.0f} |")
        if name.startswith("model"):
            print(f"| bound: decode + model | {bound:.0f} | {bound / base:.2f} | 1.00 | {bound_cpu:.0f} |")
    one, two = best["engine, 1 process"], best["engine, 2 worker processes"]
    print(f"\ntwo workers / one process: {two[0] / one[0]:.2f}x measured; {2 * one[1] / two[1]:.2f}x on two free "
          "cores (their CPU per file)")
    print(f"\n| 3000x4000 JPEG | ms |\n|---|---|\n| Pillow full decode | {1000 * full:.0f} |\n"
          f"| engine load_gray (reduced decode, {g.shape[1]}x{g.shape[0]}) | {1000 * reduced:.0f} |\n"
          f"| engine load_gray + recognize (the whole path) | {1000 * answer:.0f} |")


if __name__ == "__main__":
    main()
