"""Peak memory of `digits classify` against the number of files: it should not grow with them.

    python -m benchmarks.batch_memory [--sizes 2000 20000 100000]

Each size is a folder of small PNG files (hard links to one image, so making 100k is quick);
the CLI runs with two workers and its peak resident memory (parent and workers) is read from
/proc as it runs.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image


LINKS_PER_FILE = 30_000  # file systems cap hard links per file (ext4: 65,000)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, from /proc."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def run(folder: Path, out: Path) -> tuple[float, float]:
    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "desktop.cli", "classify", str(folder), "--out", str(out),
                          "--workers", "2", "--quiet"], cwd=Path(__file__).resolve().parents[1])
    peak = 0.0
    while p.poll() is None:
        peak = max(peak, tree_rss_mb(p.pid))
        time.sleep(0.05)
    return peak, time.perf_counter() - t


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000, 100000])
    args = ap.parse_args(argv)
    print("| files | peak RSS, parent + workers (MB) | time (s) | files/s |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        a = np.zeros((28, 28), np.uint8)
        a[6:22, 12:16] = 255
        sources = []
        for k in range(1 + max(args.sizes) // LINKS_PER_FILE):
            sources.append(Path(tmp) / f"src{k}.png")
            Image.fromarray(a).save(sources[-1])
        for n in args.sizes:
            folder = Path(tmp) / f"n{n}"
            folder.mkdir()
            for i in range(n):
                os.link(sources[i // LINKS_PER_FILE], folder / f"{i:06d}.png")
            peak, secs = run(folder, Path(tmp) / f"r{n}.csv")
            print(f"| {n} | {peak:.0f} | {secs:.1f} | {n / secs:.0f} |", flush=True)


if __name__ == "__main__":
    main()
