"""The data profile: what the user sees before training, and what the engine trains on.

A `DataProfile` is plain data (JSON via `to_dict`), so the CLI prints it, the GUI shows it and a
project folder stores it. The checks here are the ones that save a user a wasted run: classes too
small to split, heavy imbalance, a column that leaks the answer, identifiers, time order.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dlstudio.core.data.schema import (
    ColumnInfo,
    ColumnRole,
    Task,
    parse_datetimes,
    sample_rows,
)
from dlstudio.core.data.split import (
    parts_used,
    split_parts,
    too_small_to_split,
    unsplittable,
)


class DataKind(str, Enum):
    TABLE = "table"
    IMAGES = "images"
    TEXT = "text"


class WarningKind(str, Enum):
    """Why a warning was raised; the GUI picks an icon from it."""

    MISSING = "missing"
    TARGET_MISSING = "target_missing"
    IMBALANCE = "imbalance"
    TINY_CLASS = "tiny_class"
    LEAKAGE = "leakage"
    IDENTIFIER = "identifier"
    CONSTANT = "constant"
    TIME_ORDER = "time_order"
    CARDINALITY = "cardinality"
    DUPLICATES = "duplicates"
    SKIPPED = "skipped"
    GUESS = "guess"
    FEW_ROWS = "few_rows"
    INFINITE = "infinite"  # ±inf in a column: treated as missing
    MIXED_TARGET = "mixed_target"  # a numeric target with words among the numbers
    TOO_WIDE = "too_wide"  # more feature columns than rows
    WEIGHT = "weight"  # a weight column: chosen, or named like one and still an input


@dataclass(frozen=True)
class ProfileWarning:
    kind: WarningKind
    message: str

    def to_dict(self) -> dict:
        return {"kind": self.kind.value, "message": self.message}


@dataclass
class DataProfile:
    """Everything inferred about a dataset. See `to_dict` for the JSON form."""

    kind: DataKind
    source: str
    format: str
    rows: int
    target: str | None
    target_reason: str
    task: Task | None
    task_reason: str
    features: list[str]
    classes: dict[str, int] = field(default_factory=dict)
    columns: list[ColumnInfo] = field(default_factory=list)
    duplicate_rows: int = 0
    warnings: list[ProfileWarning] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def column(self, name: str) -> ColumnInfo:
        return next(c for c in self.columns if c.name == name)

    def warnings_of(self, kind: WarningKind) -> list[ProfileWarning]:
        return [w for w in self.warnings if w.kind is kind]

    def to_dict(self) -> dict:
        return {
            "kind": self.kind.value,
            "source": self.source,
            "format": self.format,
            "rows": self.rows,
            "target": self.target,
            "target_reason": self.target_reason,
            "task": self.task.value if self.task else None,
            "task_reason": self.task_reason,
            "features": list(self.features),
            "classes": dict(self.classes),
            "columns": [c.to_dict() for c in self.columns],
            "duplicate_rows": self.duplicate_rows,
            "warnings": [w.message for w in self.warnings],
            "warning_details": [w.to_dict() for w in self.warnings],
            "skipped": list(self.skipped),
            "notes": list(self.notes),
            "details": self.details,
        }


# Thresholds, named so the messages and the tests agree on them.
IMBALANCE_RATIO = 0.2  # smallest class below a fifth of the largest
LEAKAGE_PURITY = 0.99  # one column predicts the target this well on its own
LEAKAGE_SAMPLE = 50_000  # rows enough to measure purity to well within 0.01
HIGH_CARDINALITY = 100
FEW_ROWS_PER_CLASS = 10


def class_warnings(classes: dict[str, int], parts: int | None = None) -> list[ProfileWarning]:
    """Classes too small for the split, few examples, and imbalance, for any modality.

    Args:
        classes: Rows per class, largest first.
        parts: The parts a split fills (train, validation, test: 3, the default split).
    """
    if not classes:
        return []
    parts = parts_used() if parts is None else parts
    out = []
    refusal = unsplittable(classes, parts)
    tiny = too_small_to_split(classes, parts)
    if refusal is not None:
        out.append(
            ProfileWarning(
                WarningKind.TINY_CLASS,
                f"Training will refuse this split. {refusal.received} {refusal.fix}",
            )
        )
    elif tiny:
        counted = ", ".join(f"{label!r} ({classes[label]})" for label in tiny[:5])
        more = f" and {len(tiny) - 5} more" if len(tiny) > 5 else ""
        out.append(
            ProfileWarning(
                WarningKind.TINY_CLASS,
                f"{len(tiny)} class(es) have fewer than the {parts} rows a split into "
                f"{split_parts(parts)} needs to put one in each: {counted}{more}. They "
                "go to training only, so validation and test never measure them; add "
                "examples, merge each into a similar class, or drop their rows.",
            )
        )
    few = [label for label, n in classes.items() if parts <= n < FEW_ROWS_PER_CLASS]
    if few:
        out.append(
            ProfileWarning(
                WarningKind.FEW_ROWS,
                f"{len(few)} class(es) have fewer than {FEW_ROWS_PER_CLASS} rows ({_names(few)}): "
                "their test scores will be noisy.",
            )
        )
    largest_label, largest = next(iter(classes.items()))
    smallest_label, smallest = list(classes.items())[-1]
    if smallest / largest < IMBALANCE_RATIO:
        share = smallest / sum(classes.values())
        out.append(
            ProfileWarning(
                WarningKind.IMBALANCE,
                f"Classes are imbalanced: {smallest_label!r} has {smallest} rows ({share:.0%}) "
                f"against {largest} of {largest_label!r}. Class weights will be used; judge the "
                "model by AUC or per-class recall rather than accuracy.",
            )
        )
    return out


def column_warnings(
    frame: pd.DataFrame, columns: list[ColumnInfo], target: str | None
) -> list[ProfileWarning]:
    """Missing values, identifiers, constants, high cardinality and time order."""
    out = []
    missing = [(c.name, c.missing) for c in columns if c.missing and c.name != target]
    if missing:
        listed = ", ".join(f"{n} ({m})" for n, m in sorted(missing, key=lambda x: -x[1])[:6])
        out.append(
            ProfileWarning(
                WarningKind.MISSING,
                f"{len(missing)} column(s) have missing values: {listed}. They are filled in "
                "inside the model, with an indicator of where a value was missing.",
            )
        )
    for c in columns:
        if c.name == target:
            continue
        if c.role is ColumnRole.IDENTIFIER:
            out.append(
                ProfileWarning(
                    WarningKind.IDENTIFIER,
                    f"{c.name!r} looks like an identifier ({c.reason}) and is left out; change "
                    "its role if it carries meaning.",
                )
            )
        elif c.role is ColumnRole.CONSTANT:
            out.append(ProfileWarning(WarningKind.CONSTANT, f"{c.name!r} is left out: {c.reason}."))
        elif c.role is ColumnRole.CATEGORICAL and c.distinct > HIGH_CARDINALITY:
            out.append(
                ProfileWarning(
                    WarningKind.CARDINALITY,
                    f"{c.name!r} has {c.distinct} distinct categories: rare ones will share an "
                    "embedding; consider grouping them or marking the column as text.",
                )
            )
        elif c.role is ColumnRole.DATETIME and _in_time_order(frame[c.name]):
            out.append(
                ProfileWarning(
                    WarningKind.TIME_ORDER,
                    f"Rows are in time order by {c.name!r}: a random split would let the model "
                    f"peek at the future; consider a time split on {c.name!r}.",
                )
            )
    return out


@dataclass(frozen=True)
class ColumnCounts:
    """Counts of one column over every row."""

    distinct: int
    missing: int


def count_columns(frame: pd.DataFrame) -> tuple[dict[str, ColumnCounts], int]:
    """Distinct and missing values of every column, and the rows that repeat an earlier row.

    One pass per column gives its counts and a 64-bit word per row that stands for the row's
    value: the value's own bits for numbers, its code in a dictionary encoding otherwise. The
    words are scrambled (multiplied by 2⁶⁴/φ, then xor-shifted) and folded into one key per row
    (FNV-style: xor, then multiply by a 64-bit prime) whose repeats are the duplicate rows.
    Hashing the values themselves, or `DataFrame.duplicated`, would build a million Python
    strings per text column. A false match between two different rows has a chance of about
    n² / 2⁶⁵, under 10⁻⁷ for a million rows. Columns are counted on a few threads (Arrow's hash
    tables release the GIL); the keys are folded in column order.
    """
    key = np.full(len(frame), 0xCBF29CE484222325, dtype=np.uint64)
    counts = {}

    def count(name):
        words, distinct, missing = _count_column(frame[name])
        mixed = words * np.uint64(0x9E3779B97F4A7C15)
        mixed ^= mixed >> np.uint64(29)
        return name, mixed, ColumnCounts(distinct, missing)

    workers = min(4, os.cpu_count() or 1, max(1, len(frame.columns)))
    with ThreadPoolExecutor(workers) as pool, np.errstate(over="ignore"):
        for name, mixed, column_counts in pool.map(count, frame.columns):
            counts[name] = column_counts
            key ^= mixed
            key *= np.uint64(0x100000001B3)
    return counts, int(pd.Series(key).duplicated().sum())


_MISSING_WORD = np.uint64(0x7FF8DEADBEEF0001)  # stands for a missing number in the row key


def _count_column(series: pd.Series) -> tuple[np.ndarray, int, int]:
    """A 64-bit word per row (equal values, equal words), and the distinct and missing counts,
    as pandas counts them (`nunique`, `isna`).

    Plain numbers are counted by Arrow's `unique` (a million floats with 58k distinct values:
    14 ms, where `pd.unique` takes 29 and a dictionary encoding, which also writes a code per
    row, 21) and keyed by their own bits. Strings go through Arrow's dictionary encoding;
    anything else (objects, categories, dates, nullable numbers) through `pd.factorize`."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        values = series.to_numpy()
        if dtype.kind == "f":
            # -0.0 and 0.0 are one value, as pandas counts them; 64 bits to key the row with.
            values = values.astype(np.float64, copy=False) + 0.0
        array = pa.array(values, from_pandas=True)  # NaN is missing, as in pandas
        missing = array.null_count
        distinct = len(pc.unique(array)) - (missing > 0)  # unique() counts null as a value
        words = values.view(np.uint64) if dtype.kind == "f" else values.astype(np.uint64)
        if missing:
            words = np.where(np.isnan(values), _MISSING_WORD, words)
        return words, distinct, missing
    if isinstance(dtype, pd.StringDtype):
        array = pa.array(series.array, from_pandas=True)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()  # one dictionary, not one per chunk
        encoded = pc.dictionary_encode(array)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        return codes.astype(np.uint64), len(encoded.dictionary), array.null_count
    codes, uniques = pd.factorize(series)
    return codes.astype(np.uint64), len(uniques), int(np.count_nonzero(codes < 0))


def _in_time_order(series: pd.Series) -> bool:
    parsed = parse_datetimes(series).dropna()
    if parsed.nunique() < 10:
        return False
    steps = np.diff(parsed.to_numpy().astype("datetime64[ns]").astype(np.int64))
    return bool((steps >= 0).mean() >= 0.99)


def leakage_warnings(
    frame: pd.DataFrame, columns: list[ColumnInfo], target: str, task: Task
) -> list[ProfileWarning]:
    """Columns that on their own nearly determine the target: usually a leak of the answer, or
    a second target (the same thing measured again, or in other units).

    Method: group rows by the column's value (numbers with many values in 20 quantile bins) and
    measure how pure the target is within groups: for classes, the share of rows whose class is
    their group's majority; for numbers, the share of variance the group means explain. At or
    above 0.99 the column is flagged. A number against a numeric target is also flagged from an
    absolute correlation of 0.95 (`SECOND_TARGET_CORRELATION`); a number with many values
    against classes also by its ordered purity (see `_ordered_purity`), which 20 bins blur: a
    class that is a threshold on the column leaves a bin of mixed rows. Large tables are
    measured on a random sample of rows, which estimates purity to within 0.01.
    """
    frame = sample_rows(frame, LEAKAGE_SAMPLE)
    y = frame[target]
    known = y.notna().to_numpy()
    if task.is_classification and y[known].value_counts(normalize=True).iloc[0] > 0.9:
        return []  # with one class at 90 %+, purity says nothing
    # The target as integer class codes, or as numbers; computed once for every column.
    y_values = pd.factorize(y)[0] if task.is_classification else y.to_numpy(float, na_value=np.nan)
    out = []
    for c in columns:
        if (
            c.name == target
            or c.role in (ColumnRole.TEXT, ColumnRole.DATETIME)
            or c.role.excluded_by_default
        ):
            continue
        x = frame[c.name]
        rows = known & x.notna().to_numpy()
        n = int(rows.sum())
        if n < 20:
            continue
        message = _leak(x[rows], y_values[rows], c, task, n, target)
        if message is not None:
            out.append(ProfileWarning(WarningKind.LEAKAGE, message))
    return out


SECOND_TARGET_CORRELATION = 0.95  # |r| of a number with a numeric target: a second target
_EXCLUDE_IT = "Exclude it unless its value will really be known when predicting."


def _leak(xs: pd.Series, ys: np.ndarray, c: ColumnInfo, task: Task, n: int, target: str):
    """The warning for a column that nearly determines the target, or None."""
    if not task.is_classification and c.role is ColumnRole.NUMERIC:
        r = _correlation(xs.to_numpy(float), ys)
        if r is not None and abs(r) >= SECOND_TARGET_CORRELATION:
            return (
                f"{c.name!r} moves in step with the target {target!r} (correlation r = "
                f"{r:.2f}): it looks like a second target (the same quantity measured again, "
                f"or in other units) and leaks the answer. {_EXCLUDE_IT}"
            )
    score = _purity(xs, ys, c, task, n)
    if task.is_classification and c.role is ColumnRole.NUMERIC and c.distinct > 50:
        score = max(score or 0.0, _ordered_purity(xs.to_numpy(float), ys))
    if score is None or score < LEAKAGE_PURITY:
        return None
    if task.is_classification:
        return (
            f"{c.name!r} alone predicts {target!r} for {score:.1%} of rows: it may leak the "
            "answer (a second target, recorded after the fact, or derived from the target). "
            + _EXCLUDE_IT
        )
    if c.role is ColumnRole.NUMERIC and c.distinct > 50:
        return None  # its correlation was under SECOND_TARGET_CORRELATION above
    return (
        f"{c.name!r} alone explains {score:.1%} of the variation of {target!r}: it may leak "
        "the answer (a second target, recorded after the fact, or derived from the target). "
        + _EXCLUDE_IT
    )


def _correlation(x: np.ndarray, y: np.ndarray) -> float | None:
    """Pearson's r, or None where either side is constant."""
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def _ordered_purity(x: np.ndarray, ys: np.ndarray) -> float:
    """How well a few cut points on the number `x` separate the classes `ys`, from 0 to 1.

    Rows are sorted by `x`; rows sharing a value form a group labelled with its majority class.
    A row counts as wrong when it is not of its group's class, and each change of class from
    one group to the next beyond the `k - 1` that k classes need counts one more. A class that
    is a threshold (or a few) on `x` scores 1 less a handful of rows; a real predictor, whose
    classes overlap over a range of values, changes class many times across that range (the
    best single column of the breast cancer data scores 0.88), and an unrelated one about as
    often as it has rows.
    """
    n = len(ys)
    order = np.argsort(x, kind="stable")
    xs, ordered = x[order], ys[order]
    group = np.concatenate(([0], np.cumsum(np.diff(xs) != 0)))
    classes = np.int64(ys.max() + 1)
    pairs, counts = np.unique(group * classes + ordered, return_counts=True)
    groups, labels = pairs // classes, pairs % classes
    # Each group's majority: its pairs sorted by count, largest first, then the group's first.
    by_count = np.lexsort((-counts, groups))
    first = by_count[np.flatnonzero(np.diff(groups[by_count], prepend=-1))]
    majority, kept = labels[first], counts[first]
    changes = int(np.count_nonzero(np.diff(majority)))
    needed = len(np.unique(ys)) - 1
    wrong = (n - int(kept.sum())) + max(0, changes - needed)
    return 1.0 - wrong / n


def _purity(xs: pd.Series, ys: np.ndarray, c: ColumnInfo, task: Task, n: int) -> float | None:
    """How well `xs` alone determines `ys` (class codes, or numbers), from 0 to 1.

    In numpy on integer group codes: pandas' groupby costs ~15 ms a column on 50,000 rows,
    a third of a million-row profile; bincount and one sort cost a few."""
    if c.role is ColumnRole.NUMERIC and c.distinct > 50:
        x = xs.to_numpy(float)
        if not task.is_classification:
            return float(abs(np.corrcoef(x, ys)[0, 1]))
        groups = _quantile_bins(x, 20)
    elif c.distinct > 0.5 * n:
        return None  # nearly unique keys make any target look determined
    else:
        groups = pd.factorize(xs)[0]
    if task.is_classification:
        # Rows whose class is their group's majority: count each (group, class) pair, keep the
        # largest count within each group (pairs sort by group first).
        classes = np.int64(ys.max() + 1)
        pairs, counts = np.unique(groups * classes + ys, return_counts=True)
        starts = np.flatnonzero(np.diff(pairs // classes, prepend=-1))
        return float(np.maximum.reduceat(counts, starts).sum() / n)
    total = float(((ys - ys.mean()) ** 2).sum())
    if total == 0:
        return None
    means = np.bincount(groups, weights=ys) / np.bincount(groups)
    return 1.0 - float(((ys - means[groups]) ** 2).sum()) / total


def _quantile_bins(x: np.ndarray, bins: int) -> np.ndarray:
    """The quantile bin of each value, as `pd.qcut(x, bins, labels=False, duplicates="drop")`
    gives it: bins closed on the right, the lowest value in the first."""
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)))
    return np.clip(np.searchsorted(edges, x, side="left") - 1, 0, None)


def _names(labels: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(x) for x in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")
