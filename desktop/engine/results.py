"""Write result rows as they come (CSV or JSON lines) and read back what a run already wrote."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import IO, Iterable

from desktop.engine.batch import FIELDS, Row


def format_for(path: str | Path, default: str = "csv") -> str:
    suffix = Path(path).suffix.lower()
    return "jsonl" if suffix in (".jsonl", ".json", ".ndjson") else "csv" if suffix == ".csv" else default


def _drop_partial_last_line(path: Path) -> None:
    """A run killed mid-write can leave half a line; cut it so the file parses and resumes."""
    with open(path, "rb+") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size == 0:
            return
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return
        data = path.read_bytes()
        f.truncate(data.rfind(b"\n") + 1)


def done_paths(path: str | Path) -> set[str]:
    """Paths already in a results file (for ``--resume``)."""
    p = Path(path)
    if not p.exists() or p.stat().st_size == 0:
        return set()
    _drop_partial_last_line(p)
    with open(p, newline="", encoding="utf-8") as f:
        if format_for(p) == "jsonl":
            return {json.loads(line)["path"] for line in f if line.strip()}
        return {r["path"] for r in csv.DictReader(f)}


class RowWriter:
    """Appends rows and flushes each one: Ctrl+C or a crash leaves every finished row on disk."""

    def __init__(self, stream: IO[str], fmt: str, write_header: bool):
        self.stream, self.fmt = stream, fmt
        self._csv = csv.DictWriter(stream, FIELDS) if fmt == "csv" else None
        if self._csv and write_header:
            self._csv.writeheader()
            stream.flush()

    @classmethod
    def open(cls, path: str | Path, fmt: str | None = None, append: bool = False) -> "RowWriter":
        fmt = fmt or format_for(path)
        p = Path(path)
        fresh = not (append and p.exists() and p.stat().st_size > 0)
        stream = open(p, "w" if fresh else "a", newline="", encoding="utf-8")
        return cls(stream, fmt, write_header=fresh)

    def write(self, rows: Iterable[Row]) -> None:
        for r in rows:
            d = r.as_dict()
            if self._csv:
                self._csv.writerow(d)
            else:
                self.stream.write(json.dumps(d) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if not self.stream.closed:
            self.stream.close()
