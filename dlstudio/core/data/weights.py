"""Weight and left-out columns: how much each row counts, and columns the user sets aside.

A survey or sample weight says how many people (or cases) a row stands for. As an input it
only teaches the model how the sample was drawn; its use is to weigh each row in the loss and
in the scores. dlstudio never sets the role itself: a column named like a weight is proposed,
with a warning, and the user decides (`--role COL=weight`, or the window's Role column).

With a weight column, every step weighs rows by it alike: the network's loss on the training
and validation rows (so the best epoch and the best trial are chosen on weighted scores), the
classical reference's fit and scores, the test metrics and the trivial baseline (the weighted
majority class, the weighted training mean). A row without a weight counts for nothing
(weight 0), and the run says how many there are; a column of negative numbers, of text, or
with no weight above zero is refused. Predictions never read it: it is not an input.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from dlstudio.core.data.profile import ProfileWarning, WarningKind
from dlstudio.core.data.schema import ColumnInfo, ColumnRole
from dlstudio.core.errors import DataError

# Names of weight columns in survey and sample data: fnlwgt, perwt, hhwt, pweight,
# sample_weight, survey weight, final_weight, design_wt, weights… Plain "weight" and "wt" (or
# "weight_kg", "birth weight") are left alone: that is usually a body's or a car's weight
# (mtcars' "wt"), a real measurement.
_WEIGHT_WORDS = (
    "sample|sampling|survey|design|final|fnl|person|household|hh|case|frequency|freq|"
    "expansion|probability|prob|analysis|base|raking|trimmed|replicate|inverse|ipw|row|obs"
)
_WEIGHT_NAME = re.compile(
    rf"wgt|wght|^[a-z]{{1,4}}wt$|^(p|pw|f|a|hh)weights?$|^weights$|(^|_)({_WEIGHT_WORDS})_?(weights?|wts?)(_|$)"
    rf"|(^|_)(weights?|wts?)_({_WEIGHT_WORDS})(_|$)"
)


def named_like_a_weight(name: str) -> bool:
    """Whether a column's name is one survey and sample data give their weights."""
    normal = re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")
    return bool(_WEIGHT_NAME.search(normal))


def weight_column(columns: list[ColumnInfo]) -> str | None:
    """The column the user made the weight, if any."""
    return next((c.name for c in columns if c.role is ColumnRole.WEIGHT), None)


def check_weight_roles(frame: pd.DataFrame, columns: list[ColumnInfo], target: str) -> None:
    """Refuse a weight role that cannot weigh rows: on the target, on more than one column,
    on text, or with negative values.

    Raises:
        DataError: Which column, what it holds and what to change.
    """
    weights = [c.name for c in columns if c.role is ColumnRole.WEIGHT]
    if target in weights:
        raise DataError(
            f"The target {target!r} has the role weight.",
            "a target that is predicted, and at most one other column as the weight",
            f"Give {target!r} another role, or choose another target.",
        )
    if len(weights) > 1:
        raise DataError(
            f"{len(weights)} columns have the role weight ({', '.join(map(repr, weights))}).",
            "at most one weight column: how much each row counts",
            "Keep the role weight on one column and set the others to leave_out or numeric.",
        )
    if not weights:
        return
    name = weights[0]
    values = frame[name]
    if not values.notna().any():
        raise DataError(
            f"The weight column {name!r} holds no values: every row would count for nothing.",
            "a weight column with at least one weight above zero",
            f"Fix the values, or set {name!r} to another role (leave_out).",
        )
    if not (ptypes.is_numeric_dtype(values) and not ptypes.is_bool_dtype(values)):
        raise DataError(
            f"The weight column {name!r} holds {values.dtype} values, not numbers.",
            "a weight column of numbers of zero or more (how much each row counts)",
            f"Set {name!r} to another role (leave_out, categorical, …).",
        )
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    negative = int(np.count_nonzero(numbers < 0))
    if negative:
        raise DataError(
            f"The weight column {name!r} has {negative} negative value(s) "
            f"(the lowest: {np.nanmin(numbers):g}).",
            "weights of zero or more: a row counts that many times",
            f"Fix the values, or set {name!r} to another role (leave_out, numeric).",
        )
    if not np.any(numbers > 0):
        held = "only zeros" if np.any(numbers == 0) else "no values"
        raise DataError(
            f"The weight column {name!r} holds {held}: every row would count for nothing.",
            "a weight column with at least one weight above zero",
            f"Fix the values, or set {name!r} to another role (leave_out, numeric).",
        )


def weight_warnings(
    frame: pd.DataFrame, columns: list[ColumnInfo], target: str | None
) -> list[ProfileWarning]:
    """What the weight column means for this data, or a column that looks like one."""
    chosen = weight_column(columns)
    if chosen is not None:
        missing = int(frame[chosen].isna().sum())
        return [
            ProfileWarning(
                WarningKind.WEIGHT,
                f"{chosen!r} is the weight: it says how much each row counts and is not an "
                "input. Training (the loss, the choice of the best epoch and trial) and the "
                f"scores weigh each row by it.{missing_weights_words(missing)}",
            )
        ]
    out = []
    for c in columns:
        if c.name == target or c.role is not ColumnRole.NUMERIC:
            continue
        if not named_like_a_weight(c.name):
            continue
        values = frame[c.name]
        if values.min() < 0:
            continue  # a weight is never negative
        out.append(
            ProfileWarning(
                WarningKind.WEIGHT,
                f"{c.name!r} is named like a survey or sample weight (how many people each "
                "row stands for). As an input, the model learns how the sample was drawn, not "
                "the answer. If it is a weight, take it out of the inputs: set its role to "
                f"weight (on the command line: --role '{c.name}=weight') or leave_out; it is "
                "used as an input until you do.",
            )
        )
    return out


def missing_weights_words(missing: int) -> str:
    """What happens to rows without a weight, said after a sentence ("" when there are none)."""
    if not missing:
        return ""
    if missing == 1:
        return " 1 row has no weight and counts for nothing (weight 0)."
    return f" {missing} rows have no weight and count for nothing (weight 0)."


def row_weights(values: pd.Series) -> np.ndarray:
    """A weight column as weights per row: its numbers, a missing one as 0 (that row counts
    for nothing). `check_weight_roles` has refused text and negative values."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isfinite(numbers), numbers, 0.0)


def check_split_weights(weights: dict[str, np.ndarray], name: str) -> None:
    """Refuse a split whose rows all weigh nothing: its loss or scores would be 0 / 0.

    Raises:
        DataError: Which split, and what to change.
    """
    for split, values in weights.items():
        if len(values) and not np.sum(values) > 0:
            raise DataError(
                f"Every one of the {len(values)} {split} rows has weight 0 (or none) in the "
                f"weight column {name!r}, so nothing could be learnt or scored on that split.",
                "some weight above zero in the training, validation and test rows",
                f"Fix the weights, split the rows otherwise (another seed), or set {name!r} to "
                "leave_out to count every row once.",
            )
