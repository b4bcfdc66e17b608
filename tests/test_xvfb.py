"""The real window in a real X server: draw a 7 with the mouse (xdotool), check the screenshot."""
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from tests.xvfb_helpers import draw, have_tools, screenshot, wait_window, white_square, xvfb

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.xvfb, pytest.mark.skipif(not have_tools(), reason="Xvfb, xdotool or ImageMagick missing")]
GREEN = np.array([0x2E, 0x7D, 0x32])  # the top class's bar (widgets.ProbabilityBars)


def predicted_digit(img: np.ndarray) -> int:
    """Which of the ten bars is the green (top-class) one, read from the screenshot."""
    green = np.abs(img.astype(int) - GREEN).sum(axis=2) < 30
    ys, xs = np.nonzero(green)
    assert ys.size > 50, "no prediction bar on screen"
    column = img[:, xs.min() + 3].astype(int)
    grey_track = (np.ptp(column, axis=1) < 4) & (column[:, 0] > 200) & (column[:, 0] < 242)
    bar = grey_track | green[:, xs.min() + 3]
    runs, start = [], None
    for y, on in enumerate(np.append(bar, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            runs.append((start, y))
            start = None
    centre = float(np.median(ys))
    height = next(b - a for a, b in runs if a <= centre < b)  # every bar is as tall as the green one
    runs = [(a, b) for a, b in runs if abs((b - a) - height) <= 2][-10:]  # the chart is at the bottom
    assert len(runs) == 10, runs
    return next(i for i, (a, b) in enumerate(runs) if a <= centre < b)


def test_draw_a_seven_in_a_real_window(tmp_path):
    with xvfb() as env:
        env["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
        env["QT_SCALE_FACTOR"] = "1"
        app = subprocess.Popen([sys.executable, "-m", "desktop.app.main", "--verbose"], cwd=ROOT, env=env,
                               stderr=subprocess.PIPE, text=True)
        try:
            wait_window(env, "Digit Recognizer")
            time.sleep(1.0)
            before = screenshot(env, tmp_path / "before.png")
            x0, y0 = white_square(before)
            draw(env, [(x0 + 60 + 8 * i, y0 + 50) for i in range(21)])  # the bar of the 7
            draw(env, [(x0 + 220 - 6 * i, y0 + 50 + 10 * i) for i in range(21)])  # its stem
            time.sleep(1.0)
            after = screenshot(env, tmp_path / "after.png")
        finally:
            app.terminate()
            _, err = app.communicate(timeout=10)
    canvas = after[y0 : y0 + 280, x0 : x0 + 280]
    ink = canvas.mean(axis=2) < 100
    assert ink[40:60, 60:230].mean() > 0.5  # the bar is drawn where the mouse went
    assert ink.mean() > 0.04
    assert "prediction 7" in err, err
    assert predicted_digit(after) == 7  # the green bar is on the row of the 7
    assert not (before[y0 : y0 + 280, x0 : x0 + 280].mean(axis=2) < 100).any()


def test_soak_a_long_session_in_the_real_window(tmp_path):
    """150 digits drawn, undone, redone and cleared, tabs switched, images opened, batches run:
    alive at the end with an answer logged for every stroke (a leaking Qt binding aborted after 4-10)."""
    from tests.soak import soak

    with xvfb(display=96) as env:
        env["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
        env["QT_SCALE_FACTOR"] = "1"
        r = soak([sys.executable, "-m", "desktop.app.main", "--verbose"], env, tmp_path, digits=150, cwd=ROOT)
    print(f"soak: {r.digits} digits, {r.strokes} strokes, {r.answers_logged}/{r.answers_expected} answers, "
          f"{r.right} right, {r.images_logged} images, {r.batches_logged} batches, {r.seconds:.0f} s, "
          f"peak {r.peak_rss_mb:.0f} MB; wrong (drawn, read): {r.wrong}")
    assert r.alive, r.log[-3000:]
    assert "Fatal Python error" not in r.log and "Traceback" not in r.log, r.log[-3000:]
    assert r.digits == 150
    assert r.answers_logged == r.answers_expected, r.log[-3000:]
    assert r.right >= 0.85 * r.digits, r.wrong
    assert r.images_logged >= 6 * 12 and r.batches_logged == 6  # six rounds of 12 images and a batch
