"""A forecasting search as the window and the CLI see it: the event stream, a resume, and the
forecast after the data with an interval on both sides, on a real recording."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, SplitSpec, TrainSpec
from dlstudio.core.events import EpochEnded, RunFinished, RunStarted, TrialEnded, TrialStarted
from tests.test_cli_forecast import seasonal_csv

NAB = Path(__file__).resolve().parents[1] / "data" / "nab_ec2_latency_slice.csv"


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


@pytest.mark.slow
def test_a_real_series_gets_the_next_steps_with_an_interval_on_both_sides(tmp_path):
    """Issue 26: the interval lay on one side of the forecast, and the steps after the data
    were only a table on the Export step. The run keeps them (future.csv), as predict gives
    them, each inside an interval with width on both sides."""
    from dlstudio.core.engine.forecast import forecast_file
    from dlstudio.core.engine.run import start_run
    from dlstudio.core.series_results import read_forecast_results

    spec = RunSpec(
        DataSpec(str(NAB), "value", task="forecast", split=SplitSpec(time_column="timestamp")),
        train=TrainSpec(epochs=2, patience=1),
        search=SearchSpec(max_trials=1),
    )
    run = start_run(spec, tmp_path / "project")
    evaluation = run.evaluation()
    interval, horizon = evaluation["interval"], evaluation["backtest"]["horizon"]
    assert horizon == 12  # an hour of 5-minute readings
    assert all(lo < 0 < hi for lo, hi in zip(interval["lower"], interval["upper"], strict=True))
    assert interval["floor"] == 0.0  # latency is never negative; no bound reaches 0 here
    results = read_forecast_results(run.path)
    tested = results.forecasts
    assert (tested["lower"] < tested["forecast"]).all()
    assert (tested["forecast"] < tested["upper"]).all()

    future = results.future
    assert len(future) == horizon
    end = pd.Timestamp(pd.read_csv(NAB)["timestamp"].iloc[-1])
    assert list(future["time"]) == list(pd.date_range(end, periods=horizon + 1, freq="5min")[1:])
    assert (future["lower"] < future["forecast"]).all()
    assert (future["forecast"] < future["upper"]).all()
    predicted = forecast_file(str(run.path), str(NAB))  # the Export step's table
    np.testing.assert_allclose(predicted["forecast"], future["forecast"], rtol=1e-4)
    np.testing.assert_allclose(predicted["upper"], future["upper"], rtol=1e-4)
