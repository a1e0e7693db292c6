"""The Model step takes a budget as people write it, seconds included, and says what it read."""

from __future__ import annotations

import pytest

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
