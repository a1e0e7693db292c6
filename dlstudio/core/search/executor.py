"""Where trials are fitted. The search runner (search/runner.py) hands each trial's plan to an
executor and waits for its outcome; which process, machine or GPU fits it is the executor's
business. Today's executor fits the trial here, in the runner's own thread; one that fits them
elsewhere (Ray actors, one per GPU) takes the same plans and gives back the same outcomes,
both of which pickle (search/trials.py).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Protocol

from dlstudio.core.events import EventSink
from dlstudio.core.search.cancel import CancelToken
from dlstudio.core.search.trials import TrialOutcome, TrialPlan

# Fits one trial: its plan, where its events go, and the token that stops it.
FitTrial = Callable[[TrialPlan, EventSink, CancelToken], TrialOutcome]


class TrialExecutor(Protocol):
    """Fits the trials the runner plans.

    `slots` is how many trials it fits at once (the budget plan sizes each trial knowing it);
    `submit` starts one and returns a future of its outcome.
    """

    slots: int

    def submit(self, plan: TrialPlan) -> Future: ...

    def close(self) -> None: ...


class InProcessExecutor:
    """Fits each trial in the calling thread, one at a time: `submit` returns once the trial
    has ended, with a finished future. Its events go straight to the run's sink, and the
    run's own token stops it (a user's cancel, the budget's wall)."""

    slots = 1

    def __init__(self, fit: FitTrial, sink: EventSink, token: CancelToken) -> None:
        self.fit = fit
        self.sink = sink
        self.token = token

    def submit(self, plan: TrialPlan) -> Future:
        future: Future = Future()
        try:
            future.set_result(self.fit(plan, self.sink, self.token))
        except Exception as error:  # noqa: BLE001  (the runner's to raise, from .result())
            future.set_exception(error)
        return future

    def close(self) -> None:
        pass


def executor_for(fit: FitTrial, sink: EventSink, token: CancelToken) -> TrialExecutor:
    """The executor a run fits its trials with: in this process, for now (one where trials
    run in parallel, on several GPUs or a cluster, takes the same plans)."""
    return InProcessExecutor(fit, sink, token)
