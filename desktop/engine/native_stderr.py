"""Silence what native libraries write straight to file descriptor 2, around one call.

LiteRT's C++ runtime writes "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." when tensors
are allocated, and libtiff writes "TIFFFetchDirectory: Can not read TIFF directory." for a damaged
TIFF: noise in every `digits classify -q` (a hostile pass: a line per damaged file, through the
progress bar), and, with standard error closed, a line inside the results file. What they say is
said in words elsewhere (a model error, the file's error row). Python's own writes are unaffected.
"""
from __future__ import annotations

import contextlib
import os
import threading
from typing import Iterator

_lock = threading.Lock()


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    # Two threads at once (the window's and another) must not swap descriptor 2 for good.
    with _lock:
        try:
            saved = os.dup(2)
        except OSError:  # no descriptor 2 at all: nothing to silence
            yield
            return
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 2)
            os.close(null)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
