"""Training data that cannot work as given is said when it is opened, never found mid-run.

Each test starts from the bundled penguins or breast-cancer tables and spoils them the way real
files are spoiled: words typed into a column of numbers, classes with a row or two, infinite
values from a spreadsheet's division by zero, and a table with far more columns than rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dlstudio.core.data import SplitSpec, Task, WarningKind, load_dataset, split_rows
from dlstudio.core.data.prepare import FeatureInput, prepare, raw_column_values
from dlstudio.core.data.unworkable import MAX_WIDE_FEATURES, check_trainable
from dlstudio.core.errors import DataError


@pytest.fixture
def penguins(penguins_csv) -> pd.DataFrame:
    return pd.read_csv(penguins_csv).dropna(subset=["body_mass_g"]).reset_index(drop=True)


def _save(frame: pd.DataFrame, tmp_path, name="data.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _with_words(penguins, rows: int):
    """Body mass as text, with `rows` values replaced by the notes people type instead."""
    mass = penguins["body_mass_g"].astype(int).astype(str).astype(object)
    notes = ["n/a?", "about 4000", "heavy", "see notes"]
    for i, row in enumerate(np.linspace(0, len(mass) - 1, rows).astype(int)):
        mass[row] = notes[i % len(notes)]
    return penguins.assign(body_mass_g=mass)


# ---------------------------------------------------------------- numbers with words


def test_a_few_words_in_a_numeric_target_give_regression_with_the_words_named(penguins, tmp_path):
    path = _save(_with_words(penguins, 8), tmp_path)
    dataset = load_dataset(path, target="body_mass_g")
    profile = dataset.profile
    assert profile.task is Task.REGRESSION  # not one class per weight
    [warning] = profile.warnings_of(WarningKind.MIXED_TARGET)
    assert "8 of its 342 values are words" in warning.message
    assert "'n/a?' (2)" in warning.message and "'about 4000' (2)" in warning.message
    assert "--task" in warning.message
    assert len(dataset.labelled) == 342 - 8
    assert not profile.warnings_of(WarningKind.TARGET_MISSING)  # said once, as words


def test_many_words_in_a_numeric_target_are_refused_with_examples(penguins, tmp_path):
    path = _save(_with_words(penguins, 60), tmp_path)
    with pytest.raises(DataError) as raised:
        load_dataset(path, target="body_mass_g")
    message = str(raised.value)
    assert "60 of its 342 values are words" in message
    assert "'heavy' (15)" in message and "--task regression" in message
    asked = load_dataset(path, target="body_mass_g", task="regression")
    assert asked.profile.task is Task.REGRESSION and len(asked.labelled) == 342 - 60
    as_labels = load_dataset(path, target="body_mass_g", task="multiclass").profile
    assert as_labels.task is Task.MULTICLASS and "heavy" in as_labels.classes


def test_few_numbers_with_a_word_stay_classes_and_are_said(penguins, tmp_path):
    rating = np.where(penguins.index % 11 == 0, "unknown", (penguins.index % 4 + 1).astype(str))
    path = _save(penguins.assign(rating=rating), tmp_path)
    profile = load_dataset(path, target="rating").profile
    assert profile.task is Task.MULTICLASS and "unknown" in profile.classes
    [warning] = profile.warnings_of(WarningKind.MIXED_TARGET)
    assert "'unknown' (32)" in warning.message


# ---------------------------------------------------------------- classes too small to split


def test_classes_too_small_for_the_split_are_named_with_counts(penguins, tmp_path):
    extra = penguins.iloc[[0, 1, 2]].assign(species=["Emperor", "Emperor", "King"])
    path = _save(pd.concat([penguins, extra], ignore_index=True), tmp_path)
    profile = load_dataset(path, target="species").profile
    [warning] = profile.warnings_of(WarningKind.TINY_CLASS)
    assert "'Emperor' (2)" in warning.message and "'King' (1)" in warning.message
    assert "merge" in warning.message and "Training will refuse" not in warning.message


def test_a_split_that_cannot_measure_anything_is_refused_up_front(cancer_csv, tmp_path):
    cancer = pd.read_csv(cancer_csv)
    few = pd.concat(
        [cancer[cancer.diagnosis == "benign"], cancer[cancer.diagnosis == "malignant"].head(2)]
    )
    dataset = load_dataset(_save(few, tmp_path), target="diagnosis")
    [warning] = dataset.profile.warnings_of(WarningKind.TINY_CLASS)
    assert "Training will refuse" in warning.message and "'malignant' (2 rows)" in warning.message
    with pytest.raises(DataError, match=r"'malignant' \(2 rows\).*hold a single class"):
        prepare(dataset, SplitSpec())
    labels = pd.Series(["a", "a", "b", "b", "c", "c"])
    with pytest.raises(DataError, match="would be empty"):
        split_rows(len(labels), SplitSpec(), labels=labels)


# ---------------------------------------------------------------- infinite values


def test_infinite_values_are_said_and_never_reach_the_model(penguins, tmp_path):
    frame = penguins.copy()
    frame.loc[[3, 7, 9], "bill_length_mm"] = np.inf
    frame.loc[11, "bill_length_mm"] = -np.inf
    frame.loc[[5, 6], "body_mass_g"] = np.inf
    dataset = load_dataset(_save(frame, tmp_path), target="body_mass_g")
    messages = [w.message for w in dataset.profile.warnings_of(WarningKind.INFINITE)]
    assert any("'body_mass_g' holds 2 infinite value(s)" in m for m in messages)
    assert any("'bill_length_mm' (inf ×3, -inf ×1)" in m for m in messages)
    assert len(dataset.labelled) == len(frame) - 2

    data = prepare(dataset, SplitSpec())
    assert all(np.isfinite(data.y[split]).all() for split in ("train", "validation", "test"))
    numbers = np.concatenate([data.x[s]["bill_length_mm"] for s in ("train", "test")])
    assert not np.isinf(numbers).any() and np.isnan(numbers).sum() >= 1
    [bill] = [i for i in data.inputs if i.column == "bill_length_mm"]
    assert np.isfinite(bill.stats["mean"]) and bill.stats["missing"]
    assert any("infinite" in note for note in data.notes)  # shown when the run starts


def test_infinite_values_given_to_predict_are_missing():
    spec = FeatureInput("x", "x", "numeric", {"mean": 0.0, "variance": 1.0, "missing": True})
    values = raw_column_values(pd.Series([1.5, np.inf, -np.inf, np.nan]), spec)
    assert values[0, 0] == 1.5 and np.isnan(values[1:, 0]).all()


# ---------------------------------------------------------------- more columns than rows


def test_more_columns_than_rows_is_said_and_a_far_wider_table_refused(tmp_path):
    rng = np.random.default_rng(0)
    columns = MAX_WIDE_FEATURES + 100
    frame = pd.DataFrame(
        rng.normal(size=(40, columns)).round(3), columns=[f"gene_{i}" for i in range(columns)]
    )
    frame["outcome"] = np.repeat(["sick", "well"], 20)
    dataset = load_dataset(_save(frame, tmp_path), target="outcome")
    [warning] = dataset.profile.warnings_of(WarningKind.TOO_WIDE)
    assert f"{columns} feature columns for 40 labelled rows" in warning.message
    assert not dataset.profile.warnings_of(WarningKind.LEAKAGE)  # by chance, not leaks
    with pytest.raises(DataError, match=f"{columns} feature columns and only 40 labelled rows"):
        check_trainable(dataset)  # what a run checks before it makes its folder
    with pytest.raises(DataError, match=f"{columns} feature columns and only 40 labelled rows"):
        prepare(dataset, SplitSpec())

    narrower = load_dataset(_save(frame.iloc[:, -101:], tmp_path, "narrower.csv"))
    assert narrower.profile.warnings_of(WarningKind.TOO_WIDE)
    assert prepare(narrower, SplitSpec()).rows("train") > 0  # wide, yet small enough to try
