"""Classify many files: in this process or in worker processes, in order, a row per file.

Memory stays flat: paths are consumed lazily and at most a few chunks are in flight at once.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from itertools import islice
from typing import Iterable, Iterator

import numpy as np

from desktop.engine.classifier import Classifier
from desktop.engine.errors import DigitsError
from desktop.engine.files import Found
from desktop.engine.imageio import load_gray
from desktop.engine.model_files import load_model
from desktop.engine.preprocess import preprocess
from desktop.engine.recognize import NumberPrediction, Prediction, recognize_number

CHUNK = 64
FIELDS = ("path", "digit", "confidence", "unsure", "top3", "error")


@dataclass
class Row:
    path: str
    digit: str = ""  # the digit, the number in number mode, or empty (no digit or an error)
    confidence: float | None = None
    unsure: bool = False
    top3: str = ""
    error: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _top3_text(p: Prediction) -> str:
    return " ".join(f"{d}:{q:.3f}" for d, q in p.top3)


def row_from_prediction(path: str, p: Prediction) -> Row:
    if p.digit is None:
        return Row(path, "", None, False, "", "no digit found")
    return Row(path, str(p.digit), round(p.confidence, 4), p.unsure, _top3_text(p))


def row_from_number(path: str, n: NumberPrediction) -> Row:
    if not n.digits:
        return Row(path, "", None, False, "", "no digit found")
    return Row(path, n.text, round(n.confidence, 4), n.unsure, " ".join(f"{d.digit}:{d.confidence:.3f}" for d in n.digits))


def classify_chunk(clf: Classifier, chunk: list[Found], number: bool = False) -> list[Row]:
    """Rows for a chunk of files; every failure is that file's error row, never an exception."""
    rows: list[Row | None] = [None] * len(chunk)
    inputs, where = [], []
    for i, f in enumerate(chunk):
        if f.error:
            rows[i] = Row(f.path, error=f.error)
            continue
        try:
            gray = load_gray(f.path)
            if number:
                rows[i] = row_from_number(f.path, recognize_number(clf, gray))
                continue
            pre = preprocess(gray)
        except DigitsError as e:
            rows[i] = Row(f.path, error=str(e))
            continue
        except Exception as e:  # one strange file must not end a run of ten thousand
            rows[i] = Row(f.path, error=f"unexpected error: {type(e).__name__}: {e}")
            continue
        if pre.blank:
            rows[i] = Row(f.path, error="no digit found")
        else:
            inputs.append(pre.input28)
            where.append(i)
    if inputs:
        probs = clf.predict(np.stack(inputs))
        for i, p, x in zip(where, probs, inputs):
            rows[i] = row_from_prediction(chunk[i].path, Prediction(int(p.argmax()), p, x))
    return rows  # type: ignore[return-value]


def _chunks(found: Iterable[Found], size: int) -> Iterator[list[Found]]:
    it = iter(found)
    while chunk := list(islice(it, size)):
        yield chunk


# One classifier per worker process, made once by the pool's initializer.
_worker_clf: Classifier | None = None


def _init_worker(model_path: str | None, temperature: float | None) -> None:
    global _worker_clf
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and stops the pool
    _worker_clf = load_model(model_path)
    if temperature is not None:
        _worker_clf.temperature = temperature


def _worker_chunk(chunk: list[Found], number: bool) -> list[Row]:
    assert _worker_clf is not None
    return classify_chunk(_worker_clf, chunk, number)


def classify_files(
    found: Iterable[Found],
    model_path: str | None = None,
    workers: int = 1,
    number: bool = False,
    classifier: Classifier | None = None,
    start_method: str | None = None,
) -> Iterator[list[Row]]:
    """Chunks of rows, in input order. Closing the generator stops the workers.

    ``start_method="spawn"`` is for callers with threads of their own (the GUI): forking a
    multi-threaded process can deadlock the child.
    """
    if workers <= 1:
        clf = classifier or load_model(model_path)
        for chunk in _chunks(found, CHUNK):
            yield classify_chunk(clf, chunk, number)
        return
    # Workers load the file the caller's classifier was made from (already validated), with its calibration.
    temperature = classifier.temperature if classifier else None
    model = str(classifier.path) if classifier else model_path
    context = multiprocessing.get_context(start_method) if start_method else None
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(model, temperature))
    pending: deque[Future] = deque()
    try:
        for chunk in _chunks(found, CHUNK):
            pending.append(pool.submit(_worker_chunk, chunk, number))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))
