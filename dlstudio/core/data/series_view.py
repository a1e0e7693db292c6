"""A time series (to forecast) or readings (to search for anomalies) as the Data step shows
them: the values over time, which of them were filled, the facts in plain words, and the
choices they were read with.

The window reads a file through `load_series_view` off its GUI thread; what comes back is the
data page's "dataset" for these two tasks (`profile.source`, `profile.task`, `profile.kind`
answer as a table's profile does). No Qt and no Keras here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

import numpy as np
import pandas as pd

from dlstudio.core.config import DataSpec
from dlstudio.core.data.timeseries import (
    DATE_PARTS,
    find_time,
    infer_frequency,
    load_series,
    read_table,
)
from dlstudio.core.errors import DlstudioError

SERIES_TASKS = ("forecast", "anomaly")


class SeriesTask(str, Enum):
    FORECAST = "forecast"
    ANOMALY = "anomaly"

    @property
    def is_classification(self) -> bool:
        return False


class SeriesKind(str, Enum):
    """What the model reads: windows of a series, or independent rows of a table."""

    SERIES = "series"
    TABLE = "table"


@dataclass(frozen=True)
class SeriesProfile:
    """The little of a table's profile the window's other steps read."""

    source: str
    task: SeriesTask
    kind: SeriesKind
    rows: int
    target: str | None


@dataclass
class SeriesView:
    """One file read for forecasting or anomaly detection, ready to show and to train on.

    Attributes:
        spec: The choices it was read with, every proposed value filled in (the session's).
        times: The x of each value (timestamps), or None for rows of a table.
        values: The values plotted (the target, or the first reading watched).
        plotted: The name of the plotted column.
        filled: True where a missing value was filled in (and counted as observed).
        left_out: True where a value was filled across a long gap (not trained or scored on).
        facts: (name, value) pairs in plain words: frequency, season, first and last time…
        notes: What was fixed on reading, in sentences.
        time_columns: The columns that can be the time (and combined date parts).
        numeric_columns: The columns of numbers (targets, readings, label columns).
        covariate_columns: The columns a forecast may read beside its target (numbers and
            text of a few categories).
        columns: Every column of the table.
        proposed: The proposed values: horizon, context (forecast) or window (anomaly).
        reasons: Why each proposed value, in words.
        label_windows: Labelled anomaly windows as (first time, last time).
        normal_end: The x where the part assumed normal ends (anomaly).
        labels_from: The column the labels are read from (anomaly), proposed or chosen.
        labels_words: How the labels are read and used, in a sentence or two (anomaly).
        left_as_labels: Columns left out of the inputs because they look like labels, with
            why in a few words (anomaly).
        judged_words: What the model will be judged on, in a sentence (anomaly).
        watched: The columns the model reads (anomaly).
    """

    spec: DataSpec
    kind: SeriesKind
    times: pd.DatetimeIndex | None
    values: np.ndarray
    plotted: str
    filled: np.ndarray
    left_out: np.ndarray
    facts: list[tuple[str, str]]
    notes: list[str]
    time_columns: list[str]
    numeric_columns: list[str]
    columns: list[str]
    proposed: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    label_windows: list[tuple] = field(default_factory=list)
    normal_end: object = None
    frame: pd.DataFrame | None = None  # the table as read (the Data step's preview)
    covariate_columns: list[str] = field(default_factory=list)
    labels_from: str | None = None
    labels_words: str = ""
    left_as_labels: dict[str, str] = field(default_factory=dict)
    judged_words: str = ""
    watched: list[str] = field(default_factory=list)

    @property
    def task(self) -> str:
        return str(self.spec.task)

    @property
    def profile(self) -> SeriesProfile:
        return SeriesProfile(
            self.spec.path, SeriesTask(self.task), self.kind, len(self.values), self.spec.target
        )


def is_series_task(task: str | None) -> bool:
    return task in SERIES_TASKS


def load_series_view(path: str | Path, spec: DataSpec) -> SeriesView:
    """`path` read for `spec.task` ("forecast" or "anomaly") with the spec's choices.

    Raises:
        DlstudioError: The file cannot be read so, with why and what to do.
    """
    path = Path(path).expanduser()
    frame = read_table(path)
    spec = replace(spec, path=str(path.resolve()))
    if spec.task == "anomaly":
        return _anomaly_view(path, frame, spec)
    return _forecast_view(path, frame, spec)


def _columns(frame: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """(every column, the ones that hold times, the numeric ones)."""
    columns = [str(c) for c in frame.columns]
    times = []
    for column in frame.columns:
        try:
            if find_time(frame, str(column)) is not None:
                times.append(str(column))
        except DlstudioError:
            continue
    found = find_time(frame)
    if found is not None and found[0] not in times:
        times.append(found[0])  # combined date parts: year+month+day+hour
    numeric = [
        str(c)
        for c in frame.columns
        if str(c) not in times
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]
    return columns, times, numeric


def _forecast_view(path: Path, frame: pd.DataFrame, spec: DataSpec) -> SeriesView:
    columns, time_columns, numeric = _columns(frame)
    series = load_series(path, spec.split.time_column, spec.target, frame=frame)
    # Which grid points had no reading of their own (filled), from the table as read.
    _, raw_times = find_time(frame, series.time_column)
    raw = pd.Series(pd.to_numeric(frame[series.target], errors="coerce").to_numpy(), raw_times)
    raw = raw[raw.index.notna()].groupby(level=0).mean().dropna()
    filled = ~series.times.isin(raw.index) & series.observed
    horizon = series.proposed_horizon()
    proposed = {"horizon": horizon, "context": series.proposed_context(spec.horizon or horizon)}
    season = series.season
    usual = series.usual_horizon()
    reasons = {
        "horizon": (
            f"one season of {series.frequency_words} values"
            if horizon == season
            else f"{horizon} {series.frequency_words} step(s), usual at this frequency"
            if horizon == usual
            else f"{horizon} {series.frequency_words} step(s): the most that {len(series):,} "
            f"values leave room for (the usual {usual} would leave too few windows to train on "
            "or to test with)"
        ),
        "context": "two seasons (or two horizons) of past values, at most a fifth of the series",
    }
    facts = [
        ("Frequency", series.frequency_words),
        ("Season", f"{season} steps" if season > 1 else "none"),
        ("First time", series.time_text(series.times[0])),
        ("Last time", series.time_text(series.times[-1])),
        ("Values", f"{len(series):,}"),
        ("Duplicate times averaged", f"{series.duplicates:,}"),
        ("Missing values filled", f"{series.filled:,}"),
        ("In long gaps (not trained on)", f"{series.unobserved:,}"),
    ]
    # Covariates chosen before that no longer fit (the target changed) are dropped, not refused.
    covariates = tuple(c for c in spec.covariates if c in series.covariates)
    known = tuple(
        c for c in spec.known_covariates if c in series.covariates and c not in covariates
    )
    if series.covariates:
        facts.append(("Possible covariates", ", ".join(series.covariates)))
    target_spec = replace(
        spec,
        task="forecast",
        target=series.target,
        split=replace(spec.split, time_column=series.time_column),
        covariates=covariates,
        known_covariates=known,
    )
    return SeriesView(
        spec=target_spec,
        kind=SeriesKind.SERIES,
        times=series.times,
        values=series.values,
        plotted=series.target,
        filled=np.asarray(filled, dtype=bool),
        left_out=~series.observed,
        facts=facts,
        notes=list(series.notes),
        time_columns=time_columns,
        numeric_columns=numeric,
        columns=columns,
        proposed=proposed,
        reasons=reasons,
        frame=frame,
        covariate_columns=list(series.covariates),
    )


# The window's control that gives another recording to judge on (gui/wizard/series_panel.py).
JUDGE_ON_CONTROL = "Judge on another recording…"


def _anomaly_view(path: Path, frame: pd.DataFrame, spec: DataSpec) -> SeriesView:
    from dlstudio.core.data.anomaly_data import (
        AnomalySettings,
        duration_words,
        load_anomaly_data,
        propose_window,
    )

    columns, time_columns, numeric = _columns(frame)
    settings = AnomalySettings.from_dict(spec.anomaly or {})
    if settings.time_column is not None and "+" in settings.time_column:
        raise DlstudioError(
            f"The time {settings.time_column!r} is spread over date parts.",
            "one column of timestamps for anomaly detection on a series",
            "Choose a single time column, or none to treat the rows as a table.",
        )
    data = load_anomaly_data(path, settings)
    column = 0
    if spec.target in data.features:
        column = data.features.index(spec.target)
    values = data.values[:, column]
    times = pd.DatetimeIndex(data.times) if data.times is not None else None
    missing = np.isnan(values)
    # The settings as used, proposed values included, so that the spec says what ran: the
    # label column proposed is recorded, and "" says "no label column" (nothing proposed, the
    # user's choice, or labelled windows instead), so that a run reads exactly the labels the
    # panel shows.
    series = data.kind == "series"
    kept = replace(
        settings,
        time_column=data.time_column,
        label_column=data.label_column or "",
        window=data.window if series else None,
        normal_share=settings.normal_share or (0.5 if series else 1.0),
        judge_on=str(Path(settings.judge_on).expanduser().resolve()) if settings.judge_on else None,
    )
    facts = [("Rows", f"{data.rows:,}")]
    proposed, reasons = {}, {}
    if times is not None:
        try:
            words = _frequency_words(times)
        except DlstudioError:
            words = "irregular steps"
        facts += [
            ("Frequency", words),
            ("First time", str(times[0])),
            ("Last time", str(times[-1])),
            ("Duplicate times (kept)", f"{int(times.duplicated().sum()):,}"),
        ]
        proposed["window"] = propose_window(data.rows)
        reasons["window"] = "about 1 % of the series, 8 to 48 readings"
    normal = f"the first {data.train_end:,} rows"
    if times is not None and data.train_end > 1:
        normal += f" ({duration_words(times[data.train_end - 1] - times[0])})"
    facts += [
        ("Readings watched", ", ".join(data.features)),
        ("Missing readings", f"{int(np.isnan(data.values).sum()):,}"),
        ("Assumed normal", normal),
    ]
    if data.labels is not None:
        facts.append(("Labelled anomalous rows", f"{int(data.labels.sum()):,} (only to evaluate)"))
    if data.left_out:
        left = ", ".join(f"{c} ({why})" for c, why in data.left_out.items())
        facts.append(("Left out as labels", left))
    judged = data.judged
    if judged is not None:
        marked = (
            f", {int(judged.labels.sum()):,} labelled anomalous"
            if judged.labels is not None
            else ", no labels"
        )
        facts.append(("Judged on", f"{judged.source}: {judged.rows:,} rows{marked}"))
    windows = []
    x = times if times is not None else np.arange(data.rows)
    for first, last in data.windows:
        windows.append((x[first], x[last]))
    # Where learning what is normal stops; nowhere to mark when it is all of the data.
    normal_end = x[data.train_end] if data.train_end < data.rows else None
    return SeriesView(
        spec=replace(
            spec,
            task="anomaly",
            target=data.features[column],
            split=replace(spec.split, time_column=None),
            anomaly=kept.to_dict(),
        ),
        kind=SeriesKind(data.kind),
        times=times,
        values=values,
        plotted=data.features[column],
        filled=np.zeros(data.rows, dtype=bool),
        left_out=missing,
        facts=facts,
        notes=list(data.notes) + (list(judged.notes) if judged is not None else []),
        time_columns=[c for c in time_columns if "+" not in c],
        numeric_columns=numeric,
        columns=columns,
        proposed=proposed,
        reasons=reasons,
        label_windows=windows,
        normal_end=normal_end,
        frame=frame,
        labels_from=data.label_column or None,
        labels_words=_labels_words(data, settings),
        left_as_labels=dict(data.left_out),
        judged_words=data.judged_on(f"“{JUDGE_ON_CONTROL}”"),
        watched=list(data.features),
    )


def _labels_words(data, settings) -> str:
    """Where the labels come from and what they are for, and the columns left out as labels,
    in the words the Data step shows under its label box."""
    if data.label_column:
        marked = f"{int(data.labels.sum()):,} rows marked"
        said = (
            f"Proposed: {data.label_column!r} looks like the labels ({marked})."
            if settings.label_column is None
            else f"Labels from {data.label_column!r}, as chosen ({marked})."
        )
        said += " They only measure the model, never read as an input."
    elif settings.label_windows:
        said = (
            f"Labels from the windows in {Path(settings.label_windows).name}: they only "
            "measure the model."
        )
    else:
        said = "No labels: how many of the flags are real cannot be measured."
    if data.left_out:
        columns = ", ".join(f"{c!r} ({why})" for c, why in data.left_out.items())
        said += f" Left out of the inputs as labels: {columns}."
    return said


def _frequency_words(times: pd.DatetimeIndex) -> str:
    from dlstudio.core.data.timeseries import FREQUENCIES

    alias = infer_frequency(times.to_series())
    return next(words for a, words, _, _ in FREQUENCIES if a == alias)


def only_time_features(profile) -> bool:
    """Whether a table's profile uses nothing but its time as features (NAB's timestamp →
    value): regressing on the date means nothing, so it is shown as the series it is."""
    if getattr(profile.kind, "value", "") != "table" or not profile.features:
        return False
    timely = {
        c.name
        for c in profile.columns
        if getattr(c.role, "value", "") == "datetime" or str(c.name).lower() in DATE_PARTS
    }
    return set(profile.features) <= timely


def carried_over(spec: DataSpec, task: str | None) -> DataSpec:
    """`spec` for another task chosen in the task box, keeping what still applies: the time
    column moves between a forecast's split and the anomaly settings; a table's target (a
    class, often) is not carried into a forecast, which proposes a column of numbers."""
    from dlstudio.core.data.anomaly_data import AnomalySettings

    settings = AnomalySettings.from_dict(spec.anomaly or {})
    if task == "anomaly":
        time = spec.split.time_column or settings.time_column
        if time is not None and "+" in time:
            time = None  # date parts are read by a forecast only
        settings = replace(settings, time_column=time)
        return replace(
            spec,
            task=task,
            anomaly=settings.to_dict(),
            split=replace(spec.split, time_column=None),
        )
    if spec.task == "anomaly":
        spec = replace(spec, split=replace(spec.split, time_column=settings.time_column))
    if task == "forecast":
        target = spec.target if spec.task == "anomaly" else None
        return replace(spec, task=task, target=target)
    return replace(spec, task=task, horizon=None, context=None)
