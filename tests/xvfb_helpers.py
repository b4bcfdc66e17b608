"""Run a real X server (Xvfb), start a program in it, draw with xdotool, take screenshots."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

TOOLS = ("Xvfb", "xdotool", "import")


def have_tools() -> bool:
    return all(shutil.which(t) for t in TOOLS)


def dead_display() -> str:
    """A DISPLAY no X server answers at: a number with neither a socket nor a lock file (a fixed
    ":93" failed the tests whenever another program on the machine ran a server there)."""
    for n in range(193, 1000):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return f":{n}"
    raise RuntimeError("every display number from 193 to 999 is taken")


@contextmanager
def xvfb(display: int | None = None, size: str = "1280x900x24"):
    """A fresh X server on a display number it picks itself (-displayfd): tests that run at the
    same time, here or in another checkout, never share or kill each other's server."""
    del display  # kept so callers may still name one; a fixed number collided between runs
    read, write = os.pipe()
    # -noreset: by default Xvfb resets when its last client leaves, and a client connecting during
    # the reset is refused ("could not connect to display"): the readiness probe below is a client,
    # so the app started right after it sometimes never got a window.
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", size, "-nolisten", "tcp", "-noreset"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write,))
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()
    if not number:
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = f":{number}"
    try:
        for _ in range(100):
            if subprocess.run(["xdotool", "getdisplaygeometry"], env=env, capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        yield env
    finally:
        proc.terminate()
        proc.wait(5)


def wait_window(env: dict, name: str, timeout: float = 30) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name], env=env, capture_output=True,
                           text=True)
        if r.returncode == 0 and r.stdout.strip():
            return r.stdout.split()[0]
        time.sleep(0.1)
    raise TimeoutError(f"no window named {name!r} appeared")


def screenshot(env: dict, path: Path) -> np.ndarray:
    subprocess.run(["import", "-window", "root", str(path)], env=env, check=True, timeout=30)
    return np.asarray(Image.open(path).convert("RGB"))


def xdo(env: dict, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=env, check=True, timeout=30)


def draw(env: dict, points: list[tuple[int, int]]) -> None:
    """A mouse drag through screen points, as a person draws a stroke."""
    xdo(env, "mousemove", str(points[0][0]), str(points[0][1]))
    xdo(env, "mousedown", "1")
    for x, y in points[1:]:
        xdo(env, "mousemove", str(x), str(y))
    xdo(env, "mouseup", "1")


def white_square(img: np.ndarray, side: int = 280) -> tuple[int, int]:
    """Top-left of the drawing canvas: the only pure-white area of its size on the screen."""
    white = (img == 255).all(axis=2)
    rows = np.flatnonzero(white.sum(axis=1) >= side - 2)
    cols = np.flatnonzero(white.sum(axis=0) >= side - 2)
    if rows.size == 0 or cols.size == 0:
        raise AssertionError("no white canvas found on the screen")
    return int(cols[0]), int(rows[0])


def white_page(img: np.ndarray, least: int = 200) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the drawing pad's page: the first block of rows holding at least
    ``least`` pure-white pixels, and the widest run of columns mostly white down it. The pad grows with
    the window, so its size is read from the screen, never assumed."""
    white = (img == 255).all(axis=2)
    rows = np.flatnonzero(white.sum(axis=1) >= least)
    if rows.size == 0:
        raise AssertionError("no white page found on the screen")
    end = rows[0]
    while end + 1 < len(white) and white[end + 1].sum() >= least:
        end += 1
    block = white[rows[0] : end + 1]
    cols = np.flatnonzero(block.mean(axis=0) >= 0.3)  # ink drawn on the page covers less of a column
    if cols.size == 0:
        raise AssertionError("no white page found on the screen")
    runs = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1)
    run = max(runs, key=len)
    return int(run[0]), int(rows[0]), int(len(run)), int(end + 1 - rows[0])
