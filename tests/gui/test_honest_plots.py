"""Plots that do not mislead a first-time user: metric names in words, no SI prefixes, 0–100 %
for shares, labels that never overlap, legends that never cover the data, importance only when
the trials carry it, and runs shown by the names people gave them. No training here: run
folders are written the way a search writes them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF

from dlstudio.core.config import DataSpec, RunSpec, SearchSpec
from dlstudio.core.events import TrialRecord, TrialStatus
from dlstudio.core.project import Project

CLOTHES = [
    "T-shirt or top",
    "Trouser",
    "Pullover sweater",
    "Dress (long)",
    "Coat with a hood",
    "Sandal",
    "Shirt with a collar",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


def _show(widget, size=(560, 420)):
    widget.resize(*size)
    widget.show()
    widget.grab()  # lays out and paints, as the screen would


def _trial(number, lr, units, score, status=TrialStatus.COMPLETED):
    accuracy = [score - 0.02, score - 0.01, score]
    return TrialRecord(
        trial_id=f"{number:02d}",
        number=number,
        status=status,
        hyperparameters={"learning_rate": lr, "units": units, "batch_norm": number % 2 == 0},
        history={
            "loss": [0.6, 0.4, 0.35],
            "val_loss": [0.6, 0.45, 0.4],
            "accuracy": accuracy,
            "val_accuracy": accuracy,
        },
        score=score,
        best_epoch=2,
        epochs=3,
        duration_s=2.0,
    )


def _run(project, trials):
    spec = RunSpec(
        DataSpec("penguins.csv", "species"),
        search=SearchSpec("random", max_trials=len(trials), objective="val_accuracy"),
    )
    run = project.new_run(spec)
    run.write_spec(spec)
    for record in trials:
        run.append_trial(record)
    best = max(
        (t for t in trials if t.status is TrialStatus.COMPLETED),
        key=lambda t: t.score,
        default=None,
    )
    run.update_state(
        status="completed",
        objective="val_accuracy",
        best_score=best.score if best else None,
        best_trial_id=best.trial_id if best else None,
    )
    return run


@pytest.fixture
def project(tmp_path):
    return three_runs(tmp_path)


def three_runs(root):
    """Three runs of one project: 4 trials, 12 trials, and 2 trials both cut short."""
    project = Project(root / "project")
    rng = np.random.default_rng(0)
    four = [_trial(i, 1e-3, 32, 0.80 + 0.01 * i) for i in range(4)]
    twelve = [
        _trial(
            i,
            [1e-4, 1e-3, 1e-2][i % 3],
            [32, 64, 128][i % 3 - 1],
            {1e-4: 0.78, 1e-3: 0.86, 1e-2: 0.70}[[1e-4, 1e-3, 1e-2][i % 3]] + 0.005 * rng.random(),
        )
        for i in range(12)
    ]
    cut = [_trial(i, 1e-3, 32, 0.5, TrialStatus.CUT_SHORT) for i in range(2)]
    return [_run(project, trials) for trials in (four, twelve, cut)]


def test_a_share_metric_reads_as_a_percentage_on_a_fixed_range(qtbot):
    from dlstudio.gui.plots.compare import OverlayCurves

    plot = OverlayCurves()
    qtbot.addWidget(plot)
    plot.metric_name = "accuracy"
    plot.show_trials(
        [(0, {"accuracy": [0.845, 0.85, 0.856], "val_accuracy": [0.846, 0.85, 0.852]}, True)]
    )
    _show(plot)
    axis = plot.getAxis("left")
    assert axis.labelText == "Accuracy (higher is better)"
    assert axis.autoSIPrefixScale == 1.0 and "x0.001" not in axis.labelString()
    low, high = plot.viewRange()[1]
    assert low <= 0.0 and high >= 1.0  # noise of half a percent does not fill the plot
    assert axis.tickStrings([0.8, 0.9], 1, 0.1) == ["80 %", "90 %"]


def test_ten_long_class_names_never_overlap_and_cells_say_what_they_count(qtbot):
    from dlstudio.gui.plots.results import ConfusionMatrixPlot

    plot = ConfusionMatrixPlot()
    qtbot.addWidget(plot)
    matrix = np.full((10, 10), 2) + np.diag([80] * 10)
    plot.show_matrix(matrix.tolist(), CLOTHES)
    _show(plot)
    shown = plot.bottom.shown
    assert shown, "the predicted classes are named under the matrix"
    pixels = [plot.bottom._pixel(value) for value, _ in shown]
    pitch = min(b - a for a, b in zip(pixels, pixels[1:], strict=False))
    slanted_line = plot.bottom._metrics().height() / math.sin(math.radians(plot.bottom.ANGLE))
    assert pitch >= slanted_line - 0.5  # slanted labels never touch their neighbours
    for value, text in shown:
        full = plot.bottom.label_at(value)
        head, _, tail = text.partition("…")
        assert text == full or (full.startswith(head) and full.endswith(tail))
    assert plot.left.label_at(3.5) == "Dress (long)"
    assert plot.cell_words(9, 7) == "True Ankle boot, predicted Sneaker: 2 of 100 rows (2 %)"


def test_the_roc_legend_sits_beside_the_curves(qtbot):
    from dlstudio.gui.plots.results import RocPlot

    plot = RocPlot()
    qtbot.addWidget(plot)
    roc = {
        name: {"fpr": [0, 0.1, 1], "tpr": [0, 0.8 - 0.02 * k, 1], "auc": 0.9 - 0.01 * k}
        for k, name in enumerate(CLOTHES)
    }
    plot.show_curves(roc)
    _show(plot, (700, 420))
    legend = plot.legend.sceneBoundingRect()
    view = plot.plotItem.vb.sceneBoundingRect()
    assert len(plot.legend.items) == 10
    assert legend.left() >= view.right() - 1  # beside the plot area, never over it


def test_runs_plot_stars_only_finished_trials_and_names_runs(qtbot, project):
    from dlstudio.core.analysis import trials_frame
    from dlstudio.gui.plots.compare import RunsPlot

    plot = RunsPlot()
    qtbot.addWidget(plot)
    frame = trials_frame(project)
    ids = [run.id for run in project]
    names = ["small search", "twelve trials, learning rate varies a lot", ids[2]]
    plot.show_runs(frame, ids, "max", names, "val_accuracy")
    _show(plot)
    assert plot.stars == 2  # the run whose trials were all cut short has no star
    assert plot.getAxis("left").labelText == "Validation accuracy (higher is better)"
    assert [plot.axis.label_at(i) for i in range(3)] == names


def test_parallel_coordinates_have_a_colour_legend_with_the_score_range(qtbot, project):
    from dlstudio.core.analysis import hyperparameter_columns, trials_frame
    from dlstudio.gui.plots.compare import ParallelCoordinates

    plot = ParallelCoordinates()
    qtbot.addWidget(plot)
    frame = trials_frame([project[1]])
    plot.show_trials(frame, hyperparameter_columns(frame), {"learning_rate"}, "val_accuracy")
    _show(plot, (700, 420))
    assert plot.colour_bar.isVisible()
    low, high = plot.colour_bar.levels()
    scores = frame["score"].astype(float)
    assert low == pytest.approx(100 * scores.min()) and high == pytest.approx(100 * scores.max())
    assert "higher is better" in plot.colour_bar.axis.labelText


def test_importance_waits_for_enough_trials_then_shows_how_sure_it_is(qtbot, project):
    from dlstudio.gui.wizard.compare_view import TrialsView

    view = TrialsView()
    qtbot.addWidget(view)
    _show(view, (900, 700))
    view.plots.setCurrentIndex(3)
    view.load([project[0]])
    assert not view.importance.isVisible()  # no empty chart under its caption
    assert "Importance needs at least 8 finished trials; this run has 4" in (
        view.importance_note.text()
    )
    view.load([project[1]])
    assert view.importance.isVisible() and view.importance.bars >= 1
    assert view.importance.whiskers >= 1
    assert "12 finished trials" in view.importance_note.text()


def test_the_trials_table_speaks_plain_words(qtbot, project):
    from dlstudio.gui.wizard.compare_view import TrialsView

    view = TrialsView()
    qtbot.addWidget(view)
    view.load([project[2], project[1]])
    model = view.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "Validation accuracy (higher is better)" in headers
    assert "Learning rate" in headers and "Batch normalisation" in headers
    assert "Score" not in headers and "batch_norm" not in headers
    cells = {model.index(r, c).data() for r in range(model.rowCount()) for c in range(4)}
    assert "stopped by the time budget" in cells and "cut_short" not in cells
    assert any(text.endswith(" %") for text in cells)
    view.score_min.setText("80")  # a share: 80 means 80 %
    view.apply_filters()
    assert 0 < view.proxy.rowCount() < model.rowCount()


def test_a_run_can_be_renamed_and_keeps_its_name(qtbot, project, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from dlstudio.gui.wizard.compare_view import RunsView

    view = RunsView()
    qtbot.addWidget(view)
    view.load(project, [project[1].id])
    assert view.rename_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("wide search", True))
    with qtbot.waitSignal(view.runs_chosen):
        view.rename_button.click()
    assert view.table.item(1, 0).text() == f"wide search ({project[1].id})"
    assert view.scores.axis.label_at(1) == "wide search"
    assert view.table.item(2, 1).text() == "finished"
    again = RunsView()
    qtbot.addWidget(again)
    again.load(Project(project[0].path.parent.parent).runs())
    assert again.table.item(1, 0).text().startswith("wide search")


# ---------------------------------------------------------------- readable with many classes

FIFTEEN = CLOTHES + ["Sunflower", "Tulip", "Rose", "Daisy", "Dandelion"]


@pytest.mark.parametrize("size", [(380, 360), (300, 300), (560, 420)])
def test_every_one_of_fifteen_classes_is_named_on_the_confusion_matrix(qtbot, size):
    """Slanted labels were thinned to every other one (8 of 15 named); they stand upright,
    and smaller if need be, so that each row and column says its class."""
    from dlstudio.gui.plots.results import ConfusionMatrixPlot

    plot = ConfusionMatrixPlot()
    qtbot.addWidget(plot)
    matrix = np.full((15, 15), 2) + np.diag([80] * 15)
    plot.show_matrix(matrix.tolist(), FIFTEEN)
    _show(plot, size)
    plot.grab()  # a second paint, after the axis found its slant
    for axis in (plot.bottom, plot.left):
        assert len(axis.shown) == 15, [t for _, t in axis.shown]
        assert axis.shown_font.pointSizeF() >= axis.MIN_POINT_SIZE
    pixels = [plot.bottom._pixel(value) for value, _ in plot.bottom.shown]
    pitch = min(b - a for a, b in zip(pixels, pixels[1:], strict=False))
    line = QFontMetricsF(plot.bottom.shown_font).height()
    assert pitch >= line / math.sin(math.radians(plot.bottom.angle)) - 0.5  # never touching
    for value, text in plot.bottom.shown:
        full = plot.bottom.label_at(value)
        head, _, tail = text.partition("…")
        assert text == full or (full.startswith(head) and full.endswith(tail))


def test_fifteen_roc_curves_are_told_apart(qtbot):
    """The 11th class was drawn in the 1st one's colour, the 12th in the 2nd's…"""
    from dlstudio.gui.plots.results import RocPlot

    plot = RocPlot()
    qtbot.addWidget(plot)
    roc = {
        name: {"fpr": [0, 0.1, 1], "tpr": [0, 0.5 + 0.02 * k, 1], "auc": 0.8 + 0.01 * k}
        for k, name in enumerate(FIFTEEN)
    }
    plot.show_curves(roc)
    _show(plot, (700, 420))
    pens = [item.opts["pen"] for item in plot.listDataItems()[1:]]  # after the guessing line
    assert len(pens) == 15
    assert len({pen.color().name() for pen in pens}) == 15
    assert len(plot.legend.items) == 15


def test_parallel_coordinates_write_numbers_out(qtbot, tmp_path):
    import pyqtgraph as pg

    from dlstudio.core.analysis import hyperparameter_columns, trials_frame
    from dlstudio.gui.plots.compare import ParallelCoordinates

    project = Project(tmp_path / "project")
    trials = [
        _trial(i, [1e-5, 1e-4][i % 2], [20000, 40000][i % 2], 0.7 + 0.01 * i) for i in range(4)
    ]
    run = _run(project, trials)
    plot = ParallelCoordinates()
    qtbot.addWidget(plot)
    frame = trials_frame([run])
    plot.show_trials(frame, hyperparameter_columns(frame), set(), "val_accuracy")
    _show(plot, (700, 420))
    texts = [i.textItem.toPlainText() for i in plot.plotItem.items if isinstance(i, pg.TextItem)]
    assert "20,000" in texts and "40,000" in texts and "0.00001" in texts
    assert not any("e+" in t or "e-" in t for t in texts), texts


def test_a_series_plot_shows_new_data_after_a_switch(qtbot):
    """A plot switched from dated readings to a table's rows kept the dates' range: drawn
    thinned for that range, the rows vanished, and View all found nothing to show."""
    import pandas as pd

    from dlstudio.gui.plots.series import SeriesPlot

    plot = SeriesPlot()
    qtbot.addWidget(plot)
    _show(plot, (700, 400))
    times = pd.date_range("2010-01-01", periods=500, freq="D")
    plot.show_series(times, np.sin(np.arange(500.0)), "sales")
    plot.grab()
    box = plot.getViewBox()
    box.scaleBy((0.5, 1))  # the user zooms in on a month or two
    box.sigRangeChangedManually.emit(box.state["mouseEnabled"])
    plot.show_series(None, 1000 + np.arange(50.0), "reading")
    plot.grab()
    (left, right), (low, high) = plot.viewRange()
    assert left <= 0 and 49 <= right < 60 and low <= 1000 and 1049 <= high < 1100
    x, _ = plot.listDataItems()[0].curve.getData()
    assert len(x) >= 2  # drawn, not thinned to nothing


def test_combo_boxes_filled_after_showing_fit_their_words(qtbot, project):
    from dlstudio.gui.wizard.compare_view import TrialsView

    view = TrialsView()
    qtbot.addWidget(view)
    _show(view, (900, 700))  # shown empty, as the Results step is before a first run
    view.load([project[1]])
    for tab, combo in enumerate((view.metric_combo, view.brush_combo, view.scatter_combo)):
        view.plots.setCurrentIndex(tab)
        view.grab()
        words = [combo.itemText(i) for i in range(combo.count())]
        widest = max(combo.fontMetrics().horizontalAdvance(text) for text in words)
        assert combo.width() >= widest + 10, words


def test_a_table_header_tells_its_whole_name(qtbot):
    import pandas as pd

    from dlstudio.gui.qmodels.dataframe_model import DataFrameModel

    model = DataFrameModel(pd.DataFrame({"probability_<=50K": [0.2]}))
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "probability_<=50K"
    )


def test_the_first_window_fits_its_screen_with_next_in_view(qtbot):
    from dlstudio.gui.app import create_main_window

    window = create_main_window()
    qtbot.addWidget(window)
    window.show()
    screen = window.screen().availableGeometry()
    assert window.height() <= max(screen.height(), window.minimumSizeHint().height())
    corner = window.next_button.mapTo(window, window.next_button.rect().bottomRight())
    assert window.rect().contains(corner)
    window.data_page.wait_until_loaded()


def test_the_window_fits_a_1600_px_screen_even_with_a_larger_font(qtbot, qapp):
    """Each step's least width sets the window's: a one-line group-box title on the Model step
    once made it about 1,790 px at an 11 pt font, so Next was off a 1600-px screen."""
    from PySide6.QtGui import QFont

    from dlstudio.gui.app import create_main_window

    before = qapp.font()
    larger = QFont(before)
    larger.setPointSize(11)
    qapp.setFont(larger)
    try:
        window = create_main_window()
        qtbot.addWidget(window)
        window.show()
        assert window.minimumSizeHint().width() <= 1600
    finally:
        qapp.setFont(before)
