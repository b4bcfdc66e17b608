"""Write the shipped model, its manifest, metrics and self-test digits into ``assets/``."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from desktop.engine.classifier import Classifier
from desktop.engine.model_files import sha256
from training.runs import write_json

MODEL_FILE = "digits.tflite"


def tensor_manifest(t) -> dict:
    return {"shape": list(t.shape), "dtype": np.dtype(t.dtype).name, "scale": t.scale, "zero_point": t.zero_point}


def ship(
    model_path: Path,
    out: Path,
    *,
    temperature: float,
    source: dict,
    versions: dict,
    variants: dict,
    comparison: dict,
    extra: dict,
    selftest: tuple[np.ndarray, np.ndarray],
) -> Path:
    """Copy ``model_path`` into ``out`` with everything the app and the tests read beside it."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / MODEL_FILE
    shutil.copyfile(model_path, target)
    clf = Classifier(target, temperature=temperature)
    x_self, y_self = selftest
    probs = clf.predict(x_self.astype(np.float32) / 255.0)
    np.savez_compressed(out / "selftest.npz", x=x_self, y=y_self, confidence=probs.max(axis=1).round(4))
    manifest = {
        "model_file": MODEL_FILE,
        "sha256": sha256(target),
        "bytes": target.stat().st_size,
        "input": tensor_manifest(clf.input),
        "output": tensor_manifest(clf.output),
        "labels": [str(i) for i in range(10)],
        "temperature": temperature,
        "source": source,
        "versions": versions,
        "verification": variants,
        **extra,
    }
    write_json(out / "manifest.json", manifest)
    write_json(out / "metrics.json", {"comparison": comparison, "variants": variants, **extra})
    return target
