"""The data-analysis report: one self-contained HTML file (images embedded), the same as PDF, and
a PPTX deck of the same findings (one figure or table per slide).

The report is built once as a list of sections (``Doc``), each holding paragraphs, numbered
figures and numbered tables with their captions; the HTML/PDF and the deck are two renderings of
that one list, so they cannot drift apart. In the PDF a section's heading is kept on the page
with its first figure or table, and no figure or table is split across pages.
"""
from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from desktop.engine import preprocess as prep  # noqa: E402
from training import analysis  # noqa: E402
from training.data import SEED, Mnist  # noqa: E402
from training.plots import grid, png_bytes  # noqa: E402

CSS = """body{font-family:DejaVu Sans,Arial,sans-serif;max-width:980px;margin:auto;padding:1em;color:#222}
table{margin:.3em 0 .8em 0}td,th{border:1px solid #bbb;padding:2px 5px;text-align:right;font-size:9pt}
th{background:#eee;vertical-align:bottom}h2{border-bottom:1px solid #ccc;margin-top:1.2em;page-break-after:avoid}
img{max-width:100%}.note{color:#555}.caption{color:#333;font-size:9pt;font-style:italic;margin:.2em 0 .8em 0}
.keep{page-break-inside:avoid}"""
EMBEDDING_N, EMBEDDING_N_QUICK = 2500, 600  # digits in the t-SNE figure
OW_SAMPLE_QUICK = 300  # other writers' digits measured per set with --quick (all of them otherwise)
OW_FILE_SAMPLE = 40  # digits per set and rendering measured as files


@dataclass
class Figure:
    caption: str
    png: bytes
    width: int  # in the HTML page, pixels
    number: int = 0


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list]
    number: int = 0


@dataclass
class Text:
    html: str
    cls: str = ""


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Section:
    title: str  # numbered: "3. Sample digits per class"
    items: list = field(default_factory=list)

    @property
    def blocks(self) -> list:
        """The figures and tables, in order: what the deck gives a slide each."""
        return [i for i in self.items if isinstance(i, (Figure, Table))]


class Doc:
    """Sections built in order; figures and tables are numbered across the document."""

    def __init__(self, title: str):
        self.title, self.intro, self.sections = title, [], []
        self._figures = self._tables = 0

    def _add(self, item) -> None:
        (self.sections[-1].items if self.sections else self.intro).append(item)

    def h(self, text: str) -> None:
        self.sections.append(Section(f"{len(self.sections) + 1}. {text}"))

    def p(self, text: str, cls: str = "") -> None:
        self._add(Text(text, cls))

    def ul(self, items: list[str]) -> None:
        self._add(Bullets(items))

    def table(self, header: list[str], rows: list[list], caption: str) -> None:
        self._tables += 1
        self._add(Table(caption, [str(c) for c in header], [[str(c) for c in r] for r in rows], self._tables))

    def fig(self, fig, caption: str, width: int = 900) -> None:
        self.image(png_bytes(fig, dpi=90), caption, width)

    def image(self, png: bytes, caption: str, width: int = 900) -> None:
        self._figures += 1
        self._add(Figure(caption, png, width, self._figures))

    # --- HTML (and from it the PDF) ---------------------------------------------------------
    def html(self) -> str:
        body = "".join(_item_html(i) for i in self.intro)
        for s in self.sections:
            # The heading and everything up to the section's first figure or table stay together.
            first = next((k for k, i in enumerate(s.items) if isinstance(i, (Figure, Table))), 0)
            head = f"<h2>{html.escape(s.title)}</h2>" + "".join(_item_html(i, keep=False) for i in s.items[:first + 1])
            body += f"<div class='keep'>{head}</div>" + "".join(_item_html(i) for i in s.items[first + 1:])
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(self.title)}</title>"
                f"<style>{CSS}</style></head><body><h1>{html.escape(self.title)}</h1>{body}</body></html>")


def caption_text(item: Figure | Table) -> str:
    """The caption as printed under a figure, above a table, and on the item's slide."""
    return f"{'Figure' if isinstance(item, Figure) else 'Table'} {item.number}. {item.caption}"


def _item_html(item, keep: bool = True) -> str:
    wrap = (lambda s: f"<div class='keep'>{s}</div>") if keep else (lambda s: s)
    if isinstance(item, Text):
        return f"<p class='{item.cls}'>{item.html}</p>"
    if isinstance(item, Bullets):
        return "<ul>" + "".join(f"<li>{i}</li>" for i in item.items) + "</ul>"
    cap = f"<p class='caption'>{html.escape(caption_text(item))}</p>"
    if isinstance(item, Figure):
        b64 = base64.b64encode(item.png).decode()
        return wrap(f"<img width='{item.width}' src='data:image/png;base64,{b64}'/>{cap}")
    # Columns as wide as their longest value or header word (the PDF engine would make them equal,
    # and a long unbreakable name ran out of its cell), the first column left-aligned.
    need = [max([max(map(len, head.split()), default=1), *map(len, col)]) + 2
            for head, *col in zip(item.header, *item.rows)]
    widths = [f"{100 * n / sum(need):.0f}%" for n in need]

    def cells(tag, row):
        return "".join(f"<{tag} width='{w}'" + (" style='text-align:left'" if j == 0 else "") +
                       f">{html.escape(c)}</{tag}>" for j, (c, w) in enumerate(zip(row, widths)))

    head = cells("th", item.header)
    body = "".join(f"<tr>{cells('td', r)}</tr>" for r in item.rows)
    # repeat="1": a table that must cross a page repeats its header row there.
    return wrap(f"{cap}<table repeat='1'><tr>{head}</tr>{body}</table>")


def write_report(data: Mnist, out: Path, run_dirs: list[Path] = (), quick: bool = False,
                 seed: int = SEED, echo=print, other_writers_path: Path | None = None) -> tuple[Path, Path, Path]:
    """Write report.html, report.pdf, report.pptx and report_numbers.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    doc = Doc("MNIST: data analysis" + (" (quick subset)" if quick else ""))
    xtr, ytr, xte, yte = data.x_train, data.y_train, data.x_test, data.y_test
    doc.p(f"Source: {html.escape(data.source)}; sha256 {data.sha256 or 'n/a'}.", "note")

    echo("report: sizes and balance")
    doc.h("Sizes, shapes and value ranges")
    doc.table(["split", "images", "shape", "dtype", "min", "max", "mean pixel", "zero pixels"],
              [[n, len(x), "x".join(map(str, x.shape[1:])), str(x.dtype), int(x.min()), int(x.max()),
                f"{x.mean():.3f}", f"{100 * (x == 0).mean():.1f}%"] for n, x in (("train", xtr), ("test", xte))],
              "MNIST's two splits as stored: 28x28 grey images, white ink (255) on black (0).")
    btr, bte = analysis.class_balance(ytr), analysis.class_balance(yte)
    doc.h("Class balance")
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.bar(np.arange(10) - 0.2, 100 * btr / btr.sum(), 0.4, label="train")
    ax.bar(np.arange(10) + 0.2, 100 * bte / bte.sum(), 0.4, label="test")
    ax.set(xticks=range(10), xlabel="digit", ylabel="% of split")
    ax.legend()
    doc.fig(fig, "Share of each digit in the training and test splits.", 700)
    doc.table(["digit", *range(10)], [["train", *btr], ["test", *bte],
                                       ["train %", *[f"{100 * v / btr.sum():.2f}" for v in btr]]],
              "Images per digit in each split.")

    doc.h("Sample digits per class")
    samples = np.stack([xtr[np.flatnonzero(ytr == d)[:10]] for d in range(10)]).reshape(-1, 28, 28)
    doc.fig(grid(samples, 10, 10, size=0.7), "The first ten training digits of each class, one class per row.", 500)

    doc.h("Mean and spread image of each class")
    means = np.stack([xtr[ytr == d].mean(axis=0) for d in range(10)])
    stds = np.stack([xtr[ytr == d].std(axis=0) for d in range(10)])
    doc.fig(grid(np.concatenate([means, stds]), 2, 10, [f"mean {d}" for d in range(10)] +
                 [f"spread {d}" for d in range(10)], cmap="magma"),
            "Per class, the mean image (top) and the per-pixel standard deviation (bottom) of the training digits.",
            900)

    doc.h("Pixel intensity distribution")
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.hist(xtr.ravel()[::7], bins=64, log=True)
    ax.set(xlabel="pixel value", ylabel="count (log)")
    doc.fig(fig, "Histogram of training pixel values (every 7th pixel, log scale).", 700)
    nz = xtr[xtr > 0]
    doc.p(f"{100 * (xtr == 0).mean():.1f}% of training pixels are exactly 0 (background) and "
          f"{100 * (xtr == 255).mean():.1f}% exactly 255; the remaining {100 * ((xtr > 0) & (xtr < 255)).mean():.1f}% "
          f"are the grey edges of anti-aliasing (median non-zero value {int(np.median(nz))}).")

    echo("report: shape statistics")
    doc.h("Ink, box, centre of mass and stroke per class")
    doc.p("<b>These figures are the targets of the app's preprocessing</b>: a user's drawing, scan or photo "
          "must be brought to the same box size, centre of mass and stroke thickness before the model sees it.")
    shp = analysis.shape_stats(xtr)
    rows = analysis.per_class_table(shp, ytr)
    doc.table(["digit", "images", "ink (px)", "box h", "box w", "w/h", "centre y", "centre x", "stroke (px)"],
              [[r["digit"], r["count"], f"{r['ink']:.1f}", f"{r['height']:.2f}", f"{r['width']:.2f}",
                f"{r['aspect']:.2f}", f"{r['com_y']:.2f}", f"{r['com_x']:.2f}", f"{r['stroke']:.2f}"] for r in rows],
              "Per class means over the training digits: ink in pixels of full ink, bounding box height and width "
              "(px), aspect, centre of mass (row, column) and median stroke width (px at 28x28).")
    fig, axes = plt.subplots(1, 3, figsize=(11, 3))
    axes[0].boxplot([shp.ink[ytr == d] for d in range(10)], tick_labels=[str(d) for d in range(10)], showfliers=False)
    axes[0].set(title="ink per digit (px)")
    axes[1].boxplot([shp.stroke[ytr == d] for d in range(10)], tick_labels=[str(d) for d in range(10)], showfliers=False)
    axes[1].set(title="stroke width (px, 28x28)")
    axes[2].scatter(shp.com_x[::5], shp.com_y[::5], s=2, alpha=0.3)
    axes[2].set(title="centre of mass", xlim=(12, 16), ylim=(16, 12))
    doc.fig(fig, "Ink and stroke width per class (boxes: quartiles, whiskers: 1.5 IQR) and the centre of mass of "
                 "every fifth training digit (column, row).", 900)
    stroke_med = float(np.median(shp.stroke))
    doc.p(f"Preprocessing constants against these measurements: box {prep.BOX} px (measured: "
          f"{100 * (np.maximum(shp.height, shp.width) == 20).mean():.1f}% of digits have a longest side of exactly "
          f"20 px); centre {prep.CENTRE} (measured {shp.com_y.mean():.2f}, {shp.com_x.mean():.2f}); stroke "
          f"{prep.MNIST_STROKE / prep.FINE:.2f} px (measured median {stroke_med:.2f} px, 10-90% "
          f"{np.percentile(shp.stroke, 10):.2f}-{np.percentile(shp.stroke, 90):.2f}).")

    echo("report: duplicates")
    doc.h("Exact duplicates")
    dup_tr, dup_te, cross = analysis.duplicates(xtr), analysis.duplicates(xte), analysis.duplicates(xtr, xte)
    doc.table(["within train", "within test", "test images also in train"], [[dup_tr, dup_te, cross]],
              "Byte-identical images: extra copies within a split, and test images that also occur in training.")

    echo("report: embedding (t-SNE)")
    doc.h("A 2-D embedding of the digits")
    xy, idx = analysis.embedding(xtr, seed, EMBEDDING_N_QUICK if quick else EMBEDDING_N)
    fig, ax = plt.subplots(figsize=(7, 6))
    sc = ax.scatter(xy[:, 0], xy[:, 1], c=ytr[idx], cmap="tab10", s=5)
    for d in range(10):
        cx, cy = np.median(xy[ytr[idx] == d], axis=0)
        ax.text(cx, cy, str(d), fontsize=14, weight="bold")
    fig.colorbar(sc, ax=ax, ticks=range(10))
    ax.set(xticks=[], yticks=[])
    doc.fig(fig, f"t-SNE of {len(idx)} training digits after PCA to 50 dimensions, coloured by class; the digit "
                 "is written at each class's median position.", 560)

    doc.h("Findings")
    doc.ul(_findings(btr, bte, rows, shp, dup_tr, dup_te, cross, stroke_med))

    from training import other_writers

    ow_path = Path(other_writers_path or other_writers.DEFAULT_PATH)
    ow_numbers = None
    if ow_path.exists():
        echo("report: other writers")
        ow_numbers = _other_writers(doc, xtr, ytr, yte, ow_path, quick, seed)

    runs = [Path(r) for r in run_dirs if (Path(r) / "metrics.json").exists()]
    if runs:
        echo("report: comparison")
        _comparison(doc, runs, out)

    html_path, pdf_path, pptx_path = out / "report.html", out / "report.pdf", out / "report.pptx"
    text = doc.html()
    html_path.write_text(text, encoding="utf-8")
    _pdf(text, pdf_path)
    write_pptx(doc, pptx_path)
    (out / "report_numbers.json").write_text(json.dumps({
        "per_class": rows, "duplicates": {"within_train": dup_tr, "within_test": dup_te, "test_in_train": cross},
        "stroke_median": stroke_med, "other_writers": ow_numbers,
        "sections": [s.title for s in doc.sections]}, indent=1))
    return html_path, pdf_path, pptx_path


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


# --- the other writers' data (USPS, optdigits, pendigits) -------------------------------------------
OW_NAMES = {"mnist": "MNIST train", "usps": "USPS", "optdigits": "optdigits", "pendigits": "pendigits"}
OW_FRAME = {"mnist": "28x28 grey", "usps": "16x16 grey", "optdigits": "8x8 counts 0-16",
            "pendigits": "8 pen points"}
OW_DRAWN = ("box_share", "margin", "offset_frame", "stroke")  # set by drawing pendigits, not by its writers


def _ow_inks(name: str, x: np.ndarray):
    """A set's digits as ink in 0..1 in their own frame; pendigits drawn with the medium pen."""
    from training import other_writers as ow

    if name == "pendigits":
        return [ow.draw_path(p, ow.PEN_WIDTHS["medium pen"]) for p in x]
    return list(ow.source_ink(name, x))


def _other_writers(doc: Doc, xtr, ytr, yte, path: Path, quick: bool, seed: int) -> dict:
    from training import other_writers as ow

    sets = ow.load(path)
    rng = np.random.default_rng(seed)
    doc.h("The other writers' data: how it differs from MNIST")
    doc.p(f"{html.escape(str(path))} holds the training splits of three sets written by people outside MNIST "
          f"(USPS zip codes, UCI optdigits, UCI pendigits). <code>training.other_writers.split()</code> holds out a "
          f"seeded {100 * ow.HELD_OUT:.0f}% of each label of each set (seed {ow.SPLIT_SEED}) for evaluation only; "
          "the rest may be trained on. Measured on " + ("a seeded sample of " + str(OW_SAMPLE_QUICK) + " digits per "
          "set (--quick)" if quick else "every digit") + "; pendigits are pen paths, drawn here with the medium pen "
          f"({ow.PEN_WIDTHS['medium pen']:g} px on {ow.PEN_CANVAS} px), so their frame, margin, centring and "
          "stroke are the drawing's, not the writers'.")

    # sizes and per-class counts
    size_rows, counts = [], {}
    for name, (x, y) in sets.items():
        tr, ho = ow.split(y)
        size_rows.append([OW_NAMES[name], OW_FRAME[name], f"{len(y):,}", f"{len(tr):,}", f"{len(ho):,}",
                          len(ow.renderings(name))])
        counts[name] = (np.bincount(y, minlength=10), np.bincount(y[ho], minlength=10))
    doc.table(["set", "stored as", "digits", "may train", "held out", "renderings"], size_rows,
              f"Sizes of the other writers' sets and their split (held out: {100 * ow.HELD_OUT:.0f}% of every label, "
              f"seed {ow.SPLIT_SEED}); MNIST has {len(xtr):,} training digits of 28x28.")
    mnist_share = np.bincount(ytr, minlength=10) / len(ytr)
    doc.table(["digit", "MNIST train %", *[f"{OW_NAMES[n]} (held out)" for n in counts],
               *[f"{OW_NAMES[n]} %" for n in counts]],
              [[d, f"{100 * mnist_share[d]:.1f}", *[f"{a[d]} ({b[d]})" for a, b in counts.values()],
                *[f"{100 * a[d] / a.sum():.1f}" for a, _ in counts.values()]] for d in range(10)],
              "Digits per class in each set (held-out part in brackets) and each class's share of its set.")

    # how each set looks as stored, and in each rendering
    first = {n: [int(np.flatnonzero(y == d)[0]) for d in range(10)] for n, (_, y) in sets.items()}
    stored = [xtr[np.flatnonzero(ytr == d)[0]] / 255.0 for d in range(10)]
    for name, (x, _) in sets.items():
        stored += _ow_inks(name, x[first[name]])
    doc.fig(grid(stored, 4, 10, row_labels=[f"{OW_NAMES[n]}\n{OW_FRAME[n]}" for n in OW_NAMES], cmap="gray_r",
                 vmin=0, vmax=1, size=0.8),
            "The first digit of each class in MNIST and in each other writers' set as stored, ink dark "
            "(pendigits drawn with the medium pen). USPS and optdigits fill their frame; MNIST sits in a 20 px box "
            "with a 4 px margin.", 800)
    file_rows = []
    for name, (x, _) in sets.items():
        rend = ow.renderings(name)
        images = [f(x[i]) for f in rend.values() for i in first[name]]
        doc.fig(grid(images, len(rend), 10, row_labels=list(rend), cmap="gray", vmin=0, vmax=1, size=0.75),
                f"{OW_NAMES[name]}: the same ten digits (one per class) in each of the {len(rend)} renderings "
                "the product model trains and is benchmarked on, as the files look (paper light unless inverted).",
                760)
        pick = rng.choice(len(x), min(OW_FILE_SAMPLE, len(x)), replace=False)
        for rname, f in rend.items():
            st = analysis.as_file_stats([f(x[i]) for i in pick])
            file_rows.append([OW_NAMES[name], rname, f"{st['height']:.0f}x{st['width']:.0f}",
                              f"{st['paper']:.2f}", f"{100 * st['ink_share']:.1f}%"])
    mn = analysis.as_file_stats([1.0 - xtr[i] / 255.0 for i in range(min(OW_FILE_SAMPLE, len(xtr)))])
    file_rows.insert(0, ["MNIST", "as stored, inverted", f"{mn['height']:.0f}x{mn['width']:.0f}",
                         f"{mn['paper']:.2f}", f"{100 * mn['ink_share']:.1f}%"])
    doc.table(["set", "rendering", "size (px)", "paper grey", "ink share"], file_rows,
              f"Each rendering as a file, over {OW_FILE_SAMPLE} seeded digits per set: median size, the paper's "
              "grey (median of the border; 1 = white) and the share of pixels that differ from it by more than "
              "half (ink). Tight crops and low-resolution sources are where ink covers much of the image.")

    # measured shape, set against MNIST
    measured = {"mnist": analysis.measure(_sample(xtr, rng, quick) / 255.0)}
    for name, (x, _) in sets.items():
        measured[name] = analysis.measure(_ow_inks(name, _sample(x, rng, quick)))
    keys = list(analysis.MEASURES)
    med = {n: {k: float(np.median(m[k])) for k in keys} for n, m in measured.items()}

    def cell(n, k):
        if n == "pendigits" and k in OW_DRAWN:
            return "(drawn)"
        v = med[n][k]
        return f"{v:.2f}" if k in ("stroke", "aspect") else _deg(v, "") if k == "slant" else f"{100 * v:.0f}%"

    doc.table(["set", "digits", *[analysis.MEASURES[k][0] for k in keys]],
              [[OW_NAMES[n], f"{len(measured[n]['aspect']):,}", *[cell(n, k) for k in keys]] for n in measured],
              "Medians of each measure per set, each digit in its own frame: " +
              "; ".join(f"{t}: {what}" for t, what in analysis.MEASURES.values()) +
              ". (drawn): set by our pen drawing of pendigits, not by its writers.")
    fig, axes = plt.subplots(2, 3, figsize=(11, 5.6))
    for ax, k in zip(axes.flat, ("box_share", "fill", "stroke", "aspect", "slant", "offset_box")):
        names = [n for n in measured if not (n == "pendigits" and k in OW_DRAWN)]
        ax.boxplot([measured[n][k] for n in names], tick_labels=[OW_NAMES[n].replace(" train", "") for n in names],
                   showfliers=False)
        ax.set_title(analysis.MEASURES[k][0], fontsize=10)
        ax.tick_params(labelsize=8)
    doc.fig(fig, "Distributions of six measures per set (boxes: quartiles, whiskers: 1.5 IQR, outliers hidden). "
                 "Box share, box fill, stroke and aspect separate the sets from MNIST most.", 900)

    doc.ul(_ow_findings(med, measured, sets, counts, mnist_share))
    return {"medians": med, "file_stats": file_rows, "counts": {n: [a.tolist(), b.tolist()]
                                                                for n, (a, b) in counts.items()}}


def _deg(v: float, sign: str = "+") -> str:
    """Degrees to one decimal, never "-0.0"."""
    return f"{(round(v, 1) or 0.0):{sign}.1f}"


def _sample(x: np.ndarray, rng, quick: bool) -> np.ndarray:
    return x[np.sort(rng.choice(len(x), OW_SAMPLE_QUICK, replace=False))] if quick and len(x) > OW_SAMPLE_QUICK else x


def _ow_findings(med, measured, sets, counts, mnist_share) -> list[str]:
    m, u, o, p = med["mnist"], med["usps"], med["optdigits"], med["pendigits"]
    touching = {n: 100 * float((measured[n]["margin"] == 0).mean()) for n in ("mnist", "usps", "optdigits")}
    square = 100 * float((np.abs(measured["pendigits"]["aspect"] - 1) < 0.05).mean())
    shares = {n: a / a.sum() for n, (a, _) in counts.items()}
    skew = max(((n, d, 100 * (s[d] - mnist_share[d])) for n, s in shares.items() for d in range(10)),
               key=lambda t: abs(t[2]))
    return [
        f"<b>Frame:</b> MNIST digits sit in a margin (median {100 * m['margin']:.0f}% of the frame, box covers "
        f"{100 * m['box_share']:.0f}% of it; {touching['mnist']:.1f}% touch an edge). USPS and optdigits digits "
        f"fill theirs: box {100 * u['box_share']:.0f}% and {100 * o['box_share']:.0f}% of the frame, and "
        f"{touching['usps']:.0f}% / {touching['optdigits']:.0f}% touch an edge. Preprocessing that assumes paper "
        "around the digit (polarity from the border, the median as paper) breaks on them.",
        f"<b>Ink:</b> ink covers {100 * m['ink_share']:.0f}% of an MNIST frame but {100 * u['ink_share']:.0f}% of a "
        f"USPS and {100 * o['ink_share']:.0f}% of an optdigits frame; inside the box, mean ink is "
        f"{100 * m['fill']:.0f}% (MNIST), {100 * u['fill']:.0f}% (USPS), {100 * o['fill']:.0f}% (optdigits). "
        "With a tight crop or an upscaled 8x8 source, ink can be the majority of the image.",
        f"<b>Stroke:</b> scaled to MNIST's 20 px box, the median stroke is {m['stroke']:.2f} px for MNIST, "
        f"{u['stroke']:.2f} px for USPS and {o['stroke']:.2f} px for optdigits (8x8 blocks blur into thick strokes); "
        f"pendigits carry no stroke at all, only the pen that draws them ({p['stroke']:.2f} px with the medium pen).",
        f"<b>Aspect:</b> median width/height {m['aspect']:.2f} (MNIST), {u['aspect']:.2f} (USPS), "
        f"{o['aspect']:.2f} (optdigits), {p['aspect']:.2f} (pendigits). Pendigits are normalised so that both axes "
        f"span 0-100: {square:.0f}% of them are square within 5%, so a 1 is as wide as it is tall and the writers' "
        "aspect is lost.",
        f"<b>Slant:</b> median lean {_deg(m['slant'])}° (MNIST), {_deg(u['slant'])}° (USPS), {_deg(o['slant'])}° "
        f"(optdigits), {_deg(p['slant'])}° (pendigits); USPS looks deslanted at the source, MNIST leans right.",
        f"<b>Centring:</b> MNIST is centred by mass (centre of mass {100 * m['offset_frame']:.1f}% of the frame from "
        f"its centre); USPS and optdigits are centred by box ({100 * u['offset_frame']:.1f}% and "
        f"{100 * o['offset_frame']:.1f}%), which is why every source goes through the same centre-of-mass step.",
        f"<b>Classes:</b> all three sets cover every digit; the largest departure from MNIST's class shares is "
        f"{OW_NAMES[skew[0]]}'s digit {skew[1]} ({skew[2]:+.1f} points). Sizes: "
        + ", ".join(f"{OW_NAMES[n]} {len(y):,}" for n, (_, y) in sets.items()) + " digits, "
        f"{sum(len(y) for _, y in sets.values()):,} in all, against MNIST's 60,000.",
    ]


# --- the comparison of training runs -----------------------------------------------------------------
RUN_PLOTS = {
    "training_curves": "Training curves: loss (solid training, dashed validation) and validation error per epoch.",
    "accuracy_vs_size": "MNIST test accuracy against the number of parameters (log scale).",
    "confusion_best": "Confusion matrix of the run's best model on the MNIST test set (rows true, columns predicted).",
    "confused_pairs": "The run's best model: its most frequent confusions on the test set (true->predicted).",
    "errors_best": "Test digits the run's best model gets wrong, with true->predicted.",
}


def _comparison(doc: Doc, runs: list[Path], out: Path) -> None:
    from training.runs import SUMMARY_HEADER, best_model, markdown_table, merge_runs, summary_rows

    metrics = merge_runs(runs)["models"]
    (out / "comparison.md").write_text(markdown_table(metrics))
    doc.h("Model comparison (training runs)")
    doc.p("Runs: " + ", ".join(html.escape(str(r)) for r in runs) + ". Test accuracy is reported, never used to "
          "choose: candidates were compared on the validation split.")
    doc.table(SUMMARY_HEADER, summary_rows(metrics),
              "Every trained model: size, training time, validation and MNIST test accuracy, one-image Keras latency.")
    best = best_model(metrics)
    doc.p(f"Best model by validation accuracy: <b>{best}</b>, {100 * metrics[best]['test_accuracy']:.2f}% test "
          f"accuracy with {metrics[best]['params']:,} parameters. Per-class recall of the best model: " +
          ", ".join(f"{d}: {100 * r:.2f}%" for d, r in enumerate(metrics[best]["recall"])) + ".")
    for run in runs:
        for name, caption in RUN_PLOTS.items():
            p = run / "plots" / f"{name}.png"
            if p.exists():
                doc.image(p.read_bytes(), f"{caption} Run {run.name}.", 720)


def _pdf(text: str, path: Path) -> None:
    from xhtml2pdf import pisa

    with open(path, "wb") as f:
        result = pisa.CreatePDF(text, dest=f)
    if result.err:
        raise RuntimeError(f"PDF rendering failed with {result.err} errors")


# --- the deck ------------------------------------------------------------------------------------------
def write_pptx(doc: Doc, path: Path) -> Path:
    """A title slide, then one slide per figure or table (titled with its section, captioned as in the
    report), and the findings as text slides where their section has them."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    title = prs.slides.add_slide(prs.slide_layouts[0])
    for shape, top, h in ((title.shapes.title, 2.0, 1.5), (title.placeholders[1], 3.7, 1.8)):
        shape.left, shape.top, shape.width, shape.height = Inches(0.9), Inches(top), Inches(11.5), Inches(h)
    title.shapes.title.text = doc.title
    title.placeholders[1].text = " ".join(_plain(t.html) for t in doc.intro if isinstance(t, Text))
    title.placeholders[1].text_frame.paragraphs[0].font.size = Pt(14)
    left, top, width, height = Inches(0.5), Inches(1.25), Inches(12.33), Inches(5.35)
    for s in doc.sections:
        for item in s.items:
            if isinstance(item, Bullets):
                for k in range(0, len(item.items), 4):
                    slide = prs.slides.add_slide(prs.slide_layouts[5])
                    _slide_title(slide, s.title, Pt)
                    box = slide.shapes.add_textbox(left, top, width, Inches(6)).text_frame
                    box.word_wrap = True
                    for j, text in enumerate(item.items[k:k + 4]):
                        para = box.paragraphs[0] if j == 0 else box.add_paragraph()
                        para.text, para.font.size, para.space_after = "• " + _plain(text), Pt(15), Pt(10)
                continue
            if not isinstance(item, (Figure, Table)):
                continue
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            _slide_title(slide, s.title, Pt)
            caption = caption_text(item)
            # The caption under the figure or table, as many lines as it needs; the rest is the block's.
            size = 12 if len(caption) <= 300 else 10
            lines = -(-len(caption) // int(width / Pt(size) * 1.9))  # ~1.9 characters per em of width
            cap_h = Pt(size * 1.25 * lines + 8)
            bottom = prs.slide_height - Inches(0.15)
            block_h = min(height, bottom - cap_h - top - Inches(0.1))
            if isinstance(item, Figure):
                _picture(slide, item.png, left, top, width, block_h)
            else:
                _table(slide, item, left, top, width, block_h, Pt)
            cap = slide.shapes.add_textbox(left, bottom - cap_h, width, cap_h).text_frame
            cap.word_wrap = True
            cap.paragraphs[0].text = caption
            cap.paragraphs[0].font.size, cap.paragraphs[0].font.italic = Pt(size), True
            slide.notes_slide.notes_text_frame.text = caption
    prs.save(path)
    return path


def _plain(text: str) -> str:
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _slide_title(slide, text: str, Pt) -> None:
    """The section's title across the top of a wide slide, clear of the figure or table below it."""
    from pptx.util import Inches

    title = slide.shapes.title
    title.left, title.top, title.width, title.height = Inches(0.5), Inches(0.2), Inches(12.33), Inches(0.95)
    title.text = text
    title.text_frame.paragraphs[0].font.size = Pt(28)


def _picture(slide, png: bytes, left, top, width, height) -> None:
    import io

    from PIL import Image

    w, h = Image.open(io.BytesIO(png)).size
    scale = min(width / w, height / h)
    pw, ph = int(w * scale), int(h * scale)
    slide.shapes.add_picture(io.BytesIO(png), left + (width - pw) // 2, top + (height - ph) // 2, pw, ph)


def _table(slide, item: Table, left, top, width, height, Pt) -> None:
    from pptx.util import Inches

    n_rows = len(item.rows) + 1
    row_h = min(height // n_rows, Inches(0.5))
    shape = slide.shapes.add_table(n_rows, len(item.header), left, top, width, row_h * n_rows)
    size = Pt(max(7, min(14, int(row_h / Pt(1) / 1.9))))  # the text fits the row with its margins
    for r, row in enumerate([item.header, *item.rows]):
        for c, value in enumerate(row):
            cell = shape.table.cell(r, c)
            cell.text = value
            cell.margin_top = cell.margin_bottom = Pt(1)
            for para in cell.text_frame.paragraphs:
                para.font.size = size
