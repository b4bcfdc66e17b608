"""The app and the CLI stay light: no TensorFlow, Keras or matplotlib; no Qt in the engine."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {"tensorflow", "keras", "matplotlib", "tf_keras"}


def imported_top_level(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"],
                         cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    return {m.split(".")[0] for m in out.stdout.split()}


def test_importing_the_app_imports_no_tensorflow():
    mods = imported_top_level("import desktop.app.main, desktop.app.main_window")
    assert "PySide6" in mods and not (mods & HEAVY)


def test_cli_imports_neither_qt_nor_tensorflow():
    mods = imported_top_level("import desktop.cli, desktop.engine.batch, desktop.engine.recognize")
    assert not (mods & (HEAVY | {"PySide6", "shiboken6"}))


def test_import_linter_contracts():
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "broken" in r.stdout and "0 broken" in r.stdout


def test_the_installed_commands_import_from_any_folder(tmp_path):
    """digits-train and digits-convert stopped with "No module named 'benchmarks'" when started
    outside the repository (training.crowded reads benchmarks.numbers, which was not packaged)."""
    r = subprocess.run([sys.executable, "-c", "import training.cli, training.crowded, converter.cli, desktop.cli"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert r.returncode == 0, r.stderr[-2000:]
