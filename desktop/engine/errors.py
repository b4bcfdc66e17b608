"""Errors the engine raises, each with a message fit to show a user as it is."""


class DigitsError(Exception):
    """Base of the engine's errors: ``str(err)`` is a plain-words message."""


class ImageLoadError(DigitsError):
    """The file is not an image we can read (missing, empty, truncated, too large, unknown format)."""


class ModelError(DigitsError):
    """The model file is missing, corrupt, tampered with or not a 28x28 digit classifier."""


class OutputError(DigitsError):
    """The results file cannot be used or written: a missing folder, a full disk, another run's lock."""


class ReaderClosed(OutputError):
    """Standard output's reader stopped reading (``digits classify scans | head``): no error to report."""
