"""Errors the engine raises, each with a message fit to show a user as it is."""


class DigitsError(Exception):
    """Base of the engine's errors: ``str(err)`` is a plain-words message."""


def needs_memory(name: str) -> str:
    """What a file that needs more memory than the system gives says (a batch's row, the Images tab)."""
    return f"{name} needs more memory than the system gives this program (it may be too large)."


class ImageLoadError(DigitsError):
    """The file is not an image we can read (missing, empty, truncated, too large, unknown format)."""


class SystemLimitError(DigitsError):
    """The system refused every file alike (too many open files, out of memory): the run stops, as
    no file's answer would be its own (20,000 good images became 16,608 error rows under ulimit -n 20)."""


class ModelError(DigitsError):
    """The model file is missing, corrupt, tampered with or not a 28x28 digit classifier."""


class OutputError(DigitsError):
    """The results file cannot be used or written: a missing folder, a full disk, another run's lock."""


class ReaderClosed(OutputError):
    """Standard output's reader stopped reading (``digits classify scans | head``): no error to report."""
