"""Stopping and failing well: cancel, the time budget, broken trials, and kill-and-resume."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.engine.run import resume_run, start_run
from dlstudio.core.engine.supervised_trials import SupervisedTrials
from dlstudio.core.events import RunStatus, TrialStatus
from dlstudio.core.models.space import default_space, defaults
from dlstudio.core.project import Project
from dlstudio.core.search.cancel import CancelToken
from tests.core.engine.conftest import Recorder

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


def _spec(penguins_csv, trials=3, epochs=200, **search):
    return RunSpec(
        DataSpec(str(penguins_csv), target="species"),
        train=TrainSpec(epochs=epochs, patience=epochs),
        search=SearchSpec("random", max_trials=trials, **search),
    )


def test_cancel_stops_within_a_batch_and_ends_the_search(penguins_csv, tmp_path):
    token = CancelToken()

    def cancel_at_third_epoch(event):
        if type(event).__name__ == "EpochEnded" and event.epoch == 2:
            token.cancel()

    recorder = Recorder(cancel_at_third_epoch)
    run = start_run(_spec(penguins_csv), tmp_path / "p", recorder, token)

    trials = run.trials()
    assert len(trials) == 1, "a cancelled search starts no further trial"
    assert (
        trials[0].status is TrialStatus.CANCELLED and trials[0].message == "cancelled by the user"
    )
    assert trials[0].epochs <= 4  # stopped during the next epoch, not after all 200
    finished = recorder.of("RunFinished")[0]
    assert finished.status is RunStatus.CANCELLED and run.state()["status"] == "cancelled"
    # What it learned before the stop is kept, and said to be a partial model.
    assert finished.partial and finished.model_path and run.model_path.exists()
    assert "partial model" in finished.message and run.state()["partial"] is True


def test_time_limit_cuts_the_running_trial_and_keeps_the_best_finished(penguins_csv, tmp_path):
    token = CancelToken()

    def budget_runs_out_in_second_trial(event):
        if type(event).__name__ == "EpochEnded" and event.trial_id == "1" and event.epoch == 1:
            token.set_time_limit(0)

    spec = _spec(penguins_csv, epochs=6)
    run = start_run(spec, tmp_path / "p", Recorder(budget_runs_out_in_second_trial), token)
    statuses = [t.status for t in run.trials()]
    assert statuses == [TrialStatus.COMPLETED, TrialStatus.CUT_SHORT]
    assert run.trials()[1].message == "cut short by the time limit"
    state = run.state()
    assert state["status"] == "time_limit" and state["best_trial_id"] == "0"
    assert run.model_path.exists() and run.evaluation()["best_trial_id"] == "0"


def test_a_budget_far_too_short_for_the_epochs_asked_still_ends_with_a_model(
    penguins_csv, tmp_path, recorder
):
    # 10 s, not less: in 4 s this machine fitted one epoch, cut part-way at times, and such a
    # model may not beat the baseline (a model, but not the point of this test).
    spec = _spec(penguins_csv, trials=5, epochs=100_000, time_limit_s=10)
    run = start_run(spec, tmp_path / "p", recorder)
    trials = run.trials()
    assert trials and all(t.epochs < 100_000 for t in trials)
    finished = recorder.of("RunFinished")[0]
    assert finished.status in (RunStatus.TIME_LIMIT, RunStatus.COMPLETED)
    assert run.model_path.exists() and run.evaluation()["verdict"]["beats_baseline"]


def test_failing_trials_are_recorded_and_the_search_goes_on(penguins_csv, tmp_path, monkeypatch):
    # The up-front check refuses 0 units (tests/test_cli_validation.py); here it is let through
    # to see a trial that cannot be built fail on its own and the search go on.
    monkeypatch.setattr("dlstudio.core.engine.run.check_run", lambda spec, sink=None: None)
    # Everything fixed but two entries, so the grid's 4 points are exactly these pairs.
    space = {
        name: {"type": "fixed", "value": value}
        for name, value in defaults(default_space("mlp", "multiclass")).items()
    }
    space["units"] = {"type": "choice", "values": [0, 16]}  # 0 units cannot be built
    space["learning_rate"] = {"type": "choice", "values": [1e9, 0.01]}  # 1e9 diverges
    space["optimizer"] = {"type": "fixed", "value": "sgd"}
    spec = RunSpec(
        DataSpec(str(penguins_csv), target="species"),
        train=TrainSpec(epochs=4),
        search=SearchSpec("grid", max_trials=4, space=space),
    )
    run = start_run(spec, tmp_path / "p")
    trials = {
        (t.hyperparameters["units"], t.hyperparameters["learning_rate"]): t for t in run.trials()
    }
    assert len(trials) == 4
    assert trials[(0, 0.01)].status is TrialStatus.FAILED
    assert "units" in trials[(0, 0.01)].message  # the layer that could not be built says why
    assert trials[(16, 1e9)].status is TrialStatus.FAILED
    assert "NaN" in trials[(16, 1e9)].message and "learning rate" in trials[(16, 1e9)].message
    assert trials[(16, 0.01)].status is TrialStatus.COMPLETED
    # One line each in the records; the whole story, traceback and all, in the run's log.
    log = (run.path / "log.txt").read_text()
    assert len(re.findall(r"^trial \S+ failed: ", log, re.MULTILINE)) == 3  # all but (16, 0.01)
    assert "Traceback" in log
    assert all("Traceback" not in t.message for t in trials.values())
    assert (
        run.state()["status"] == "completed"
        and run.state()["best_trial_id"] == trials[(16, 0.01)].trial_id
    )


def test_out_of_memory_is_retried_with_half_the_batch(
    penguins_csv, tmp_path, recorder, monkeypatch
):
    calls = []
    original = SupervisedTrials._fit

    def fit_that_runs_out_of_memory_once(self, plan, model, batch_size, sink, token):
        calls.append(batch_size)
        if len(calls) == 1:
            raise MemoryError("OOM when allocating tensor with shape [32, 4096]")
        return original(self, plan, model, batch_size, sink, token)

    monkeypatch.setattr(SupervisedTrials, "_fit", fit_that_runs_out_of_memory_once)
    spec = RunSpec(DataSpec(str(penguins_csv), target="species"), train=TrainSpec(epochs=2))
    run = start_run(spec, tmp_path / "p", recorder)
    assert calls == [32, 16]
    assert run.trials()[0].status is TrialStatus.COMPLETED
    assert any("batch size 16" in m.text for m in recorder.of("RunMessage"))


def test_killed_search_resumes_without_losing_a_finished_trial(penguins_csv, tmp_path):
    project = tmp_path / "p"
    command = [
        sys.executable,
        "-m",
        "dlstudio",
        "tune",
        str(penguins_csv),
        "--target",
        "species",
        "--max-trials",
        "3",
        "--epochs",
        "60",
        "--patience",
        "60",
        "--project",
        str(project),
        "--quiet",
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    log = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        logs = list(project.glob("runs/*/trials.jsonl"))
        if logs and logs[0].read_text().count("\n") >= 1:
            log = logs[0]
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert log is not None, "the first trial should have finished before the kill"

    run = Project(project).runs()[0]
    first = run.trials()
    assert run.state()["status"] == "interrupted"
    assert 1 <= len(first) < 3

    resumed = resume_run(run)
    trials = resumed.trials()
    assert [t.trial_id for t in trials][: len(first)] == [t.trial_id for t in first]
    assert trials[0] == first[0]  # the finished trial is kept exactly, not re-run
    assert sorted(t.trial_id for t in trials) == ["0", "1", "2"]
    ended = [(t.trial_id, t.status.value, t.message) for t in trials]
    assert all(t.status is TrialStatus.COMPLETED for t in trials), ended
    assert resumed.state()["status"] == "completed" and resumed.model_path.exists()
    assert json.loads((resumed.path / "spec.json").read_text())["search"]["max_trials"] == 3


class _Killed(BaseException):
    """Stands in for SIGKILL inside the process: nothing after it runs, no handler catches it."""


def test_resume_keeps_the_first_trial_when_killed_right_after_logging_it(penguins_csv, tmp_path):
    """Killed after the first trial's log line, before keras-tuner wrote any state of its own.

    The subprocess test above hit this window by chance on CI: the resume started the search
    from scratch and ran trial 0 again."""

    def kill_when_the_first_trial_is_logged(event):
        if type(event).__name__ == "TrialEnded":
            raise _Killed

    with pytest.raises(_Killed):
        start_run(
            _spec(penguins_csv, trials=2, epochs=3),
            tmp_path / "p",
            Recorder(kill_when_the_first_trial_is_logged),
        )
    run = Project(tmp_path / "p").runs()[0]
    run.update_state(pid=999_999_999)  # the process that ran it is gone
    logged = run.trials()
    assert [t.trial_id for t in logged] == ["0"]

    recorder = Recorder()
    resume_run(run, recorder)
    assert [e.trial_id for e in recorder.of("TrialStarted")] == ["1"]  # only the missing one
    assert run.trials()[0] == logged[0]
    assert [t.trial_id for t in run.trials()] == ["0", "1"]
    assert run.state()["status"] == "completed"


def test_resume_adopts_a_trial_logged_but_not_saved_by_keras_tuner(penguins_csv, tmp_path):
    """The narrowest kill: after our trials.jsonl line, before keras-tuner saved the trial."""
    spec = _spec(penguins_csv, trials=2, epochs=3)
    run = start_run(spec, tmp_path / "p")
    logged = run.trials()
    tuner_dir = run.path / "keras_tuner"
    oracle = json.loads((tuner_dir / "oracle.json").read_text())
    oracle["ongoing_trials"] = {"tuner0": "1"}
    oracle["end_order"] = ["0"]
    (tuner_dir / "oracle.json").write_text(json.dumps(oracle))
    trial = json.loads((tuner_dir / "trial_1" / "trial.json").read_text())
    trial.update(status="RUNNING", score=None)
    (tuner_dir / "trial_1" / "trial.json").write_text(json.dumps(trial))
    state = json.loads((run.path / "state.json").read_text())
    state.update(status="running", pid=999_999_999)
    (run.path / "state.json").write_text(json.dumps(state))

    recorder = Recorder()
    resume_run(run, recorder)
    assert recorder.of("TrialStarted") == []  # nothing re-run
    assert run.trials() == logged
    assert run.state()["status"] == "completed" and run.model_path.exists()
