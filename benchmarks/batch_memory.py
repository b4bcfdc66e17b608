"""Peak memory of `digits classify` against the number of files: it should not grow with them.

    python -m benchmarks.batch_memory [--sizes 2000 20000 100000]

Each size is a folder of small PNG files (hard links to one image, so making 100k is quick);
the CLI runs with two workers and its peak resident memory (parent and workers) is read from
/proc as it runs: RSS summed (pages a forked worker still shares with its parent count twice) and
PSS (each shared page split between the processes sharing it: the memory the run really holds).
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


def tree_rss_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process and its children in MB, from /proc."""
    rss = pss = 0
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
                    rss += int(line.split()[1])
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, pss / 1024


def run(folder: Path, out: Path) -> tuple[float, float, float]:
    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "desktop.cli", "classify", str(folder), "--out", str(out),
                          "--workers", "2", "--quiet"], cwd=Path(__file__).resolve().parents[1])
    peak = peak_pss = 0.0
    while p.poll() is None:
        rss, pss = tree_rss_mb(p.pid)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        time.sleep(0.05)
    return peak, peak_pss, time.perf_counter() - t


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000, 100000])
    args = ap.parse_args(argv)
    print("| files | peak RSS, parent + workers (MB) | peak PSS (MB) | time (s) | files/s |\n|---|---|---|---|---|")
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
            peak, pss, secs = run(folder, Path(tmp) / f"r{n}.csv")
            print(f"| {n} | {peak:.0f} | {pss:.0f} | {secs:.1f} | {n / secs:.0f} |", flush=True)


if __name__ == "__main__":
    main()
