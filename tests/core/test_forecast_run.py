"""A forecasting search as the window and the CLI see it: the event stream, and a resume."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, SplitSpec, TrainSpec
from dlstudio.core.events import EpochEnded, RunFinished, RunStarted, TrialEnded, TrialStarted
from tests.test_cli_forecast import seasonal_csv


@pytest.mark.slow
def test_a_search_streams_events_and_resumes_after_its_finished_trials(tmp_path):
    from dlstudio.core.engine.run import resume_run, start_run

    data = seasonal_csv(tmp_path / "visitors.csv", points=180)
    spec = RunSpec(
        DataSpec(str(data), "Visitors", task="forecast", split=SplitSpec(time_column="Month")),
        train=TrainSpec(epochs=2, patience=1),
        search=SearchSpec(max_trials=1),
    )
    events = []
    run = start_run(spec, tmp_path / "project", events.append)
    kinds = [type(e) for e in events]
    assert kinds[0] is RunStarted and kinds[-1] is RunFinished
    assert kinds.count(TrialStarted) == 1 and kinds.count(TrialEnded) == 1
    epochs = [e for e in events if isinstance(e, EpochEnded)]
    assert len(epochs) == 2 and {"loss", "mae", "val_mae"} <= set(epochs[0].metrics)
    finished = events[-1]
    assert finished.status.value == "completed" and finished.model_path
    assert set(finished.test_metrics) == {"mae", "rmse", "smape", "mase"}
    assert "seasonal naive" in finished.message
    first = run.trials()[0].hyperparameters

    run.write_spec(replace(spec, search=replace(run.spec().search, max_trials=2)))
    events.clear()
    resume_run(run, events.append)
    trials = run.trials()
    assert [t.number for t in trials] == [1, 2]
    assert trials[0].hyperparameters == first  # kept as it was
    assert trials[1].hyperparameters["template"] != first["template"]  # the next template
    assert sum(isinstance(e, TrialStarted) for e in events) == 1
    assert run.evaluation()["task"] == "forecast"
