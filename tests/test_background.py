"""background.NewestFirst: work on a thread of its own, newest request first, results on the window's thread."""
import threading
import time

from desktop.app.background import NewestFirst


def test_newest_first_at_most_keep_waiting_and_errors_delivered(qtbot):
    gate = threading.Event()
    seen = []

    def work(n):
        gate.wait(5)  # the first request holds the thread while the rest queue up
        if n == "boom":
            raise MemoryError("no room")
        return n * 10

    reader = NewestFirst(work, keep=2)
    got = []
    reader.done.connect(lambda req, res: got.append((req, res)))
    on_thread = []
    reader.done.connect(lambda *_: on_thread.append(threading.current_thread() is threading.main_thread()))
    reader.request(1)
    time.sleep(0.2)  # 1 is in hand
    for n in (2, 3, "boom", 4):
        reader.request(n)  # keep=2: 2 and 3 dropped, "boom" and 4 wait
    gate.set()
    qtbot.waitUntil(lambda: len(got) == 3, timeout=5000)
    assert [r for r, _ in got] == [1, 4, "boom"]  # the newest first
    assert got[0][1] == 10 and got[1][1] == 40 and isinstance(got[2][1], MemoryError)
    assert all(on_thread)  # delivered on the window's thread
    seen.append(reader)


def test_cleared_and_stopped_readers_say_nothing(qtbot):
    gate = threading.Event()
    reader = NewestFirst(lambda n: gate.wait(5) and n, keep=4)
    got = []
    reader.done.connect(lambda req, res: got.append(req))
    reader.request(1)
    time.sleep(0.1)
    reader.clear()  # 1, in hand, is dropped when it ends
    gate.set()
    qtbot.wait(300)
    assert got == []
    reader.request(2)
    qtbot.waitUntil(lambda: got == [2], timeout=5000)
    thread = reader._thread
    reader.stop()
    thread.join(2)
    assert not thread.is_alive()  # the thread ends with its reader


def test_the_thread_ends_when_its_reader_is_destroyed(qtbot):
    from PySide6.QtCore import QObject

    owner = QObject()
    reader = NewestFirst(lambda n: n, keep=1, parent=owner)
    got = []
    reader.done.connect(lambda req, res: got.append(req))
    reader.request(1)
    qtbot.waitUntil(lambda: got == [1], timeout=5000)
    thread = reader._thread
    owner.deleteLater()  # the window closed: its reader with it
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=5000)
