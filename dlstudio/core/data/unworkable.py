"""Data that cannot train as it is, found when it is opened and said in plain words.

Each check here stands for a run that would otherwise fail late or, worse, finish with
something silently wrong: infinite values that turn every loss into NaN, a numeric target
with a few words in it that became a classification with one class per number, far more
columns than rows, where any model fits the labels by chance, and classes too small for the
split (split.py). The profile warns; `check_trainable` refuses before a run folder is made.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from dlstudio.core.config import SplitSpec
from dlstudio.core.data.profile import ProfileWarning, WarningKind
from dlstudio.core.data.schema import MAX_INTEGER_CLASSES, Task, infer_task, sample_rows
from dlstudio.core.data.split import parts_used, unsplittable
from dlstudio.core.errors import DataError

# ---------------------------------------------------------------- infinite values


@dataclass(frozen=True)
class Infinite:
    """How many +inf and -inf values one column held before they became missing."""

    positive: int
    negative: int

    @property
    def total(self) -> int:
        return self.positive + self.negative

    def describe(self) -> str:
        counts = (("inf", self.positive), ("-inf", self.negative))
        return ", ".join(f"{sign} ×{n}" for sign, n in counts if n)


def infinite_to_missing(frame: pd.DataFrame) -> dict[str, Infinite]:
    """Replace ±inf with NaN in every float column of `frame` (in place); say where.

    A model cannot use an infinite number: one in a feature makes its normalisation infinite,
    one in a regression target makes every loss NaN. As missing values they take the path
    missing values take (filled, flagged; left out of training when in the target).
    Only float columns can hold them, so integer and text columns cost nothing.
    """
    found = {}
    for name in frame.columns:
        series = frame[name]
        if not (isinstance(series.dtype, np.dtype) and series.dtype.kind == "f"):
            continue
        values = series.to_numpy()
        infinite = np.isinf(values)
        if not infinite.any():
            continue
        positive = int(np.count_nonzero(infinite & (values > 0)))
        found[name] = Infinite(positive, int(np.count_nonzero(infinite)) - positive)
        frame[name] = series.where(~infinite)
    return found


def infinite_warnings(found: dict[str, Infinite], target: str | None) -> list[ProfileWarning]:
    """One warning for infinite values in the target, one for those in the features."""
    out = []
    if target in found:
        out.append(
            ProfileWarning(
                WarningKind.INFINITE,
                f"The target {target!r} holds {found[target].total} infinite value(s) "
                f"({found[target].describe()}): a model cannot learn from them, so those rows "
                "are left out of training. Fix the values at the source if they are errors.",
            )
        )
    features = {name: inf for name, inf in found.items() if name != target}
    if features:
        listed = ", ".join(
            f"{name!r} ({inf.describe()})"
            for name, inf in sorted(features.items(), key=lambda item: -item[1].total)[:6]
        )
        more = f" and {len(features) - 6} more" if len(features) > 6 else ""
        out.append(
            ProfileWarning(
                WarningKind.INFINITE,
                f"{len(features)} column(s) hold infinite values: {listed}{more}. They are "
                "treated as missing (filled in, with an indicator); predictions treat them "
                "the same way.",
            )
        )
    return out


def infinite_rows(found: dict[str, Infinite], target: str | None) -> int:
    """Rows whose target was infinite (now missing): said apart from truly missing ones."""
    return found[target].total if target in found else 0


# ---------------------------------------------------------------- numbers with words

# A target whose values are at least this share numbers is meant to hold numbers.
NUMERIC_SHARE = 0.5
# At most this share of words among them, a regression on the numbers is clearly what is meant
# (the words are typos, notes or placeholders for missing values), and those rows are left out.
MAX_WORD_SHARE = 0.1


@dataclass
class NumbersWithWords:
    """A text target that mostly holds numbers: the numbers (NaN where a word was), and the
    words with how many rows hold each."""

    numbers: pd.Series
    words: Counter
    rows: int

    @property
    def word_rows(self) -> int:
        return sum(self.words.values())

    def examples(self, limit: int = 5) -> str:
        shown = ", ".join(f"{word!r} ({n})" for word, n in self.words.most_common(limit))
        more = len(self.words) - limit
        return shown + (f" and {more} other word(s)" if more > 0 else "")


def numbers_with_words(target: pd.Series) -> NumbersWithWords | None:
    """The target as numbers, where a text target is mostly numbers with a few words."""
    if ptypes.is_numeric_dtype(target) or ptypes.is_bool_dtype(target):
        return None
    if ptypes.is_datetime64_any_dtype(target):
        return None
    # A sample settles most text targets (labels, not numbers) without copying a million strings.
    sample = sample_rows(target.dropna(), 2000).astype(str).str.strip()
    if sample.empty or pd.to_numeric(sample, errors="coerce").notna().mean() < NUMERIC_SHARE / 2:
        return None
    values = target.dropna().astype(str).str.strip()
    numbers = pd.to_numeric(values, errors="coerce")
    numbers[~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))] = np.nan
    share = float(numbers.notna().mean())
    if share < NUMERIC_SHARE or share == 1.0:
        return None
    words = Counter(values[numbers.isna()].tolist())
    full = pd.Series(np.nan, index=target.index, dtype="float64", name=target.name)
    full[numbers.index] = numbers.to_numpy(dtype="float64")
    return NumbersWithWords(full, words, len(values))


@dataclass
class TargetChoice:
    """What to train on when the target mixes numbers and words."""

    target: pd.Series  # the numbers (words read as missing), or the labels as they were
    warning: ProfileWarning


def choose_for_numbers_with_words(
    target: pd.Series, mixed: NumbersWithWords, task: Task | None
) -> TargetChoice:
    """Regression on the numbers when that is clearly meant (or asked for); labels when asked
    for or when the numbers are a few classes; otherwise refuse with the words and counts.

    Raises:
        DataError: A numeric target with too many words to tell what is meant.
    """
    name, words, share = target.name, mixed.examples(), mixed.word_rows / mixed.rows
    numeric_task = infer_task(mixed.numbers.dropna())[0] if mixed.numbers.nunique() > 1 else None
    summary = (
        f"The target {name!r} holds numbers, but {mixed.word_rows} of its {mixed.rows} values "
        f"are words: {words}."
    )
    if task is Task.REGRESSION or (
        task is None and numeric_task is Task.REGRESSION and share <= MAX_WORD_SHARE
    ):
        how = "as asked" if task is Task.REGRESSION else "they are few"
        return TargetChoice(
            mixed.numbers,
            ProfileWarning(
                WarningKind.MIXED_TARGET,
                f"{summary} It is treated as numbers (regression, {how}); those "
                f"{mixed.word_rows} row(s) are left out of training. Correct those values, or, "
                "if the values are really labels, choose the task 'multiclass' (in the app: "
                "the Task box; on the command line: --task multiclass).",
            ),
        )
    if task is not None or (numeric_task is not None and numeric_task.is_classification):
        return TargetChoice(
            target,
            ProfileWarning(
                WarningKind.MIXED_TARGET,
                f"{summary} Each distinct value, words included, is a class. If the words "
                "are mistakes, correct them or blank them out.",
            ),
        )
    classes = int(target.nunique())
    raise DataError(
        f"{summary} Read as labels, that is {classes} classes (more than "
        f"{MAX_INTEGER_CLASSES}, one per number); read as numbers, {share:.0%} of the rows "
        "would be left out.",
        "a target of numbers only (for regression) or of labels (for classification)",
        "Correct or blank out those values; or choose the task (in the app: the Task box; on "
        "the command line: --task regression to leave those rows out, or --task multiclass to "
        "make every value a class); or choose another target column (the Target box, or "
        "--target COL).",
    )


# ---------------------------------------------------------------- more columns than rows


# Training is refused above this many feature columns when they also outnumber the rows. A
# table model takes one input per column: on 60 rows, one epoch took 34 s with 100 columns and
# 253 s with 1,000 (2 CPU cores), nearly all of it building the model, to learn by chance.
MAX_WIDE_FEATURES = 500


def too_wide_warning(features: int, rows: int) -> ProfileWarning | None:
    """Far more columns than rows: any model fits the labels by chance there."""
    if features <= rows:
        return None
    return ProfileWarning(
        WarningKind.TOO_WIDE,
        f"{features} feature columns for {rows} labelled rows: with more columns than rows a "
        "model can fit any labels by chance, so it cannot learn reliably (and the check for "
        "leaking columns is skipped: by chance some column always seems to predict the "
        f"target). Keep the columns that matter (fewer than {rows}), or add rows."
        + (
            f" Training refuses a table this wide (over {MAX_WIDE_FEATURES} columns)."
            if features > MAX_WIDE_FEATURES
            else ""
        ),
    )


def check_trainable_width(features: int, rows: int) -> None:
    """Refuse a table far wider than it is long before minutes go into building its model.

    Raises:
        DataError: More than `MAX_WIDE_FEATURES` feature columns, and more of them than rows.
    """
    if features <= rows or features <= MAX_WIDE_FEATURES:
        return
    raise DataError(
        f"The table has {features} feature columns and only {rows} labelled rows: with more "
        "columns than rows a model fits any labels by chance, and a model with that many "
        "inputs takes many minutes to build before it learns anything.",
        f"at most {MAX_WIDE_FEATURES} feature columns, or fewer columns than rows",
        "Keep the columns that matter (select them in a spreadsheet, or summarise them), "
        "or add rows.",
    )


def check_trainable(dataset, split: SplitSpec | None = None) -> None:
    """Refuse, before a run folder or a model exists, data that a run cannot train on: a
    table far wider than it is long, or classes too small for `split` to measure anything.
    The profile warns about both; `inspect` still shows such data. (A weight column that
    cannot weigh rows is refused as the data is read: weights.py.)

    Args:
        dataset: A loaded `Dataset`.
        split: The split the run will use (the default split when None).

    Raises:
        DataError: What cannot work, with the columns or classes and how to fix it.
    """
    profile = dataset.profile
    if profile.kind.value == "table":
        check_trainable_width(len(profile.features), len(dataset.labelled))
    split = split or SplitSpec()
    stratified = split.stratify and split.time_column is None
    if stratified and profile.task is not None and profile.task.is_classification:
        refusal = unsplittable(profile.classes, parts_used(split))
        if refusal is not None:
            raise refusal
