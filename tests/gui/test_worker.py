"""The app's training process: cancelled on request, and a crash is said, never a hang."""

from __future__ import annotations

import pytest

from dlstudio.core.config import DataSpec, RunSpec, TrainSpec
from dlstudio.core.events import EpochEnded, RunFailed, RunFinished, RunStatus
from dlstudio.gui.worker import RunController

pytestmark = pytest.mark.slow


def _long_run(csv) -> RunSpec:
    return RunSpec(DataSpec(str(csv), "species"), train=TrainSpec(epochs=500, patience=500))


def _start_and_wait_for_an_epoch(qtbot, controller, spec, project, got) -> None:
    controller.events.connect(got.extend)
    controller.start(spec, str(project))
    qtbot.waitUntil(lambda: any(isinstance(e, EpochEnded) for e in got), timeout=120_000)


def test_cancel_stops_the_training_process_and_keeps_the_run(qtbot, tmp_path, penguins_csv):
    controller, got = RunController(), []
    _start_and_wait_for_an_epoch(qtbot, controller, _long_run(penguins_csv), tmp_path, got)
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        controller.cancel()
    finished = [e for e in got if isinstance(e, RunFinished)]
    assert finished and finished[0].status is RunStatus.CANCELLED
    assert not controller.is_running()


def test_a_training_process_that_dies_is_reported(qtbot, tmp_path, penguins_csv):
    controller, got = RunController(), []
    _start_and_wait_for_an_epoch(qtbot, controller, _long_run(penguins_csv), tmp_path, got)
    with qtbot.waitSignal(controller.finished, timeout=60_000):
        controller._process.kill()  # as the OS's out-of-memory killer would
    failures = [e for e in got if isinstance(e, RunFailed)]
    assert failures and "ended unexpectedly" in failures[-1].message
    assert "resumed" in failures[-1].message
