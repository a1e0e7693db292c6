"""The Train step tells the run's story as a user lives it: TensorFlow starting (with a clock
that moves), the trials in plain words, the best trial (not the last) at the end with its
diagnosis kept, honest axes, and a window that closes without freezing and a run that can be
resumed afterwards."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from dlstudio.core.events import (
    BatchEnded,
    EpochEnded,
    RunFinished,
    RunMessage,
    RunStarted,
    RunStatus,
    TrialEnded,
    TrialRecord,
    TrialStarted,
    TrialStatus,
)

CPU = {"kind": "CPU", "name": "cpu"}


@pytest.fixture
def page(qtbot):
    from dlstudio.gui.wizard.train_page import TrainPage

    page = TrainPage()
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    return page


def _trial(page, trial_id: str, losses: list[float], accuracy: list[float], status) -> None:
    """One trial's events, as the training process sends them."""
    epochs = len(losses)
    page.handle_events([TrialStarted(trial_id, int(trial_id) + 1, {"learning_rate": 0.01}, 8)])
    history: dict[str, list[float]] = {}
    for epoch, (loss, acc) in enumerate(zip(losses, accuracy, strict=True)):
        metrics = {"loss": loss, "val_loss": loss * 1.1, "accuracy": acc, "val_accuracy": acc}
        for name, value in metrics.items():
            history.setdefault(name, []).append(value)
        page.handle_events([EpochEnded(trial_id, epoch, 8, metrics)])
    best = min(history["val_loss"])
    record = TrialRecord(
        trial_id,
        int(trial_id) + 1,
        status,
        {"learning_rate": 0.01},
        history,
        best,
        history["val_loss"].index(best),
        epochs,
        1.5,
        message="cut short by the time limit" if status is TrialStatus.CUT_SHORT else "",
    )
    page.handle_events([TrialEnded(record)])


def test_the_start_shows_tensorflow_starting_with_a_clock_that_ticks(qtbot, page):
    page.prepare_run("multiclass")
    assert "Starting TensorFlow" in page.status_label.text()
    assert "0 of" not in page.search_bar.text()  # no "0 of 100 trials" before anything runs
    first = page.eta_label.text()
    assert first.startswith("starting")
    qtbot.waitUntil(lambda: page.eta_label.text() != first, timeout=5000)  # no event came
    assert page.eta_label.text().startswith("starting")

    page.handle_events(
        [
            RunMessage("Loading TensorFlow and Keras…"),
            RunStarted("r", "tune", "tensorflow", CPU, 3, 60.0, 240),
        ]
    )
    assert "Searching: up to 3 trials on the CPU" in page.status_label.text()
    assert page.search_bar.text() == "search: 0 of 3 trials"
    assert page.eta_label.text().startswith("elapsed")


def test_the_end_shows_the_best_trial_and_keeps_its_diagnosis(qtbot, page):
    page.prepare_run("multiclass")
    page.handle_events([RunStarted("r", "tune", "tensorflow", CPU, 3, 60.0, 240)])
    _trial(page, "0", [1.0, 0.9, 0.85, 0.8], [0.5, 0.6, 0.62, 0.65], TrialStatus.COMPLETED)
    best = [1.0, 0.6, 0.4, 0.3, 0.25]
    _trial(page, "1", best, [0.5, 0.8, 0.9, 0.92, 0.93], TrialStatus.COMPLETED)
    _trial(page, "2", [1.2, 1.1], [0.4, 0.45], TrialStatus.CUT_SHORT)  # last, cut short, worst
    page.handle_events([BatchEnded("2", 1, 3, 10, 1.05)])
    page.handle_events(
        [
            RunFinished(
                "r",
                RunStatus.TIME_LIMIT,
                "1",
                0.275,
                55.0,
                model_path="/nowhere/runs/r/model.keras",
                message="Right on 93 % of test rows.",
            )
        ]
    )
    status = page.status_label.text()
    assert "trial 2, the best (validation loss 0.275)" in status
    assert "time budget ran out" in status
    # The coloured curve is the best trial's, drawn whole; the cut-short one is faint.
    x, y = page.curves._curves["loss"].getData()
    assert list(y) == best
    # The live loss of the last trial stays (its 2 epoch ends and the running loss after
    # them), not the best trial's 5 epochs.
    assert page.curves.points("batch") == 3
    assert "trial 2, the best" in page.curves.loss_plot.plotItem.titleLabel.text
    # Its diagnosis stays on screen, not the waiting line of a new trial.
    assert page.diagnosis_label.property("kind") == "healthy"
    assert "Trial 2, the best" in page.diagnosis_label.text()
    log = page.log.toPlainText()
    for internal in ("cut_short", "time_limit", "Trial 0", "trial 0", "completed"):
        assert internal not in log + status, internal
    assert "Trial 3 stopped by the time budget" in log
    assert not page.clock.isActive()  # the clock stops with the run


def test_an_averaged_model_is_not_called_the_best_trials(qtbot, page):
    page.prepare_run("multiclass")
    page.handle_events([RunStarted("r", "tune", "tensorflow", CPU, 3, 60.0, 240)])
    _trial(page, "0", [1.0, 0.6, 0.4], [0.5, 0.8, 0.9], TrialStatus.COMPLETED)
    _trial(page, "1", [1.0, 0.7, 0.45], [0.5, 0.8, 0.88], TrialStatus.COMPLETED)
    average = (
        "The model is an average of 2 trainings of one configuration (trials 1 and 2): "
        "validation log loss 0.380, against 0.410 for one of them on average."
    )
    page.handle_events(
        [
            RunFinished(
                "r",
                RunStatus.TIME_LIMIT,
                "0",
                0.4,
                55.0,
                model_path="/nowhere/runs/r/model.keras",
                message=average,
                averaged=True,
            )
        ]
    )
    status = page.status_label.text()
    assert status.startswith("Finished: the time budget ran out, with a model. The model is an")
    assert "trial 1, the best" not in status and "0.380" in status


def test_a_forecast_search_of_mse_and_mae_trials_compares_them_by_their_mae(qtbot, page):
    """Trials that differ in their loss: the loss plot shows one trial's loss, named; the
    earlier trials stay faint on the mean absolute error plot, which every trial logs."""
    page.prepare_run("forecast")
    page.handle_events([RunStarted("r", "tune", "tensorflow", CPU, 3, 60.0, 240)])
    trials = [  # (loss, training loss per epoch, validation MAE per epoch)
        ("mse", [900.0, 500.0, 420.0], [26.0, 20.0, 18.0]),
        ("mae", [22.0, 17.0, 15.0], [24.0, 18.0, 16.0]),  # the best
        ("mse", [800.0, 450.0], [25.0, 19.0]),
    ]
    records = {}
    for number, (loss, losses, mae) in enumerate(trials):
        trial_id = str(number)
        hyperparameters = {"template": "dense", "loss": loss}
        page.handle_events([TrialStarted(trial_id, number + 1, hyperparameters, 3)])
        history: dict[str, list[float]] = {}
        for epoch, (value, error) in enumerate(zip(losses, mae, strict=True)):
            metrics = {"loss": value, "val_loss": value * 1.1, "mae": error, "val_mae": error}
            for name, v in metrics.items():
                history.setdefault(name, []).append(v)
            page.handle_events([EpochEnded(trial_id, epoch, 3, metrics)])
        records[trial_id] = TrialRecord(
            trial_id, number + 1, TrialStatus.COMPLETED, hyperparameters, history,
            min(mae), mae.index(min(mae)), len(losses), 1.0,
        )  # fmt: skip
        page.handle_events([TrialEnded(records[trial_id])])
    curves = page.curves
    assert curves.loss_plot.plotItem.titleLabel.text == "Loss: MSE, squared units"
    assert curves.batch_plot.plotItem.titleLabel.text == "Live training loss: MSE, squared units"
    assert curves.past_curves(curves.loss_plot) == 0
    assert curves.past_curves(curves.metric_plot) == 4  # trials 1 and 2, training and validation
    page.handle_events(
        [
            RunFinished(
                "r", RunStatus.COMPLETED, "1", 16.0, 30.0,
                model_path="/nowhere/runs/r/model.keras", message="",
            )
        ]
    )  # fmt: skip
    assert curves.loss_plot.plotItem.titleLabel.text == "Loss: MAE — trial 2, the best"
    # The live loss stays the last trial's, an MSE one, and says so.
    assert curves.batch_plot.plotItem.titleLabel.text == "Live training loss — the last trial (MSE)"
    assert curves.past_curves(curves.loss_plot) == 0
    assert curves.past_curves(curves.metric_plot) == 6
    _, y = curves._curves["loss"].getData()
    assert list(y) == trials[1][1]  # the best trial's MAE loss, in colour, with no MSE beside it
    assert curves.loss_plot.getViewBox().viewRange()[1][1] < 100  # not the MSE trials' 990
    page.grab().save("/tmp/train_page_mixed_losses.png")


def test_axes_are_honest(qtbot):
    from dlstudio.gui.plots.live_curves import LiveCurves

    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.resize(900, 300)
    curves.show()
    curves.reset("accuracy")
    curves.start_trial(epochs=5)
    for epoch, acc in enumerate([0.851, 0.853, 0.856, 0.852]):
        curves.add_epoch(epoch, {"loss": 0.40 - 0.01 * epoch, "val_loss": 0.41, "accuracy": acc})
    curves.redraw()
    low, high = curves.metric_plot.getViewBox().viewRange()[1]
    assert low <= 0.0 and high >= 1.0  # the whole 0–1 scale, not ±0.5 % of noise
    axis = curves.metric_plot.getAxis("left")
    assert not axis.autoSIPrefix and "higher is better" in axis.labelText
    assert "lower is better" in curves.loss_plot.getAxis("left").labelText
    assert curves.loss_plot.getViewBox().viewRange()[1][0] >= 0.0  # no loss below zero


# ---------------------------------------------------------------- with a training process


@pytest.mark.slow
def test_closing_during_a_run_keeps_the_window_alive_and_the_run_resumable(
    qtbot, window, penguins_csv, tmp_path, monkeypatch
):
    from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, TrainSpec
    from dlstudio.core.project import Project
    from dlstudio.gui.app import create_main_window

    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes
    )
    spec = RunSpec(
        DataSpec(str(penguins_csv), "species"),
        train=TrainSpec(epochs=60, patience=60),
        search=SearchSpec("random", max_trials=2),
    )
    project = tmp_path / "project"
    got = []
    window.controller.events.connect(got.extend)
    window.go_to(2)
    window.train_page.prepare_run("multiclass")
    window.controller.start(spec, str(project))
    qtbot.waitUntil(
        lambda: any(isinstance(e, EpochEnded) and e.trial_id == "1" for e in got), timeout=180_000
    )
    ticks = []
    clock = QTimer()
    clock.timeout.connect(lambda: ticks.append(1))
    clock.start(20)
    window.close()
    assert asked and window.isVisible()  # not closed yet: stopping, and saying so
    assert "Stopping" in window.train_page.status_label.text()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=120_000)
    clock.stop()
    assert len(ticks) >= 3, "the event loop ran while the run stopped"
    run = Project(project).runs()[0]
    trials = run.trials()
    assert run.state()["status"] == "cancelled"
    assert [t.status for t in trials] == [TrialStatus.COMPLETED, TrialStatus.CANCELLED]
    first_duration = trials[0].duration_s

    again = create_main_window()
    qtbot.addWidget(again)
    again.show()
    again.open_project(project)
    runs = again.results_page.runs_view
    runs.table.selectRow(0)
    assert runs.resume_button.isEnabled()
    with qtbot.waitSignal(again.controller.finished, timeout=180_000):
        runs.resume_button.click()
    trials = run.trials()
    assert run.state()["status"] == "completed"
    assert [t.status for t in trials] == [TrialStatus.COMPLETED, TrialStatus.COMPLETED]
    assert trials[0].duration_s == first_duration  # kept, not trained again
    again.data_page.wait_until_loaded()
    again.close()


@pytest.mark.slow
def test_closing_while_tensorflow_starts_closes_without_waiting_for_it(
    qtbot, window, penguins_csv, tmp_path, monkeypatch
):
    from dlstudio.core.config import DataSpec, RunSpec, TrainSpec

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.train_page.prepare_run("multiclass")
    window.controller.start(
        RunSpec(DataSpec(str(penguins_csv), "species"), train=TrainSpec(epochs=2)),
        str(tmp_path / "project"),
    )
    window.close()  # nothing learned yet: the training process is ended, not waited for
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
    assert not window.controller.is_running()
    assert "before training began" in window.train_page.status_label.text()
