"""A run the user stopped goes on where it stopped: the window's quit dialog promises it."""

from __future__ import annotations

import pytest

from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.engine.cancel import CancelToken
from dlstudio.core.engine.run import resume_run, start_run
from dlstudio.core.events import RunStatus, TrialStatus
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
