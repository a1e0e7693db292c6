"""The Results step's "Use gradient boosting (classical)" (issue 26, item 8): shown when the
classical model validated better, greyed out with the reason when it cannot be used, and the
choice recorded in the run, which the Export step follows."""

from __future__ import annotations

import html
import json

from dlstudio.core.model_choice import CHOICE_FILE, model_in_use
from dlstudio.gui.wizard.model_choice_row import ModelChoiceRow


def _text(row) -> str:
    return html.unescape(row.note.text())


def _run_folder(tmp_path, better=True, kept=True):
    folder = tmp_path / "run"
    folder.mkdir()
    onnx = (
        {"file": "classic.onnx", "max_difference": 1e-7}
        if kept
        else {
            "file": None,
            "reason": "skl2onnx and onnxruntime are not installed here",
        }
    )
    classic = {
        "name": "Gradient boosting",
        "metrics": {"accuracy": 0.98, "log_loss": 0.12},
        "validation": {"accuracy": 1.0, "log_loss": 0.01},
        "versus": {
            "metric": "log_loss",
            "classic": 0.01 if better else 0.5,
            "network": 0.2,
            "higher_is_better": False,
            "classic_better": better,
        },
        "onnx": onnx,
    }
    (folder / "evaluation.json").write_text(
        json.dumps({"task": "classification", "classic": classic})
    )
    (folder / "model_card.md").write_text(
        "# Model card: species (multiclass)\n\nMade by dlstudio.\n"
    )
    if kept:
        (folder / "classic.onnx").write_bytes(b"onnx")  # only its presence is read here
    return folder


def test_the_button_puts_the_classical_model_in_use_and_back(qtbot, tmp_path):
    folder = _run_folder(tmp_path)
    row = ModelChoiceRow()
    qtbot.addWidget(row)
    row.show()
    row.set_run(folder)
    assert row.isVisible() and row.use_classic.isVisible() and row.use_classic.isEnabled()
    assert row.use_classic.text() == "Use gradient boosting (classical)"
    assert "validated better: validation log loss 0.01 vs the network's 0.2" in _text(row)
    with qtbot.waitSignal(row.changed) as chosen:
        row.use_classic.click()
    assert chosen.args == ["classical"] and model_in_use(folder) == "classical"
    assert json.loads((folder / CHOICE_FILE).read_text())["model"] == "classical"
    assert "Model in use: gradient boosting (classical), because it validated better" in _text(row)
    assert "**Model in use:** gradient boosting" in (folder / "model_card.md").read_text()
    assert row.use_network.isVisible() and not row.use_classic.isVisible()
    row.use_network.click()
    assert model_in_use(folder) == "network" and row.use_classic.isVisible()


def test_not_offered_when_the_network_validated_better(qtbot, tmp_path):
    row = ModelChoiceRow()
    qtbot.addWidget(row)
    row.show()
    row.set_run(_run_folder(tmp_path, better=False))
    assert not row.isVisible()


def test_greyed_out_with_the_reason_when_it_was_not_kept(qtbot, tmp_path):
    row = ModelChoiceRow()
    qtbot.addWidget(row)
    row.show()
    row.set_run(_run_folder(tmp_path, kept=False))
    assert row.use_classic.isVisible() and not row.use_classic.isEnabled()
    assert "skl2onnx and onnxruntime are not installed" in row.use_classic.toolTip()
    assert "It cannot be used" in _text(row)


def test_the_export_step_offers_only_onnx_for_the_classical_model(qtbot, tmp_path):
    from dlstudio.core.model_choice import use_model
    from dlstudio.core.project import RunFolder
    from dlstudio.gui.wizard.export_page import ExportPage

    folder = _run_folder(tmp_path)
    card = {"kind": "table", "task": "multiclass", "target": "species", "inputs": []}
    (folder / "model_card.json").write_text(json.dumps(card))
    page = ExportPage()
    qtbot.addWidget(page)
    page.set_run(RunFolder(folder))
    assert page.checks["keras"].isEnabled()
    use_model(folder, "classical")
    page.show()  # the page follows a choice made on Results
    assert page.checks["onnx"].isChecked() and page.checks["onnx"].isEnabled()
    assert not page.checks["keras"].isEnabled()
    assert "Model in use: gradient boosting (classical)" in page.formats_note.text()
