"""What the Results step draws for a forecast or an anomaly run, saved beside evaluation.json
and read back without Keras.

A forecast run keeps `series.csv` (the series as the model saw it: time, value, observed) and
`test_forecasts.csv` (every test origin's forecast, one row per origin and step: origin,
step, time, actual, forecast, lower, upper, seasonal_naive). The series is copied rather than
re-read from the data file so that the plot survives a moved or edited file. `future.csv` holds
what the user came for: the forecast of the `horizon` steps after the end of the data (time,
forecast, lower, upper), made by the saved model from the series' last values as `dlstudio
predict` makes it; absent when covariates known ahead have no values after the data.

An anomaly run keeps `scores.csv`: one row per scored row (a table) or window end (a series):
row (counted from 1, as people count), time if any, the reading for a one-column series,
score, label if any, is_anomaly at the threshold the run chose; the threshold and its rule
are in evaluation.json. `AnomalyScores.at(threshold)` recomputes the counts and precision /
recall / F1 at any threshold, with numpy only, so the window can move the threshold live.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dlstudio.core.data.backtest import bounds
from dlstudio.core.storage import atomic_write_text

SERIES_FILE = "series.csv"
FORECASTS_FILE = "test_forecasts.csv"
FUTURE_FILE = "future.csv"
SCORES_FILE = "scores.csv"
KEPT_THRESHOLD_FILE = "anomaly_threshold.json"


# ---------------------------------------------------------------- writing (engine side)


def write_csv(folder: Path, name: str, frame: pd.DataFrame) -> None:
    """Written whole, then renamed (storage.atomic_write_text): never half a file."""
    atomic_write_text(Path(folder) / name, frame.to_csv(index=False))


def forecast_frames(
    times, values, observed, origins, actual, forecast, interval: dict, seasonal, time_text
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(series.csv, test_forecasts.csv) of a forecast run's test backtest.

    `origins`: index of each test origin in the series; `actual`, `forecast`, `seasonal`:
    (origins, horizon) arrays; `interval`: backtest.interval's per-step lower / upper offsets;
    `time_text(t)`: a time as the run writes it."""
    series = pd.DataFrame(
        {
            "time": [time_text(t) for t in times],
            "value": np.asarray(values, dtype=float),
            "observed": np.asarray(observed, dtype=bool),
        }
    )
    origins = np.asarray(origins, dtype=int)
    horizon = actual.shape[1] if actual.ndim == 2 else 0
    steps = np.arange(horizon)
    where = (origins[:, None] + steps[None, :]).ravel()
    lower, upper = bounds(forecast, interval) if horizon else (forecast, forecast)
    forecasts = pd.DataFrame(
        {
            "origin": np.repeat([time_text(times[o]) for o in origins], horizon),
            "step": np.tile(steps + 1, len(origins)),
            "time": [time_text(times[i]) for i in where],
            "actual": actual.ravel(),
            "forecast": forecast.ravel(),
            "lower": lower.ravel(),
            "upper": upper.ravel(),
            "seasonal_naive": seasonal.ravel(),
        }
    )
    return series, forecasts


def future_frame(times, forecast, interval: dict, time_text) -> pd.DataFrame:
    """future.csv, and what `dlstudio predict` writes: the forecast after the data, one row per
    step (timestamp, forecast, lower, upper). `times`: the steps' times; `forecast`: (horizon,)."""
    forecast = np.asarray(forecast, dtype=float)
    lower, upper = bounds(forecast, interval)
    return pd.DataFrame(
        {
            "timestamp": [time_text(t) for t in times],
            "forecast": forecast,
            "lower": lower,
            "upper": upper,
        }
    ).round(4)


def anomaly_frame(
    rows: np.ndarray, scores: np.ndarray, threshold: float, times=None, values=None, labels=None
) -> pd.DataFrame:
    """scores.csv: `rows` are 0-based indices of the scored rows (a series: window ends);
    `values`: the readings of a one-column series (else None); `labels`: per source row."""
    rows = np.asarray(rows, dtype=int)
    frame = {"row": rows + 1}
    if times is not None:
        frame["time"] = [str(times.iloc[i]) for i in rows]
    if values is not None:
        frame["value"] = np.asarray(values, dtype=float)[rows]
    frame["score"] = np.asarray(scores, dtype=float)
    if labels is not None:
        frame["label"] = np.asarray(labels, dtype=bool)[rows].astype(int)
    frame["is_anomaly"] = (np.asarray(scores) > threshold).astype(int)
    return pd.DataFrame(frame)


# ---------------------------------------------------------------- reading (window side)


@dataclass(frozen=True)
class ForecastResults:
    series: pd.DataFrame  # time (datetime), value, observed
    forecasts: pd.DataFrame  # origin, step, time (datetimes), actual, forecast, lower, ...
    future: pd.DataFrame | None = None  # time (datetimes), forecast, lower, upper; None: not kept

    @property
    def origins(self) -> list[pd.Timestamp]:
        return [pd.Timestamp(t) for t in pd.unique(self.forecasts["origin"])]

    @property
    def horizon(self) -> int:
        return int(self.forecasts["step"].max()) if len(self.forecasts) else 0

    def from_origin(self, origin) -> pd.DataFrame:
        """The forecast made at `origin` (a time, or an index into `origins`)."""
        if isinstance(origin, int | np.integer):
            origin = self.origins[origin]
        chosen = self.forecasts["origin"] == pd.Timestamp(origin)
        return self.forecasts[chosen].sort_values("step")

    def at_step(self, step: int) -> pd.DataFrame:
        """Every origin's `step`-ahead forecast, one per time: a line over the test period."""
        return self.forecasts[self.forecasts["step"] == step].sort_values("time")


def read_forecast_results(folder: str | Path) -> ForecastResults | None:
    """The saved plot data of a forecast run; None for a run from before they were saved
    (or damaged files: the tables of evaluation.json still show)."""
    folder = Path(folder)
    try:
        series = pd.read_csv(folder / SERIES_FILE)
        forecasts = pd.read_csv(folder / FORECASTS_FILE)
        series["time"] = pd.to_datetime(series["time"])
        for column in ("origin", "time"):
            forecasts[column] = pd.to_datetime(forecasts[column])
    except (OSError, ValueError, KeyError, pd.errors.ParserError):
        return None
    return ForecastResults(series, forecasts, _read_future(folder))


def _read_future(folder: Path) -> pd.DataFrame | None:
    """future.csv with its times as datetimes; None for a run from before it was kept."""
    try:
        future = pd.read_csv(folder / FUTURE_FILE)
        future["time"] = pd.to_datetime(future.pop("timestamp"))
        return future[["time", "forecast", "lower", "upper"]]
    except (OSError, ValueError, KeyError, pd.errors.ParserError):
        return None


@dataclass(frozen=True)
class AtAnomalyThreshold:
    threshold: float
    flagged: int
    rows: int
    labelled: int | None  # None: the run has no labels
    caught: int | None
    precision: float | None
    recall: float | None
    f1: float | None


@dataclass(frozen=True)
class AnomalyScores:
    frame: pd.DataFrame  # scores.csv, with time as datetimes when it has a time

    @property
    def scores(self) -> np.ndarray:
        return self.frame["score"].to_numpy(float)

    @property
    def labels(self) -> np.ndarray | None:
        return self.frame["label"].to_numpy(bool) if "label" in self.frame else None

    @property
    def has_time(self) -> bool:
        return "time" in self.frame and pd.api.types.is_datetime64_any_dtype(self.frame["time"])

    def at(self, threshold: float) -> AtAnomalyThreshold:
        """Counts and shares when rows score above `threshold` are flagged (as the model
        flags: strictly above). Shares are None without labels; 0 where they divide by 0."""
        flags = self.scores > threshold
        labels = self.labels
        if labels is None:
            return AtAnomalyThreshold(
                threshold, int(flags.sum()), len(flags), None, None, None, None, None
            )
        caught = int((flags & labels).sum())
        precision = caught / flags.sum() if flags.sum() else 0.0
        recall = caught / labels.sum() if labels.sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return AtAnomalyThreshold(
            threshold,
            int(flags.sum()),
            len(flags),
            int(labels.sum()),
            caught,
            float(precision),
            float(recall),
            float(f1),
        )

    def top(self, count: int = 20) -> pd.DataFrame:
        """The `count` highest scores, highest first."""
        return self.frame.sort_values("score", ascending=False, kind="stable").head(count)


def read_anomaly_scores(folder: str | Path) -> AnomalyScores | None:
    """scores.csv of an anomaly run; None for a run from before it was saved."""
    try:
        frame = pd.read_csv(Path(folder) / SCORES_FILE)
        if "score" not in frame:
            return None
        if "time" in frame:
            parsed = pd.to_datetime(frame["time"], errors="coerce")
            if parsed.notna().all():
                frame["time"] = parsed
    except (OSError, ValueError, pd.errors.ParserError):
        return None
    return AnomalyScores(frame)


def labelled_spans(evaluation: dict) -> list[tuple[int, int]]:
    """The labelled windows of an anomaly run as (first row, last row), counted from 1 as
    scores.csv's rows are."""
    details = (evaluation.get("windows") or {}).get("details") or []
    return [(int(d["start"]) + 1, int(d["end"]) + 1) for d in details]


def labelled_time_spans(evaluation: dict) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    details = (evaluation.get("windows") or {}).get("details") or []
    spans = []
    for d in details:
        if "start_time" in d and "end_time" in d:
            spans.append((pd.Timestamp(d["start_time"]), pd.Timestamp(d["end_time"])))
    return spans
