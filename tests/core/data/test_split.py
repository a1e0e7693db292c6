"""Train/validation/test splits: stratified, seeded, tiny classes and time order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dlstudio.core.data import SplitSpec, load_dataset, split_rows
from dlstudio.core.errors import DataError


def test_stratified_split_keeps_class_shares(penguins_csv):
    data = load_dataset(penguins_csv)
    labels = data.labelled["species"].reset_index(drop=True)
    split = split_rows(len(labels), SplitSpec(0.6, 0.2, 0.2), labels=labels)
    assert split.sizes() == {"train": 206, "validation": 69, "test": 69}
    every = np.concatenate([split.train, split.validation, split.test])
    assert sorted(every) == list(range(len(labels)))  # each row in exactly one part
    overall = labels.value_counts(normalize=True)
    for part in (split.train, split.validation, split.test):
        shares = labels.iloc[part].value_counts(normalize=True)
        assert (shares - overall).abs().max() < 0.02


def test_split_is_repeatable_by_seed():
    a = split_rows(100, SplitSpec(seed=7))
    b = split_rows(100, SplitSpec(seed=7))
    c = split_rows(100, SplitSpec(seed=8))
    assert np.array_equal(a.test, b.test) and not np.array_equal(a.test, c.test)


def test_class_too_small_to_stratify_goes_to_train_and_is_said():
    labels = pd.Series(["a"] * 50 + ["b"] * 50 + ["rare"] * 2)
    split = split_rows(len(labels), SplitSpec(), labels=labels)
    assert set(labels.iloc[split.train]) == {"a", "b", "rare"}
    assert "rare" not in set(labels.iloc[split.test])
    assert any("'rare' has only 2 row(s)" in note for note in split.notes)


def test_time_split_trains_on_the_past():
    times = pd.Series(pd.date_range("2020-01-01", periods=100, freq="D").strftime("%Y-%m-%d"))
    shuffled = times.sample(frac=1, random_state=0).reset_index(drop=True)
    split = split_rows(100, SplitSpec(time_column="day"), times=shuffled)
    assert shuffled.iloc[split.train].max() < shuffled.iloc[split.validation].min()
    assert shuffled.iloc[split.validation].max() < shuffled.iloc[split.test].min()


@pytest.mark.parametrize("spec", [SplitSpec(0.5, 0.2, 0.2), SplitSpec(1.2, -0.1, -0.1)])
def test_bad_ratios_are_refused(spec):
    with pytest.raises(DataError, match="adding up to 1"):
        split_rows(100, spec)
