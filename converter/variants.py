"""Keras model to the four TFLite variants: float32, float16, dynamic-range and full int8."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import keras
import numpy as np
import tensorflow as tf

VARIANTS = ("float32", "float16", "dynamic", "int8")


class NotAKerasModelError(ValueError):
    pass


def load_keras(path: Path) -> keras.Model:
    """Load with Keras' safe mode, which refuses files that would run arbitrary code."""
    if path.suffix != ".keras" or not path.is_file():
        raise NotAKerasModelError(f"{path} is not a .keras model file.")
    try:
        return keras.models.load_model(path, safe_mode=True, compile=False)
    except Exception as e:  # keras raises ValueError, OSError, zipfile errors ... for bad files
        raise NotAKerasModelError(f"{path} could not be loaded as a plain Keras model: {e}") from e


def representative(x_representative: np.ndarray) -> Iterator[list[np.ndarray]]:
    """The int8 representative data one image at a time, as the converter wants them: the images
    whose activation ranges set the int8 scales (training parts only)."""
    for img in x_representative:
        yield [img[None].astype(np.float32)]


def convert(model: keras.Model, variant: str, x_representative: np.ndarray | None = None) -> bytes:
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    if variant == "float16":
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.target_spec.supported_types = [tf.float16]
    elif variant == "dynamic":
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
    elif variant == "int8":
        if x_representative is None or len(x_representative) == 0:
            raise ValueError("int8 conversion needs representative images")
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = lambda: representative(x_representative)
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    elif variant != "float32":
        raise ValueError(f"unknown variant {variant!r}; choose from {VARIANTS}")
    return conv.convert()
