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


def _walk(folder: str, recursive: bool, seen: set[tuple[int, int]]) -> Iterator[Found]:
    try:
        st = os.stat(folder)
        key = (st.st_dev, st.st_ino)
        if key in seen:  # a symlink loop, or the same folder reached twice
            return
        seen.add(key)
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        yield Found(folder, f"folder could not be read: {e.strerror or e}")
        return
    subfolders = []
    for e in entries:
        try:
            if e.is_dir():
                subfolders.append(e.path)
            elif is_image_name(e.name):
                yield Found(e.path)
        except OSError as err:
            yield Found(e.path, f"could not be examined: {err.strerror or err}")
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
