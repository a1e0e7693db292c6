"""The Train step's numbers agree with each other and read as words: the epoch count matches
the epochs plotted, numbers are written out (1,860, never 1.86e+03), a forecast's settings
are named in plain words, the averaging sentence shows only when there is something to
average, and the live loss of a run with very short epochs (a forecast, an anomaly search)
is not an empty plot."""

from __future__ import annotations

import pytest

from dlstudio.core.events import (
    EpochEnded,
    RunMessage,
    RunStarted,
    TrialEnded,
    TrialRecord,
    TrialStarted,
    TrialStatus,
)

CPU = {"kind": "CPU", "name": "cpu"}
AVERAGING = (
    "The 3 s left of the budget are too short for another trial (one needs about 9 s: 3 "
    "epochs and the set-up), so the search ends here. A further 12 s are kept for averaging "
    "the best trials."
)


@pytest.fixture
def page(qtbot):
    from dlstudio.gui.wizard.train_page import TrainPage

    page = TrainPage()
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    return page


def _start(page, task="multiclass"):
    page.prepare_run(task)
    page.handle_events([RunStarted("r", "tune", "tensorflow", CPU, 3, 60.0, 240)])


def _epoch(page, trial_id, epoch, planned, loss=1.0):
    metrics = {"loss": loss, "val_loss": loss * 1.1, "accuracy": 0.5, "val_accuracy": 0.5}
    page.handle_events([EpochEnded(trial_id, epoch, planned, metrics)])


def _ended(page, trial_id, score):
    history = {"loss": [1.0, 0.8], "val_loss": [1.1, score]}
    record = TrialRecord(
        trial_id, int(trial_id) + 1, TrialStatus.COMPLETED, {}, history, score, 1, 2, 1.0
    )
    page.handle_events([TrialEnded(record)])


def test_the_epoch_count_agrees_with_the_epochs_plotted(qtbot, page):
    """The Model step allows 30 epochs, the time budget plans 22, and a trial still improving
    runs on past its plan (each epoch's plan is the one made before it ended)."""
    _start(page)
    page.handle_events([TrialStarted("0", 1, {"learning_rate": 0.01}, 30)])
    for epoch in range(19):
        _epoch(page, "0", epoch, 22, loss=1.0 - 0.01 * epoch)
    for epoch in range(19, 23):  # past the plan: the plan says what was done before
        _epoch(page, "0", epoch, epoch, loss=0.8 - 0.01 * epoch)
    plotted = page.curves.points("loss")
    assert plotted == 23
    bar = page.trial_bar
    assert bar.value() == plotted and bar.maximum() >= plotted
    assert bar.text().startswith("this trial: 23 of 23 epochs")
    assert "cut from 30 by the budget" in bar.text()
    assert "30" in bar.toolTip() and "time budget" in bar.toolTip()
    # The epoch axis ends where the count does, not at the 30 epochs the trial never runs.
    right = page.curves.loss_plot.getViewBox().viewRange()[0][1]
    assert plotted <= right < 30


def test_the_epoch_axis_follows_the_budgets_plan_once_it_is_known(qtbot, page):
    _start(page)
    page.handle_events([TrialStarted("0", 1, {}, 30)])
    _epoch(page, "0", 0, 12)
    right = page.curves.loss_plot.getViewBox().viewRange()[0][1]
    assert 12 <= right < 13  # 12 epochs planned: the axis spans them, not 30
    assert page.trial_bar.text() == "this trial: 1 of 12 epochs (cut from 30 by the budget)"


def test_numbers_are_written_out_not_in_e_notation(qtbot, page):
    _start(page, "regression")
    page.handle_events([TrialStarted("0", 1, {"learning_rate": 0.0001, "units": 20000}, 8)])
    for epoch, loss in enumerate([5000.0, 3000.0, 2400.0, 1860.0]):
        page.handle_events([EpochEnded("0", epoch, 8, {"loss": loss, "val_loss": loss})])
    diagnosis = page.diagnosis_label.text()
    assert "1,860" in diagnosis and "e+03" not in diagnosis
    log = page.log.toPlainText()
    assert "0.0001" in log and "20000" in log and "e-0" not in log
    axis = page.curves.loss_plot.getAxis("left")
    assert axis.tickStrings([20000.0, 40000.0], 1, 20000.0) == ["20,000", "40,000"]
    assert axis.tickStrings([0.00002, 0.00004], 1, 0.00002) == ["0.00002", "0.00004"]


def test_a_forecasts_settings_are_named_in_plain_words(qtbot, page):
    _start(page, "forecast")
    settings = {
        "template": "transformer",
        "d_model": 32,
        "heads": 2,
        "layers": 1,
        "anchor": "seasonal",
        "loss": "mae",
    }
    page.handle_events([TrialStarted("0", 1, settings, 30)])
    log = page.log.toPlainText()
    for jargon in ("Anchor seasonal", "D model", "transformer,", "Template"):
        assert jargon not in log, jargon
    assert "Architecture: Small Transformer encoder" in log
    assert "Starts from: the value one season earlier" in log
    assert "Size of each time step's summary: 32" in log
    assert "Loss: MAE" in log


def test_time_kept_for_averaging_is_mentioned_only_with_trials_to_average(qtbot, page):
    _start(page)
    page.handle_events([TrialStarted("0", 1, {}, 3)])
    _ended(page, "0", 0.5)
    page.handle_events([RunMessage(AVERAGING)])
    log = page.log.toPlainText()
    assert "so the search ends here." in log
    assert "averaging" not in log  # one trial: nothing to average
    page.handle_events([TrialStarted("1", 2, {}, 3)])
    _ended(page, "1", 0.4)
    page.handle_events([RunMessage(AVERAGING)])
    assert "A further 12 s are kept for averaging the best trials." in page.log.toPlainText()


@pytest.mark.parametrize("task", ["forecast", "anomaly"])
def test_the_live_loss_is_drawn_when_epochs_are_too_short_for_updates(qtbot, page, task):
    """A monthly series or a short recording trains in one batch an epoch: no update comes
    from within an epoch, and the live plot showed nothing at all."""
    _start(page, task)
    page.handle_events([TrialStarted("0", 1, {"template": "dense_lags"}, 10)])
    for epoch, loss in enumerate([0.9, 0.7, 0.6]):
        page.handle_events([EpochEnded("0", epoch, 10, {"loss": loss, "val_loss": loss})])
    assert page.curves.batch_plot.isVisible()
    assert page.curves.points("batch") == 3
    x, y = page.curves._curves["batch"].getData()
    assert list(x) == [1.0, 2.0, 3.0] and list(y) == [0.9, 0.7, 0.6]
    assert "too short" in page.curves.batch_plot.toolTip()
