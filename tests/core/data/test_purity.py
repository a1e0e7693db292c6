"""The leakage check's purity, computed in numpy, equals the same measure written plainly with
pandas' groupby and qcut, on every column of real data, for classes and for numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dlstudio.core.data import load_dataset
from dlstudio.core.data.profile import _purity
from dlstudio.core.data.schema import ColumnInfo, ColumnRole, Task


def _pandas_purity(xs: pd.Series, ys: pd.Series, binned: bool, classes: bool) -> float:
    keys = pd.qcut(xs, 20, labels=False, duplicates="drop") if binned else xs
    if classes:
        counts = ys.groupby([keys.to_numpy(), ys.to_numpy()]).size()
        return float(counts.groupby(level=0).max().sum() / len(ys))
    values = ys.to_numpy(float)
    means = ys.astype(float).groupby(keys.to_numpy()).transform("mean").to_numpy()
    return 1.0 - float(((values - means) ** 2).sum()) / float(((values - values.mean()) ** 2).sum())


@pytest.mark.parametrize(
    ("dataset", "target", "task"),
    [
        ("penguins_csv", "species", Task.MULTICLASS),
        ("cancer_csv", "diagnosis", Task.BINARY),
        ("penguins_csv", "body_mass_g", Task.REGRESSION),
    ],
)
def test_purity_matches_pandas(dataset, target, task, request):
    data = load_dataset(request.getfixturevalue(dataset), target=target)
    frame = data.frame
    checked = 0
    for column in data.profile.columns:
        if column.name == target or column.role not in (
            ColumnRole.NUMERIC,
            ColumnRole.CATEGORICAL,
        ):
            continue
        rows = frame[target].notna() & frame[column.name].notna()
        xs, ys = frame.loc[rows, column.name], frame.loc[rows, target]
        binned = column.role is ColumnRole.NUMERIC and column.distinct > 50
        if binned and not task.is_classification:
            continue  # numbers against numbers: a plain correlation, the same code either way
        codes = pd.factorize(ys)[0] if task.is_classification else ys.to_numpy(float)
        ours = _purity(xs, codes, column, task, len(xs))
        if column.distinct > 0.5 * len(xs) and not binned:
            assert ours is None
            continue
        assert ours == pytest.approx(
            _pandas_purity(xs, ys, binned, task.is_classification), abs=1e-12
        ), column.name
        checked += 1
    assert checked >= 3


def test_a_copied_label_is_perfectly_pure():
    ys = np.array([0, 1, 2, 1, 0, 2] * 10)
    column = ColumnInfo("copy", ColumnRole.CATEGORICAL, "str", missing=0, distinct=3, reason="")
    xs = pd.Series(np.array(["a", "b", "c"])[ys])
    assert _purity(xs, ys, column, Task.MULTICLASS, len(ys)) == 1.0
