"""A family registered from this folder only (issue 25's test of the plug-in seam): searched,
killed with SIGKILL and resumed without losing a finished trial, evaluated, exported and
predicted through the same runner, checks and command line as the built-in families."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dlstudio.cli import run as cli
from dlstudio.core.project import Project
from tests.core.engine.test_family_search import kill_after_two_trials

ROOT = Path(__file__).resolve().parents[2]
PLUG_IN = {"DLSTUDIO_FAMILIES": "tests.toy_family.family:FAMILY", "PYTHONPATH": str(ROOT)}


def _table(path: Path, rows: int = 300) -> Path:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(rows, 2)), columns=["a", "b"])
    frame["y"] = 2 * frame.a - frame.b + rng.normal(0, 0.1, rows)
    frame.to_csv(path, index=False)
    return path


def _dlstudio(*argv, **popen):
    return subprocess.Popen(
        [sys.executable, "-m", "dlstudio", *map(str, argv)],
        env={**os.environ, **PLUG_IN},
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


@pytest.mark.slow
def test_a_family_from_a_test_folder_is_searched_resumed_evaluated_exported_and_predicted(
    tmp_path, capsys, toy
):
    data, project = _table(tmp_path / "numbers.csv"), tmp_path / "p"
    argv = ["tune", data, "--task", "toy_regression", "--target", "y", "--tuner", "bayesian"]
    argv += ["--max-trials", "5", "--epochs", "4", "--project", project]
    # The child finds the family through DLSTUDIO_FAMILIES.
    kill_after_two_trials(argv, project, tmp_path, env={**os.environ, **PLUG_IN})
    run = Project(project).runs()[0]
    before = {t.trial_id: (t.hyperparameters, t.score) for t in run.trials()}
    # Each template's defaults first, then what the Bayesian oracle picks.
    assert [h["template"] for h, _ in before.values()][:2] == ["dense", "linear"]

    assert cli(["tune", "--resume", str(run.path)]) == 0, capsys.readouterr().err
    said = capsys.readouterr().out
    assert "always guessing the mean is off by" in said  # the family's own printer
    after = {t.trial_id: (t.hyperparameters, t.score) for t in run.trials()}
    assert sorted(after) == [str(i) for i in range(5)]
    assert all(after[trial_id] == kept for trial_id, kept in before.items())
    evaluation = run.evaluation()
    assert evaluation["task"] == "toy_regression" and evaluation["verdict"]["beats_baseline"]

    assert cli(["evaluate", str(run.path)]) == 0
    assert "Off by" in capsys.readouterr().out
    out = tmp_path / "export"
    assert cli(["export", str(run.path), "--out", str(out)]) == 0
    assert (out / "model.keras").is_file()
    new = tmp_path / "new.csv"
    pd.read_csv(data).drop(columns="y").head(20).to_csv(new, index=False)
    assert cli(["predict", str(out), str(new), "-o", str(tmp_path / "p.csv")]) == 0
    predicted = pd.read_csv(tmp_path / "p.csv")["prediction"].to_numpy()
    truth = pd.read_csv(data).y.head(20).to_numpy()
    assert np.abs(predicted - truth).mean() < 0.5 * np.abs(truth - truth.mean()).mean()


def test_inspect_shows_a_toy_table_in_the_family_s_own_words(tmp_path, capsys, toy):
    data = _table(tmp_path / "numbers.csv")
    assert cli(["inspect", str(data), "--task", "toy_regression", "--target", "y"]) == 0
    assert "A toy regression table: 300 rows of 2 numbers" in capsys.readouterr().out


@pytest.mark.parametrize(
    "flags, says",
    [
        (["--tuner", "hyperband"], "The tuner 'hyperband' (--tuner) for --task toy_regression"),
        (["--objective", "val_loss"], "whose search compares trials by their validation MAE"),
        (["--weights", "w.weights.h5"], "--weights with --task toy_regression"),
        (["--horizon", "3"], "--horizon only with --task forecast"),
        (["--target", "nope"], "has no column 'nope'"),
    ],
)
def test_what_the_family_does_not_support_is_refused_with_its_reason(
    flags, says, tmp_path, capsys, toy
):
    data = _table(tmp_path / "numbers.csv", rows=40)
    argv = ["tune", str(data), "--task", "toy_regression", "--target", "y", *flags]
    assert cli([*argv, "--project", str(tmp_path / "p")]) == 2
    error = capsys.readouterr().err
    assert says in error and "Traceback" not in error
    assert not (tmp_path / "p").exists()


def test_a_plug_in_that_cannot_be_loaded_is_one_message(tmp_path):
    process = _dlstudio("devices", stdout=subprocess.PIPE, cwd=tmp_path)
    process.communicate(timeout=120)
    assert process.returncode == 0  # the plug-in as named loads
    broken = subprocess.run(
        [sys.executable, "-m", "dlstudio", "tune", "x.csv", "--target", "y"],
        env={**os.environ, **PLUG_IN, "DLSTUDIO_FAMILIES": "tests.toy_family.nowhere:FAMILY"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
    assert (
        "tests.toy_family.nowhere:FAMILY" in broken.stderr and "DLSTUDIO_FAMILIES" in broken.stderr
    )
