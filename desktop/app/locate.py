"""Where each digit the engine read lies in the user's own image, and its saliency laid over it.

The engine answers in the model's 28x28 space; the window draws boxes and "Why?" over the
drawing or photo itself, so the answer is traced back here (numpy only, no Qt): the digit's ink
box at the engine's work scale, scaled back to the image's pixels.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.engine.preprocess import digit_ink, ink_at_work, ink_bbox, paper_may_hold_marks, work_view
from desktop.engine.recognize import NumberPrediction, Prediction

Box = tuple[float, float, float, float]  # x, y, width, height in the image's pixels
HEAT_INK = 0.05  # the 28x28 input's ink box, over which the saliency is laid onto the image's


@dataclass
class DigitMark:
    """One digit to draw over the image: its box, its label and, for "Why?", its saliency."""

    box: Box
    label: str
    heat: np.ndarray | None = None  # over the box, any resolution, in [0, 1]
    index: int = 0  # which digit of the answer, left to right


def _scaled(bbox: tuple[int, int, int, int], factor: int, shape: tuple[int, ...], origin: tuple[int, int] = (0, 0)) -> Box:
    """A work-scale box in image pixels: ``factor`` image pixels per work pixel, from ``origin`` (the
    top left of the part read), within the image's ``shape``."""
    top, bottom, left, right = bbox
    h, w = shape[:2]
    y, x = origin
    x0, y0 = min(x + left * factor, w), min(y + top * factor, h)
    return float(x0), float(y0), float(min(x + right * factor, w) - x0), float(min(y + bottom * factor, h) - y0)


def digit_box(gray: np.ndarray, second_look: str = "") -> Box | None:
    """The box of the one digit in ``gray`` as preprocess finds it (clear ink, the paper's marks left
    out), in the part of the image it reads (preprocess.work_view: a crop around a small digit);
    ``second_look``: the answer's (Prediction.second_look), the kind of look it was read by."""
    view = work_view(gray)
    ink = ink_at_work(view.gray, look=second_look)
    if ink.blank:
        return None
    _, bbox = digit_ink(ink.ink, paper_may_hold_marks(view.gray))
    return None if bbox is None else _scaled(bbox, view.factor, gray.shape, (view.top, view.left))


def number_boxes(gray: np.ndarray, number: NumberPrediction) -> list[Box | None]:
    """The box of each digit of ``number`` in ``gray``, left to right (None where the engine gave none)."""
    boxes = number.boxes if len(number.boxes) == len(number.digits) else [None] * len(number.digits)
    return [None if b is None else _scaled(b, number.factor, gray.shape, number.origin) for b in boxes]


def heat_over_ink(heat28: np.ndarray, input28: np.ndarray, slant: float = 0.0) -> np.ndarray:
    """The part of a 28x28 saliency map over the input's ink box: what lies over the digit's box.
    ``slant``: the digit was read stood upright from ink leaning so many degrees (NumberPrediction.slant);
    the map is leant back, or it lay upright across the leaning digit's box, off its strokes."""
    bbox = ink_bbox(input28, HEAT_INK)
    if bbox is None:
        return heat28
    t, b, l, r = bbox
    heat = heat28[t:b, l:r]
    return leant(heat, slant) if slant else heat


def leant(a: np.ndarray, angle: float) -> np.ndarray:
    """``a`` sheared to lean ``angle`` degrees (> 0: its top to the right), widened to hold it all."""
    h, w = a.shape
    rows = np.arange(h)
    lift = (h - 1 - rows) if angle > 0 else rows  # how far each row sits from the one that stays put
    shifts = abs(np.tan(np.radians(angle))) * lift
    width = w + int(np.ceil(shifts.max()))
    columns = np.arange(width)
    # Each row moved right by its (fractional) shift, sampled linearly; paper (0) beyond its ends.
    return np.stack([np.interp(columns - s, np.arange(w), row, left=0.0, right=0.0) for s, row in zip(shifts, a)])


def offset(box: Box | None, dx: float, dy: float) -> Box | None:
    """A box moved by (dx, dy): from a selected region's pixels to the whole image's."""
    return None if box is None else (box[0] + dx, box[1] + dy, box[2], box[3])


def marks_for(gray: np.ndarray, result: Prediction | NumberPrediction, heats: list | None = None) -> list[DigitMark]:
    """Boxes (and saliency, when ``heats`` holds one 28x28 map or None per digit) for an answer."""
    slant = 0.0
    if isinstance(result, NumberPrediction):
        preds, boxes, slant = result.digits, number_boxes(gray, result), result.slant
    else:
        preds, boxes = ([result], [digit_box(gray, result.second_look)]) if result.digit is not None else ([], [])
    marks = []
    for k, (p, box) in enumerate(zip(preds, boxes)):
        if box is None:
            continue
        heat = heats[k] if heats and k < len(heats) else None
        marks.append(DigitMark(box, "?" if p.not_a_digit else str(p.digit),
                               None if heat is None else heat_over_ink(heat, p.input28, slant), k))
    return marks
