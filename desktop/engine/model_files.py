"""Where the shipped model lives, its manifest, and the check that the file is the one shipped.

A model is loaded with the settings its own manifest gives it (temperature, not-a-digit rule):
the shipped one from ``assets/``, a chosen ``.tflite`` from a ``manifest.json`` beside it that
names it and matches its hash (else the engine's defaults).
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import sys
from pathlib import Path

from desktop.engine.classifier import Classifier
from desktop.engine.errors import DigitsError, ModelError
from desktop.engine.recognize import rule_from_manifest

log = logging.getLogger("digits.model")

ENV_ASSETS = "DIGITS_ASSETS"
MANIFEST = "manifest.json"
METRICS = "metrics.json"


def assets_dir() -> Path:
    """``$DIGITS_ASSETS``, the PyInstaller bundle's copy, or the repository's ``assets/``."""
    if os.environ.get(ENV_ASSETS):
        return Path(os.environ[ENV_ASSETS])
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "assets"
    return Path(__file__).resolve().parents[2] / "assets"


def sha256(path: str | os.PathLike) -> str:
    """The file's SHA-256 in hex, read in 1 MiB blocks (the one hash helper: models, data sets)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def read_manifest(directory: Path | None = None) -> dict:
    """The manifest, checked: anything a loader relies on that is missing or of the wrong type is a ModelError."""
    path = (directory or assets_dir()) / MANIFEST
    try:
        manifest = json.loads(path.read_bytes())
    except FileNotFoundError as e:
        raise ModelError(f"The model manifest {path} is missing; the installation is incomplete.") from e
    except OSError as e:
        raise ModelError(f"The model manifest {path} cannot be read ({e.strerror or e}).") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ModelError(f"The model manifest {path} is damaged ({e}).") from e
    problem = _manifest_problem(manifest)
    if problem:
        raise ModelError(f"The model manifest {path} is damaged: {problem}; reinstall the application.")
    return manifest


def _manifest_problem(m: object) -> str:
    """What is wrong with a parsed manifest, in words, or "" when nothing is."""
    if not isinstance(m, dict):
        return f"it holds a JSON {type(m).__name__}, not an object"
    name = m.get("model_file")
    if not isinstance(name, str) or not name or Path(name).name != name:
        return '"model_file" is missing or not a plain file name'
    digest = m.get("sha256")
    if not (isinstance(digest, str) and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
        return '"sha256" is missing or not 64 hexadecimal digits'
    t = m.get("temperature", 1.0)
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t <= 0:
        return '"temperature" is not a positive number'
    return ""


def read_metrics(directory: Path | None = None) -> dict:
    path = (directory or assets_dir()) / METRICS
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def files_of(model: str | None) -> list[Path]:
    """The files a model is read from (a chosen .tflite, or the shipped ones) and its manifest and
    metrics beside it: what no results file may be written over (``--out m.tflite --overwrite``
    replaced a model with 2.7 KB of CSV: a hostile pass)."""
    folder = assets_dir() if model is None else Path(model).parent
    models = [Path(model)] if model is not None else sorted(folder.glob("*.tflite"))
    return [*models, folder / MANIFEST, folder / METRICS]


def load_shipped(directory: Path | None = None, num_threads: int = 1) -> Classifier:
    """The shipped model, refused unless its sha256 matches the manifest."""
    directory = directory or assets_dir()
    manifest = read_manifest(directory)
    path = directory / manifest["model_file"]
    if not os.path.isfile(path):
        raise ModelError(f"The shipped model {path} is missing; reinstall the application.")
    try:
        actual = sha256(path)
    except OSError as e:
        raise ModelError(f"The shipped model {path} cannot be read ({e.strerror or e}).") from e
    if actual != manifest["sha256"]:
        raise ModelError(f"The shipped model {path.name} has been modified or damaged: its sha256 is "
                         f"{actual[:12]}..., the manifest says {manifest['sha256'][:12]}.... Reinstall it.")
    return _with_manifest(path, manifest, num_threads)


def _with_manifest(path: Path, manifest: dict, num_threads: int) -> Classifier:
    return Classifier(path, num_threads=num_threads, temperature=float(manifest.get("temperature", 1.0)),
                      not_digit=rule_from_manifest(manifest.get("not_digit")))


def own_manifest(path: Path) -> dict | None:
    """The ``manifest.json`` beside a chosen model, if it names this file; None if there is none or it
    names another. ModelError if it names this file and its sha256 differs."""
    try:
        manifest = read_manifest(path.parent)
        if manifest["model_file"] != path.name:
            return None
        actual = sha256(path)
    except (DigitsError, OSError):
        return None
    if actual != manifest["sha256"]:
        # A copy of the shipped model with 4,000 bytes flipped still loaded (its shape is checked,
        # not its weights): a warning about "another build", rows of wrong answers, exit 0 (a
        # hostile pass). The manifest cannot say which of the two changed, so neither is trusted.
        raise ModelError(f"The model {path.name} does not match the {MANIFEST} beside it (its sha256 is "
                         f"{actual[:12]}..., the manifest says {str(manifest['sha256'])[:12]}...): the model "
                         f"is damaged, or the manifest is another build's. Put the model's own {MANIFEST} "
                         "beside it, or move it to a folder of its own to use it without one.")
    return manifest


def load_model(path: str | Path | None = None, num_threads: int = 1) -> Classifier:
    """A user-chosen ``.tflite`` (validated by Classifier) with its own manifest's settings, or the shipped one."""
    if path is None:
        return load_shipped(num_threads=num_threads)
    path = Path(path)
    # os.path.isfile, never Path.is_file: a name too long raised from it (Python 3.11) and crashed the start.
    is_file = os.path.isfile(path)
    manifest = own_manifest(path) if is_file else None
    if manifest is None and is_file:
        manifest = _shipped_manifest_of(path)
    if manifest is None:
        clf = Classifier(path, num_threads=num_threads)
        # Its answers differ from the same network's with its calibration and rule: said once, for a
        # usable model.
        if not (path.parent / MANIFEST).exists():
            log.warning("%s has no %s beside it: its confidences are uncalibrated and not-a-digit uses the "
                        "engine's default rule", path.name, MANIFEST)
        return clf
    return _with_manifest(path, manifest, num_threads)


def _shipped_manifest_of(path: Path) -> dict | None:
    """The shipped manifest, when ``path`` is a copy of the shipped model (the same sha256), else None."""
    try:
        manifest = read_manifest()
        if path.stat().st_size != manifest.get("bytes", path.stat().st_size):
            return None  # not hashed: a large file chosen by mistake would cost seconds
        return manifest if sha256(path) == manifest["sha256"] else None
    except (DigitsError, OSError):
        return None
