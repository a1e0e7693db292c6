"""Results → Trials: trials that differ in their loss (MSE in squared units, MAE in the target's)
are compared by a curve they share, and their losses are never drawn on one axis."""

from __future__ import annotations

import json

import pytest

from dlstudio.core.config import DataSpec, RunSpec, SearchSpec
from dlstudio.core.events import TrialRecord, TrialStatus
from dlstudio.core.project import RunFolder

# (loss, training loss per epoch, validation MAE per epoch): trial 2 is the best
TRIALS = [
    ("mse", [900.0, 500.0, 420.0], [26.0, 20.0, 18.0]),
    ("mae", [22.0, 17.0, 15.0], [24.0, 18.0, 16.0]),
    ("mse", [800.0, 450.0, 400.0], [25.0, 19.0, 17.0]),
    ("mae", [23.0, 18.0, 16.5], [25.0, 19.5, 17.5]),
    ("mse", [950.0, 600.0, 520.0], [27.0, 22.0, 20.0]),
]


def _run(path, losses: list[str]) -> RunFolder:
    """A finished forecast search's folder, as the engine leaves it, without training."""
    path.mkdir(parents=True)
    spec = RunSpec(DataSpec("sales.csv", target="sales"), search=SearchSpec(max_trials=5))
    (path / "spec.json").write_text(json.dumps(spec.to_dict()))
    (path / "state.json").write_text(json.dumps({"status": "completed", "objective": "val_mae"}))
    lines = []
    for number, (loss, (_, values, mae)) in enumerate(zip(losses, TRIALS, strict=False)):
        history = {
            "loss": values,
            "val_loss": [v * 1.1 for v in values],
            "mae": [v * 0.9 for v in mae],
            "val_mae": mae,
        }
        record = TrialRecord(
            str(number), number + 1, TrialStatus.COMPLETED, {"template": "dense", "loss": loss},
            history, min(mae), mae.index(min(mae)), len(values), 1.0,
        )  # fmt: skip
        lines.append(json.dumps(record.to_dict()))
    (path / "trials.jsonl").write_text("\n".join(lines) + "\n")
    return RunFolder(path)


@pytest.fixture
def view(qtbot):
    from dlstudio.gui.wizard.compare_view import TrialsView

    view = TrialsView()
    qtbot.addWidget(view)
    view.resize(1000, 760)
    view.show()
    return view


def _axis_label(plot) -> str:
    return plot.getAxis("left").labelText


def test_trials_of_mse_and_mae_are_compared_by_their_mae(qtbot, view, tmp_path):
    view.load([_run(tmp_path / "r", [loss for loss, _, _ in TRIALS])])
    assert view.metric_combo.currentData() == "mae"  # the objective's curve, not "Loss"
    view.table.selectAll()
    assert view.curves.curves == 2 * len(TRIALS)  # every trial, training and validation
    assert "Mean absolute error" in _axis_label(view.curves)
    assert view.curves_note.isHidden()
    qtbot.wait(100)  # laid out as on screen
    view.grab().save("/tmp/trials_mae.png")

    # Asked for the loss: only the trials sharing the best trial's (MAE), and why.
    view.metric_combo.setCurrentIndex(view.metric_combo.findData("loss"))
    assert view.curves.curves == 2 * 2  # trials 2 and 4
    assert _axis_label(view.curves).startswith("Loss: MAE")
    note = view.curves_note.text()
    assert not view.curves_note.isHidden()
    assert note.startswith("3 of the 5 selected trials are left out: they were trained with MSE")
    assert "in squared units that does not compare with MAE, the best trial's loss" in note
    assert "“Mean absolute error”" in note
    qtbot.wait(100)
    view.grab().save("/tmp/trials_loss.png")

    # The user's pick stays when the run is read again (a trial ended).
    view.load(view.runs)
    assert view.metric_combo.currentData() == "loss"
    assert view.curves.curves == 2 * 2


def test_trials_of_one_loss_show_their_loss_as_before(view, tmp_path):
    view.load([_run(tmp_path / "r", ["mae"] * len(TRIALS))])
    assert view.metric_combo.currentData() == "loss"  # the first curve, as it always was
    view.table.selectAll()
    assert view.curves.curves == 2 * len(TRIALS)
    assert view.curves_note.isHidden()
    assert _axis_label(view.curves) == "Loss (lower is better)"
