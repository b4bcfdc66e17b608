"""Digit Recognizer: the desktop app and the batch CLI, on the TFLite interpreter alone."""

__version__ = "1.0.0"  # the one version: pyproject, --version, About and the .deb read it
