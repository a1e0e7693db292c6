"""A run the user stopped goes on where it stopped: the window's quit dialog promises it."""

from __future__ import annotations

import pytest

from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.engine.run import resume_run, start_run
from dlstudio.core.events import RunStatus, TrialStatus
from dlstudio.core.search.cancel import CancelToken
from tests.core.engine.conftest import Recorder

pytestmark = pytest.mark.slow


def test_a_cancelled_search_resumes_without_redoing_finished_trials(penguins_csv, tmp_path):
    spec = RunSpec(
        DataSpec(str(penguins_csv), target="species"),
        train=TrainSpec(epochs=4, patience=4),
        search=SearchSpec("random", max_trials=3),
    )
    token = CancelToken()

    def stop_in_the_second_trial(event):
        if type(event).__name__ == "EpochEnded" and event.trial_id == "1" and event.epoch == 1:
            token.cancel()

    run = start_run(spec, tmp_path / "p", Recorder(stop_in_the_second_trial), token)
    before = run.trials()
    assert run.state()["status"] == "cancelled"
    assert [t.status for t in before] == [TrialStatus.COMPLETED, TrialStatus.CANCELLED]

    again = Recorder()
    resume_run(run, again)
    after = run.trials()
    assert run.state()["status"] == "completed" and run.model_path.exists()
    assert [t.trial_id for t in after] == ["0", "1", "2"]
    assert all(t.status is TrialStatus.COMPLETED for t in after)
    assert after[0] == before[0]  # kept as it was, not trained again
    assert again.of("RunStarted")[0].resumed_trials == 1  # the stopped one is not counted
    assert [e.record.trial_id for e in again.of("TrialEnded")] == ["1", "2"]
    assert again.of("RunFinished")[0].status is RunStatus.COMPLETED


def test_a_repeat_after_a_resume_is_given_the_time_its_original_took(
    penguins_csv, tmp_path, monkeypatch
):
    from dlstudio.core.models.space import default_space, defaults
    from dlstudio.core.search import runner as runner_module
    from dlstudio.core.search.budget import BudgetPlan

    # Two configurations, the second one hopeless (it cannot learn in 4 epochs), so that the
    # best one, which a repeat trains again, is trial 0: finished before the stop.
    start = defaults(default_space("mlp", "multiclass"))
    space = {name: {"type": "fixed", "value": value} for name, value in start.items()}
    space["learning_rate"] = {"type": "choice", "values": [start["learning_rate"], 1e-7]}
    spec = RunSpec(
        DataSpec(str(penguins_csv), target="species"),
        train=TrainSpec(epochs=4, patience=4),
        search=SearchSpec("random", max_trials=3, time_limit_s=600, space=space),
    )
    token = CancelToken()

    def stop_in_the_second_trial(event):
        if type(event).__name__ == "EpochEnded" and event.trial_id == "1" and event.epoch == 1:
            token.cancel()

    run = start_run(spec, tmp_path / "p", Recorder(stop_in_the_second_trial), token)
    [first] = [t for t in run.trials() if t.status is TrialStatus.COMPLETED]

    given = []
    plain = BudgetPlan.start_trial
    monkeypatch.setattr(
        BudgetPlan,
        "start_trial",
        lambda plan, needs_s=None: given.append(needs_s) or plain(plan, needs_s),
    )
    monkeypatch.setattr(runner_module, "REPEAT_AFTER_SHARE", 0.0)  # repeats from the start
    again = Recorder()
    resume_run(run, again)

    repeats = [e.text for e in again.of("RunMessage") if "configuration again" in e.text]
    assert repeats and "trial 1's configuration" in repeats[0]  # trial 0, numbered from 1
    # Trial 1 ran again (no earlier time to go by), then trial 2 repeated trial 0 with the time
    # trial 0 had taken, read back from the run's log.
    assert given == [None, pytest.approx(first.duration_s, abs=0.01)]
