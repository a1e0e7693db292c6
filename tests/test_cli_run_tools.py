"""`dlstudio threshold` and `dlstudio rename`: the window's Threshold tab and Rename, headless."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from dlstudio.cli import run as cli
from dlstudio.core import test_predictions as tp


def _run(tmp_path, names: list[str]) -> str:
    """A run folder as a finished run leaves it: model card, state, test predictions."""
    folder = tmp_path / "project" / "runs" / "20261202-120000-tune"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    truth = rng.integers(0, len(names), 200)
    scores = rng.normal(size=(200, len(names))) + 2.0 * np.eye(len(names))[truth]
    probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    frame = pd.DataFrame({"row": np.arange(1, 201)})
    frame["true"] = np.asarray(names, dtype=object)[truth]
    frame["predicted"] = np.asarray(names, dtype=object)[probabilities.argmax(axis=1)]
    frame["confidence"] = probabilities.max(axis=1)
    for i, name in enumerate(names):
        frame[tp.PROBABILITY + name] = probabilities[:, i]
    tp.write_test_predictions(folder, frame)
    task = "binary" if len(names) == 2 else "multiclass"
    card = {"task": task, "target": "label", "class_names": names, "kind": "table"}
    (folder / "model_card.json").write_text(json.dumps(card))
    (folder / "model_card.md").write_text("# Model card\n")
    (folder / "state.json").write_text(json.dumps({"status": "completed"}))
    return str(folder)


def test_threshold_lists_what_each_trades_and_keeps_one(tmp_path, capsys):
    run = _run(tmp_path, ["ham", "spam"])
    assert cli(["threshold", run]) == 0
    out = capsys.readouterr().out
    assert "labels a row 'spam'" in out and "0.50" in out and "0.90" in out
    assert cli(["threshold", run, "0.3", "--keep"]) == 0
    out = capsys.readouterr().out
    assert "catches" in out and "Kept 0.3" in out
    card = json.loads((tmp_path / "project/runs/20261202-120000-tune/model_card.json").read_text())
    assert card["decision_threshold"]["threshold"] == 0.3
    assert cli(["threshold", run]) == 0
    assert "Kept now: 0.3" in capsys.readouterr().out


def test_threshold_refuses_what_it_cannot_do_in_one_line(tmp_path, capsys):
    binary = _run(tmp_path / "b", ["ham", "spam"])
    assert cli(["threshold", binary, "1.5"]) == 2
    assert "between 0.01 and 0.99" in capsys.readouterr().err
    assert cli(["threshold", binary, "--keep"]) == 2
    assert "--keep without a threshold" in capsys.readouterr().err
    three = _run(tmp_path / "m", ["a", "b", "c"])
    assert cli(["threshold", three]) == 2
    err = capsys.readouterr().err
    assert "3 classes" in err and "Traceback" not in err


def test_a_renamed_run_is_listed_by_its_name(tmp_path, capsys):
    run = _run(tmp_path, ["ham", "spam"])
    assert cli(["rename", run, "first try"]) == 0
    capsys.readouterr()
    assert cli(["runs", str(tmp_path / "project"), "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["name"] == "first try"
    assert cli(["rename", run, ""]) == 0
    assert "has no name now" in capsys.readouterr().out
