"""One trial's training, watched the same way in every family: events for the live curves, the
best epoch's weights kept (and put back however training ends), a stop within a batch of a
cancel or the wall, and the trial sized to its share of the budget (its plan's seconds). What
the watch saw becomes the trial's status, message and cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from dlstudio.core.engine.callbacks import (
    BestEpoch,
    EpochBudget,
    EventCallback,
    StopCallback,
    TrialInterrupted,
)
from dlstudio.core.events import EventSink, TrialStatus
from dlstudio.core.search.budget import TrialCost
from dlstudio.core.search.cancel import CANCELLED, CancelToken
from dlstudio.core.search.trials import TrialPlan


@dataclass
class TrialWatch:
    """One trial's callbacks, and how its training ended."""

    events: EventCallback
    best: BestEpoch
    stopper: StopCallback
    budget: EpochBudget | None
    interrupted: tuple[str, str] | None = None  # (reason, message) when it did not finish

    @classmethod
    def create(
        cls,
        plan: TrialPlan,
        sink: EventSink,
        token: CancelToken,
        objective: str,
        direction: str,
        patience: int,
        validation_ratio: float,
    ) -> TrialWatch:
        """The watch of `plan`'s trial, keeping its best `objective` (a key of Keras's logs).
        `validation_ratio`: validation rows per training row (to time an epoch early)."""
        events = EventCallback(sink, plan.trial_id, plan.epochs)
        best = BestEpoch(objective, direction, patience)
        budget = None
        window = plan.window()
        if window is not None:
            budget = EpochBudget(
                window, plan.wall(), plan.has_model, events, best, validation_ratio
            )
        return cls(events, best, StopCallback(token, best, plan.has_model), budget)

    def callbacks(self, *extra) -> list:
        # Order matters at each epoch's end: the history and the best weights are recorded
        # before anything decides to stop.
        return [self.events, self.best, self.stopper, *extra] + (
            [self.budget] if self.budget else []
        )

    def run(self, fit, *args, **kwargs) -> bool:
        """Call `fit`; False if a callback interrupted it (the reason is kept)."""
        try:
            fit(*args, **kwargs)
        except TrialInterrupted as stop:
            self.interrupted = (stop.reason, stop.message)
            return False
        if self.stopper.reason:
            cancelled = self.stopper.reason == CANCELLED
            message = "cancelled by the user" if cancelled else "cut short by the time limit"
            if self.stopper.mid_epoch:
                epochs = len(self.events.history.get("loss", []))
                message += f" part-way through epoch {epochs}"
            self.interrupted = (self.stopper.reason, message)
            return False
        return True

    @property
    def stopped(self) -> bool:
        return self.interrupted is not None

    @property
    def history(self) -> dict:
        return self.events.history

    def status(self) -> tuple[TrialStatus, str]:
        """How the trial ended, and why in words: completed (and why before its last epoch,
        if it did), cut short or cancelled."""
        if self.interrupted is None:
            return TrialStatus.COMPLETED, self.ending()
        reason, message = self.interrupted
        status = TrialStatus.CANCELLED if reason == CANCELLED else TrialStatus.CUT_SHORT
        return status, message

    @property
    def cut_mid_epoch(self) -> bool:
        """Stopped between batches, after at least one epoch: the last one recorded is partial."""
        return self.stopped and self.stopper.mid_epoch and bool(self.history.get("loss"))

    def cost(self) -> TrialCost | None:
        """What the trial cost, for planning the next ones (None without a budget)."""
        if self.budget is None:
            return None
        converged = not self.stopped and not self.budget.stopped_for_budget
        return self.budget.cost(converged)

    def ending(self) -> str:
        """Why a finished trial ended before its maximum of epochs, if it did."""
        epochs = plural(len(self.history.get("loss", [])), "epoch")
        if self.best.stopped_early:
            return (
                f"stopped early after {epochs}: no better score in the last "
                f"{plural(self.best.patience, 'epoch')}"
            )
        if self.budget is not None and self.budget.stopped_for_budget:
            return f"stopped after {epochs} to fit its share of the time budget"
        return ""


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")
