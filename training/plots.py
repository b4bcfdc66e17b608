"""Matplotlib figures: a training run's plots (PNG files beside its metrics) and the helpers the
data-analysis report draws with (image grids, PNG bytes). One place for how a figure is saved."""
from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


DPI = 110


def png_bytes(fig, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes, laid out tight; the figure is closed."""
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def _save(fig, path: Path) -> Path:
    path.write_bytes(png_bytes(fig))
    return path


def grid(images, rows: int, cols: int, titles=None, cmap: str = "gray", size: float = 0.9,
         row_labels: list[str] | None = None, vmin=None, vmax=None):
    """Images in a rows x cols grid without axes; optional titles above each, labels left of each row."""
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size + (1.4 if row_labels else 0), rows * size + 0.2),
                             squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap=cmap, vmin=vmin, vmax=vmax)
            if titles is not None:
                ax.set_title(titles[k], fontsize=7)
    for r, label in enumerate(row_labels or []):
        axes[r, 0].text(-0.12, 0.5, label, transform=axes[r, 0].transAxes, ha="right", va="center", fontsize=9)
    return fig


def training_curves(histories: dict[str, dict], path: Path) -> Path:
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    for name, h in histories.items():
        epochs = np.arange(1, len(h.get("loss", [])) + 1)
        if len(epochs) == 0:
            continue
        (line,) = a.plot(epochs, h["loss"], label=f"{name} train")
        a.plot(epochs, h.get("val_loss", []), "--", color=line.get_color())
        b.plot(epochs, [1 - v for v in h.get("val_accuracy", [])], label=name, color=line.get_color())
    a.set(title="Loss (solid train, dashed validation)", xlabel="epoch", yscale="log")
    b.set(title="Validation error", xlabel="epoch", yscale="log")
    b.legend(fontsize=8)
    return _save(fig, path)


def accuracy_vs_size(metrics: dict[str, dict], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, m in metrics.items():
        ax.scatter(m["params"], 100 * m["test_accuracy"], s=40)
        ax.annotate(name, (m["params"], 100 * m["test_accuracy"]), fontsize=8, xytext=(4, 4), textcoords="offset points")
    ax.set(xscale="log", xlabel="parameters", ylabel="test accuracy (%)", title="Accuracy against size")
    return _save(fig, path)


def confusion(cm: np.ndarray, title: str, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(5.5, 5))
    shown = np.log1p(cm)
    ax.imshow(shown, cmap="Blues")
    for i in range(10):
        for j in range(10):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if shown[i, j] > shown.max() / 2 else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true", title=title)
    return _save(fig, path)


def confused_pairs(pairs: list[dict], title: str, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 3.5))
    labels = [f"{p['true']}→{p['pred']}" for p in pairs]
    ax.barh(labels[::-1], [p["count"] for p in pairs][::-1])
    ax.set(xlabel="test images", title=title)
    return _save(fig, path)


def gallery(images: np.ndarray, captions: list[str], title: str, path: Path, cols: int = 12) -> Path:
    rows = int(np.ceil(max(1, len(images)) / cols))
    fig = grid(images, rows, cols, captions, size=1.0)
    fig.suptitle(title, fontsize=10)
    return _save(fig, path)
