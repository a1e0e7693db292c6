"""The engine's commands as a script would use them: JSON out, files written, plain errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dlstudio.cli import run

pytestmark = pytest.mark.slow


def _json(capsys, *args) -> dict | list:
    assert run([*map(str, args)]) == 0
    return json.loads(capsys.readouterr().out)


def test_train_evaluate_runs_predict_export(capsys, penguins_csv, tmp_path):
    project = tmp_path / "project"
    result = _json(
        capsys,
        "train",
        penguins_csv,
        "--target",
        "species",
        "--epochs",
        "10",
        "--set",
        "learning_rate=0.01",
        "--project",
        project,
        "--json",
    )
    assert result["status"] == "completed" and result["evaluation"]["accuracy"] > 0.8
    run_dir = result["run"]

    evaluation = _json(capsys, "evaluate", run_dir, "--json")
    assert evaluation["class_names"] == ["Adelie", "Chinstrap", "Gentoo"]

    rows = _json(capsys, "runs", project, "--json")
    assert len(rows) == 1 and rows[0]["status"] == "completed"
    assert rows[0]["hyperparameters"]["learning_rate"] == 0.01

    new = tmp_path / "new.csv"
    pd.read_csv(penguins_csv).drop(columns=["species"]).head(3).to_csv(new, index=False)
    out = tmp_path / "predictions.csv"
    assert run(["predict", run_dir, str(new), "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) == 3 and "3 prediction(s)" in capsys.readouterr().out

    assert run(["export", str(project), "--format", "keras", "--out", str(tmp_path / "x")]) == 0
    assert "keras" in capsys.readouterr().out and (tmp_path / "x" / "model.keras").exists()


def test_devices_says_what_it_trains_on(capsys):
    assert run(["devices"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith(("GPU:", "CPU — no GPU found"))


@pytest.mark.parametrize(
    "args, expected",
    [
        (["tune", "{data}", "--time-limit", "soon"], "a duration like 90s"),
        (["train", "{data}", "--arch", "bilstm"], "does not fit table data"),
        (["train", "{data}", "--set", "colour=blue"], "Unknown hyperparameter"),
        (["train", "{data}", "--arch", "mobilenet_v3_small"], "does not fit"),
        (["evaluate", "{tmp}"], "not a run folder"),
        (["train"], "No data was given"),
    ],
)
def test_bad_requests_say_how_to_fix_them(capsys, penguins_csv, tmp_path, args, expected):
    args = [a.format(data=penguins_csv, tmp=tmp_path) for a in args]
    assert (
        run([*args, "--project", str(tmp_path / "p")] if args[0] in ("train", "tune") else args)
        == 2
    )
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
