"""From a grayscale image to an answer a person can trust: digit, confidence, unsure or no digit.

Every answer has one status, decided here and nowhere else (``Prediction.status``):
``digit``; ``unsure`` (a coin toss between classes, or an answer that changes when the drawing
moves a little); ``not a digit`` (ink that no class fits); ``no digit`` (empty, or too little ink);
``error`` (a file that could not be read, or a model that gave no valid score).

``recognize_many`` is the one way from images to answers (the app, the CLI's batches, the
self-test, the converter's check and the benchmarks all use it); ``recognize`` is its one-image
case. The not-a-digit rule comes with the Classifier, read from its model's own manifest.
"""
from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from desktop.engine import shape_checks
from desktop.engine.classifier import N_CLASSES, Classifier
from desktop.engine.clutter import digit_only
from desktop.engine.imageio import resize_weights
from desktop.engine.components import grown, label
from desktop.engine.preprocess import (BBOX_LEVEL, BROKEN_GAPS, NUMBER_MAX_SIDE, Found, Ink, find_digits,
                                       ink_bbox, number_view, number_work_factor, to_ink, work_factor)
from desktop.engine.segment import INK_LEVEL as PIECE_LEVEL
from desktop.engine.number_marks import COLON, COMMA, DASH, POINT, SLASH, Marks, find_marks, is_date
from desktop.engine.segment import Candidate, TooManyPieces, best_path, candidates, encloses, farness, lean, stacked
from desktop.engine.slant import Shear, upright

log = logging.getLogger("digits.recognize")

DIGIT, UNSURE, NOT_A_DIGIT, NO_DIGIT, ERROR = "digit", "unsure", "not a digit", "no digit", "error"
STATUSES = (DIGIT, UNSURE, NOT_A_DIGIT, NO_DIGIT, ERROR)
READ = (DIGIT, UNSURE)  # a digit (or number) was read: what a summary's mean confidence and tally count
FAILED = (NO_DIGIT, ERROR)  # no answer for the file: what makes a batch's exit status 1

# A result is called unsure when the top probability is low or the runner-up is close: the
# app says so instead of presenting a coin toss as an answer.
UNSURE_TOP = 0.70
UNSURE_MARGIN = 0.30
# Whatever rule decides the rest (a manifest's band below), two classes closer than COIN_TOSS are a
# coin toss, never given as sure: an outside evaluation found a font's 1 read "1, 46%" beside 7 at
# 44% with status digit. Narrower than UNSURE_MARGIN (the rule of a model without a band), so that
# MNIST test stays within 1% flagged: it flags 5 more answers (3 of them wrong), 0.91% -> 0.96%;
# at 0.2, 1.00%; at 0.3, 1.12%.
COIN_TOSS = 0.15
# A photo looked at a second time (preprocess.Found.other: as dark ink on light paper, or as lit
# unevenly) is answered so only when its first reading is flagged and the second is a sure digit at
# least this sure: on an outside evaluation's photos whose border said light ink, 19 of 94 more read
# right and none wrong at 0.95 (at the digit status alone, 24 more right but 3 more wrong, and 4 more
# non-digits, blank pages with shadows, read as sure digits; at 0.95, 2).
SECOND_LOOK_SURE = 0.95
# A peaked softmax can still sit on a class boundary: the 28x28 input is also classified turned
# +-JITTER_TURN degrees and shrunk to JITTER_SHRINK (one batch of 4 with the original). Fewer
# than JITTER_AGREE of those copies agreeing with the answer is unsure. Three copies, not more:
# the model costs ~90 us per image, and 7 copies flagged only 1 point more non-digits.
JITTER_TURN = 15.0
JITTER_SHRINK = 0.8
JITTER_AGREE = 0.5
# A final answer is the vote of three views of one drawing: the input and its two turned copies
# (VOTE: their places in ``jittered``'s output). It reads real writers better than the input alone
# (benchmarks.accuracy: MNIST test 99.50% -> 99.60%, pendigits held-out +0.2-0.7 points). The views'
# log-probabilities are averaged (the softmax of their mean logit): averaging the probabilities
# read as well but made every answer less sure than it is (ECE on MNIST test 0.9% -> 3.0%; 1.0%
# this way). The shrunk copy is left out: with it, MNIST lost 0.03 points and USPS 0.1-0.2.
VOTE = (0, 1, 2)


def vote(views: np.ndarray) -> np.ndarray:
    """(..., copies, 10) probabilities of jittered views to (..., 10): the normalised geometric
    mean over the VOTE views."""
    logs = np.log(np.clip(views[..., list(VOTE), :], 1e-12, 1.0)).mean(axis=-2)
    p = np.exp(logs - logs.max(axis=-1, keepdims=True))
    return (p / p.sum(axis=-1, keepdims=True)).astype(np.float32)


# "Not a digit" for a model without a manifest rule (measured with benchmarks.non_digits on an
# earlier model: 0.7% of MNIST test flagged in all, with unsure): the model's evidence, the top
# class's probability averaged over the answer's (its vote's) and the jittered copies', below
# NOT_DIGIT_THRESHOLD (a manifest's "not_digit"
# replaces it, see rule_from_manifest); or a shape no digit has: ink filling more than FILL_MAX of
# its box when the box is not narrow (a 1 fills its box), e.g. noise, textures, blobs.
NOT_DIGIT_RULE = "mean_jitter_probability"
NOT_DIGIT_THRESHOLD = 0.60
# Scores a manifest's rule may name (NotDigitRule.score). "vote_and_input_probability" is the lower of
# the answer's probability in the vote and in the input alone: a shape that only its turned copies
# read as a digit (a printed ">" turned 15 degrees is a 7: 12% alone, 77% in the vote) stays flagged.
KNOWN_RULES = {  # each score a rule may name, and what it is, in words (for the manifest's reader)
    "mean_jitter_probability": "the answer's calibrated probability averaged over its vote and its jittered copies",
    "max_probability": "the answer's calibrated probability (the vote of the input and its turned copies)",
    "vote_and_input_probability": "the lower of the answer's calibrated probability in the vote and in the input alone",
}
INK_LEVEL = 0.3
FILL_MAX = 0.70
FILL_MIN_WIDTH = 0.6  # width / height of the ink's box above which the fill check applies
# ...and only when the model is less sure than FILL_SURE (the rule's score): a low-resolution digit
# upscaled smoothly fills its box as a blob does (optdigits' 8x8 counts at 4x: 16 of 600 flagged,
# every one read right at 0.95-1.0), while the noise, textures and blobs it is for score low (on a
# fresh draw of the non-digit kinds, seed +1000, and the validation non-digits: all under 0.9).
FILL_SURE = 0.9


@dataclass(frozen=True)
class NotDigitRule:
    rule: str = NOT_DIGIT_RULE
    threshold: float = NOT_DIGIT_THRESHOLD
    # A manifest chosen on validation data (converter/not_digit.py) also sets where "unsure" ends on
    # the same score, so that both statuses together stay within the digits' budget; None: the
    # engine's own unsure rule (top probability, margin, jittered copies' agreement).
    unsure_below: float | None = None

    def score(self, p: "Prediction") -> float:
        if self.rule == "max_probability":
            return p.confidence
        return p.cautious if self.rule == "vote_and_input_probability" else p.evidence

    @property
    def needs_shrunk_copy(self) -> bool:
        """The shrunk copy serves the jitter-averaged score and the engine's own unsure rule; the vote
        and the scores on it need the turned copies only (a quarter less model work per answer)."""
        return self.rule == "mean_jitter_probability" or self.unsure_below is None


DEFAULT_RULE = NotDigitRule()


def not_digit_problem(entry: object) -> str:
    """What is wrong with a manifest's ``not_digit`` entry, in words, or "" when nothing is."""
    if not isinstance(entry, dict):
        return "it is not an object"
    threshold, unsure_below = entry.get("threshold"), entry.get("unsure_below")
    if entry.get("rule") not in KNOWN_RULES:
        return f"its rule is not one of {', '.join(KNOWN_RULES)}"
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        return "its threshold is not a number from 0 to 1"
    if unsure_below is not None and (isinstance(unsure_below, bool) or not isinstance(unsure_below, (int, float))
                                     or not threshold <= unsure_below <= 1.0):
        return "its unsure_below is not a number from its threshold to 1"
    return ""


def rule_from_manifest(entry: object) -> NotDigitRule:
    """A model manifest's ``not_digit`` entry as a rule (model_files gives it to the Classifier), else ours
    (with one short warning: a manifest from another version of this program may hold a rule this one lacks)."""
    if entry is None:
        return DEFAULT_RULE
    problem = not_digit_problem({**entry, "unsure_below": None} if isinstance(entry, dict) else entry)
    if problem:
        log.warning("the model manifest's not_digit entry is unusable (%s); using %s < %.2f",
                    problem, NOT_DIGIT_RULE, NOT_DIGIT_THRESHOLD)
        return DEFAULT_RULE
    unsure_below = entry.get("unsure_below")
    band_problem = not_digit_problem(entry)
    if band_problem:  # the band alone is wrong: the rule stands, the engine decides unsure
        log.warning("the model manifest's not_digit entry: %s; using the engine's unsure rule", band_problem)
        unsure_below = None
    return NotDigitRule(entry["rule"], float(entry["threshold"]), None if unsure_below is None else float(unsure_below))


def _turned(x: np.ndarray) -> list[np.ndarray]:
    """One input turned both ways by Pillow: the definition the batched maps are read from."""
    im = Image.fromarray(np.ascontiguousarray(x, np.float32), mode="F")
    return [np.asarray(im.rotate(a, resample=Image.Resampling.BILINEAR)) for a in (JITTER_TURN, -JITTER_TURN)]


@functools.lru_cache(maxsize=1)
def _turn_maps() -> tuple[np.ndarray, np.ndarray]:
    """A turn is linear in the input: per output pixel of both turned copies, its source pixels and weights.

    Read once from Pillow's own rotation of the 784 one-pixel images, so turning a batch is one
    gather instead of two Pillow calls per image. Collected sparsely: no 784x1568 matrix is made.
    """
    n = 28 * 28
    src, dst, weight = [], [], []
    one = np.zeros((28, 28), np.float32)
    for j in range(n):
        one.flat[j] = 1.0
        for t, turned in enumerate(_turned(one)):
            hit = np.flatnonzero(turned)
            src.append(np.full(hit.size, j))
            dst.append(hit + t * n)
            weight.append(turned.ravel()[hit])
        one.flat[j] = 0.0
    src, dst, weight = (np.concatenate(a) for a in (src, dst, weight))
    order = np.lexsort((src, -np.abs(weight), dst))  # per output pixel, the heaviest source first
    src, dst, weight = src[order], dst[order], weight[order]
    counts = np.bincount(dst, minlength=2 * n)
    slot = np.arange(dst.size) - np.repeat(np.cumsum(counts) - counts, counts)
    idx, w = np.zeros((2 * n, counts.max()), np.intp), np.zeros((2 * n, counts.max()), np.float32)
    idx[dst, slot], w[dst, slot] = src, weight
    return idx, w


def jittered(x: np.ndarray, shrunk: bool = True) -> np.ndarray:
    """(n, 28, 28) inputs to (n, 4, 28, 28): each input and its small moves (turned both ways, shrunk;
    without the shrunk copy, (n, 3, 28, 28))."""
    x = np.asarray(x, np.float32).reshape(-1, 28, 28)
    n = len(x)
    out = np.zeros((n, 4 if shrunk else 3, 28, 28), np.float32)
    out[:, 0] = x
    idx, w = _turn_maps()
    out[:, 1:3] = (x.reshape(n, -1)[:, idx] * w).sum(axis=-1, dtype=np.float32).reshape(n, 2, 28, 28)
    if not shrunk:
        return out
    side = round(28 * JITTER_SHRINK)
    k = (28 - side) // 2
    shrink = resize_weights(28, side, Image.Resampling.BILINEAR)  # Pillow's resize as a matrix
    out[:, 3, k : k + side, k : k + side] = shrink @ x @ shrink.T
    return out


def ink_fill(x: np.ndarray) -> tuple[float, float]:
    """(share of the ink's box that is ink, the box's width / height) of a 28x28 input."""
    m = x > INK_LEVEL
    rows, cols = np.flatnonzero(m.any(1)), np.flatnonzero(m.any(0))
    if rows.size == 0:
        return 0.0, 1.0
    h, w = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    return float(m.sum()) / (h * w), w / h


def format_confidence(p: float, decimals: int = 1) -> str:
    """A probability as a percentage that never claims certainty: "> 99.9%", "< 0.1%", "87.3%"."""
    step = 10.0 ** -decimals  # the smallest step shown, in percent
    pct = 100.0 * float(p)
    if not np.isfinite(pct):
        return "?"
    text = f"{pct:.{decimals}f}"
    # Decided on the rounded text itself, so no rounding rule can ever print 100% or 0%.
    if float(text) >= 100.0:
        return f"> {100.0 - step:.{decimals}f}%"
    if float(text) <= 0.0:
        return f"< {step:.{decimals}f}%"
    return text + "%"


GUESS_TIE = 0.01  # top two probabilities closer than this: no best guess is named (Prediction.best_guess)
# A comma-shaped candidate in number mode may be left out of the path as a comma only when the
# model reads it as a 1 (a comma's shape) or is this unsure of it: small digits beside large ones
# were read as commas.
STROKE_DOUBT = 0.5
# A "1" between digits, SLASH_TALL x their median height or taller and leaning right SLASH_LEAN
# degrees past their median lean, is a slash (_slashes): the fonts' slashes 1.2-1.4 x as tall,
# 10-25 degrees past the digits.
SLASH_TALL, SLASH_LEAN = 1.15, 10.0
NOT_A_DIGIT_MARK = "?"  # stands for a character that is not a digit in a number's text


@dataclass
class Prediction:
    """One image's answer. Its derived properties are computed once (a row asks for several of them)."""

    digit: int | None  # None: no digit in the image
    probabilities: np.ndarray | None  # (10,), calibrated: of the input alone, or its VOTE
    input28: np.ndarray | None  # what the model saw
    seconds: float = 0.0
    jitter: np.ndarray | None = None  # (k, 10): the jittered copies' probabilities, when classified
    rule: NotDigitRule = DEFAULT_RULE  # the classifier's (its model's manifest), see rule_from_manifest
    # A shape no digit has (shape_checks: a 0 in a ring, a 1 with a dot: "!"); in number mode, the
    # whole image read as one character, because its ink is in more pieces than a number has (noise,
    # a texture, dots, a row too long to read) or lies inside a loop of other ink (a face, a circled
    # number): not a digit, whatever its score.
    unreadable: bool = False
    alone: np.ndarray | None = None  # (10,): the input's own probabilities, when ``probabilities`` is its vote
    second_look: str = ""  # read by a second look, its kind (preprocess.Found.other: LIGHT_PAPER, SHADED)

    @property
    def blank(self) -> bool:
        return self.digit is None

    @functools.cached_property
    def confidence(self) -> float:
        return 0.0 if self.probabilities is None else float(self.probabilities.max())

    @functools.cached_property
    def top3(self) -> list[tuple[int, float]]:
        if self.probabilities is None:
            return []
        order = np.argsort(-self.probabilities, kind="stable")[:3]  # ties in digit order, as argmax breaks them
        return [(int(i), float(self.probabilities[i])) for i in order]

    @functools.cached_property
    def best_guess(self) -> int | None:
        """The digit to name as a best guess (of a not-a-digit answer, say), or None when the top
        classes tie within GUESS_TIE: int8 scores often tie on what is no digit, and the tie went to 0."""
        if self.probabilities is None:
            return None
        (_, p1), (_, p2) = self.top3[:2]
        return self.digit if p1 - p2 > GUESS_TIE else None

    @functools.cached_property
    def agreement(self) -> float:
        """Share of the jittered copies whose answer is this one (1.0 when none were classified)."""
        if self.jitter is None or not len(self.jitter) or self.digit is None:
            return 1.0
        return float((self.jitter.argmax(1) == self.digit).mean())

    @functools.cached_property
    def evidence(self) -> float:
        """The answer's probability averaged over its probabilities and its jittered copies'."""
        if self.probabilities is None or self.digit is None:
            return 0.0
        if self.jitter is None or not len(self.jitter):
            return self.confidence
        return float((self.probabilities[self.digit] + self.jitter[:, self.digit].sum()) / (1 + len(self.jitter)))

    @functools.cached_property
    def cautious(self) -> float:
        """The answer's probability in the vote or in the input alone, whichever is lower."""
        if self.probabilities is None or self.digit is None:
            return 0.0
        return self.confidence if self.alone is None else min(self.confidence, float(self.alone[self.digit]))

    @functools.cached_property
    def rival(self) -> tuple[int, float] | None:
        """The other answer worth naming: what moved copies say instead, else the runner-up; with its
        probability averaged over the original and the copies (what "Unsure: 6 or 5?" shows)."""
        if self.probabilities is None or self.digit is None:
            return None
        probs = self.probabilities if self.jitter is None else np.vstack([self.probabilities, self.jitter])
        mean = probs.reshape(-1, 10).mean(0)
        others = [int(d) for d in probs.reshape(-1, 10).argmax(1) if d != self.digit]
        if others:
            best = max(set(others), key=lambda d: (others.count(d), mean[d]))
        else:
            best = int(np.argsort(self.probabilities)[-2])
        return best, float(mean[best])

    @functools.cached_property
    def unsure(self) -> bool:
        if self.probabilities is None:
            return False
        (_, p1), (_, p2) = self.top3[:2]
        if self.rule.unsure_below is not None:
            return self.rule.score(self) < self.rule.unsure_below or p1 - p2 < COIN_TOSS
        return p1 < UNSURE_TOP or p1 - p2 < UNSURE_MARGIN or self.agreement < JITTER_AGREE

    @functools.cached_property
    def not_a_digit(self) -> bool:
        """Ink that no class fits: too little evidence (the manifest's rule, else ours) or no digit's shape."""
        if self.probabilities is None:
            return False
        if self.unreadable or self.rule.score(self) < self.rule.threshold:
            return True
        if self.input28 is None:
            return False
        fill, width = ink_fill(self.input28)
        return fill > FILL_MAX and width > FILL_MIN_WIDTH and self.rule.score(self) < FILL_SURE

    @functools.cached_property
    def scored(self) -> bool:
        """The model gave numbers (not NaN or infinite) for the input and its copies."""
        return self.probabilities is None or bool(np.isfinite(self.probabilities).all()
                                                  and (self.jitter is None or np.isfinite(self.jitter).all()))

    @functools.cached_property
    def status(self) -> str:
        """The one answer: no digit, else error (no valid score), else not a digit, else unsure, else digit."""
        if self.digit is None:
            return NO_DIGIT
        if not self.scored:
            return ERROR
        if self.not_a_digit:
            return NOT_A_DIGIT
        return UNSURE if self.unsure else DIGIT


@dataclass
class NumberPrediction:
    digits: list[Prediction]
    seconds: float = 0.0
    # Each digit's ink box (top, bottom, left, right) at the engine's work scale (preprocess.to_ink),
    # so the window can box and explain each digit where it was read (desktop/app/locate.py).
    boxes: list[tuple[int, int, int, int] | None] = field(default_factory=list)
    factor: int = 1  # image pixels per work pixel of the boxes (preprocess.number_work_factor)
    marks: Marks = field(default_factory=Marks)  # its punctuation: a decimal point or comma, a minus sign, a colon
    origin: tuple[int, int] = (0, 0)  # (top, left) in image pixels of the part read (a crop around a small number)
    # Two neighbouring 1s cut from one piece of ink: a V, an A, an H, an M, an N, a zigzag or a tick,
    # not a number (rarely two 1s that touch). Unsure, whatever each 1's score.
    bent: bool = False
    # Degrees the row leaned as written (> 0: leaning right) when its digits were read stood upright
    # (slant.py): their inputs stand upright while their boxes lean, as the window's "Why?" must know.
    slant: float = 0.0
    # Two slanting 1s that leave a date, by a writer whose other 1s do not stand apart from them: a
    # date's slashes or a hand that slants its 1s, which ink alone cannot tell. Unsure.
    date_or_ones: bool = False
    # The reading rests on a cut only the finer cutting of overlapping digits made (segment.FINE_PART),
    # and the usual cuts alone read other digits (_guessed): which ink is whose, that cut guesses.
    # Unsure. Trusted, such readings were right and sure 10 more times in an outside set's 600 numbers
    # but wrong yet sure 8 more (its touching digits, in handwriting faces and strokes: 16 in 100,
    # against 11 before the finer cuts and 10 with this); of 300 MNIST test numbers overlapping by a
    # quarter, 18 more and 6 more. Unsure, each set reads about as many right and sure as before the
    # finer cuts (one number fewer to three more in 150-600) and as many wrong yet sure or fewer.
    guessed: bool = False

    @property
    def text(self) -> str:
        """The number read, its marks included (number_marks); a character that is not a digit shows as NOT_A_DIGIT_MARK."""
        return self.marks.text([NOT_A_DIGIT_MARK if d.not_a_digit else str(d.digit) for d in self.digits])

    @property
    def confidence(self) -> float:
        """Probability that every digit is right, taking the digits as independent."""
        return float(np.prod([d.confidence for d in self.digits])) if self.digits else 0.0

    @property
    def unsure(self) -> bool:
        """A digit is unsure, or the number as a whole is: the probability that every digit is right
        below where one digit's answer would be unsure (a long row of sure-ish digits, each passing,
        was a "digit" read at 0.14-0.42, most of them wrong; a second hostile pass)."""
        if any(d.unsure for d in self.digits) or self.bent or self.date_or_ones or self.guessed:
            return True
        if self.marks.doubtful and not is_date(self.text):  # "1.2.3": which dot is the point?
            return True
        band = self.digits[0].rule.unsure_below if self.digits else None
        return bool(self.digits) and self.confidence < (UNSURE_TOP if band is None else band)

    @property
    def status(self) -> str:
        """The number's status: its worst character's (no valid score, not a digit, then unsure)."""
        if not self.digits:
            return NO_DIGIT
        statuses = {d.status for d in self.digits}
        for s in (ERROR, NOT_A_DIGIT, UNSURE):
            if s in statuses:
                return s
        return UNSURE if self.unsure else DIGIT


def recognize_many(classifier: Classifier, grays: Sequence[np.ndarray], *, live: bool = False,
                   at_work: bool = False) -> list[Prediction]:
    """Each grayscale image's answer: the one path from images to answers (app, CLI, benchmarks, converter).

    Preprocessing runs on the whole list (same-sized small images together, preprocess.find_digits), then
    every digit found and its jittered copies (for the answer's vote, VOTE, and the rule's scores;
    NotDigitRule.needs_shrunk_copy) go through the model in one batch. ``seconds`` is each answer's
    share of the time. ``live``: a provisional guess while a stroke is drawn, the input alone
    without its jittered copies (a third of the model's work); its digit and status may differ
    from the final answer's. ``at_work``: the images are preprocess.work_view's output already
    (see preprocess.find_digits).
    """
    start = time.perf_counter()
    rule = classifier.not_digit or DEFAULT_RULE
    digits = find_digits(grays, at_work=at_work)
    found = [i for i, f in enumerate(digits) if f is not None]
    # Each found digit's input, then the second looks' (preprocess.Found.other), in one batch.
    looks = [digits[i] for i in found] + ([] if live else [digits[i].other for i in found if digits[i].other])
    probs = np.empty((0, 1, N_CLASSES), np.float32)
    if looks:
        x = np.stack([f.input28 for f in looks])
        batch = x[:, None] if live else jittered(x, rule.needs_shrunk_copy)
        probs = classifier.predict(batch.reshape(-1, 28, 28)).reshape(len(looks), batch.shape[1], N_CLASSES)
    out = [Prediction(None, None, None, rule=rule) for _ in grays]
    second = iter(range(len(found), len(looks)))
    for i, p in zip(found, probs):
        f = digits[i]
        if live:
            out[i] = Prediction(int(np.argmax(p[0])), p[0], f.input28, rule=rule)
            continue
        out[i] = _checked(answered(p, f.input28, rule), f)
        if f.other is not None:
            other = _checked(answered(probs[next(second)], f.other.input28, rule), f.other)
            if out[i].status != DIGIT and other.status == DIGIT and other.confidence >= SECOND_LOOK_SURE:
                out[i] = dataclasses.replace(other, second_look=f.other.look)
    seconds = (time.perf_counter() - start) / max(len(grays), 1)
    for prediction in out:
        prediction.seconds = seconds
    return out


def _checked(answer: Prediction, found: Found) -> Prediction:
    """The answer unreadable where its digit's shape check (shape_checks.CHECKS) finds the found ink no digit."""
    check = shape_checks.CHECKS.get(answer.digit)
    if check is not None and answer.status in READ and check(found.crop):
        return dataclasses.replace(answer, unreadable=True)
    return answer


def answered(views: np.ndarray, input28: np.ndarray, rule: NotDigitRule, seconds: float = 0.0) -> Prediction:
    """A final answer from the model's probabilities of an input's views ((copies, 10): the input,
    then its jittered copies): their vote, the copies and the input's own kept beside it."""
    answer = vote(views)
    return Prediction(int(np.argmax(answer)), answer, input28, seconds, views[1:], rule, alone=views[0])


def recognize(classifier: Classifier, gray: np.ndarray, *, live: bool = False) -> Prediction:
    """One image's answer: recognize_many of one."""
    return recognize_many(classifier, [gray], live=live)[0]


def recognize_number(classifier: Classifier, gray: np.ndarray, *, looked: bool = False) -> NumberPrediction:
    """Several digits in a row, read left to right: segmentation by recognition.

    Every candidate digit (runs of consecutive pieces of ink, see segment.py) goes through the
    model in one batch; the split whose digits the model is surest of, given their shapes, wins.
    Its digits are then answered by their vote (VOTE), as a single digit is. Stray dots are left
    out (preprocess.is_speck). A small number in a large image (a photo of a page) is read from a
    crop around it (preprocess.readable_part): at the usual scale its ink was too few pixels
    ("no digit" for 20 of 66 small digits that one-digit mode read, a hostile pass found).
    ``looked``: ``gray`` is preprocess.number_view's image already (the batch's reader makes it so),
    not looked at again.
    """
    start = time.perf_counter()
    if looked:
        return _read_number(classifier, gray, start)
    view = number_view(gray)
    number = _read_number(classifier, view.gray, start)
    return dataclasses.replace(number, factor=number.factor * view.factor, origin=(view.top, view.left))


def _ink_as_at(gray: np.ndarray, factor: int, light: bool) -> Ink | None:
    """to_ink of a row at a finer ``factor``, or None where the usual scale found light paper
    (``light``) and this one dark. At full size a photo's border could say so: a desk's strip and a
    shadow along its foot, and the page's brightest specks setting the mid tone, made the paper dark
    at 1x and 2x though not at 4x, and the lit page was read as the ink, the digits its holes ("???0??"
    for 691041 on a page: an outside evaluation). The row is then read at the usual scale, as one digit
    is. (Not the other way: a page in the desk's wedges is dark paper at 4x, light, and right, at 2x.)"""
    ink = to_ink(gray, factor, row=True)
    return None if light and not ink.inverted else ink


def _read_number(classifier: Classifier, gray: np.ndarray, start: float) -> NumberPrediction:
    # Found at the usual scale first, then again at the one that keeps its row of digits tall enough
    factor = work_factor(np.shape(gray))
    ink = to_ink(gray, factor, row=True)
    light = ink.inverted
    if ink.blank and number_work_factor(np.shape(gray)) < factor:
        # A row so long that its digits vanish at the usual scale (200 digits, 28 px tall: "no digit",
        # as if the image were empty): found again at the scale that keeps the image's height.
        factor = number_work_factor(np.shape(gray))
        ink = to_ink(gray, factor, row=True)
    if ink.blank:
        return NumberPrediction([], time.perf_counter() - start, factor=factor)
    clean = digit_only(ink.ink, PIECE_LEVEL)  # ruled lines, a margin, specks
    bbox = ink_bbox(clean, BBOX_LEVEL)  # the row's height, not the ruled page's
    finer = number_work_factor(np.shape(gray), None if bbox is None else (bbox[1] - bbox[0]) * factor)
    if finer < factor and (at_finer := _ink_as_at(gray, finer, light)) is not None:
        factor, ink = finer, at_finer
        if ink.blank:
            return NumberPrediction([], time.perf_counter() - start, factor=factor)
        clean = digit_only(ink.ink, PIECE_LEVEL)
    # A thin pen (a ballpoint photographed, a tablet's hairline) at the row's scale leaves strokes
    # under a pixel wide, broken wherever they are faint: pen digits by other writers, a "19" in 23
    # pieces, read "?1??9". Such a row is found again at half the scale while its strokes stay broken
    # and its longest side within NUMBER_MAX_SIDE.
    finest = work_factor(np.shape(gray), NUMBER_MAX_SIDE)
    while factor > finest and _broken(clean > PIECE_LEVEL):
        finer = max(finest, factor // 2)
        thicker = _ink_as_at(gray, finer, light)
        if thicker is None or thicker.blank:
            break
        factor, ink, clean = finer, thicker, digit_only(thicker.ink, PIECE_LEVEL)
    try:
        if encloses(clean) or stacked(clean > PIECE_LEVEL):
            return _no_number(classifier, gray, clean, factor, start)
        written = _read_row(classifier, ink.ink, clean, factor, start)
    except TooManyPieces:
        return _no_number(classifier, gray, clean, factor, start)
    if written.status != NOT_A_DIGIT or not _mostly_read(written):
        return written
    # A row that leans, mostly read but with a character not read, is read again stood upright
    # (slant.py): cut in columns, leaning digits that touch each carry a slice of the next
    # ("66774656" in an italic font read "6677?556"). Not after a reading with every character read:
    # a sure one changed on none of an outside evaluation's numbers, and an unsure one stood upright
    # was surer but no righter (leaning words read as sure numbers: a hostile pass). Nor for a row
    # mostly not read: fewer scribbles and words get a second chance to look like a number.
    shear = upright(clean > PIECE_LEVEL)
    if shear is None:
        return written
    try:
        stood = _read_row(classifier, shear.apply(ink.ink), shear.apply(clean), factor, start, shear)
    except TooManyPieces:  # (a thin stroke sheared into steps: the row as written stands)
        return written
    return stood if _better(stood, written) else written


def _broken(ink: np.ndarray) -> bool:
    """Strokes broken into dashes: BROKEN_GAPS more pieces of ``ink`` than once gaps of a pixel close."""
    return label(ink)[1] >= label(grown(ink))[1] + BROKEN_GAPS


def _better(stood: NumberPrediction, written: NumberPrediction) -> bool:
    """The row stood upright is read better than as written: surer, with as many digits or more and
    every mark the written row had (a hostile pass: "1.2.3" stood upright lost a point and read a
    sure 123; a shorter reading, with fewer digits to doubt, is surer; two touching digits read as
    one "?" stand apart upright: "189" read "?9")."""
    return (stood.confidence > written.confidence and len(stood.digits) >= len(written.digits)
            and set(written.marks.at) <= set(stood.marks.at))


def _mostly_read(number: NumberPrediction) -> bool:
    """Two digits or more, at least half of them read (a digit, or unsure)."""
    return len(number.digits) >= 2 and 2 * sum(d.status in READ for d in number.digits) >= len(number.digits)


def _read_row(classifier: Classifier, ink: np.ndarray, clean: np.ndarray, factor: int, start: float,
              shear: Shear | None = None) -> NumberPrediction:
    """The number in the ``ink`` of a row (``clean``: its ink without ruled lines and specks) at work
    scale ``factor``; ``shear``: the row was stood upright so, and its boxes go back to the row as
    written. TooManyPieces when its ink is in more pieces than a number has."""
    n_pieces, cands = candidates(clean)
    digits = [k for k, c in enumerate(cands) if not c.speck]
    if not digits:
        return NumberPrediction([], time.perf_counter() - start, factor=factor)
    inputs = np.stack([cands[k].input28 for k in digits])  # cached: the shape prior reads them too
    probs = classifier.predict(inputs)
    rule = classifier.not_digit or DEFAULT_RULE
    scores = np.zeros(len(cands))
    scores[digits] = np.log(np.clip(probs.max(axis=1), 1e-6, 1.0))
    row = {k: r for r, k in enumerate(digits)}
    # A dash, and a comma-shaped candidate the model reads as a 1 (a comma's shape) or doubts, or too
    # small for a digit (number_marks.COMMA_SMALL), are left out of the path as a speck is, for
    # number_marks to read; one it reads as another digit is a digit written small (a 9 beside large
    # ones), and stays one. Should fewer be read as marks than were left out, the path is chosen
    # again with them in: no ink is lost without a word.
    out = [k for k in digits if cands[k].mark in (DASH, POINT) or (cands[k].mark == COMMA and (
        cands[k].small or probs[row[k]].argmax() == 1 or probs[row[k]].max() < STROKE_DOUBT))]
    far = farness(cands)  # the shapes, measured once for every path chosen below
    used = [dataclasses.replace(c, speck=True) if k in out else c for k, c in enumerate(cands)]
    read = _path_and_marks(n_pieces, used, scores, far, ink, clean, shear)
    if sum(char in (COMMA, DASH, POINT, COLON) for _, char in read[2].at) < len(out):  # (a round comma is a point)
        used = cands
        read = _path_and_marks(n_pieces, used, scores, far, ink, clean, shear)
    path, boxes, marks = read
    guessed = _guessed(n_pieces, used, scores, far, path, {k: int(probs[r].argmax()) for k, r in row.items()})
    # The path's digits are answered as one digit is (recognize_many): by the vote of their views,
    # of which only the copies are new (each input was classified with the candidates).
    answers = []
    if path:
        rows = [row[k] for k in path]
        copies = jittered(inputs[rows], rule.needs_shrunk_copy)[:, 1:]
        copies = classifier.predict(copies.reshape(-1, 28, 28)).reshape(len(path), -1, N_CLASSES)
        answers = [answered(np.vstack([probs[r][None], c]), inputs[r], rule) for r, c in zip(rows, copies)]
    answers = [dataclasses.replace(a, unreadable=True) if _dotted(cands[k], cands, a, clean) else a
               for k, a in zip(path, answers)]
    bent = _bent([cands[k] for k in path], answers)
    slashes, date_or_ones = _slashes([cands[k] for k in path], answers)
    if slashes:  # a date's "/": a mark, not the 1 it was read as; the number is unsure, as with points
        keep = [i for i in range(len(path)) if i not in slashes]
        shift = [sum(j < i for j in slashes) for i in range(len(path) + 1)]
        at = [(b - shift[b], ch) for b, ch in marks.at] + [(i - shift[i], SLASH) for i in slashes]
        marks = Marks(tuple(sorted(at, key=lambda m: m[0])), doubtful=True)
        answers, boxes = [answers[i] for i in keep], [boxes[i] for i in keep]
    return NumberPrediction(answers, time.perf_counter() - start, boxes, factor, marks, bent=bent,
                            slant=0.0 if shear is None else shear.angle, date_or_ones=date_or_ones,
                            guessed=guessed)


def _guessed(n_pieces: int, cands: list[Candidate], scores: np.ndarray, far: np.ndarray, path: list[int],
             surest: dict[int, int]) -> bool:
    """The path's reading rests on a cut only the finer cutting of overlapping digits made
    (segment.FINE_PART): a digit of it is parted so, and without such cuts the best path reads other
    digits (``surest``: each candidate's surest class), or cannot read the ink at all (more finer
    pieces between two usual cuts than a digit may join: a long outline). Ink cut finer but read the
    same, as touching digits often are, stays as sure as before."""
    if not any(cands[k].guessed for k in path):
        return False
    coarse = best_path(n_pieces, cands, np.where([c.guessed for c in cands], -1e9, scores), far)
    return any(cands[k].guessed for k in coarse) or [surest[k] for k in coarse] != [surest[k] for k in path]


def _dotted(digit: Candidate, cands: list[Candidate], answer: Prediction, ink: np.ndarray) -> bool:
    """A 1 of the path with a speck the path left out above or below it, over its columns: "!" or
    "i" (shape_checks.dotted, as one digit is judged; the dot had been dropped as dust, and number
    mode read "!" as a sure 1: a code review)."""
    if answer.digit != 1 or answer.status not in READ:
        return False
    cols = digit.mask.any(axis=0)
    dots = [c.mask for c in cands if c.speck and c.last - c.first == 1 and (c.mask.any(axis=0) & cols).any()]
    if not dots:
        return False
    both = np.logical_or.reduce([digit.mask, *dots])
    rows, used = np.flatnonzero(both.any(axis=1)), np.flatnonzero(both.any(axis=0))
    box = (slice(rows[0], rows[-1] + 1), slice(used[0], used[-1] + 1))
    return shape_checks.dotted(np.where(both, ink, 0.0)[box])


def _slashes(digits: list[Candidate], answers: list[Prediction]) -> tuple[list[int], bool]:
    """Which of a number's digits are a slash read as a 1 ("09/03/16" read 09103116, sure: an outside
    evaluation): one stroke of its own between digits, leaning right further than they do (SLASH_LEAN
    degrees past their median) and taller than them (SLASH_TALL x their median height), or two such
    strokes of any height that make the number a date; and whether two such strokes may be a date's
    slashes or may be 1s (the number is then unsure)."""
    if len(digits) < 3:
        return [], False
    heights = np.array([c.crop.shape[0] for c in digits], float)
    leans = np.array([lean(c.crop) for c in digits])
    found, leaning, italic = [], [], []
    for i in range(1, len(digits) - 1):
        others = [j for j in range(len(digits)) if j != i and answers[j].digit != 1]
        if answers[i].digit != 1 or not digits[i].alone or len(others) < 2:
            continue
        tall = heights[i] >= SLASH_TALL * np.median(heights[others])
        if leans[i] > 0 and leans[i] >= np.median(leans[others]) + SLASH_LEAN:
            leaning.append(i)
            if tall:
                found.append(i)
        elif tall and leans[i] > 0 and leans[i] >= np.median(leans[others]):
            italic.append(i)
    # An italic face or hand leans its slashes as it leans its digits, but stands them taller: two
    # such strokes that leave a date are its slashes (an outside evaluation: Lobster's "09/07/33",
    # slashes 1.3 x the digits' height, read a sure 09107133).
    if len(italic) == 2 and not leaning and _a_date(italic, answers):
        return italic, False
    # A date's slashes need not be taller than its digits (DejaVu's are 1.07 x, a hand's often no
    # taller: "12/31/2024" read 1213112024, sure, a hostile pass): two leaning 1s that leave a date
    # (number_marks.is_date, its points as slashes) are its slashes when the writer's own 1s stand
    # apart from them, upright by SLASH_LEAN or more. Without such a 1, a hand that slants its 1s
    # alone wrote 71412000 (a code review: read 7/4/2000).
    # Without one, both readings stand ("05/06/86" in a hand, or 05106186 by one slanting its 1s):
    # the number is read with its 1s, and unsure (it was sure: an outside evaluation, 3 of 21 dates).
    if len(leaning) == 2 and set(found) < set(leaning) and _a_date(leaning, answers):
        ones = [j for j, a in enumerate(answers) if a.digit == 1 and j not in leaning]
        if any(leans[j] <= leans[leaning].min() - SLASH_LEAN for j in ones):
            return leaning, False
        return [], True  # (not one slash of the two: "05/06186")
    return found, False


def _a_date(slashes: list[int], answers: list[Prediction]) -> bool:
    """The number is a date with these of its 1s as slashes (number_marks.is_date reads points)."""
    return is_date("".join("." if i in slashes else str(a.digit) for i, a in enumerate(answers)))


def _bent(digits: list[Candidate], answers: list[Prediction]) -> bool:
    """Two neighbouring 1s cut from one piece of ink: a V read "11", an N "111", a zigzag "111111111"
    (a hostile pass: 22 of 646 non-digits so), and, leaning less than 30 degrees apart as the rule
    once asked, a narrow V, an A, an H or an M: "2V7", "2A7" read a sure 2117 (a second hostile pass:
    17 of 144 such). Touching 1s are rare: on 900 MNIST test numbers at 0, -10% and -25% gaps, 5 right
    answers became unsure and one wrong one too."""
    for (a, pa), (b, pb) in zip(zip(digits, answers), zip(digits[1:], answers[1:])):
        if pa.digit == pb.digit == 1 and a.components & b.components:
            return True
    return False


def _no_number(classifier: Classifier, gray: np.ndarray, clean: np.ndarray, factor: int,
               start: float) -> NumberPrediction:
    """Ink that no number makes (more pieces than a number has: noise, a texture, dots; ink inside a
    loop of other ink: a face, a circled number; lines one under another), read whole as one
    character that is not a digit."""
    whole = recognize(classifier, gray)
    if whole.digit is None:  # a row too long to find at the usual scale (200 digits): ink all the same
        flat = np.full(N_CLASSES, 1.0 / N_CLASSES, np.float32)
        blank = np.zeros((28, 28), np.float32)  # "Why?" reads a model input: there is none to show
        whole = Prediction(int(np.argmax(flat)), flat, blank, rule=classifier.not_digit or DEFAULT_RULE)
    return NumberPrediction([dataclasses.replace(whole, unreadable=True)], time.perf_counter() - start,
                            [ink_bbox(clean, BBOX_LEVEL)], factor)


def _path_and_marks(n_pieces: int, cands: list[Candidate], scores: np.ndarray, far: np.ndarray, ink: np.ndarray,
                    clean: np.ndarray, shear: Shear | None = None
                    ) -> tuple[list[int], list[tuple[int, int, int, int] | None], Marks]:
    """The best path's candidates, their ink boxes (clear ink's, else any ink's) and the number's marks.
    ``far``: segment.farness of the candidates; ``shear``: the ink was stood upright so; the boxes
    returned are on the row as written."""
    path = best_path(n_pieces, cands, scores, far)
    parts = [np.where(cands[k].mask, ink, 0.0) for k in path]
    boxes = [ink_bbox(part, BBOX_LEVEL) or ink_bbox(part) for part in parts]
    marks = find_marks(clean, [cands[k].mask for k in path], boxes)
    if shear is not None:
        boxes = [ink_bbox(part, BBOX_LEVEL) or ink_bbox(part) for part in (shear.undo(p) for p in parts)]
    return path, boxes, marks
