"""Starting the app: arguments, the display check before Qt, the menu entry and the per-user install."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop.app import display, install, main
from desktop.app.system_packages import RUNTIME, depends
from desktop.engine.files import IMAGE_SUFFIXES
from tests.xvfb_helpers import dead_display

ROOT = Path(__file__).resolve().parents[1]


def test_help_names_the_program_and_a_typo_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        main.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: digits-app [options] [IMAGE ...]") and "classify" in out and "--install" in out
    with pytest.raises(SystemExit) as e:
        main.main(["clasify", "scans/"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "usage: digits-app" in err and "did you mean 'classify'?" in err


def test_no_display(monkeypatch):
    check = display.check_display({}, "digits")
    assert check.platform is None and "No display was found" in check.problem
    assert "digits classify FOLDER" in check.problem


def test_display_that_does_not_answer_is_named_not_blamed_on_a_library():
    dead = dead_display()
    check = display.check_display({"DISPLAY": dead}, "digits")
    assert f"no X server answers at DISPLAY='{dead}'" in check.problem
    assert "libxcb-cursor0" not in check.problem


def test_wayland_only_session(monkeypatch, tmp_path):
    (tmp_path / "wayland-7").touch()
    env = {"WAYLAND_DISPLAY": "wayland-7", "XDG_RUNTIME_DIR": str(tmp_path)}
    monkeypatch.setattr(display, "wayland_plugin_shipped", lambda: True)
    assert display.check_display(env).platform == "wayland"
    assert display.check_display({**env, "DISPLAY": dead_display()}).platform == "wayland"
    monkeypatch.setattr(display, "wayland_plugin_shipped", lambda: False)
    check = display.check_display(env)
    assert "Wayland session" in check.problem and "XWayland" in check.problem
    check = display.check_display({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)})
    assert "No Wayland compositor answers at WAYLAND_DISPLAY='wayland-9'" in check.problem


def test_other_qt_platforms_are_left_alone():
    assert display.check_display({"QT_QPA_PLATFORM": "offscreen"}) == display.DisplayCheck()


@pytest.mark.skipif(not shutil.which("Xvfb"), reason="Xvfb missing")
def test_a_running_x_server_answers():
    from tests.xvfb_helpers import xvfb

    with xvfb(94) as env:
        assert display.x_server_problem(env["DISPLAY"]) is None
        assert display.check_display(env) == display.DisplayCheck()


def test_runtime_list_is_what_the_scripts_read():
    out = subprocess.run(["python3", "desktop/app/system_packages.py"], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split() == list(RUNTIME)
    out = subprocess.run(["python3", "desktop/app/system_packages.py", "--depends"], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.stdout.strip() == depends()


def test_desktop_entry_declares_every_image_type_and_validates(tmp_path):
    assert len(install.mime_types()) >= len({s for s in IMAGE_SUFFIXES if s not in (".jpeg", ".jpe", ".jfif", ".tif")})
    assert "image/webp" in install.mime_types() and "image/x-portable-graymap" in install.mime_types()
    entry = tmp_path / "digit-recognizer.desktop"
    entry.write_text(install.desktop_entry("/home/a b/.local/bin/digits"))
    assert 'Exec="/home/a b/.local/bin/digits" %F' in entry.read_text()
    if shutil.which("desktop-file-validate"):
        r = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert r.returncode == 0 and not r.stdout.strip(), r.stdout


def test_user_install_and_uninstall_leave_nothing(tmp_path):
    home = tmp_path / "home"
    binary = tmp_path / "dist" / "digits"
    binary.parent.mkdir()
    binary.write_text("#!/bin/sh\n")
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    written = install.install(binary, ROOT / "assets" / "icon.png", env)
    link = home / ".local" / "bin" / "digits"
    assert link.resolve() == binary and (home / "data" / "applications" / "digit-recognizer.desktop").exists()
    assert (home / "data" / "icons" / "hicolor" / "48x48" / "apps" / "digit-recognizer.png").exists()
    assert f"Exec={link} %F" in (home / "data" / "applications" / "digit-recognizer.desktop").read_text()
    install.install(binary, ROOT / "assets" / "icon.png", env)  # again: replaces its own link
    removed = install.uninstall(env)
    assert sorted(removed) == sorted(written)
    assert [p for p in home.rglob("*") if not p.is_dir() or any(p.iterdir())] == [], list(home.rglob("*"))


def test_install_refuses_to_replace_a_file_it_did_not_make(tmp_path):
    (tmp_path / ".local" / "bin").mkdir(parents=True)
    (tmp_path / ".local" / "bin" / "digits").write_text("mine")
    with pytest.raises(FileExistsError):
        install.install(tmp_path / "x", ROOT / "assets" / "icon.png", {"HOME": str(tmp_path)})
    assert install.uninstall({"HOME": str(tmp_path)}) == []
    assert (tmp_path / ".local" / "bin" / "digits").read_text() == "mine"


def test_images_on_the_command_line_open_in_the_images_tab(qtbot, tmp_path, sample):
    from PIL import Image

    files = []
    for i in range(2):
        files.append(str(tmp_path / f"{i}.png"))
        Image.fromarray(255 - sample["x_test"][i]).save(files[-1])
    win = main.make_window(files)
    qtbot.addWidget(win)
    assert win.tabs.currentWidget() is win.images
    assert win.images.list.count() == 2


def test_ctrl_c_in_the_terminal_closes_the_window(tmp_path):
    """SIGINT was ignored while the window was open (Qt's loop never returned to Python); only
    SIGTERM ended it. Now it closes the window as its close button does, and the app exits 0."""
    import signal
    import sys
    import time

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path),
           "DIGITS_REPORT_STARTUP": "1"}
    p = subprocess.Popen([sys.executable, "-m", "desktop.app.main"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    try:
        assert p.stdout.readline().startswith("shown"), "the window did not show"
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        assert p.wait(timeout=10) == 0
    finally:
        p.kill()
        p.wait()
