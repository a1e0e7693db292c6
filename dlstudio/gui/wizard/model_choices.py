"""The Model step's choices as plain JSON, and back onto the page: what a project keeps of
that step (core/session.py writes it into project.json) so that reopening shows it again.

    {"format": 1, "mode": "tune" | "choose", "template": "mlp" | null,
     "hyperparameters": {"units": 128, ...},          the knobs, as the engine names them
     "tuner": "bayesian", "max_trials": 25, "budget": "1h30m", "objective": "val_accuracy",
     "space": {"units": {"search": false, "range": "32 to 512", "value": "64"}, ...},
     "epochs": 30, "patience": 5, "seed": 0}

The search-space rows keep the cells' text as the user typed it. Reading back is lenient:
a choice that does not fit the page as the data made it (an architecture for another kind of
data, a knob or objective it does not have, a value out of range, a wrong type from a hand
edit) is left at the page's default; older projects keep no choices at all.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox, QWidget

from dlstudio.core.durations import parse_duration
from dlstudio.core.errors import DlstudioError
from dlstudio.gui.wizard.space_text import parse_range, parse_value

FORMAT = 1
NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # the engine's name of a search-space row


def choices_of(page) -> dict:
    """Everything chosen on `page` (a ModelPage), as plain JSON."""
    table = page.space_table
    space = {}
    for row in range(table.rowCount()):
        if any(table.item(row, column) is None for column in range(4)):
            continue  # a row being filled in
        space[table.item(row, 0).data(NAME_ROLE)] = {
            "search": table.item(row, 1).checkState() == Qt.CheckState.Checked,
            "range": table.item(row, 2).text(),
            "value": table.item(row, 3).text(),
        }
    return {
        "format": FORMAT,
        "mode": "choose" if page.choose_radio.isChecked() else "tune",
        "template": page.template_combo.currentData(),
        "hyperparameters": page.hyperparameters(),
        "tuner": page.tuner_combo.currentData(),
        "max_trials": page.trials_spin.value(),
        "budget": page.budget_edit.text(),
        "objective": page.objective_combo.currentData(),
        "space": space,
        "epochs": page.epochs_spin.value(),
        "patience": page.patience_spin.value(),
        "seed": page.seed_spin.value(),
    }


def restore_choices(page, choices) -> None:
    """Put `choices` (from `choices_of`, maybe an older or hand-edited one) back on `page`,
    which already shows the data's defaults; what does not fit stays at its default."""
    if not isinstance(choices, dict):
        return
    if choices.get("mode") in ("choose", "tune"):
        radio = page.choose_radio if choices["mode"] == "choose" else page.tune_radio
        radio.setChecked(True)
    if "template" in choices and _choose(page.template_combo, choices["template"]):
        knobs = choices.get("hyperparameters")
        for name, value in (knobs if isinstance(knobs, dict) else {}).items():
            if name in page._knobs:
                _set_value(page._knobs[name], value)
        _restore_space(page, choices.get("space"))
    _choose(page.tuner_combo, choices.get("tuner"))
    _set_value(page.trials_spin, choices.get("max_trials"))
    budget = choices.get("budget")
    if isinstance(budget, str) and _reads(parse_duration, budget, "the time budget"):
        page.budget_edit.setText(budget)
    _choose(page.objective_combo, choices.get("objective"))
    for key, spin in (
        ("epochs", page.epochs_spin),
        ("patience", page.patience_spin),
        ("seed", page.seed_spin),
    ):
        _set_value(spin, choices.get(key))


def _restore_space(page, space) -> None:
    """The search-space rows the page has, as they were edited; a row whose text no longer
    reads keeps the default."""
    # The table's own readers (model_page.py imports this module: imported when used).
    if not isinstance(space, dict):
        return
    table = page.space_table
    for row in range(table.rowCount()):
        if any(table.item(row, column) is None for column in range(4)):
            continue
        name = table.item(row, 0).data(NAME_ROLE)
        entry = table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        kept = space.get(name)
        if not isinstance(kept, dict):
            continue
        text = kept.get("range")
        if isinstance(text, str) and _reads(parse_range, name, entry, text):
            table.item(row, 2).setText(text)
        value = kept.get("value")
        if isinstance(value, str) and _reads(parse_value, name, value, entry):
            table.item(row, 3).setText(value)
        if isinstance(kept.get("search"), bool):
            state = Qt.CheckState.Checked if kept["search"] else Qt.CheckState.Unchecked
            table.item(row, 1).setCheckState(state)


def _reads(parse, *args) -> bool:
    """Whether `parse(*args)` reads the text (as the page would when the run starts)."""
    try:
        parse(*args)
    except (DlstudioError, ValueError, TypeError):
        return False
    return True


def _choose(combo: QComboBox, value) -> bool:
    """Select the item whose data is `value`; False (nothing changed) when there is none."""
    for index in range(combo.count()):
        if _same(combo.itemData(index), value):
            combo.setCurrentIndex(index)
            return True
    return False


def _same(a, b) -> bool:
    """Equal as the engine means it: True is not 1, and 0.5 is 0.5 after a JSON round trip."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _set_value(widget: QWidget, value) -> None:
    """Set a knob or spin box to `value` when it is of the widget's kind and in its range."""
    if isinstance(widget, QComboBox):
        _choose(widget, value)
    elif isinstance(widget, QCheckBox):
        if isinstance(value, bool):
            widget.setChecked(value)
    elif isinstance(widget, QSpinBox | QDoubleSpinBox):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        if not math.isfinite(value) or (isinstance(widget, QSpinBox) and value != int(value)):
            return
        if widget.minimum() <= value <= widget.maximum():
            widget.setValue(int(value) if isinstance(widget, QSpinBox) else float(value))
