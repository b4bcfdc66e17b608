"""The TFLite classifier: int8 handling and plain-words errors for bad model files."""
import shutil
from pathlib import Path

import numpy as np
import pytest

from desktop.engine.classifier import Classifier, TensorInfo, dequantize, quantize
from desktop.engine.errors import ModelError
from desktop.engine.model_files import assets_dir, load_shipped, read_manifest


def test_quantize_roundtrip():
    t = TensorInfo(0, (1, 28, 28, 1), np.int8, 1 / 255, -128)
    x = np.linspace(0, 1, 256, dtype=np.float32)
    q = quantize(x, t)
    assert q.dtype == np.int8 and q.min() == -128 and q.max() == 127
    assert np.abs(dequantize(q, t) - x).max() <= 0.5 / 255 + 1e-6


def test_manifest_matches_model(shipped, sample):
    m = read_manifest()
    assert m["input"]["dtype"] == shipped.dtype_name
    assert m["input"]["scale"] == pytest.approx(shipped.input.scale)
    # The labels name the model's outputs in their order: MNIST digits read through them come out right.
    x, y = sample["x_test"][:100].astype(np.float32) / 255, sample["y_test"][:100]
    read = [m["labels"][i] for i in shipped.predict(x).argmax(axis=1)]
    assert sum(r == str(t) for r, t in zip(read, y)) >= 98


def test_a_model_built_for_a_batch_of_one_is_fed_one_image_at_a_time(sample):
    """(tests/fixtures/make_fixed_batch_model.py) Its batches gave the answers of its images one by one."""
    clf = Classifier(Path(__file__).parent / "fixtures" / "fixed_batch.tflite")
    x = sample["x_test"][:7].astype(np.float32) / 255
    together = clf.predict(x)
    assert together.shape == (7, 10)
    np.testing.assert_allclose(together, np.stack([clf.predict_one(a) for a in x]), atol=1e-6)
    assert len({tuple(p.round(4)) for p in together}) > 1  # not one answer for every image


def test_the_manifest_temperature_is_applied(shipped, sample):
    t = read_manifest()["temperature"]
    assert shipped.temperature == t and t != 1.0  # a model calibrated to T = 1 would test nothing here
    x = sample["x_test"][:200].astype(np.float32) / 255
    x = 0.5 * (x + x[::-1])  # two digits on top of each other: answers with two real candidates
    raw = Classifier(shipped.path).predict(x)  # the same model, uncalibrated
    cal = shipped.predict(x)
    assert np.allclose(cal.sum(axis=1), 1, atol=1e-5) and (cal.argmax(1) == raw.argmax(1)).all()
    # Temperature scaling: the log-ratio of any two scores is divided by T.
    top2 = np.argsort(raw, axis=1)[:, -2:]
    rows = np.arange(len(x))[:, None]
    r, c = raw[rows, top2], cal[rows, top2]
    both = (r > 1e-2).all(axis=1)
    assert both.sum() >= 20
    ratio = np.log(c[both, 1] / c[both, 0]) / np.log(r[both, 1] / r[both, 0])
    assert np.allclose(ratio[np.isfinite(ratio)], 1 / t, atol=0.02), ratio


def test_missing_model(tmp_path):
    with pytest.raises(ModelError, match="missing"):
        Classifier(tmp_path / "nope.tflite")


def test_corrupt_model(tmp_path):
    p = tmp_path / "bad.tflite"
    p.write_bytes(b"this is not a flatbuffer" * 10)
    with pytest.raises(ModelError, match="not a valid TFLite model"):
        Classifier(p)


def test_truncated_model(tmp_path):
    p = tmp_path / "cut.tflite"
    data = (assets_dir() / read_manifest()["model_file"]).read_bytes()
    p.write_bytes(data[: len(data) // 3])
    with pytest.raises(ModelError):
        Classifier(p)


def test_the_system_refusing_files_is_not_called_a_corrupt_model(monkeypatch):
    """Under ulimit -n 6 the shipped model was "not a valid TFLite model (corrupt or truncated)": the
    system's refusal is said as such (a hostile pass)."""
    import errno
    import os

    def refused(self):
        raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))

    monkeypatch.setattr(Classifier, "_open_interpreter", refused)
    with pytest.raises(ModelError, match="the system refused \\(too many open files\\)") as e:
        Classifier(assets_dir() / "digits.tflite")
    assert "corrupt" not in str(e.value)


def test_tampered_shipped_model_is_refused(tmp_path):
    d = tmp_path / "assets"
    shutil.copytree(assets_dir(), d)
    m = read_manifest(d)
    data = bytearray((d / m["model_file"]).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (d / m["model_file"]).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="modified or damaged"):
        load_shipped(d)


def test_batch_equals_single(shipped, sample):
    x = sample["x_test"][:16].astype(np.float32) / 255
    batch = shipped.predict(x)
    single = np.stack([shipped.predict_one(i) for i in x])
    assert np.allclose(batch, single, atol=1e-6)


def test_issue12_row14_nan_scores_are_refused():
    with pytest.raises(ModelError, match="NaN"):
        Classifier(Path(__file__).parent / "fixtures" / "nan_scores.tflite")


def test_issue12_row14_damaged_quantization_is_refused(tmp_path):
    import struct

    data = (assets_dir() / read_manifest()["model_file"]).read_bytes()
    out_scale = struct.pack("<f", 0.00390625)  # the int8 model's output scale (1/256)
    assert data.count(out_scale) == 1
    for bad in (float("nan"), float("inf")):
        p = tmp_path / "bad.tflite"
        p.write_bytes(data.replace(out_scale, struct.pack("<f", bad)))
        with pytest.raises(ModelError):
            Classifier(p)


@pytest.mark.parametrize("manifest", ['{"sha256": "x"}', "[]", '"text"', '{"model_file": "digits.tflite"}',
                                      '{"model_file": "digits.tflite", "sha256": 5}'])
def test_issue12_row13_a_wrong_manifest_is_a_model_error(tmp_path, manifest):
    d = tmp_path / "assets"
    shutil.copytree(assets_dir(), d)
    (d / "manifest.json").write_text(manifest)
    with pytest.raises(ModelError, match="manifest .* is damaged"):
        load_shipped(d)
