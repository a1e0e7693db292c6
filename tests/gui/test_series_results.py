"""The Results and Export steps of a forecast run and of an anomaly run: the plots and tables
show, the anomaly threshold moves live and can be kept, and both export from the window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dlstudio.core.project import Project, RunFolder

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data"
SLICE = DATA / "nab_ec2_latency_slice.csv"
WINDOWS = DATA / "nab_ec2_latency_windows.json"


@pytest.fixture(scope="module")
def forecast_project(tmp_path_factory):
    from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, SplitSpec, TrainSpec
    from dlstudio.core.engine.run import start_run
    from tests.test_cli_forecast import seasonal_csv

    folder = tmp_path_factory.mktemp("forecast")
    data = seasonal_csv(folder / "visitors.csv", points=150)
    spec = RunSpec(
        DataSpec(str(data), "Visitors", task="forecast", split=SplitSpec(time_column="Month")),
        train=TrainSpec(epochs=2, patience=1),
        search=SearchSpec(max_trials=1),
    )
    start_run(spec, folder / "project")
    return folder


@pytest.fixture(scope="module")
def anomaly_project(tmp_path_factory):
    from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SearchSpec, TrainSpec
    from dlstudio.core.data.anomaly_data import AnomalySettings
    from dlstudio.core.engine.anomaly import run_anomaly

    folder = tmp_path_factory.mktemp("anomaly")
    spec = RunSpec(
        DataSpec(str(SLICE), task="anomaly"),
        ModelSpec("conv_autoencoder"),
        TrainSpec(epochs=2, patience=2),
        SearchSpec(max_trials=1),
    )
    run_anomaly(spec, AnomalySettings(label_windows=str(WINDOWS), window=12), folder / "project")
    return folder / "project"


@pytest.fixture
def results(qtbot):
    from dlstudio.gui.wizard.results_page import ResultsPage

    page = ResultsPage()
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    return page


def _visible_tabs(page) -> list[str]:
    return [page.tabs.tabText(i) for i in range(page.tabs.count()) if page.tabs.isTabVisible(i)]


def test_a_forecast_run_shows_history_forecasts_and_the_baselines(results, forecast_project):
    runs = Project(forecast_project / "project").runs()
    results.show_project(runs, runs[-1])
    view = results.forecast_view
    assert results.body.currentWidget() is view
    assert _visible_tabs(results) == ["Best model", "Trials", "Runs"]
    assert "seasonal naive" in results.title.text()
    evaluation = runs[-1].evaluation()
    assert view.origin.count() == evaluation["backtest"]["origins"]
    assert len(view.plot.history.getData()[0]) > 100
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    assert "Repeat one\nseason earlier" in headers and len(headers) == 6
    assert view.table.rowCount() == 4
    first = view.plot.forecast.getData()[0].copy()
    assert len(first) == evaluation["backtest"]["horizon"]
    view.origin.setCurrentIndex(view.origin.count() - 1)
    assert view.plot.forecast.getData()[0][0] > first[0]  # a later origin's forecast
    results.grab().save(str(forecast_project / "results-forecast.png"))


def test_the_forecast_after_the_data_is_drawn_with_its_band(results, forecast_project):
    """Issue 26: the future the user came for was only a table on the Export step."""
    from dlstudio.gui.plots.series_results import seconds

    runs = Project(forecast_project / "project").runs()
    results.show_project(runs, runs[-1])
    view, plot = results.forecast_view, results.forecast_view.plot
    horizon = runs[-1].evaluation()["backtest"]["horizon"]
    history_x, history_y = plot.actual.getData()
    x, y = plot.future.getData()
    low, high = plot.future_lower.getData()[1], plot.future_upper.getData()[1]
    assert plot.future.isVisible() and plot.future_band.isVisible()
    assert len(x) == horizon + 1  # joined to the last value, then the steps after the data
    assert (x[0], y[0]) == (history_x[-1], history_y[-1])
    assert (np.diff(x) > 0).all()
    assert (low[1:] < y[1:]).all() and (y[1:] < high[1:]).all()  # a band on both sides
    assert plot.viewRange()[0][1] >= x[-1]  # in view
    legend = [label.text for _, label in plot.legend.items]
    assert "Next steps after the data (band: interval)" in legend
    note = view.interval_note.text()
    assert f"Green: the forecast of the {horizon} steps after the data (2002-07 to" in note
    results.grab().save(str(forecast_project / "results-future.png"))

    # A run from before the future was kept: no green line, and the note says why.
    (runs[-1].path / "future.csv").unlink()
    results.show_project(runs, runs[-1])
    assert not plot.future.isVisible() and not plot.future_band.isVisible()
    assert "this run kept none" in view.interval_note.text()
    assert len(plot.actual.getData()[0]) == len(history_x)
    assert seconds([runs[-1].evaluation()["backtest"]["end"]])[0] == history_x[-1]


def test_moving_the_anomaly_threshold_recounts_and_keeping_it_changes_the_model(
    qtbot, results, anomaly_project
):
    from dlstudio.core.engine.anomaly import predict_anomaly

    runs = Project(anomaly_project).runs()
    results.show_project(runs, runs[-1])
    view = results.anomaly_view
    assert results.body.currentWidget() is view
    assert "Mistakes" not in _visible_tabs(results) and "Try it" not in _visible_tabs(results)
    assert view.plot.regions  # the labelled window is shaded
    kept = view.threshold
    said = view.counts.text()
    assert "This is the kept threshold" in said and not view.keep.isEnabled()
    flagged_before = len(view.plot.flagged.getData()[0])

    higher = float(np.quantile(view.scores.scores, 0.995))
    view.plot.threshold.setValue(higher)  # as a drag of the line does
    assert view.threshold == pytest.approx(higher, abs=1e-3)
    assert view.counts.text() != said and view.keep.isEnabled()
    assert f"Flags {view.scores.at(view.threshold).flagged:,} of" in view.counts.text()
    assert len(view.plot.flagged.getData()[0]) < flagged_before

    before = predict_anomaly(runs[-1].path, SLICE)["is_anomaly"].sum()
    view.keep.click()
    assert "Rebuilding" in view.status.text()
    qtbot.waitUntil(lambda: view._job is None, timeout=300_000)
    assert "Kept" in view.status.text(), view.status.text()
    run = RunFolder(runs[-1].path)
    assert run.evaluation()["threshold"]["value"] != pytest.approx(kept)
    assert "This is the kept threshold" in view.counts.text()
    assert predict_anomaly(run.path, SLICE)["is_anomaly"].sum() < before
    results.grab().save(str(anomaly_project / "results-anomaly.png"))


def test_a_forecast_run_exports_and_forecasts_from_the_window(qtbot, forecast_project):
    from dlstudio.gui.wizard.export_page import ExportPage

    page = ExportPage()
    qtbot.addWidget(page)
    page.show()
    run = Project(forecast_project / "project").runs()[-1]
    page.set_run(run)
    for name, box in page.checks.items():
        box.setChecked(name == "keras")
    page.folder_edit.setText(str(forecast_project / "exported"))
    page.export()
    qtbot.waitUntil(lambda: page._exporting is None, timeout=300_000)
    page.wait()
    written = page.written.toPlainText()
    assert "model.keras" in written and "forecast" in written, written
    assert (forecast_project / "exported" / "model.keras").is_file()

    page.predict_on(str(forecast_project / "visitors.csv"))
    horizon = run.evaluation()["backtest"]["horizon"]
    qtbot.waitUntil(lambda: page.prediction_model.rowCount() == horizon, timeout=300_000)
    assert {"timestamp", "forecast", "lower", "upper"} <= set(page.predictions)


def test_scoring_a_file_without_the_models_columns_says_so_plainly(
    qtbot, monkeypatch, anomaly_project, forecast_project
):
    from dlstudio.gui.wizard import export_page
    from dlstudio.gui.wizard.export_page import ExportPage

    warned = []
    monkeypatch.setattr(
        export_page.QMessageBox, "warning", lambda _parent, title, text: warned.append(text)
    )
    page = ExportPage()
    qtbot.addWidget(page)
    page.show()
    page.set_run(Project(anomaly_project).runs()[-1])
    page.predict_on(str(forecast_project / "visitors.csv"))  # no 'value' column
    qtbot.waitUntil(lambda: bool(warned), timeout=300_000)
    assert "lacks the column" in warned[0] and "Traceback" not in warned[0]
    assert "lacks the column" in page.predict_status.text()
