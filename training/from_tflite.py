"""A shipped int8 model back as a Keras model to train on: a second stage from the weights users have.

Only the int8 file ships (assets/digits.tflite); the Keras first stage it came from was not kept,
and one trained again from the same code and seed is another model (its letters flagged moved 83 ->
76%: README, "Tried: letters and digits drawn with a pen"). So a second stage may start from the
shipped file itself (``digits-train run --start-from assets/digits.tflite``).

The converter folded each batch norm into its convolution (a weight and a bias per channel), and
quantized both per channel. Dequantized, they go back into ``product_cnn``'s layers: the kernel into
the convolution, and the folded bias into a batch norm set to pass its input through unchanged,
plus that bias, in training mode as in inference: its scale and shift are the batch statistics of
its input on MNIST training digits, which training mode divides out again. (A batch norm set to the
identity by its moving statistics alone normalised each batch in training mode, and the first steps
lost what the model knew.)
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

CONV_SUFFIX = "/convolution"  # the converter's names for a convolution's folded kernel...
BIAS_MARK = "batch_normalization"  # ...and for its folded bias (fused with the ReLU)
DENSE_KERNEL, DENSE_BIAS = "dense_1/MatMul", "dense_1/BiasAdd"
STATS_DIGITS = 5_000  # MNIST training digits the batch statistics are measured on
STATS_BATCH = 500


class ModelMismatch(ValueError):
    """The .tflite file's layers are not the Keras model's."""


def _dequantized(path: Path) -> dict[str, np.ndarray]:
    """Each per-channel quantized constant (kernels and biases) of the file, by name, as float32."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(str(path))
    out = {}
    for t in interpreter.get_tensor_details():
        scales = t["quantization_parameters"]["scales"]
        if len(scales) > 1:  # per channel: the weights and biases (activations have one scale)
            values = interpreter.get_tensor(t["index"]).astype(np.float64)
            out[t["name"]] = (values * scales.reshape((-1,) + (1,) * (values.ndim - 1))).astype(np.float32)
    return out


def keras_from_tflite(path: Path, model: keras.Model, digits: np.ndarray) -> keras.Model:
    """``model`` (built, untrained: conv-BN-ReLU blocks and a dense head, as training.models._vgg_style)
    with the weights of the int8 file at ``path``; ``digits``: model inputs (n, 28, 28, 1) in 0..1
    for the batch statistics. ModelMismatch when the file's layers are not the model's."""
    tensors = _dequantized(path)
    # The file lists its layers from the output back to the input; each folded bias's name lists
    # the convolution it was folded into (fused names are joined by ";").
    kernels = [n for n in tensors if n.endswith(CONV_SUFFIX)][::-1]
    biases = [next((b for b in tensors if BIAS_MARK in b and k in b.split(";")), "") for k in kernels]
    dense_kernel = [n for n in tensors if n.endswith(DENSE_KERNEL)]
    dense_bias = [n for n in tensors if n.endswith(DENSE_BIAS)]
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if not (len(kernels) == len(biases) == len(convs) == len(norms)) or not all(biases) or len(dense) != 1 \
            or len(dense_kernel) != 1 or len(dense_bias) != 1:
        raise ModelMismatch(f"{path} has {len(kernels)} convolutions and {len(dense_kernel)} dense layers; "
                            f"{model.name} has {len(convs)} and {len(dense)}")
    for conv, name in zip(convs, kernels):
        kernel = tensors[name].transpose(1, 2, 3, 0)  # (out, h, w, in) -> Keras's (h, w, in, out)
        if kernel.shape != tuple(conv.kernel.shape):
            raise ModelMismatch(f"{path}'s {name} is {kernel.shape}; {model.name}'s {conv.name} is {tuple(conv.kernel.shape)}")
        conv.set_weights([kernel])
    for norm, name in zip(norms, biases):  # first the identity plus the bias, layer by layer...
        bias = tensors[name]
        norm.set_weights([np.ones_like(bias), bias, np.zeros_like(bias), np.full_like(bias, 1.0 - norm.epsilon)])
    for conv, norm, name in zip(convs, norms, biases):  # ...then each one's statistics, in order
        z = keras.Model(model.input, conv.output).predict(digits, batch_size=STATS_BATCH, verbose=0)
        z = z.reshape(-1, z.shape[-1])
        mean, var = z.mean(axis=0), z.var(axis=0)
        norm.set_weights([np.sqrt(var + norm.epsilon), mean + tensors[name], mean, var])
    dense[0].set_weights([tensors[dense_kernel[0]].T, tensors[dense_bias[0]]])
    return model


def write_start(path: Path, out: Path, build: Callable[[], keras.Model], x_train: np.ndarray, seed: int) -> Path:
    """The shipped file at ``path`` as a Keras model built by ``build``, saved at ``out`` (a second
    stage's init_from in its run folder); batch statistics from STATS_DIGITS of ``x_train`` (uint8)."""
    from training.train import to_input

    order = np.random.default_rng(seed).permutation(len(x_train))[:STATS_DIGITS]
    model = keras_from_tflite(Path(path), build(), to_input(x_train[order]))
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    return out
