"""Digit Recognizer: the desktop app and the batch CLI, on the TFLite interpreter alone."""
import os
import sys

__version__ = "1.0.0"  # the one version: pyproject, --version, About and the .deb read it

# One BLAS thread per process, set before numpy loads OpenBLAS (a user's own setting wins): the
# engine's matrices are small (resizes of a few hundred pixels), and beside -j workers or other work
# on the cores OpenBLAS's threads wait on each other. A hostile pass: 20 number images took 26 s with
# OpenBLAS's default of two threads while the cores were busy, 2.9 s with one. Once numpy is loaded
# the setting does nothing here, and is left out of the environment its subprocesses inherit.
if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
