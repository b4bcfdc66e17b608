"""The Metrics tab, readable (issue 13): no row numbers, µs, ticks and axis titles, legends beside
the curves, a confusion matrix titled true/predicted, and the model scored on the user's corrections."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktop.app.charts import ConfusionMatrix, LineChart, log_ticks, nice_ticks
from desktop.app.metrics_tab import MetricsTab
from desktop.app.places import set_corrections_folder
from desktop.app.state import AppState
from desktop.engine.corrections import save_correction


@pytest.fixture
def tab(qtbot):
    t = MetricsTab(AppState.from_settings())
    qtbot.addWidget(t)
    t.resize(1200, 900)
    t.show()
    return t


def cells(table):
    return [[table.item(i, j).text() for j in range(table.columnCount())] for i in range(table.rowCount())]


def test_tables_have_no_row_numbers_and_times_in_microseconds(tab):
    for t in (tab.comparison_table, tab.variants_table, tab.class_table):
        assert not t.verticalHeader().isVisible()
    assert [r[0] for r in cells(tab.class_table)] == [str(d) for d in range(10)]
    text = " ".join(" ".join(r) for r in cells(tab.variants_table))
    assert "µs" in text and " us" not in text


def test_ticks_are_round_and_span_the_data():
    assert nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(1, 40, 6) == [10, 20, 30, 40]
    assert nice_ticks(0.0213, 0.0871) == [0.04, 0.06, 0.08]
    assert log_ticks(0.004, 0.3) == [0.005, 0.01, 0.02, 0.05, 0.1, 0.2]


def test_curves_have_ticks_titles_and_the_legend_beside_them(tab):
    c = tab.loss_chart
    assert c.series and len(c.y_ticks()) >= 3 and len(c.x_ticks()) >= 3
    assert c.y_title and "epoch" not in c.y_title
    plot = c.plot_rect()
    # The legend's column starts right of the plot and fits in the widget: no name lies on a curve.
    assert plot.right() + c.legend_width() <= c.width()
    img = c.grab().toImage()
    legend = [img.pixelColor(x, y).lightness() for x in range(int(plot.right()) + 14, c.width() - 4)
              for y in range(int(plot.top()), int(plot.top()) + 18 * len(c.series))]
    assert min(legend) < 128  # something (the names, the colour keys) is painted there


def dark_share(img, x0, y0, x1, y1):
    px = [img.pixelColor(x, y).lightness() for x in range(x0, x1) for y in range(y0, y1)]
    return float(np.mean(np.array(px) < 128))


def test_confusion_matrix_is_titled_true_and_predicted(qtbot):
    m = ConfusionMatrix()
    qtbot.addWidget(m)
    m.resize(420, 420)
    m.set_matrix(np.eye(10, dtype=int) * 100)
    with_titles = m.grab().toImage()
    assert dark_share(with_titles, m.MARGIN_LEFT + 150, 0, m.MARGIN_LEFT + 230, 18) > 0.02  # "predicted"
    assert dark_share(with_titles, 0, 180, 20, 260) > 0.02  # "true", turned


def test_scores_the_model_on_the_corrections(tab, qtbot, tmp_path, sample):
    folder = tmp_path / "corrections"
    set_corrections_folder(str(folder))
    tab.corrections_btn.click()
    qtbot.waitUntil(lambda: tab.corrections_btn.isEnabled(), timeout=30000)
    assert tab.corrections_result.text() == "No corrections yet in this folder."
    labels = [int(sample["y_test"][i]) for i in range(6)]
    for i, y in enumerate(labels):
        save_correction(folder, y, 1.0 - sample["x_test"][i] / 255.0)
    wrong = (labels[0] + 5) % 10
    save_correction(folder, wrong, 1.0 - sample["x_test"][0] / 255.0)  # a label the model will not give
    tab.corrections_btn.click()
    assert not tab.corrections_btn.isEnabled()  # off the UI thread: the button waits for the result
    qtbot.waitUntil(lambda: tab.corrections_btn.isEnabled(), timeout=30000)
    assert "6 of 7 corrections right" in tab.corrections_result.text()
    rows = cells(tab.corrections_table)
    assert [r[0] for r in rows] == [str(d) for d in range(10)] and sum(int(r[1]) for r in rows) == 7
    assert rows[wrong][2] == str(labels.count(wrong))  # the wrong label's image is not read right
    assert str(folder) in tab.corrections_label.text()


def test_speed_is_measured_off_the_ui_thread_in_microseconds(tab, qtbot):
    qtbot.mouseClick(tab.speed_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.speed_btn.isEnabled(), timeout=60000)
    assert tab.speed_label.text().startswith("One image: median ") and "µs" in tab.speed_label.text()


def test_tab_leaves_every_table_for_the_buttons(tab, qtbot):
    """Tab cycled through the first table's cells for good: "Measure speed" and "Score" were out of
    the keyboard's reach (a third hostile pass)."""
    from PySide6.QtWidgets import QAbstractButton, QApplication, QTableWidget

    tables = tab.findChildren(QTableWidget)
    assert tables and not any(t.tabKeyNavigation() for t in tables)
    tables[0].setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tables[0], timeout=2000)
    reached = set()
    for _ in range(40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        w = QApplication.focusWidget()
        if isinstance(w, QAbstractButton):
            reached.add(w.text())
    assert any("speed" in t.lower() for t in reached), reached


def test_the_tab_says_when_its_figures_are_not_the_model_in_uses(qtbot, tmp_path):
    """With a model chosen in Settings the tab went on showing the shipped model's figures (or, chosen
    before the start, those of another trained model titled "best model"), without a word."""
    from desktop.engine.model_files import assets_dir, read_manifest

    mine = tmp_path / "mine.tflite"
    mine.write_bytes((assets_dir() / read_manifest()["model_file"]).read_bytes() + bytes(16))  # no manifest
    state = AppState.from_settings()
    state.model_path = str(mine)
    state.load()
    t = MetricsTab(state)
    qtbot.addWidget(t)
    t.show()
    assert t.model_note.isVisible() and "mine.tflite" in t.model_note.text()
    shipped = read_manifest()["source"]["model"]
    from PySide6.QtWidgets import QGroupBox

    titles = [g.title() for g in t.findChildren(QGroupBox)]
    assert any(shipped in title for title in titles) and not any("best model" in title for title in titles)
