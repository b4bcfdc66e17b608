"""Deliberate bugs, one at a time, on a copy of the repository: the tests must catch every one.

Each mutation replaces an exact piece of source text. If that text is no longer in the file (the
code moved on), the check fails and says so: it never passes by mutating nothing. Each mutation
runs only the tests that should catch it; a mutation counts as caught only when those tests fail
(pytest exit status 1) and the same tests pass on the unmutated copy.

    .venv/bin/python scripts/mutation_check.py          # prints the table; exit 1 if one survives

The working tree is never touched: the copy lives in a temporary folder and is removed after.
``tests/test_mutations.py`` runs this in the normal suite (so CI runs it).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Not needed to run the tests, and large: environments, history, build outputs, training runs.
IGNORE = shutil.ignore_patterns(".venv*", ".git", "dist", "build", "runs", "reports", "docs", "__pycache__",
                                ".pytest_cache", "*.egg-info", ".mypy_cache", ".ruff_cache")


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str  # relative to the repository root
    old: str  # exact text, found exactly once
    new: str
    tests: tuple[str, ...]  # pytest arguments: files, and -k expressions where a file is slow


PREPROCESS = "desktop/engine/preprocess.py"
MUTATIONS = (
    Mutation("stroke thinning removed (_normalise_stroke returns its input)", PREPROCESS,
             "def _normalise_stroke(fine: np.ndarray, crop: np.ndarray | None) -> np.ndarray:\n",
             "def _normalise_stroke(fine: np.ndarray, crop: np.ndarray | None) -> np.ndarray:\n    return fine\n",
             ("tests/test_preprocess.py",)),
    Mutation("faint thin ink thickened as it is (its gaps kept)", PREPROCESS,
             "        if core < FAINT_CORE:  # faint: at full strength first\n",
             "        if False:\n",
             ("tests/test_input_classes.py", "-k", "thin_pen_in_a_large")),
    Mutation("light falling off all round taken for even light", PREPROCESS,
             "            uneven[i] = abs(paper_there - float(edge[i])) > UNEVEN\n",
             "            uneven[i] = False\n",
             ("tests/test_input_classes.py", "-k", "falling_off")),
    Mutation("marker thinning removed (thick strokes kept as drawn)", PREPROCESS,
             "    if width > THICK * MNIST_STROKE:",
             "    if False:",
             ("tests/test_preprocess.py",)),
    Mutation("im.draft() removed (large JPEGs decoded at full size)", "desktop/engine/imageio.py",
             '            im.draft("RGB" if',
             '            (lambda *a: None)("RGB" if',
             ("tests/test_imageio.py",)),
    Mutation("blank rule removed (too little strong ink is still a digit)", PREPROCESS,
             "    blank = strong < max(MIN_INK_PIXELS, MIN_INK_SHARE * h * w)\n",
             "    blank = False\n",
             ("tests/test_preprocess.py", "tests/test_recognize.py")),
    Mutation("empty-pad check removed from the draw tab", "desktop/app/draw_tab.py",
             "        if self.canvas.is_empty():\n",
             "        if False:\n",
             ("tests/test_gui.py", "-k", "empty_canvas or undo_redo or eraser")),
    Mutation("speck rule removed (is_speck returns False)", PREPROCESS,
             "def is_speck(crop: np.ndarray, bbox: tuple[int, int, int, int] | None = None, image_side: int | None = None) -> bool:\n",
             "def is_speck(crop: np.ndarray, bbox: tuple[int, int, int, int] | None = None, image_side: int | None = None) -> bool:\n"
             "    return False\n",
             ("tests/test_preprocess.py",)),
    Mutation("polarity: never inverted", PREPROCESS,
             "    inverted = paper.light\n",
             "    inverted = np.zeros_like(paper.light)\n",
             ("tests/test_preprocess.py",)),
    Mutation("centre of mass ignored (the box centred instead)", PREPROCESS,
             "    top = min(max(round(CENTRE[0] - cy), 0), SIZE - h)"
             "  # plain ints: np.clip on scalars costs more than the rest\n"
             "    left = min(max(round(CENTRE[1] - cx), 0), SIZE - w)\n",
             "    top, left = (SIZE - h) // 2, (SIZE - w) // 2\n",
             ("tests/test_preprocess.py",)),
    Mutation("classifier ignores the calibrated temperature", "desktop/engine/classifier.py",
             "calibrate(np.clip(probs, 0.0, None) + 1e-7, self.temperature)",
             "calibrate(np.clip(probs, 0.0, None) + 1e-7, 1.0)",
             ("tests/test_classifier.py",)),
    Mutation("JSON lines written without line ends", "desktop/engine/results.py",
             'ensure_ascii=True) + "\\n").encode("ascii")',
             'ensure_ascii=True)).encode("ascii")',
             ("tests/test_cli.py", "-k", "jsonl or stdout or good_and_broken")),
    Mutation("CSV results without their header", "desktop/engine/results.py",
             'return csv_line(FIELDS) if fmt == "csv" else b""',
             'return b""',
             ("tests/test_cli.py", "-k", "jsonl or stdout or good_and_broken")),
    Mutation("answers judged by the default rule, not the model's own", "desktop/engine/recognize.py",
             "    rule = classifier.not_digit or DEFAULT_RULE\n    digits =",
             "    rule = DEFAULT_RULE\n    digits =",
             ("tests/test_status.py", "-k", "rule")),
    Mutation("a final answer is the input alone, not the vote of its views", "desktop/engine/recognize.py",
             "    answer = vote(views)",
             "    answer = views[0]",
             ("tests/test_not_digit_rule.py", "-k", "vote")),
    Mutation("the not-a-digit score forgets the input alone", "desktop/engine/recognize.py",
             "        return self.confidence if self.alone is None else min(self.confidence, float(self.alone[self.digit]))",
             "        return self.confidence",
             ("tests/test_not_digit_rule.py", "-k", "turned_copies_read")),
    Mutation("no closer look at a small digit in a photo", "desktop/engine/preprocess.py",
             "    small_image = min(gray.shape) <= LOOK_OVER\n",
             "    small_image = True\n",
             ("tests/test_small_digit_in_photo.py", "-k", "large_photo_is_read")),
    Mutation("worker processes get the model without its verified settings", "desktop/engine/classifier.py",
             "        return Classifier(self.path, self.num_threads, self.temperature, self.not_digit)",
             "        return Classifier(self.path, self.num_threads)",
             ("tests/test_status.py", "-k", "worker_processes")),
    Mutation("the engine imports the CLI (the layers contract broken)", "desktop/engine/batch.py",
             "import multiprocessing\n",
             "import multiprocessing\n\nimport desktop.cli  # noqa: F401\n",
             ("tests/test_architecture.py", "-k", "import_linter")),
    Mutation("batch never uses worker processes", "desktop/engine/batch.py",
             "    if workers > 1:\n",
             "    if False:\n",
             ("tests/test_cli.py", "-k", "two_workers")),
    Mutation("the paper's marks kept (digit_only returns its input)", "desktop/engine/clutter.py",
             "    mask = ink > level\n    if not mask.any() or not _may_hold_clutter(mask):\n",
             "    mask = ink > level\n    if True:\n",
             ("tests/test_paper_marks.py",)),
    Mutation("a scanner's black border outvotes the page (banded sides ignored)", PREPROCESS,
             "    light = light | banded\n",
             "    light = light\n",
             ("tests/test_paper_marks.py", "-k", "border")),
    Mutation("number marks never read (find_marks finds nothing)", "desktop/engine/number_marks.py",
             "    points = sum(char == POINT for _, char in found)\n",
             "    found = []\n    points = 0\n",
             ("tests/test_number_marks.py",)),
    Mutation("dashes, points and commas are never left out of number mode's path", "desktop/engine/recognize.py",
             "    out = [k for k in digits if cands[k].mark in (DASH, POINT) or (cands[k].mark == COMMA and (\n",
             "    out = [k for k in digits if False and (cands[k].mark == COMMA and (\n",
             ("tests/test_number_marks.py",)),
    Mutation("a comma too small for a digit stays in the path when the model reads a digit in it",
             "desktop/engine/recognize.py",
             "        cands[k].small or probs[row[k]].argmax() == 1",
             "        probs[row[k]].argmax() == 1",
             ("tests/test_number_marks.py", "-k", "fonts or pen_are")),
    Mutation("strokes reaching the page's edge are painted out with the desk", PREPROCESS,
             "    r = max(1, round(DESK_OPEN * min(desk.shape)))\n",
             "    r = 0\n",
             ("tests/test_page_on_desk.py", "-k", "reaching or grainy")),
    Mutation("the page is lighter than halfway between the desk and the paper", PREPROCESS,
             "DESK_STEP, PAGE_TOP = 0.2, 99",
             "DESK_STEP, PAGE_TOP = 0.5, 99",
             ("tests/test_photographed_numbers.py", "tests/test_page_on_desk.py", "-k", "grainy or photographed or slip")),
    Mutation("the desk is painted one tone", PREPROCESS,
             "        small = np.where(desk, painted, small)\n",
             "        painted = np.full_like(small, np.median(small[~desk]))\n        small = np.where(desk, painted, small)\n",
             ("tests/test_photographed_numbers.py",)),
    Mutation("a row of digits has uneven light taken off at a single digit's size only", PREPROCESS,
             "    opened = min(h, w) >= (ROW_BACKGROUND_SIDE if row else BACKGROUND_SIDE)\n",
             "    opened = min(h, w) >= BACKGROUND_SIDE\n",
             ("tests/test_photographed_numbers.py",)),
    Mutation("shaded ink is subtracted, not measured against its light", PREPROCESS,
             "        ink[i] = np.clip(subtracted / np.maximum(1.0 - back, LIGHT_LEAST), 0.0, None) if inverted[i] else subtracted\n",
             "        ink[i] = subtracted\n",
             ("tests/test_photographed_numbers.py",)),
    Mutation("whether a shaded image holds ink is judged after its ink is measured against the light", PREPROCESS,
             "        faint[i] = c < MIN_CONTRAST\n",
             "        pass\n",
             ("tests/test_page_on_desk.py", "-k", "half")),
    Mutation("a grey border decides the polarity as any border does", PREPROCESS,
             "    for i in np.flatnonzero(_grey_bordered(gray, ring)):\n",
             "    for i in []:\n",
             ("tests/test_photographed_numbers.py", "-k", "grey")),
    Mutation("a grey border spreads as little as a desk's (a low-light photo's vignette turns the polarity)", PREPROCESS,
             "    one_tone = b90 - b10 <= GREY_SPREAD\n",
             "    one_tone = b90 - b10 <= DESK_SPREAD\n",
             ("tests/test_page_on_desk.py", "-k", "low_light")),
    Mutation("a turned photo's black corners are part of its border", PREPROCESS,
             "    for i in np.flatnonzero(fill.any(axis=1) & ((~fill).sum(axis=1) >= FILL_REST * ordered.shape[1])):\n",
             "    for i in []:\n",
             ("tests/test_page_on_desk.py", "-k", "turned")),
    Mutation("a grey desk is never painted", PREPROCESS,
             "    desk = _desk(small) if dark else _grey_desk(small) if grey else None\n",
             "    desk = _desk(small) if dark else None\n",
             ("tests/test_page_on_desk.py", "-k", "grey")),
    Mutation("a thumb across the page's edge leaves no sheet", PREPROCESS,
             "    for step in (DESK_STEP, 0.5):\n",
             "    for step in (DESK_STEP,):\n",
             ("tests/test_photographed_numbers.py", "-k", "thumb")),
    Mutation("the background is opened at 24 px and resized back", PREPROCESS,
             "    return _filter(_filter(ink, r, np.min), r, np.max)\n",
             "    small = fit_longest(ink, round(24 * max(ink.shape) / min(ink.shape)))\n"
             "    opened = _filter(_filter(small, 2, np.min), 2, np.max)\n"
             "    return np.asarray(Image.fromarray(opened).resize(ink.shape[::-1], Image.Resampling.BILINEAR), np.float32)\n",
             ("tests/test_photographed_numbers.py", "-k", "shadow or three")),
    Mutation("a digit of six pieces never read whole (a scanned 2 read \"2?\")", "desktop/engine/segment.py",
             "MAX_GROUP = 6\n",
             "MAX_GROUP = 5\n",
             ("tests/test_wide_digits_in_numbers.py",)),
    Mutation("a point under a digit's overhang is taken into the digit", "desktop/engine/segment.py",
             "        return POINT\n",
             "        return None\n",
             ("tests/test_number_marks.py", "-k", "pen_are")),
    Mutation("a point left out of the path and read is put back", "desktop/engine/recognize.py",
             "    if sum(char in (COMMA, DASH, POINT, COLON) for _, char in read[2].at) < len(out):",
             "    if sum(char in (COMMA, DASH) for _, char in read[2].at) < len(out):",
             ("tests/test_number_marks.py", "-k", "pen_are")),
    Mutation("a date's two points make it unsure (is_date ignored)", "desktop/engine/recognize.py",
             "        if self.marks.doubtful and not is_date(self.text):",
             "        if self.marks.doubtful:",
             ("tests/test_numbers.py", "-k", "date")),
    Mutation("a date's day and month not checked", "desktop/engine/number_marks.py",
             "    return 1 <= min(first, second) and max(first, second) <= 31 and min(first, second) <= 12\n",
             "    return True\n",
             ("tests/test_number_marks.py", "-k", "date")),
    Mutation("a comma under a digit's overhang is no comma (its middle must be in the gap)", "desktop/engine/number_marks.py",
             "    if _comma(box, line) and tall >= COMMA_LONG * wide:  # a comma too short to be a candidate\n",
             "    if _comma(box, line) and tall >= COMMA_LONG * wide and left <= (box[2] + box[3] - 1) / 2:\n",
             ("tests/test_number_marks.py", "-k", "fonts")),
    Mutation("a leaning row never read stood upright", "desktop/engine/slant.py",
             "    angle = slant(mask)\n    if angle == 0.0:\n",
             "    angle = slant(mask)\n    if True:\n",
             ("tests/test_slant.py", "-k", "read_stood")),
    Mutation("a stood-up row's boxes left sheared", "desktop/engine/recognize.py",
             "    if shear is not None:\n        boxes = ",
             "    if False:\n        boxes = ",
             ("tests/test_slant.py", "-k", "read_stood")),
    Mutation("a row stood upright the wrong way (its lean doubled)", "desktop/engine/slant.py",
             "    shifts = np.round(np.tan(np.radians(angle)) *",
             "    shifts = np.round(np.tan(np.radians(-angle)) *",
             ("tests/test_slant.py",)),
    Mutation("a row in a thin pen read at the scale that breaks its strokes", "desktop/engine/recognize.py",
             "    while factor > finest and _broken(clean > PIECE_LEVEL):\n",
             "    while False:\n",
             ("tests/test_thin_pen_numbers.py",)),
    Mutation('"Why?" over a digit read stood upright laid upright across its leaning box', "desktop/app/locate.py",
             "heat_over_ink(heat, p.input28, slant), k))",
             "heat_over_ink(heat, p.input28), k))",
             ("tests/test_slant.py", "-k", "why_over")),
    Mutation("a dash beside a digit's sliver is no dash (every piece in the gap must be free)", "desktop/engine/number_marks.py",
             "    loose = [k for k in range(n) if free[k]]\n",
             "    loose = [k for k in range(n) if free[k]] if all(free) else []\n",
             ("tests/test_number_marks.py", "-k", "fonts")),
    Mutation("flecks of any size hide a mark", "desktop/engine/number_marks.py",
             " and f.size >= FLECK * line.stroke ** 2]\n",
             "]\n",
             ("tests/test_number_marks.py", "-k", "fonts")),
    Mutation("the surer reading of a row stood upright wins, whatever marks or digits it lost", "desktop/engine/recognize.py",
             "    return (stood.confidence > written.confidence and len(stood.digits) >= len(written.digits)\n",
             "    return (stood.confidence > written.confidence or len(stood.digits) >= len(written.digits)\n",
             ("tests/test_slant.py", "-k", "every_mark")),
    Mutation("dots a third of a stroke across are points and colons' dots", "desktop/engine/number_marks.py",
             "POINT_PEN = 0.6\n",
             "POINT_PEN = 0.3\n",
             ("tests/test_number_marks.py", "-k", "pen_are")),
    Mutation("a comma hanging under the line is a digit when the model reads one", "desktop/engine/number_marks.py",
             "    return is_small_mark(box, line_height) or box[1] >= bottom + COMMA_HANG * line_height\n",
             "    return is_small_mark(box, line_height)\n",
             ("tests/test_number_marks.py", "-k", "pen_are")),
    Mutation("a mark reaching into a digit's box is no mark", "desktop/engine/number_marks.py",
             "    reach = max(1, round(REACH * line.height))\n",
             "    reach = 0\n",
             ("tests/test_number_marks.py", "-k", "fonts")),
    Mutation("a slash between digits stays a 1", "desktop/engine/recognize.py",
             "    slashes, date_or_ones = _slashes([cands[k] for k in path], answers)\n",
             "    slashes, date_or_ones = [], False\n",
             ("tests/test_number_marks.py", "-k", "fonts")),
    Mutation("a 0 is never looked into for a digit in its ring", "desktop/engine/shape_checks.py",
             "    return _ink_in_middle(crop) and encloses(crop, RING_TALL, RING_BAR)\n",
             "    return False\n",
             ("tests/test_circled_digit.py",)),
    Mutation("a stroke with a dot (\"!\") stays a 1", "desktop/engine/shape_checks.py",
             "{0: in_a_ring, 1: dotted}",
             "{0: in_a_ring}",
             ("tests/test_shape_checks.py",)),
    Mutation("a page smaller than most of the image is never told from its desk", PREPROCESS,
             "        if share >= BAND_PAGE or _a_page(~desk, light, look[desk]):\n",
             "        if share >= BAND_PAGE:\n",
             ("tests/test_page_on_desk.py",)),
    Mutation("a stray quote in an edited results file passes for a record cut mid-write", "desktop/engine/results.py",
             "        if next(lines, None) is None and not any(_whole_row(line) for line in since[1:]):\n",
             "        if next(lines, None) is None:\n",
             ("tests/test_cli_hostile.py", "-k", "stray_quote")),
    Mutation("a failing standard error stops the run", "desktop/cli.py",
             "    sys.stderr = _MessagesThatMayFail(given)\n",
             "",
             ("tests/test_cli_hostile.py", "-k", "full_disk")),
    Mutation("the output may be the model's own file", "desktop/cli.py",
             "    if args.out != \"-\" and _is_one_of(args.out, [str(f) for f in files_of(args.model)]):\n",
             "    if False:\n",
             ("tests/test_cli_hostile.py", "-k", "model_or_its")),
    Mutation("resume compares paths without resolving linked folders", "desktop/engine/results.py",
             "    return os.path.join(_real_folder(folder), name)\n",
             "    return os.path.join(folder, name)\n",
             ("tests/test_cli_hostile.py", "-k", "link_to_the")),
    Mutation("a closed terminal kills the run (SIGHUP not handled)", "desktop/cli.py",
             "    signal.signal(signal.SIGHUP, _raise_interrupt)",
             "    (lambda *a: None)(signal.SIGHUP, _raise_interrupt)",
             ("tests/test_cli_hostile.py", "-k", "terminal_closing")),
    Mutation("Pillow's warnings printed while an image is opened and read", "desktop/engine/imageio.py",
             "        warnings.simplefilter(\"ignore\")\n        yield\n",
             "        warnings.simplefilter(\"default\")\n        yield\n",
             ("tests/test_cli_hostile.py", "-k", "damaged_image_is_said")),
    Mutation("a results file replaced while written goes unnoticed", "desktop/engine/results.py",
             "            return not os.path.samestat(os.stat(self.name), os.fstat(self.fd))\n",
             "            return False\n",
             ("tests/test_cli_hostile.py", "-k", "replaced_while")),
    Mutation("the answer's scroll area follows its widget's resizes from inside its own", "desktop/app/draw_tab.py",
             "        if self._following:\n            return False\n",
             "        if False:\n            return False\n",
             ("tests/test_gui_steady_scroll.py",)),
    Mutation("Python's out-of-memory is not tried again", "desktop/engine/batch.py",
             "            gc.collect()\n            return f, _decoded(f.path, number), \"\"\n",
             "            raise\n",
             ("tests/test_batch.py", "-k", "out_of_memory")),
    Mutation("a model built for a fixed batch is fed any batch", "desktop/engine/classifier.py",
             "        self._check_batches()\n",
             "",
             ("tests/test_classifier.py", "-k", "batch_of_one")),
    Mutation("--resume goes on in the other mode", "desktop/engine/results.py",
             "        if (AS_DIGIT if number else AS_NUMBER) in done.modes:\n",
             "        if False:\n",
             ("tests/test_cli_hostile.py", "-k", "other_way")),
    Mutation("a dithered scan reduced to work scale is averaged over the full-size square", PREPROCESS,
             "        gray = _box_mean(gray, DITHER_BLUR + f - 1)\n",
             "        gray = _box_mean(gray, DITHER_BLUR)\n",
             ("tests/test_input_classes.py", "-k", "dithered_pencil")),
    Mutation("an earlier batch run's late signals reach the new run", "desktop/app/batch_tab.py",
             "        return sender is not None and sender is not self.thread\n",
             "        return False\n",
             ("tests/test_gui_batch.py", "-k", "last_one_ends or not_the_current_runs")),
    Mutation("each finished run's thread kept for as long as the window is open", "desktop/app/batch_tab.py",
             "            self.thread.deleteLater()\n",
             "            pass\n",
             ("tests/test_gui_batch.py", "-k", "finished_runs")),
    Mutation("the last run's thread deleted before its end is queued (that end ends the next run)",
             "desktop/app/batch_tab.py",
             "            self.thread.wait()\n            self.thread.deleteLater()\n",
             "            self.thread.deleteLater()\n",
             ("tests/test_gui_batch.py", "-k", "late_does_not")),
    Mutation("rows arriving while the table is sorted go to its end", "desktop/app/batch_tab.py",
             "        if self.sorted_by is None:\n",
             "        if True:\n",
             ("tests/test_gui_batch.py", "-k", "arriving")),
    Mutation("pen letters include the script faces' Q, which is drawn as a 2", "training/negatives.py",
             'letters = [c for c in LETTERS if c not in pen_glyphs.DIGIT_SHAPED.get(face, "")]',
             "letters = list(LETTERS)",
             ("tests/test_training.py", "-k", "pen_letters")),
    Mutation("pen digits labelled one off", "training/train.py",
             "            xs.append(x)\n            ys.append(label)\n",
             "            xs.append(x)\n            ys.append((label + 1) % 10)\n",
             ("tests/test_training.py", "-k", "pen_digits")),
    Mutation("a second stage trains on bar-shaped extra non-digits (a 1 in some hand)", "training/train.py",
             "    return np.stack([x for x in inputs if x is not None and not is_bar(x)])\n",
             "    return np.stack([x for x in inputs if x is not None])\n",
             ("tests/test_training.py", "-k", "upright_bars")),
    Mutation("a flat softmax's row names argmax's 0 as the digit", "desktop/engine/results.py",
             "    digit = NOT_A_DIGIT_MARK if status == NOT_A_DIGIT and answer.best_guess is None else str(answer.digit)\n",
             "    digit = str(answer.digit)\n",
             ("tests/test_status.py", "-k", "flat_softmax")),
    Mutation("OpenBLAS left at its default threads", "desktop/__init__.py",
             '    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")\n',
             "    pass\n",
             ("tests/test_cli.py", "-k", "openblas")),
    Mutation("a date's slashes must be taller than its digits", "desktop/engine/recognize.py",
             "            return leaning, False\n",
             "            pass\n",
             ("tests/test_number_marks.py", "-k", "fonts_are_read")),
    Mutation("a file named like an option gets argparse's message alone", "desktop/cli.py",
             "        if dashed:  # ./NAME",
             "        if False:  # ./NAME",
             ("tests/test_cli.py", "-k", "named_like_an_option")),
    Mutation("a hand that slants its 1s alone writes dates", "desktop/engine/recognize.py",
             "        if any(leans[j] <= leans[leaning].min() - SLASH_LEAN for j in ones):\n",
             "        if True:\n",
             ("tests/test_number_marks.py", "-k", "fonts_are_read")),
    Mutation("a wide pen glyph is not shrunk to fit the canvas", "training/pen_glyphs.py",
             "    fit = min(1.0, room / np.ptp(placed, axis=0).max())\n",
             "    fit = 1.0\n",
             ("tests/test_training.py", "-k", "pen_glyphs")),
    Mutation("thumbnails read on the window's thread as the table paints", "desktop/app/thumbnails.py",
             "        pix = QPixmapCache.find(self.prefix + path)\n",
             "        self._store(path, read_thumbnail(path, self.side))\n"
             "        pix = QPixmapCache.find(self.prefix + path)\n",
             ("tests/test_gui_batch.py", "-k", "thumbnails")),
    Mutation("lines one under another read as one row", "desktop/engine/recognize.py",
             "        if encloses(clean) or stacked(clean > PIECE_LEVEL):\n",
             "        if encloses(clean):\n",
             ("tests/test_not_a_number.py", "-k", "column")),
    Mutation("a very large image read on the window's thread", "desktop/app/images_tab.py",
             "        if not slow_to_decode(source):\n",
             "        if True:\n",
             ("tests/test_gui_images.py", "-k", "very_large")),
    Mutation("a slow read shown though another image was chosen meanwhile", "desktop/app/images_tab.py",
             "        if request[0] != self.showing or self.list.currentItem() is None:\n",
             "        if self.list.currentItem() is None:\n",
             ("tests/test_gui_images.py", "-k", "very_large")),
    Mutation("a comma hanging under the line read as a point", "desktop/engine/number_marks.py",
             "        return COMMA if hangs and tall >= COMMA_OVAL * wide and _swept(shape) else POINT\n",
             "        return POINT\n",
             ("tests/test_number_marks.py", "-k", "fonts_are_read")),
    Mutation("an italic face's tall slashes read as 1s", "desktop/engine/recognize.py",
             "    if len(italic) == 2 and not leaning and _a_date(italic, answers):\n",
             "    if False:\n",
             ("tests/test_number_marks.py", "-k", "fonts_are_read")),
    Mutation("a date or slanting 1s given as sure", "desktop/engine/recognize.py",
             "        return [], True  # (not one slash of the two: \"05/06186\")\n",
             "        return [], False\n",
             ("tests/test_number_marks.py", "-k", "fonts_are_read")),
    Mutation("only 1s leaning 30 degrees apart are a shape cut into 1s", "desktop/engine/recognize.py",
             "        if pa.digit == pb.digit == 1 and a.components & b.components:\n",
             "        if pa.digit == pb.digit == 1 and a.components & b.components and abs(lean(a.crop) - lean(b.crop)) > 30:\n",
             ("tests/test_not_a_number.py", "-k", "bent_into_ones")),
    Mutation("background reads taken oldest first", "desktop/app/background.py",
             "            request, _ = queue.pending.popitem(last=True)\n",
             "            request, _ = queue.pending.popitem(last=False)\n",
             ("tests/test_background.py",)),
    Mutation("a background reader's thread outlives it", "desktop/app/background.py",
             "        self.destroyed.connect(lambda *_: _stop(queue))\n",
             "",
             ("tests/test_background.py", "-k", "destroyed")),
    Mutation("a hanging oval point read as a comma (no tail asked for)", "desktop/engine/number_marks.py",
             "        return COMMA if hangs and tall >= COMMA_OVAL * wide and _swept(shape) else POINT\n",
             "        return COMMA if hangs and tall >= COMMA_OVAL * wide else POINT\n",
             ("tests/test_numbers.py", "-k", "oval_point")),
    Mutation("a small photo's uneven light left on (one paper level)", PREPROCESS,
             "    for i in np.flatnonzero(paper.uneven):  # photos only: it costs\n",
             "    for i in np.flatnonzero(paper.uneven & opened):  # photos only: it costs\n",
             ("tests/test_input_classes.py", "-k", "small_photo")),
    Mutation("each thumbnail changes the whole column", "desktop/app/batch_tab.py",
             "            self.dataChanged.emit(self.index(row, 0), self.index(row, 0), [Qt.ItemDataRole.DecorationRole])\n",
             "            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0), [Qt.ItemDataRole.DecorationRole])\n",
             ("tests/test_gui_batch.py", "-k", "thumbnails")),
    Mutation("a point too small to tell from dust is left out without a doubt", "desktop/engine/number_marks.py",
             "        return SPECK_POINT  # a point too small to tell from dust at this scale, alone in its gap: unsure\n",
             "        return None\n",
             ("tests/test_numbers.py", "-k", "too_small_to_tell")),
    Mutation("a form's label read with the digit in its box", "desktop/engine/clutter.py",
             "    removed = _outside_frames(mask) if form else np.zeros_like(mask)\n",
             "    removed = np.zeros_like(mask)\n",
             ("tests/test_paper_marks.py", "-k", "forms_box")),
    Mutation("a form's print dropped round some digits of a number too", "desktop/engine/clutter.py",
             "    removed = _outside_frames(mask) if form else np.zeros_like(mask)\n",
             "    removed = _outside_frames(mask)\n",
             ("tests/test_paper_marks.py", "-k", "drops_none")),
    Mutation("a coin toss given as sure when the manifest's band passes it", "desktop/engine/recognize.py",
             "self.rule.score(self) < self.rule.unsure_below or p1 - p2 < COIN_TOSS",
             "self.rule.score(self) < self.rule.unsure_below",
             ("tests/test_not_digit_rule.py", "-k", "coin_toss")),
    Mutation("a drawing saved in place (no QSaveFile: a full disk truncates the old file)", "desktop/app/places.py",
             "    f = QSaveFile(path)\n",
             "    f = QSaveFile(path)\n    try:\n        with open(path, 'wb') as g:  # in place, errors unseen, as QImage.save\n            g.write(data)\n    except OSError:\n        pass\n    return ''\n",
             ("tests/test_gui_hostile.py", "-k", "cannot_be_written_whole")),
    Mutation("an export encoded as UTF-8 text (a name that is not UTF-8 fails it)", "desktop/engine/results.py",
             "    return header_bytes(fmt) + b\"\".join(row_bytes(r, fmt) for r in rows)",
             "    return (header_bytes(fmt) + b\"\".join(row_bytes(r, fmt) for r in rows)).decode(ENCODING, ERRORS).encode()",
             ("tests/test_gui_batch.py", "-k", "not_utf8")),
)


def copy_repo(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE, symlinks=True)
    return dest


def run_tests(repo: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(repo), "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    r = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                       cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    return r.returncode, r.stdout[-3000:] + r.stderr[-2000:]


def apply(repo: Path, m: Mutation) -> str:
    """Mutate the copy; returns the original text to put back. Raises if the text is not there once."""
    path = repo / m.path
    text = path.read_text()
    if text.count(m.old) != 1:
        raise LookupError(f"{m.name}: the text to mutate is in {m.path} {text.count(m.old)} times, not once; "
                          f"update scripts/mutation_check.py to the code as it is now:\n{m.old}")
    path.write_text(text.replace(m.old, m.new))
    return text


def check(mutations=MUTATIONS, out=sys.stdout) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory(prefix="digits-mutants-") as tmp:
        repo = copy_repo(Path(tmp) / "repo")
        probe = subprocess.run([sys.executable, "-c", "import desktop; print(desktop.__file__)"], cwd=repo,
                               env={**os.environ, "PYTHONPATH": str(repo)}, capture_output=True, text=True)
        if not probe.stdout.strip().startswith(str(repo)):
            raise RuntimeError(f"the copy's tests would import the working tree's code: {probe.stdout}{probe.stderr}")
        # Every mutation's tests must pass unmutated: a failure then is the mutation's doing.
        for tests in dict.fromkeys(m.tests for m in mutations):
            code, log = run_tests(repo, tests)
            if code != 0:
                raise RuntimeError(f"the tests fail without any mutation ({' '.join(tests)}):\n{log}")
        for m in mutations:
            original = apply(repo, m)
            start = time.perf_counter()
            try:
                code, log = run_tests(repo, m.tests)
            finally:
                (repo / m.path).write_text(original)
            results.append({"mutation": m.name, "tests": " ".join(m.tests), "caught": code == 1,
                            "exit": code, "seconds": time.perf_counter() - start, "log": log})
    width = max(len(r["mutation"]) for r in results)
    twidth = max(len(r["tests"]) for r in results)
    print(f"{'mutation':<{width}}  {'tests run':<{twidth}}  caught", file=out)
    for r in results:
        extra = "" if r["exit"] in (0, 1) else f" (pytest exit {r['exit']}: not a test failure)"
        print(f"{r['mutation']:<{width}}  {r['tests']:<{twidth}}  {'yes' if r['caught'] else 'NO'}{extra}", file=out)
    return results


def main() -> int:
    results = check()
    survivors = [r for r in results if not r["caught"]]
    for r in survivors:
        print(f"\n--- survived: {r['mutation']}\n{r['log']}", file=sys.stderr)
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
