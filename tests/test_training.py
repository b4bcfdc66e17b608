"""training/: the loader, the study's models, a --quick run end to end, the report, determinism."""
import json

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from training import cli  # noqa: E402
from training.data import ENV_VAR, DataNotFoundError, load_mnist, validation_split  # noqa: E402
from training.models import MODELS  # noqa: E402


# --- the loader ----------------------------------------------------------------------------
def test_loader_from_path(mnist_fixture):
    m = load_mnist(mnist_fixture)
    assert m.x_train.shape[1:] == (28, 28) and m.x_train.dtype == np.uint8 and len(m.sha256) == 64


def test_loader_from_environment(mnist_fixture, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(mnist_fixture))
    assert load_mnist().source == str(mnist_fixture)


def test_loader_missing_path_says_what_to_do(tmp_path):
    with pytest.raises(DataNotFoundError, match="--data PATH or set DIGITS_MNIST"):
        load_mnist(tmp_path / "nope.npz")


def test_loader_wrong_file(tmp_path):
    p = tmp_path / "x.npz"
    np.savez(p, a=np.zeros(3))
    with pytest.raises(DataNotFoundError, match="keras layout"):
        load_mnist(p)


def test_loader_offline_without_copy(monkeypatch):
    import keras

    monkeypatch.delenv(ENV_VAR, raising=False)

    def offline():
        raise OSError("Name or service not known")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(DataNotFoundError, match="could not be downloaded"):
        load_mnist()


def test_cli_reports_missing_data_in_one_sentence(tmp_path, capsys):
    assert cli.main(["run", "--quick", "--data", str(tmp_path / "no.npz"), "--out", str(tmp_path / "r")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_validation_split_never_touches_test(mnist_fixture):
    """By content: every validation and training image is a training image, none is a test image
    (the sample holds no image in both splits), and the two parts share no image."""
    import hashlib

    def digests(x):
        return [hashlib.sha256(img.tobytes()).hexdigest() for img in x]

    m = load_mnist(mnist_fixture)
    s = validation_split(m.x_train, m.y_train, 100, 1)
    train, test = set(digests(m.x_train)), set(digests(m.x_test))
    val, rest = digests(s.x_val), digests(s.x_train)
    assert not train & test  # the check below means something only on disjoint splits
    assert set(val) <= train and set(rest) <= train and not (set(val) | set(rest)) & test
    assert not set(val) & set(rest) and len(val) == 100
    assert sorted(val + rest) == sorted(digests(m.x_train))  # every training image used once
    assert [int(v) for v in s.y_val] == [int(m.y_train[digests(m.x_train).index(d)]) for d in val]


# --- the models ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["simple_nn", "simple_cnn", "larger_cnn"])
def test_study_parameter_counts(name):
    spec = MODELS[name]
    assert spec.build().count_params() == spec.expected_params


def test_product_model_is_small():
    from training.models import ALL_MODELS, PRODUCT_MODEL

    assert ALL_MODELS[PRODUCT_MODEL].build().count_params() < 90_000  # int8 file under 100 KB


# --- a quick run, the report, determinism ----------------------------------------------------
def test_quick_run_writes_models_metrics_plots(quick_run):
    metrics = json.loads((quick_run / "metrics.json").read_text())["models"]
    assert set(metrics) == set(MODELS)
    for name, m in metrics.items():
        assert (quick_run / f"{name}.keras").stat().st_size > 10_000
        assert len(json.loads((quick_run / f"{name}.history.json").read_text())["loss"]) == 1
        assert 0 < m["test_accuracy"] <= 1 and len(m["precision"]) == 10 and len(m["recall"]) == 10
        assert np.array(m["confusion_matrix"]).sum() == 1000 and m["latency_ms_one_image"] > 0
        assert m["train_seconds"] > 0 and m["file_bytes"] > 0
    env = json.loads((quick_run / "environment.json").read_text())
    assert env["tensorflow"] and env["keras"] and len(env["data_sha256"]) == 64
    for plot in ("training_curves", "accuracy_vs_size", "confusion_best", "confused_pairs", "errors_best"):
        assert (quick_run / "plots" / f"{plot}.png").stat().st_size > 5_000


def test_environment_records_the_seed_and_sizes_it_ran_with(mnist_fixture, tmp_path):
    from training.compare import RunOptions, environment

    m = load_mnist(mnist_fixture)
    env = environment(m, RunOptions(out=tmp_path, models=["larger_cnn"], seed=7, n_val=123))
    assert env["seed"] == 7 and env["n_val"] == 123 and env["n_train"] == len(m.x_train) - 123
    assert env["data_sha256"] == m.sha256 and env["models"] == ["larger_cnn"]


def test_two_quick_runs_give_identical_models(tmp_path, mnist_fixture):
    import keras

    weights = []
    for k in range(2):
        out = tmp_path / f"r{k}"
        cli.main(["run", "--quick", "--data", str(mnist_fixture), "--out", str(out), "--models", "larger_cnn",
                  "tiny_cnn"])
        weights.append([w for n in ("larger_cnn", "tiny_cnn")
                        for w in keras.models.load_model(out / f"{n}.keras").get_weights()])
    assert all(np.array_equal(a, b) for a, b in zip(*weights))


def test_elastic_distortion_is_seeded_smooth_and_off_at_inference(sample):
    import keras

    from training.augment import RandomElastic

    x = (sample["x_train"][:8].astype("float32") / 255)[..., None]
    a = np.asarray(RandomElastic(seed=3)(x, training=True))
    b = np.asarray(RandomElastic(seed=3)(x, training=True))
    assert a.shape == x.shape and np.array_equal(a, b)  # same seed, same distortion
    assert 0.01 < np.abs(a - x).mean() < 0.2  # strokes moved, digits kept
    assert abs(a.sum() - x.sum()) / x.sum() < 0.15  # ink is moved, not created or lost
    assert np.array_equal(np.asarray(RandomElastic(seed=3)(x, training=False)), x)
    assert isinstance(RandomElastic(), keras.layers.Layer)


# --- the product model's extra data: non-digits, other writers ------------------------------
def test_negatives_are_seeded_and_of_every_kind(sample):
    from training import negatives

    digits, labels = sample["x_train"][:200], sample["y_train"][:200]
    a = [negatives.make(i, 7, digits, labels) for i in range(120)]
    b = [negatives.make(i, 7, digits, labels) for i in range(120)]
    assert all(np.array_equal(x, y) and k == j for (x, k), (y, j) in zip(a, b))
    assert {k for _, k in a} == set(negatives.KINDS)
    for gray, _ in a:
        assert gray.dtype == np.float32 and 0.0 <= gray.min() and gray.max() <= 1.0
    assert not set(negatives.LETTERS) & set("OoIlZzSsbBgq")


def test_question_marks_are_seeded_read_by_the_app_and_only_a_second_stage_adds_them():
    """Hand-drawn question marks read as a 3 at up to 99.99% (an outside pass: 35 of 40); the shipped
    model's second stage trains on them as non-digits. The first stage's data stays as it was."""
    from desktop.engine.preprocess import preprocess
    from training import negatives
    from training.models import ALL_MODELS, PRODUCT_MODEL

    a, b = negatives.extra("question_mark", 30, 42), negatives.extra("question_mark", 30, 42)
    assert np.array_equal(a, b) and a.dtype == np.float32 and 0.0 <= a.min() and a.max() <= 1.0
    assert all(preprocess(g).input28 is not None for g in a)
    assert not set(negatives.EXTRA_KINDS) & set(negatives.KINDS)
    assert ALL_MODELS[PRODUCT_MODEL].extra_negatives == ("question_mark",)
    assert ALL_MODELS[ALL_MODELS[PRODUCT_MODEL].init_from].extra_negatives == ()


def test_outlier_exposure_targets_are_uniform_on_non_digits():
    from training.train import outlier_exposure_targets

    t, w = outlier_exposure_targets(np.array([3, 0]), 2, 0.5)
    assert np.allclose(t.sum(1), 1) and t[0, 3] == 1 and np.allclose(t[2:], 0.1)
    assert list(w) == [1, 1, 0.5, 0.5]
    _, w = outlier_exposure_targets(np.array([3, 0, 7]), 1, 0.5, n_mnist=2, mnist_weight=2.0)
    assert list(w) == [2, 2, 1, 0.5]  # MNIST's digits first (ModelSpec.mnist_weight), then the others'


def test_product_data_keeps_the_held_out_part_out(sample, tmp_path):
    from training import other_writers, product_data

    if not other_writers.DEFAULT_PATH.exists():
        pytest.skip("no other-writers data beside the repository")
    sets = other_writers.load()
    tr, va_jobs = product_data._ow_jobs(sets, 42)[0], product_data._ow_jobs(sets, 42)[2]
    for name, (_, y) in sets.items():
        _, held = other_writers.split(y)
        used = {i for n, i, _ in tr + va_jobs if n == name}
        assert not used & set(held.tolist())
        assert not {i for n, i, _ in tr if n == name} & {i for n, i, _ in va_jobs if n == name}
    d = product_data.build((sample["x_train"], sample["y_train"]), 42, quick=True, workers=1, echo=lambda *_: None)
    assert d.x_ow.dtype == np.uint8 and d.x_ow.shape[1:] == (28, 28) and len(d.x_ow) == len(d.y_ow)
    assert len(d.x_neg) > 250 and len(d.x_neg_val) > 80 and len(d.x_neg_test) == len(d.neg_test_kind)


def test_crowded_digits_are_labelled_crops_of_touching_digits(sample, shipped):
    """Number mode's own cuts of numbers whose digits overlap, each labelled with the digit it holds
    most of: the shipped model (which never saw these test digits) reads most as labelled, which
    a wrong label (say, the neighbour's) would not give; none is a whole isolated digit."""
    from training.crowded import compose, crowded_digits

    x, y = sample["x_test"], sample["y_test"]
    a, la = crowded_digits(x, y, 3, n=150)
    b, lb = crowded_digits(x, y, 3, n=150)
    assert np.array_equal(a, b) and np.array_equal(la, lb)  # seeded
    assert a.dtype == np.uint8 and a.shape == (150, 28, 28) and set(la.tolist()) <= set(range(10)) - {1}
    assert (shipped.predict(a.astype(np.float32) / 255).argmax(1) == la).mean() > 0.75
    gray, solos = compose([x[0], x[1]], -0.25, 2.0)  # overlapping: the pair is narrower than both
    assert np.count_nonzero((1 - gray).max(0) > 0.1) < sum(np.count_nonzero((1 - s).max(0) > 0.1) for s in solos)
    assert np.allclose(gray, np.minimum(*solos))


def test_narrow_digits_are_squeezed_and_labelled(sample):
    from training import train
    from training.data import Split

    x, y = sample["x_train"], sample["y_train"]
    split = Split(x, y, x[:1], y[:1])
    out, labels = train.narrow_digits(split, 5)
    assert len(out) > 0 and 1 not in labels.tolist() and out.dtype == np.uint8

    def aspects(images):
        boxes = [(np.flatnonzero(im.max(1) > 64), np.flatnonzero(im.max(0) > 64)) for im in images]
        return np.array([(c[-1] - c[0] + 1) / (r[-1] - r[0] + 1) for r, c in boxes])

    # MNIST's own (not 1s): median 0.85; squeezed to 0.33-0.65 (thin strokes thickened widen a few)
    assert np.median(aspects(out)) < 0.6 < np.median(aspects(x[y != 1]))


def test_pen_glyphs_draw_every_letter_and_digit_seeded_in_every_face():
    from training import negatives, pen_glyphs

    for face in pen_glyphs.FACES:
        for ch in negatives.LETTERS + list("0123456789"):
            a = pen_glyphs.draw(ch, np.random.default_rng([1, ord(ch)]), face)
            b = pen_glyphs.draw(ch, np.random.default_rng([1, ord(ch)]), face)
            ink = np.asarray(a)
            assert ink.shape == (pen_glyphs.CANVAS, pen_glyphs.CANVAS) and np.array_equal(ink, np.asarray(b))
            rows, cols = np.flatnonzero(ink.max(1)), np.flatnonzero(ink.max(0))
            assert max(rows[-1] - rows[0], cols[-1] - cols[0]) > pen_glyphs.HEIGHT[0] * 0.8, (face, ch)
            assert rows[0] > 0 and cols[0] > 0 and rows[-1] < pen_glyphs.CANVAS - 1 and cols[-1] < pen_glyphs.CANVAS - 1
    assert pen_glyphs.draw("\u20ac", np.random.default_rng(0), "futural") is None  # a glyph no face has


def test_pen_letters_leave_out_the_glyphs_shaped_as_digits(monkeypatch):
    """The script faces draw a capital Q as a 2, and an i or j whose dot preprocessing drops is a leaning
    stroke: trained as non-digits, they would teach doubt of 2s and 1s."""
    from training import negatives, pen_glyphs

    drawn = []
    real = pen_glyphs.draw
    monkeypatch.setattr(pen_glyphs, "draw", lambda ch, rng, face=None: drawn.append((ch, face)) or real(ch, rng, face))
    for i in range(1500):
        negatives.pen_letter(np.random.default_rng([3, i]))
    assert {face for _, face in drawn} == set(pen_glyphs.FACES)
    assert {ch for ch, _ in drawn} == {c for c in negatives.LETTERS
                                       if any(c not in pen_glyphs.DIGIT_SHAPED.get(f, "") for f in pen_glyphs.FACES)}
    assert not {"i", "j"} & {ch for ch, _ in drawn}  # a dotless i is a stroke, leaning past is_bar
    assert not [(ch, face) for ch, face in drawn if ch in pen_glyphs.DIGIT_SHAPED.get(face, "")]


def test_pen_digits_are_labelled_as_read_and_letters_are_an_extra_of_the_pen_stage(sample, shipped, monkeypatch):
    """The pen stage's digits carry their labels (the shipped model, which never trained on them,
    reads most as labelled; a shifted label would not be), and its letters are non-digits only a
    second stage adds."""
    from training import negatives, train
    from training.data import Split
    from training.models import ALL_MODELS

    monkeypatch.setattr(train, "PEN_DIGITS", 200)
    x, y = sample["x_train"], sample["y_train"]
    a, la = train.pen_digits(Split(x, y, x[:1], y[:1]), 4)
    b, lb = train.pen_digits(Split(x, y, x[:1], y[:1]), 4)
    assert np.array_equal(a, b) and np.array_equal(la, lb) and a.dtype == np.uint8 and len(a) > 190
    assert set(la.tolist()) == set(range(10))
    assert (shipped.predict(a.astype(np.float32) / 255).argmax(1) == la).mean() > 0.85
    spec = ALL_MODELS["product_cnn_pen"]
    assert {"pen_letter", "pen_symbol"} <= set(spec.extra_negatives) and "pen" in spec.extra_digits and spec.init_from
    assert "pen_letter" in negatives.EXTRA_KINDS and "pen_letter" not in negatives.KINDS
    letters = negatives.extra("pen_letter", 20, 42)
    assert letters.dtype == np.float32 and 0.0 <= letters.min() and letters.max() <= 1.0


def test_a_second_stages_extra_non_digits_leave_out_upright_bars(monkeypatch):
    """A pen i whose dot preprocessing drops is a bar: trained as a non-digit, it teaches doubt of 1s."""
    from training import negatives, pen_glyphs, train

    bar = np.ones((96, 96), np.float32)
    bar[15:80, 45:51] = 0.0
    box = np.ones((96, 96), np.float32)
    box[20:70, 20:70] = 0.0
    box[26:64, 26:64] = 1.0
    monkeypatch.setattr(negatives, "extra", lambda kind, n, seed: np.stack([bar, box, bar]))
    assert len(train.extra_negatives("pen_letter", 1)) == 1
    symbols = [negatives.pen_symbol(np.random.default_rng([5, i])) for i in range(40)]
    assert all(im.size == (pen_glyphs.CANVAS, pen_glyphs.CANVAS) and np.asarray(im).max() == 255 for im in symbols)
    assert set(train.EXTRA_NEGATIVES) == set(negatives.EXTRA_KINDS)


def test_the_shipped_int8_model_comes_back_as_keras_and_reads_as_it_does(sample, shipped):
    """A second stage may start from the shipped file (training.from_tflite): its dequantized
    weights in product_cnn's layers read the sample's test digits as the int8 model does, in
    inference mode and in training mode alike (batch norm set to pass its input through)."""
    from pathlib import Path

    from training.from_tflite import ModelMismatch, keras_from_tflite
    from training.models import compact_cnn, product_cnn
    from training.train import to_input

    asset = Path(__file__).resolve().parents[1] / "assets" / "digits.tflite"
    model = keras_from_tflite(asset, product_cnn(), to_input(sample["x_train"][:500]))
    x = sample["x_test"][:300]
    keras_says = model.predict(to_input(x), verbose=0).argmax(1)
    int8_says = shipped.predict(x.astype(np.float32) / 255.0).argmax(1)
    assert (keras_says == int8_says).mean() >= 0.99
    trained_mode = model(to_input(x), training=True).numpy().argmax(1)
    assert (trained_mode == int8_says).mean() >= 0.97
    with pytest.raises(ModelMismatch):
        keras_from_tflite(asset, compact_cnn(), to_input(sample["x_train"][:50]))


def test_a_run_starts_its_second_stage_from_a_shipped_file(mnist_fixture, tmp_path, capsys):
    """``--start-from``: the second stage's init_from written from the .tflite, then trained on."""
    from pathlib import Path

    asset = Path(__file__).resolve().parents[1] / "assets" / "digits.tflite"
    out = tmp_path / "run"
    assert cli.main(["run", "--quick", "--data", str(mnist_fixture), "--models", "product_cnn_tuned",
                     "--start-from", str(asset), "--out", str(out)]) == 0
    assert (out / "product_cnn.keras").exists() and (out / "product_cnn_tuned.keras").exists()
    assert cli.main(["run", "--quick", "--data", str(mnist_fixture), "--models", "tiny_cnn",
                     "--start-from", str(asset), "--out", str(out)]) == 2
    assert "second stages" in capsys.readouterr().err
    # A run folder's own first stage is never written over, nor trained again over the start.
    for models in (["product_cnn_tuned"], ["product_cnn", "product_cnn_tuned"]):
        assert cli.main(["run", "--quick", "--data", str(mnist_fixture), "--models", *models,
                         "--start-from", str(asset), "--out", str(out)]) == 2
        assert "choose another --out" in capsys.readouterr().err
