"""`dlstudio tune --task anomaly`, then evaluate, predict and export, as a script would."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dlstudio.cli import run

DATA = Path(__file__).resolve().parent / "data"
SLICE = DATA / "nab_ec2_latency_slice.csv"
WINDOWS = DATA / "nab_ec2_latency_windows.json"


@pytest.mark.slow
def test_tune_evaluate_predict_export(capsys, tmp_path):
    project = tmp_path / "project"
    args = ["tune", SLICE, "--task", "anomaly", "--label-windows", WINDOWS, "--window", "12"]
    args += ["--epochs", "2", "--max-trials", "1", "--arch", "conv_autoencoder"]
    assert run([*map(str, args), "--project", str(project), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "completed" and "roc_auc" in result["evaluation"]
    assert result["baselines"]["random"]["roc_auc"] == 0.5
    run_dir = result["run"]

    assert run(["evaluate", run_dir]) == 0
    shown = capsys.readouterr().out
    assert "ROC AUC" in shown and "isolation forest" in shown
    assert "Labelled windows caught" in shown and "The most unusual rows" in shown

    scores = tmp_path / "scores.csv"
    assert run(["predict", run_dir, str(SLICE), "-o", str(scores)]) == 0
    assert "689 score(s)" in capsys.readouterr().out
    frame = pd.read_csv(scores)
    assert list(frame.columns) == ["timestamp", "score", "is_anomaly"] and len(frame) == 689

    out = tmp_path / "export"
    assert run(["export", run_dir, "--out", str(out), "--format", "keras,onnx"]) == 0
    shown = capsys.readouterr().out
    assert shown.count("reloaded in its own runtime") == 2 and "is_anomaly" in shown
    assert (out / "model.keras").is_file() and (out / "model.onnx").is_file()
    assert (out / "model_card.md").is_file()
    again = tmp_path / "again.csv"
    assert run(["predict", str(out / "model.keras"), str(SLICE), "-o", str(again)]) == 0
    assert pd.read_csv(again).equals(frame)
    assert run(["export", run_dir, "--out", str(out), "--format", "pdf"]) == 2
    assert "--format pdf" in capsys.readouterr().err

    # A resume goes on with one more trial, keeping the first.
    assert run(["tune", "--resume", run_dir, "--max-trials", "2", "--json"]) == 0
    resumed = json.loads(capsys.readouterr().out)
    assert resumed["status"] == "completed" and resumed["model"]
    assert len((Path(run_dir) / "trials.jsonl").read_text().splitlines()) == 2
    assert run(["tune", str(SLICE), "--resume", run_dir, "--task", "anomaly"]) == 2
    assert "--task cannot change it" in capsys.readouterr().err


def test_mistakes_are_one_plain_message(capsys, tmp_path):
    args = ["tune", str(SLICE), "--task", "anomaly", "--label-column", "nope"]
    assert run([*args, "--project", str(tmp_path / "p")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: --label-column 'nope'") and "Traceback" not in error
    assert not (tmp_path / "p").exists()  # nothing was made for a run that could not start
    bad = ["tune", str(SLICE), "--task", "anomaly", "--contamination", "0.9"]
    assert run(bad) == 2
    assert "--contamination 0.9" in capsys.readouterr().err
