"""Column roles, target and task inference, and the profile's warnings, with their reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dlstudio.core.data import ColumnRole, Task, WarningKind, load_dataset
from dlstudio.core.errors import DataError


@pytest.fixture
def penguins(penguins_csv) -> pd.DataFrame:
    return pd.read_csv(penguins_csv)


def _save(frame: pd.DataFrame, tmp_path, name="data.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_roles_with_reasons(penguins, tmp_path):
    frame = penguins.copy()
    frame.insert(0, "penguin_id", range(1000, 1000 + len(frame)))
    frame["station"] = "Palmer"
    frame["tagged"] = np.where(frame.index % 3 == 0, "yes", "no")
    frame["seen_on"] = pd.date_range("2007-11-01", periods=len(frame), freq="D").strftime(
        "%Y-%m-%d"
    )
    frame["field_notes"] = [
        f"bird number {i} seen near the nest at dawn" for i in range(len(frame))
    ]
    frame["tag_code"] = [f"T{i:05d}" for i in range(len(frame))]
    profile = load_dataset(_save(frame, tmp_path), target="species").profile
    roles = {c.name: c.role for c in profile.columns}
    assert roles["penguin_id"] is ColumnRole.IDENTIFIER
    assert roles["station"] is ColumnRole.CONSTANT
    assert roles["tagged"] is ColumnRole.BOOLEAN
    assert roles["seen_on"] is ColumnRole.DATETIME
    assert roles["field_notes"] is ColumnRole.TEXT
    assert roles["tag_code"] is ColumnRole.IDENTIFIER
    assert "penguin_id" not in profile.features and "station" not in profile.features
    assert "unique per row" in profile.column("penguin_id").reason
    assert "Palmer" in profile.column("station").reason
    kinds = {w.kind for w in profile.warnings}
    assert {WarningKind.IDENTIFIER, WarningKind.CONSTANT, WarningKind.TIME_ORDER} <= kinds


def test_role_override_is_used_and_said(penguins, tmp_path):
    profile = load_dataset(_save(penguins, tmp_path), roles={"year": "categorical"}).profile
    year = profile.column("year")
    assert year.role is ColumnRole.CATEGORICAL and year.overridden
    assert "set by the user" in year.reason and "numeric" in year.reason


def test_integer_target_with_few_values_is_multiclass(penguins, tmp_path):
    profile = load_dataset(_save(penguins, tmp_path), target="year").profile
    assert profile.task is Task.MULTICLASS
    assert profile.task_reason == "whole numbers with 3 distinct values → multiclass classification"
    assert profile.classes == {"2009": 120, "2008": 114, "2007": 110}


def test_decimal_target_is_regression_and_override_to_regression(penguins, tmp_path):
    path = _save(penguins, tmp_path)
    profile = load_dataset(path, target="bill_length_mm").profile
    assert profile.task is Task.REGRESSION and profile.classes == {}
    assert any(
        w.kind is WarningKind.TARGET_MISSING and "2 row(s)" in w.message for w in profile.warnings
    )
    forced = load_dataset(path, target="year", task="regression").profile
    assert forced.task is Task.REGRESSION and "set by the user" in forced.task_reason


def test_impossible_task_override_is_refused(penguins, tmp_path):
    with pytest.raises(DataError, match="holds text labels"):
        load_dataset(_save(penguins, tmp_path), target="species", task="regression")


def test_target_guess_falls_back_to_last_usable_column(penguins, tmp_path):
    frame = penguins.drop(columns=["species"]).rename(columns={"sex": "Sex"})
    frame["row"] = range(len(frame))  # an identifier last: not a target
    profile = load_dataset(_save(frame, tmp_path)).profile
    assert profile.target == "year"
    assert profile.warnings[0].kind is WarningKind.GUESS


def test_target_name_forgives_case(penguins, tmp_path):
    assert load_dataset(_save(penguins, tmp_path), target="SPECIES").profile.target == "species"


def test_leakage_is_flagged(cancer_csv, tmp_path):
    frame = pd.read_csv(cancer_csv)
    frame["biopsy_result_code"] = np.where(frame["diagnosis"] == "malignant", 1, 0)
    profile = load_dataset(_save(frame, tmp_path), target="diagnosis").profile
    leaks = profile.warnings_of(WarningKind.LEAKAGE)
    assert len(leaks) == 1 and "'biopsy_result_code'" in leaks[0].message


def test_no_false_leakage_on_real_data(penguins_csv, cancer_csv):
    for path in (penguins_csv, cancer_csv):
        assert not load_dataset(path).profile.warnings_of(WarningKind.LEAKAGE)


def test_tiny_and_imbalanced_classes(penguins, tmp_path):
    frame = pd.concat([penguins, penguins.iloc[[0]].assign(species="Emperor")], ignore_index=True)
    frame = frame[(frame.species != "Chinstrap") | (frame.index % 8 == 0)]
    profile = load_dataset(_save(frame, tmp_path), target="species").profile
    assert profile.classes["Emperor"] == 1
    messages = {w.kind: w.message for w in profile.warnings}
    assert "'Emperor'" in messages[WarningKind.TINY_CLASS]
    assert "imbalanced" in messages[WarningKind.IMBALANCE]


def test_high_cardinality_and_duplicates(penguins, tmp_path):
    frame = penguins.assign(nest=[f"nest {i % 170}" for i in range(len(penguins))])
    frame = pd.concat([frame, frame.head(5)], ignore_index=True)
    profile = load_dataset(_save(frame, tmp_path), target="species").profile
    assert profile.duplicate_rows == 5
    kinds = {w.kind for w in profile.warnings}
    assert WarningKind.CARDINALITY in kinds and WarningKind.DUPLICATES in kinds


def test_a_guessed_target_skips_a_column_of_names_no_task_could_learn(tmp_path):
    # As in auto MPG: the last column holds a car's name, nearly unique; the guess moves on.
    from dlstudio.core.data import load_dataset

    # 300 names in 400 rows: repeated enough to read as categories, too many to be classes.
    rows = [f"{i % 7},{['usa', 'japan', 'europe'][i % 3]},car {i % 300}" for i in range(400)]
    path = tmp_path / "cars.csv"
    path.write_text("cylinders,origin,name\n" + "\n".join(rows) + "\n")
    profile = load_dataset(path).profile
    assert profile.target == "origin" and "guessed" in profile.target_reason
