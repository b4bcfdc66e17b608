"""Work done by a thread of its own, newest request first, each result handed to the window's thread.

Reading a large image holds the window's thread too long: a 64 MP 16-bit PNG 0.74-0.92 s each time
it was chosen in the Images tab, and a batch table painting the thumbnails of 50 such files froze
19.5 s (hostile passes). A NewestFirst runs ``work`` on one daemon thread, the newest request first
(what is on screen now), keeping at most ``keep`` waiting (older ones are dropped: they are asked
for again when needed), and emits ``done`` on the window's thread. One thread, not one per
request: arrowing through a list of such images started a decode per step, 2 GB at once (a review).

The thread holds nothing of the window: it stops when its NewestFirst is destroyed, and never emits
after that (the flag is read and the signal emitted under one lock, which destruction takes).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtCore import QObject, Signal


class _Queue:
    """The requests waiting, shared by the window's thread and the worker (under ``lock``)."""

    def __init__(self, keep: int):
        self.keep = keep
        self.pending: OrderedDict[Hashable, None] = OrderedDict()
        self.lock = threading.Condition()
        self.generation = 0  # bumped by clear(): a result for an older generation is dropped
        self.stopped = False


def _stop(queue: _Queue) -> None:
    with queue.lock:
        queue.stopped = True
        queue.pending.clear()
        queue.lock.notify_all()


def _serve(queue: _Queue, work: Callable[[Any], Any], emit: Callable[[object, int, object], None]) -> None:
    while True:
        with queue.lock:
            while not queue.pending and not queue.stopped:
                queue.lock.wait()
            if queue.stopped:
                return
            request, _ = queue.pending.popitem(last=True)
            generation = queue.generation
        try:
            result = work(request)
        except Exception as e:  # a MemoryError too: said by the caller, not lost with the thread
            result = e
        with queue.lock:
            if queue.stopped:
                return
            emit(request, generation, result)


class NewestFirst(QObject):
    done = Signal(object, object)  # a request, and what ``work`` returned for it (or the exception it raised)
    _result = Signal(object, int, object)  # from the worker: request, generation, result

    def __init__(self, work: Callable[[Any], Any], keep: int = 1, parent: QObject | None = None):
        super().__init__(parent)
        self._work = work
        self._queue = queue = _Queue(keep)
        self._thread: threading.Thread | None = None
        self._result.connect(self._deliver)
        self.destroyed.connect(lambda *_: _stop(queue))

    def request(self, key: Hashable) -> None:
        """Do ``work(key)`` soon, before anything asked for earlier; once only while it waits."""
        with self._queue.lock:
            pending = self._queue.pending
            pending[key] = None
            pending.move_to_end(key)
            while len(pending) > self._queue.keep:
                pending.popitem(last=False)
            if self._thread is None:
                self._thread = threading.Thread(target=_serve, args=(self._queue, self._work, self._result.emit),
                                                name="background reads", daemon=True)
                self._thread.start()
            self._queue.lock.notify()

    def clear(self) -> None:
        """Forget every request, and the result of any being worked on."""
        with self._queue.lock:
            self._queue.pending.clear()
            self._queue.generation += 1

    def stop(self) -> None:
        """End the thread (it finishes the work in hand first, and says nothing of it)."""
        _stop(self._queue)

    def _deliver(self, request: object, generation: int, result: object) -> None:
        if generation == self._queue.generation:
            self.done.emit(request, result)
