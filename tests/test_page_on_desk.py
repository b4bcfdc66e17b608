"""A page in a dark surround, in an image of any size: a scan with a dark frame on every side, a slip
photographed on a dark table. The frame was taken for the paper and the page for the ink: an
outside evaluation found 100 of 100 clean digits in a 5-20% frame and 48 of 48 slips on a table
"not a digit". The desk is now painted the page's tone before the ink is found (preprocess._desk),
while a light digit on a dark ground, however bold, stays the digit.
"""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from desktop.engine import preprocess as pre
from desktop.engine.recognize import DIGIT, recognize, recognize_many, recognize_number

DESK, PAPER = 0.16, 0.95
FIXTURES = Path(__file__).parent / "fixtures"
N = 20


def _photos_read(shipped, *patterns: str, count: int) -> None:
    """Each of the ``count`` photos in tests/fixtures/photographed_digits matching ``patterns`` (named
    kind_digit[_id]) is read as its digit, status digit."""
    from desktop.engine.imageio import load_gray

    files = [f for pattern in patterns for f in sorted((FIXTURES / "photographed_digits").glob(pattern))]
    assert len(files) == count, [f.name for f in files]
    for f in files:
        p = recognize(shipped, load_gray(f))
        assert (p.digit, p.status) == (int(f.stem.split("_")[1]), DIGIT), (f.name, p.digit, p.status)


def written(digit28: np.ndarray, side: int) -> np.ndarray:
    """An MNIST digit (white on black) written dark on a page ``side`` px square, with the paper's grain."""
    ink = np.asarray(Image.fromarray(digit28).resize((side // 2, side // 2), Image.Resampling.BILINEAR), np.float32) / 255
    page = np.full((side, side), PAPER, np.float32) + np.random.default_rng(side).normal(0, 0.01, (side, side))
    q = side // 4
    page[q : q + side // 2, q : q + side // 2] -= 0.8 * ink
    return np.clip(page, 0, 1).astype(np.float32)


def framed(page: np.ndarray, share: float) -> np.ndarray:
    p = max(1, round(share * page.shape[0]))
    return np.pad(page, p, constant_values=DESK)


def on_table(page: np.ndarray, seed: int) -> np.ndarray:
    """The page photographed at an angle lying on a dark table: a quadrilateral, smaller than the image."""
    rng = np.random.default_rng(seed)
    side = page.shape[0]
    big = int(side * 1.6)
    corners = [(0.2, 0.22), (0.8, 0.18), (0.84, 0.8), (0.16, 0.78)]
    quad = [((x + rng.uniform(-0.03, 0.03)) * big, (y + rng.uniform(-0.03, 0.03)) * big) for x, y in corners]
    # Pillow's perspective maps output to input: solve for the coefficients taking the quad to the page's corners.
    src = [(0, 0), (side, 0), (side, side), (0, side)]
    a = []
    for (x, y), (u, v) in zip(quad, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    coeffs = np.linalg.solve(np.array(a), np.array(src, float).ravel())
    warped = Image.fromarray(page).transform((big, big), Image.Transform.PERSPECTIVE, tuple(coeffs),
                                             Image.Resampling.BILINEAR, fillcolor=DESK)
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).polygon(quad, fill=255)
    out = np.where(np.asarray(mask) > 0, np.asarray(warped, np.float32), DESK)
    return (out + rng.normal(0, 0.01, out.shape)).clip(0, 1).astype(np.float32)


@pytest.mark.parametrize("share", [0.05, 0.1, 0.2])
def test_a_digit_on_a_page_in_a_dark_frame_is_read(shipped, sample, share):
    x, y = sample["x_test"][:N], sample["y_test"][:N]
    answers = [recognize(shipped, framed(written(a, 160), share)) for a in x]
    right = sum(p.status == DIGIT and p.digit == t for p, t in zip(answers, y))
    assert right >= N - 1, [(int(t), p.digit, p.status) for p, t in zip(answers, y)]


def test_a_slip_photographed_on_a_dark_table_is_read(shipped, sample):
    x, y = sample["x_test"][N : 2 * N], sample["y_test"][N : 2 * N]
    answers = [recognize(shipped, on_table(written(a, 150), i)) for i, a in enumerate(x)]
    right = sum(p.status == DIGIT and p.digit == t for p, t in zip(answers, y))
    assert right >= N - 2, [(int(t), p.digit, p.status) for p, t in zip(answers, y)]


def reaching_the_edges(digit28: np.ndarray, side: int = 150) -> np.ndarray:
    """A digit written tall on a page ``side`` px square, its strokes reaching the page's top and foot."""
    ink = np.asarray(Image.fromarray(digit28).resize((side, side), Image.Resampling.BILINEAR), np.float32) / 255
    rows = np.flatnonzero(ink.max(axis=1) > 0.3)
    ink = np.asarray(Image.fromarray(ink[rows[0] : rows[-1] + 1]).resize((side // 2, side)), np.float32)
    page = np.full((side, side), PAPER, np.float32)
    page[:, side // 4 : side // 4 + side // 2] -= 0.8 * ink
    return page.clip(0, 1)


def test_strokes_reaching_the_pages_edge_are_not_painted_out_with_the_desk(shipped, sample):
    """Joined to the desk at the page's edge, a digit's strokes were painted the page's tone with it
    ("0:41" on a slip read "0", sure); the desk is opened first (preprocess.DESK_OPEN): 15 -> 23 of 40."""
    x, y = sample["x_test"][:N], sample["y_test"][:N]
    right = 0
    for i, (a, t) in enumerate(zip(x, y)):
        for image in (framed(reaching_the_edges(a), 0.1), on_table(reaching_the_edges(a), i)):
            p = recognize(shipped, image)
            right += p.status == DIGIT and p.digit == t
    assert right >= 20


def test_number_mode_reads_a_framed_page_too(shipped, sample):
    digits = [sample["x_test"][i] for i in range(3)]
    row = np.concatenate([written(a, 120)[20:100] for a in digits], axis=1)
    n = recognize_number(shipped, framed(row, 0.1))
    assert n.text == "".join(str(int(t)) for t in sample["y_test"][:3]), n.text


@pytest.mark.parametrize("width", [10, 25, 40])
def test_a_bold_light_zero_on_a_dark_ground_stays_a_zero(shipped, width):
    """Its hole is dark ink inside a light shape framed by dark, as a page's digit is: a blob, not strokes."""
    im = Image.new("L", (220, 220), 0)
    ImageDraw.Draw(im).ellipse((60, 30, 160, 190), outline=255, width=width)
    p = recognize(shipped, np.asarray(im, np.float32) / 255)
    assert p.digit == 0 and p.status == DIGIT, (p.digit, p.status)


def test_light_digits_on_a_dark_ground_are_no_page(sample):
    """MNIST itself (white on black) and its bold 8s, whose holes are slits: no desk is looked for."""
    x = sample["x_test"].astype(np.float32) / 255
    assert not any(pre._desk(pre._reduced(g, pre.work_factor(g.shape))) is not None for g in x)
    big = [np.asarray(Image.fromarray(a).resize((112, 112), Image.Resampling.BICUBIC), np.float32) / 255
           for a in sample["x_test"][:300]]
    assert sum(pre._desk(pre._reduced(g, pre.work_factor(g.shape))) is not None for g in big) <= 1


def test_a_blank_slip_on_a_table_is_no_digit_read(shipped):
    p = recognize(shipped, on_table(np.full((150, 150), PAPER, np.float32), 0))
    assert p.status != DIGIT, (p.digit, p.status)


def test_a_slip_shaded_into_the_tables_tone_is_not_misread(shipped):
    """Photos from an outside evaluation (tests/fixtures/shaded_slips, a font digit on a slip whose
    shaded half is as dark as the threshold between desk and page): painting out what joined the
    desk took the digit too, and what was left of the page read "1" at 99.8%. The desk must be one
    tone (preprocess.DESK_SPREAD); these stay flagged, as before, rather than read wrong."""
    from desktop.engine.imageio import load_gray

    files = sorted((FIXTURES / "shaded_slips").glob("*.jpg"))
    assert len(files) == 4
    for f in files:
        p = recognize(shipped, load_gray(f))
        truth = int(f.name.split("_")[1])
        assert p.status != DIGIT or p.digit == truth, (f.name, p.digit, p.status)


def test_bold_light_eights_and_sixes_are_no_page(mnist_path, shipped):
    """A light digit on a dark ground is framed by dark too: MNIST test's boldest 8s fill their box as
    a sheet does and their holes pass for ink. At 28 px no page fits (preprocess.PAGE_SIDE); at 112
    and 300 px a page is convex and they are not (PAGE_CONVEX): 7733 read "5" and 8105 "0", sure,
    until it was asked (a code review)."""
    with np.load(mnist_path) as d:
        x, y = d["x_test"], d["y_test"]
    if len(x) < 10_000:
        pytest.skip("needs the full MNIST test set (../shared/data/mnist.npz)")
    for i in (580, 998, 2006, 3563, 7733, 7853, 7871, 7919, 8105, 9078):
        for side in (28, 112, 300):
            g = np.asarray(Image.fromarray(x[i]).resize((side, side), Image.Resampling.BILINEAR), np.float32) / 255
            p = recognize(shipped, g)
            assert (p.digit, p.status) == (y[i], DIGIT), (i, side, p.digit, p.status)


def lit_unevenly(digit28: np.ndarray, side: int, falloff: float, diagonal: bool) -> np.ndarray:
    """A digit on a page ``side`` px square whose light falls off by ``falloff`` across it (top to
    foot, or corner to corner as a shadow)."""
    page = written(digit28, side)
    t = np.linspace(0.0, 1.0, side, dtype=np.float32)
    ramp = (t[:, None] + t[None, :]) / 2 if diagonal else np.repeat(t[:, None], side, axis=1)
    return (page * (1.0 - falloff * ramp)).astype(np.float32)


@pytest.mark.parametrize("falloff,diagonal", [(0.5, False), (0.65, False), (0.6, True)])
def test_uneven_light_on_a_small_photo_is_taken_off(shipped, sample, falloff, diagonal):
    """A 170-190 px photo is read at 85-95 px, and uneven light was taken off only at 96 px and up
    (preprocess.BACKGROUND_SIDE): an outside evaluation's digits under light falling off by 65%
    were all flagged (24% at 50%), and all 48 of its shadowed MNIST digits."""
    x, y = sample["x_test"][:N], sample["y_test"][:N]
    answers = [recognize(shipped, lit_unevenly(a, 180, falloff, diagonal)) for a in x]
    right = sum(p.status == DIGIT and p.digit == t for p, t in zip(answers, y))
    assert right >= N - 2, [(int(t), p.digit, p.status) for p, t in zip(answers, y)]


def test_an_outside_evaluations_slips_on_a_grainy_table_are_read(shipped):
    """Font digits on slips photographed on a grainy table, lit unevenly (tests/fixtures/photographed_digits,
    from an outside evaluation): the page is what is clearly lighter than the table (preprocess.DESK_STEP;
    halfway, the shaded end joined the table), and the table is opened before it is painted (DESK_OPEN)."""
    _photos_read(shipped, "table_*.jpg", count=2)


def test_an_image_half_black_half_white_is_no_sure_digit(shipped):
    """Uneven light is taken off, and on light paper the ink is measured against the paper's light
    (preprocess.LIGHT_LEAST): the edge between a black and a white half then stood at twice its
    strength, and 3 more of the non-digit set's 56 such images read as a sure 1. Whether there is
    ink at all is judged on the ink with the light only subtracted (MIN_CONTRAST): 2 of the 56 read
    as a digit, 4 without it."""
    from benchmarks.non_digit_set import non_digit_set

    images = non_digit_set()["half black/white"]
    answers = [recognize(shipped, np.asarray(g, np.float32) / (255 if np.max(g) > 1 else 1)) for g in images]
    assert sum(p.status == DIGIT for p in answers) <= 2, [(p.digit, p.status) for p in answers if p.status == DIGIT]
    # Fresh draws of the same kind where the subtracted contrast still decides (since the polarity's
    # fine detail and the edge rule, the set's own 56 read no digit either way).
    from benchmarks.non_digit_set import half

    fresh = []
    for seed, index in ((0, 15), (2, 37), (3, 9), (6, 49)):
        rng = np.random.default_rng([1000 + seed, 8])
        fresh.append([np.asarray(half(rng), np.float32) / 255.0 for _ in range(index + 1)][index])
    assert not any(p.status == DIGIT for p in recognize_many(shipped, fresh))


def test_an_outside_evaluations_slips_on_a_grey_table_are_read(shipped):
    """Font digits on slips lit from one side on a grey table (tests/fixtures/photographed_digits/grey_*,
    from an outside evaluation): the table is neither darker nor lighter than all of the page. The ink
    is the tone that draws thin strokes (preprocess._strokes_dark), and the table, the pixels of its own
    tone outside the page's hull, is painted with the page's tones (preprocess._grey_desk)."""
    _photos_read(shipped, "grey_*.jpg", count=3)


def test_a_low_light_photo_with_dark_corners_is_read(shipped, sample):
    """A phone photo in low light: dim paper (0.35 of white), grainy, its corners darker still (the
    lens's vignette). The border, darker than the paper at the middle, was taken for the paper and the
    page for the ink (a second outside evaluation: 26 of 40 such digits flagged, and
    tests/fixtures/photographed_digits/lowlight_*). A grey border's tones may spread 0.2
    (preprocess.GREY_SPREAD) and its polarity is the tone that draws thin strokes."""
    _photos_read(shipped, "lowlight_*.png", count=2)
    x, y = sample["x_test"][100:120], sample["y_test"][100:120]
    yy, xx = np.mgrid[:200, :200]
    light = 1.0 - 0.7 * (np.hypot(yy - 100, xx - 100) / 141) ** 2  # corners at 0.3 of the middle's light
    right = grey = 0
    for i, (a, t) in enumerate(zip(x, y)):
        ink = np.asarray(Image.fromarray(a).resize((120, 120), Image.Resampling.BILINEAR), np.float32) / 255
        page = np.full((200, 200), 0.38, np.float32)
        page[40:160, 40:160] -= 0.3 * ink
        image = (page * light + np.random.default_rng(i).normal(0, 0.04, page.shape)).clip(0, 1).astype(np.float32)
        p = recognize(shipped, image)
        right += p.status == DIGIT and p.digit == t
        # The grey border's own rule (the page-beside-a-desk rule reads most of these right as well).
        work = pre.work_view(image).gray[None]
        grey += bool(pre._grey_bordered(work, np.concatenate(pre._ring(work), axis=1))[0])
    assert right >= 18, right
    assert grey >= 15, grey


def test_a_photo_turned_in_software_with_black_corners_is_read(shipped):
    """A photo turned to straighten it is filled black at its corners: with a grey desk, that black
    made the border dark, and the page was read as the ink (a second outside evaluation: 23 of 40
    such digits flagged; tests/fixtures/photographed_digits/turned_*). Black or white fill is left
    out of the border when the rest is most of it (preprocess.FILL_REST). (Not solved: where the fill's
    slivers run thin along the image's edges they stay ink, and the digit is read with them.)"""
    from desktop.engine.imageio import load_gray
    from desktop.engine.preprocess import find_paper, work_view

    _photos_read(shipped, "turned_*.png", count=2)
    # The page is the paper at the first look (a second look, as dark ink on light paper, read them too)
    turned = sorted((FIXTURES / "photographed_digits").glob("turned_*.png"))
    assert all(find_paper(work_view(load_gray(p)).gray).light for p in turned)


def test_one_digit_on_a_page_with_the_desk_along_some_sides_is_read(shipped):
    """A fourth outside evaluation's single digits on a page that runs out of the photo, the table in
    wedges beside it (tests/fixtures/photographed_digits/wedges_* and desk_*). Read with the table as
    the paper (most of the border), the page was ink and the digit a hole in it: the desk_* photos
    read "not a digit" or a wrong digit. Now the page is the paper, in both modes (preprocess._papers),
    the table is taken out of the ink (preprocess._desk_beside) and so are the slivers of the page's
    edge that its light leaves along the image's edges (clutter._slivers). The wedges_* photos, read
    right before (the desk's edge then cost 11 such photos of that evaluation their answer), still are."""
    _photos_read(shipped, "wedges_*.jpg", "desk_*.jpg", count=10)


def test_the_desk_beside_a_page_is_no_ink():
    """The table in a photo of a page (desk_*) is found (Paper.desk) and none of the ink is left where
    it lies: the page's edge beside it, a line along the table, joined the digit's box."""
    from desktop.engine.imageio import load_gray

    found = 0
    for f in sorted((FIXTURES / "photographed_digits").glob("desk_*.jpg")):
        work = pre.work_view(load_gray(f)).gray
        if not pre._papers(work[None]).desk[0]:
            continue  # read from a crop round the digit (look_closer), or the border mostly page already
        found += 1
        desk = pre._desk_beside(work)
        assert desk.mean() > 0.02, (f.name, desk.mean())
        ink = pre.ink_at_work(work).ink
        assert not ink[desk].any(), f.name
    assert found >= 3, found


def _ring(ink: np.ndarray, top: int, left: int, side: int) -> None:
    yy, xx = np.mgrid[: ink.shape[0], : ink.shape[1]]
    r = np.hypot(yy - top - side / 2, xx - left - side / 2)
    ink[np.abs(r - side / 2 + 3) <= 3] = 1.0


def test_a_sliver_along_the_images_edge_is_no_part_of_one_digit():
    """A thin line of ink lying along the image's edge, clear of the digit: the page's edge in a photo.
    One digit is read without it (clutter._slivers); number mode keeps every piece for its own rules."""
    from desktop.engine.clutter import digit_only
    from desktop.engine.preprocess import BBOX_LEVEL

    ink = np.zeros((120, 160), np.float32)
    _ring(ink, 30, 50, 60)
    ink[10:70, 157:159] = 1.0  # along the right edge, 2 px in
    out = digit_only(ink, BBOX_LEVEL, form=True)
    assert not out[:, 150:].any() and out[30:90, 50:110].sum() == ink[30:90, 50:110].sum()
    assert digit_only(ink, BBOX_LEVEL)[10:70, 157:159].all()


def test_a_sliver_stays_when_it_may_be_the_digits_own():
    """Not a sliver: a piece along the edge close to the digit (a 5's bar cropped tight stands a stroke
    above it), nor one beside ink that reaches the edge itself (an image half black, its edge in arcs:
    the rest read "1" without them)."""
    from desktop.engine.clutter import digit_only
    from desktop.engine.preprocess import BBOX_LEVEL

    ink = np.zeros((120, 160), np.float32)
    _ring(ink, 8, 50, 60)
    ink[0:3, 50:110] = 1.0  # a bar along the top, 5 px above the ring
    assert digit_only(ink, BBOX_LEVEL, form=True)[0:3, 50:110].all()
    ink = np.zeros((120, 160), np.float32)
    _ring(ink, 30, 0, 60)  # the rest touches the left edge
    ink[10:70, 157:159] = 1.0
    assert digit_only(ink, BBOX_LEVEL, form=True)[10:70, 157:159].all()


def test_dark_ink_the_desk_reaches_only_through_a_stroke_stays_ink(shipped):
    """A digit written over a ruled or shaded page (tests/fixtures/photographed_digits/apart_*, from an
    outside evaluation) touches the dark that reaches the image's edge; opened, the desk leaves the
    digit apart from the edges, and that part is no desk (preprocess._desk_beside): taken out with
    the desk, these three read "not a digit"."""
    from desktop.engine.imageio import load_gray

    for f in sorted((FIXTURES / "photographed_digits").glob("apart_*.jpg")):
        work = pre.work_view(load_gray(f)).gray
        assert bool(pre._papers(work[None]).desk[0]), f.name
    _photos_read(shipped, "apart_*.jpg", count=3)


def test_what_a_small_photos_surface_cannot_follow_is_no_ink(shipped):
    """Small photos of digits (tests/fixtures/photographed_digits/small_*, from an outside evaluation:
    MNIST digits on ruled or squared paper, drawn digits under uneven light), their light fitted with a
    smooth surface (preprocess._surface): a ruled line's print or light changing within the digit's
    size stayed ink, and each read "not a digit", unsure or wrong. The grey opening under the pen's
    strokes is taken as the background where it stands above the surface (preprocess._under_strokes)."""
    _photos_read(shipped, "small_*.jpg", count=6)


def test_a_strip_of_desk_along_a_side_is_no_digit(shipped):
    """Photos of a page with a strip or wedge of desk along one side, from a corner (tests/fixtures/
    photographed_digits/strip_*, from an outside evaluation): the strip outweighed a thin pen's digit,
    whose pieces were then specks beside it, and read a sure 1 or "not a digit". In one-digit mode a
    piece from a corner along a side, narrow beside the image, is left out (clutter._strips)."""
    _photos_read(shipped, "strip_*.jpg", count=4)


def test_a_one_is_no_strip():
    """Not a strip: a 1 cropped tight (it fills its image's width), a short stroke in a corner, or a
    strip alone (nothing else to read)."""
    from desktop.engine.clutter import digit_only
    from desktop.engine.preprocess import BBOX_LEVEL

    one = np.zeros((120, 20), np.float32)
    one[:, 4:16] = 1.0
    one[0:2, 0:3] = 1.0  # a fleck in the corner
    assert np.array_equal(digit_only(one, BBOX_LEVEL, form=True), one)
    alone = np.zeros((120, 100), np.float32)
    alone[:, 0:6] = 1.0
    assert np.array_equal(digit_only(alone, BBOX_LEVEL, form=True), alone)
    short = np.zeros((120, 100), np.float32)
    _ring(short, 30, 30, 50)
    short[0:20, 0:6] = 1.0  # a stroke in the corner, shorter than a quarter of the height
    assert np.array_equal(digit_only(short, BBOX_LEVEL, form=True), short)
    beside = short.copy()
    beside[0:60, 0:6] = 1.0  # half the height from the corner: a strip
    assert not digit_only(beside, BBOX_LEVEL, form=True)[:, :6].any()
    close = np.zeros((120, 100), np.float32)
    _ring(close, 14, 25, 60)
    close[0:6, 0:60] = 1.0  # along the top from a corner, in the digit's pen, 8 px above it: its own bar
    assert np.array_equal(digit_only(close, BBOX_LEVEL, form=True), close)
    # Beside ink that reaches the image's edge itself (a 7's stem cropped at its foot, its bar drawn
    # apart along the top from a corner), nothing is a strip: the image is read as it is.
    seven = np.zeros((120, 100), np.float32)
    seven[0:6, 0:60] = 1.0
    seven[40:120, 50:58] = 1.0
    assert np.array_equal(digit_only(seven, BBOX_LEVEL, form=True), seven)
    # Number mode reads every piece: a number cropped tight starts with its 1 at the image's edge.
    number = np.zeros((60, 200), np.float32)
    number[:, 0:6] = 1.0
    _ring(number, 10, 60, 40)
    assert np.array_equal(digit_only(number, BBOX_LEVEL), number)


def _pad(strokes: list[list[tuple[int, int]]], pen: int = 18) -> np.ndarray:
    """Strokes drawn on the app's 280x280 pad: black on pure white."""
    im = Image.new("L", (280, 280), 255)
    draw = ImageDraw.Draw(im)
    for stroke in strokes:
        draw.line(stroke, fill=0, width=pen, joint="curve")
    return np.asarray(im, np.float32) / 255.0


def test_a_digits_part_drawn_apart_along_the_pads_edge_is_kept(shipped):
    """A 7's bar drawn apart along the pad's top edge, a 2's base along its foot: no desk, page or form
    is on a drawing (its paper one exact tone: preprocess.paper_may_hold_marks), and those pieces are
    the digit's own (a review: taken for a desk's strip, a page's sliver or a form's comb, the 7 read a
    sure 1 in 36 of 36 such drawings, the 2 a sure 7)."""
    seven = _pad([[(40, 0), (240, 0)], [(232, 24), (120, 272)]])
    two = _pad([[(70, 80), (100, 40), (160, 30), (200, 60), (195, 110), (90, 240)], [(60, 278), (230, 278)]])
    for truth, gray in ((7, seven), (2, two)):
        assert not pre.paper_may_hold_marks(pre.work_view(gray).gray)
        p = recognize(shipped, gray)
        assert (p.digit, p.status) == (truth, DIGIT), (truth, p.digit, p.status)
    grain = np.clip(seven + np.random.default_rng(0).normal(0, 0.02, seven.shape), 0, 1).astype(np.float32)
    assert pre.paper_may_hold_marks(pre.work_view(grain).gray)  # a photo's paper: many tones


def _shade_to(rng: np.random.Generator, edge: float) -> np.ndarray:
    """Blank paper, photographed, in a shadow up to ``edge`` of its width: lit only along its right side."""
    h, w = int(rng.integers(150, 300)), int(rng.integers(150, 300))
    x = np.arange(w)[None, :] / w
    edge = edge + 0.02 * np.sin(np.arange(h)[:, None] / h * 3)
    lit = 1 / (1 + np.exp(-(x - edge) * rng.uniform(60, 200)))
    return np.clip(0.35 + 0.5 * lit + rng.normal(0, 0.02, (h, w)), 0, 1).astype(np.float32)


def test_a_shadows_edge_along_a_side_is_no_digit(shipped, monkeypatch):
    """Blank paper in shade but for a band along one side (an outside evaluation's blank pages in
    shade, and its mostly black photos with a sliver of paper: 10 of 200 sure digits, 6 a 1): all the
    ink lies along an edge, and is no digit (clutter.along_an_edge). Before, most read a sure 1."""
    from desktop.engine import clutter

    rng = np.random.default_rng(3)
    pages = [_shade_to(rng, rng.uniform(0.9, 0.95)) for _ in range(16)]
    pages = [p if i % 2 else p[:, ::-1].copy() for i, p in enumerate(pages)]  # lit on the left too
    pages += [p.T.copy() for p in pages[:4]]  # and along the top or the bottom
    assert all(p.status == "no digit" for p in recognize_many(shipped, pages)), [
        (p.digit, p.status) for p in recognize_many(shipped, pages)]
    monkeypatch.setattr(clutter, "EDGE_LONG", 1e9)
    assert sum(p.digit == 1 and p.status == "digit" for p in recognize_many(shipped, pages)) >= 10


def test_a_one_near_an_edge_is_read(shipped, sample, monkeypatch):
    """MNIST's 1s photographed in the middle of their paper, a sixth of its width from an edge, or 2%
    from it (clear of it: an outside review's 1s 1-6% from an edge were "no digit" in 13 of 41 when
    the ink was not made to reach the edge), or written up to the drawing pad's edge (its paper one
    exact tone, never looked at so): each read as it was without the rule."""
    from desktop.engine import clutter

    ones = sample["x_test"][sample["y_test"] == 1][:8]
    rng = np.random.default_rng(4)
    images = []
    for k, one in enumerate(ones):
        rows, cols = np.flatnonzero(one.max(axis=1)), np.flatnonzero(one.max(axis=0))
        ink = one[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        ink = np.asarray(Image.fromarray(ink).resize((ink.shape[1] * 5, ink.shape[0] * 5)), np.float32) / 255
        page = np.clip(PAPER + rng.normal(0, 0.01, (200, 200)), 0, 1).astype(np.float32)
        x = (100, 32, 168 - ink.shape[1])[k % 3]
        page[50 : 50 + ink.shape[0], x : x + ink.shape[1]] -= 0.8 * ink
        images.append(np.clip(page, 0, 1))
        # On a wide page, 2% from its left or right edge: within a tenth of it, not reaching it.
        wide = np.clip(PAPER + rng.normal(0, 0.01, (200, 400)), 0, 1).astype(np.float32)
        x = (8, 392 - ink.shape[1])[k % 2]
        wide[50 : 50 + ink.shape[0], x : x + ink.shape[1]] -= 0.8 * ink
        images.append(np.clip(wide, 0, 1))
        pad = np.ones((280, 280), np.float32)
        pad[60 : 60 + ink.shape[0], 280 - ink.shape[1] :] -= ink  # against the pad's right edge
        images.append(np.clip(pad, 0, 1))
    answers = [(a.digit, a.status) for a in recognize_many(shipped, images)]
    assert sum(a == (1, DIGIT) for a in answers) >= 21, answers
    monkeypatch.setattr(clutter, "EDGE_LONG", 1e9)  # no edge looked for
    assert [(a.digit, a.status) for a in recognize_many(shipped, images)] == answers


def test_a_line_on_the_images_outermost_pixels_is_an_edge(shipped):
    """A review found a line one pixel wide on the outermost column or row taken for a digit (a sure
    1) while the same line a pixel in was "no digit": reaching the edge is being within EDGE_GAP of it,
    as for clutter's other rules, with no pixel more required."""
    from desktop.engine.clutter import along_an_edge

    assert along_an_edge((0, 200, 0, 1), 200, 200) and along_an_edge((0, 200, 199, 200), 200, 200)
    assert along_an_edge((199, 200, 0, 200), 200, 200) and along_an_edge((0, 1, 20, 180), 200, 200)
    assert not along_an_edge((0, 200, 0, 30), 200, 200)  # a band past a tenth: a digit may be there
    rng = np.random.default_rng(9)
    pages = []
    for col in (0, 159):
        page = np.clip(PAPER + rng.normal(0, 0.01, (160, 160)), 0, 1).astype(np.float32)
        page[30:130, col] = 0.1
        pages.append(page)
    assert [p.status for p in recognize_many(shipped, pages)] == ["no digit", "no digit"]
