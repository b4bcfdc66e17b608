"""Train one model spec, reproducibly, with or without augmentation and an LR schedule."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from training.augment import RandomElastic
from training.crowded import crowded_digits
from training.data import Split
from training.models import ModelSpec

# Augmentation (the usual MNIST recipe, and what users' off-centre, tilted drawings need).
ROTATION = 10 / 360  # up to ~10 degrees, as a share of a full turn
SHIFT = 0.1  # up to 10% of the image, each axis
ZOOM = 0.1  # 0.9-1.1
# The scheduled recipe (``spec.schedule``): linear warm-up to PEAK_LR over one epoch (at most a
# fifth of training), then cosine decay to FINAL_LR_SHARE of it; AdamW with weight averaging.
START_LR, PEAK_LR, FINAL_LR_SHARE = 1e-4, 3e-3, 0.01
INIT_LR_SHARE = 0.1  # a second stage (ModelSpec.init_from) starts from trained weights: a tenth of the rates
BAR_ASPECT = 0.4  # a non-digit whose ink box is narrower than this share of its height is a 1 in some hand
# A second stage also trains on crisp digits: MNIST's are all anti-aliased, so a model shown crisp
# non-digits (fonts, boxes, noise) learnt that hard pixel-aligned edges are not a digit, and a
# ruler-straight upright 1 (crisp edges once scaled) got a flat softmax. product_cnn_crowded (tried,
# not shipped) also adds crowded digits (training.crowded: digits as number mode cuts them from
# numbers whose digits touch or overlap) and narrow digits (narrow_digits).
CRISP_MNIST = 10_000  # MNIST training digits thresholded at half ink
STRAIGHT_ONES = 2_000  # straight strokes drawn as a 1: upright within STRAIGHT_LEAN degrees, 2-30 px pens
STRAIGHT_LEAN = 12.0
# Narrow digits: people write digits in a number narrow (a 0 a third as wide as it is tall), MNIST's
# are seldom so; a model that had learnt crowded digits (a 1 with slivers of its neighbours) read a
# narrow drawn 0 as a 1. MNIST training digits squeezed to NARROW_ASPECT.
NARROW = 6_000
# Of each kind a second stage adds (ModelSpec.extra_negatives; training.negatives.EXTRA_KINDS, a test
# checks both name the same kinds): letters come in more shapes than "?".
EXTRA_NEGATIVES = {"question_mark": 2_000, "pen_letter": 4_000, "pen_symbol": 1_500}
PEN_DIGITS = 4_000  # digits drawn with the pen letters' pens and faces (pen_digits)
NARROW_ASPECT = (0.33, 0.65)  # width / height after squeezing (1s, already narrow, are left out)
NARROW_SCALE = 4  # squeezed at 4x MNIST's size...
NARROW_THIN = 4  # ...and thinned by 0 to this many of those pixels (MNIST's stroke is ~10 of them)
WEIGHT_DECAY = 5e-3
EMA_MOMENTUM = 0.999  # weight averaging over ~2 epochs
# Batch-norm statistics re-estimated on clean digits after augmented training.
BN_BATCH, BN_LIMIT = 500, 50_000


@dataclass
class Trained:
    model: keras.Model
    history: dict[str, list[float]]
    seconds: float
    epochs_run: int
    interrupted: bool


def seed_everything(seed: int) -> None:
    """Same seed, same machine, same models: seeds every RNG and asks TF for deterministic ops."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def to_input(x: np.ndarray) -> np.ndarray:
    """uint8 (n, 28, 28) to the float (n, 28, 28, 1) in [0, 1] that every model takes."""
    return (x.astype("float32") / 255.0)[..., None]


def augmenter(seed: int, elastic: bool = False) -> keras.Sequential:
    steps = [
        keras.layers.RandomRotation(ROTATION, fill_mode="constant", seed=seed),
        keras.layers.RandomTranslation(SHIFT, SHIFT, fill_mode="constant", seed=seed + 1),
        keras.layers.RandomZoom(ZOOM, fill_mode="constant", seed=seed + 2),
    ]
    if elastic:
        steps.append(RandomElastic(seed=seed + 3))
    return keras.Sequential(steps, name="augment")


def _dataset(x, y, batch: int, seed: int, augment: bool, elastic: bool = False, w=None) -> tf.data.Dataset:
    parts = (x, y) if w is None else (x, y, w)
    ds = tf.data.Dataset.from_tensor_slices(parts).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch)
    if augment:
        aug = augmenter(seed, elastic)
        ds = ds.map(lambda a, *rest: (aug(a, training=True), *rest), num_parallel_calls=1, deterministic=True)
    return ds.prefetch(2)


def outlier_exposure_targets(y_digits: np.ndarray, n_neg: int, weight: float, n_mnist: int = 0,
                             mnist_weight: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Soft targets and sample weights: one-hot for digits, uniform (0.1 each) for the ``n_neg``
    non-digits weighted ``weight``. Categorical cross-entropy on them is the outlier-exposure loss
    CE(digits) + weight * CE(uniform, non-digits) (Hendrycks et al., 2019); labels stay 0-9.
    The first ``n_mnist`` digits (MNIST's) are weighted ``mnist_weight`` (ModelSpec.mnist_weight)."""
    targets = np.concatenate([np.eye(10, dtype="float32")[y_digits], np.full((n_neg, 10), 0.1, "float32")])
    weights = np.concatenate([np.ones(len(y_digits), "float32"), np.full(n_neg, weight, "float32")])
    weights[:n_mnist] = mnist_weight
    return targets, weights


def _optimizer(spec: ModelSpec, steps_per_epoch: int, epochs: int) -> keras.optimizers.Optimizer:
    if not spec.schedule:
        return keras.optimizers.Adam()  # the study's recipe
    total = steps_per_epoch * epochs
    warmup = min(steps_per_epoch, total // 5)
    share = INIT_LR_SHARE if spec.init_from else 1.0
    lr = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=START_LR * share, decay_steps=max(1, total - warmup), alpha=FINAL_LR_SHARE,
        warmup_target=PEAK_LR * share, warmup_steps=warmup,
    )
    # Weight averaging (EMA over ~2 epochs) smooths the last epochs' noise: the final weights
    # are the average, which generalises better than the last step's.
    return keras.optimizers.AdamW(learning_rate=lr, weight_decay=WEIGHT_DECAY, use_ema=True, ema_momentum=EMA_MOMENTUM)


def is_bar(x28: np.ndarray, level: int = 77) -> bool:
    """Ink (uint8 model input, white on black) whose box is a narrow upright bar: a 1 in some hand."""
    ys, xs = np.nonzero(x28 > level)
    return bool(len(xs)) and (np.ptp(xs) + 1) < BAR_ASPECT * (np.ptp(ys) + 1)


def crisp_digits(split: Split, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Thresholded MNIST training digits and straight-stroke 1s (uint8 model inputs, and labels)."""
    from PIL import Image, ImageDraw

    from desktop.engine.preprocess import preprocess

    rng = np.random.default_rng([seed, 1])
    idx = rng.choice(len(split.x_train), min(CRISP_MNIST, len(split.x_train)), replace=False)
    x = [np.where(split.x_train[idx] > 127, 255, 0).astype(np.uint8)]
    ones = []
    for _ in range(STRAIGHT_ONES):
        h = rng.uniform(120, 240)
        top, cx = rng.uniform(20, 260 - h), 140 + rng.uniform(-40, 40)
        dx = np.tan(np.radians(rng.uniform(-STRAIGHT_LEAN, STRAIGHT_LEAN))) * h / 2
        im = Image.new("L", (280, 280), 255)
        ImageDraw.Draw(im).line((cx - dx, top, cx + dx, top + h), fill=0, width=int(rng.integers(2, 31)))
        one = preprocess(np.asarray(im, np.float32) / 255).input28
        if one is not None:
            ones.append(np.round(np.clip(one, 0, 1) * 255).astype(np.uint8))
    x.append(np.stack(ones))
    return np.concatenate(x), np.concatenate([split.y_train[idx], np.ones(len(ones), split.y_train.dtype)])


def narrow_digits(split: Split, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """MNIST training digits (not 1s) squeezed sideways, as uint8 model inputs, and their labels."""
    from PIL import Image, ImageFilter

    from desktop.engine.preprocess import preprocess, stroke_width

    rng = np.random.default_rng([seed, 3])
    xs, ys = [], []
    for i in rng.permutation(len(split.x_train)):
        if len(xs) == NARROW:
            break
        im, label = split.x_train[i], split.y_train[i]
        rows, cols = np.flatnonzero(im.max(axis=1)), np.flatnonzero(im.max(axis=0))
        if label == 1 or rows.size == 0:
            continue
        digit = im[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        h, w = digit.shape
        width = round(h * rng.uniform(*NARROW_ASPECT))
        if width >= w:
            continue  # already that narrow
        # At NARROW_SCALE x, so that strokes can be thinned as well: a pen thinner than MNIST's
        # (drawn digits are) makes a narrow 0 a thin ring, which MNIST's thick ones do not teach.
        big = Image.fromarray(digit).resize((max(width, 2) * NARROW_SCALE, h * NARROW_SCALE), Image.Resampling.BILINEAR)
        # Thinned by r, a stroke loses 2r: keep at least 40% of it, or thin strokes break apart
        thin = int(rng.integers(0, min(NARROW_THIN, int(0.3 * stroke_width(np.asarray(big) / 255))) + 1))
        if thin:
            big = big.filter(ImageFilter.MinFilter(2 * thin + 1))
        gray = np.pad(255 - np.asarray(big), 4 * NARROW_SCALE, constant_values=255).astype(np.float32) / 255
        x = preprocess(gray).input28
        if x is not None:
            xs.append(np.round(np.clip(x, 0, 1) * 255).astype(np.uint8))
            ys.append(label)
    return np.stack(xs), np.asarray(ys, split.y_train.dtype)


def extra_negatives(kind: str, seed: int) -> np.ndarray:
    """EXTRA_NEGATIVES[kind] non-digits of a kind training.negatives makes for a second stage, as uint8
    model inputs through the app's own preprocessing (those it finds no digit in, and bars, left out)."""
    from training import negatives
    from training.product_data import _prep

    inputs = [_prep(g) for g in negatives.extra(kind, EXTRA_NEGATIVES[kind], seed)]
    # An upright bar is a 1 in some hand (a pen i whose dot preprocessing drops), as in the first stage's set
    return np.stack([x for x in inputs if x is not None and not is_bar(x)])


def pen_digits(split: Split, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """PEN_DIGITS digits drawn by ``training.pen_glyphs`` (uint8 model inputs, and labels): the same
    pens and faces as its letters (``negatives.pen_letter``), so that the pen alone says nothing."""
    from training import pen_glyphs
    from training.negatives import as_file_image
    from training.product_data import _prep

    xs, ys = [], []
    for i in range(PEN_DIGITS):
        rng = np.random.default_rng([seed, 4, i])
        label = int(rng.integers(10))
        x = _prep(as_file_image(pen_glyphs.draw(str(label), rng), rng))
        if x is not None:
            xs.append(x)
            ys.append(label)
    return np.stack(xs), np.asarray(ys, split.y_train.dtype)


# The digits a second stage may add (ModelSpec.extra_digits), by name.
EXTRA_DIGITS = {
    "crisp": crisp_digits,
    "crowded": lambda split, seed: crowded_digits(split.x_train, split.y_train, seed),
    "narrow": narrow_digits,
    "pen": pen_digits,
}


def train(spec: ModelSpec, split: Split, seed: int, epochs: int | None = None, verbose: int = 1,
          extra=None, init_path: Path | None = None) -> Trained:
    """``extra`` (a ``training.product_data.ProductData``) adds other writers' digits and, with
    ``spec.outlier_weight``, non-digits trained towards a uniform softmax. Validation stays MNIST.
    ``init_path``: the trained model a second stage (``spec.init_from``) starts from."""
    seed_everything(seed)
    epochs = epochs or spec.epochs
    if spec.init_from:
        if init_path is None or not Path(init_path).exists():
            raise FileNotFoundError(f"{spec.name} starts from {spec.init_from}: train it first in the same run "
                                    f"folder (missing {init_path})")
        model = keras.models.load_model(init_path)
        if extra is not None:
            keep = np.array([not is_bar(x) for x in extra.x_neg], bool)
            made = [EXTRA_DIGITS[kind](split, seed) for kind in spec.extra_digits]
            odd = [extra_negatives(kind, seed) for kind in spec.extra_negatives]
            extra = replace(extra, x_neg=np.concatenate([extra.x_neg[keep], *odd]),
                            x_ow=np.concatenate([extra.x_ow, *(x for x, _ in made)]),
                            y_ow=np.concatenate([extra.y_ow, *(y.astype(extra.y_ow.dtype) for _, y in made)]))
    else:
        model = spec.build()
    x_val = to_input(split.x_val)
    if extra is None:
        x_tr = to_input(split.x_train)
        ds = _dataset(x_tr, split.y_train, spec.batch_size, seed, spec.augment, spec.elastic)
        loss, val = "sparse_categorical_crossentropy", (x_val, split.y_val)
    else:
        n_neg = len(extra.x_neg) if spec.outlier_weight else 0
        x_tr = to_input(np.concatenate([split.x_train, extra.x_ow, extra.x_neg[:n_neg]]))
        targets, weights = outlier_exposure_targets(np.concatenate([split.y_train, extra.y_ow]), n_neg,
                                                    spec.outlier_weight, len(split.y_train), spec.mnist_weight)
        ds = _dataset(x_tr, targets, spec.batch_size, seed, spec.augment, spec.elastic, weights)
        loss, val = "categorical_crossentropy", (x_val, np.eye(10, dtype="float32")[split.y_val])
    steps = int(np.ceil(len(x_tr) / spec.batch_size))
    model.compile(
        optimizer=_optimizer(spec, steps, epochs),
        loss=loss,
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    interrupted = False
    history: dict[str, list[float]] = {}
    try:
        h = model.fit(ds, validation_data=val, epochs=epochs, verbose=verbose)
        history = {k: [float(v) for v in vs] for k, vs in h.history.items()}
    except KeyboardInterrupt:
        # Ctrl+C ends this model where it stands; the caller keeps the models already finished.
        interrupted = True
        done = getattr(model, "history", None)
        history = {k: [float(v) for v in vs] for k, vs in (done.history if done else {}).items()}
    if spec.augment and not interrupted:
        reestimate_batch_norm(model, x_tr, seed)
    seconds = time.perf_counter() - start
    return Trained(model, history, seconds, len(history.get("loss", [])), interrupted)


def reestimate_batch_norm(model: keras.Model, x_clean: np.ndarray, seed: int, batch: int = BN_BATCH,
                          limit: int = BN_LIMIT) -> None:
    """Re-estimate batch-norm statistics on clean (un-augmented) training digits.

    Training saw distorted digits, so the running means and variances describe those, not the
    clean digits the model is used on; the averaged (EMA) weights make the mismatch larger. A
    forward pass in training mode with a cumulative average gives the exact clean statistics.
    The weights do not change. (Measured on the compact CNN: validation error 0.60% -> 0.50%.)
    """
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    if not norms:
        return
    momentum = [layer.momentum for layer in norms]
    order = np.random.default_rng(seed).permutation(len(x_clean))[:limit]
    for k, i in enumerate(range(0, len(order), batch)):
        for layer in norms:
            layer.momentum = k / (k + 1)  # running mean of the batch statistics
        model(x_clean[order[i : i + batch]], training=True)
    for layer, m in zip(norms, momentum):
        layer.momentum = m
