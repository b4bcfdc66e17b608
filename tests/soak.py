"""A long session in the real window, as a person would have it: draw, undo, redo and clear
digits, switch tabs, open images, run a small batch; the app must stay alive and answer every time.

Used by the Xvfb test (from source) and the packaging test (the binary). It found what short tests
did not: a Qt binding that leaked references to None aborted the app after a few drawings.
"""
from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.synthetic import Style, digit_strokes, render
from tests.xvfb_helpers import screenshot, wait_window, white_page, xdo

PREDICTION = re.compile(r"digits\.draw: prediction (\S+)")
# The window says where its tab pages are (--verbose): the pad grows with the window, so the
# Images list and the batch folder field are found from there, not from the pad.
SHOWN = re.compile(r"tab pages at (\d+),(\d+) px")
STYLE = Style(width=(14, 20), rotation=6.0)


@dataclass
class SoakResult:
    digits: int
    strokes: int
    answers_expected: int
    answers_logged: int
    right: int
    images_logged: int
    batches_logged: int
    seconds: float
    peak_rss_mb: float
    alive: bool
    log: str
    wrong: list[tuple[int, str]]


def stroke(env: dict, points: np.ndarray) -> None:
    """One stroke in one xdotool call: press, move through the points, release."""
    args = ["mousemove", str(int(points[0][0])), str(int(points[0][1])), "mousedown", "1"]
    for x, y in points[1:]:
        # A short pause per point, as a hand moves: without it the server sends the moves in one
        # burst, Qt merges them and the stroke loses its curves.
        args += ["sleep", "0.004", "mousemove", str(int(x)), str(int(y))]
    args += ["mouseup", "1"]
    xdo(env, *args)


def key(env: dict, combo: str, to_main_window: bool = True) -> None:
    """Press keys in the main window. Xvfb has no window manager to give the focus back when a
    dialog closes, so do what one would: focus the main window first."""
    focus = ["search", "--onlyvisible", "--name", "^Digit Recognizer$", "windowfocus", "--sync"] if to_main_window else []
    xdo(env, *focus, "key", "--clearmodifiers", combo)


def peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024


def wait_for(log_path: Path, pattern: str, count: int, timeout: float = 60) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if log_path.read_text(errors="replace").count(pattern) >= count:
            return True
        time.sleep(0.1)
    return False


def make_images(folder: Path, n: int = 12) -> list[Path]:
    """Drawn digits as files (and one broken file) for the Images tab and the batch."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    paths = []
    for i in range(n):
        strokes, width = digit_strokes(i % 10, rng, STYLE)
        p = folder / f"n{i % 10}_{i:02d}.png"
        render(strokes, width).save(p)
        paths.append(p)
    (folder / "broken.png").write_bytes(b"not an image")
    Image.new("L", (64, 64), 255).save(folder / "blank.png")
    return paths


def soak(cmd: list[str], env: dict, work: Path, digits: int = 150, cwd: Path | None = None) -> SoakResult:
    """Start ``cmd`` (the app with --verbose) in the X server of ``env`` and use it for a while."""
    # The batch folder is typed into its field: a path without the letters of the shortcuts pressed
    # just before (a, b, d), which xdotool on a bare X server sometimes drops.
    images = make_images(Path(f"/tmp/pix-{os.getpid()}-{time.time_ns()}") / "pix")
    log_path = work / "app.log"
    start = time.time()
    with open(log_path, "w") as log:  # the images open in the Images tab, as from a file manager
        app = subprocess.Popen([*cmd, *map(str, images)], cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_window(env, "Digit Recognizer")
        time.sleep(1.0)
        key(env, "alt+d")
        wait_for(log_path, "digits.window: tab Draw", 1, timeout=30)
        time.sleep(0.5)
        x0, y0, side, _ = white_page(screenshot(env, work / "start.png"))
        scale = side / 280  # the strokes are made for a 280-pixel pad
        shown = SHOWN.search(log_path.read_text(errors="replace"))
        tx, ty = (int(shown.group(1)), int(shown.group(2))) if shown else (x0 - 10, y0 - 10)
        rng = np.random.default_rng(1)
        expected = strokes_drawn = right = 0
        wanted: list[int] = []
        got: list[str] = []
        for i in range(digits):
            if app.poll() is not None:
                break
            d = i % 10
            strokes, _ = digit_strokes(d, rng, STYLE)
            for s in strokes:
                stroke(env, s * scale + [x0, y0])
            strokes_drawn += len(strokes)
            expected += len(strokes)  # one final answer when each stroke ends
            if i % 3 == 0:  # undo the last stroke, then redo it by the platform's keys or Ctrl+Y
                key(env, "ctrl+z")
                expected += len(strokes) > 1  # an empty pad answers nothing
                key(env, "ctrl+shift+z" if i % 2 else "ctrl+y")
                expected += 1
            wait_for(log_path, "digits.draw: prediction", expected, timeout=60)
            so_far = PREDICTION.findall(log_path.read_text(errors="replace"))
            answer = so_far[-1] if so_far else "-"  # the answer on screen before clearing
            right += answer == str(d)
            wanted.append(d)
            got.append(answer)
            key(env, "Escape")
            if i % 25 == 24:  # the other tabs, as a person wanders between them
                # The Images tab: a click on the first image, then down the list (a crash came
                # after about 80 such switches).
                key(env, "alt+i")
                wait_for(log_path, "digits.window: tab Images", (i + 1) // 25, timeout=30)
                xdo(env, "mousemove", str(tx + 50), str(ty + 55), "click", "1")
                for _ in range(len(images) - 1):
                    key(env, "Down")
                wait_for(log_path, "digits.images: image", (i + 1) // 25 * len(images), timeout=30)
                key(env, "alt+b")  # the Batch tab: type the folder into its field, then Enter
                wait_for(log_path, "digits.window: tab Batch", (i + 1) // 25, timeout=30)
                xdo(env, "mousemove", str(tx + 110), str(ty + 21), "click", "1")
                key(env, "ctrl+a")
                xdo(env, "type", "--delay", "10", str(images[0].parent))
                key(env, "Return")
                wait_for(log_path, "digits.batch: batch", (i + 1) // 25, timeout=60)
                key(env, "alt+d")
                wait_for(log_path, "digits.window: tab Draw", (i + 1) // 25, timeout=30)
        time.sleep(1.0)
        alive = app.poll() is None
        peak = peak_rss_mb(app.pid)
    finally:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
    text = log_path.read_text(errors="replace")
    answers = PREDICTION.findall(text)
    return SoakResult(len(wanted), strokes_drawn, expected, len(answers), right,
                      text.count("digits.images: image"), text.count("digits.batch: batch"),
                      time.time() - start, peak, alive, text, [(w, g) for w, g in zip(wanted, got) if str(w) != g])
