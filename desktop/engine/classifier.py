"""Run a 28x28 digit model through the TFLite interpreter (LiteRT), float or int8.

The input and output details (dtype, scale, zero point) are read from the model itself, so the
same code serves every variant the converter makes and is what the converter verifies them with.
"""
from __future__ import annotations

import errno
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from desktop.engine.errors import ModelError
from desktop.engine.native_stderr import native_stderr_silenced

try:
    from ai_edge_litert.interpreter import Interpreter
except ModuleNotFoundError as missing:  # platforms LiteRT has no wheel for
    if missing.name not in ("ai_edge_litert", "ai_edge_litert.interpreter"):
        raise  # LiteRT is there but one of its own dependencies is not: say that, not "no tflite_runtime"
    from tflite_runtime.interpreter import Interpreter  # type: ignore[no-redef]

N_CLASSES = 10
BATCH_PROBE = 3  # a model is tried on this many images at once when loaded (the engine feeds batches)


@dataclass(frozen=True)
class TensorInfo:
    index: int
    shape: tuple[int, ...]
    dtype: type
    scale: float
    zero_point: int

    @property
    def quantized(self) -> bool:
        return self.scale > 0 and np.issubdtype(self.dtype, np.integer)


def _info(d: dict) -> TensorInfo:
    scale, zero = d.get("quantization", (0.0, 0))
    return TensorInfo(d["index"], tuple(int(s) for s in d["shape"]), d["dtype"], float(scale), int(zero))


def quantize(x: np.ndarray, t: TensorInfo) -> np.ndarray:
    if not t.quantized:
        return x.astype(t.dtype, copy=False)
    info = np.iinfo(t.dtype)
    return np.clip(np.round(x / t.scale + t.zero_point), info.min, info.max).astype(t.dtype)


def dequantize(q: np.ndarray, t: TensorInfo) -> np.ndarray:
    if not t.quantized:
        return q.astype(np.float32, copy=False)
    return (q.astype(np.float32) - t.zero_point) * t.scale


def calibrate(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Temperature scaling of probabilities (T fitted on held-out data by the converter)."""
    if temperature == 1.0:
        return probs / probs.sum(axis=-1, keepdims=True)
    logits = np.log(np.clip(probs, 1e-6, 1.0)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class ClassifierSpec:
    """A model already verified (hash, manifest), as worker processes get it: open() skips the checks."""

    path: str
    num_threads: int = 1
    temperature: float = 1.0
    not_digit: Any = None  # recognize.NotDigitRule from the model's manifest; None: the engine's default

    def open(self) -> "Classifier":
        return Classifier(self.path, self.num_threads, self.temperature, self.not_digit)


class Classifier:
    """A loaded model: ``predict`` takes (n, 28, 28) floats in [0, 1] (white ink on black).

    ``temperature`` and ``not_digit`` come from the model's own manifest (model_files), so every
    answer made with this classifier is calibrated and judged by its model's rules.
    """

    def __init__(self, model_path: str | Path, num_threads: int = 1, temperature: float = 1.0, not_digit: Any = None):
        self.path = Path(model_path)
        self.num_threads = num_threads
        self.temperature = temperature
        self.not_digit = not_digit
        try:
            st = os.stat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            raise ModelError(f"The model file {self.path} is missing.") from None
        except OSError as e:  # a name too long (a hand-edited or synced setting crashed the start), no permission
            raise ModelError(f"The model file {self.path} cannot be examined ({(e.strerror or str(e)).lower()}).") from e
        if not stat.S_ISREG(st.st_mode):
            what = ("a folder, not a model file" if stat.S_ISDIR(st.st_mode) else
                    "not a regular file (a pipe or a device), so it was not opened")
            raise ModelError(f"The model file {self.path} is {what}.")
        try:
            self._open_interpreter()
        except OSError as e:
            if e.errno in (errno.EMFILE, errno.ENFILE, errno.ENOMEM):
                # The system's refusal, not the file's fault ("not a valid TFLite model" under ulimit -n 6: a hostile pass)
                raise ModelError(f"The model {self.path.name} could not be loaded: the system refused "
                                 f"({(e.strerror or str(e)).lower()}).") from e
            raise ModelError(f"{self.path.name} is not a valid TFLite model (corrupt or truncated): {e}") from e
        except Exception as e:  # the interpreter raises ValueError, RuntimeError...: all mean unusable
            raise ModelError(f"{self.path.name} is not a valid TFLite model (corrupt or truncated): {e}") from e
        inputs, outputs = self._interp.get_input_details(), self._interp.get_output_details()
        if len(inputs) != 1 or len(outputs) != 1:
            raise ModelError(f"{self.path.name} has {len(inputs)} inputs and {len(outputs)} outputs; "
                             "a digit model has one of each.")
        self.input, self.output = _info(inputs[0]), _info(outputs[0])
        if self.input.shape[1:] not in ((28, 28, 1), (28, 28)) or self.output.shape[-1] != N_CLASSES:
            raise ModelError(f"{self.path.name} takes input {list(self.input.shape)} and gives "
                             f"{list(self.output.shape)}; a digit model takes 28x28x1 and gives 10 scores.")
        for t in (self.input, self.output):
            if not np.isfinite(t.scale):
                raise ModelError(f"{self.path.name} has a quantization scale of {t.scale}; the file is damaged.")
        self._batch = self.input.shape[0]
        self.chunk = 0  # > 0: a model that takes only batches of this size, fed so (_check_batches)
        self._check_scores()
        self._check_batches()

    def _open_interpreter(self) -> None:
        """The model's interpreter, its tensors allocated at the batch size the file gives (_batch)."""
        self._interp = Interpreter(model_path=str(self.path), num_threads=self.num_threads)
        with native_stderr_silenced():
            self._interp.allocate_tensors()

    def _check_scores(self) -> None:
        """Refuse a model whose scores are not numbers: it would label every image 0 with confidence nan."""
        probe = np.zeros((2, 28, 28), np.float32)
        probe[1, 4:24, 12:16] = 1.0  # a stroke: some models only misbehave on ink
        try:
            probs = np.concatenate([self.predict(x[None]) for x in probe])  # one at a time: no resize
        except Exception as e:
            raise ModelError(f"{self.path.name} fails when run: {e}") from e
        if not np.isfinite(probs).all():
            raise ModelError(f"{self.path.name} gives NaN or infinite scores; it is not a usable digit model.")

    def _check_batches(self) -> None:
        """A model made for a fixed batch (edge devices often are) passed the one-image check, then
        every batch failed: 2,000 error rows, each error's text longer than the last (a hostile pass:
        a 102 MB results file). Such a model is fed batches of its own size instead."""
        probe = np.zeros((BATCH_PROBE, 28, 28), np.float32)
        try:
            if self._run(probe).shape == (BATCH_PROBE, N_CLASSES):
                return
        except Exception:  # LiteRT raises RuntimeError or ValueError on a failed resize
            pass
        self.chunk = max(self.input.shape[0], 1)
        self._open_interpreter()  # the failed resize may have left the interpreter unusable
        self._batch = self.input.shape[0]
        try:
            if self.predict(probe).shape == (BATCH_PROBE, N_CLASSES):
                return
        except Exception:
            pass
        raise ModelError(f"{self.path.name} answers one image at a time but not several "
                         f"(input {list(self.input.shape)}, output {list(self.output.shape)}); it cannot be used.")

    @property
    def spec(self) -> ClassifierSpec:
        return ClassifierSpec(str(self.path), self.num_threads, self.temperature, self.not_digit)

    @property
    def dtype_name(self) -> str:
        return np.dtype(self.input.dtype).name

    def _ensure_batch(self, n: int) -> None:
        if n != self._batch:
            self._interp.resize_tensor_input(self.input.index, [n, *self.input.shape[1:]])
            self._interp.allocate_tensors()
            self._batch = n

    def _run(self, images: np.ndarray) -> np.ndarray:
        """Raw scores of (n, 28, 28) images in one call of the interpreter, resized to n."""
        n = images.shape[0]
        self._ensure_batch(n)
        self._interp.set_tensor(self.input.index, quantize(images.reshape((n, *self.input.shape[1:])), self.input))
        self._interp.invoke()
        return dequantize(self._interp.get_tensor(self.output.index), self.output).reshape(-1, N_CLASSES)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (n, 10) for (n, 28, 28) images, in one call of the interpreter
        (a fixed-batch model: one call per batch of its size, the last one padded)."""
        images = np.asarray(images, dtype=np.float32)
        n = images.shape[0]
        if not self.chunk:
            probs = self._run(images).reshape(n, N_CLASSES)
        else:
            pad = -n % self.chunk
            x = np.concatenate([images, np.zeros((pad, *images.shape[1:]), np.float32)]) if pad else images
            probs = np.concatenate([self._run(x[i : i + self.chunk])[: self.chunk]
                                    for i in range(0, len(x), self.chunk)])[:n]
        return calibrate(np.clip(probs, 0.0, None) + 1e-7, self.temperature)

    def predict_one(self, image28: np.ndarray) -> np.ndarray:
        return self.predict(image28[None])[0]


def measure_latency(clf: Classifier, x: np.ndarray, repeats: int = 300, batch: int = 256) -> dict:
    """One image at a time (median and 95th percentile) and batched, in microseconds."""
    clf.predict(x[:1])
    times = []
    for i in range(repeats):
        t = time.perf_counter()
        clf.predict(x[i % len(x)][None])
        times.append(time.perf_counter() - t)
    xb = x[:batch]
    clf.predict(xb)
    t = time.perf_counter()
    for _ in range(5):
        clf.predict(xb)
    per_image = (time.perf_counter() - t) / (5 * len(xb))
    return {
        "median_us": round(float(np.median(times)) * 1e6, 1),
        "p95_us": round(float(np.percentile(times, 95)) * 1e6, 1),
        "batch_us_per_image": round(per_image * 1e6, 1),
    }
