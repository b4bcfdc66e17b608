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


def predicted_row(img: np.ndarray) -> float:
    """Where the green top-class bar sits, as a share of the bar chart's height."""
    green = (np.abs(img.astype(int) - GREEN).sum(axis=2) < 30)
    ys, xs = np.nonzero(green)
    assert ys.size > 50, "no prediction bar on screen"
    x = int(np.median(xs[xs == xs.min()])) + 3
    column = img[:, x].astype(int)
    # The ten grey tracks share this column with the green bar; their span is the chart's height.
    track = (np.abs(column - column[int(np.median(ys))]).sum(axis=1) < 30) | green[:, x]
    grey = np.flatnonzero((np.abs(column - column.mean(axis=1, keepdims=True)).sum(axis=1) < 6) &
                          (column[:, 0] > 190) & (column[:, 0] < 235))
    top, bottom = grey.min(), grey.max()
    return (float(np.median(ys)) - top) / (bottom - top)


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
    assert abs(predicted_row(after) - 0.75) < 0.06  # the green bar is on the row of the 7
    assert not (before[y0 : y0 + 280, x0 : x0 + 280].mean(axis=2) < 100).any()
