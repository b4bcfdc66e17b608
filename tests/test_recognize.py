"""The shipped model through the engine: drawn digits, numbers, no digit, explanations."""
import numpy as np
import pytest

from benchmarks.synthetic import Style, number_image, pen_digit, render
from desktop.engine.errors import DigitsError
from desktop.engine.explain import occlusion_map
from desktop.engine.recognize import Prediction, recognize, recognize_many, recognize_number
from desktop.engine.segment import split_digits
from desktop.engine.preprocess import to_ink


def gray(im) -> np.ndarray:
    return np.asarray(im, dtype=np.float32) / 255.0


def test_clean_pen_digits_mostly_right(shipped):
    rng = np.random.default_rng(11)
    right = sum(recognize(shipped, gray(pen_digit(d, rng))).digit == d for d in range(10) for _ in range(5))
    assert right >= 46  # of 50


def test_empty_canvas_is_no_digit_not_a_guess(shipped):
    p = recognize(shipped, np.ones((280, 280), np.float32))
    assert p.digit is None and p.probabilities is None and not p.unsure


@pytest.mark.parametrize("bad", [np.zeros((0, 0)), np.zeros((0, 28)), np.zeros((28, 0)), np.zeros(28),
                                 np.zeros((28, 28, 3)), np.float32(0.5)],
                         ids=["0x0", "0x28", "28x0", "1-D", "3-D", "scalar"])
def test_empty_or_not_2d_image_is_a_plain_error(shipped, bad):
    """Not a numpy traceback (np.min of an empty array, a shape that does not unpack): the engine's own words."""
    calls = (lambda: recognize(shipped, bad), lambda: recognize_number(shipped, bad),
             lambda: recognize_many(shipped, [np.ones((28, 28), np.float32), bad]))
    for call in calls:
        with pytest.raises(DigitsError, match="image") as e:
            call()
        assert "Traceback" not in str(e.value)


def test_probabilities_are_a_distribution(shipped):
    p = recognize(shipped, gray(pen_digit(4, np.random.default_rng(1))))
    assert p.probabilities.shape == (10,) and p.probabilities.sum() == pytest.approx(1, abs=1e-4)
    assert p.top3[0][0] == p.digit and p.confidence == pytest.approx(p.top3[0][1])


def test_unsure_rule():
    sure = Prediction(3, np.array([0, 0, 0, 0.97, 0.01, 0.01, 0, 0, 0.01, 0]), None)
    close = Prediction(3, np.array([0, 0, 0, 0.55, 0, 0, 0, 0, 0.45, 0]), None)
    low = Prediction(3, np.array([0.1, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05]), None)
    assert not sure.unsure and close.unsure and low.unsure


def test_scribbles_are_often_unsure(shipped):
    # Random scribbles are no digit; a calibrated model should hesitate on a good share of them.
    rng = np.random.default_rng(0)
    flagged = sum(recognize(shipped, gray(render([rng.uniform(40, 240, (rng.integers(3, 7), 2))], 16))).unsure
                  for _ in range(40))
    assert flagged >= 8


@pytest.mark.parametrize("digits,touching", [([2, 0, 2, 4], False), ([7, 1], False), ([3, 5, 8], True)])
def test_numbers_split_and_read(shipped, digits, touching):
    rng = np.random.default_rng(21)
    im = gray(number_image(digits, rng, touching=touching))
    assert len(split_digits(to_ink(im).ink)) == len(digits)
    n = recognize_number(shipped, im)
    assert len(n.digits) == len(digits)
    assert sum(a == b.digit for a, b in zip(digits, n.digits)) >= len(digits) - (1 if touching else 0)


def test_broken_stroke_digit_is_one_digit():
    # A digit whose strokes do not touch (a gap across it) is still one digit.
    rng = np.random.default_rng(5)
    im = gray(pen_digit(4, rng, Style(jitter=0)))
    im[130:142, :] = 1.0  # a gap across the middle: two pieces, one above the other
    assert len(split_digits(to_ink(im).ink)) == 1


def test_occlusion_map_points_at_ink(shipped):
    p = recognize(shipped, gray(pen_digit(7, np.random.default_rng(2))))
    heat = occlusion_map(shipped, p.input28, p.digit)
    assert heat.shape == (28, 28) and heat.max() == pytest.approx(1)
    assert heat[p.input28 > 0.5].mean() > heat[p.input28 == 0].mean()


def test_a_batch_gives_each_image_the_answer_it_gets_alone(shipped, sample, monkeypatch):
    # One entry point: recognize() is recognize_many of one. A mixed batch (28x28 MNIST digits found
    # together, pen drawings of another size, empty pages, a speck) answers each image as alone.
    from desktop.engine.recognize import recognize_many

    monkeypatch.setattr(shipped, "not_digit", None)  # the engine's own rule: with the jittered copies

    rng = np.random.default_rng(7)
    speck = np.ones((280, 280), np.float32)
    speck[100:103, 100:103] = 0
    grays = [*(sample["x_test"][:6].astype(np.float32) / 255), gray(pen_digit(3, rng)), np.ones((280, 280), np.float32),
             gray(pen_digit(8, rng, Style(width=(3, 4)))), speck, np.zeros((28, 28), np.float32)]
    together = recognize_many(shipped, grays)
    for g, p in zip(grays, together):
        alone = recognize(shipped, g)
        assert p.digit == alone.digit and p.status == alone.status
        if p.digit is not None:
            assert np.array_equal(p.input28, alone.input28) and np.allclose(p.probabilities, alone.probabilities, atol=1e-6)
            assert p.jitter.shape == alone.jitter.shape and np.allclose(p.jitter, alone.jitter, atol=1e-6)
    assert [p.digit for p in together[:6]] == list(sample["y_test"][:6])
    assert [together[i].digit for i in (7, 9, 10)] == [None, None, None]  # empty page, speck, black square


def test_live_guess_is_the_input_alone_of_the_same_path(shipped):
    from desktop.engine.recognize import recognize_many

    g = gray(pen_digit(5, np.random.default_rng(8)))
    full, live = recognize(shipped, g), recognize_many(shipped, [g], live=True)[0]
    assert live.jitter is None and full.jitter.shape[1:] == (10,) and len(full.jitter) >= 2
    assert np.array_equal(live.input28, full.input28) and live.digit == full.digit == 5
    # The final answer adds the turned copies to the live guess's view (VOTE: the input and the turns)
    views = np.stack([live.probabilities, *full.jitter[:2]])
    mean = np.exp(np.log(views).mean(axis=0))
    assert np.allclose(full.probabilities, mean / mean.sum(), atol=1e-6)


def test_jittered_copies_are_the_turns_and_shrink_pillow_makes(sample):
    # The batched copies are read off Pillow's transforms: they must stay what Pillow gives.
    from PIL import Image

    from desktop.engine.recognize import JITTER_SHRINK, JITTER_TURN, jittered

    x = sample["x_test"][:5].astype(np.float32) / 255
    got = jittered(x)
    assert got.shape == (5, 4, 28, 28) and np.array_equal(got[:, 0], x)
    side = round(28 * JITTER_SHRINK)
    k = (28 - side) // 2
    for a, copies in zip(x, got):
        im = Image.fromarray(a, mode="F")
        for angle, copy in zip((JITTER_TURN, -JITTER_TURN), copies[1:3]):
            assert np.abs(copy - np.asarray(im.rotate(angle, resample=Image.Resampling.BILINEAR))).max() < 1e-5
        small = np.asarray(im.resize((side, side), Image.Resampling.BILINEAR))
        assert np.abs(copies[3, k : k + side, k : k + side] - small).max() < 1e-5
        assert copies[3, :k].max() == 0 and copies[3, k + side :].max() == 0


def test_a_long_numbers_why_maps_are_one_batch_within_the_patch_budget(shipped, sample, monkeypatch):
    """Why? on a number ran one occlusion batch per digit on the window's thread: 60 digits froze
    it for a second (hostile test). One batch for all digits, coarser when long, within MAX_PATCHES."""
    from desktop.engine.explain import MAX_PATCHES, PATCH, STRIDE, _starts, occlusion_maps

    # Every stride hides the input's last rows and columns too (a wider stride alone never reached them).
    assert all(_starts(s)[0] == 0 and _starts(s)[-1] == 28 - PATCH for s in range(STRIDE, PATCH + 1))
    x = sample["x_test"][:48].astype(np.float32) / 255
    y = [int(d) for d in sample["y_test"][:48]]
    few = occlusion_maps(shipped, list(x[:3]), y[:3])
    assert all(np.array_equal(m, occlusion_map(shipped, a, d)) for m, a, d in zip(few, x[:3], y[:3]))
    sizes = []
    real = shipped.predict
    monkeypatch.setattr(shipped, "predict", lambda batch: (sizes.append(len(batch)), real(batch))[1])
    maps = occlusion_maps(shipped, list(x), y)
    assert len(sizes) == 1 and sizes[0] <= MAX_PATCHES + len(x)
    # Normalised to 1 where a patch mattered (a sure digit may lose nothing to any one patch), mostly on the ink.
    assert all(m.max() in (0.0, 1.0) and (m[a == 0] == 0).mean() > 0.5 for m, a in zip(maps, x))
    assert sum(m.max() == 1.0 for m in maps) >= 40
