"""Time series tables: find the time, put the series on a regular grid, say what was fixed.

A table is a time series when one column holds timestamps (``Month`` = "1949-01") or when the
time is spread over date-part columns (``year``, ``month``, ``day``, ``hour``), and the times
fall on a regular grid (hourly, daily, monthly…). What is wrong with the grid is found, said and
handled: duplicate timestamps are averaged; short gaps and missing target values are filled by
interpolation; longer gaps are filled too but marked as not observed (no forecast is scored or
trained on them); a series with too much of that, or with irregular steps, is refused with why.

Covariates (other columns the user names) go onto the same grid: numbers averaged and filled
by interpolation as the target is, categories (text) take the first value of a time and are
carried forward. Rows after the target's last value are kept for them: that is where the values
of covariates known ahead (a holiday flag, a planned price) over the horizon are given.

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
# Fewest forecasts (origins) the test part holds with a proposed horizon.
FEWEST_TEST_ORIGINS = 3
# Most distinct values a text column may hold to be offered as a categorical covariate.
MOST_CATEGORIES = 50


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
    covariates: list[str] = field(default_factory=list)  # the columns that could be covariates
    # The covariates chosen, on the grid from the series' first time; rows past its end hold
    # what the table gives of them after the last target value (the future of known ones).
    covariate_values: pd.DataFrame | None = None
    covariate_kinds: dict[str, str] = field(default_factory=dict)  # "numeric" or "categorical"
    known_covariates: list[str] = field(default_factory=list)  # known ahead, over the horizon
    duplicates: int = 0
    filled: int = 0
    unobserved: int = 0

    def __len__(self) -> int:
        return len(self.values)

    def usual_horizon(self) -> int:
        """The horizon usual at this frequency: a whole season where one is a sensible reach
        (12 months, 7 days, 24 hours), fewer steps where a season is far (an hour of 5-minute
        readings, a month of weeks)."""
        return next(h for alias, _, _, h in FREQUENCIES if alias == self.frequency)

    def proposed_horizon(self) -> int:
        """The usual horizon, or the longest shorter one this series leaves room for: the split
        by time still leaves enough training windows (data/backtest.py) and the test part
        holds at least FEWEST_TEST_ORIGINS forecasts to judge the model on."""
        from dlstudio.core.data.backtest import PART_SHARE, split_series  # numpy only

        part = round(PART_SHARE * len(self))
        for horizon in range(self.usual_horizon(), 1, -1):
            if part - horizon + 1 < FEWEST_TEST_ORIGINS:
                continue
            try:
                split_series(len(self), self.proposed_context(horizon), horizon)
            except DlstudioError:
                continue
            return horizon
        return 1

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
    covariates: tuple[str, ...] | list[str] = (),
    known_covariates: tuple[str, ...] | list[str] = (),
) -> Series:
    """The target series of a table, on a regular grid (see the module's docstring), with the
    chosen `covariates` (observed up to the forecast time) and `known_covariates` (known ahead).

    Raises:
        DlstudioError: No time column, no numeric target, irregular steps, too few points, too
            long gaps, or a covariate that is not a column; each says why and what to do.
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
    possible = numeric + [
        str(c)
        for c in frame.columns
        if str(c) not in time_names
        and str(c).lower() not in DATE_PARTS
        and _is_text(frame[c])
        and 1 < frame[c].nunique() <= MOST_CATEGORIES
    ]
    possible = [c for c in possible if c != target]
    kinds = _covariate_kinds(frame, target, possible, covariates, known_covariates)
    notes: list[str] = []
    bad_times = int(times.isna().sum())
    table = pd.DataFrame({"time": times, "value": values}).dropna(subset=["time"])
    chosen = table.join(_covariate_columns(frame, kinds)) if kinds else None
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
    # Rows after the last value hold the future of covariates known ahead: not a gap.
    after = 0 if known_covariates else len(valid) - last
    if first or after:
        notes.append(f"{first + after} missing value(s) at the start or end were left out.")
    series = series.iloc[first:last]
    covariate_values = None
    if chosen is not None:
        snapped = grid[grid.searchsorted(chosen["time"]).clip(0, len(grid) - 1)]
        covariate_values = _fill_covariates(
            chosen.assign(time=snapped), kinds, grid, first, last - first, notes
        )
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
        covariates=possible,
        covariate_values=covariate_values,
        covariate_kinds=kinds,
        known_covariates=[c for c in known_covariates if c in kinds],
        duplicates=duplicates,
        filled=filled,
        unobserved=unobserved,
    )


def _covariate_kinds(frame, target, possible, covariates, known) -> dict[str, str]:
    """{column: "numeric" or "categorical"} of the chosen covariates, observed ones first.

    Raises:
        DlstudioError: A name that is not a usable column, the target, or named twice.
    """
    both = sorted(set(covariates) & set(known))
    if both:
        raise DlstudioError(
            f"{', '.join(both)} named both as a covariate and as known ahead.",
            "each covariate in one list: --covariates (observed up to the forecast time) or "
            "--known-covariates (known over the horizon too)",
            "Keep each name in one of the two lists.",
        )
    kinds = {}
    for name in [*covariates, *known]:
        if name not in possible:
            raise DlstudioError(
                f"The covariate {name!r}"
                + (" is the target." if name == target else " is not a usable column."),
                f"columns of numbers or of a few categories: {', '.join(possible) or '(none)'}",
                "Fix --covariates / --known-covariates (names are case-sensitive).",
            )
        numeric = pd.api.types.is_numeric_dtype(frame[name])
        kinds[name] = "numeric" if numeric else "categorical"
    return kinds


def _covariate_columns(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """The chosen columns as numbers or as text (missing stays missing)."""
    columns = {}
    for name, kind in kinds.items():
        column = frame[name]
        if kind == "numeric":
            columns[name] = pd.to_numeric(column, errors="coerce")
        else:
            columns[name] = column.where(column.isna(), column.astype(str))
    return pd.DataFrame(columns, index=frame.index)


def _fill_covariates(table, kinds, grid, first, length, notes) -> pd.DataFrame:
    """The covariates on `grid[first:]`: times averaged (numbers) or their first value taken
    (categories); gaps up to the series' end filled as the target's are (numbers interpolated,
    categories carried forward); after its end only gaps between given values are filled, so
    a missing future stays missing and predict can say so."""
    how = {name: ("mean" if kind == "numeric" else "first") for name, kind in kinds.items()}
    frame = table.groupby("time", sort=True).agg(how).reindex(grid).iloc[first:]
    frame.index.name = None
    for name, kind in kinds.items():
        column = frame[name]
        gaps = int(column.iloc[:length].isna().sum())
        if column.iloc[:length].notna().sum() == 0:
            raise DlstudioError(
                f"The covariate {name!r} holds no values over the series.",
                "a covariate with values",
                "Leave it out of the covariates.",
            )
        if kind == "numeric":
            column = column.interpolate(limit_area="inside")
        else:
            given = column.notna().to_numpy()
            inside = np.arange(len(column)) <= (np.flatnonzero(given).max())
            column = column.ffill().where(inside)
        past = column.iloc[:length].bfill().ffill()
        frame[name] = pd.concat([past, column.iloc[length:]])
        if gaps:
            way = "interpolated" if kind == "numeric" else "carried forward"
            notes.append(f"{gaps} missing value(s) of the covariate {name!r} were {way}.")
    return frame


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
