"""Column roles and the learning task, each inferred with the reason it was chosen.

The reasons are shown to the user next to each choice, so they are written as plain sentences.
Every inference here can be overridden by the caller; the override is validated, not trusted.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import Enum

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from dlstudio.core.errors import DataError


class ColumnRole(str, Enum):
    """What a column means to a model."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    TEXT = "text"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    IDENTIFIER = "identifier"
    CONSTANT = "constant"
    # Set by the user only, never inferred:
    WEIGHT = "weight"  # how much each row counts (a survey or sample weight), never an input
    LEAVE_OUT = "leave_out"  # not used, with no claim that it identifies rows

    @property
    def excluded_by_default(self) -> bool:
        """Not a model input: identifiers and constants carry no signal a model can generalise
        from; a weight says how much a row counts; a left-out column is the user's choice."""
        return self in (
            ColumnRole.IDENTIFIER,
            ColumnRole.CONSTANT,
            ColumnRole.WEIGHT,
            ColumnRole.LEAVE_OUT,
        )


class Task(str, Enum):
    """What the model learns to predict."""

    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"

    @property
    def is_classification(self) -> bool:
        return self is not Task.REGRESSION


@dataclass(frozen=True)
class ColumnInfo:
    """One column of a table as the profile shows it."""

    name: str
    role: ColumnRole
    dtype: str
    missing: int
    distinct: int
    reason: str
    overridden: bool = False

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "role": self.role.value,
            "dtype": self.dtype,
            "missing": self.missing,
            "distinct": self.distinct,
            "reason": self.reason,
            "overridden": self.overridden,
        }


# Target names people use, most specific first. Matched case-insensitively.
TARGET_NAMES = (
    "target",
    "label",
    "labels",
    "class",
    "classes",
    "y",
    "species",
    "diagnosis",
    "outcome",
    "category",
    "survived",
    "churn",
    # Labelled recordings (SKAB's `anomaly` beside its `changepoint`, which comes last).
    "anomaly",
    "is_anomaly",
    "anomalies",
    "outlier",
    "fault",
    "attack",
)

# A multiclass target with more classes than this is treated as a number to regress on,
# unless its values are text.
MAX_INTEGER_CLASSES = 20
# Text targets with this many distinct values (and mostly unique) are not labels.
MAX_TEXT_CLASSES = 200

_BOOL_PAIRS = [{"true", "false"}, {"yes", "no"}, {"y", "n"}, {"t", "f"}]
_ID_NAME = re.compile(r"(^|[_\s-])(id|uuid|guid|key|index|idx)$|^(id|row|rowid|index)$", re.I)
_DATE_LIKE = re.compile(
    r"^\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{2,4})"
)
# Enough values to judge a string column's shape without scanning a million rows.
_SAMPLE = 2000


def sample_rows(data: pd.Series | pd.DataFrame, size: int, seed: int = 0):
    """`size` random rows of `data` (all of it when smaller), in their original order.

    pandas' `sample` permutes every row to pick a few (20 ms per call on a million rows);
    numpy's Generator picks `size` distinct positions directly."""
    if len(data) <= size:
        return data
    positions = np.random.default_rng(seed).choice(len(data), size, replace=False)
    return data.iloc[np.sort(positions)]


def infer_role(
    series: pd.Series, distinct: int | None = None, missing: int | None = None
) -> tuple[ColumnRole, str]:
    """Guess what a column means from its values.

    Args:
        series: The column as read from the file.
        distinct: Its number of distinct values, where the caller has counted them already.
        missing: Its number of missing values, likewise (counting them again costs more than
            the rest of this function on a table of 10,000 short columns).

    Returns:
        The role and a one-sentence reason for it.
    """
    count = len(series) - missing if missing is not None else int(series.notna().sum())
    if count == 0:
        return ColumnRole.CONSTANT, "every value is missing"
    distinct = int(series.nunique()) if distinct is None else distinct
    if distinct == 1:
        return (
            ColumnRole.CONSTANT,
            f"the same value ({_short(series.dropna().iloc[0])}) in every row",
        )
    if ptypes.is_bool_dtype(series):
        return ColumnRole.BOOLEAN, "true/false values"
    if ptypes.is_datetime64_any_dtype(series):
        return ColumnRole.DATETIME, "dates and times"
    if ptypes.is_numeric_dtype(series):
        return _numeric_role(series, count, distinct)
    return _string_role(series.dropna().astype(str), distinct)


def _numeric_role(series: pd.Series, count: int, distinct: int) -> tuple[ColumnRole, str]:
    # Missing values stay in: copying a million floats to drop them costs more than the checks.
    if distinct == 2 and series.min() == 0 and series.max() == 1:  # two values: the extremes
        return ColumnRole.BOOLEAN, "only the values 0 and 1"
    integral = ptypes.is_integer_dtype(series) or _whole_numbers(
        series.to_numpy(dtype=float, na_value=np.nan)
    )
    if integral and distinct == count and count >= 20:
        steps = np.diff(series.dropna().to_numpy())
        if _ID_NAME.search(str(series.name)):
            return ColumnRole.IDENTIFIER, "whole numbers, unique per row, named like an id"
        if len(steps) and np.all(steps == 1):
            return ColumnRole.IDENTIFIER, "whole numbers counting up by one, like a row number"
    kind = "whole numbers" if integral else "numbers"
    return ColumnRole.NUMERIC, f"{kind} with {distinct} distinct values"


def _whole_numbers(values: np.ndarray) -> bool:
    """Whether every float (missing ones aside) is a whole number; a thousand values settle most
    columns at once."""

    def whole(part: np.ndarray) -> bool:
        return bool(np.all((np.mod(part, 1) == 0) | np.isnan(part)))

    return whole(values[:1000]) and whole(values)


def _string_role(values: pd.Series, distinct: int) -> tuple[ColumnRole, str]:
    count = len(values)
    if distinct == 2:
        lowered = {str(v).strip().lower() for v in values.unique()}
        if lowered in _BOOL_PAIRS:
            pair = "/".join(sorted(str(v) for v in values.unique()))
            return ColumnRole.BOOLEAN, f"two values that mean yes/no ({pair})"
    sample = sample_rows(values, _SAMPLE)
    if _looks_like_dates(sample):
        return ColumnRole.DATETIME, "text that reads as dates"
    mean_words = float(sample.str.split().str.len().mean())
    mean_chars = float(sample.str.len().mean())
    unique_share = distinct / count
    if mean_words >= 4 or (mean_chars >= 30 and unique_share > 0.5):
        return (
            ColumnRole.TEXT,
            f"free text: {mean_words:.0f} words per value on average, {distinct} distinct",
        )
    if distinct == count and count >= 20:
        return ColumnRole.IDENTIFIER, "a different short value in every row, like a name or code"
    return ColumnRole.CATEGORICAL, f"{distinct} distinct labels"


def _looks_like_dates(sample: pd.Series) -> bool:
    if sample.str.match(_DATE_LIKE).mean() < 0.95:
        return False
    parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return parsed.notna().mean() >= 0.95


def parse_datetimes(series: pd.Series) -> pd.Series:
    """Parse a datetime column given as text; unparseable values become NaT."""
    if ptypes.is_datetime64_any_dtype(series):
        return series
    return pd.to_datetime(series, errors="coerce", format="mixed")


def find_column(columns: list[str], requested: str, what: str = "target") -> str:
    """Resolve a user-typed column name, forgiving case, with a helpful error if absent."""
    if requested in columns:
        return requested
    by_case = [c for c in columns if str(c).lower() == requested.lower()]
    if len(by_case) == 1:
        return by_case[0]
    close = difflib.get_close_matches(requested, [str(c) for c in columns], n=3)
    hint = f"Did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    shown = ", ".join(repr(str(c)) for c in columns[:12]) + (" …" if len(columns) > 12 else "")
    name = close[0] if close else str(columns[-1])
    example = (
        f"in the app: the Target box; on the command line: --target {name!r}"
        if what == "target"
        else f"in the app: the Role column; on the command line: --role '{name}=ROLE'"
    )
    raise DataError(
        f"The {what} column {requested!r} is not in the data.",
        f"one of the columns: {shown}",
        f"{hint}Choose one of those columns by its exact name ({example}).",
    )


def guess_target(
    columns: list[str], roles: dict[str, ColumnRole], can_be_target=lambda column: True
) -> tuple[str, str]:
    """Pick a target when the user named none, saying how it was picked. `can_be_target`
    rules out columns no task could be learned for (names and other near-unique text), so
    that a guess never lands on one when another column would do."""
    usable = [c for c in columns if roles[c] not in _NOT_A_TARGET]
    by_name = {str(c).lower(): c for c in usable}
    for name in TARGET_NAMES:
        if name in by_name:
            col = by_name[name]
            return col, "guessed: a usual name for a target"
    if not usable:
        raise DataError(
            "No column can serve as a target: every column is an identifier, constant or text.",
            "a column of labels or numbers to predict",
            "Choose the target column (in the app: the Target box, after setting a column's "
            "role in the column table; on the command line: --target COL).",
        )
    # From the last column backwards, checking one at a time (each check counts a column).
    col = next((c for c in reversed(usable) if can_be_target(c)), usable[-1])
    return col, "guessed: the last column that can serve as a target"


_NOT_A_TARGET = (
    ColumnRole.IDENTIFIER,
    ColumnRole.CONSTANT,
    ColumnRole.TEXT,
    ColumnRole.WEIGHT,
    ColumnRole.LEAVE_OUT,
)


def infer_task(target: pd.Series) -> tuple[Task, str]:
    """Decide between binary, multiclass and regression from the target's values.

    Raises:
        DataError: The target is all missing, has a single value, or looks like free text.
    """
    name = target.name
    values = target.dropna()
    if values.empty:
        raise DataError(
            f"The target column {name!r} has no values: every row is missing.",
            "a target with a label or number in most rows",
            "Pick another target column, or fill this one in.",
        )
    distinct = int(values.nunique())
    if distinct == 1:
        raise DataError(
            f"The target column {name!r} has one class only ({_short(values.iloc[0])}).",
            "at least two different values to learn to tell apart",
            "Pick another target column, or add rows of the other classes.",
        )
    if ptypes.is_bool_dtype(values) or distinct == 2:
        shown = ", ".join(_short(v) for v in sorted(values.unique(), key=str))
        return Task.BINARY, f"two distinct values ({shown}) → binary classification"
    if ptypes.is_numeric_dtype(values):
        integral = ptypes.is_integer_dtype(values) or bool(
            np.all(np.mod(values.to_numpy(dtype=float), 1) == 0)
        )
        if not integral:
            return Task.REGRESSION, "decimal numbers → regression"
        if distinct <= MAX_INTEGER_CLASSES:
            return (
                Task.MULTICLASS,
                f"whole numbers with {distinct} distinct values → multiclass classification",
            )
        return Task.REGRESSION, f"whole numbers with {distinct} distinct values → regression"
    if distinct > MAX_TEXT_CLASSES and distinct > 0.5 * len(values):
        raise DataError(
            f"The target column {name!r} has {distinct} different text values in "
            f"{len(values)} rows, like free text or names.",
            "a label column with a few repeated classes, or numbers",
            "Pick the column that holds the answer you want predicted.",
        )
    return (
        Task.MULTICLASS,
        f"text labels with {distinct} distinct values → multiclass classification",
    )


def check_task_override(target: pd.Series, task: Task) -> None:
    """Refuse a task the target's values cannot support."""
    if task is Task.REGRESSION and not ptypes.is_numeric_dtype(target.dropna()):
        raise DataError(
            f"Regression was asked for, but the target {target.name!r} holds text labels.",
            "numbers for regression",
            "Choose binary or multiclass classification, or a numeric target.",
        )
    distinct = int(target.dropna().nunique())
    if task is Task.BINARY and distinct != 2:
        raise DataError(
            f"Binary classification was asked for, but {target.name!r} has {distinct} classes.",
            "exactly two classes",
            "Choose multiclass classification (or regression for numbers).",
        )


def class_counts(target: pd.Series) -> dict[str, int]:
    """Rows per class, largest first, with labels as the strings a user reads."""
    counts: dict[str, int] = {}
    for value, count in target.value_counts().items():  # count first: labels are few, rows many
        label = label_text(value)
        counts[label] = counts.get(label, 0) + int(count)
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def label_text(value) -> str:
    """A class label as text: 3.0 reads as '3', True as 'True'."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _short(value, limit: int = 30) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
