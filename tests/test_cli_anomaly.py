"""`dlstudio tune --task anomaly`, then evaluate, predict and export, as a script would."""

from __future__ import annotations

import json
import subprocess
import sys
import time
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


@pytest.mark.slow
def test_an_anomaly_search_is_a_run_like_the_others(capsys, tmp_path):
    """It holds its run's lock, keeps the project's data, is listed by `runs` and resumes; the
    tuner and objective it can run are taken as given."""
    from dlstudio.core.engine import run as engine  # noqa: F401  (Keras loaded before the race)
    from dlstudio.core.project import Project

    project = tmp_path / "project"
    args = ["tune", SLICE, "--task", "anomaly", "--label-windows", WINDOWS, "--window", "12"]
    args += ["--arch", "conv_autoencoder", "--tuner", "random", "--objective", "val_loss"]
    # No early stop and one trial, which the budget plan gives all of the time: it trains until
    # the time limit, so the run is still going below.
    args += ["--epochs", "10000", "--patience", "10000", "--max-trials", "1"]
    args += ["--time-limit", "20s", "--project", project, "--json"]
    first = subprocess.Popen(
        [sys.executable, "-m", "dlstudio", *map(str, args)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lock = None
        while first.poll() is None and lock is None:  # the lock names its holder once held
            held = [f for f in project.glob("runs/*/run.lock") if f.read_text().strip()]
            lock = held[0] if held else None
            time.sleep(0.2)
        assert lock is not None, "the search ended without ever holding its run's lock"
        run_dir = lock.parent
        assert run(["tune", "--resume", str(run_dir)]) == 2  # a second process is kept out
        assert f"in use by process {first.pid}" in capsys.readouterr().err
        out, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    result = json.loads(out)
    assert result["status"] == "time_limit" and result["model"] and result["run"] == str(run_dir)
    assert result["baselines"]["random"]["roc_auc"] == 0.5

    data = Project(project).data_spec()  # what reopening the project opens
    assert (data.path, data.task) == (str(SLICE), "anomaly")
    assert (data.anomaly["window"], data.anomaly["label_windows"]) == (12, str(WINDOWS))

    assert run(["runs", str(project), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["run"], r["run_status"], r["trial"]) for r in rows] == [
        (run_dir.name, "time_limit", "0")
    ]

    resumed = ["tune", "--resume", str(run_dir), "--max-trials", "2", "--epochs", "1"]
    assert run([*resumed, "--time-limit", "10m", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "completed" and result["evaluation"]["roc_auc"] >= 0
    assert [r.number for r in Project(project).runs()[0].trials()] == [1, 2]


def _recordings(tmp_path):
    """Two SKAB-like recordings cut from the NAB slice, with an `anomaly` column (NAB's
    labelled window) and a `changepoint` column (its edges); and the next one without them."""
    frame = pd.read_csv(SLICE)
    frame["anomaly"] = 0
    frame.loc[414:548, "anomaly"] = 1
    frame["changepoint"] = 0
    frame.loc[[414, 548], "changepoint"] = 1
    first, second, following = (tmp_path / f"{n}.csv" for n in ("first", "second", "next"))
    frame.iloc[:450].to_csv(first, index=False)
    frame.iloc[450:].drop(columns="changepoint").to_csv(second, index=False)
    frame.iloc[450:][["timestamp", "value"]].to_csv(following, index=False)
    return first, second, following


@pytest.mark.slow
def test_labels_are_proposed_and_another_recording_is_judged_on(capsys, tmp_path):
    first, second, following = _recordings(tmp_path)
    args = ["tune", first, "--task", "anomaly", "--window", "12", "--judge-on", second]
    args += ["--epochs", "1", "--max-trials", "1", "--arch", "conv_autoencoder"]
    assert run([*map(str, args), "--project", str(tmp_path / "p")]) == 0
    shown = capsys.readouterr().out
    assert "Normal was learnt from 18.7 hours (225 readings) of one recording, first.csv." in shown
    assert "Labels from 'anomaly', only to evaluate." in shown
    assert "'changepoint' looks like a label: left out of the inputs." in shown
    assert "Judged on second.csv, a recording it did not learn from (250 readings" in shown
    run_dir = next((tmp_path / "p" / "runs").iterdir())
    scores = tmp_path / "scores.csv"
    assert run(["predict", str(run_dir), str(following), "-o", str(scores)]) == 0
    assert len(pd.read_csv(scores)) == 250 - 11


def test_judge_on_and_inputs_are_read_from_the_flags(capsys, tmp_path):
    from dlstudio.cli import build_parser
    from dlstudio.cli.tasks.anomaly import settings_from

    first, second, _ = _recordings(tmp_path)
    args = build_parser().parse_args(
        ["tune", str(first), "--task", "anomaly", "--judge-on", str(second)]
        + ["--inputs", "value, changepoint"]
    )
    settings = settings_from(args)
    assert settings.judge_on == str(second.resolve())
    assert settings.inputs == ["value", "changepoint"]
    missing = ["tune", str(first), "--task", "anomaly", "--judge-on", str(tmp_path / "no.csv")]
    assert run(missing) == 2
    assert f"error: --judge-on '{tmp_path / 'no.csv'}', which is not a file" in (
        capsys.readouterr().err
    )
