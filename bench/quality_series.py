"""Quality of the two series tasks at an equal wall-clock budget, on ../shared/datasets.

- Forecasting (timeseries/*.csv): dlstudio's search with `--time-limit` set to the budget, vs
  seasonal naive and a classical reference, scikit-learn's HistGradientBoosting on lagged
  values (one model per step ahead, relative to the window's last value as the networks see
  it), random search picked on the validation windows until the same wall clock is spent.
  All are scored on the same rolling-origin test backtest (the engine's own split and windows,
  core/data/backtest.py): MASE and MAE, lower is better.
- Anomaly detection (anomaly/nab_realKnownCause/*.csv, labelled windows from NAB's
  combined_windows JSON): dlstudio's autoencoder search at the budget vs scikit-learn's
  IsolationForest on the same windows of readings, trained on the same part assumed normal
  (the engine fits it beside every run: core/anomaly_metrics.py). ROC AUC and PR AUC over
  every scored reading, and ROC AUC after the part trained on ("ROC later": labelled windows
  inside the part assumed normal are learned as normal by both), higher is better; a random
  score has ROC AUC 0.5.

The data is not in the repository (some files' licences are unclear): set DLSTUDIO_DATASETS
to its folder when it is not ../shared/datasets; a missing file is skipped with a note.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import ROOT

DATASETS = Path(os.environ.get("DLSTUDIO_DATASETS", ROOT.parent / "shared" / "datasets"))
# name -> (file, time column, target)
SERIES = {
    "airline_passengers": ("timeseries/airline_passengers.csv", "Month", "Passengers"),
    "melbourne_min_temp": ("timeseries/daily_min_temperatures_melbourne.csv", "Date", "Temp"),
    "beijing_pm25": ("timeseries/beijing_pm25_hourly.csv", "year+month+day+hour", "pm2.5"),
}
NAB = "anomaly/nab_realKnownCause"
NAB_WINDOWS = f"{NAB}/combined_windows_realKnownCause.json"
CLASSIC_WINDOWS = 6000  # the most recent training windows the gradient boosting fits on
# The tuner of dlstudio's searches (random by default; bayesian, hyperband or grid to compare).
TUNER = os.environ.get("DLSTUDIO_BENCH_SERIES_TUNER", "random")


def measure(quick: bool = False) -> dict:
    forecast_budget, anomaly_budget = (20.0, 15.0) if quick else (60.0, 60.0)
    rows, notes = [], []
    for name, (path, time_column, target) in SERIES.items():
        if not (DATASETS / path).is_file():
            notes.append(f"{path} not found under {DATASETS}: skipped")
            continue
        rows += forecast_rows(name, DATASETS / path, time_column, target, forecast_budget)
    files = sorted((DATASETS / NAB).glob("*.csv"))
    if not files:
        notes.append(f"{NAB} not found under {DATASETS}: anomaly detection skipped")
    for path in files:
        rows += anomaly_rows(path, DATASETS / NAB_WINDOWS, anomaly_budget)
    return {"quality_series": rows, "quality_series_notes": notes}


def _row(dataset, metric, ours, reference, reference_name, budget, lower_is_better):
    return {
        "dataset": dataset,
        "metric": metric,
        "dlstudio": ours,
        "reference": reference,
        "reference_name": reference_name,
        "ratio": ours / reference if reference else None,
        "better": "lower" if lower_is_better else "higher",
        "budget_s": budget,
    }


# ---------------------------------------------------------------- forecasting


def forecast_rows(name: str, path: Path, time_column: str, target: str, budget: float) -> list:
    from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, SplitSpec, TrainSpec
    from dlstudio.core.engine.run import start_run

    spec = RunSpec(
        DataSpec(str(path), target, task="forecast", split=SplitSpec(time_column=time_column)),
        train=TrainSpec(epochs=100, patience=8, seed=0),
        search=SearchSpec(TUNER, max_trials=500, time_limit_s=budget, seed=0),
    )
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as project:
        run = start_run(spec, project)
        evaluation, trials = run.evaluation(), len(run.trials())
    spent = time.monotonic() - began  # the classical reference gets the same wall clock
    ours = evaluation["metrics"]
    naive = evaluation["baselines"]["seasonal naive"]
    classic, tried = gradient_boosting_forecast(spec, spent)
    boosted = f"HistGradientBoosting on lags, {tried} configurations"
    label = f"{name} ({evaluation.get('template')}, {trials} {TUNER} trials)"
    return [
        _row(label, "MASE", ours["mase"], naive["mase"], "seasonal naive", budget, True),
        _row(label, "MASE", ours["mase"], classic["mase"], boosted, budget, True),
        _row(label, "MAE", ours["mae"], naive["mae"], "seasonal naive", budget, True),
        _row(label, "MAE", ours["mae"], classic["mae"], boosted, budget, True),
    ]


def gradient_boosting_forecast(spec, budget: float) -> tuple[dict, int]:
    """The same windows as the engine's (series_of, sizes, split_series, origins); one
    HistGradientBoostingRegressor per step ahead on the window's lags minus its last value,
    random search on validation MAE until `budget` seconds are spent. Returns the test
    backtest's scores and the number of configurations tried."""
    from dlstudio.core.data import backtest
    from dlstudio.core.forecast_spec import series_of, sizes

    series = series_of(spec)
    context, horizon = sizes(spec, series)
    split = backtest.split_series(len(series), context, horizon)
    values, observed = series.values, series.observed

    def part(start, end):
        at = backtest.origins(start, end, context, horizon, observed)
        return backtest.windows(values, at, context, horizon)

    x, y = part(0, split.train_end)
    x, y = x[-CLASSIC_WINDOWS:], y[-CLASSIC_WINDOWS:]
    x_val, y_val = part(split.train_end, split.validation_end)
    x_test, y_test = part(split.validation_end, len(series))
    scale = backtest.seasonal_scale(values, split.train_end, series.season, observed)
    candidates = {
        "learning_rate": [0.03, 0.05, 0.1, 0.2],
        "max_iter": [50, 100, 200, 400],
        "max_leaf_nodes": [7, 15, 31, 63],
        "min_samples_leaf": [5, 10, 20, 40],
        "l2_regularization": [0.0, 0.1, 1.0],
    }
    rng = np.random.default_rng(0)
    deadline = time.monotonic() + budget
    best, best_error, tried = None, np.inf, 0
    while tried == 0 or time.monotonic() < deadline:
        drawn = {k: v[int(rng.integers(len(v)))] for k, v in candidates.items()}
        models = _fit_steps(x, y, drawn, None if tried == 0 else deadline)
        if models is None:
            break  # out of time mid-configuration: it does not count
        tried += 1
        error = float(np.mean(np.abs(_boosted(models, x_val) - y_val)))
        if error < best_error:
            best, best_error = models, error
    return backtest.scores(y_test.astype(float), _boosted(best, x_test), scale), tried


def _fit_steps(x, y, values: dict, deadline: float | None):
    """One model per step ahead; None when `deadline` passes before the last is fitted."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    models = []
    # One OpenMP thread: on a small or busy machine, more spin-wait for each other and a
    # small fit takes ten times as long (measured here: 2.7 s with two threads, 0.7 s with one).
    with threadpool_limits(1):
        for step in range(y.shape[1]):
            if deadline is not None and time.monotonic() > deadline:
                return None
            model = HistGradientBoostingRegressor(random_state=0, **values)
            models.append(model.fit(x - x[:, -1:], y[:, step] - x[:, -1]))
    return models


def _boosted(models, inputs: np.ndarray) -> np.ndarray:
    from threadpoolctl import threadpool_limits

    last = inputs[:, -1:]
    with threadpool_limits(1):
        return np.stack([m.predict(inputs - last) for m in models], axis=1) + last


# ---------------------------------------------------------------- anomaly detection


def anomaly_rows(path: Path, windows: Path, budget: float) -> list:
    from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, TrainSpec
    from dlstudio.core.data.anomaly_data import AnomalySettings
    from dlstudio.core.engine.anomaly import run_anomaly

    spec = RunSpec(
        DataSpec(str(path), task="anomaly"),
        train=TrainSpec(epochs=100, patience=5, seed=0),
        search=SearchSpec(TUNER, max_trials=500, time_limit_s=budget),
    )
    settings = AnomalySettings(label_windows=str(windows))
    with tempfile.TemporaryDirectory() as project:
        run = run_anomaly(spec, settings, project)
        evaluation, trials = run.evaluation(), len(run.trials())
    ours = evaluation["metrics"]
    forest = evaluation["baselines"]["isolation_forest"]
    template = evaluation["best_trial"]["hyperparameters"]["template"]
    label = f"{path.stem} ({template}, {trials} {TUNER} trials)"
    reference = "IsolationForest (same windows)"
    rows = [
        _row(label, "ROC AUC", ours["roc_auc"], forest["roc_auc"], reference, budget, False),
        _row(label, "PR AUC", ours["pr_auc"], forest["pr_auc"], reference, budget, False),
    ]
    # Labelled windows inside the part trained on as normal are learned as normal by both; the
    # stretch after it is where a detector is really tested.
    later = evaluation.get("later_part") or {}
    if "roc_auc" in later.get("model", {}) and "roc_auc" in later.get("isolation_forest", {}):
        mine, theirs = later["model"]["roc_auc"], later["isolation_forest"]["roc_auc"]
        rows.append(_row(label, "ROC later", mine, theirs, reference, budget, False))
    return rows


def table(rows: list[dict], notes: list[str]) -> list[str]:
    """The lines python -m bench prints: one per dataset, metric and reference."""
    lines = [
        f"Series tasks at {rows[0]['budget_s']:.0f} s (ratio: dlstudio / reference)",
        f"{'dataset':66} {'metric':8} {'dlstudio':>9} {'reference':>9} {'ratio':>6}  reference",
        "-" * 136,
    ]
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        lines.append(
            f"{row['dataset']:66} {row['metric']:8} {row['dlstudio']:9.3f} "
            f"{row['reference']:9.3f} {ratio:>6}  {row['reference_name']} "
            f"({row['better']} is better)"
        )
    notes = [
        "ROC AUC: a random score has 0.5. ROC later: only the readings after the part trained "
        "on as normal (the first half of each series)",
        *notes,
    ]
    return lines + [f"  note: {note}" for note in notes]
