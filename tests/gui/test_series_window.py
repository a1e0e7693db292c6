"""Forecasting and anomaly detection started from the window: the Data step shows the series
and its settings, the Model step offers the task's own templates, and the run spec, the project
and a run started from the window carry the choices."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from dlstudio.core.data.series_view import SeriesView
from tests.gui.conftest import open_and_wait

DATA = Path(__file__).resolve().parents[1] / "data"
NAB = DATA / "nab_ec2_latency_slice.csv"
NAB_WINDOWS = DATA / "nab_ec2_latency_windows.json"


@pytest.fixture
def projects(tmp_path, monkeypatch):
    monkeypatch.setenv("DLSTUDIO_PROJECTS", str(tmp_path / "projects"))
    return tmp_path / "projects"


@pytest.fixture
def monthly_csv(tmp_path) -> Path:
    """Ten years of monthly sales with a summer peak, one month missing and one repeated."""
    rows = []
    for m in range(120):
        if m == 30:
            continue  # a gap, filled by interpolation
        rows.append(f"{1990 + m // 12}-{m % 12 + 1:02d},{100 + m + 20 * (m % 12 in (5, 6, 7))}")
    rows.append(rows[10].split(",")[0] + ",999")  # a duplicate month, averaged
    path = tmp_path / "sales.csv"
    path.write_text("month,sales\n" + "\n".join(rows) + "\n")
    return path


def _choose_task(qtbot, page, task: str) -> None:
    with qtbot.waitSignal(page.dataset_loaded, timeout=30000):
        page.task_combo.setCurrentIndex(page.task_combo.findData(task))
        page.task_combo.activated.emit(page.task_combo.currentIndex())


def _facts(panel) -> dict[str, str]:
    table = panel.facts
    return {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}


def test_a_monthly_series_opens_as_a_forecast_with_its_settings(
    qtbot, window, monthly_csv, projects, monkeypatch
):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    page = window.data_page
    view = open_and_wait(qtbot, window, monthly_csv)
    assert isinstance(view, SeriesView) and view.task == "forecast"
    panel = page.series_panel
    assert page.stack.currentWidget() is panel
    assert page.task_combo.currentText() == "Forecast future values"
    facts = _facts(panel)
    assert facts["Frequency"] == "monthly" and facts["Season"] == "12 steps"
    assert facts["First time"] == "1990-01" and facts["Last time"] == "1999-12"
    assert facts["Duplicate times averaged"] == "1" and facts["Missing values filled"] == "1"
    assert panel.plot.marked["filled in"] == 1  # the gap is marked on the plot
    assert panel.horizon_spin.value() == 12
    assert "Proposed: 12" in panel.horizon_reason.text()
    assert "season" in panel.horizon_reason.text()

    panel.horizon_spin.setValue(6)
    data = window.session.state.data
    assert (data.task, data.target, data.split.time_column, data.horizon) == (
        "forecast",
        "sales",
        "month",
        6,
    )

    panel.horizon_spin.setValue(100)  # far too long for 120 months
    assert "training window" in panel.message.text() and "Traceback" not in panel.message.text()
    assert window.session.state.data.horizon == 6  # the last good choice is kept

    window.go_to(1)
    model = window.model_page
    names = [model.template_combo.itemText(i) for i in range(model.template_combo.count())]
    assert "LSTM encoder" in names and "Small Transformer encoder" in names
    # The same oracles search forecasters; the objective is the forecast's one (MAE).
    assert model.tuner_combo.isVisibleTo(model) and not model.objective_combo.isVisibleTo(model)
    assert "random variations" in model.planner_note.text()
    model.tuner_combo.setCurrentIndex(model.tuner_combo.findData("bayesian"))
    assert "the finished trials make look most promising" in model.planner_note.text()
    model.budget_edit.setText("20s")
    spec = model.run_spec(window.session.state.data)
    assert spec.data.task == "forecast" and spec.data.horizon == 6
    assert spec.search is not None and spec.search.tuner == "bayesian"
    assert spec.data.split.time_column == "month" and spec.data.target == "sales"
    assert spec.search is not None and spec.search.time_limit_s == 20
    model.choose_radio.setChecked(True)
    model.template_combo.setCurrentIndex(model.template_combo.findData("gru"))
    spec = model.run_spec(window.session.state.data)
    assert spec.search is None and spec.model.template == "gru"
    assert spec.model.hyperparameters["units"] == 32  # the template's default
    assert not shown


def test_readings_open_for_anomaly_detection_with_labelled_windows(qtbot, window, projects):
    page = window.data_page
    open_and_wait(qtbot, window, NAB)
    _choose_task(qtbot, page, "anomaly")
    panel = page.series_panel
    assert panel.time_combo.currentData() == "timestamp"
    with qtbot.waitSignal(page.dataset_loaded, timeout=30000):
        panel.set_label_windows(str(NAB_WINDOWS))
    assert panel.plot.marked["labelled windows"] == 1
    assert panel.plot.marked["normal end"] == 1
    assert "Labelled anomalous rows" in _facts(panel)
    settings = window.session.state.data.anomaly
    assert settings["time_column"] == "timestamp"
    assert Path(settings["label_windows"]).name == NAB_WINDOWS.name

    with qtbot.waitSignal(page.dataset_loaded, timeout=30000):
        panel.normal_spin.setValue(40)
        panel.normal_spin.editingFinished.emit()
    assert window.session.state.data.anomaly["normal_share"] == pytest.approx(0.4)
    assert _facts(panel)["Assumed normal"] == "the first 280 rows (23.2 hours)"

    window.go_to(1)
    model = window.model_page
    templates = [model.template_combo.itemData(i) for i in range(model.template_combo.count())]
    assert templates == [None, "conv_autoencoder", "lstm_autoencoder"]
    spec = model.run_spec(window.session.state.data)
    assert spec.data.task == "anomaly" and spec.data.anomaly["normal_share"] == pytest.approx(0.4)


def test_a_bad_anomaly_choice_is_said_and_the_last_good_one_kept(
    qtbot, window, projects, monkeypatch
):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    page = window.data_page
    open_and_wait(qtbot, window, NAB)
    _choose_task(qtbot, page, "anomaly")
    panel = page.series_panel
    good = window.session.state.data
    panel.normal_spin.setValue(1)  # 7 rows: too few to learn what normal is
    panel.normal_spin.editingFinished.emit()
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)
    assert "rows to learn what normal looks like" in shown[0] and "Traceback" not in shown[0]
    assert window.session.state.data == good
    assert panel.normal_spin.value() == 50  # the panel shows the settings that work


def test_the_series_choices_come_back_with_the_project(
    qtbot, window, monthly_csv, projects, tmp_path
):
    from dlstudio.gui.app import create_main_window

    open_and_wait(qtbot, window, monthly_csv)
    window.data_page.series_panel.horizon_spin.setValue(5)
    folder = tmp_path / "kept"
    window.session.state.save_project_as(folder)

    other = create_main_window()
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.data_page.dataset_loaded, timeout=30000):
        other.open_project(folder)
    assert other.data_page.series_panel.horizon_spin.value() == 5
    assert other.session.state.data.horizon == 5
    assert other.data_page.task_combo.currentData() == "forecast"
    other.data_page.wait_until_loaded()


@pytest.mark.slow
def test_a_forecast_runs_from_the_window_to_a_model(qtbot, window, monthly_csv, projects):
    open_and_wait(qtbot, window, monthly_csv)
    window.go_to(1)
    model = window.model_page
    model.choose_radio.setChecked(True)
    model.template_combo.setCurrentIndex(model.template_combo.findData("dense_lags"))
    model.epochs_spin.setValue(3)
    finished = []
    window.train_page.run_finished.connect(finished.append)
    with qtbot.waitSignal(window.controller.finished, timeout=300_000):
        window.start_training()
    assert finished, window.train_page.status_label.text()
    assert window.train_page.curves.points("val_loss") > 0  # live curves, as for other tasks
    run = window.run
    assert run is not None and run.model_path.exists()
    assert run.spec().data.task == "forecast" and run.spec().data.split.time_column == "month"
    assert (run.evaluation() or {}).get("task") == "forecast"
