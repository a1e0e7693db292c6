"""Forecasting through the CLI as a user runs it: inspect proposes it, tune/train trains it,
evaluate shows the backtest beside the baselines, predict writes the next steps, export checks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dlstudio.cli import run


def seasonal_csv(path, points: int = 240):
    """A synthetic monthly series: trend, a yearly cycle and a little noise."""
    t = np.arange(points)
    noise = np.random.default_rng(0).normal(0, 2, points)
    values = 200 + 0.8 * t + 30 * np.sin(2 * np.pi * t / 12) + noise
    months = pd.date_range("1990-01-01", periods=points, freq="MS").strftime("%Y-%m")
    pd.DataFrame({"Month": months, "Visitors": values.round(1)}).to_csv(path, index=False)
    return path


def test_inspect_proposes_a_forecast_for_a_series_it_used_to_refuse(tmp_path, capsys):
    data = seasonal_csv(tmp_path / "visitors.csv")
    assert run(["inspect", str(data)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    for words in (
        "A time series: 240 monthly values of Visitors",
        "time column Month",
        "season length 12 steps",
        "proposed task forecast",
        "proposed horizon 12 steps ahead",
        "proposed context the last 24 values",
        "--task forecast",
    ):
        assert words in said
    assert run(["inspect", str(data), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["proposed_task"], info["frequency"], info["season"]) == ("forecast", "monthly", 12)


def test_a_wrong_time_column_is_a_plain_error(tmp_path, capsys):
    data = seasonal_csv(tmp_path / "visitors.csv")
    assert run(["inspect", str(data), "--task", "forecast", "--time-column", "Visitors"]) == 2
    err = capsys.readouterr().err
    assert "does not hold dates or times" in err and "Traceback" not in err
    args = ["train", str(data), "--task", "forecast", "--horizon", "100"]
    assert run([*args, "--project", str(tmp_path / "p")]) == 2
    assert "Give a shorter --context or --horizon" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()  # refused before a run folder was made


@pytest.mark.slow
def test_train_evaluate_predict_and_export_a_forecaster(tmp_path, capsys):
    data = seasonal_csv(tmp_path / "visitors.csv")
    project = tmp_path / "project"
    argv = ["train", str(data), "--task", "forecast", "--time-column", "Month"]
    argv += ["--target", "Visitors", "--horizon", "6", "--epochs", "3", "--arch", "dense_lags"]
    assert run([*argv, "--project", str(project), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "completed" and result["model"]
    assert set(result["evaluation"]) == {"mae", "rmse", "smape", "mase"}
    folder = result["run"]

    assert run(["evaluate", folder]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "seasonal naive" in said and "last value" in said and "mase" in said
    assert "repeating the value of 12 steps earlier (seasonal naive)" in said

    history = tmp_path / "history.csv"
    pd.read_csv(data).head(200).to_csv(history, index=False)  # ends 2006-08
    out = tmp_path / "forecast.csv"
    assert run(["predict", folder, str(history), "-o", str(out)]) == 0
    forecast = pd.read_csv(out)
    assert list(forecast.columns) == ["timestamp", "forecast", "lower", "upper"]
    assert list(forecast.timestamp) == [
        "2006-09",
        "2006-10",
        "2006-11",
        "2006-12",
        "2007-01",
        "2007-02",
    ]
    assert (forecast.lower <= forecast.forecast).all() and (
        forecast.forecast <= forecast.upper
    ).all()
    actual = pd.read_csv(data).Visitors[200:206].to_numpy()
    assert np.abs(forecast.forecast - actual).mean() < 40  # in the series' units, near the truth

    capsys.readouterr()
    assert run(["export", folder, "--format", "keras", "--out", str(tmp_path / "export")]) == 0
    assert "reloaded in its own runtime" in capsys.readouterr().out
    card = (tmp_path / "export" / "model_card.md").read_text(encoding="utf-8")
    assert "seasonal naive" in card and '{"history": history}' in card


def test_a_date_and_a_number_are_a_series_and_other_tables_keep_their_profile(
    tmp_path, capsys, penguins_csv
):
    days = pd.date_range("2001-01-01", periods=120, freq="D").strftime("%Y-%m-%d")
    data = tmp_path / "temps.csv"
    pd.DataFrame({"Date": days, "Temp": np.arange(120) % 7 + 10.5}).to_csv(data, index=False)
    assert run(["inspect", str(data)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "A time series: 120 daily values of Temp" in said and "season length 7" in said
    assert run(["inspect", str(penguins_csv)]) == 0
    assert "time series" not in capsys.readouterr().out
    hourly = pd.date_range("2001-01-01", periods=200, freq="h")
    mixed = pd.DataFrame({"year": hourly.year, "month": hourly.month, "day": hourly.day})
    mixed["hour"] = hourly.hour
    mixed["wind"] = np.random.default_rng(0).normal(size=200)
    mixed["load"] = np.arange(200) % 24 + mixed["wind"]
    mixed.to_csv(tmp_path / "load.csv", index=False)
    assert run(["inspect", str(tmp_path / "load.csv"), "--target", "load"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "regression" in said and "also a time series (hourly" in said
