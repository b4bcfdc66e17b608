"""Rows of results and their files (CSV or JSON lines): a row, its format, the output and its resume.

Every rule about a row and a results file lives here: what a row holds for an answer, which
format a name means, how a row is written (paths that are not valid UTF-8 included), when an
existing file may be touched, the lock that keeps a second run out, and where the last complete
record ends when a run is resumed.
"""
from __future__ import annotations

import csv
import errno
import functools
import io
import json
import math
import os
import re
import stat
import threading
from dataclasses import asdict, dataclass, field
from typing import IO, Iterable, Iterator

from desktop.engine.errors import OutputError, ReaderClosed
from desktop.engine.recognize import (DIGIT, ERROR, FAILED, NO_DIGIT, NOT_A_DIGIT, NOT_A_DIGIT_MARK, STATUSES, UNSURE,
                                      NumberPrediction, Prediction)

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one run per output is then up to the user
    fcntl = None  # type: ignore[assignment]

AS_DIGIT, AS_NUMBER = "digit", "number"  # how a file was read (read_as): one digit, or a number (--number)
FIELDS = ("path", "digit", "confidence", "unsure", "top3", "error", "status")  # status last: old readers keep working
CSV_HEADER = ",".join(FIELDS)
NO_DIGIT_FOUND = "no digit found"
NO_SCORE = "the model gave no valid score for this image (NaN or infinite)"


@dataclass
class Row:
    path: str
    digit: str = ""  # the digit, the number in number mode, or empty (no digit or an error)
    confidence: float | None = None
    unsure: bool = False
    top3: str = ""
    error: str = ""
    status: str = ""  # recognize.STATUSES, from the answer's status; see __post_init__ for rows made by hand

    def __post_init__(self) -> None:
        if not self.status:  # a row made without a prediction: an error row, or an answer as its unsure says
            self.status = ERROR if self.error else UNSURE if self.unsure else DIGIT

    def as_dict(self) -> dict:
        return asdict(self)


def row_for(path: str, answer: Prediction | NumberPrediction) -> Row:
    """The row of one file's answer (a digit, or a number in number mode); its status is the answer's."""
    status = answer.status
    if status == NO_DIGIT:
        return Row(path, "", None, False, "", NO_DIGIT_FOUND, NO_DIGIT)
    if status == ERROR:
        return Row(path, error=NO_SCORE)
    if isinstance(answer, NumberPrediction):
        # Each character as the number's text shows it: a piece that is no digit is "?", not its tie's 0.
        top = " ".join(f"{NOT_A_DIGIT_MARK if d.not_a_digit else d.digit}:{_down(d.confidence, 3):.3f}"
                       for d in answer.digits)
        return Row(path, answer.text, _down(answer.confidence, 4), answer.unsure, top, status=status)
    top = " ".join(f"{d}:{_down(q, 3):.3f}" for d, q in answer.top3)
    # Not a digit with a flat softmax (int8 gives ten scores of 0.1 to much that is no digit) names no
    # digit: its argmax, 0, was written as the best guess beside a top3 of 9, 8, 7. A digit or unsure
    # answer whose top two nearly tie keeps its digit, as the window shows it.
    digit = NOT_A_DIGIT_MARK if status == NOT_A_DIGIT and answer.best_guess is None else str(answer.digit)
    return Row(path, digit, _down(answer.confidence, 4), answer.unsure, top, status=status)


def _down(p: float, places: int) -> float:
    """A probability rounded down: 0.99996 is 0.9999, never 1.0 (no answer is certain; the window
    says "> 99.9%" for the same reason)."""
    scale = 10**places
    return math.floor(p * scale) / scale


FORMATS = ("csv", "jsonl")
_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
# A path is text decoded with os.fsdecode: bytes that are not UTF-8 become lone surrogates
# (U+DC80-U+DCFF). CSV writes them back as the original bytes; JSON writes them as \udcXX escapes.
ENCODING, ERRORS = "utf-8", "surrogateescape"


def format_for(path: str | os.PathLike | None, given: str | None = None) -> str:
    """The one place a format is decided: ``--format`` if given, else the suffix (CSV otherwise)."""
    if given:
        return given
    if path is None or os.fspath(path) == "-":
        return "csv"
    return _SUFFIXES.get(os.path.splitext(os.fspath(path))[1].lower(), "csv")


def header_bytes(fmt: str) -> bytes:
    return csv_line(FIELDS) if fmt == "csv" else b""


def row_bytes(row: Row, fmt: str) -> bytes:
    """One complete record, newline included, ready to be written in one go."""
    values = (row.path, row.digit, row.confidence, row.unsure, row.top3, row.error, row.status)  # FIELDS' order
    if fmt == "csv":
        return csv_line(_inert(row))
    # ensure_ascii: every non-ASCII character, lone surrogates included, becomes a \uXXXX escape.
    return (json.dumps(dict(zip(FIELDS, values)), ensure_ascii=True) + "\n").encode("ascii")


# A cell a spreadsheet reads as a formula: a file named "=HYPERLINK(...).png", given by name on the
# command line, went out as the path cell and at the start of its error, and Excel or LibreOffice
# ran it when the results were opened (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(row: Row) -> tuple:
    """The row's CSV values, none of them a formula. A relative path gets "./" in front: still the same
    file, so --resume finds it again, and no quote added to a name (OWASP's "'") that a reader keeps;
    an error that starts so (it starts with the path) follows its path."""
    path, error = row.path, row.error
    if path.startswith(FORMULA_STARTS):
        safe = os.path.join(".", path)
        error = safe + error[len(path):] if error.startswith(path) else error
        path = safe
    if error.startswith(FORMULA_STARTS):
        error = "'" + error
    # The digit cell is the engine's own text, digits and marks only: "-84" or "-0,5" is a number to
    # a spreadsheet, as it should be; "-555-234" (a dash read after a minus) would be a sum, and
    # shows as written.
    digit = row.digit
    if digit.startswith(FORMULA_STARTS) and not re.fullmatch(r"-[0-9.,]*", digit):
        digit = "'" + digit
    return (path, digit, row.confidence, row.unsure, row.top3, error, row.status)


_csv_buf = io.StringIO()
# One writer reused (making one per row costs more than the row). Lines end in "\n", as the
# corrections' labels.csv does: with csv's default "\r\n", `grep ',digit$'` found no row on Linux.
_csv_writer = csv.writer(_csv_buf, lineterminator="\n")
# csv quotes only its own line terminator's characters: a "\r" in a file name went out bare, and
# every CSV reader (--resume's included) split the row there. Such rows have every field quoted.
_csv_quoting_all = csv.writer(_csv_buf, lineterminator="\n", quoting=csv.QUOTE_ALL)


_csv_lock = threading.Lock()  # the buffer is shared: the corrections' labels.csv is written with it too


def csv_line(values: Iterable) -> bytes:
    """One CSV record, "\n"-terminated, as bytes (UTF-8; a name's undecodable bytes kept as they were).
    The one CSV writer of results and corrections alike."""
    values = tuple(values)
    bare_cr = any(isinstance(v, str) and "\r" in v for v in values)
    with _csv_lock:
        _csv_buf.seek(0)
        _csv_buf.truncate()
        (_csv_quoting_all if bare_cr else _csv_writer).writerow(values)
        return _csv_buf.getvalue().encode(ENCODING, ERRORS)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def rows_bytes(rows: Iterable[Row], fmt: str) -> bytes:
    """A whole results file of ``rows`` (the app's export): the bytes a results file gets, header
    first. Bytes, not text: a path that is not UTF-8 goes back as its own bytes (ENCODING, ERRORS),
    which no text encoder writes (the export failed on one such name in a folder of 3,000)."""
    return header_bytes(fmt) + b"".join(row_bytes(r, fmt) for r in rows)


class ResultsOutput:
    """Where rows go, a whole record at a time: a results file (locked) or standard output.

    A write that fails (a full disk, a removed drive) raises OutputError after cutting the file
    back to the end of the last complete record, so it always parses and ``--resume`` continues it.
    """

    def __init__(self, fd: int, fmt: str, name: str, end: int | None, rows: int = 0, created: bool = False,
                 replace: bool = False):
        self.fd, self.fmt, self.name = fd, fmt, name
        self.created = created  # this run made the file: an aborted run removes it again
        self._end = end  # size after the last complete record; None for stdout (cannot be cut)
        self.rows = rows  # records in the file, those of earlier runs included
        # --overwrite: the old file stays whole until the first row replaces it, so a run that
        # fails before its first row (no model, no images, Ctrl+C) leaves the old results as they were.
        self._replace = replace
        self._header_due = False  # the header goes out with the first row (standard output, a replaced file)

    @classmethod
    def stdout(cls, fmt: str) -> "ResultsOutput":
        out = cls(1, fmt, "standard output", None)
        out._header_due = True  # with the first row: a run that fails before it prints no header-only CSV
        return out

    def write(self, row: Row) -> None:
        if self._replace:
            self._replace = False
            try:
                os.ftruncate(self.fd, 0)
            except OSError as e:
                raise OutputError(f"Replacing {self.name} failed ({e.strerror or e}).") from e
            self._end = 0
            self._header_due = True
        if self._header_due:
            self._header_due = False
            self._write(header_bytes(self.fmt))
        self._write(row_bytes(row, self.fmt))
        self.rows += 1

    def _write(self, data: bytes) -> None:
        if not data:
            return
        try:
            _write_all(self.fd, data)
        except OSError as e:
            if self._end is not None:
                try:
                    os.ftruncate(self.fd, self._end)
                except OSError:
                    pass
            if self._end is None:
                if e.errno == errno.EPIPE:
                    raise ReaderClosed(f"{self.name} was closed by its reader.") from e
                raise OutputError(f"Writing to {self.name} failed ({e.strerror or e}).") from e
            if self.created and self.rows == 0:  # removed on close (close(remove=True)): nothing to resume
                raise OutputError(f"Writing to {self.name} failed ({e.strerror or e}); no row was written, "
                                  "and the file is not kept.") from e
            raise OutputError(f"Writing to {self.name} failed ({e.strerror or e}); it ends at its last complete "
                              f"row ({self.rows} rows) and --resume continues it.") from e
        if self._end is not None:
            self._end += len(data)

    def gone(self) -> bool:
        """The file was deleted or replaced while this run wrote it (an editor's save, a sync tool):
        the rows written since went to a file no one can open. A hostile pass found a run reporting
        1,200 files done whose file held 191 rows."""
        if self._end is None:
            return False  # standard output
        try:
            return not os.path.samestat(os.stat(self.name), os.fstat(self.fd))
        except OSError:
            return True

    def cut_short(self) -> bool:
        """The file is shorter than what this run left in it: emptied by `: > r.csv`, or by a second
        `digits ... > r.csv`, while the run went on appending (a hostile pass: "6000 files", 5,098
        lines and no header, which --resume then refused)."""
        if self._end is None:
            return False
        try:
            return os.fstat(self.fd).st_size < self._end
        except OSError:
            return False

    def close(self, remove: bool = False) -> None:
        """Close (which releases the lock); ``remove`` deletes a file this run created, if no row is in it."""
        if self.fd > 2:
            if remove and self.created and self.rows == 0:
                # While still locked: no other run can be using it. The file, not a link to it: a link
                # that named no file yet was removed, the header-only file it had made left behind.
                made = os.path.realpath(self.name)
                try:
                    if os.path.samestat(os.stat(made), os.fstat(self.fd)):
                        os.unlink(made)
                except OSError:  # (deleted or replaced meanwhile: nothing of this run's is left to remove)
                    pass
            os.close(self.fd)
            self.fd = -1


def open_results(path: str, fmt: str | None, resume: bool, overwrite: bool,
                 number: bool = False) -> tuple[ResultsOutput, DonePaths]:
    """The output file, locked for this run, and the files it already holds (see ``DonePaths``).

    Every problem is an OutputError with one sentence, raised before any work is done: a missing
    folder, a folder or a device given as the file, no write permission, another run writing it,
    a file that exists without ``--resume`` or ``--overwrite``, a file whose content is not results
    in the format asked for, or results of files read the other way (``number``: as numbers).
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except NotADirectoryError as e:  # "cannot be examined (Not a directory)" said nothing of which part
        raise OutputError(f"The output {path} is inside a file, not a folder: a part of its path before "
                          f"{os.path.basename(path) or path} is a file.") from e
    except OSError as e:
        raise OutputError(f"The output {path} cannot be examined ({e.strerror or e}).") from e
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"The output {path} is a folder; give a file name such as {os.path.join(path, 'results.csv')}.")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputError(f"The output {path} is not a regular file; use --out - to write to standard output.")
    if st is not None and st.st_size > 0 and not (resume or overwrite):
        raise OutputError(f"The output {path} already exists; use --resume to continue it or --overwrite to replace it.")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise OutputError(f"The folder {parent} for the output does not exist.")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as e:
        raise OutputError(f"The output {path} cannot be written ({e.strerror or e}).") from e
    try:
        _lock(fd, path)
        fmt = format_for(path, fmt)
        if overwrite and not resume and os.fstat(fd).st_size > 0:
            return ResultsOutput(fd, fmt, path, 0, 0, replace=True), DonePaths()  # cut at the first row
        done, end, count = _read_back(fd, path, fmt)
        if done.elsewhere:
            raise OutputError(f"The output {path} names its files by paths relative to another folder (none is "
                              "found from here); run --resume from the folder the first run started in.")
        if (AS_DIGIT if number else AS_NUMBER) in done.modes:
            # Resumed the other way, a file held single digits and numbers read alike (a hostile pass).
            raise OutputError(f"The output {path} holds files read as {'single digits' if number else 'numbers'}; "
                              f"resume it {'without' if number else 'with'} --number, or choose another --out.")
        if end < os.fstat(fd).st_size:
            try:
                os.ftruncate(fd, end)  # cut a record a killed run left half-written
            except OSError as e:  # (an append-only file, chattr +a: a whole one needs no cut)
                raise OutputError(f"The output {path} ends in a half-written record that cannot be cut "
                                  f"({e.strerror or e}); choose another --out.") from e
        out = ResultsOutput(fd, fmt, path, end, count, created=st is None)
        if end == 0:
            try:
                out._write(header_bytes(fmt))
            except OutputError:
                # A full disk before the header fitted left an empty file that said "--resume continues
                # it", and blocked the next run as "already exists" (a hostile pass).
                fd = -1  # out.close closes it: never twice, should it raise
                out.close(remove=True)
                raise
        return out, done
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise


def _lock(fd: int, path: str) -> None:
    if fcntl is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise OutputError(f"Another digits run is writing {path}; wait for it to finish or choose another --out.") from e
        raise OutputError(f"The output {path} cannot be locked ({e.strerror or e}).") from e


def same_path(path: str) -> str:
    """The key under which ``--resume`` compares paths: absolute and normalised (``./a``, ``a/../a``),
    its folder with links resolved (a resume through a link to the folder read every file again: a
    hostile pass). The file's own name is kept: two links to one image in a folder are two rows."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(_real_folder(folder), name)


@functools.lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


@dataclass
class DonePaths:
    """The files a results file holds already (``--resume`` skips them), by absolute path, and how
    many of them failed. A relative path was written relative to where that run started; it is
    resolved against where this one starts (see ``elsewhere``)."""

    absolute: set[str] = field(default_factory=set)
    failed: int = 0  # records of files that got no answer (recognize.FAILED)
    folders: set[str] = field(default_factory=set)  # the folders of the records with relative paths
    modes: set[str] = field(default_factory=set)  # how its answered files were read (read_as)

    def add(self, path: str, status: str = "", mode: str | None = None) -> None:
        self.absolute.add(same_path(path))
        if mode:
            self.modes.add(mode)
        if not os.path.isabs(path):
            self.folders.add(os.path.dirname(path))
        self.failed += status in FAILED

    @property
    def elsewhere(self) -> bool:
        """No folder of the file's relative paths is found from here: the first run started in
        another folder, and every file would be read and written again (a resume from another folder
        doubled every row; matching the ends of paths instead skipped other folders' files of the
        same names). Folders, not files: the files done may have been moved away since."""
        return bool(self.folders) and not any(os.path.isdir(f or ".") for f in self.folders)

    def __contains__(self, key: object) -> bool:
        """``key``: a path as same_path gives it (batch.walk normalises each file once)."""
        return key in self.absolute

    def __len__(self) -> int:
        return len(self.absolute)


def _read_back(fd: int, path: str, fmt: str) -> tuple[DonePaths, int, int]:
    """(the files already written, byte size up to the last complete record, records)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return DonePaths(), 0, 0
    with os.fdopen(os.dup(fd), "rb") as raw:
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=ENCODING, errors=ERRORS, newline="")
        first = text.read(1)
        bom = first == "\ufeff"  # an editor's byte-order mark: read past, as corrections' labels.csv is
        head = (text.read(1) if bom else first) + text.read(len(CSV_HEADER) - 1)
        # Told "holds CSV" of any file not starting with "{", a user gave --format csv and was then
        # told it was no results file at all (a hostile pass): only our header's start is CSV here.
        content = "jsonl" if head.startswith("{") else "csv" if CSV_HEADER.startswith(head) else None
        if content is None:
            raise OutputError(f"The output {path} is not a results file of this program; choose another --out.")
        if content != fmt:
            raise OutputError(f"The output {path} holds {_NAMES[content]}, not {_NAMES[fmt]}; "
                              f"give --format {content} or another --out.")
        text.seek(0)
        start = len(text.read(1).encode(ENCODING)) if bom else 0
        records = _jsonl_records(text, start) if fmt == "jsonl" else _csv_records(text, path, start)
        done, end, count = DonePaths(), 0, 0
        for record_path, status, record_end, mode in records:
            done.add(record_path, status, mode)
            end, count = record_end, count + 1
        return done, end, count


_NAMES = {"csv": "CSV", "jsonl": "JSON lines"}


def _is_record(record: object) -> bool:
    """A parsed JSON line that is a result record: every field (records before the status column lack
    that one) and a status this program writes. Any object with a "path" was taken for one, and --resume
    skipped the file another program had listed, unread (a hostile pass)."""
    return (isinstance(record, dict) and isinstance(record.get("path"), str)
            and all(name in record for name in FIELDS[:-1]) and record.get("status", DIGIT) in STATUSES)


def _parses_as_other(line: str) -> bool:
    """Whole JSON that is not one of our records (ours end in a newline, written with it in one go)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return False
    return not (_is_record(record) and "status" in record)


def _lines(text: IO[str], offset: int = 0) -> Iterator[tuple[str, int]]:
    """Each line with the byte offset just after it (surrogateescape makes it exact); ``offset``:
    where the text read from starts (after a byte-order mark)."""
    for line in text:
        offset += len(line.encode(ENCODING, ERRORS))
        yield line, offset


def read_as(digit: str, top3: str) -> str | None:
    """How a row's file was read, from its answer: AS_DIGIT (one character, and the three likeliest
    classes in top3) or AS_NUMBER (a confidence per character); None for a row without an answer."""
    entries = top3.split()
    if not digit or not entries:
        return None
    return AS_DIGIT if len(digit) == 1 and len(entries) == 3 else AS_NUMBER


def _csv_records(text: IO[str], path: str, start: int = 0) -> Iterator[tuple[str, str, int, str | None]]:
    """Complete records only: the csv parser decides where one ends (a quoted path may hold a newline)."""
    lines = _lines(text, start)
    header = CSV_HEADER
    first = next(lines, None)
    if first is None:
        return
    if first[0].rstrip("\r\n") != header or not first[0].endswith(("\n", "\r")):
        if header.startswith(first[0]):
            return  # a run killed while writing the header: the file starts again
        raise OutputError(f"The output {path} is not a results file of this program (its first line "
                          f"is not {header}); choose another --out.")
    last = {"line": "", "end": 0}
    since: list[str] = []  # the lines read since the last complete record

    def feed() -> Iterator[str]:
        for line, end in lines:
            last["line"], last["end"] = line, end
            since.append(line)
            yield line

    # strict: a file cut inside a quoted field is an error at its end, not a silently shorter field.
    try:
        for record in csv.reader(feed(), strict=True):
            if not last["line"].endswith(("\n", "\r")):
                return  # the last record, cut mid-write
            if not record:
                continue  # a blank line (an editor's at the end): csv readers skip it, and so do we
            if len(record) != len(FIELDS) or record[-1] not in STATUSES:
                raise OutputError(f"The output {path} has a malformed row ending at byte {last['end']}; it was "
                                  "not written by this program, or was edited. Choose another --out.")
            since.clear()
            yield record[0], record[-1], last["end"], read_as(record[1], record[4])
    except csv.Error as e:
        # The file ends inside a quoted field: a record cut mid-write, unless whole rows follow the
        # quote (a stray " typed into a cell swallowed every row after it, and cutting there lost them).
        if next(lines, None) is None and not any(_whole_row(line) for line in since[1:]):
            return  # every record before it stands
        raise OutputError(f"The output {path} has a malformed row ending at byte {last['end']} ({e}); "
                          "it was not written by this program, or was edited. Choose another --out.") from e


def _whole_row(line: str) -> bool:
    """A line that is a complete results row by itself."""
    if not line.endswith(("\n", "\r")):
        return False
    try:
        record = next(csv.reader([line], strict=True), [])
    except csv.Error:
        return False
    return len(record) == len(FIELDS) and record[-1] in STATUSES


# How every record this program writes begins (row_bytes: FIELDS' order, json.dumps' spacing).
JSONL_START = '{"' + FIELDS[0] + '": '


def _jsonl_records(text: IO[str], start: int = 0) -> Iterator[tuple[str, str, int, str | None]]:
    for n, (line, end) in enumerate(_lines(text, start), 1):
        if not line.endswith("\n"):
            # The last line, cut mid-write: a start of a record. Anything else is no results file
            # (a settings file saved by json.dump has no final newline: --resume cut it to nothing).
            # Nor is a "last line" holding line ends of another kind or several records (a file saved
            # with CR line ends was one such line, and --resume cut all of its rows: a hostile pass).
            whole = "\r" in line or line.count(JSONL_START) > 1
            if not (JSONL_START.startswith(line) or line.startswith(JSONL_START)) or _parses_as_other(line) or whole:
                raise OutputError(f"Line {n} of the output is not a result record; it was not written by this "
                                  "program, or was edited. Choose another --out.")
            return
        if not line.strip():
            continue  # a blank line
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if not _is_record(record):
            raise OutputError(f"Line {n} of the output is not a result record; it was not written by this "
                              "program, or was edited. Choose another --out.")
        yield (record["path"], str(record.get("status", "")), end,
               read_as(str(record.get("digit", "")), str(record.get("top3", ""))))
