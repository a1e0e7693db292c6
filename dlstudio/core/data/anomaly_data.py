"""Data for anomaly detection: a table of independent rows, or a time series cut into windows.

Labels (a column, or a file of labelled time windows as in the Numenta Anomaly Benchmark's
`combined_windows*.json`) are read only to evaluate: they never reach training. The model
learns what normal looks like from the part of the data assumed normal (all of it, or the
first share of a series).

Columns that look like labels (two values, named like anomaly, label, fault or changepoint, or
0/1 columns that agree with the labels) are never inputs either: a model that reads them flags
what was labelled, and refuses the next recording, which has no such column. The best of them
is proposed as the labels when none are given. Another recording given to judge on
(`judge_on`) is read with the same inputs; the model is then evaluated on it alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dlstudio.core.data.timeseries import read_table
from dlstudio.core.errors import DlstudioError
from dlstudio.core.paths import MODEL_CARD_FILE

# Column names that say "this is the time" when --time-column is not given.
TIME_NAMES = ("timestamp", "time", "date", "datetime", "ds")
# Words of a text label column that mean "anomaly".
ANOMALY_WORDS = {"1", "true", "yes", "anomaly", "anomalous", "outlier", "abnormal", "fraud"}
# Words of a column's name that say it marks anomalies, in the order one is proposed as the
# labels: what is anomalous first; a changepoint (where the behaviour changes, a row or two
# per event) is never proposed, only left out of the inputs.
LABEL_WORDS = (
    ("anomaly", "anomalies", "anomalous", "isanomaly"),
    ("outlier", "outliers"),
    ("label", "labels", "labelled", "labeled"),
    ("fault", "faults", "attack", "attacks", "alarm", "alarms", "incident", "failure"),
    ("changepoint", "changepoints"),
)
PROPOSED_WORDS = 4  # the first four groups of LABEL_WORDS can be proposed as labels
TIED = 0.8  # a 0/1 column correlated at least this much with the labels is the labels again
# How the user gives another recording to judge on, in the words that say so (judged_on); the
# window says its own control's name instead.
JUDGE_ON_HINT = "--judge-on FILE"


@dataclass(frozen=True)
class AnomalySettings:
    """What the user said about the data, as flags or in the window.

    Attributes:
        time_column: The series' time column; None: found by name, else the rows are a table.
        label_column: A column that marks anomalies (used only to evaluate); None: one that
            looks like the labels is proposed; "": none from this recording (none looked
            like them, or the user said so; a recording judged on may still have its own).
        label_windows: A JSON file of labelled windows keyed by file name (NAB's format).
        window: Readings per window of a series; None: proposed from the series' length.
        normal_share: Share of a series (from its start) assumed normal and trained on;
            None: half of a series, all of a table.
        contamination: Share of rows to flag; None: the validation quantile decides.
        quantile: Share of normal validation scores below the threshold.
        inputs: The columns the model reads; None: every column of numbers but the time and
            the columns that look like labels.
        judge_on: Another recording (a file) to evaluate on instead of the one learnt from.
    """

    time_column: str | None = None
    label_column: str | None = None
    label_windows: str | None = None
    window: int | None = None
    normal_share: float | None = None
    contamination: float | None = None
    quantile: float = 0.99
    inputs: list[str] | None = None
    judge_on: str | None = None

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
        train_end: Rows before this index are the part assumed normal (0: a recording only
            judged on).
        notes: What the user should know about how the data was read.
        time_column: The time column of a series.
        label_column: The column the labels were read from, if any.
        source: The file's name.
        judged: Another recording to evaluate on (AnomalySettings.judge_on), read alike.
        left_out: Columns of numbers left out of the inputs as labels, with why in words.
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
    label_column: str | None = None
    source: str = ""
    judged: AnomalyData | None = None
    left_out: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.values)

    def learnt_from(self) -> str:
        """Where normal was learnt from, in words: how long a stretch, of which recording."""
        rows = self.train_end
        unit = "readings" if self.kind == "series" else "rows"
        what = "recording" if self.kind == "series" else "table"
        count = f"{rows:,} {unit}"
        if self.times is not None and rows > 1:
            span = self.times.iloc[rows - 1] - self.times.iloc[0]
            count = f"{duration_words(span)} ({count})"
        said = f"Normal was learnt from {count} of one {what}, {self.source}."
        if self.label_column:
            said += f" Labels from {self.label_column!r}, only to evaluate."
        if self.left_out:
            said += " " + "; ".join(f"{c!r} {why}" for c, why in self.left_out.items())
            said += ": left out of the inputs."
        return said

    def judged_on(self, hint: str = JUDGE_ON_HINT) -> str:
        """What the model is evaluated on, in words; `hint`: how to give another recording."""
        if self.judged is not None:
            other = self.judged
            labelled = (
                f", {int(other.labels.sum()):,} labelled anomalous"
                if other.labels is not None
                else ", without labels"
            )
            unit = "readings" if other.kind == "series" else "rows"
            return (
                f"Judged on {other.source}, a recording it did not learn from "
                f"({other.rows:,} {unit}{labelled})."
            )
        if self.labels is None:
            return f"No labels: nothing was judged (give {hint} with labels to judge)."
        if self.train_end >= self.rows:
            return f"Judged on the rows it learnt from (no other recording was given: {hint})."
        return (
            "Judged on the same recording, the part it learnt from included (no other "
            f"recording was given: {hint})."
        )

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


def duration_words(span: pd.Timedelta) -> str:
    """A stretch of time in the unit that reads best: 45 minutes, 30.5 hours, 19.1 days."""
    minutes = span.total_seconds() / 60
    if minutes < 120:
        return f"{minutes:,.0f} minutes"
    if minutes < 48 * 60:
        return f"{minutes / 60:,.1f} hours"
    return f"{minutes / 1440:,.1f} days"


def _name_words(name) -> set[str]:
    """The words of a column name, lower case: snake, kebab, spaces and camelCase split, and
    each pair of neighbours joined too ("change_point" also reads "changepoint")."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    parts = [p for p in re.split(r"[^a-z0-9]+", text.lower()) if p]
    return set(parts) | {a + b for a, b in zip(parts, parts[1:], strict=False)}


def label_rank(name) -> int | None:
    """Which group of LABEL_WORDS the column's name belongs to (0 first), or None."""
    words = _name_words(name)
    for rank, group in enumerate(LABEL_WORDS):
        if words & set(group):
            return rank
    return None


def _zero_one(series: pd.Series) -> np.ndarray | None:
    """The column as booleans when it holds only 0/1 (or True/False) and no gap, else None."""
    if series.isna().any():
        return None
    if pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(series) and set(np.unique(series.to_numpy())) <= {0, 1}:
        return series.to_numpy(dtype=float) != 0
    return None


def label_like_columns(frame: pd.DataFrame, leave_out: set) -> list[str]:
    """Columns named like labels with at most two values (0/1, yes/no, two words), the best
    to propose as the labels first."""
    found = []
    for place, column in enumerate(frame.columns):
        if column in leave_out:
            continue
        rank = label_rank(column)
        if rank is not None and frame[column].dropna().nunique() <= 2:
            found.append((rank, place, column))
    return [column for _, _, column in sorted(found)]


def propose_label_column(frame: pd.DataFrame, candidates: list[str]) -> str | None:
    """The column to read the labels from when the user named none: the first candidate of a
    proposable kind with both values and no gap."""
    for column in candidates:
        series = frame[column]
        if (
            label_rank(column) < PROPOSED_WORDS
            and not series.isna().any()
            and series.nunique() == 2
        ):
            return column
    return None


def tie_to_labels(series: pd.Series, labels: np.ndarray) -> float | None:
    """How closely a 0/1 column agrees with the labels (the absolute correlation), or None
    when it is not a 0/1 column or either is constant."""
    flags = _zero_one(series)
    if flags is None or flags.all() or not flags.any() or labels.all() or not labels.any():
        return None
    return float(abs(np.corrcoef(flags.astype(float), labels.astype(float))[0, 1]))


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


def check_judge_on(value: str | Path, data_path: str | Path) -> str:
    """The recording to judge on (AnomalySettings.judge_on) as an absolute path, after the
    checks that need no reading: a file, and not the recording the model learns from.

    Raises:
        DlstudioError: It is not a file, or it is the data itself, with why and what to do.
    """
    path = Path(value).expanduser()
    if not path.is_file():
        raise DlstudioError(
            f"The recording to judge on, {str(value)!r}, is not a file.",
            "a table file (.csv) of another recording",
            "Check the path.",
        )
    path = path.resolve()
    if path == Path(data_path).expanduser().resolve():
        raise DlstudioError(
            f"The recording to judge on, {path.name}, is the one the model learns from.",
            "another recording with the same columns, one the model never learns from",
            "Give another recording, or none to judge on this one.",
        )
    return str(path)


def propose_window(rows: int) -> int:
    """Readings per window when the user does not say: enough to see a shape, few enough to
    leave many windows (about 1 % of the series, 8 to 48)."""
    return int(min(48, max(8, rows // 100)))


def _in_time_order(
    frame: pd.DataFrame, time_column: str | None, notes: list[str]
) -> tuple[pd.DataFrame, pd.Series | None]:
    """The rows in the order of their time (a series), with the times; as they are, and None,
    for a table."""
    if time_column is None:
        return frame, None
    times = parse_times(frame, time_column)
    if not times.is_monotonic_increasing:
        order = np.argsort(times.to_numpy(), kind="stable")
        frame, times = frame.iloc[order].reset_index(drop=True), times.iloc[order]
        notes.append(f"The rows were put in the order of {time_column!r}.")
    times = times.reset_index(drop=True)
    repeats = int(times.duplicated().sum())
    if repeats:
        notes.append(f"{repeats} time(s) appear twice; each reading is kept.")
    return frame, times


def window_labels(
    windows_file: str, data_path: Path, times: pd.Series
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """True on the rows inside this file's labelled windows, and each window's first and last
    row."""
    spans = read_label_windows(windows_file, data_path)
    labels = np.zeros(len(times), dtype=bool)
    windows = []
    stamps = times.to_numpy()
    for start, end in spans:
        inside = np.flatnonzero((stamps >= start.to_datetime64()) & (stamps <= end.to_datetime64()))
        if len(inside):
            labels[inside] = True
            windows.append((int(inside[0]), int(inside[-1])))
    return labels, windows


def _chosen_inputs(
    frame: pd.DataFrame,
    leave_out: set,
    label_like: list[str],
    labels: np.ndarray | None,
    settings: AnomalySettings,
) -> tuple[list[str], list[str], dict[str, str], list[str]]:
    """The columns the model reads, the other columns left out (not numbers), the columns
    left out because they look like labels (with why, in a few words), and notes."""
    if settings.inputs:
        asked = list(settings.inputs)
        absent = [c for c in asked if c not in frame.columns]
        clash = [c for c in asked if c in leave_out]
        words = [
            c
            for c in asked
            if c in frame.columns
            and (
                pd.api.types.is_bool_dtype(frame[c]) or not pd.api.types.is_numeric_dtype(frame[c])
            )
        ]
        if absent or clash or words:
            wrong = absent or clash or words
            why = (
                "not a column of the data"
                if absent
                else "the time or the labels"
                if clash
                else "not a column of numbers"
            )
            raise DlstudioError(
                f"--inputs {', '.join(map(repr, wrong))}: {why}.",
                "columns of numbers, other than the time and the label column",
                "Name other columns, or leave --inputs out to read every column of numbers "
                "but the labels.",
            )
        return asked, [], {}, [f"Inputs as asked: {', '.join(map(str, asked))}."]
    notes, left = [], {}
    for column in label_like:
        if column not in leave_out:
            left[column] = "looks like a label"
            notes.append(
                f"{column!r} looks like a label, left out of the inputs (a model that reads it "
                "flags what was labelled, and refuses a recording without it; keep it with "
                "--inputs)."
            )
    leave_out = leave_out | set(label_like)
    numeric, other = feature_columns(frame, leave_out)
    features = []
    for column in numeric:
        tie = None if labels is None else tie_to_labels(frame[column], labels)
        if tie is not None and tie >= TIED:
            left[column] = "agrees with the labels"
            notes.append(
                f"{column!r} agrees with the labels (correlation {tie:.2f}): it is the labels "
                "again, left out of the inputs (keep it with --inputs)."
            )
        else:
            features.append(column)
    return features, other, left, notes


def load_anomaly_data(path: str | Path, settings: AnomalySettings) -> AnomalyData:
    """Read the data for an anomaly run, with its labels (given, or proposed from a column
    that looks like them; only to evaluate), and the recording to judge on, if any.

    Raises:
        DlstudioError: The data cannot be read so, with why and what to do.
    """
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
    frame, times = _in_time_order(frame, time_column, notes)
    leave_out = {time_column} if time_column is not None else set()
    label_like = label_like_columns(frame, leave_out)
    label_column = settings.label_column
    if label_column is None and not settings.label_windows:
        label_column = propose_label_column(frame, label_like)
        if label_column is not None:
            notes.append(
                f"{label_column!r} looks like the labels: read only to evaluate, never as an "
                "input (another column: --label-column COL)."
            )
    labels, windows = None, []
    if label_column:
        labels, how = label_column_values(frame, label_column)
        leave_out.add(label_column)
        notes.append(f"Labels (only to evaluate): {how}.")
    if settings.label_windows:
        if times is None:
            raise DlstudioError(
                "--label-windows for data without a time column.",
                "a series with a time column (name it with --time-column)",
                "Add --time-column COL, or give a --label-column instead.",
            )
        labels, windows = window_labels(settings.label_windows, path, times)
    features, other, left, said = _chosen_inputs(frame, leave_out, label_like, labels, settings)
    notes += said
    if not features:
        raise DlstudioError(
            f"{path.name} has no numeric column to watch.",
            "at least one column of numbers (readings, amounts, measurements) besides the labels",
            "Check that the file is a table of readings.",
        )
    if other:
        notes.append(f"Left out (not numbers): {', '.join(map(str, other[:8]))}.")
    values = frame[features].to_numpy(dtype="float64")
    kind = "series" if times is not None else "table"
    if settings.label_windows:
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
    if labels is not None and labels[:train_end].any():
        notes.append(
            f"{int(labels[:train_end].sum()):,} labelled anomalous row(s) lie in the part "
            f"assumed normal (the first {train_end:,} rows): the model learns them as normal "
            "(a smaller --normal-share, or a clean recording, avoids it)."
        )
    data = AnomalyData(
        kind,
        features,
        values,
        times,
        labels,
        windows,
        window,
        train_end,
        notes,
        time_column,
        label_column,
        path.name,
        left_out=left,
    )
    if settings.judge_on:
        data.judged = load_judged_data(check_judge_on(settings.judge_on, path), settings, data)
    return data


def load_judged_data(
    path: str | Path, settings: AnomalySettings, learnt: AnomalyData
) -> AnomalyData:
    """Another recording to judge the model on, read with the inputs of the one it learns
    from (`learnt`); its labels from the same column, its own label-like column, or its
    windows in the --label-windows file (none: only its flags are counted).

    Raises:
        DlstudioError: The file cannot be read so, or lacks a column the model reads.
    """
    path = Path(path).expanduser()
    frame = read_table(path)
    notes: list[str] = []
    time_column = learnt.time_column
    if time_column is not None and time_column not in frame.columns:
        raise DlstudioError(
            f"The recording to judge on, {path.name}, has no column {time_column!r}.",
            f"the time column of {learnt.source}, {time_column!r}",
            "Give a recording with the same columns.",
        )
    frame, times = _in_time_order(frame, time_column, notes)
    missing = [c for c in learnt.features if c not in frame.columns]
    if missing:
        raise DlstudioError(
            f"The recording to judge on, {path.name}, lacks the column(s) "
            f"{', '.join(map(repr, missing))}.",
            f"the columns the model reads: {', '.join(map(str, learnt.features))}",
            "Give a recording with the same columns.",
        )
    leave_out = {time_column} if time_column is not None else set()
    label_column = learnt.label_column or settings.label_column
    if label_column not in frame.columns:
        label_column = propose_label_column(frame, label_like_columns(frame, leave_out))
    labels, windows = None, []
    if label_column is not None:
        labels, how = label_column_values(frame, label_column)
        notes.append(f"Labels of {path.name} (only to evaluate): {how}.")
    elif settings.label_windows and times is not None:
        try:
            labels, windows = window_labels(settings.label_windows, path, times)
            notes.append(f"{len(windows)} labelled window(s) in {path.name}.")
        except DlstudioError:
            labels = None
    if labels is None:
        notes.append(f"{path.name} has no labels: only its flags are counted.")
    if len(frame) < learnt.window:
        raise DlstudioError(
            f"The recording to judge on, {path.name}, has {len(frame)} reading(s).",
            f"at least one window: {learnt.window} readings",
            "Give a longer recording.",
        )
    values = frame[learnt.features].apply(pd.to_numeric, errors="coerce").to_numpy("float64")
    return AnomalyData(
        learnt.kind,
        list(learnt.features),
        values,
        times,
        labels,
        windows,
        learnt.window,
        0,
        notes,
        time_column,
        label_column,
        path.name,
    )


def anomaly_folder(reference: str | Path) -> Path | None:
    """The folder of an anomaly model (a run or an export), or None when it is another kind."""
    path = Path(reference).expanduser()
    folder = path.parent if path.is_file() else path
    if folder.is_dir() and not (folder / MODEL_CARD_FILE).is_file():
        try:
            from dlstudio.core.project import find_run

            folder = find_run(folder).path
        except DlstudioError:
            return None
    card = folder / MODEL_CARD_FILE
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
