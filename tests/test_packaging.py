"""The packaged binary: built from build.spec in a runtime-only venv, small, and doing the whole job;
its Debian package built, checked by lintian, installed, run from the PATH and removed."""
import csv
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from PIL import Image

from desktop import __version__
from desktop.app.system_packages import RUNTIME, depends
from tests.test_xvfb import predicted_digit
from tests.xvfb_helpers import dead_display, draw, have_tools, screenshot, wait_window, white_square, xvfb

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist" / "digits"
BINARY = DIST / "digits"
MAX_ONEDIR_MB = 160
pytestmark = pytest.mark.packaging
NO_DISPLAY = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}


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


def _children_cpu(pid: int) -> dict[int, int]:
    """CPU time (clock ticks) of each live child process of ``pid``."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # ended meanwhile
        fields = text[text.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            out[int(stat.parent.name)] = int(fields[11]) + int(fields[12])
    return out


def test_classify_in_two_worker_processes(binary, tmp_path, sample):
    # The frozen binary's multiprocessing path: two workers started, both classifying, same rows as one.
    d = tmp_path / "many"
    d.mkdir()
    for i in range(3000):
        Image.fromarray(255 - sample["x_test"][i % len(sample["x_test"])]).save(d / f"{i:04d}.png")
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    r = subprocess.run([str(binary), "classify", str(d), "--out", str(one), "--workers", "1"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    p = subprocess.Popen([str(binary), "classify", str(d), "--out", str(two), "--workers", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cpu: dict[int, int] = {}
    while p.poll() is None:
        cpu.update(_children_cpu(p.pid))
        time.sleep(0.01)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    with open(one) as f, open(two) as g:
        assert list(csv.DictReader(f)) == list(csv.DictReader(g))
    busy = [c for c, ticks in cpu.items() if ticks >= 5]  # each at least 50 ms of CPU: it classified
    assert len(busy) == 2, cpu


def test_no_display_message(binary):
    r = subprocess.run([str(binary)], capture_output=True, text=True, timeout=60, env=NO_DISPLAY)
    assert r.returncode == 3 and "No display was found" in r.stderr
    assert "digits classify FOLDER" in r.stderr and "digits-app" not in r.stderr


def test_help_version_and_usage_errors_under_its_own_name(binary):
    """Issue 12, row 16: help and usage shown without a display, as `digits`; a typo is exit 2."""
    r = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=60, env=NO_DISPLAY)
    assert r.returncode == 0 and r.stdout.startswith("usage: digits [options] [IMAGE ...]"), r.stdout + r.stderr
    assert "digits classify --help" in r.stdout
    r = subprocess.run([str(binary), "clasify", "x"], capture_output=True, text=True, timeout=60, env=NO_DISPLAY)
    assert r.returncode == 2 and "usage: digits" in r.stderr and "did you mean 'classify'?" in r.stderr, r.stderr
    r = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60, env=NO_DISPLAY)
    assert r.stdout.strip() == f"Digit Recognizer {__version__}"


def test_display_that_does_not_answer_and_wayland_only(binary, tmp_path):
    """Issue 12, row 12: what is missing is named before Qt could abort with a wrong hint."""
    dead = dead_display()
    r = subprocess.run([str(binary)], capture_output=True, text=True, timeout=60, env={**NO_DISPLAY, "DISPLAY": dead})
    assert r.returncode == 3 and f"no X server answers at DISPLAY='{dead}'" in r.stderr, r.stderr
    assert "libxcb-cursor0" not in r.stderr
    (tmp_path / "wayland-0").touch()  # a compositor's socket, as far as the check can see
    env = {**NO_DISPLAY, "WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": str(tmp_path)}
    r = subprocess.run([str(binary)], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 3 and "Wayland session" in r.stderr and "XWayland" in r.stderr, r.stderr


def _needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return [line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]


def _package_of(soname: str) -> str:
    """The Debian package that holds the system's copy of a library (merged /usr or not)."""
    cache = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout
    path = next(line.split(" => ")[1] for line in cache.splitlines()
                if line.strip().startswith(soname + " ") and "x86-64" in line)
    real = os.path.realpath(path)
    for candidate in (path, real, real.replace("/usr/lib/", "/lib/"), path.replace("/usr/lib/", "/lib/")):
        r = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":")[0]
    raise AssertionError(f"no package holds {soname} ({path})")


@pytest.mark.skipif(not shutil.which("dpkg") or not shutil.which("readelf"), reason="needs dpkg and readelf")
def test_runtime_packages_cover_what_the_bundle_links(binary):
    """The one list (the .deb's Depends:) against what the bundle's libraries really link to."""
    elves = [p for p in DIST.rglob("*") if p.is_file() and (".so" in p.name or p == binary)]
    bundled = {p.name for p in elves}
    from_system = {lib for p in elves for lib in _needed(p)} - bundled - {"ld-linux-x86-64.so.2"}
    listed = {lib: pkg for pkg, libs in RUNTIME.items() for lib in libs}
    base = {"libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1"}  # libc6, like libc.so.6
    assert from_system - base - set(listed) == set(), "libraries missing from system_packages.RUNTIME"
    for lib in sorted(from_system - base):
        assert _package_of(lib).removesuffix("t64") == listed[lib], lib


@pytest.fixture(scope="module")
def deb(binary) -> Path:
    env = {**os.environ, "PYTHON_BUILD": str(ROOT / ".venv-build" / "bin" / "python")}
    r = subprocess.run(["bash", "packaging/make-deb.sh"], cwd=ROOT, capture_output=True, text=True, timeout=900,
                       env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    return ROOT / "dist" / f"digit-recognizer_{__version__}_{arch}.deb"


def test_deb_fields_contents_and_lintian(deb):
    field = lambda name: subprocess.run(["dpkg-deb", "-f", str(deb), name], capture_output=True,  # noqa: E731
                                        text=True).stdout.strip()
    assert field("Version") == __version__ and field("Depends") == depends()
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    for path in ("./opt/digit-recognizer/digits", "./usr/bin/digits -> /opt/digit-recognizer/digits",
                 "./usr/share/applications/digit-recognizer.desktop", "./usr/share/doc/digit-recognizer/copyright",
                 "./usr/share/icons/hicolor/48x48/apps/digit-recognizer.png", "./usr/share/man/man1/digits.1.gz"):
        assert path in listing, path
    assert "root/root" in listing and " -rwxrwxrwx" not in listing
    r = subprocess.run(["lintian", "--fail-on", "error", str(deb)], capture_output=True, text=True, timeout=600)
    print(f"{deb.name}: {deb.stat().st_size / 1e6:.1f} MB\nDepends: {field('Depends')}\nlintian:\n{r.stdout}")
    assert r.returncode == 0 and "E: " not in r.stdout, r.stdout + r.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="installs a Debian package: CI runs as root")
def test_deb_installs_runs_from_the_path_and_removes_cleanly(deb, tmp_path, sample):
    apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    r = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", str(deb)], capture_output=True,
                       text=True, timeout=600, env=apt)
    print(r.stdout[-1500:])
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    files = subprocess.run(["dpkg", "-L", "digit-recognizer"], capture_output=True, text=True).stdout.split()
    try:
        env = {**NO_DISPLAY, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        assert shutil.which("digits", path=env["PATH"]) == "/usr/bin/digits"
        r = subprocess.run(["digits", "--self-test"], capture_output=True, text=True, timeout=120, env=env)
        assert r.returncode == 0 and "self-test passed" in r.stdout, r.stdout + r.stderr
        for i in range(5):
            Image.fromarray(255 - sample["x_test"][i]).save(tmp_path / f"{i}.png")
        r = subprocess.run(["digits", "classify", str(tmp_path), "--out", str(tmp_path / "r.csv"), "--quiet"],
                           capture_output=True, text=True, timeout=120, env=env)
        assert r.returncode == 0, r.stderr
        with open(tmp_path / "r.csv") as f:
            assert len(list(csv.DictReader(f))) == 5
        r = subprocess.run(["desktop-file-validate", "/usr/share/applications/digit-recognizer.desktop"],
                           capture_output=True, text=True)
        assert r.returncode == 0 and not r.stdout.strip(), r.stdout
    finally:
        r = subprocess.run(["apt-get", "remove", "--purge", "-y", "digit-recognizer"], capture_output=True, text=True,
                           timeout=600, env=apt)
        print(r.stdout[-800:])
    assert r.returncode == 0, r.stdout + r.stderr
    assert subprocess.run(["dpkg", "-s", "digit-recognizer"], capture_output=True).returncode != 0
    left = [f for f in files if os.path.lexists(f) and not os.path.isdir(f)]
    assert left == [] and not os.path.exists("/opt/digit-recognizer"), left
    print(f"removed: none of the {len(files)} paths the package had is left, /opt/digit-recognizer is gone")


def test_user_install_from_the_binary(binary, tmp_path):
    """`digits --install` without root: launcher, menu entry and icons; `--uninstall` leaves nothing."""
    home = tmp_path / "home"
    env = {**NO_DISPLAY, "HOME": str(home), "XDG_DATA_HOME": str(home / "share")}
    r = subprocess.run([str(binary), "--install"], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    link = home / ".local" / "bin" / "digits"
    entry = home / "share" / "applications" / "digit-recognizer.desktop"
    assert link.resolve() == binary.resolve() and f"Exec={link} %F" in entry.read_text()
    assert (home / "share" / "icons" / "hicolor" / "256x256" / "apps" / "digit-recognizer.png").exists()
    assert subprocess.run([str(link), "--version"], capture_output=True, text=True).stdout.startswith("Digit")
    if shutil.which("desktop-file-validate"):
        v = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert v.returncode == 0 and not v.stdout.strip(), v.stdout
    r = subprocess.run([str(binary), "--uninstall"], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0 and "removed" in r.stdout, r.stdout + r.stderr
    assert [p for p in home.rglob("*") if p.is_file() or p.is_symlink()] == []


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


@pytest.mark.skipif(not have_tools(), reason="Xvfb, xdotool or ImageMagick missing")
def test_soak_the_binary(binary, tmp_path):
    """The packaged binary through a long session (issue 9: it aborted after 7 drawings when built
    with a Qt binding that leaked references to None)."""
    from tests.soak import soak

    with xvfb() as env:
        env["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
        env["QT_SCALE_FACTOR"] = "1"
        r = soak([str(binary), "--verbose"], env, tmp_path, digits=150)
    print(f"binary soak: {r.digits} digits, {r.answers_logged}/{r.answers_expected} answers, {r.right} right, "
          f"{r.images_logged} images, {r.batches_logged} batches, {r.seconds:.0f} s, peak {r.peak_rss_mb:.0f} MB")
    assert r.alive and "Fatal Python error" not in r.log, r.log[-3000:]
    assert r.digits == 150 and r.answers_logged == r.answers_expected, r.log[-3000:]
    assert r.right >= 0.85 * r.digits, r.wrong
    assert r.images_logged >= 6 * 12 and r.batches_logged == 6, r.log[-3000:]
