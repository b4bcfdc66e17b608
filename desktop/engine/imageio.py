"""Read any image Pillow can into a grayscale float array, whatever its mode, alpha or orientation.

Returns ``float32`` in [0, 1], 0 black and 1 white, as seen on a white page: transparent pixels
are composited onto the background the visible ink contrasts with (a black-on-transparent export
must not become all black).
"""
from __future__ import annotations

import errno
import functools
import io
import os
import stat
import struct
import warnings
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from desktop.engine.errors import ImageLoadError, SystemLimitError
from desktop.engine.files import IMAGE_SUFFIXES, name_of_other_format
from desktop.engine.native_stderr import native_stderr_silenced

# Nothing a user draws or photographs needs more; larger is a decompression bomb.
MAX_PIXELS = 64_000_000
# An image file holds at most this many bytes per pixel, and SLACK more (metadata, an embedded
# preview): 64 MP of 16-bit RGBA, stored raw. More is junk a decoder reads, or skips, before the
# pixels: a 28x28 PNG with a private chunk of 1 GiB (8 KB on disk, sparse) took 2.1 GB of memory
# to open, a JPEG header followed by 10 GB of nothing about 20 minutes (a hostile pass).
FILE_BYTES_PER_PIXEL, FILE_SLACK = 8, 64 * 2**20
MAX_FILE_BYTES = FILE_BYTES_PER_PIXEL * MAX_PIXELS + FILE_SLACK
# A PNG's colour profile or metadata (XMP) may be larger than Pillow's 1 MB limit on one text chunk
# decompressed: such a valid PNG was an error row "Decompressed data too large for
# PngImagePlugin.MAX_TEXT_CHUNK" (a hostile pass: a 1.5 MB profile, read fine in a JPEG). Within
# Pillow's memory limit for all of a file's text (MAX_TEXT_MEMORY), the bomb guard it is.
PngImagePlugin.MAX_TEXT_CHUNK = max(PngImagePlugin.MAX_TEXT_CHUNK, 16 * 2**20)
# Decoding bigger than this is wasted: preprocessing works at a few hundred pixels at most.
DECODE_SIDE = 1024

Source = str | os.PathLike | bytes
# The decoders of the formats the program reads (by content, whatever the name), and no others: an
# EPS file named .png went to Pillow's EPS plugin, which runs Ghostscript on it where installed.
_FORMATS = tuple(sorted({f for f in map(Image.registered_extensions().get, IMAGE_SUFFIXES) if f}))


_NOT_REGULAR = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device",
                stat.S_IFBLK: "a device", stat.S_IFDIR: "a folder"}


@contextmanager
def _quiet() -> Iterator[None]:
    """Pillow's warnings silenced (a large image, corrupt EXIF data, a tag larger than the file): the
    size rule says the one that matters in words, and a damaged file is its row's error ("-q" let
    1,274 such lines through on a folder of damaged files: a hostile pass). Opening warns too."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@contextmanager
def _opened(source: Source) -> Iterator[Image.Image]:
    if isinstance(source, bytes):
        if not source:
            raise ImageLoadError("The image data is empty.")
        with Image.open(io.BytesIO(source), formats=_FORMATS) as im:
            _check_opened(im, "The image", len(source))
            yield im
        return
    # Only regular files are opened: opening a named pipe waits for a writer forever, a device
    # may never end. Checked before the open, and again on what was opened (it may have changed).
    st = os.stat(source)
    _require_regular(st, source)
    if st.st_size > MAX_FILE_BYTES:  # refused before a decoder reads any of it (Pillow reads chunks at open)
        raise ImageLoadError(f"{Path(source).name} is {st.st_size / 2**30:.1f} GB, more than any image this "
                             f"program reads holds ({MAX_FILE_BYTES / 2**20:.0f} MB); it was not opened.")
    fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as f:  # Pillow does not close a file object it is given
        _require_regular(os.fstat(fd), source)
        # A PNG's size is in its first 24 bytes: checked before Pillow reads the chunks ahead of its
        # pixels into memory (a 400 MB private chunk in a 28x28 PNG peaked at 834 MB: a review).
        size, head = os.fstat(fd).st_size, f.read(24)
        f.seek(0)
        if head.startswith(PNG_SIGNATURE) and len(head) == 24:
            _check_bulk(Path(source).name, size, *struct.unpack(">II", head[16:24]))
        with Image.open(f, formats=_FORMATS) as im:
            _check_opened(im, Path(source).name, size)
            yield im


def _check_opened(im: Image.Image, name: str, size: int) -> None:
    """_check_bulk from the header Pillow read; a file of many pages or frames (a TIFF of 80 pages,
    an animation) holds more than its first frame's size and is not held to it. (is_animated, not
    n_frames: counting a GIF's frames reads the whole file.)"""
    if not getattr(im, "is_animated", False):
        _check_bulk(name, size, im.width, im.height)


def _check_bulk(name: str, size: int, width: int, height: int) -> None:
    """Refuse a file of ``size`` bytes far larger than a ``width`` x ``height`` image needs (see FILE_SLACK)."""
    if size > FILE_BYTES_PER_PIXEL * width * height + FILE_SLACK:
        raise ImageLoadError(f"{name} is damaged or not an image: its {size / 2**20:.0f} MB are far more "
                             f"than its {width}x{height} pixels need.")


def _require_regular(st: os.stat_result, source: Source) -> None:
    if not stat.S_ISREG(st.st_mode):
        what = _NOT_REGULAR.get(stat.S_IFMT(st.st_mode), "not a regular file")
        raise ImageLoadError(f"{Path(source).name} is {what}, not an image file; it was not opened.")


# How each format this program reads begins: a file that begins so and still cannot be read is
# damaged, not some other format (a PNG's signature followed by garbage was "not an image format
# this program can read": a hostile pass).
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIGNATURES = {PNG_SIGNATURE: "PNG", b"\xff\xd8\xff": "JPEG", b"GIF87a": "GIF", b"GIF89a": "GIF",
              b"BM": "BMP", b"II*\x00": "TIFF", b"MM\x00*": "TIFF"}


def _signature(head: bytes) -> str | None:
    """The format a file's first bytes announce (SIGNATURES; WebP: RIFF....WEBP), or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    return next((fmt for sig, fmt in SIGNATURES.items() if head.startswith(sig)), None)


def _why_unreadable(source: Source, name: str) -> str:
    """The plain-words reason Pillow could not identify a file: missing, empty, damaged or not an image."""
    if isinstance(source, bytes):
        head = source[:16]
    else:
        path = Path(source)
        if not path.exists():
            return f"{path} does not exist."
        if path.stat().st_size == 0:
            return f"{name} is empty (0 bytes)."
        if fmt := name_of_other_format(name):
            return f"{name} is in {fmt} format, which this program cannot read; save it as PNG or JPEG."
        try:
            with open(path, "rb") as f:
                head = f.read(16)
        except OSError:
            head = b""
    if fmt := _signature(head):
        return f"{name} is damaged: it begins as a {fmt} image, but its contents cannot be read."
    return f"{name} is not an image format this program can read."


def too_large(width: int, height: int, name: str = "") -> str:
    """Why an image of this size is refused, in words (naming it), or "" when it is within MAX_PIXELS."""
    if width * height <= MAX_PIXELS:
        return ""
    return f"{name} is {width}x{height} pixels, larger than the {MAX_PIXELS // 1_000_000} megapixel limit."


# More pixels than this, in a format that cannot decode at a fraction of its size (not JPEG: draft),
# take a window's thread too long: a 64 MP 16-bit PNG took 0.74-0.92 s to read (a hostile pass).
SLOW_PIXELS = 8_000_000


def slow_to_decode(source: Source) -> bool:
    """Whether reading the image will take long (SLOW_PIXELS), from its header alone; False for
    anything load_gray refuses at once (no file, not an image, a pipe), which it says."""
    if isinstance(source, bytes):
        return False
    try:
        with _quiet(), _opened(source) as im:
            return im.width * im.height > SLOW_PIXELS and im.format != "JPEG"
    except Exception:  # load_gray will say what is wrong, in words
        return False


def load_gray(source: Source, decode_side: int = DECODE_SIDE) -> np.ndarray:
    """The image as grayscale float32 in [0, 1] (white = 1), at most about ``decode_side`` px."""
    name = os.path.basename(source) if not isinstance(source, bytes) else "The image"
    try:
        with _quiet(), _opened(source) as im:
            # Checked from the header, before any pixel is decoded. (Pillow's own bomb check only
            # warns below twice its limit; ours refuses.)
            if too_large(im.width, im.height):
                raise ImageLoadError(too_large(im.width, im.height, name))
            # JPEG can decode at 1/2, 1/4 or 1/8 size directly: a 12 MP photo costs a fraction.
            im.draft("RGB" if im.mode in ("RGB", "CMYK", "YCbCr") else im.mode, (decode_side, decode_side))
            # libtiff's complaints about a damaged TIFF on descriptor 2: its error row says it.
            with native_stderr_silenced() if im.format == "TIFF" else nullcontext():
                im.load()
            if "exif" in im.info or im.format in ("TIFF", "MPO"):
                im = ImageOps.exif_transpose(im)
            im = _gray_ready(im)
            if max(im.size) > decode_side * 1.5:  # formats without draft(): shrink before going float
                im = im.reduce(max(2, max(im.size) // decode_side))
            return _to_gray(im)
    except ImageLoadError:
        raise
    except FileNotFoundError as e:
        raise ImageLoadError(f"{Path(source)} does not exist.") from e
    except UnidentifiedImageError as e:
        raise ImageLoadError(_why_unreadable(source, name)) from e
    except Image.DecompressionBombError as e:
        raise ImageLoadError(f"{name} is larger than the {MAX_PIXELS // 1_000_000} megapixel limit.") from e
    except OSError as e:
        msg = str(e)
        if e.errno in (errno.EMFILE, errno.ENFILE, errno.ENOMEM):
            raise SystemLimitError(f"The system refused to read more files ({e.strerror.lower()}, at {name}); "
                                   "the rows so far are kept.") from e
        if "truncated" in msg or "broken" in msg.lower():
            raise ImageLoadError(f"{name} is damaged: its image data is truncated.") from e
        if e.strerror:  # an error from the system: its words, without Python's errno and repeated path
            raise ImageLoadError(f"{name} could not be read: {e.strerror.lower()}.") from e
        # The decoder's own words ("decoder error -2") say nothing to a person: said first in ours.
        raise ImageLoadError(f"{name} is damaged: its image data could not be decoded ({msg}).") from e
    except (ValueError, SyntaxError, EOFError) as e:  # Pillow's plugins raise these on bad headers
        raise ImageLoadError(f"{name} is damaged or not a supported image ({e}).") from e


def _gray_ready(im: Image.Image) -> Image.Image:
    """The image in a mode that Image.reduce and _to_gray both take, nothing of its look lost.

    reduce() refuses bilevel, palette and 16-bit modes; LAB has no conversion to gray (its first
    band, lightness, is the gray). Area-averaging a bilevel image in "L" keeps thin strokes that
    a nearest-neighbour shrink would drop.
    """
    if im.mode == "1":
        return im.convert("L")
    if im.mode == "P":
        return im.convert("LA" if "transparency" in im.info else "L")
    if im.mode.startswith("I;16"):
        return im.convert("I")
    if im.mode == "LAB":
        return im.getchannel("L")
    if im.mode in ("La", "RGBa"):  # premultiplied alpha
        return im.convert("LA" if im.mode == "La" else "RGBA")
    return im


WHITE_LEVELS = (255.0, 1023.0, 4095.0, 65535.0)  # full scales of 8, 10, 12 and 16-bit pixels


def _to_gray(im: Image.Image) -> np.ndarray:
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(im, dtype=np.float32)
        finite = np.isfinite(a)
        values = a[finite]
        # The scale from the k-th brightest pixel (as preprocessing's contrast): one hot or broken
        # pixel must not set it. White is the smallest usual full scale at or above it: a float file
        # of 0..1 (as scientific TIFFs are), 8 bits, or 10, 12 or 16 bits (12-bit scans come in
        # 16-bit files, and divided by 65535 they were too faint to read).
        k = max(3, values.size // 1000)
        peak = float(np.partition(values, values.size - k)[values.size - k]) if values.size >= k else 1.0
        scales = ((1.0,) if im.mode == "F" else ()) + WHITE_LEVELS
        top = next((w for w in scales if peak <= w), peak)
        # NaN and inf stay unknown (NaN), not black or white: preprocessing gives them the paper's tone
        gray = np.where(finite, np.clip(a / top, 0.0, 1.0), np.float32(np.nan)).astype(np.float32)
    else:
        has_alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
        if has_alpha:
            gray = _composite(im.convert("LA"))
        else:
            lum = im if im.mode == "L" else im.convert("L")
            # From the raw bytes: a third of np.asarray's cost on the small images a folder often holds.
            gray = np.frombuffer(lum.tobytes(), np.uint8).reshape(lum.height, lum.width).astype(np.float32) / 255.0
    return gray


def _composite(la: Image.Image) -> np.ndarray:
    a = np.asarray(la, dtype=np.float32) / 255.0
    lum, alpha = a[..., 0], a[..., 1]
    if alpha.min() > 0.99:
        return lum
    visible = alpha > 0.5
    # Dark visible ink goes on white paper, light ink on black: the background it contrasts with.
    ink_is_dark = visible.any() and float(lum[visible].mean()) < 0.5
    background = 1.0 if ink_is_dark else 0.0
    return lum * alpha + background * (1.0 - alpha)


def fit_longest(a: np.ndarray, side: int) -> np.ndarray:
    """Resize a float image so its longest side is ``side``, area-averaging when shrinking (as Pillow does)."""
    h, w = a.shape
    s = side / max(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    a = np.asarray(a, dtype=np.float32)
    return _weights(h, size[1], s < 1) @ a @ _weights(w, size[0], s < 1).T


@functools.lru_cache(maxsize=512)
def _weights(n: int, m: int, shrink: bool) -> np.ndarray:
    """resize_weights by a key of plain values: an enum's hash is a Python call, twice a resize."""
    return resize_weights(n, m, Image.Resampling.BOX if shrink else Image.Resampling.BILINEAR)


@functools.lru_cache(maxsize=512)
def resize_weights(n: int, m: int, resample: Image.Resampling) -> np.ndarray:
    """Pillow's resize from n to m pixels along one axis as an (m, n) matrix, read off Pillow itself.

    Pillow resizes each axis separately; two small matrix products do the same for a fraction of
    the cost of a Pillow round trip on the small images preprocessing resizes (crops, 80 and 20 px).
    """
    if m == n:
        return np.eye(n, dtype=np.float32)
    return np.ascontiguousarray(np.asarray(Image.fromarray(np.eye(n, dtype=np.float32)).resize((m, n), resample)).T)
