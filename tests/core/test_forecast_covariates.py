"""Covariates for forecasting: other columns read beside the target, observed up to the
forecast time or known ahead, numbers or categories, from the spec to the exported model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dlstudio.core.config import DataSpec, RunSpec, SplitSpec, TrainSpec
from dlstudio.core.errors import DlstudioError
from dlstudio.core.project import data_spec_from_dict, data_spec_to_dict

EFFECT = {"calm": 0.0, "busy": 6.0, "closed": -6.0}


def driven_csv(path, points=360, seed=0):
    """A daily series that a covariate truly drives: sales follow yesterday's `driver` and the
    day's `mode` (known ahead, text), plus a little noise. The driver is noise itself, so the
    target's own past (and seasonal naive) cannot foresee it."""
    rng = np.random.default_rng(seed)
    driver = rng.normal(0, 3, points)
    mode = rng.choice(list(EFFECT), points)
    sales = 50 + np.concatenate([[0.0], 2 * driver[:-1]]) + np.vectorize(EFFECT.get)(mode)
    sales = sales + rng.normal(0, 0.3, points)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2020-01-01", periods=points, freq="D").strftime("%Y-%m-%d"),
            "sales": sales.round(3),
            "driver": driver.round(3),
            "mode": mode,
        }
    )
    frame.loc[[40, 41], "driver"] = np.nan  # gaps, filled as the target's are
    frame.to_csv(path, index=False)
    return path


def _spec(path, covariates=(), known=()):
    return RunSpec(
        DataSpec(
            str(path),
            "sales",
            task="forecast",
            split=SplitSpec(time_column="date"),
            horizon=1,
            context=14,
            covariates=tuple(covariates),
            known_covariates=tuple(known),
        ),
        train=TrainSpec(epochs=60, patience=8),
    )


def test_the_spec_round_trips_through_project_json_and_old_files_read_without_covariates():
    spec = DataSpec("s.csv", "sales", task="forecast", covariates=("a",), known_covariates=("b",))
    assert data_spec_from_dict(data_spec_to_dict(spec)) == spec
    assert RunSpec.from_dict(RunSpec(spec).to_dict()).data == spec
    old = data_spec_from_dict({"path": "s.csv", "target": "sales", "task": "forecast"})
    assert old.covariates == () and old.known_covariates == ()


def test_inspect_offers_numbers_and_few_categories_as_covariates(tmp_path):
    from dlstudio.core.data.timeseries import load_series

    series = load_series(driven_csv(tmp_path / "s.csv"), "date", "sales")
    assert set(series.covariates) == {"driver", "mode"}
    chosen = load_series(tmp_path / "s.csv", "date", "sales", known_covariates=["mode"])
    assert list(chosen.covariate_values.columns) == ["mode"]
    with pytest.raises(DlstudioError, match="not a usable column"):
        load_series(tmp_path / "s.csv", "date", "sales", covariates=["weather"])


@pytest.mark.slow
def test_a_driving_covariate_beats_seasonal_naive_and_exports_with_raw_values(tmp_path):
    from dlstudio.core.engine.forecast import export_forecast, forecast_file
    from dlstudio.core.engine.run import start_run

    data = driven_csv(tmp_path / "sales.csv")
    run = start_run(
        _spec(data, covariates=["driver"], known=["mode"]), tmp_path / "project", lambda e: None
    )
    evaluation = run.evaluation()
    mase = evaluation["metrics"]["mase"]
    naive = evaluation["baselines"]["seasonal naive"]["mase"]
    # The target's own past cannot foresee the driver; with it the model clearly can.
    assert mase < 0.5 * naive
    md = (run.path / "model_card.md").read_text()
    assert "driver" in md and "mode" in md and "known ahead" in md
    # The data holds no mode after its last day: the run keeps no forecast after the data.
    assert not (run.path / "future.csv").exists()

    # Export: Keras and SavedModel (text lookups do not convert to ONNX/LiteRT), reloaded.
    checked = export_forecast(str(run.path), None, tmp_path / "export")
    assert len(checked) >= 2
    assert (tmp_path / "export" / "model_card.json").is_file()

    # Predict with the raw covariates: a history with the next day's mode after the last sales.
    frame = pd.read_csv(data)
    history = pd.concat(
        [frame, pd.DataFrame({"date": ["2020-12-26"], "mode": ["busy"]})], ignore_index=True
    )
    history.to_csv(tmp_path / "history.csv", index=False)
    forecast = forecast_file(str(run.path), str(tmp_path / "history.csv"))
    assert list(forecast["timestamp"]) == ["2020-12-26"]
    expected = 50 + 2 * frame["driver"].iloc[-1] + EFFECT["busy"]
    calm = history.copy()
    calm.loc[calm.index[-1], "mode"] = "closed"
    calm.to_csv(tmp_path / "closed.csv", index=False)
    closed = forecast_file(str(run.path), str(tmp_path / "closed.csv"))
    # The known-ahead category moves the forecast the way it moves the data.
    assert forecast["forecast"].iloc[0] - closed["forecast"].iloc[0] > 6
    assert abs(forecast["forecast"].iloc[0] - expected) < 3

    # Without the future row, predict says plainly what is missing.
    frame.to_csv(tmp_path / "no_future.csv", index=False)
    with pytest.raises(DlstudioError, match="known ahead") as refused:
        forecast_file(str(run.path), str(tmp_path / "no_future.csv"))
    assert "2020-12-26" in str(refused.value)


@pytest.mark.slow
def test_without_the_covariate_the_same_series_is_no_better_than_with_it(tmp_path):
    from dlstudio.core.engine.run import start_run

    data = driven_csv(tmp_path / "sales.csv")
    alone = start_run(_spec(data), tmp_path / "alone", lambda e: None).evaluation()
    driven = start_run(
        _spec(data, covariates=["driver"], known=["mode"]), tmp_path / "driven", lambda e: None
    ).evaluation()
    assert driven["metrics"]["mae"] < 0.5 * alone["metrics"]["mae"]


def test_the_command_line_offers_and_checks_covariates(tmp_path, capsys):
    from dlstudio.cli import run

    data = driven_csv(tmp_path / "sales.csv")
    assert run(["inspect", str(data), "--task", "forecast", "--time-column", "date"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "possible covariates driver, mode" in said
    # A covariate that is not a column, one named twice, or covariates for another task.
    for flags in (
        ["--task", "forecast", "--covariates", "weather"],
        ["--task", "forecast", "--covariates", "driver", "--known-covariates", "driver"],
        ["--task", "regression", "--covariates", "driver"],
    ):
        code = run(["train", str(data), "--target", "sales", "--project", str(tmp_path), *flags])
        out = capsys.readouterr()
        assert code == 2, flags
        assert "Traceback" not in out.err + out.out
    assert not list(tmp_path.glob("runs/*"))  # refused before a run folder
