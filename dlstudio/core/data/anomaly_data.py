"""Data for anomaly detection: a table of independent rows, or a time series cut into windows.

Labels (a column, or a file of labelled time windows as in the Numenta Anomaly Benchmark's
`combined_windows*.json`) are read only to evaluate: they never reach training. The model
learns what normal looks like from the part of the data assumed normal (all of it, or the
first share of a series).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dlstudio.core.data.timeseries import read_table
from dlstudio.core.errors import DlstudioError

# Column names that say "this is the time" when --time-column is not given.
TIME_NAMES = ("timestamp", "time", "date", "datetime", "ds")
# Words of a text label column that mean "anomaly".
ANOMALY_WORDS = {"1", "true", "yes", "anomaly", "anomalous", "outlier", "abnormal", "fraud"}


@dataclass(frozen=True)
class AnomalySettings:
    """What the user said about the data, as flags or in the window.

    Attributes:
        time_column: The series' time column; None: found by name, else the rows are a table.
        label_column: A column that marks anomalies (used only to evaluate).
        label_windows: A JSON file of labelled windows keyed by file name (NAB's format).
        window: Readings per window of a series; None: proposed from the series' length.
        normal_share: Share of a series (from its start) assumed normal and trained on;
            None: half of a series, all of a table.
        contamination: Share of rows to flag; None: the validation quantile decides.
        quantile: Share of normal validation scores below the threshold.
    """

    time_column: str | None = None
    label_column: str | None = None
    label_windows: str | None = None
    window: int | None = None
    normal_share: float | None = None
    contamination: float | None = None
    quantile: float = 0.99

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> AnomalySettings:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class AnomalyData:
    """The data ready for an autoencoder.

    Attributes:
        kind: "series" (windows of readings) or "table" (independent rows).
        features: The numeric columns the model reads, in order.
        values: Raw readings, (rows, features), NaN where missing.
        times: The time of each row (series), else None.
        labels: True where a row is labelled an anomaly, or None without labels.
        windows: Labelled windows as (first row, last row), series only.
        window: Readings per window (1 for a table).
        train_end: Rows before this index are the part assumed normal.
        notes: What the user should know about how the data was read.
    """

    kind: str
    features: list[str]
    values: np.ndarray
    times: pd.Series | None
    labels: np.ndarray | None
    windows: list[tuple[int, int]]
    window: int
    train_end: int
    notes: list[str] = field(default_factory=list)
    time_column: str | None = None

    @property
    def rows(self) -> int:
        return len(self.values)

    def samples(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Model inputs for rows [start, stop): rows of a table, or every window that ends
        in that range and starts at or after `start` (series)."""
        stop = self.rows if stop is None else stop
        return model_inputs(self.values[start:stop], self.kind, self.window)

    def scored_rows(self) -> np.ndarray:
        """The row each sample of `samples()` scores: itself, or its window's last row."""
        return (
            np.arange(self.window - 1, self.rows) if self.kind == "series" else np.arange(self.rows)
        )


def model_inputs(values: np.ndarray, kind: str, window: int) -> np.ndarray:
    """Rows as they are, or sliding windows (samples, window, features) of a series."""
    values = np.asarray(values, dtype="float32")
    if kind != "series":
        return values
    if len(values) < window:
        return np.zeros((0, window, values.shape[1]), dtype="float32")
    view = np.lib.stride_tricks.sliding_window_view(values, window, axis=0)
    return np.ascontiguousarray(view.transpose(0, 2, 1))


def find_time_column(frame: pd.DataFrame, named: str | None) -> str | None:
    """The time column the user named (checked), else one found by its name, else None."""
    if named is not None:
        if named not in frame.columns:
            raise DlstudioError(
                f"--time-column {named!r}, which is not a column of the data.",
                f"one of: {', '.join(map(str, frame.columns[:20]))}",
                "Check the spelling, or leave --time-column out for a table of rows.",
            )
        return named
    for column in frame.columns:
        if str(column).strip().lower() in TIME_NAMES:
            return column
    return None


def parse_times(frame: pd.DataFrame, column: str) -> pd.Series:
    times = pd.to_datetime(frame[column], errors="coerce")
    bad = int(times.isna().sum())
    if bad:
        example = frame[column][times.isna()].iloc[0]
        raise DlstudioError(
            f"{bad} value(s) of the time column {column!r} are not times (e.g. {example!r}).",
            "a date or time on every row, e.g. 2014-03-14 03:30:00",
            "Fix or drop those rows.",
        )
    return times


def feature_columns(frame: pd.DataFrame, leave_out: set) -> tuple[list[str], list[str]]:
    """The numeric columns the model reads, and the other columns it leaves out."""
    numeric, other = [], []
    for column in frame.columns:
        if column in leave_out:
            continue
        if pd.api.types.is_bool_dtype(frame[column]):
            other.append(column)
        elif pd.api.types.is_numeric_dtype(frame[column]):
            numeric.append(column)
        else:
            other.append(column)
    return numeric, other


def label_column_values(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, str]:
    """True where a row is labelled an anomaly, and a note on how the labels were read."""
    if column not in frame.columns:
        raise DlstudioError(
            f"--label-column {column!r}, which is not a column of the data.",
            f"one of: {', '.join(map(str, frame.columns[:20]))}",
            "Check the spelling.",
        )
    series = frame[column]
    if series.isna().any():
        raise DlstudioError(
            f"The label column {column!r} is empty on {int(series.isna().sum())} row(s).",
            "a label on every row (1 or 0, yes or no, or two words)",
            "Fill those labels, or drop the rows.",
        )
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.astype(float).to_numpy() != 0, f"{column!r}: non-zero means anomaly"
    words = series.astype(str).str.strip()
    lowered = words.str.lower()
    if lowered.isin(ANOMALY_WORDS).any():
        return lowered.isin(ANOMALY_WORDS).to_numpy(), f"{column!r}: anomaly words"
    counts = words.value_counts()
    if len(counts) != 2:
        raise DlstudioError(
            f"The label column {column!r} holds {len(counts)} different values.",
            "two values, one of them for anomalies (1/0, yes/no, or two words)",
            "Pick a column with two values, or make one.",
        )
    rare = counts.index[-1]
    return (words == rare).to_numpy(), f"the rarer value of {column!r} (‘{rare}’) is the anomaly"


def read_label_windows(path: str | Path, data_path: Path) -> list[tuple[pd.Timestamp, ...]]:
    """This file's windows from a JSON of windows keyed by file name (NAB's format)."""
    path = Path(path).expanduser()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DlstudioError(
            f"The label windows {str(path)!r} could not be read ({error}).",
            'a JSON object like {"folder/file.csv": [["start time", "end time"], ...]}',
            "Fix the path or the file.",
        ) from None
    if isinstance(data, list):
        entries = data
    elif isinstance(data, dict):
        keys = [k for k in data if Path(str(k)).name == data_path.name]
        if not keys:
            raise DlstudioError(
                f"{path.name} has no windows for {data_path.name}.",
                f"a key ending in {data_path.name} (it has: {', '.join(list(data)[:5])})",
                "Give the windows file made for this data.",
            )
        entries = data[keys[0]]
    else:
        entries = None
    try:
        return [(pd.Timestamp(start), pd.Timestamp(end)) for start, end in entries]
    except (TypeError, ValueError):
        raise DlstudioError(
            f"The windows for {data_path.name} in {path.name} are not [start, end] pairs.",
            'a list like [["2014-03-14 03:31", "2014-03-14 14:41"]]',
            "Fix the file.",
        ) from None


def propose_window(rows: int) -> int:
    """Readings per window when the user does not say: enough to see a shape, few enough to
    leave many windows (about 1 % of the series, 8 to 48)."""
    return int(min(48, max(8, rows // 100)))


def load_anomaly_data(path: str | Path, settings: AnomalySettings) -> AnomalyData:
    """Read the data for an anomaly run, with its labels when given (only to evaluate)."""
    path = Path(path).expanduser()
    frame = read_table(path)
    if settings.label_column and settings.label_windows:
        raise DlstudioError(
            "Both --label-column and --label-windows.",
            "one kind of labels",
            "Keep the one that describes this data.",
        )
    time_column = find_time_column(frame, settings.time_column)
    notes: list[str] = []
    times = None
    if time_column is not None:
        times = parse_times(frame, time_column)
        if not times.is_monotonic_increasing:
            order = np.argsort(times.to_numpy(), kind="stable")
            frame, times = frame.iloc[order].reset_index(drop=True), times.iloc[order]
            notes.append(f"The rows were put in the order of {time_column!r}.")
        times = times.reset_index(drop=True)
        repeats = int(times.duplicated().sum())
        if repeats:
            notes.append(f"{repeats} time(s) appear twice; each reading is kept.")
    labels, windows = None, []
    leave_out = {time_column} if time_column is not None else set()
    if settings.label_column:
        labels, how = label_column_values(frame, settings.label_column)
        leave_out.add(settings.label_column)
        notes.append(f"Labels (only to evaluate): {how}.")
    features, other = feature_columns(frame, leave_out)
    if not features:
        raise DlstudioError(
            f"{path.name} has no numeric column to watch.",
            "at least one column of numbers (readings, amounts, measurements)",
            "Check that the file is a table of readings.",
        )
    if other:
        notes.append(f"Left out (not numbers): {', '.join(map(str, other[:8]))}.")
    values = frame[features].to_numpy(dtype="float64")
    kind = "series" if times is not None else "table"
    if settings.label_windows:
        if times is None:
            raise DlstudioError(
                "--label-windows for data without a time column.",
                "a series with a time column (name it with --time-column)",
                "Add --time-column COL, or give a --label-column instead.",
            )
        spans = read_label_windows(settings.label_windows, path)
        labels = np.zeros(len(frame), dtype=bool)
        stamps = times.to_numpy()
        for start, end in spans:
            inside = np.flatnonzero(
                (stamps >= start.to_datetime64()) & (stamps <= end.to_datetime64())
            )
            if len(inside):
                labels[inside] = True
                windows.append((int(inside[0]), int(inside[-1])))
        notes.append(f"{len(windows)} labelled window(s) (only to evaluate).")
    window = 1
    if kind == "series":
        window = settings.window or propose_window(len(frame))
        if window < 2:
            raise DlstudioError(
                f"--window {window}.", "at least 2 readings per window", "Give e.g. --window 24."
            )
    share = settings.normal_share
    if share is None:
        share = 0.5 if kind == "series" else 1.0
    if not 0.0 < share <= 1.0:
        raise DlstudioError(
            f"--normal-share {share}.",
            "a share above 0 and at most 1, e.g. 0.5 for the first half",
            "Give e.g. --normal-share 0.5.",
        )
    train_end = int(round(len(frame) * share))
    needed = 10 * window + window
    if train_end < max(needed, 20):
        raise DlstudioError(
            f"{train_end} row(s) assumed normal ({share:.0%} of {len(frame)}).",
            f"at least {max(needed, 20)} rows to learn what normal looks like",
            "Give more data, a larger --normal-share, or a smaller --window.",
        )
    return AnomalyData(
        kind, features, values, times, labels, windows, window, train_end, notes, time_column
    )


def anomaly_folder(reference: str | Path) -> Path | None:
    """The folder of an anomaly model (a run or an export), or None when it is another kind."""
    path = Path(reference).expanduser()
    folder = path.parent if path.is_file() else path
    if folder.is_dir() and not (folder / "model_card.json").is_file():
        try:
            from dlstudio.core.project import find_run

            folder = find_run(folder).path
        except DlstudioError:
            return None
    card = folder / "model_card.json"
    if not card.is_file():
        return None
    try:
        return (
            folder
            if json.loads(card.read_text(encoding="utf-8")).get("task") == "anomaly"
            else None
        )
    except ValueError:
        return None
