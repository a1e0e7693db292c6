"""The whole wizard driven as a user would: data → model → train (live) → results → export."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.gui.conftest import open_and_wait

pytestmark = pytest.mark.slow


@pytest.fixture
def projects(tmp_path, monkeypatch):
    monkeypatch.setenv("DLSTUDIO_PROJECTS", str(tmp_path / "projects"))
    return tmp_path / "projects"


def _short_search(window, trials: int, epochs: int) -> None:
    page = window.model_page
    page.tune_radio.setChecked(True)
    page.trials_spin.setValue(trials)
    page.epochs_spin.setValue(epochs)
    page.budget_edit.setText("")


def test_search_to_results_and_export(qtbot, window, penguins_csv, projects, tmp_path):
    assert not window.steps.item(1).flags() & Qt.ItemFlag.ItemIsEnabled  # Model waits for data
    assert "Open data first" in window.steps.item(1).toolTip()
    open_and_wait(qtbot, window, penguins_csv)
    window.go_to(1)
    assert window.stack.currentWidget() is window.model_page
    _short_search(window, trials=2, epochs=4)

    with qtbot.waitSignal(window.controller.finished, timeout=180_000):
        qtbot.mouseClick(window.train_page.start_button, Qt.MouseButton.LeftButton)
        assert window.stack.currentWidget() is window.train_page
    train = window.train_page
    assert train.curves.points("loss") > 0 and train.curves.points("val_loss") > 0
    assert train.curves.points("metric") > 0
    assert train.curves.past_curves() >= 2  # the first trial's curves stay, faint, underneath
    assert train.search_bar.value() == 2
    log = train.log.toPlainText()
    assert "Trial 1 started" in log and "Trial 2 finished" in log and "Finished after" in log
    assert train.diagnosis_label.property("kind") is not None  # a diagnosis, not the waiting line

    assert window.steps.item(3).flags() & Qt.ItemFlag.ItemIsEnabled
    window.go_to(3)
    results = window.results_page
    assert results.metrics.rowCount() >= 4
    assert results.per_class.rowCount() == 3
    assert results.confusion.isVisibleTo(results) and results.roc.isVisibleTo(results)

    window.go_to(4)
    export = window.export_page
    export.folder_edit.setText(str(tmp_path / "exported"))
    export.export()
    qtbot.waitUntil(lambda: "predictions match" in export.written.toPlainText(), timeout=120_000)
    assert (tmp_path / "exported" / "model.keras").exists()
    assert "keras.saving.load_model" in export.written.toPlainText()
    export.copy_button.click()  # the code a user pastes: inputs from raw data, then the model
    copied = QApplication.clipboard().text()
    assert "pd.read_csv" in copied and "keras.saving.load_model" in copied

    export.predict_on(str(penguins_csv))
    qtbot.waitUntil(lambda: export.prediction_model.rowCount() == 344, timeout=120_000)
    assert "predicted_species" in list(export.predictions.columns)
    shown = [export.prediction_model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    assert shown[1] == "predicted_species"  # the answers first, not off screen to the right


def test_closing_while_training_asks_cancels_and_keeps_finished_trials(
    qtbot, window, penguins_csv, projects, monkeypatch
):
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes
    )
    open_and_wait(qtbot, window, penguins_csv)
    _short_search(window, trials=5, epochs=500)
    window.model_page.patience_spin.setValue(500)
    window.start_training()
    qtbot.waitUntil(lambda: window.train_page.curves.points("loss") >= 2, timeout=120_000)
    window.close()
    assert asked, "the user is asked before a running search is stopped"
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=60_000)  # once the run has stopped
    assert not window.controller.is_running()
    from dlstudio.core.project import Project

    run = Project(projects / "palmer_penguins").runs()[0]
    assert run.state()["status"] == "cancelled"
    assert run.trials()[-1].status.value == "cancelled"


def test_gpu_plot_only_where_an_nvidia_gpu_is(window):
    from dlstudio.gui.plots.gpu_monitor import nvidia_handle

    assert window.train_page.gpu.isVisibleTo(window.train_page) == (nvidia_handle() is not None)
