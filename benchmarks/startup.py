"""Time from launch to a shown window, median of several runs, in a real X server (Xvfb).

    python -m benchmarks.startup [--runs 7] [--binary dist/digits/digits] [--binary dist/digits-onefile]

Each run starts the program with a fresh settings folder and stops the clock when the program
prints that its window is shown (after show(), from the event loop's first turn).
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.xvfb_helpers import xvfb  # noqa: E402


def launch_to_shown(cmd: list[str], env: dict) -> float:
    env = dict(env, DIGITS_REPORT_STARTUP="1", XDG_CONFIG_HOME=tempfile.mkdtemp())
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    elapsed = time.perf_counter() - t
    p.terminate()
    p.wait(10)
    if not line.startswith("shown"):
        raise RuntimeError(f"{cmd} did not show a window")
    return elapsed


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--binary", action="append", default=[], help="a packaged binary to time as well")
    args = ap.parse_args(argv)
    targets = [("python -m desktop.app.main", [sys.executable, "-m", "desktop.app.main"])]
    targets += [(b, [str(Path(b).resolve())]) for b in args.binary]
    print("| program | median (s) | min (s) | max (s) | size |\n|---|---|---|---|---|")
    with xvfb(95) as env:
        for name, cmd in targets:
            launch_to_shown(cmd, env)  # warm the page cache
            t = np.array([launch_to_shown(cmd, env) for _ in range(args.runs)])
            p = Path(cmd[0])
            size = "" if name.startswith("python") else _size(p)
            print(f"| {name} | {np.median(t):.3f} | {t.min():.3f} | {t.max():.3f} | {size} |", flush=True)


def _size(p: Path) -> str:
    if p.parent.name == "digits" and (p.parent / "_internal").is_dir():
        files = [f for f in p.parent.rglob("*") if f.is_file() and not f.is_symlink()]
        return f"{sum(f.stat().st_size for f in files) / 1e6:.0f} MB, {len(files)} files"
    return f"{p.stat().st_size / 1e6:.0f} MB"


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parents[1])
    main()
