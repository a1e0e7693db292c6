"""`dlstudio use RUN classical|network`: the classical model trained beside the network, kept as
a checked ONNX file, put in use for `predict` and `export` (issue 26, item 8)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import onnxruntime
import pandas as pd
import pytest

from dlstudio.cli import run
from dlstudio.core.model_choice import CHOICE_FILE

pytestmark = pytest.mark.slow


def _onnx_labels(path, frame: pd.DataFrame, card: dict) -> list[str]:
    """The ONNX file's own labels for raw rows, fed as the model card's snippet does."""
    session = onnxruntime.InferenceSession(str(path))
    inputs = {}
    for spec in card["inputs"]:
        column = frame[spec["column"]]
        if spec["kind"] == "numeric":
            inputs[spec["name"]] = pd.to_numeric(column).to_numpy("float32").reshape(-1, 1)
        else:
            values = ["" if pd.isna(v) else str(v) for v in column]
            inputs[spec["name"]] = np.array(values, dtype=object).reshape(-1, 1)
    names = [o.name for o in session.get_outputs()]
    outputs = dict(zip(names, session.run(None, inputs), strict=True))
    return [str(v) for v in outputs["label"].ravel()]


def test_the_classical_model_is_chosen_predicted_with_and_exported(capsys, penguins_csv, tmp_path):
    project = tmp_path / "project"
    args = ["train", str(penguins_csv), "--target", "species", "--epochs", "2"]
    assert run([*args, "--project", str(project), "--json"]) == 0
    run_dir = json.loads(capsys.readouterr().out)["run"]
    evaluation = json.loads((tmp_path / run_dir / "evaluation.json").read_text())
    classic = evaluation["classic"]
    assert classic["onnx"]["file"] == "classic.onnx" and classic["onnx"]["max_difference"] < 1e-4
    assert classic["versus"]["metric"] == "log_loss"  # the run's objective: val_loss

    assert run(["use", run_dir]) == 0  # without a choice: which is in use, what is offered
    said = capsys.readouterr().out
    assert "Model in use: the network (the default)." in said and "Gradient boosting" in said

    rows = pd.read_csv(penguins_csv).drop(columns=["species"])
    new = tmp_path / "new.csv"
    rows.to_csv(new, index=False)
    assert run(["predict", run_dir, str(new), "-o", str(tmp_path / "network.csv")]) == 0
    assert run(["use", run_dir, "classical"]) == 0
    said = capsys.readouterr().out
    assert "Model in use: gradient boosting (classical)" in said
    assert json.loads((tmp_path / run_dir / CHOICE_FILE).read_text())["model"] == "classical"
    assert (
        "**Model in use:** gradient boosting" in (tmp_path / run_dir / "model_card.md").read_text()
    )

    assert run(["predict", run_dir, str(new), "-o", str(tmp_path / "classical.csv")]) == 0
    assert "classical model in use" in capsys.readouterr().err
    network = pd.read_csv(tmp_path / "network.csv")
    classical = pd.read_csv(tmp_path / "classical.csv")
    card = json.loads((tmp_path / run_dir / "model_card.json").read_text())
    onnx_labels = _onnx_labels(tmp_path / run_dir / "classic.onnx", rows, card)
    assert classical["predicted_species"].tolist() == onnx_labels  # the ONNX model's own
    differ = (classical["predicted_species"] != network["predicted_species"]).sum()
    assert differ > 0  # a two-epoch network and the boosted trees disagree on some rows

    out = tmp_path / "export"
    assert run(["export", run_dir, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "classical_model.onnx" in said and "reloaded in its own runtime" in said
    assert sorted(p.name for p in out.iterdir()) == [
        "classical_model.onnx",
        "model_card.json",
        "model_card.md",
    ]
    markdown = (out / "model_card.md").read_text()
    assert "**Model in use:** gradient boosting (classical), because it validated" in markdown
    assert "classical_model.onnx" in markdown
    # The network's formats are refused while the classical model is in use.
    assert run(["export", run_dir, "--format", "keras", "--out", str(tmp_path / "k")]) == 2
    assert "exists only as ONNX" in capsys.readouterr().err

    assert run(["use", run_dir, "network"]) == 0
    capsys.readouterr()
    assert run(["predict", run_dir, str(new), "-o", str(tmp_path / "again.csv")]) == 0
    again = pd.read_csv(tmp_path / "again.csv")
    assert again["predicted_species"].tolist() == network["predicted_species"].tolist()

    # A run without a classical model: the choice is refused with the reason.
    bare = tmp_path / "bare"
    shutil.copytree(tmp_path / run_dir, bare, ignore=shutil.ignore_patterns("keras_tuner"))
    evaluation["classic"] = {"name": None, "reason": "Not trained: the run was stopped."}
    (bare / "evaluation.json").write_text(json.dumps(evaluation))
    capsys.readouterr()
    assert run(["use", str(bare), "classical"]) == 2
    err = capsys.readouterr().err
    assert "has no classical model" in err and "the run was stopped" in err
    assert json.loads((bare / CHOICE_FILE).read_text())["model"] == "network"  # unchanged
