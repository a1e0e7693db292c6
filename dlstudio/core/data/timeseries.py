"""Time series tables: find the time, put the series on a regular grid, say what was fixed.

A table is a time series when one column holds timestamps (``Month`` = "1949-01") or when the
time is spread over date-part columns (``year``, ``month``, ``day``, ``hour``), and the times
fall on a regular grid (hourly, daily, monthly…). What is wrong with the grid is found, said and
handled: duplicate timestamps are averaged; short gaps and missing target values are filled by
interpolation; longer gaps are filled too but marked as not observed (no forecast is scored or
trained on them); a series with too much of that, or with irregular steps, is refused with why.

No Keras here: this module is read by `inspect` and the window's process.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dlstudio.core.errors import DlstudioError

# Date parts, in the order they are combined (column names compared case-insensitively).
DATE_PARTS = ("year", "month", "day", "hour", "minute")
# (pandas offset, plain word, season length, proposed horizon), by the typical step in days.
FREQUENCIES = (
    ("min", "every minute", 60, 60),
    ("5min", "every 5 minutes", 288, 12),
    ("10min", "every 10 minutes", 144, 6),
    ("15min", "every 15 minutes", 96, 4),
    ("30min", "every 30 minutes", 48, 48),
    ("h", "hourly", 24, 24),
    ("D", "daily", 7, 7),
    ("W", "weekly", 52, 4),
    ("MS", "monthly", 12, 12),
    ("QS", "quarterly", 4, 4),
    ("YS", "yearly", 1, 3),
)
STEP_DAYS = {
    "min": 1 / 1440,
    "5min": 5 / 1440,
    "10min": 10 / 1440,
    "15min": 15 / 1440,
    "30min": 30 / 1440,
    "h": 1 / 24,
    "D": 1.0,
    "W": 7.0,
    "MS": 30.44,
    "QS": 91.3,
    "YS": 365.25,
}
# Longest run of missing points filled and still counted as observed, in seasons (at least 3).
FILL_SEASONS = 1
# Most of the series that may be long gaps (filled, not observed) before it is refused.
MOST_UNOBSERVED = 0.2
# Fewest points a series needs for a split into train, validation and test.
FEWEST_POINTS = 40


@dataclass
class Series:
    """One target series on a regular time grid, with what was done to get it there."""

    source: str
    time_column: str  # a column's name, or "year+month+day+hour" for combined date parts
    target: str
    frequency: str  # pandas offset alias, e.g. "MS"
    frequency_words: str  # "monthly"
    season: int
    times: pd.DatetimeIndex
    values: np.ndarray  # float64, gaps filled
    observed: np.ndarray  # bool: False where the value was filled across a long gap
    notes: list[str] = field(default_factory=list)
    covariates: list[str] = field(default_factory=list)
    duplicates: int = 0
    filled: int = 0
    unobserved: int = 0

    def __len__(self) -> int:
        return len(self.values)

    def proposed_horizon(self) -> int:
        horizon = next(h for alias, _, _, h in FREQUENCIES if alias == self.frequency)
        return max(1, min(horizon, len(self) // 10))

    def proposed_context(self, horizon: int | None = None) -> int:
        horizon = horizon or self.proposed_horizon()
        return max(2, min(max(2 * self.season, 2 * horizon), len(self) // 5))

    def time_text(self, time) -> str:
        """A time as people write it at this frequency: 1949-01, 2010-01-02, 2010-01-02 13:00."""
        return format_time(time, self.frequency)

    def to_dict(self) -> dict:
        """What inspect shows (and --json prints)."""
        horizon = self.proposed_horizon()
        return {
            "kind": "time_series",
            "source": self.source,
            "proposed_task": "forecast",
            "time_column": self.time_column,
            "target": self.target,
            "frequency": self.frequency_words,
            "season": self.season,
            "points": len(self),
            "start": self.time_text(self.times[0]),
            "end": self.time_text(self.times[-1]),
            "proposed_horizon": horizon,
            "proposed_context": self.proposed_context(horizon),
            "duplicates_averaged": self.duplicates,
            "points_filled": self.filled,
            "points_not_observed": self.unobserved,
            "covariates": self.covariates,
            "notes": self.notes,
        }


def format_time(time, frequency: str) -> str:
    """A time as people write it at `frequency`: 1949-01, 2010-01-02, 2010-01-02 13:00."""
    if frequency in ("MS", "QS"):
        return time.strftime("%Y-%m")
    if frequency == "YS":
        return time.strftime("%Y")
    if frequency in ("D", "W"):
        return time.strftime("%Y-%m-%d")
    return time.strftime("%Y-%m-%d %H:%M")


def read_table(path: str | Path) -> pd.DataFrame:
    """A table file read as every table is (data/tabular.py: encodings, delimiters, trailing
    commas, ragged lines and missing-value words handled, or refused with the line)."""
    from dlstudio.core.data.tabular import read_table as read_faithfully

    path = Path(path).expanduser()
    if not path.is_file():
        raise DlstudioError(
            f"The file {str(path)!r} does not exist.",
            "a table file (.csv, .tsv, .xlsx) with a time column",
            "Check the path (run `ls` on it).",
        )
    return read_faithfully(path).frame


def find_time(frame: pd.DataFrame, time_column: str | None = None):
    """(name, DatetimeIndex-like Series) of the table's time, or None when it has none.

    Args:
        frame: The table.
        time_column: The column named by the user; "year+month+day" style names combine parts.

    Raises:
        DlstudioError: The named column does not exist or does not hold times.
    """
    lower = {str(c).lower(): c for c in frame.columns}
    if time_column is not None:
        parts = time_column.split("+")
        if len(parts) > 1 and all(p.lower() in lower for p in parts):
            return time_column, _combine_parts(frame, [lower[p.lower()] for p in parts])
        if time_column not in frame.columns:
            raise DlstudioError(
                f"The time column {time_column!r} is not in the table.",
                f"one of its columns: {', '.join(map(str, frame.columns[:12]))}",
                "Fix --time-column (names are case-sensitive).",
            )
        times = _parse_times(frame[time_column])
        if times is None:
            raise DlstudioError(
                f"The column {time_column!r} does not hold dates or times "
                f"(e.g. {str(frame[time_column].iloc[0])!r}).",
                "a column of timestamps such as 2024-01-31 or 2024-01-31 13:00",
                "Name the column that holds the time, or the date parts, e.g. "
                "--time-column year+month+day+hour.",
            )
        return time_column, times
    for column in frame.columns:
        if frame[column].dtype.kind == "M" or _is_text(frame[column]):
            times = _parse_times(frame[column])
            if times is not None:
                return str(column), times
    parts = [lower[p] for p in DATE_PARTS if p in lower]
    if len(parts) >= 2 and lower.get("year") in parts and lower.get("month") in parts:
        # year, month[, day[, hour[, minute]]] without holes in between
        names = []
        for p in DATE_PARTS:
            if p not in lower:
                break
            names.append(lower[p])
        if len(names) >= 2:
            return "+".join(map(str, names)), _combine_parts(frame, names)
    return None


def _parse_times(column: pd.Series):
    if column.dtype.kind == "M":
        return pd.to_datetime(column)
    if not _is_text(column):
        return None
    sample = column.dropna().astype(str)
    if sample.empty or sample.str.len().max() > 40 or not sample.str.contains(r"\d").all():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        times = pd.to_datetime(column, errors="coerce")
    if times.notna().mean() < 0.95:
        return None
    return times


def _is_text(column: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(column) or column.dtype == object


def _combine_parts(frame: pd.DataFrame, names: list) -> pd.Series:
    parts = {}
    for name in names:
        values = pd.to_numeric(frame[name], errors="coerce")
        parts[str(name).lower()] = values
    parts.setdefault("day", pd.Series(1, index=frame.index))
    return pd.to_datetime(pd.DataFrame(parts), errors="coerce")


def infer_frequency(times: pd.Series) -> str:
    """The pandas offset of the grid the sorted unique `times` lie on.

    Raises:
        DlstudioError: The steps are irregular (no grid holds most of them).
    """
    steps = np.diff(times.sort_values().drop_duplicates().values).astype("timedelta64[s]")
    steps = steps.astype(float) / 86400.0
    if len(steps) == 0:
        raise DlstudioError(
            "A time column with a single time.",
            "a series of many times",
            "Use a table with one row per time step.",
        )
    typical = float(np.median(steps))
    alias = min(STEP_DAYS, key=lambda a: abs(np.log(STEP_DAYS[a] / typical)))
    if abs(np.log(STEP_DAYS[alias] / typical)) > 0.25:
        raise DlstudioError(
            f"Time steps of about {typical:g} days, which is not a step dlstudio knows.",
            "a regular step: minutes, hours, days, weeks, months, quarters or years",
            "Resample the table to a regular step first.",
        )
    return alias


def load_series(
    path: str | Path,
    time_column: str | None = None,
    target: str | None = None,
    frame: pd.DataFrame | None = None,
) -> Series:
    """The target series of a table, on a regular grid (see the module's docstring).

    Raises:
        DlstudioError: No time column, no numeric target, irregular steps, too few points, or
            too long gaps; each says why and what to do.
    """
    frame = read_table(path) if frame is None else frame
    found = find_time(frame, time_column)
    if found is None:
        raise DlstudioError(
            "No column of the table holds dates or times.",
            "a time column (e.g. 2024-01-31) or date parts (year, month, day, hour)",
            "Name it with --time-column, or add one.",
        )
    name, times = found
    time_names = set(name.split("+")) if "+" in name else {name}
    numeric = [
        str(c)
        for c in frame.columns
        if str(c) not in time_names
        and str(c).lower() not in DATE_PARTS
        and str(c).lower() not in ("no", "id", "index")
        and pd.api.types.is_numeric_dtype(frame[c])
    ]
    if target is None:
        if not numeric:
            raise DlstudioError(
                "No numeric column to forecast.",
                "a column of numbers beside the time column",
                "Name it with --target.",
            )
        target = numeric[0]
    if target not in frame.columns:
        raise DlstudioError(
            f"The target {target!r} is not in the table.",
            f"a numeric column: {', '.join(numeric) or '(none)'}",
            "Fix --target (names are case-sensitive).",
        )
    values = pd.to_numeric(frame[target], errors="coerce")
    if values.notna().sum() == 0:
        raise DlstudioError(
            f"The target {target!r} holds no numbers.",
            f"a numeric column: {', '.join(numeric) or '(none)'}",
            "Choose another --target.",
        )
    notes: list[str] = []
    bad_times = int(times.isna().sum())
    table = pd.DataFrame({"time": times, "value": values}).dropna(subset=["time"])
    if bad_times:
        notes.append(f"{bad_times} row(s) with an unreadable time were left out.")
    duplicates = int(table["time"].duplicated().sum())
    series = table.groupby("time", sort=True)["value"].mean()
    if duplicates:
        notes.append(f"{duplicates} duplicate timestamp(s): their values were averaged.")
    alias = infer_frequency(series.index.to_series())
    words, season = next((w, s) for a, w, s, _ in FREQUENCIES if a == alias)
    grid = pd.date_range(series.index[0], series.index[-1], freq=_grid_alias(series, alias))
    off_grid = len(series.index.difference(grid))
    if off_grid > 0.05 * len(series):
        raise DlstudioError(
            f"{off_grid} of {len(series)} times fall off a {words} grid (irregular steps).",
            f"times on a regular {words} grid",
            "Resample the table to a regular step first (e.g. mean per hour).",
        )
    if off_grid:
        series = series.groupby(grid[grid.searchsorted(series.index).clip(0, len(grid) - 1)]).mean()
        notes.append(f"{off_grid} time(s) off the {words} grid were moved onto it.")
    series = series.reindex(grid)
    # Leading and trailing missing values carry no information: drop them.
    valid = series.notna().to_numpy()
    first, last = int(np.argmax(valid)), len(valid) - int(np.argmax(valid[::-1]))
    if first or last < len(valid):
        notes.append(
            f"{first + len(valid) - last} missing value(s) at the start or end were left out."
        )
    series = series.iloc[first:last]
    missing = series.isna().to_numpy()
    limit = max(3, FILL_SEASONS * season)
    observed = np.ones(len(series), bool)
    filled = unobserved = 0
    if missing.any():
        run_id = np.cumsum(~missing)
        lengths = pd.Series(missing).groupby(run_id).transform("sum").to_numpy()
        long_gap = missing & (lengths > limit)
        filled, unobserved = int((missing & ~long_gap).sum()), int(long_gap.sum())
        observed = ~long_gap
        series = series.interpolate(limit_direction="both")
        if filled:
            notes.append(
                f"{filled} missing value(s) in gaps of at most {limit} steps were filled by "
                "interpolation."
            )
        if unobserved:
            notes.append(
                f"{unobserved} value(s) in longer gaps were filled to keep the grid, but no "
                "forecast is trained or scored on them."
            )
    if unobserved > MOST_UNOBSERVED * len(series):
        raise DlstudioError(
            f"{unobserved} of {len(series)} {words} values of {target!r} are missing in gaps "
            f"longer than {limit} steps.",
            f"at most {MOST_UNOBSERVED:.0%} of the series in long gaps",
            "Use a stretch of the series without long gaps, or fill them yourself.",
        )
    if len(series) < FEWEST_POINTS:
        raise DlstudioError(
            f"{len(series)} {words} values of {target!r}.",
            f"at least {FEWEST_POINTS} values, to keep some for validation and testing",
            "Use a longer series.",
        )
    covariates = [c for c in numeric if c != target]
    return Series(
        source=str(path),
        time_column=name,
        target=target,
        frequency=alias,
        frequency_words=words,
        season=season,
        times=series.index,
        values=series.to_numpy(dtype=float),
        observed=observed,
        notes=notes,
        covariates=covariates,
        duplicates=duplicates,
        filled=filled,
        unobserved=unobserved,
    )


def _grid_alias(series: pd.Series, alias: str) -> str:
    """Month, quarter and year grids anchored where the data is (start or end of the month)."""
    if alias in ("MS", "QS", "YS") and series.index[0].day != 1:
        return alias[:-1] + "E" if alias != "MS" else "ME"
    if alias == "W":
        return "W-" + series.index[0].day_name()[:3].upper()
    return alias


def next_times(series: Series, steps: int) -> pd.DatetimeIndex:
    """The `steps` times after the end of the series."""
    alias = _grid_alias(series.times.to_series(), series.frequency)
    return pd.date_range(series.times[-1], periods=steps + 1, freq=alias)[1:]


def looks_like_series(path: str | Path, target: str | None = None) -> Series | None:
    """The series a table holds when it is one, else None (never raises for a table)."""
    try:
        return load_series(path, target=target)
    except (DlstudioError, ValueError, TypeError, OSError, pd.errors.ParserError):
        return None


def series_refusal(path: str | Path, target: str | None = None) -> DlstudioError | None:
    """Why the window cannot train on `path` when it is a time series it would otherwise
    misread (its only column besides the target is the time): the app does not forecast yet,
    the command line does. None when the file is not such a series."""
    series = looks_like_series(path, target)
    if series is None:
        return None
    horizon = series.proposed_horizon()
    return DlstudioError(
        f"{Path(path).name} is a time series: {len(series)} {series.frequency_words} values "
        f"of {series.target!r} over {series.time_column!r}.",
        "a table with feature columns, a folder of images or a collection of texts (the app "
        "does not forecast yet)",
        f"Forecast it from the command line: dlstudio tune {str(path)!r} --task forecast "
        f"--time-column {series.time_column!r} --target {series.target!r} --horizon {horizon}",
    )
