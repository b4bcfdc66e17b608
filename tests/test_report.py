"""The data-analysis report (``digits-train report --quick``): its structure, the PDF's pagination,
the captions, and the PPTX deck, each checked against the report's own HTML (never a list of
titles copied here)."""
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

pytest.importorskip("tensorflow")
pytest.importorskip("pptx")
pytest.importorskip("pypdf")


class _Outline(HTMLParser):
    """The report's HTML as a sequence: ("h1"|"h2"|"caption", text), ("img", ""), ("table", rows), ("ul", items)."""

    def __init__(self):
        super().__init__()
        self.items, self._text, self._in, self._row, self._rows, self._lis = [], "", None, None, None, None

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag in ("h1", "h2") or (tag == "p" and "caption" in cls) or tag in ("td", "th", "li"):
            self._in, self._text = ("caption" if tag == "p" else tag), ""
        elif tag == "img":
            self.items.append(("img", ""))
        elif tag == "table":
            self._rows = []
        elif tag == "tr":
            self._row = []
        elif tag == "ul":
            self._lis = []

    def handle_endtag(self, tag):
        text = " ".join(self._text.split())
        if tag in ("h1", "h2") or (tag == "p" and self._in == "caption"):
            self.items.append((self._in, text))
            self._in = None
        elif tag in ("td", "th"):
            self._row.append(text)
            self._in = None
        elif tag == "tr":
            self._rows.append(self._row)
        elif tag == "table":
            self.items.append(("table", self._rows))
        elif tag == "li":
            self._lis.append(text)
            self._in = None
        elif tag == "ul":
            self.items.append(("ul", self._lis))

    def handle_data(self, data):
        if self._in:
            self._text += data


def _outline(out) -> list:
    p = _Outline()
    p.feed((out / "report.html").read_text())
    return p.items


def _blocks(items) -> list[tuple[str, str, str]]:
    """(section heading, kind, caption) of every figure and table, in order."""
    out, section = [], None
    for k, (kind, value) in enumerate(items):
        if kind == "h2":
            section = value
        elif kind == "img":
            out.append((section, "figure", items[k + 1][1]))
        elif kind == "table":
            out.append((section, "table", items[k - 1][1]))
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


METRICS = {  # b_cnn is better on validation, the long-named one on test: the report must choose b_cnn
    "a_compact_cnn_elastic_dropout_w17": {"params": 1000, "file_bytes": 20_000, "train_seconds": 5, "test_accuracy": 0.99, "test_error": 0.01,
              "latency_ms_one_image": 1.0, "val_accuracy": 0.95, "recall": [0.99] * 10},
    "b_cnn": {"params": 2000, "file_bytes": 30_000, "train_seconds": 9, "test_accuracy": 0.98, "test_error": 0.02,
              "latency_ms_one_image": 1.5, "val_accuracy": 0.97, "recall": [0.98] * 10},
}


@pytest.fixture(scope="module")
def report(tmp_path_factory, mnist_fixture):
    """One --quick report over a run folder with two models and one plot (about a minute)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from training import cli

    run = tmp_path_factory.mktemp("run")
    (run / "metrics.json").write_text(json.dumps({"seed": 42, "models": METRICS}))
    (run / "plots").mkdir()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [1, 0])
    fig.savefig(run / "plots" / "training_curves.png")
    plt.close(fig)
    out = tmp_path_factory.mktemp("report")
    assert cli.main(["report", "--quick", "--data", str(mnist_fixture), "--out", str(out), "--run", str(run)]) == 0
    return out


def test_every_section_has_content_and_every_figure_and_table_a_numbered_caption(report):
    items = _outline(report)
    assert [k for k, _ in items[:1]] == ["h1"]
    heads = [k for k, (kind, _) in enumerate(items) if kind == "h2"]
    for a, b in zip(heads, heads[1:] + [len(items)]):
        assert any(kind in ("img", "table", "ul") for kind, _ in items[a + 1:b]), items[a][1]
    figures = [items[k + 1] for k, (kind, _) in enumerate(items) if kind == "img"]
    tables = [items[k - 1] for k, (kind, _) in enumerate(items) if kind == "table"]
    assert len(figures) >= 10 and len(tables) >= 5
    for word, caps in (("Figure", figures), ("Table", tables)):
        for n, (kind, text) in enumerate(caps, 1):
            assert kind == "caption" and re.match(rf"{word} {n}\. \w", text), (word, n, text)
    assert (report / "report.html").read_text().count("data:image/png;base64,") == len(figures)  # self-contained


def test_report_numbers_are_measured_from_the_data(report, mnist_fixture):
    from training.data import QUICK_TEST, QUICK_TRAIN, load_mnist, subset

    m = subset(load_mnist(mnist_fixture), QUICK_TRAIN, QUICK_TEST)
    numbers = json.loads((report / "report_numbers.json").read_text())
    assert [r["count"] for r in numbers["per_class"]] == np.bincount(m.y_train, minlength=10).tolist()
    findings = next(v for k, v in _outline(report) if k == "ul")
    assert len(re.findall(r"\d+\.\d+", " ".join(findings))) >= 15  # findings quote measured numbers


def test_other_writers_section_counts_the_data_and_its_split(report):
    from training import other_writers

    if not other_writers.DEFAULT_PATH.exists():
        pytest.skip("no other-writers data beside the repository")
    ow = json.loads((report / "report_numbers.json").read_text())["other_writers"]
    for name, (_, y) in other_writers.load().items():
        _, held = other_writers.split(y)
        assert ow["counts"][name] == [np.bincount(y, minlength=10).tolist(), np.bincount(y[held], minlength=10).tolist()]
    # one figure of every rendering of every set, and the set's digits measured against MNIST
    assert set(ow["medians"]) == {"mnist", *other_writers.SETS}
    assert ow["medians"]["usps"]["margin"] < ow["medians"]["mnist"]["margin"]  # USPS fills its frame
    rendered = {(r[0], r[1]) for r in ow["file_stats"]}
    for name in other_writers.SETS:
        assert {r for s, r in rendered if s.lower() == name.lower()} == set(other_writers.renderings(name))


def test_comparison_chooses_on_validation_and_lists_every_model(report):
    from training.runs import best_model

    assert best_model(METRICS) == "b_cnn"
    text = (report / "report.html").read_text()
    assert re.search(r"Best model by validation accuracy: <b>(\w+)</b>", text).group(1) == "b_cnn"
    table = (report / "comparison.md").read_text()
    assert all(f"| {name} |" in table for name in METRICS)


def _pdf_pages(path, with_x: bool = False):
    """Per page: its text lines top to bottom (pypdf text positions) and its number of images; with
    ``with_x``, each line as (leftmost x, text)."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(path).pages:
        lines: dict[float, list[tuple[float, str]]] = {}

        def visit(text, cm, tm, font, size, lines=lines):
            if text.strip():
                lines.setdefault(round(tm[5] * cm[3] + cm[5], 1), []).append((tm[4] * cm[0] + cm[4], text.strip()))

        page.extract_text(visitor_text=visit)
        rows = [(min(x for x, _ in lines[y]), " ".join(t for _, t in lines[y])) for y in sorted(lines, reverse=True)]
        pages.append((rows if with_x else [t for _, t in rows], len(page.images)))
    return pages


def test_pdf_never_leaves_a_heading_at_a_page_foot_nor_splits_a_table(report):
    items = _outline(report)
    headings = {_squash(v) for k, v in items if k == "h2"}
    pages = _pdf_pages(report / "report.pdf")
    assert len(pages) >= 5
    for n, (lines, _) in enumerate(pages, 1):
        assert lines, f"page {n} has no text"
        assert _squash(lines[-1]) not in headings, f"page {n} ends with the heading {lines[-1]!r}"
    # every table whole on the page its caption is on: no row pushed off or clipped
    texts = [_squash(" ".join(lines)) for lines, _ in pages]
    for k, (kind, rows) in enumerate(items):
        if kind != "table":
            continue
        caption = _squash(items[k - 1][1])
        page = next(t for t in texts if caption in t)
        # word by word: a cell that wraps interleaves with its row's other cells in the text
        missing = [c for row in rows for c in row if any(w not in page for w in c.split())]
        assert not missing, (items[k - 1][1], missing[:5])
    # no text runs out of the frame on the left (a name too long for its cell did: clipped by the border)
    placed = _pdf_pages(report / "report.pdf", with_x=True)
    frame = min(x for lines, _ in placed for x, t in lines if _squash(t) in headings)
    outside = [(n, t) for n, (lines, _) in enumerate(placed, 1) for x, t in lines if x < frame - 0.5]
    assert not outside, outside[:3]


def test_pdf_figures_sit_with_their_captions(report):
    captions = [v for k, v in _outline(report) if k == "caption" and v.startswith("Figure")]
    pages = _pdf_pages(report / "report.pdf")
    on_pages = [re.findall(r"Figure \d+\.", _squash_keep_space(" ".join(lines))) for lines, _ in pages]
    assert [len(c) for c in on_pages] == [n for _, n in pages]  # each page: as many captions as images
    text = _squash(" ".join(line for lines, _ in pages for line in lines))
    assert all(_squash(c) in text for c in captions)


def _squash_keep_space(text: str) -> str:
    return " ".join(text.split())


def test_pptx_has_a_slide_per_figure_and_table_titled_by_its_section(report):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    items = _outline(report)
    deck = Presentation(report / "report.pptx")
    slides = list(deck.slides)
    assert slides[0].shapes.title.text == items[0][1]  # the title slide: the report's title
    shown = []
    for slide in slides[1:]:
        kinds = {s.shape_type for s in slide.shapes}
        if kinds & {MSO_SHAPE_TYPE.PICTURE, MSO_SHAPE_TYPE.TABLE}:
            assert len(kinds & {MSO_SHAPE_TYPE.PICTURE, MSO_SHAPE_TYPE.TABLE}) == 1  # one figure or table a slide
            caption = next(s.text_frame.text for s in slide.shapes
                           if s.shape_type == MSO_SHAPE_TYPE.TEXT_BOX and s.text_frame.text.startswith(("Figure", "Table")))
            kind = "figure" if MSO_SHAPE_TYPE.PICTURE in kinds else "table"
            shown.append((slide.shapes.title.text, kind, caption))
        for s in slide.shapes:  # everything on the slide
            assert s.left >= 0 and s.top >= 0 and s.left + s.width <= deck.slide_width
            assert s.top + s.height <= deck.slide_height
    assert shown == _blocks(items)
    tables = [s.table for slide in slides for s in slide.shapes if s.has_table]
    html_tables = [v for k, v in items if k == "table"]
    assert [[[c.text for c in r.cells] for r in t.rows] for t in tables] == html_tables
