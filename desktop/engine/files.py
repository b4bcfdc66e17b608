"""Find the image files under the paths a user gives: stable order, no hangs, no crashes."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm", ".pnm"}
)


@dataclass(frozen=True)
class Found:
    path: str
    error: str = ""  # set for a folder that could not be read: it becomes one error row


def is_image_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES


def _kind(entry: os.DirEntry) -> str:
    try:
        return "dir" if entry.is_dir() else "file"
    except OSError as err:
        return f"could not be examined: {err.strerror or err}"


def _walk(folder: str, recursive: bool, seen: set[tuple[int, int]]) -> Iterator[Found]:
    try:
        st = os.stat(folder)
        key = (st.st_dev, st.st_ino)
        if key in seen:  # a symlink loop, or the same folder reached twice
            return
        seen.add(key)
        with os.scandir(folder) as it:
            # Names and kinds only: a folder of 100,000 files must be listed to be sorted, and
            # small tuples keep that listing a few MB.
            entries = sorted((e.name, _kind(e)) for e in it)
    except OSError as e:
        yield Found(folder, f"folder could not be read: {e.strerror or e}")
        return
    subfolders = []
    for name, kind in entries:
        path = os.path.join(folder, name)
        if kind == "dir":
            subfolders.append(path)
        elif kind != "file":
            yield Found(path, kind)
        elif is_image_name(name):
            yield Found(path)
    if recursive:
        for sub in subfolders:
            yield from _walk(sub, recursive, seen)


def find_images(paths: Iterable[str | Path], recursive: bool = True) -> Iterator[Found]:
    """Files named directly are taken whatever their suffix; folders yield their images, sorted."""
    seen: set[tuple[int, int]] = set()
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            yield from _walk(p, recursive, seen)
        else:
            yield Found(p)  # a missing file becomes an error row when it is read
