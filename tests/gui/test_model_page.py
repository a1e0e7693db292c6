"""The Model step takes a budget as people write it, seconds included, and says what it read;
every choice on it goes out as plain JSON (for the project to keep) and comes back."""

from __future__ import annotations

import json
from unittest.mock import ANY

import pytest
from PySide6.QtCore import Qt

from dlstudio.core.config import DataSpec
from dlstudio.core.data import load_dataset
from dlstudio.core.errors import DlstudioError
from dlstudio.gui.wizard.model_page import NAME_ROLE, ModelPage


@pytest.fixture
def page(qtbot, penguins_csv):
    page = ModelPage()
    qtbot.addWidget(page)
    page.set_dataset(load_dataset(penguins_csv, target="species"))
    return page


@pytest.mark.parametrize(
    "typed, seconds", [("45", 45), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("", None)]
)
def test_the_budget_is_read_in_seconds_minutes_or_hours(page, penguins_csv, typed, seconds):
    page.budget_edit.setText(typed)
    spec = page.run_spec(DataSpec(str(penguins_csv), "species"))
    assert spec.search.time_limit_s == seconds
    assert ("No time limit" in page.budget_note.text()) == (seconds is None)


def test_a_budget_it_cannot_read_is_said_at_once_and_refused(page, penguins_csv):
    page.budget_edit.setText("soon")
    assert "a duration like 90s" in page.budget_note.text()
    with pytest.raises(DlstudioError, match="soon"):
        page.run_spec(DataSpec(str(penguins_csv), "species"))


def test_numbers_are_judged_by_their_error_in_their_own_units(qtbot, penguins_csv):
    page = ModelPage()
    qtbot.addWidget(page)
    page.set_dataset(load_dataset(penguins_csv, target="body_mass_g"))
    assert page.objective_combo.itemData(0) == "val_mae"
    assert page.objective_combo.itemText(0) == "Validation mean absolute error (lower is better)"


def test_the_search_starts_from_the_templates_known_good_values(qtbot, digits_dir):
    from dlstudio.core.models.space import default_space, defaults, first_configuration

    page = ModelPage()
    qtbot.addWidget(page)
    page.set_dataset(load_dataset(digits_dir))
    space = page.search_space()
    # As the table reads them back: augment (true, false) still starts at its default, false.
    assert first_configuration(space, 100) == defaults(default_space("small_cnn", "multiclass"))


def test_a_large_table_s_model_starts_larger_as_the_search_does(qtbot, tmp_path, penguins_csv):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(7_200, 3)), columns=list("abc"))
    frame["label"] = np.where(frame.a > 0, "yes", "no")
    frame.to_csv(tmp_path / "large.csv", index=False)
    page = ModelPage()
    qtbot.addWidget(page)
    page.set_dataset(load_dataset(penguins_csv, target="species"))
    assert (page.hyperparameters()["units"], page.hyperparameters()["depth"]) == (128, 2)

    page.set_dataset(load_dataset(tmp_path / "large.csv", target="label"))
    chosen = page.hyperparameters()
    assert (chosen["units"], chosen["depth"], chosen["dropout"]) == (256, 3, 0.0)
    # Unticked in the search table, a row fixes that value too.
    table = page.space_table
    [row] = [r for r in range(table.rowCount()) if table.item(r, 0).data(NAME_ROLE) == "units"]
    assert table.item(row, 3).text() == "256"


def _row(table, name: str) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 0).data(NAME_ROLE) == name)


def _change_search(page) -> None:
    """Tuner, trials, budget, objective, epochs and a value held fixed, as a user would."""
    page.tuner_combo.setCurrentIndex(page.tuner_combo.findData("bayesian"))
    page.trials_spin.setValue(25)
    page.budget_edit.setText("1h30m")
    page.objective_combo.setCurrentIndex(page.objective_combo.findData("val_accuracy"))
    page.epochs_spin.setValue(12)
    table = page.space_table
    units = _row(table, "units")
    table.item(units, 1).setCheckState(Qt.CheckState.Unchecked)
    table.item(units, 3).setText("64")
    table.item(_row(table, "learning_rate"), 2).setText("0.0005 to 0.005, on a log scale")


def _search_shown(page) -> tuple:
    table = page.space_table
    units, rate = _row(table, "units"), _row(table, "learning_rate")
    return (
        page.tuner_combo.currentData(),
        page.trials_spin.value(),
        page.budget_edit.text(),
        page.objective_combo.currentData(),
        page.epochs_spin.value(),
        table.item(units, 1).checkState() == Qt.CheckState.Checked,
        table.item(units, 3).text(),
        table.item(rate, 2).text(),
    )


def test_every_choice_goes_out_as_json_and_comes_back(qtbot, page, penguins_csv):
    told = []
    page.choices_changed.connect(told.append)
    _change_search(page)
    page.choose_radio.setChecked(True)
    page._knobs["dropout"].setValue(0.3)
    assert told and told[-1] == page.choices()
    choices = json.loads(json.dumps(page.choices()))  # plain JSON, as project.json keeps it
    assert choices["space"]["units"] == {"search": False, "range": ANY, "value": "64"}

    again = ModelPage()
    qtbot.addWidget(again)
    told_again = []
    again.choices_changed.connect(told_again.append)
    again.set_dataset(load_dataset(penguins_csv, target="species"))
    again.restore_choices(choices)
    assert told_again == []  # the page's own settings are no user's changes
    assert _search_shown(again) == (
        "bayesian", 25, "1h30m", "val_accuracy", 12, False, "64",
        "0.0005 to 0.005, on a log scale",
    )  # fmt: skip
    assert again.choose_radio.isChecked() and again.hyperparameters()["dropout"] == 0.3
    spec = again.run_spec(DataSpec(str(penguins_csv), "species"))
    assert spec.model.hyperparameters["dropout"] == 0.3
    again.tune_radio.setChecked(True)
    space = again.run_spec(DataSpec(str(penguins_csv), "species")).search.space
    assert space["units"] == {"type": "fixed", "value": 64}
    assert (space["learning_rate"]["min"], space["learning_rate"]["max"]) == (0.0005, 0.005)


def test_choices_that_do_not_fit_the_data_fall_back_to_the_defaults(qtbot, page, digits_dir):
    _change_search(page)
    page.choose_radio.setChecked(True)
    table_choices = page.choices()  # an MLP for a table, knobs and rows included

    images = ModelPage()
    qtbot.addWidget(images)
    images.set_dataset(load_dataset(digits_dir))
    defaults = images.choices()
    images.restore_choices(table_choices)
    restored = images.choices()
    assert restored["template"] == "small_cnn"  # an MLP is for tables: the default stays
    assert restored["space"] == defaults["space"]
    assert restored["hyperparameters"] == defaults["hyperparameters"]
    assert (restored["tuner"], restored["max_trials"], restored["budget"]) == (
        "bayesian",
        25,
        "1h30m",
    )  # what fits any data comes back

    broken = {
        "mode": "guess",
        "template": ["mlp"],
        "hyperparameters": "units",
        "tuner": "psychic",
        "max_trials": "many",
        "budget": "soon",
        "objective": "val_auc",
        "space": {"units": {"search": "no", "range": 5, "value": None}},
        "epochs": True,
        "seed": float("nan"),
        "patience": 10**9,
    }
    for hand_edited in (broken, None, [], {"format": 99}):
        page.restore_choices(hand_edited)
    assert _search_shown(page) == (
        "bayesian", 25, "1h30m", "val_accuracy", 12, False, "64",
        "0.0005 to 0.005, on a log scale",
    )  # fmt: skip
