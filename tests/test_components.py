"""Connected components (desktop/engine/components.py) against scipy.ndimage.label, the reference."""
import numpy as np
import pytest

from desktop.engine.components import label

ndimage = pytest.importorskip("scipy.ndimage")


def _same_partition(ours: np.ndarray, theirs: np.ndarray) -> bool:
    """Equal labels up to their numbering, and ours numbered by first pixel in raster order."""
    pairs = {(int(a), int(b)) for a, b in zip(ours.ravel(), theirs.ravel())}
    if len({a for a, _ in pairs}) != len(pairs) or len({b for _, b in pairs}) != len(pairs):
        return False
    flat = ours.ravel()
    firsts = [int(flat[i]) for i in sorted(np.unique(flat, return_index=True)[1]) if flat[i]]
    return firsts == list(range(1, len(firsts) + 1))


@pytest.mark.parametrize("seed", range(6))
def test_labels_match_scipy_on_random_masks(seed):
    rng = np.random.default_rng(seed)
    for _ in range(50):
        h, w = rng.integers(1, 70, 2)
        mask = rng.random((h, w)) < rng.uniform(0.05, 0.75)
        ours, n = label(mask)
        theirs, m = ndimage.label(mask, structure=np.ones((3, 3)))
        assert n == m and _same_partition(ours, theirs)


def test_diagonal_touch_joins_and_gaps_split():
    mask = np.zeros((6, 9), bool)
    mask[0, 0] = mask[1, 1] = mask[2, 2] = True  # a diagonal: one piece
    mask[0, 4:6] = mask[2, 4:6] = True  # a row apart: two pieces
    mask[5, 0:9] = True  # a full row at the bottom edge
    labels, n = label(mask)
    assert n == 4
    assert labels[0, 0] == labels[2, 2] == 1 and labels[0, 4] == 2 and labels[2, 4] == 3 and labels[5, 8] == 4
    assert label(np.zeros((3, 3), bool))[1] == 0
