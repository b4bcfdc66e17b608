"""Connected components of a mask: which pixels of ink belong together.

Labelled run by run, not pixel by pixel: each row's runs of ink are found with numpy, runs in
neighbouring rows that touch (8-connected) are joined by a few vectorised passes of union-find,
and the labels are painted back run by run. On a 160x160 digit it takes about 0.3 ms, 40x less
than a breadth-first search in Python, with the same labels. scipy.ndimage.label would do it but
would add tens of MB to the packaged binary.
"""
from __future__ import annotations

import numpy as np


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """starts[i], starts[i] + 1, ..., starts[i] + counts[i] - 1 for every i, concatenated."""
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(int(counts.sum()))


def run_pixels(row: np.ndarray, start: np.ndarray, end: np.ndarray, width: int) -> np.ndarray:
    """The flat indices (in an image ``width`` wide) of every pixel of the runs ``runs`` gives."""
    return _ranges(row * width + start, end - start)


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every run of True along the rows, in raster order: (row, start, end exclusive) arrays."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    row, start = np.nonzero(step == 1)
    _, end = np.nonzero(step == -1)
    return row, start, end


def boxes(labels: np.ndarray, n: int) -> np.ndarray:
    """(n, 4) int array: each component's (top, bottom, left, right), ends exclusive, in one pass."""
    ys, xs = np.nonzero(labels)
    k = labels[ys, xs] - 1
    out = np.empty((n, 4), np.int64)
    out[:, 0], out[:, 2] = labels.shape[0], labels.shape[1]
    out[:, 1] = out[:, 3] = 0
    np.minimum.at(out[:, 0], k, ys)
    np.maximum.at(out[:, 1], k, ys + 1)
    np.minimum.at(out[:, 2], k, xs)
    np.maximum.at(out[:, 3], k, xs + 1)
    return out


def label(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected component labels (0 = background) and their count; components are numbered in
    the order of their first pixel, row by row (as a raster scan meets them)."""
    mask = np.asarray(mask, bool)
    h, w = mask.shape
    labels = np.zeros((h, w), np.int32)
    row, start, end = runs(mask)
    n = row.size
    if n == 0:
        return labels, 0
    stride = w + 2  # a run's place in the whole image as one sorted key: row * stride + column
    start_key, end_key = row * stride + start, row * stride + end
    # The runs of the next row that touch a run, diagonals included: they end at or after its
    # start and start at or before its end; a contiguous range of the sorted keys.
    below = (row + 1) * stride
    first = np.searchsorted(end_key, below + start, side="left")
    last = np.searchsorted(start_key, below + end, side="right")
    counts = np.maximum(last - first, 0)
    a, b = np.repeat(np.arange(n), counts), _ranges(first, counts)
    root = np.arange(n)
    while True:  # every run takes the least root among the runs it touches, until none changes
        least = np.minimum(root[a], root[b])
        new = root.copy()
        np.minimum.at(new, a, least)
        np.minimum.at(new, b, least)
        new = new[new]
        if np.array_equal(new, root):
            break
        root = new
    # A component's root is its first run in raster order, so numbering the roots in order numbers
    # the components by their first pixel.
    roots = np.flatnonzero(root == np.arange(n))
    number = np.zeros(n, np.int32)
    number[roots] = np.arange(1, roots.size + 1)
    labels.ravel()[run_pixels(row, start, end, w)] = np.repeat(number[root], end - start)
    return labels, int(roots.size)


_any = np.logical_or.reduce  # ndarray.any(axis) without its Python wrapper: the same flags


def box_of(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right), exclusive ends, of a mask's True pixels; None if none."""
    rows = _any(mask, axis=1)
    top = int(rows.argmax())
    if not rows[top]:
        return None
    cols = _any(mask, axis=0)
    # The first and the last True of each: argmax on the flags and on them reversed (no index arrays).
    return top, rows.size - int(rows[::-1].argmax()), int(cols.argmax()), cols.size - int(cols[::-1].argmax())


def largest(labels: np.ndarray, n: int) -> int:
    """The label of the piece with the most pixels (1..n; n > 0)."""
    return int(np.argmax(np.bincount(labels.ravel(), minlength=n + 1)[1:])) + 1


def at_border(labels: np.ndarray, n: int) -> np.ndarray:
    """The labelled pieces that reach the image's border, as one mask (of paper: the paper outside
    every loop of ink, when ``labels`` are the paper's pieces)."""
    if n == 0:
        return np.zeros(labels.shape, bool)
    b = boxes(labels, n)
    h, w = labels.shape
    outer = np.flatnonzero((b[:, 0] == 0) | (b[:, 1] == h) | (b[:, 2] == 0) | (b[:, 3] == w))
    return np.isin(labels, outer + 1)


def grown(mask: np.ndarray) -> np.ndarray:
    """The mask and its 8 neighbours (a binary dilation by one pixel)."""
    out = mask.copy()
    out[1:] |= mask[:-1]
    out[:-1] |= mask[1:]
    both = out.copy()
    both[:, 1:] |= out[:, :-1]
    both[:, :-1] |= out[:, 1:]
    return both


def stroke_width(fine: np.ndarray) -> float:
    """Mean stroke width in pixels: 2 x area / boundary, exact for long strokes of any width."""
    mask = fine > 0.5
    area = int(np.count_nonzero(mask))
    if area == 0:
        return 0.0
    # Ink touching the crop's edge still has a boundary there: outside the crop is no ink. Inner
    # pixels (ink with ink on all four sides) can only lie off the edge: the interior, each of its
    # pixels and-ed with its four neighbours.
    middle = mask[1:-1, 1:-1]
    inner = middle & mask[:-2, 1:-1]
    inner &= mask[2:, 1:-1]
    inner &= mask[1:-1, :-2]
    inner &= mask[1:-1, 2:]
    boundary = area - int(np.count_nonzero(inner))
    return 2.0 * area / max(boundary, 1)
