"""Corrections the user gave: images the model got wrong, with the right digit, kept for training.

A corrections folder holds, for every correction:
  <stem>.png          the user's image as it was read (gray, 8 bit; a drawing, a file, a selection)
  <stem>_28x28.png    what the model saw: the 28x28 input after preprocessing, white ink on black
and one ``labels.csv`` with a header and a row per correction::

  file,label,predicted,source,timestamp
  20261125T173512.123456Z_7.png,7,1,draw,2026-11-25T17:35:12.123456+00:00

``file`` is relative to the folder; ``label`` is the right digit (0-9); ``predicted`` is what the
app said (a digit, ``?`` for not a digit, empty for no digit); ``source`` is ``draw``, ``images``
or ``batch`` (with the batch file's path after a colon); ``timestamp`` is UTC, ISO 8601.

Rows are only ever appended, one whole line in one write under a lock, so a crash or a second
app never loses or mangles earlier rows; a row cut by a crash is skipped on reading. A later row
for the same image replaces the earlier one (a second choice for the same answer: the first was a
slip, and both labels were kept and trained on). The folder
belongs to the user: training (``digits-train run --corrections DIR``) and the Metrics tab read it
with ``read_corrections`` / ``load_examples`` here, so there is one reader.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from PIL import Image

from desktop.engine.errors import DigitsError
from desktop.engine.results import csv_line

try:
    import fcntl
except ImportError:  # Windows: no advisory lock; rows are still appended whole
    fcntl = None  # type: ignore[assignment]

LABELS = "labels.csv"
FIELDS = ("file", "label", "predicted", "source", "timestamp")
INPUT_SUFFIX = "_28x28.png"
SOURCES = ("draw", "images", "batch")
DEFAULT_DIRNAME = "digit-corrections"


class CorrectionsError(DigitsError):
    """The corrections folder cannot be created, written or read; the message says which and why."""


@dataclass(frozen=True)
class Correction:
    file: str  # relative to the folder
    label: int
    predicted: str
    source: str
    timestamp: str

    def input_file(self) -> str:
        """The model-input image saved beside the user's image."""
        return self.file[: -len(".png")] + INPUT_SUFFIX if self.file.endswith(".png") else self.file + INPUT_SUFFIX


@dataclass
class CorrectionsRead:
    rows: list[Correction] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why each unusable line was left out, in words


def default_folder() -> Path:
    """~/Pictures/digit-corrections: the app offers its own platform Pictures folder, this is the fallback."""
    return Path.home() / "Pictures" / DEFAULT_DIRNAME


def _why(e: OSError) -> str:
    return e.strerror or str(e)


def _to_u8(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == np.uint8:
        return a
    return np.clip(np.asarray(a, np.float32) * 255.0 + 0.5, 0, 255).astype(np.uint8)


def _write_png(path: Path, a: np.ndarray) -> None:
    # Through a temporary name: a crash never leaves half a PNG under the name labels.csv points to.
    tmp = path.with_name(path.name + ".tmp")
    try:
        Image.fromarray(_to_u8(a), "L").save(tmp, "PNG")
        os.replace(tmp, path)
    except BaseException:  # a full disk leaves part of the file: never a stray .tmp in the user's folder
        _remove(tmp)
        raise


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # cleaning up after a failure: the failure is what the user hears about
        pass


def _unique_stem(folder: Path, label: int, now: datetime) -> str:
    base = f"{now.strftime('%Y%m%dT%H%M%S.%f')}Z_{label}"
    stem, n = base, 1
    while (folder / f"{stem}.png").exists():
        n += 1
        stem = f"{base}-{n}"
    return stem


def _append_row(labels: Path, row: Correction) -> None:
    """One whole line in one write, under an exclusive lock; the header when the file is new."""
    fd = os.open(labels, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        # A newline in a batch file's name would end the row early for the line-by-line reader: escaped.
        source = row.source.replace("\n", "\\n")
        data = csv_line([row.file, row.label, row.predicted, source, row.timestamp])
        size = os.fstat(fd).st_size
        if size == 0:
            data = csv_line(FIELDS) + data
        else:
            with open(labels, "rb") as f:  # a line cut by a crash: start ours on a fresh line
                f.seek(size - 1)
                if f.read(1) != b"\n":
                    data = b"\n" + data
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)  # also releases the lock


def save_correction(folder: str | os.PathLike, label: int, image: np.ndarray, input28: np.ndarray | None = None,
                    predicted: str = "", source: str = "draw", now: datetime | None = None) -> Correction:
    """Keep one correction: the image (float gray in [0, 1], white paper, or uint8), the model's input
    (computed with the app's own preprocess when not given) and a labels.csv row. Returns the row.

    Raises CorrectionsError with one sentence when the folder cannot be made or written.
    """
    if not (isinstance(label, (int, np.integer)) and 0 <= int(label) <= 9):
        raise ValueError(f"a correction's label is a digit 0-9, not {label!r}")
    label = int(label)
    folder = Path(folder).expanduser()
    if input28 is None:
        from desktop.engine.preprocess import preprocess

        gray = np.asarray(image, np.float32) / 255.0 if np.asarray(image).dtype == np.uint8 else image
        input28 = preprocess(gray).input28
        if input28 is None:
            raise CorrectionsError("This image holds no digit the model could read, so it cannot be kept as a correction.")
    now = now or datetime.now(timezone.utc)
    row: Correction | None = None
    # os.path, which never raises: Path.exists raised on a name too long (Python 3.11), past every message.
    if os.path.exists(folder) and not os.path.isdir(folder):  # not "cannot be written (File exists)" (a hostile pass)
        raise CorrectionsError(f"The corrections folder {folder} is not a folder (it is a file); "
                               "choose another folder in Settings.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stem = _unique_stem(folder, label, now)
        row = Correction(f"{stem}.png", label, predicted, source, now.isoformat())
        _write_png(folder / row.file, image)
        _write_png(folder / row.input_file(), input28)
        _append_row(folder / LABELS, row)
    except OSError as e:
        for name in (row.file, row.input_file()) if row else ():
            _remove(folder / name)  # no image without its row: the folder stays as labels.csv describes it
        raise CorrectionsError(f"The corrections folder {folder} cannot be written ({_why(e)}); "
                               "choose another folder in Settings.") from e
    return row


def relabel_correction(folder: str | os.PathLike, row: Correction, label: int,
                       now: datetime | None = None) -> Correction:
    """Give a kept correction another label: a row for the same image, appended (rows are only ever
    appended), which replaces the earlier one for every reader. The same label: nothing is written."""
    if label == row.label:
        return row
    now = now or datetime.now(timezone.utc)
    new = Correction(row.file, int(label), row.predicted, row.source, now.isoformat())
    try:
        _append_row(Path(folder).expanduser() / LABELS, new)
    except OSError as e:
        raise CorrectionsError(f"The corrections folder {folder} cannot be written ({_why(e)}); "
                               "choose another folder in Settings.") from e
    return new


def read_corrections(folder: str | os.PathLike) -> CorrectionsRead:
    """Every usable row of labels.csv; a missing folder or file is no corrections, not an error.

    A line cut by a crash, a label that is not 0-9 or a row whose image is gone is left out and
    named in ``skipped``; the rows around it stand.
    """
    folder = Path(folder).expanduser()
    out = CorrectionsRead()
    try:
        # utf-8-sig: a file saved by Excel or LibreOffice starts with a byte-order mark.
        text = (folder / LABELS).read_bytes().decode("utf-8-sig", errors="replace")  # no newline translation
    except FileNotFoundError:
        return out
    except OSError as e:
        raise CorrectionsError(f"The corrections in {folder} cannot be read ({_why(e)}).") from e
    # Lines end in "\n" only: splitlines() also broke a row at a "\r", "\x85" or "\u2028" in a batch
    # file's name (the row's path, quoted, holds it whole).
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if not lines:
        return out
    if next(csv.reader([lines[0]]), []) != list(FIELDS):
        raise CorrectionsError(f"{folder / LABELS} is not a corrections file (its first line is not "
                               f"{','.join(FIELDS)}).")
    latest: dict[str, Correction] = {}  # a later row for the same image replaces the earlier (relabel_correction)
    for n, line in enumerate(lines[1:], 2):
        # Line by line (this program writes no newline inside a field): one stray quote, read as one
        # record, swallowed every row after it, and past csv's field limit raised instead.
        try:
            values = next(csv.reader([line]), [])
        except csv.Error:
            values = ["?"]
        if not values:
            continue
        if len(values) != len(FIELDS) or values[1] not in tuple("0123456789"):
            out.skipped.append(f"line {n}: not a complete correction")
            continue
        row = Correction(values[0], int(values[1]), values[2], values[3], values[4])
        if os.path.isabs(row.file) or ".." in Path(row.file).parts or not (folder / row.file).is_file():
            out.skipped.append(f"line {n}: image {row.file} not found in the folder")
            continue
        latest[row.file] = row
    out.rows = list(latest.values())
    return out


def _input_of(folder: Path, row: Correction) -> np.ndarray | None:
    """The saved model input (uint8 28x28), else the user's image preprocessed again."""
    p = folder / row.input_file()
    try:
        if p.is_file():
            with Image.open(p) as im:
                a = np.asarray(im.convert("L"), np.uint8)
            if a.shape == (28, 28):
                return a
        from desktop.engine.imageio import load_gray
        from desktop.engine.preprocess import preprocess

        x = preprocess(load_gray(str(folder / row.file))).input28
        return None if x is None else _to_u8(x)
    except (OSError, DigitsError):
        return None


def load_examples(folder: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, list[Correction]]:
    """Labelled model inputs for training and scoring: (n, 28, 28) uint8 white on black (MNIST's
    layout), (n,) int64 labels, and the rows they came from."""
    folder = Path(folder).expanduser()
    xs, ys, rows = [], [], []
    for row in read_corrections(folder).rows:
        x = _input_of(folder, row)
        if x is not None:
            xs.append(x)
            ys.append(row.label)
            rows.append(row)
    if not xs:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64), []
    return np.stack(xs), np.array(ys, np.int64), rows


@dataclass(frozen=True)
class CorrectionsScore:
    count: int
    correct: int
    per_digit: dict[int, tuple[int, int]]  # digit -> (corrections with that label, read right)

    @property
    def accuracy(self) -> float:
        return self.correct / self.count if self.count else 0.0


def score(classifier, folder: str | os.PathLike, batch: int = 256) -> CorrectionsScore:
    """How many of the corrections the given classifier reads right now (its top class)."""
    x, y, _ = load_examples(folder)
    pred = np.zeros(0, np.int64)
    for i in range(0, len(x), batch):
        pred = np.concatenate([pred, classifier.predict(x[i:i + batch].astype(np.float32) / 255.0).argmax(1)])
    per = {d: (int((y == d).sum()), int(((y == d) & (pred == d)).sum())) for d in range(10)}
    return CorrectionsScore(len(y), int((pred == y).sum()), per)
