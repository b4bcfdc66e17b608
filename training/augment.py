"""On-the-fly augmentation: small affine changes and elastic distortion (Simard et al., 2003).

Elastic distortion bends strokes the way different hands do. Here it did not pay: as a second
bilinear resampling on top of the affine one it trains on blurred digits, and the compact CNN
fell to 95-96% on MNIST test (98.6% at best after re-estimating batch norm; README, training).
No model in ``training.models.MODELS`` uses it; the ``compact_cnn_elastic*`` candidates keep the
experiment repeatable. The shipped model's 99.6%+ came from width, epochs and batch-norm
re-estimation with the affine augmentation alone.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops


class RandomElastic(keras.layers.Layer):
    """Displace every pixel by a smooth random field: uniform noise, Gaussian-blurred, scaled."""

    def __init__(self, alpha: float = 34.0, sigma: float = 4.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.alpha, self.sigma, self.seed = alpha, sigma, seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        r = int(2 * sigma)
        k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
        self._k = (k / k.sum()).astype("float32")

    def call(self, x, training=True):
        if not training:
            return x
        shape = ops.shape(x)
        b, h, w = shape[0], shape[1], shape[2]
        field = keras.random.uniform((b, h, w, 2), -1.0, 1.0, seed=self.seed_generator)
        k = ops.convert_to_tensor(self._k)
        kx = ops.tile(ops.reshape(k, (1, -1, 1, 1)), (1, 1, 2, 1))
        ky = ops.tile(ops.reshape(k, (-1, 1, 1, 1)), (1, 1, 2, 1))
        field = ops.depthwise_conv(ops.depthwise_conv(field, kx, padding="same"), ky, padding="same") * self.alpha
        rows = ops.cast(ops.arange(h), "float32")[None, :, None]
        cols = ops.cast(ops.arange(w), "float32")[None, None, :]
        y = ops.clip(rows + field[..., 0], 0.0, ops.cast(h - 1, "float32"))
        xx = ops.clip(cols + field[..., 1], 0.0, ops.cast(w - 1, "float32"))
        # Bilinear sampling of each image at (y, x), by gathers on the flattened batch.
        y0, x0 = ops.floor(y), ops.floor(xx)
        wy, wx = y - y0, xx - x0
        y0, x0 = ops.cast(y0, "int32"), ops.cast(x0, "int32")
        y1, x1 = ops.minimum(y0 + 1, h - 1), ops.minimum(x0 + 1, w - 1)
        flat = ops.reshape(x, (-1,))
        base = (ops.arange(b, dtype="int32") * (h * w))[:, None, None]

        def at(yy, xi):
            return ops.take(flat, base + yy * w + xi)

        top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx
        bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx
        return ops.expand_dims(top * (1 - wy) + bottom * wy, -1)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "sigma": self.sigma, "seed": self.seed}
