"""Desktop integration: the menu entry and icons, for a per-user install and for the .deb.

`digits --install` links the running binary into ~/.local/bin and writes the entry and icons
under $XDG_DATA_HOME (~/.local/share); `digits --uninstall` removes exactly those. The .deb is
laid out by the same code (scripts/package.sh runs `python -m desktop.app.install --stage DIR`),
so both get the same entry, MIME types and icon sizes.
"""
from __future__ import annotations

import argparse
import mimetypes
import os
import shutil
import subprocess
import sys
from pathlib import Path

from desktop.engine.files import IMAGE_SUFFIXES

APP_ID = "digit-recognizer"  # the .desktop file's name, the icon's name, the Debian package
COMMAND = "digits"
ICON_SIZES = (16, 32, 48, 64, 128, 256)  # hicolor sizes made from the 256 px assets/icon.png


def mime_types() -> list[str]:
    """The MIME types of every image suffix the engine reads (what file managers offer us for)."""
    table = mimetypes.MimeTypes(filenames=())  # Python's own table: the same on every build machine
    table.add_type("image/webp", ".webp")  # missing from Python's table before 3.13
    table.add_type("image/jpeg", ".jfif")  # missing from Python's table
    table.add_type("image/avif", ".avif")  # missing from Python's table before 3.13
    types = {table.guess_type("x" + s)[0] for s in IMAGE_SUFFIXES}
    if None in types:
        raise ValueError("an image suffix has no MIME type: " + ", ".join(sorted(IMAGE_SUFFIXES)))
    return sorted(types)  # type: ignore[arg-type]


def _exec_arg(path: str) -> str:
    """One argument of a desktop entry's Exec key, quoted as the Desktop Entry spec requires."""
    if not any(c in path for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return path
    return '"' + "".join("\\" + c if c in '"`$\\' else c for c in path) + '"'


def desktop_entry(command: str = COMMAND) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=Digit Recognizer",
        "GenericName=Handwritten digit recognizer",
        "Comment=Draw, load or batch-classify handwritten digits offline",
        f"Exec={_exec_arg(command)} %F",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Education;ArtificialIntelligence;",
        "MimeType=" + "".join(t + ";" for t in mime_types()),
        "Keywords=digit;handwriting;MNIST;OCR;",
        "",
    ])


def write_integration(data_dir: Path, command: str, icon: Path) -> list[Path]:
    """The entry under data_dir/applications and the icons under data_dir/icons/hicolor."""
    from PIL import Image

    entry = data_dir / "applications" / f"{APP_ID}.desktop"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(desktop_entry(command))
    written = [entry]
    with Image.open(icon) as im:
        for size in ICON_SIZES:
            dst = data_dir / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
            dst.parent.mkdir(parents=True, exist_ok=True)
            im.convert("RGBA").resize((size, size), Image.Resampling.LANCZOS).save(dst, optimize=True)
            written.append(dst)
    return written


def integration_files(data_dir: Path) -> list[Path]:
    return [data_dir / "applications" / f"{APP_ID}.desktop"] + [
        data_dir / "icons" / "hicolor" / f"{s}x{s}" / "apps" / f"{APP_ID}.png" for s in ICON_SIZES]


def user_dirs(env: dict[str, str] | os._Environ = os.environ) -> tuple[Path, Path]:
    """(~/.local/bin, $XDG_DATA_HOME or ~/.local/share): where a per-user install goes."""
    home = Path(env.get("HOME") or Path.home())
    data = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else home / ".local" / "share"
    return home / ".local" / "bin", data


def _refresh_menu(data_dir: Path) -> None:
    """Let file managers see the MIME types now, where the desktop's tool is there to do it."""
    apps = data_dir / "applications"
    tool = shutil.which("update-desktop-database")
    if not tool or not apps.is_dir():
        return
    subprocess.run([tool, "-q", str(apps)], check=False)
    cache = apps / "mimeinfo.cache"
    if [p.name for p in apps.iterdir()] == [cache.name] and cache.read_text().split() == ["[MIME", "Cache]"]:
        cache.unlink()  # the tool's empty cache, left after our entry went: nothing of ours stays behind
        _prune(cache, data_dir)


def install(target: Path, icon: Path, env: dict[str, str] | os._Environ = os.environ) -> list[Path]:
    """Link `target` (the binary) as ~/.local/bin/digits and add the menu entry and icons."""
    bin_dir, data_dir = user_dirs(env)
    link = bin_dir / COMMAND
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} exists and is not a link made by --install; remove it first")
    bin_dir.mkdir(parents=True, exist_ok=True)
    if link.is_symlink():
        link.unlink()
    link.symlink_to(target.resolve())
    written = [link, *write_integration(data_dir, str(link), icon)]
    _refresh_menu(data_dir)
    return written


def _prune(path: Path, stop: Path) -> None:
    """Remove the empty folders above `path` that --install made, up to `stop`."""
    for parent in path.parents:
        if parent == stop or stop not in parent.parents:
            return
        try:
            parent.rmdir()
        except OSError:  # not empty: something else lives there
            return


def uninstall(env: dict[str, str] | os._Environ = os.environ) -> list[Path]:
    """Remove what install() made; files that are not ours are left alone."""
    bin_dir, data_dir = user_dirs(env)
    removed = []
    link = bin_dir / COMMAND
    if link.is_symlink():
        link.unlink()
        removed.append(link)
        _prune(link, bin_dir.parent)
    for f in integration_files(data_dir):
        if f.exists():
            f.unlink()
            removed.append(f)
            _prune(f, data_dir)
    _refresh_menu(data_dir)
    return removed


def main(argv: list[str] | None = None) -> int:
    """scripts/package.sh: lay out the .deb's /usr/share/applications and icons under --stage."""
    p = argparse.ArgumentParser(prog="python -m desktop.app.install", description=main.__doc__)
    p.add_argument("--stage", type=Path, required=True, help="the package's root folder")
    p.add_argument("--icon", type=Path, required=True)
    args = p.parse_args(argv)
    for f in write_integration(args.stage / "usr" / "share", COMMAND, args.icon):
        print(f.relative_to(args.stage))
    return 0


if __name__ == "__main__":
    sys.exit(main())
