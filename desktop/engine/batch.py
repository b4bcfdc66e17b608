"""Classify many files: the plan (how many worker processes), then rows in order, a row per file.

One walk lists the files (``walk``); ``plan_workers`` decides the worker processes for the CLI and
the app alike; the model is verified once by the caller and reaches workers as its
``ClassifierSpec`` (a path and its verified settings). In each process a thread reads and
decodes files (ahead of the recognizer for large ones; for small ones while it waits, see
SMALL_READ) and the recognizer takes whatever is read, up to BATCH images, through
``recognize_many`` in one go: a folder of small files is preprocessed and classified in batches,
and a slow file never holds back the rows of the files before it. Rows come out one at a time,
in order; at most a few chunks of files are in flight at once. Workers die with the process that
started them, and stop when it stops.
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

import numpy as np

from desktop.engine.classifier import Classifier, ClassifierSpec
from desktop.engine.errors import DigitsError, needs_memory, SystemLimitError
from desktop.engine.files import Found, find_images
from desktop.engine.imageio import load_gray
from desktop.engine.preprocess import number_view, work_view
from desktop.engine.recognize import recognize_many, recognize_number
from desktop.engine.results import Row, row_for, same_path

log = logging.getLogger("digits.batch")

CHUNK = 64  # files per task sent to a worker: one message each way per file would cost more than the work
KILL_WAIT = 5.0  # seconds a stopped run waits for its killed workers to be gone
BATCH = 32  # files read ahead and recognised together at most (their 128 model inputs: a small interpreter arena)
# How long the recognizer waits for the next file before it starts on those it has: long enough to
# fill a batch from a fast reader, far too short for a slow file to hold back the rows before it.
GATHER_WAIT = 0.002
# A worker process costs a start and a model load (about half a second): each must get at least
# this many files, or one process is faster.
MIN_FILES_PER_WORKER = 256
MAX_WORKERS = 4  # the default; more rarely helps a desktop and each holds a model
# How often a run waiting for a file asks its caller whether to stop: Cancel must not wait for a
# slow file (a huge scan, a network drive), and a wait that ends early costs nothing.
STOP_POLL = 0.25

StopCheck = Callable[[], bool] | None  # True when the caller wants the run to end now


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    return max(1, min(MAX_WORKERS, cpu_count()))


def plan_workers(total: int, asked: int | None = None) -> int:
    """Worker processes for ``total`` files: ``asked`` (else the default), never more than the CPUs,
    and one unless every worker gets MIN_FILES_PER_WORKER files. The one rule, CLI and app."""
    workers = min(asked or default_workers(), cpu_count())
    return max(1, min(workers, total // MIN_FILES_PER_WORKER))


def walk(paths: Iterable[str | os.PathLike], recursive: bool = True, skip: Container[str] | None = None) -> list[Found]:
    """Every file to classify, listed once (count and run use this list); ``skip``: the absolute paths
    done (results.DonePaths, or a set of same_path's keys)."""
    return [f for f in find_images(paths, recursive) if not skip or same_path(f.path) not in skip]


def _read(f: Found, number: bool = False) -> tuple[Found, np.ndarray | None, str]:
    """The file decoded and at work scale (small: a queue of them stays small), or its error in words.
    ``number``: only down to NUMBER_MAX_SIDE, from which number mode picks the scale that keeps
    its row of digits tall enough to read."""
    if f.error:
        return f, None, f.error
    try:
        try:
            return f, _decoded(f.path, number), ""
        except MemoryError:
            # Python's own out-of-memory: "unexpected error: MemoryError: " rows, which --resume never
            # reads again, though a moment later the file may read (a hostile pass). Once more after
            # a collection; a file that needs more than the system gives twice over is its own row
            # (stopping the run instead stopped every --resume at that file: a code review).
            gc.collect()
            return f, _decoded(f.path, number), ""
    except SystemLimitError:
        raise  # not this file's fault: the run stops after the rows so far
    except MemoryError:
        return f, None, needs_memory(f.path)
    except DigitsError as e:
        return f, None, str(e)
    except Exception as e:  # one strange file must not end a run of ten thousand
        return f, None, f"unexpected error: {type(e).__name__}: {e}"


def _decoded(path: str, number: bool) -> np.ndarray:
    gray = load_gray(path)
    if not number:
        return work_view(gray).gray
    return number_view(gray).gray  # as the window reads it


_END = None


def _stop_asked(should_stop: StopCheck) -> bool:
    return should_stop is not None and should_stop()


# A file read in less than this is a small one: its reader waits while the recognizer works, rather
# than reading ahead. Both run Python, one at a time (the GIL): a reader running beside the
# recognizer only adds switches between the threads, a third of the cost of a small file. A slower
# read (a photo: its decoding lets the recognizer run) goes ahead freely, BATCH files at most.
SMALL_READ = 0.001


class _Hand:
    """Files read, handed from the reader thread to the recognizer a batch at a time.

    One condition for both: the reader wakes the recognizer only when a batch is full, a read was
    slow or the files end; the recognizer, waiting, looks every GATHER_WAIT and takes what is there
    when nothing came since it last looked (a slow file holds back no row before it).
    """

    def __init__(self) -> None:
        self.cv = threading.Condition(threading.Lock())
        self.items: list = []
        self.ended = False  # _END was handed over
        self.wanted = False  # the recognizer waits for files
        self.stopped = False


def _read_ahead(found: Iterable[Found], hand: _Hand, failed: list, number: bool = False) -> None:
    cv, small = hand.cv, False

    def put(item, wake: bool) -> bool:
        with cv:
            # Room for it (bounded memory), and for small files a recognizer waiting for them.
            while not hand.stopped and (len(hand.items) >= BATCH or (small and not hand.wanted)):
                cv.wait(0.1)
            if hand.stopped:
                return False
            hand.items.append(item)
            if item is _END:
                hand.ended = True
            if wake or item is _END or len(hand.items) >= BATCH:
                cv.notify_all()
            return True

    try:
        for f in found:
            t = time.perf_counter()
            item = _read(f, number)
            small = time.perf_counter() - t < SMALL_READ
            if not put(item, not small):
                return
    except Exception as e:  # listing the files failed: the consumer raises it after the rows so far
        failed.append(e)
    finally:
        small = False
        put(_END, True)


def _take(hand: _Hand, should_stop: StopCheck) -> list | None:
    """Up to BATCH files read (the last may be _END), or None when the caller asks for a stop meanwhile."""
    if _stop_asked(should_stop):
        return None
    cv = hand.cv
    with cv:
        hand.wanted = True
        cv.notify_all()
        waited, seen = 0.0, -1
        while not (len(hand.items) >= BATCH or hand.ended):
            if hand.items and len(hand.items) == seen:
                break  # nothing new for GATHER_WAIT: the next file is slow, take those before it
            seen = len(hand.items)
            if waited >= STOP_POLL:
                waited = 0.0
                cv.release()  # the caller's check may take a while: the reader goes on meanwhile
                try:
                    if _stop_asked(should_stop):
                        return None
                finally:
                    cv.acquire()
                continue
            cv.wait(GATHER_WAIT)
            waited += GATHER_WAIT
        hand.wanted = False
        items, hand.items = hand.items[:BATCH], hand.items[BATCH:]
        cv.notify_all()
        return items


def recognize_files(clf: Classifier, found: Iterable[Found], number: bool = False,
                    should_stop: StopCheck = None) -> Iterator[Row]:
    """The row of each file, in order; every failure is that file's error row, never an exception.
    Ends early, after the rows so far, when ``should_stop()`` says so, even while a file is slow."""
    hand, failed = _Hand(), []
    threading.Thread(target=_read_ahead, args=(found, hand, failed, number), daemon=True, name="digits-read").start()
    try:
        ended = False
        while not ended:
            items = _take(hand, should_stop)  # at least one file, more while they come quickly
            if items is None:
                return
            if items and items[-1] is _END:
                items.pop()
                ended = True
            yield from _rows(clf, items, number)
        if failed:
            raise failed[0]
    finally:
        with hand.cv:  # a reader in a slow read stops after it, never waited for here
            hand.stopped = True
            hand.cv.notify_all()


def _rows(clf: Classifier, items: list[tuple[Found, np.ndarray | None, str]], number: bool) -> list[Row]:
    good = [k for k, (_, gray, _) in enumerate(items) if gray is not None]
    answers: dict[int, object] = {}
    try:
        if number:
            answers = {k: recognize_number(clf, items[k][1], looked=True) for k in good}
        else:
            answers = dict(zip(good, recognize_many(clf, [items[k][1] for k in good], at_work=True)))
    except Exception:  # one image made the batch fail: each alone, so only that one is an error row
        for k in good:
            try:
                answers[k] = (recognize_number(clf, items[k][1], looked=True) if number
                              else recognize_many(clf, [items[k][1]], at_work=True)[0])
            except Exception as e:
                items[k] = (items[k][0], None, f"unexpected error: {type(e).__name__}: {e}")
    return [row_for(f.path, answers[k]) if k in answers else Row(f.path, error=error)
            for k, (f, _, error) in enumerate(items)]


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


def _init_worker(spec: ClassifierSpec, rows: "multiprocessing.Queue", parent: int) -> None:
    global _worker_clf, _worker_rows
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and stops the pool
    _worker_rows = rows
    _worker_clf = spec.open()  # verified by the parent: the file and its settings, not checked again
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
    for i, r in enumerate(recognize_files(_worker_clf, chunk, number), first):
        with _unsent_lock:  # plain tuples: a fraction of a dataclass's pickling cost
            _unsent.append((i, r.path, r.digit, r.confidence, r.unsure, r.top3, r.error, r.status))
    return len(chunk)


class _NoWorkers(Exception):
    """Worker processes could not be started, and no row was given yet: run in this process instead."""


def _rows_in_workers(found: Iterable[Found], spec: ClassifierSpec, workers: int, number: bool,
                     start_method: str | None, should_stop: StopCheck = None) -> Iterator[Row]:
    context = multiprocessing.get_context(start_method)
    rows: multiprocessing.Queue | None = None
    try:
        rows = context.Queue()
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                   initargs=(spec, rows, os.getpid()))
    except OSError as e:  # no usable /dev/shm (a container's --ipc=none), or no descriptors left
        if rows is not None:
            rows.close()
        raise _NoWorkers(e) from e
    # Forked workers share the parent's memory until they write to it, and a garbage collection
    # writes to every object it visits: frozen, the parent's objects (the walk's list) stay shared.
    gc.freeze()
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
                try:
                    in_flight.append(pool.submit(_worker_chunk, sent, chunk, number))  # workers start here
                except OSError as e:  # too few descriptors or processes allowed (ulimit)
                    if given:
                        raise DigitsError(f"A worker process could not be started ({e.strerror or e}); "
                                          "the rows so far are kept.") from e
                    raise _NoWorkers(e) from e
                sent += len(chunk)
            if finished and given == sent:
                break
            if _stop_asked(should_stop):
                return  # not clean: the workers are killed, a stuck one included
            try:
                for i, *fields in rows.get(timeout=STOP_POLL):
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
        gc.unfreeze()


def _stop(pool: ProcessPoolExecutor, clean: bool) -> None:
    """Shut the pool; stopped early (Ctrl+C, an error, a closed generator), kill the workers at once."""
    if clean:
        pool.shutdown(wait=True)
        return
    # No public way to end the workers before Python 3.14 (terminate_workers), and shutdown() forgets
    # them: take them first. A worker stuck in a read, or blocked sending rows nobody will read any
    # more, must not keep the run alive.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)  # (shutdown forgets it too)
    for p in processes:
        if p.is_alive():
            p.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    # Waited for by their pids: join() watches a pipe that the shut pool may close first, and then
    # returned at once while a killed worker was still alive (the stop test failed 1 run in 3).
    deadline = time.monotonic() + KILL_WAIT
    for p in processes:
        while p.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
    # The pool's manager thread closes its wake-up pipe as it ends; Python's exit handler, writing to
    # that pipe, raced it: "Exception ignored ... Bad file descriptor" after a stopped run's summary
    # (a review, 1 run in 10 on a busy machine). Once it has ended, the handler leaves the pipe alone.
    if manager is not None:
        manager.join(max(0.0, deadline - time.monotonic()))


def classify_rows(
    found: Iterable[Found],
    model: Classifier | ClassifierSpec,
    workers: int = 1,
    number: bool = False,
    start_method: str | None = None,
    should_stop: StopCheck = None,
) -> Iterator[Row]:
    """Rows in input order, each as soon as it and the ones before it are known. Closing stops the workers.

    ``model``: a Classifier used here, or the spec of a verified one (opened here, or in each
    worker: the caller's thread keeps its own interpreter). ``workers`` comes from plan_workers.
    ``start_method="spawn"`` is for callers with threads of their own (the GUI): forking a
    multi-threaded process can deadlock the child. ``should_stop``: asked every STOP_POLL seconds
    while the run waits for a file; True ends it after the rows so far (workers killed), for a
    caller that cannot close the generator while it waits inside it (the app's thread).
    """
    spec = model.spec if isinstance(model, Classifier) else model
    if workers > 1:
        found = found if isinstance(found, Sequence) else list(found)  # read again if the workers cannot start
        try:
            yield from _rows_in_workers(found, spec, workers, number, start_method, should_stop)
            return
        except _NoWorkers as e:  # before any row: the same run, in this process
            log.warning("worker processes could not be started (%s); classifying in this process",
                        e.__cause__.strerror or e.__cause__)
    clf = model if isinstance(model, Classifier) else spec.open()
    yield from recognize_files(clf, found, number, should_stop)


def rows_for_paths(paths: Sequence[str | os.PathLike], model: Classifier | ClassifierSpec, recursive: bool = True,
                   workers: int | None = None, number: bool = False, start_method: str | None = None) -> Iterator[Row]:
    """Walk once, plan, classify: the whole batch for callers that need no count first (benchmarks)."""
    found = walk(paths, recursive)
    return classify_rows(found, model, plan_workers(len(found), workers), number, start_method)
