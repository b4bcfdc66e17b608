"""Find the image files under the paths a user gives: stable order, no hangs, no crashes."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

def _avif() -> bool:
    """Pillow reads AVIF (11.2 and later, with its plugin built in)."""
    from PIL import features

    return bool(features.check("avif"))


# JPEG's other names (.jfif, .jpe: a camera's or a browser's download) and AVIF were left out of a
# folder without a word: "no image files found" (a hostile pass).
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm",
     ".pnm"} | ({".avif"} if _avif() else set())
)


class Found(NamedTuple):
    """A file to classify. A tuple of two strings: a walk of 100,000 files is a few MB, and the garbage
    collector leaves such tuples alone (worker processes forked after a walk do not copy it)."""

    path: str
    error: str = ""  # set for a folder that could not be read: it becomes one error row


def natural_key(name: str) -> str:
    """A name's sort key in the order file managers show: numbers by value (scan_2 before scan_10),
    case ignored. A string, so the window's table sorts by it too: each run of digits is prefixed
    with its length (two digits of it), which orders numbers of any length by value; leading zeros are
    left out of that and only break ties (page_02 came after page_3 and page_007 after page_10)."""
    return re.sub(r"\d+", _number_key, name.casefold())


def _number_key(m: re.Match) -> str:
    digits = m.group()
    value = digits.lstrip("0") or "0"
    return f"{len(value):02d}{value}{len(digits) - len(value):02d}"


# Images of formats this program does not read. In a folder they were left out without a word (a
# hostile pass: a folder of phone photos, .heic, was "no image files found"); each is an error row.
OTHER_IMAGE_FORMATS = {".heic": "HEIC", ".heif": "HEIF", ".svg": "SVG", ".svgz": "SVG", ".jxl": "JPEG XL",
                       ".psd": "Photoshop", ".dng": "camera raw", ".cr2": "camera raw", ".cr3": "camera raw",
                       ".nef": "camera raw", ".arw": "camera raw", ".orf": "camera raw", ".rw2": "camera raw",
                       ".raf": "camera raw"}


def is_image_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES


def name_of_other_format(name: str) -> str:
    """The format an image's name says, of those this program does not read, or ""."""
    return OTHER_IMAGE_FORMATS.get(os.path.splitext(name)[1].lower(), "")


def _kind(entry: os.DirEntry, roots: tuple[str, ...]) -> str:
    """"dir", "file", "" (left out: a link to a folder that holds a named folder) or why it is neither."""
    try:
        if not entry.is_dir():
            return "file"
        if entry.is_symlink():
            # A link to /, or to the home folder, inside a scans folder walked the whole disk (251,000
            # files, /proc included). Links to other folders (a share, an archive) are followed.
            target = os.path.realpath(entry.path)
            if any(r == target or r.startswith(target.rstrip(os.sep) + os.sep) for r in roots):
                return ""
        return "dir"
    except OSError as err:
        return f"could not be examined: {err.strerror or err}"


class _Named:
    """Files named directly: each gives one row, even when a folder named too holds it.

    Only these few are remembered (a set of every path found would grow with the folder); a folder's
    entry is compared with them by inode first, which costs nothing (the listing gives it).
    """

    def __init__(self, paths: list[str]):
        self.inodes: set[int] = set()
        self.reals: set[str] = set()  # by real path: 20,000 files named took 5.6 s when each was compared with all
        for p in paths:
            try:
                st = os.stat(p)
            except OSError:
                continue
            if not stat.S_ISDIR(st.st_mode):
                self.inodes.add(st.st_ino)
                self.reals.add(os.path.realpath(p))
        self.given: set[str] = set()

    def first_time(self, path: str, inode: int | None = None) -> bool:
        """False when this file (by its real path) was already given a row."""
        if inode is not None and inode not in self.inodes:
            return True
        real = os.path.realpath(path)
        if real not in self.reals:
            return True
        if real in self.given:
            return False
        self.given.add(real)
        return True


def _walk(top: str, recursive: bool, seen: set[tuple[int, int]], named: _Named, roots: tuple[str, ...]) -> Iterator[Found]:
    """A folder's images, then each subfolder's in turn (in natural order, depth first). A stack, not recursion:
    1,100 nested folders exceeded Python's recursion limit (a traceback, found by a hostile test)."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
            key = (st.st_dev, st.st_ino)
            if key in seen:  # a symlink loop, or the same folder reached twice
                continue
            seen.add(key)
            with os.scandir(folder) as it:
                # Names and kinds only: a folder of 100,000 files must be listed to be sorted, and
                # small tuples keep that listing a few MB.
                entries = sorted(((e.name, _kind(e, roots), e.inode()) for e in it),
                                 key=lambda entry: (natural_key(entry[0]), entry[0]))
        except OSError as e:
            yield Found(folder, f"folder could not be read: {e.strerror or e}")
            continue
        subfolders = []
        for name, kind, inode in entries:
            path = os.path.join(folder, name)
            if kind == "dir":
                subfolders.append(path)
            elif kind != "file":
                if kind and is_image_name(name):  # what cannot be examined is a row only if it is an image's name
                    yield Found(path, kind)
            elif (is_image_name(name) or name_of_other_format(name)) and named.first_time(path, inode):
                yield Found(path)  # one of another format is tried too: a phone's .heic may hold a JPEG
        if recursive:
            stack.extend(reversed(subfolders))  # the first subfolder is taken next


def find_images(paths: Iterable[str | Path], recursive: bool = True) -> Iterator[Found]:
    """Files named directly are taken whatever their suffix; folders yield their images, sorted.
    Links to folders are followed, except to a folder holding one of the folders named (/, home).

    Every file gives one row, however many times it is named (directly, or also through its folder).
    """
    paths = [os.fspath(p) for p in paths]
    seen: set[tuple[int, int]] = set()
    named = _Named(paths)
    roots = tuple(os.path.realpath(p) for p in paths if os.path.isdir(p))
    for p in paths:
        if os.path.isdir(p):
            yield from _walk(p, recursive, seen, named, roots)
        elif named.first_time(p):
            yield Found(p)  # a missing file, or one that is not a regular file, becomes an error row when read
