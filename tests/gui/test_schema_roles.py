"""The window's Role column offers the weight and leave-out roles, and says what each means."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dlstudio.core.data import ColumnRole, load_dataset
from dlstudio.gui.qmodels.schema_model import ROLE_COLUMN, ROLE_TIPS, SchemaModel


def test_weight_and_leave_out_in_the_role_column(qtbot, tmp_path):
    rng = np.random.default_rng(0)
    rows = 60
    pd.DataFrame(
        {
            "age": rng.integers(18, 90, rows),
            "sample_weight": rng.uniform(0.5, 3.0, rows),
            "interviewer": rng.choice(["ann", "bob"], rows),
            "label": rng.choice(["a", "b"], rows),
        }
    ).to_csv(tmp_path / "survey.csv", index=False)
    roles = {"sample_weight": "weight", "interviewer": "leave_out"}
    profile = load_dataset(tmp_path / "survey.csv", target="label", roles=roles).profile
    model = SchemaModel()
    model.set_profile(profile)
    cells = {model.index(r, 0).data(): model.index(r, ROLE_COLUMN) for r in range(model.rowCount())}
    assert cells["sample_weight"].data() == "weight"  # its name says it is not an input
    assert cells["interviewer"].data() == "leave_out"
    assert cells["age"].data() == "numeric"
    assert "How much each row counts" in cells["sample_weight"].data(3)  # tooltip
    assert "Not used" in cells["interviewer"].data(3)
    assert set(ROLE_TIPS) == set(ColumnRole)  # the drop-down offers every role, each explained
