"""Classify many files: in this process or in worker processes, in order, a row per file.

Rows come out one at a time, as soon as the file and every file before it are done; memory stays
flat: paths are consumed lazily and at most a few chunks of files are in flight at once. Workers
die with the process that started them, and stop when it stops.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from itertools import islice
from typing import Iterable, Iterator

import numpy as np

from desktop.engine.classifier import Classifier
from desktop.engine.errors import DigitsError
from desktop.engine.files import Found
from desktop.engine.imageio import load_gray
from desktop.engine.model_files import load_model
from desktop.engine.recognize import DIGIT, ERROR, NO_DIGIT, UNSURE, NumberPrediction, Prediction, recognize, recognize_number

CHUNK = 64  # files per task sent to a worker: one message each way per file would cost more than the work
FIELDS = ("path", "digit", "confidence", "unsure", "top3", "error", "status")  # status last: old readers keep working
NO_SCORE = "the model gave no valid score for this image (NaN or infinite)"


@dataclass
class Row:
    path: str
    digit: str = ""  # the digit, the number in number mode, or empty (no digit or an error)
    confidence: float | None = None
    unsure: bool = False
    top3: str = ""
    error: str = ""
    status: str = ""  # recognize.STATUSES, from Prediction.status; see __post_init__ for rows made by hand

    def __post_init__(self) -> None:
        if not self.status:  # a row made without a prediction: an error row, or an answer as its unsure says
            self.status = ERROR if self.error else UNSURE if self.unsure else DIGIT

    def as_dict(self) -> dict:
        return asdict(self)


def _top3_text(p: Prediction) -> str:
    return " ".join(f"{d}:{q:.3f}" for d, q in p.top3)


def row_from_prediction(path: str, p: Prediction) -> Row:
    if p.digit is None:
        return Row(path, "", None, False, "", "no digit found", NO_DIGIT)
    return Row(path, str(p.digit), round(p.confidence, 4), p.unsure, _top3_text(p), status=p.status)


def row_from_number(path: str, n: NumberPrediction) -> Row:
    if not n.digits:
        return Row(path, "", None, False, "", "no digit found", NO_DIGIT)
    if not all(np.isfinite(d.confidence) for d in n.digits):
        return Row(path, error=NO_SCORE)
    return Row(path, n.text, round(n.confidence, 4), n.unsure, " ".join(f"{d.digit}:{d.confidence:.3f}" for d in n.digits),
               status=n.status)


def classify_file(clf: Classifier, f: Found, number: bool = False) -> Row:
    """The row for one file; every failure is that file's error row, never an exception."""
    if f.error:
        return Row(f.path, error=f.error)
    try:
        gray = load_gray(f.path)
        if number:
            return row_from_number(f.path, recognize_number(clf, gray))
        p = recognize(clf, gray)  # the app's own path: the status is decided the same way
    except DigitsError as e:
        return Row(f.path, error=str(e))
    except Exception as e:  # one strange file must not end a run of ten thousand
        return Row(f.path, error=f"unexpected error: {type(e).__name__}: {e}")
    if p.probabilities is not None and not (np.isfinite(p.probabilities).all()
                                            and (p.jitter is None or np.isfinite(p.jitter).all())):
        return Row(f.path, error=NO_SCORE)
    return row_from_prediction(f.path, p)


def _chunks(found: Iterable[Found], size: int) -> Iterator[list[Found]]:
    it = iter(found)
    while chunk := list(islice(it, size)):
        yield chunk


# One classifier per worker process, made once by the pool's initializer, and where rows go.
_worker_clf: Classifier | None = None
_worker_rows: "multiprocessing.Queue | None" = None
# Rows done but not yet sent: a thread sends them every SEND_EVERY seconds, in one message. One
# message per row costs more than classifying a small file; a row still leaves within that time
# of being done, however long the next file takes.
SEND_EVERY = 0.02
_unsent: list[tuple] = []
_unsent_lock = threading.Lock()


def _die_with(parent: int) -> None:
    """End this worker when ``parent`` ends, however it ends (SIGKILL, a crash, the OOM killer)."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    else:  # no parent-death signal: watch for being re-parented instead

        def watch() -> None:
            while True:
                time.sleep(1)
                if os.getppid() != parent:
                    os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    try:  # the parent may have died before the signal was asked for
        os.kill(parent, 0)
    except ProcessLookupError:
        os._exit(1)


def _init_worker(model_path: str | None, temperature: float | None, rows: "multiprocessing.Queue", parent: int) -> None:
    global _worker_clf, _worker_rows
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and stops the pool
    _worker_rows = rows
    _worker_clf = load_model(model_path)
    if temperature is not None:
        _worker_clf.temperature = temperature
    threading.Thread(target=_send_forever, daemon=True).start()


def _send_forever() -> None:
    while True:
        time.sleep(SEND_EVERY)
        with _unsent_lock:
            batch = _unsent[:]
            _unsent.clear()
        if batch:
            _worker_rows.put(batch)  # type: ignore[union-attr]


def _worker_chunk(first: int, chunk: list[Found], number: bool) -> int:
    """Classify a chunk; each row is sent to the parent within SEND_EVERY of being known."""
    assert _worker_clf is not None
    for i, f in enumerate(chunk, first):
        r = classify_file(_worker_clf, f, number)
        with _unsent_lock:  # plain tuples: a fraction of a dataclass's pickling cost
            _unsent.append((i, r.path, r.digit, r.confidence, r.unsure, r.top3, r.error, r.status))
    return len(chunk)


def _rows_in_workers(found: Iterable[Found], model: str | None, temperature: float | None, workers: int,
                     number: bool, start_method: str | None) -> Iterator[Row]:
    context = multiprocessing.get_context(start_method)
    rows: multiprocessing.Queue = context.Queue()
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                               initargs=(model, temperature, rows, os.getpid()))
    in_flight: list[Future] = []
    waiting: dict[int, Row] = {}  # rows that came before an earlier file's
    chunks, sent, given, finished = _chunks(found, CHUNK), 0, 0, False
    clean = False
    try:
        while True:
            # Keep every worker busy with a little queued, but never run far ahead of the
            # oldest file not yet done (that bounds memory when one file is slow).
            while not finished and sent - given < 2 * workers * CHUNK:
                chunk = next(chunks, None)
                if chunk is None:
                    finished = True
                    break
                in_flight.append(pool.submit(_worker_chunk, sent, chunk, number))
                sent += len(chunk)
            if finished and given == sent:
                break
            try:
                for i, *fields in rows.get(timeout=0.5):
                    waiting[i] = Row(*fields)
            except queue.Empty:
                pass
            for fut in [f for f in in_flight if f.done()]:
                in_flight.remove(fut)
                fut.result()  # a worker that died raises here rather than leaving us waiting
            while given in waiting:
                yield waiting.pop(given)
                given += 1
        clean = True
    except BrokenProcessPool as e:
        raise DigitsError("A worker process died (killed, or out of memory); the rows so far are kept.") from e
    finally:
        _stop(pool, clean)
        rows.close()


def _stop(pool: ProcessPoolExecutor, clean: bool) -> None:
    """Shut the pool; stopped early (Ctrl+C, an error, a closed generator), kill the workers at once."""
    if clean:
        pool.shutdown(wait=True)
        return
    # No public way to end the workers before Python 3.14 (terminate_workers), and shutdown() forgets
    # them: take them first. A worker stuck in a read, or blocked sending rows nobody will read any
    # more, must not keep the run alive.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for p in processes:
        if p.is_alive():
            p.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.join(timeout=5)


def classify_rows(
    found: Iterable[Found],
    model_path: str | None = None,
    workers: int = 1,
    number: bool = False,
    classifier: Classifier | None = None,
    start_method: str | None = None,
) -> Iterator[Row]:
    """Rows in input order, each as soon as it and the ones before it are known. Closing stops the workers.

    ``start_method="spawn"`` is for callers with threads of their own (the GUI): forking a
    multi-threaded process can deadlock the child.
    """
    if workers <= 1:
        clf = classifier or load_model(model_path)
        for f in found:
            yield classify_file(clf, f, number)
        return
    # Workers load the file the caller's classifier was made from (already validated), with its calibration.
    temperature = classifier.temperature if classifier else None
    model = str(classifier.path) if classifier else model_path
    yield from _rows_in_workers(found, model, temperature, workers, number, start_method)


def classify_files(
    found: Iterable[Found],
    model_path: str | None = None,
    workers: int = 1,
    number: bool = False,
    classifier: Classifier | None = None,
    start_method: str | None = None,
) -> Iterator[list[Row]]:
    """``classify_rows`` in lists of up to CHUNK rows, for callers that show rows in batches (the app)."""
    rows = classify_rows(found, model_path, workers, number, classifier, start_method)
    try:
        while chunk := list(islice(rows, CHUNK)):
            yield chunk
    finally:
        rows.close()


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    return max(1, min(4, cpu_count()))
