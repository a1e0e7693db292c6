"""The profile's distinct, missing and duplicate counts agree with pandas' own, value for value,
on real data and on the values pandas treats specially."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlstudio.core.data.profile import count_columns


def _pandas_counts(frame: pd.DataFrame):
    return (
        {name: (int(frame[name].nunique()), int(frame[name].isna().sum())) for name in frame},
        int(frame.duplicated().sum()),
    )


def _ours(frame: pd.DataFrame):
    counts, duplicates = count_columns(frame)
    return {name: (c.distinct, c.missing) for name, c in counts.items()}, duplicates


def test_counts_match_pandas_on_the_penguins(penguins_csv):
    frame = pd.read_csv(penguins_csv)
    frame = pd.concat([frame, frame.iloc[:7]], ignore_index=True)  # 7 repeated rows
    assert _ours(frame) == _pandas_counts(frame)
    assert _ours(frame)[1] >= 7


def test_counts_match_pandas_on_special_values():
    frame = pd.DataFrame(
        {
            "signed_zero": [0.0, -0.0, np.nan, 1.5, np.nan],  # one zero, two missing
            "text": pd.Series(["a", None, "a", "b", None], dtype="str"),
            "mixed": pd.Series(["a", 1, None, 1, None], dtype=object),
            "flag": [True, False, True, True, True],
            "when": pd.to_datetime(["2020-01-01", None, "2020-01-01", "2021-01-01", None]),
            "level": pd.Series(["x", "y", "x", "x", "y"], dtype="category"),
            "nullable": pd.Series([1, None, 1, 2, None], dtype="Int64"),
            "single": np.array([1.5, np.nan, 1.5, 2.0, np.nan], dtype=np.float32),
            "byte": np.array([7, 255, 7, 0, 255], dtype=np.uint8),
        }
    )
    assert _ours(frame) == _pandas_counts(frame)
    assert _ours(frame)[0]["signed_zero"] == (2, 2)
