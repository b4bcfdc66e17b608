"""A correction given in the real window under X11: draw a digit with the mouse, open "Wrong? ▾" with
Alt+W, type the right digit; the image and the label land in the corrections folder and read back."""
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop.engine.corrections import load_examples, read_corrections
from tests.xvfb_helpers import draw, have_tools, screenshot, wait_window, white_page, xdo, xvfb

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.xvfb, pytest.mark.skipif(not have_tools(), reason="Xvfb, xdotool or ImageMagick missing")]


def settings_with_corrections(config: Path, folder: Path) -> None:
    """The app's QSettings file (INI under XDG_CONFIG_HOME) naming the corrections folder."""
    d = config / "DigitRecognizer"
    d.mkdir(parents=True)
    (d / "Digit Recognizer.conf").write_text(f"[corrections]\nfolder={folder}\n")


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_correction_from_the_keyboard_in_a_real_window(tmp_path):
    folder = tmp_path / "corrections"
    config = Path(tempfile.mkdtemp())
    settings_with_corrections(config, folder)
    with xvfb() as env:
        env["XDG_CONFIG_HOME"] = str(config)
        env["QT_SCALE_FACTOR"] = "1"
        app = subprocess.Popen([sys.executable, "-m", "desktop.app.main", "--verbose"], cwd=ROOT, env=env,
                               stderr=subprocess.PIPE, text=True)
        try:
            win = wait_window(env, "Digit Recognizer", timeout=90)  # a loaded 2-core machine starts slowly
            time.sleep(1.5)
            x, y, w, h = white_page(screenshot(env, tmp_path / "before.png"))
            draw(env, [(x + w // 2, y + h // 6 + k * (2 * h // 3) // 20) for k in range(21)])  # a 1, top to bottom
            time.sleep(1.0)
            xdo(env, "windowfocus", "--sync", win)
            xdo(env, "key", "alt+w")  # opens the digits under "Wrong? ▾"
            time.sleep(0.8)
            screenshot(env, tmp_path / "menu.png")  # kept with the test's files: what the user saw
            xdo(env, "key", "7")
            kept = wait_for(lambda: bool((folder / "labels.csv").exists() and read_corrections(folder).rows))
            time.sleep(1.0)  # the row is on disk: give the window its log line before it is stopped
        except TimeoutError:
            kept = False
        finally:
            app.terminate()
            _, err = app.communicate(timeout=10)
    assert kept, err[-3000:]
    (row,) = read_corrections(folder).rows
    assert row.label == 7 and row.source == "draw" and row.predicted == "1", (row, err[-2000:])
    assert "correction draw 1 -> 7" in err
    with Image.open(folder / row.file) as im:
        drawn = np.asarray(im)
    assert drawn.min() < 60 and drawn[0, 0] == 255  # dark ink on the white page, as drawn
    x28, y28, _ = load_examples(folder)
    assert list(y28) == [7] and x28[0].max() > 200  # the model's view: white ink on black
