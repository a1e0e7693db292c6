"""Forecast and anomaly searches draw their trials from keras-tuner's oracles (issue 25): each
template's defaults first, the user's fixed values in every trial, any tuner, and a search
killed with SIGKILL resumes without losing a finished trial."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlstudio.cli import run as cli
from dlstudio.core.forecast_spec import COMMON_SPACE, FORECAST_TEMPLATES, SPACES
from dlstudio.core.project import Project
from dlstudio.core.search.oracle import make_oracle
from dlstudio.core.search.templates import TemplateSpace
from tests.test_cli_forecast import seasonal_csv

READINGS = Path(__file__).resolve().parents[2] / "data" / "nab_ec2_latency_slice.csv"
SPACE = TemplateSpace(SPACES, COMMON_SPACE)


def _drawn(kind: str, fixed: dict, trials: int, tmp_path) -> list[dict]:
    """What an oracle of `kind` gives for the forecasters, scored by a made-up objective."""
    templates = FORECAST_TEMPLATES
    oracle = make_oracle(
        kind, "val_mae", "min", trials, 0, 9, SPACE.hyperparameters(templates, fixed)
    )
    oracle.keep_state_in(str(tmp_path), kind, resume=False)
    oracle.start_with(SPACE.defaults(templates, fixed))
    drawn = []
    for _ in range(trials):
        trial = oracle.create_trial("test")
        values = SPACE.plain(trial.hyperparameters.values)
        drawn.append(values)
        made_up = values.get("units", values.get("filters", values.get("d_model", 1))) / 10
        oracle.finish(trial, "val_mae", made_up)
    return drawn


def test_each_template_s_defaults_come_first_and_fixed_values_hold_in_every_trial(tmp_path):
    drawn = _drawn("bayesian", {"learning_rate": 0.003}, 9, tmp_path)
    assert [d["template"] for d in drawn[:5]] == list(FORECAST_TEMPLATES)
    assert drawn[1] == {"template": "lstm", **{k: v[0] for k, v in SPACES["lstm"].items()},
                        **{k: v[0] for k, v in COMMON_SPACE.items()}, "learning_rate": 0.003}  # fmt: skip
    assert all(d["learning_rate"] == 0.003 for d in drawn)
    # Each trial has its template's values and no other template's.
    for values in drawn:
        assert set(values) == {"template", *SPACES[values["template"]], *COMMON_SPACE}
    assert len({json.dumps(d, sort_keys=True) for d in drawn}) == len(drawn)


def test_hyperband_plans_rungs_of_epochs_for_a_family_too(tmp_path):
    templates = ("lstm",)
    oracle = make_oracle(
        "hyperband", "val_mae", "min", 5, 0, 9, SPACE.hyperparameters(templates, {})
    )
    oracle.keep_state_in(str(tmp_path), "hb", resume=False)
    epochs = []
    for _ in range(40):
        trial = oracle.create_trial("test")
        if trial.status == "STOPPED":
            break
        epochs.append(trial.hyperparameters.values["tuner/epochs"])
        assert "tuner/epochs" not in SPACE.plain(trial.hyperparameters.values)
        oracle.finish(trial, "val_mae", 1.0)
    assert len(set(epochs)) > 1 and max(epochs) == 9  # short rungs first, the longest last


def test_an_oracle_state_cut_short_by_a_kill_is_not_reloaded(tmp_path):
    """keras-tuner writes oracle.json in place: a kill mid-write leaves it cut short. The
    search then goes on from the run's log (as a run folder from before the oracle did)."""
    first = _drawn("random", {}, 2, tmp_path)
    state = tmp_path / "random" / "oracle.json"
    state.write_text(state.read_text()[:40])
    oracle = make_oracle(
        "random", "val_mae", "min", 5, 0, 9, SPACE.hyperparameters(FORECAST_TEMPLATES, {})
    )
    assert oracle.keep_state_in(str(tmp_path), "random", resume=True) is False
    assert oracle.trials == {} and len(first) == 2


@pytest.mark.slow
@pytest.mark.parametrize(
    "task, tuner", [("forecast", "bayesian"), ("anomaly", "hyperband"), ("forecast", "grid")]
)
def test_a_family_s_search_runs_on_the_tuner_asked_for(task, tuner, tmp_path, capsys):
    """`tune --task forecast|anomaly --tuner bayesian|hyperband` used to be refused (their
    engines planned their own random search)."""
    if task == "forecast":
        data, flags = seasonal_csv(tmp_path / "visitors.csv", points=120), ["--arch", "dense_lags"]
    else:
        data, flags = READINGS, ["--window", "12", "--arch", "conv_autoencoder"]
    argv = ["tune", str(data), "--task", task, "--tuner", tuner, "--max-trials", "3"]
    argv += ["--epochs", "3", "--project", str(tmp_path / "p"), "--json", *flags]
    assert cli(argv) == 0, capsys.readouterr().err
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "completed" and result["model"]
    run = Project(tmp_path / "p").runs()[0]
    trials = run.trials()
    assert len(trials) >= 3 and all(t.status.value == "completed" for t in trials)
    assert (run.path / "search" / "oracle.json").is_file()  # what a resume reloads
    if tuner == "hyperband":  # its rungs: some trials trained fewer epochs than others
        assert len({t.epochs for t in trials}) > 1
    else:
        assert len({json.dumps(t.hyperparameters, sort_keys=True) for t in trials}) == 3


def kill_after_two_trials(argv: list, project: Path, cwd: Path, env: dict | None = None) -> Path:
    """Start `dlstudio` with `argv` (in `env`, else this process's environment), SIGKILL it
    once two trials are logged; the run folder."""
    process = subprocess.Popen(
        [sys.executable, "-m", "dlstudio", *map(str, argv)],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while process.poll() is None and time.monotonic() < deadline:
            logs = list(project.glob("runs/*/trials.jsonl"))
            if logs and len(logs[0].read_text().splitlines()) >= 2:
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL, process.stderr.read()
    return logs[0].parent


@pytest.mark.slow
@pytest.mark.parametrize("task", ["forecast", "anomaly"])
def test_a_family_s_search_killed_mid_way_resumes_without_losing_a_finished_trial(
    task, tmp_path, capsys
):
    if task == "forecast":
        data, flags = seasonal_csv(tmp_path / "visitors.csv", points=120), []
    else:
        data, flags = READINGS, ["--window", "12"]
    project = tmp_path / "p"
    argv = ["tune", str(data), "--task", task, "--tuner", "bayesian", "--max-trials", "5"]
    argv += ["--epochs", "3", "--project", str(project), *flags]
    run_dir = kill_after_two_trials(argv, project, tmp_path)
    run = Project(project).runs()[0]
    before = {t.trial_id: (t.hyperparameters, t.score) for t in run.trials()}
    assert len(before) >= 2

    assert cli(["tune", "--resume", str(run_dir), "--json"]) == 0, capsys.readouterr().err
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "completed" and result["model"]
    after = {t.trial_id: (t.hyperparameters, t.score) for t in run.trials()}
    assert len(after) == 5 and sorted(after) == [str(i) for i in range(5)]
    for trial_id, kept in before.items():  # every finished trial, as it was
        assert after[trial_id] == kept
    configurations = {json.dumps(h, sort_keys=True) for h, _ in after.values()}
    assert len(configurations) == 5  # the resumed oracle did not draw a finished one again
