"""The packaged binary: built from build.spec in a runtime-only venv, small, and doing the whole job."""
import csv
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.test_xvfb import predicted_digit
from tests.xvfb_helpers import draw, have_tools, screenshot, wait_window, white_square, xvfb

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist" / "digits"
BINARY = DIST / "digits"
MAX_ONEDIR_MB = 160
pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def binary() -> Path:
    if os.environ.get("DIGITS_SKIP_BUILD") != "1" or not BINARY.exists():
        r = subprocess.run(["bash", "scripts/package.sh"], cwd=ROOT, capture_output=True, text=True, timeout=1500)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return BINARY


def test_size_budget_and_nothing_heavy_inside(binary):
    files = [p for p in DIST.rglob("*") if p.is_file() and not p.is_symlink()]  # links would count twice
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    assert size_mb <= MAX_ONEDIR_MB, f"{size_mb:.0f} MB"
    names = " ".join(str(p.relative_to(DIST)).lower() for p in files)
    for heavy in ("tensorflow", "keras", "matplotlib", "scipy/", "sklearn", "pytest"):
        assert heavy not in names, heavy
    for needed in ("assets/digits.tflite", "assets/manifest.json", "platforms/libqxcb.so", "platforms/libqoffscreen.so",
                   "imageformats/libqjpeg.so"):
        assert needed in names, needed


def test_self_test(binary):
    r = subprocess.run([str(binary), "--self-test"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "self-test passed: 10/10" in r.stdout


def test_classify_subcommand(binary, tmp_path, sample):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(20):
        Image.fromarray(255 - sample["x_test"][i]).save(d / f"{i:02d}.png")
    (d / "bad.png").write_text("no")
    out = tmp_path / "r.csv"
    r = subprocess.run([str(binary), "classify", str(d), "--out", str(out)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 1, r.stderr  # one broken file
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 21
    right = sum(r["digit"] == str(sample["y_test"][int(Path(r["path"]).stem)]) for r in rows if not r["error"])
    assert right >= 19 and "not an image" in rows[-1]["error"]


def test_no_display_message(binary):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([str(binary)], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 3 and "No display was found" in r.stderr


@pytest.mark.skipif(not have_tools(), reason="Xvfb, xdotool or ImageMagick missing")
def test_gui_in_xvfb(binary, tmp_path):
    with xvfb(96) as env:
        env["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
        env["QT_SCALE_FACTOR"] = "1"
        p = subprocess.Popen([str(binary), "--verbose"], env=env, stderr=subprocess.PIPE, text=True)
        try:
            wait_window(env, "Digit Recognizer")
            time.sleep(1.0)
            img = screenshot(env, tmp_path / "shown.png")
            x0, y0 = white_square(img)
            draw(env, [(x0 + 140, y0 + 30 + 11 * i) for i in range(21)])  # a 1
            time.sleep(1.0)
            after = screenshot(env, tmp_path / "drawn.png")
        finally:
            p.terminate()
            _, err = p.communicate(timeout=10)
    assert "prediction 1" in err, err
    assert (after[y0 : y0 + 280, x0 : x0 + 280].mean(axis=2) < 100).mean() > 0.02
    assert predicted_digit(after) == 1
