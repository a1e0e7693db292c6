"""What crosses between the search runner and whatever fits a trial: a plan going out, an
outcome coming back. Both pickle, so a trial can be fitted in another process or on another
machine (a trial executor, search/executor.py): the plan holds seconds, not this process's
`time.monotonic()` deadlines, and the outcome holds the trial's record and what it keeps (its
weights or model) as values, never paths into the run folder, which only the runner writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from dlstudio.core.events import TrialRecord
from dlstudio.core.search.budget import TrialCost, TrialWindow


@dataclass(frozen=True)
class TrialPlan:
    """One trial to fit.

    Attributes:
        trial_id: The trial's id in the run's log.
        number: Its number as the user sees it (1 for the first).
        values: Its hyperparameters as the oracle gave them (keras-tuner's "tuner/…" entries
            included: Hyperband's rung and the trial it continues).
        shown: The same as the family shows them to the user.
        epochs: The most epochs it may train to.
        initial_epoch: Where its training starts (Hyperband's next rung goes on from there).
        seconds: Its share of the budget (None: no budget).
        stretch_s: How long it may go on while it still improves (the first trial only).
        wall_s: Seconds to the search's hard wall (None: none).
        has_model: An earlier trial already gave a model, so this one may be given up once it
            clearly will not fit, and stopped mid-epoch by the wall.
        warm_start: What the trial continues from (Hyperband: the earlier rung's weights), as
            the family's runner side read it; None to start fresh.
        repeat_of: The trial whose configuration this one trains again, if any.
        seed: The seed this trial starts from.
    """

    trial_id: str
    number: int
    values: dict
    shown: dict
    epochs: int
    initial_epoch: int = 0
    seconds: float | None = None
    stretch_s: float | None = None
    wall_s: float | None = None
    has_model: bool = False
    warm_start: object = None
    repeat_of: str | None = None
    seed: int = 0

    def window(self, now: float | None = None) -> TrialWindow | None:
        """When the trial should end, on this process's monotonic clock (None: no budget)."""
        if self.seconds is None:
            return None
        now = time.monotonic() if now is None else now
        stretch = None if self.stretch_s is None else now + self.stretch_s
        return TrialWindow(now + self.seconds, stretch)

    def wall(self, now: float | None = None) -> float | None:
        """The search's hard wall on this process's monotonic clock (None: none)."""
        if self.wall_s is None:
            return None
        return (time.monotonic() if now is None else now) + self.wall_s


@dataclass
class TrialOutcome:
    """How a trial ended.

    Attributes:
        record: Its line in the run's log.
        cost: What it cost (per epoch and once), for planning the next trials; None when it
            measured none.
        kept: What the family keeps of it (weights, a model, files as bytes): handed to the
            family's runner side, which stores it in the run folder.
        details: A failure's full text (a traceback), for the run's log.
    """

    record: TrialRecord
    cost: TrialCost | None = None
    kept: object = None
    details: str = ""
