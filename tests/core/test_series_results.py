"""What a forecast or anomaly run keeps for the Results step's plots, read back without Keras;
and an anomaly run's threshold, moved and kept so that predict flags with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dlstudio.core.series_results import (
    anomaly_frame,
    forecast_frames,
    read_anomaly_scores,
    read_forecast_results,
    write_csv,
)

DATA = Path(__file__).resolve().parents[1] / "data"
SLICE = DATA / "nab_ec2_latency_slice.csv"
WINDOWS = DATA / "nab_ec2_latency_windows.json"


def test_moving_the_threshold_recounts_flags_and_precision_recall(tmp_path):
    scores = np.array([0.1, 0.2, 0.9, 0.8, 0.3, 0.95])
    labels = np.array([0, 0, 1, 0, 0, 1], dtype=bool)
    frame = anomaly_frame(np.arange(6), scores, 0.5, labels=labels)
    write_csv(tmp_path, "scores.csv", frame)
    read = read_anomaly_scores(tmp_path)
    at_run = read.at(0.5)
    assert (at_run.flagged, at_run.caught, at_run.labelled) == (3, 2, 2)
    assert at_run.precision == pytest.approx(2 / 3) and at_run.recall == 1.0
    stricter = read.at(0.9)
    assert (stricter.flagged, stricter.caught) == (1, 1)
    assert stricter.precision == 1.0 and stricter.recall == 0.5
    assert list(read.top(2)["row"]) == [6, 3]  # counted from 1, highest first


def test_without_labels_only_the_count_is_said(tmp_path):
    frame = anomaly_frame(np.arange(4), np.array([1.0, 2.0, 3.0, 4.0]), 2.5)
    write_csv(tmp_path, "scores.csv", frame)
    at = read_anomaly_scores(tmp_path).at(1.5)
    assert at.flagged == 3 and at.labelled is None and at.precision is None


def test_a_run_from_before_has_no_plot_data_and_says_none(tmp_path):
    assert read_forecast_results(tmp_path) is None
    assert read_anomaly_scores(tmp_path) is None


def test_forecast_frames_hold_every_origin_and_step_with_its_interval(tmp_path):
    times = pd.date_range("2000-01-01", periods=10, freq="MS")
    values = np.arange(10.0)
    origins = np.array([6, 7])
    actual = np.array([[6.0, 7.0], [7.0, 8.0]])
    forecast = actual + 1
    interval = {"lower": [-1.0, -2.0], "upper": [1.0, 2.0]}
    series, forecasts = forecast_frames(
        times,
        values,
        np.ones(10, bool),
        origins,
        actual,
        forecast,
        interval,
        actual - 1,
        lambda t: t.strftime("%Y-%m"),
    )
    write_csv(tmp_path, "series.csv", series)
    write_csv(tmp_path, "test_forecasts.csv", forecasts)
    read = read_forecast_results(tmp_path)
    assert read.horizon == 2 and len(read.origins) == 2
    second = read.from_origin(1)
    assert list(second["actual"]) == [7.0, 8.0]
    assert list(second["lower"]) == [7.0, 7.0] and list(second["upper"]) == [9.0, 11.0]
    assert list(read.at_step(1)["forecast"]) == [7.0, 8.0]


@pytest.mark.slow
def test_a_forecast_run_keeps_its_test_backtest_as_evaluated(tmp_path):
    from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, SplitSpec, TrainSpec
    from dlstudio.core.engine.run import start_run
    from tests.test_cli_forecast import seasonal_csv

    data = seasonal_csv(tmp_path / "visitors.csv", points=150)
    spec = RunSpec(
        DataSpec(str(data), "Visitors", task="forecast", split=SplitSpec(time_column="Month")),
        train=TrainSpec(epochs=2, patience=1),
        search=SearchSpec(max_trials=1),
    )
    run = start_run(spec, tmp_path / "project")
    evaluation = run.evaluation()
    results = read_forecast_results(run.path)
    assert len(results.series) == 150
    assert len(results.origins) == evaluation["backtest"]["origins"]
    assert results.horizon == evaluation["backtest"]["horizon"]
    errors = (results.forecasts["forecast"] - results.forecasts["actual"]).abs()
    assert errors.mean() == pytest.approx(evaluation["metrics"]["mae"], rel=1e-4)
    naive = (results.forecasts["seasonal_naive"] - results.forecasts["actual"]).abs()
    assert naive.mean() == pytest.approx(evaluation["baselines"]["seasonal naive"]["mae"], 1e-4)
    assert (results.forecasts["lower"] <= results.forecasts["forecast"]).all()


@pytest.mark.slow
def test_an_anomaly_run_keeps_its_scores_and_a_kept_threshold_changes_what_predict_flags(
    tmp_path,
):
    from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SearchSpec, TrainSpec
    from dlstudio.core.data.anomaly_data import AnomalySettings
    from dlstudio.core.engine.anomaly import predict_anomaly, run_anomaly

    spec = RunSpec(
        DataSpec(str(SLICE), task="anomaly"),
        ModelSpec("conv_autoencoder"),
        TrainSpec(epochs=2, patience=2),
        SearchSpec(max_trials=1),
    )
    settings = AnomalySettings(label_windows=str(WINDOWS), window=12)
    run = run_anomaly(spec, settings, tmp_path)
    evaluation = run.evaluation()
    scores = read_anomaly_scores(run.path)
    assert len(scores.frame) == evaluation["metrics"]["rows_scored"]
    assert scores.has_time and scores.labels is not None
    kept = evaluation["threshold"]["value"]
    assert scores.at(kept).flagged == evaluation["metrics"]["flagged"]
    before = predict_anomaly(run.path, SLICE)["is_anomaly"].sum()

    higher = float(np.quantile(scores.scores, 0.999))  # flags a handful at most
    done = subprocess.run(
        [sys.executable, "-m", "dlstudio", "threshold", str(run.path), str(higher), "--keep"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Kept" in done.stdout
    after = predict_anomaly(run.path, SLICE)["is_anomaly"].sum()
    assert after < before
    assert run.evaluation()["threshold"]["value"] == pytest.approx(higher)
    assert run.evaluation()["metrics"]["flagged"] == scores.at(higher).flagged
    assert f"{higher:.4g}" in (run.path / "model_card.md").read_text(encoding="utf-8")
