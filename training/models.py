"""The models compared: the original study's three, exactly, and two compact CNNs of ours.

Each entry of ``MODELS`` says how to build the network and how the study or we train it.
``PRODUCT_MODEL`` names the shipped model (``compact_cnn_w17``); converter/ turns it into the
shipped int8 file. ``product_cnn`` is its candidate successor.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import keras
from keras import layers

INPUT_SHAPE = (28, 28, 1)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    build: Callable[[], keras.Model]
    epochs: int
    batch_size: int
    augment: bool  # small rotations, shifts and zoom on the fly
    schedule: bool  # warm-up then cosine decay of the learning rate, AdamW
    expected_params: int | None = None  # the study's published count, asserted by tests
    elastic: bool = False  # elastic distortion on top of the affine augmentation
    other_writers: bool = False  # also train on other writers' digits and non-digits (training.product_data)
    outlier_weight: float = 0.0  # lambda of outlier exposure: cross-entropy to uniform on non-digits


def simple_nn() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            layers.Flatten(),
            layers.Dense(784, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="simple_nn",
    )


def simple_cnn() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            layers.Conv2D(32, 5, activation="relu"),
            layers.MaxPooling2D(),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="simple_cnn",
    )


def larger_cnn() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            layers.Conv2D(30, 5, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(15, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(50, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="larger_cnn",
    )


def _conv_bn_relu(x, filters: int, padding: str = "same"):
    # The conv needs no bias: batch norm's shift does that job and folds into it on conversion.
    x = layers.Conv2D(filters, 3, padding=padding, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def _vgg_style(name: str, width: int, full_res_convs: int = 1, block_dropout: float = 0.0) -> keras.Model:
    """Conv-BN-ReLU blocks, global average pooling: few parameters, few multiply-adds.

    Chosen after timing int8 candidates through LiteRT: at width 16 with one full-resolution
    conv this runs one image in about 15 us; a second conv at 28x28 costs few parameters but
    most of the multiply-adds, and is what lifted test accuracy past 99.5% (see the README).
    """
    inputs = keras.Input(INPUT_SHAPE)
    x = inputs
    for _ in range(full_res_convs):
        x = _conv_bn_relu(x, width)
    x = layers.MaxPooling2D()(x)
    if block_dropout:
        x = layers.Dropout(block_dropout)(x)
    x = _conv_bn_relu(x, 2 * width)
    x = _conv_bn_relu(x, 2 * width)
    x = layers.MaxPooling2D()(x)
    if block_dropout:
        x = layers.Dropout(block_dropout)(x)
    x = _conv_bn_relu(x, 4 * width)
    x = _conv_bn_relu(x, 4 * width, padding="valid")
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs, name=name)


def compact_cnn() -> keras.Model:
    return _vgg_style("compact_cnn", 16, full_res_convs=2)


def tiny_cnn() -> keras.Model:
    return _vgg_style("tiny_cnn", 8)


MODELS: dict[str, ModelSpec] = {
    s.name: s
    for s in [
        ModelSpec("simple_nn", "Simple neural network (study)", simple_nn, 10, 200, False, False, 623_290),
        ModelSpec("simple_cnn", "Simple CNN (study)", simple_cnn, 10, 200, False, False, 592_074),
        ModelSpec("larger_cnn", "Larger CNN (study)", larger_cnn, 10, 200, False, False, 59_933),
        ModelSpec("tiny_cnn", "Tiny CNN, BN + augmentation", tiny_cnn, 20, 128, True, True),
        ModelSpec("compact_cnn", "Compact CNN, BN + augmentation", compact_cnn, 50, 128, True, True),
    ]
}
# The shipped model: compact_cnn_w17 (chosen among the candidates below by validation accuracy,
# 99.58% against compact_cnn's 99.54%), MNIST only. Its successor, product_cnn (the same network
# on MNIST, other writers' digits and generated non-digits with outlier exposure,
# `digits-train run --models product_cnn`), is not shipped yet: 25 epochs reached 99.41% on MNIST
# test as int8, under the 99.6% bar (README, training section).
PRODUCT_MODEL = "compact_cnn_w17"
PRODUCT_WIDTH = 17  # 17 is the widest that stays under 100 KB as int8 (95.6 KB)
PRODUCT_EPOCHS = 40  # 733 steps an epoch (55k MNIST + 27k other writers + 12k non-digits): 55-95 s on 2 cores; 25 reached 99.41%
OUTLIER_WEIGHT = 0.5  # Hendrycks et al. (2019) use 0.5 for vision


def product_cnn(width: int = PRODUCT_WIDTH, full_res_convs: int = 2) -> keras.Model:
    return _vgg_style("product_cnn", width, full_res_convs)

# Candidates tried for the product model (digits-train run --models NAME trains any of them);
# the README records what each reached.
CANDIDATES: dict[str, ModelSpec] = {
    s.name: s
    for s in [
        ModelSpec("compact_cnn_1conv", "Compact CNN, one 28x28 conv", lambda: _vgg_style("compact_cnn_1conv", 16),
                  50, 128, True, True),
        ModelSpec("compact_cnn_w17", "Compact CNN, width 17, 60 epochs (product)",
                  lambda: _vgg_style("compact_cnn_w17", 17, 2), 60, 128, True, True),
        ModelSpec("compact_cnn_elastic", "Compact CNN + elastic distortion",
                  lambda: _vgg_style("compact_cnn_elastic", 16, 2), 40, 128, True, True, elastic=True),
        ModelSpec("compact_cnn_elastic_dropout", "Compact CNN + elastic + block dropout",
                  lambda: _vgg_style("compact_cnn_elastic_dropout", 16, 2, 0.15), 40, 128, True, True, elastic=True),
        ModelSpec("product_cnn", "Product CNN: + other writers, non-digits (outlier exposure)", product_cnn,
                  PRODUCT_EPOCHS, 128, True, True, other_writers=True, outlier_weight=OUTLIER_WEIGHT),
    ]
}
ALL_MODELS = {**MODELS, **CANDIDATES}
