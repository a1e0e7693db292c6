"""The seam between the search runner and whatever fits a trial (search/executor.py): what
crosses it pickles, the fitting side never writes in the run folder, and a search whose every
plan and outcome went through pickle, with a token of its own built from the plan's seconds,
ends as an in-process one does. This is what an executor on other processes, GPUs or machines
relies on."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SearchSpec, SplitSpec, TrainSpec
from dlstudio.core.engine.run import resume_run, start_run
from dlstudio.core.events import TrialStatus
from dlstudio.core.project import Project
from dlstudio.core.search import executor as executors
from dlstudio.core.search.cancel import CancelToken
from dlstudio.core.search.executor import InProcessExecutor
from tests.core.engine.conftest import Recorder
from tests.test_cli_forecast import seasonal_csv

pytestmark = pytest.mark.slow


class _Elsewhere(InProcessExecutor):
    """Fits each trial as a remote executor would: the fitting side is a pickled copy (sent
    once, as to an actor), each plan and outcome is pickled on the way, the trial's events come
    back afterwards, and its token is its own, built from the plan's seconds to the wall."""

    plans: list = []  # every plan that crossed, for the test to read

    def __init__(self, fit, sink, token) -> None:
        owner = getattr(fit, "__self__", None)
        if owner is not None:  # a bound method: the whole fitting side goes over
            fit = getattr(pickle.loads(pickle.dumps(owner)), fit.__name__)
        super().__init__(fit, sink, token)
        self.run_files_before: list[set] = []

    def submit(self, plan):
        plan = pickle.loads(pickle.dumps(plan))
        self.plans.append(plan)
        events = []
        token = CancelToken(plan.wall_s)
        before = _files(self._run_folder)
        outcome = self.fit(plan, events.append, token)
        assert _files(self._run_folder) == before, "the fitting side wrote in the run folder"
        outcome = pickle.loads(pickle.dumps(outcome))
        for event in pickle.loads(pickle.dumps(events)):
            self.sink(event)
        future = executors.Future()
        future.set_result(outcome)
        return future


def _files(folder: Path) -> set:
    return {(p, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def elsewhere(monkeypatch, tmp_path):
    _Elsewhere.plans = []

    def make(fit, sink, token):
        executor = _Elsewhere(fit, sink, token)
        executor._run_folder = next((tmp_path / "p" / "runs").iterdir())
        return executor

    monkeypatch.setattr(executors, "executor_for", make)
    return _Elsewhere


def test_a_hyperband_search_whose_trials_cross_the_seam_ends_with_a_model(
    penguins_csv, tmp_path, elsewhere
):
    spec = RunSpec(
        DataSpec(str(penguins_csv), target="species"),
        train=TrainSpec(epochs=3, patience=3),
        search=SearchSpec("hyperband", max_trials=6, time_limit_s=600, ensemble=False),
    )
    recorder = Recorder()
    run = start_run(spec, tmp_path / "p", recorder)

    trials = run.trials()
    assert len(elsewhere.plans) == len(trials) >= 3
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    # Hyperband's next rung went on from the earlier rung's weights, sent as bytes.
    continued = [p for p in elsewhere.plans if "tuner/trial_id" in p.values]
    assert continued and all(isinstance(p.warm_start, bytes) for p in continued)
    assert all(p.initial_epoch > 0 for p in continued)
    # Every plan carried seconds, not this process's clock.
    assert all(p.seconds is not None and 0 < p.seconds <= 600 for p in elsewhere.plans)
    # The runner wrote what the trials kept, and the run's model came from it.
    state = run.state()
    assert state["status"] == "completed" and run.model_path.exists()
    assert (run.path / "keras_tuner" / f"trial_{state['best_trial_id']}").is_dir()
    assert len(recorder.of("EpochEnded")) == sum(t.epochs for t in trials)


def test_a_forecast_search_across_the_seam_resumes_from_its_log(tmp_path, elsewhere):
    data = seasonal_csv(tmp_path / "visitors.csv", points=120)
    spec = RunSpec(
        DataSpec(
            str(data), target="Visitors", task="forecast", split=SplitSpec(time_column="Month")
        ),
        ModelSpec(template="dense_lags"),
        train=TrainSpec(epochs=2),
        search=SearchSpec("random", max_trials=3),
    )
    stopped = Recorder()
    token = CancelToken()

    def stop_after_two(event):
        if type(event).__name__ == "TrialEnded" and len(stopped.of("TrialEnded")) == 2:
            token.cancel()

    stopped.on_event = stop_after_two
    run = start_run(spec, tmp_path / "p", stopped, token)
    first = run.trials()
    assert len(first) == 2 and run.state()["status"] == "cancelled"

    resume_run(Project(tmp_path / "p").runs()[0])
    after = run.trials()
    assert [t.trial_id for t in after] == ["0", "1", "2"] and after[:2] == first
    assert run.state()["status"] == "completed" and run.model_path.exists()
