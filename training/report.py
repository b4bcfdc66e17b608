"""The data-analysis report: one self-contained HTML file (images embedded) and the same as PDF."""
from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from desktop.engine import preprocess as prep  # noqa: E402
from training import analysis  # noqa: E402
from training.data import Mnist  # noqa: E402

CSS = """body{font-family:DejaVu Sans,Arial,sans-serif;max-width:980px;margin:auto;padding:1em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:2px 6px;text-align:right;font-size:10pt}
th{background:#eee}h2{border-bottom:1px solid #ccc;margin-top:1.4em}img{max-width:100%}.note{color:#555}"""


class Doc:
    """Sections of HTML built in order; figures become base64 PNGs inside the page."""

    def __init__(self, title: str):
        self.title, self.parts = title, []

    def h(self, text: str) -> None:
        self.parts.append(f"<h2>{html.escape(text)}</h2>")

    def p(self, text: str, cls: str = "") -> None:
        self.parts.append(f"<p class='{cls}'>{text}</p>")

    def ul(self, items: list[str]) -> None:
        self.parts.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")

    def table(self, header: list[str], rows: list[list]) -> None:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
        self.parts.append(f"<table><tr>{head}</tr>{body}</table>")

    def fig(self, fig, width: int = 900) -> None:
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png", dpi=90)
        plt.close(fig)
        self.image(buf.getvalue(), width)

    def image(self, png: bytes, width: int = 900) -> None:
        b64 = base64.b64encode(png).decode()
        self.parts.append(f"<p><img width='{width}' src='data:image/png;base64,{b64}'/></p>")

    def html(self) -> str:
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(self.title)}</title>"
                f"<style>{CSS}</style></head><body><h1>{html.escape(self.title)}</h1>{''.join(self.parts)}</body></html>")


def _grid(images: np.ndarray, rows: int, cols: int, titles=None, cmap="gray", size=0.9):
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * size))
    for k, ax in enumerate(np.atleast_1d(axes).flat):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap=cmap)
            if titles is not None:
                ax.set_title(titles[k], fontsize=7)
    return fig


def write_report(data: Mnist, out: Path, run_dirs: list[Path] = (), quick: bool = False,
                 seed: int = 42, echo=print) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    doc = Doc("MNIST: data analysis" + (" (quick subset)" if quick else ""))
    xtr, ytr, xte, yte = data.x_train, data.y_train, data.x_test, data.y_test
    doc.p(f"Source: {html.escape(data.source)}; sha256 {data.sha256 or 'n/a'}.", "note")

    echo("report: sizes and balance")
    doc.h("1. Sizes, shapes and value ranges")
    doc.table(["split", "images", "shape", "dtype", "min", "max", "mean pixel", "zero pixels"],
              [[n, len(x), "x".join(map(str, x.shape[1:])), str(x.dtype), int(x.min()), int(x.max()),
                f"{x.mean():.3f}", f"{100 * (x == 0).mean():.1f}%"] for n, x in (("train", xtr), ("test", xte))])
    btr, bte = analysis.class_balance(ytr), analysis.class_balance(yte)
    doc.h("2. Class balance")
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.bar(np.arange(10) - 0.2, 100 * btr / btr.sum(), 0.4, label="train")
    ax.bar(np.arange(10) + 0.2, 100 * bte / bte.sum(), 0.4, label="test")
    ax.set(xticks=range(10), xlabel="digit", ylabel="% of split")
    ax.legend()
    doc.fig(fig, 700)
    doc.table(["digit", *range(10)], [["train", *btr], ["test", *bte],
                                       ["train %", *[f"{100 * v / btr.sum():.2f}" for v in btr]]])

    doc.h("3. Sample digits per class")
    samples = np.stack([xtr[np.flatnonzero(ytr == d)[:10]] for d in range(10)]).reshape(-1, 28, 28)
    doc.fig(_grid(samples, 10, 10, size=0.7), 560)

    doc.h("4. Mean and spread image of each class")
    means = np.stack([xtr[ytr == d].mean(axis=0) for d in range(10)])
    stds = np.stack([xtr[ytr == d].std(axis=0) for d in range(10)])
    doc.fig(_grid(np.concatenate([means, stds]), 2, 10, [f"mean {d}" for d in range(10)] +
                  [f"spread {d}" for d in range(10)], cmap="magma"), 900)

    doc.h("5. Pixel intensity distribution")
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.hist(xtr.ravel()[::7], bins=64, log=True)
    ax.set(xlabel="pixel value", ylabel="count (log)")
    doc.fig(fig, 700)
    nz = xtr[xtr > 0]
    doc.p(f"{100 * (xtr == 0).mean():.1f}% of training pixels are exactly 0 (background) and "
          f"{100 * (xtr == 255).mean():.1f}% exactly 255; the remaining {100 * ((xtr > 0) & (xtr < 255)).mean():.1f}% "
          f"are the grey edges of anti-aliasing (median non-zero value {int(np.median(nz))}).")

    echo("report: shape statistics")
    doc.h("6. Ink, box, centre of mass and stroke per class")
    doc.p("<b>These figures are the targets of the app's preprocessing</b>: a user's drawing, scan or photo "
          "must be brought to the same box size, centre of mass and stroke thickness before the model sees it.")
    shp = analysis.shape_stats(xtr)
    rows = analysis.per_class_table(shp, ytr)
    doc.table(["digit", "images", "ink (px)", "box height", "box width", "aspect w/h", "centre y", "centre x",
               "stroke (px)"],
              [[r["digit"], r["count"], f"{r['ink']:.1f}", f"{r['height']:.2f}", f"{r['width']:.2f}",
                f"{r['aspect']:.2f}", f"{r['com_y']:.2f}", f"{r['com_x']:.2f}", f"{r['stroke']:.2f}"] for r in rows])
    fig, axes = plt.subplots(1, 3, figsize=(11, 3))
    axes[0].boxplot([shp.ink[ytr == d] for d in range(10)], tick_labels=[str(d) for d in range(10)], showfliers=False)
    axes[0].set(title="ink per digit (px)")
    axes[1].boxplot([shp.stroke[ytr == d] for d in range(10)], tick_labels=[str(d) for d in range(10)], showfliers=False)
    axes[1].set(title="stroke width (px, 28x28)")
    axes[2].scatter(shp.com_x[::5], shp.com_y[::5], s=2, alpha=0.3)
    axes[2].set(title="centre of mass", xlim=(12, 16), ylim=(16, 12))
    doc.fig(fig, 900)
    stroke_med = float(np.median(shp.stroke))
    doc.p(f"Preprocessing constants against these measurements: box {prep.BOX} px (measured: "
          f"{100 * (np.maximum(shp.height, shp.width) == 20).mean():.1f}% of digits have a longest side of exactly "
          f"20 px); centre {prep.CENTRE} (measured {shp.com_y.mean():.2f}, {shp.com_x.mean():.2f}); stroke "
          f"{prep.MNIST_STROKE / prep.FINE:.2f} px (measured median {stroke_med:.2f} px, 10-90% "
          f"{np.percentile(shp.stroke, 10):.2f}-{np.percentile(shp.stroke, 90):.2f}).")

    echo("report: duplicates")
    doc.h("7. Exact duplicates")
    dup_tr, dup_te, cross = analysis.duplicates(xtr), analysis.duplicates(xte), analysis.duplicates(xtr, xte)
    doc.table(["within train", "within test", "test images also in train"], [[dup_tr, dup_te, cross]])

    echo("report: embedding (t-SNE)")
    doc.h("8. A 2-D embedding of the digits")
    xy, idx = analysis.embedding(xtr, seed, 600 if quick else 2500)
    fig, ax = plt.subplots(figsize=(7, 6))
    sc = ax.scatter(xy[:, 0], xy[:, 1], c=ytr[idx], cmap="tab10", s=5)
    for d in range(10):
        cx, cy = np.median(xy[ytr[idx] == d], axis=0)
        ax.text(cx, cy, str(d), fontsize=14, weight="bold")
    fig.colorbar(sc, ax=ax, ticks=range(10))
    ax.set(title=f"t-SNE of {len(idx)} training digits (PCA 50 first)", xticks=[], yticks=[])
    doc.fig(fig, 620)

    doc.h("9. Findings")
    doc.ul(_findings(btr, bte, rows, shp, dup_tr, dup_te, cross, stroke_med))

    runs = [r for r in run_dirs if (r / "metrics.json").exists()]
    if runs:
        echo("report: comparison")
        _comparison(doc, runs, out)

    html_path, pdf_path = out / "report.html", out / "report.pdf"
    text = doc.html()
    html_path.write_text(text, encoding="utf-8")
    _pdf(text, pdf_path)
    (out / "report_numbers.json").write_text(json.dumps({"per_class": rows, "duplicates": {
        "within_train": dup_tr, "within_test": dup_te, "test_in_train": cross}, "stroke_median": stroke_med}, indent=1))
    return html_path, pdf_path


def _findings(btr, bte, rows, shp, dup_tr, dup_te, cross, stroke_med) -> list[str]:
    share = btr / btr.sum()
    by_ink = sorted(rows, key=lambda r: r["ink"])
    by_aspect = sorted(rows, key=lambda r: r["aspect"])
    by_stroke = sorted(rows, key=lambda r: r["stroke"])
    f = [
        f"The classes are close to balanced: digit {int(share.argmax())} is the most frequent in training "
        f"({100 * share.max():.2f}%) and digit {int(share.argmin())} the least ({100 * share.min():.2f}%), a ratio of "
        f"{share.max() / share.min():.2f}; the test split follows the same pattern (max/min {bte.max() / bte.min():.2f}). "
        "Plain accuracy is therefore a fair summary, with per-class recall to catch the rarer classes.",
        f"Digit {by_ink[0]['digit']} uses the least ink ({by_ink[0]['ink']:.0f} px of full ink) and digit "
        f"{by_ink[-1]['digit']} the most ({by_ink[-1]['ink']:.0f} px): a {by_ink[-1]['ink'] / by_ink[0]['ink']:.1f}x "
        "spread, so ink amount alone says much about the class and a drawing with too thick or too thin strokes "
        "shifts it; that is why the app normalises stroke width.",
        f"Box heights average {shp.height.mean():.1f} px and widths {shp.width.mean():.1f} px: digits are fitted by "
        f"their longest side, which is the height for all but the widest. Digit {by_aspect[0]['digit']} is the "
        f"narrowest (w/h {by_aspect[0]['aspect']:.2f}) and digit {by_aspect[-1]['digit']} the widest "
        f"({by_aspect[-1]['aspect']:.2f}); preprocessing must keep the aspect ratio, not stretch to a square.",
        f"The centre of mass sits at ({shp.com_y.mean():.2f}, {shp.com_x.mean():.2f}) with a spread of "
        f"{shp.com_y.std():.2f} / {shp.com_x.std():.2f} px: MNIST is centred by mass, not by box, and drawn digits "
        "must be placed the same way.",
        f"Median stroke width is {stroke_med:.2f} px at 28x28 (thinnest class {by_stroke[0]['digit']}: "
        f"{by_stroke[0]['stroke']:.2f} px, thickest {by_stroke[-1]['digit']}: {by_stroke[-1]['stroke']:.2f} px); "
        "a 1 px mouse line or a 6 px marker stroke is far outside what the models were trained on.",
        f"Exact duplicates: {dup_tr} within training, {dup_te} within test, and {cross} test images that also occur "
        "in training" + (" — small enough not to inflate test accuracy." if cross < 20 else
                         " — test accuracy may be slightly optimistic."),
    ]
    return f


def _comparison(doc: Doc, runs: list[Path], out: Path) -> None:
    from training.compare import SUMMARY_HEADER, markdown_table, summary_rows

    metrics = {}
    for run in runs:
        metrics.update(json.loads((run / "metrics.json").read_text())["models"])
    (out / "comparison.md").write_text(markdown_table(metrics))
    doc.h("10. Model comparison (training runs)")
    doc.p("Runs: " + ", ".join(html.escape(str(r)) for r in runs) + ". Test accuracy is reported, never used to "
          "choose: candidates were compared on the validation split.")
    doc.table(SUMMARY_HEADER + ["validation accuracy"],
              [row + [f"{100 * metrics[name]['val_accuracy']:.2f}%" if "val_accuracy" in metrics[name] else "-"]
               for name, row in zip(metrics, summary_rows(metrics))])
    best = max(metrics, key=lambda k: metrics[k]["test_accuracy"])
    doc.p(f"Best model: <b>{best}</b>, {100 * metrics[best]['test_accuracy']:.2f}% test accuracy with "
          f"{metrics[best]['params']:,} parameters. Per-class recall of the best model: " +
          ", ".join(f"{d}: {100 * r:.2f}%" for d, r in enumerate(metrics[best]["recall"])) + ".")
    for run in runs:
        for name in ("training_curves", "accuracy_vs_size", "confusion_best", "confused_pairs", "errors_best"):
            p = run / "plots" / f"{name}.png"
            if p.exists():
                doc.image(p.read_bytes(), 800)


def _pdf(text: str, path: Path) -> None:
    from xhtml2pdf import pisa

    with open(path, "wb") as f:
        result = pisa.CreatePDF(text, dest=f)
    if result.err:
        raise RuntimeError(f"PDF rendering failed with {result.err} errors")
