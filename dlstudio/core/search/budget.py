"""Planning a search inside its wall-clock budget.

The budget is a hard wall (the CancelToken's deadline stops the running batch); this plan keeps
a search from running into it. It holds back a reserve for saving and evaluating the winner,
gives the first trial (the known-good configuration) the larger share, splits what is left
among the trials that fit, and tells a trial when another epoch no longer fits in its share.
What a trial costs is measured, not guessed: each trial reports its epoch time and its fixed
cost (building the model, tracing it) as it ends.

Pure Python, no Keras: the arithmetic is tested with a fake clock.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

# Shares of the budget. The first trial is the one most likely to be good, and on a short
# budget the only one that can train long enough to be; the others split the rest. While it
# is still improving it may go on up to the larger share: another configuration, trained for a
# few epochs, would not beat it (clothing photos in 30 s: 10 epochs gave 13 % test accuracy,
# 16 gave 21 %).
FIRST_TRIAL_SHARE = 0.6
FIRST_TRIAL_STRETCH = 0.9
# A trial shorter than this many epochs rarely beats one that trained properly.
EPOCHS_WORTH_A_TRIAL = 3
# Held back from the search for rebuilding, evaluating and saving the winner.
RESERVE_SHARE = 0.1
RESERVE_MIN_S = 2.0
RESERVE_MAX_S = 20.0
# A repeated configuration may take this much longer than it did the first time (its early
# stopping may come later from other starting weights).
REPEAT_SLACK = 1.25
# A run that ends by averaging its best trials (ensemble.py) rebuilds up to this many networks.
AVERAGED_MOST = 5
# At most this share of the search is kept free for rebuilding them beyond the reserve.
CLOSING_MOST_SHARE = 0.15


def reserve_for(budget_s: float, least_s: float = RESERVE_MIN_S) -> float:
    """Seconds of a budget kept for the end of the run (never more than half of it); a family
    whose ending takes longer (a forecast's backtest) says the least it needs."""
    return min(budget_s / 2, max(least_s, min(RESERVE_MAX_S, RESERVE_SHARE * budget_s)))


@dataclass(frozen=True)
class TrialWindow:
    """When a trial should end (`end`), and until when it may go on while it still improves
    (`stretch`, the first trial only)."""

    end: float
    stretch: float | None = None


@dataclass(frozen=True)
class TrialCost:
    """What one trial cost: per epoch, and once (build, tracing, the first batch); and, when it
    ended by itself (early stopping or its last epoch), its whole duration."""

    epoch_s: float
    overhead_s: float
    converged_s: float | None = None


class BudgetPlan:
    """How long each trial of a search may train, given the search's deadline.

    Args:
        deadline: `time.monotonic()` value by which the search must end, or None (no budget).
        max_trials: Trials the search may still start.
        clock: A stand-in for `time.monotonic` in tests.
        slots: How many trials run at once (the executor's slots): each may take that many
            times the share one trial at a time would get.
    """

    def __init__(
        self,
        deadline: float | None,
        max_trials: int,
        clock: Callable[[], float] = time.monotonic,
        averaging: tuple[float, float] | None = None,
        slots: int = 1,
    ) -> None:
        self.deadline = deadline
        self.slots = max(1, int(slots))
        self.trials_left = max_trials
        self.clock = clock
        self.started = clock()
        self.costs: list[TrialCost] = []
        self.has_model = False  # a trial has a validated epoch: a later one need not be waited for
        # When the run ends by averaging its best trials: the seconds it has after the search's
        # deadline, and the share of them the average may take (None: it does not average).
        # What averaging needs beyond that is `closing_s`, kept free of trials at the end of
        # the search (measured: see record).
        self.averaging = averaging
        self.closing_s = 0.0

    def time_left(self) -> float | None:
        """Seconds trials may still use: to the search's deadline, less the closing time."""
        if self.deadline is None:
            return None
        return self.deadline - self.closing_s - self.clock()

    def share_spent(self) -> float | None:
        """How much of the search's time is gone, from 0 to 1 (None: no budget)."""
        if self.deadline is None:
            return None
        whole = self.deadline - self.started
        return 1.0 if whole <= 0 else min(1.0, max(0.0, (self.clock() - self.started) / whole))

    def record(self, cost: TrialCost | None, scored: bool) -> None:
        """A trial ended: remember its cost (if it measured one) and whether it has a score."""
        if cost is not None and cost.epoch_s > 0:
            self.costs.append(cost)
        self.has_model |= scored
        if self.averaging is not None and self.costs and self.deadline is not None:
            # Rebuilding a trained network and passing the validation and test rows through
            # it costs about what a trial's set-up does (build, tracing, first batch). A
            # newsgroups search whose rebuilds took 2.8 s each found an average 31 % better on
            # validation and had no time left to build it.
            after_s, share = self.averaging
            setup = statistics.median(c.overhead_s for c in self.costs)
            needed = (AVERAGED_MOST - 1) * setup / share - after_s
            most = CLOSING_MOST_SHARE * (self.deadline - self.started)
            self.closing_s = min(most, max(0.0, needed))

    def start_trial(self, needs_s: float | None = None) -> TrialWindow | None:
        """When the trial starting now should end (None: no budget). A trial that repeats
        an earlier configuration says what that one took (`needs_s`) and gets it, as far as
        the budget goes: cut to the typical trial's share, a repeat would be a worse network
        of the same configuration."""
        left = self.time_left()
        self.trials_left = max(0, self.trials_left - 1)
        if left is None:
            return None
        left, now = max(0.0, left), self.clock()
        if needs_s is not None:
            return TrialWindow(now + min(left, needs_s * REPEAT_SLACK))
        if not self.costs:
            if self.trials_left == 0:
                return TrialWindow(now + left)
            return TrialWindow(now + left * FIRST_TRIAL_SHARE, now + left * FIRST_TRIAL_STRETCH)
        # With several trials at once, the time left is run through in rounds of `slots`.
        fitting = max(1, math.floor(left / self.typical_trial_s())) * self.slots
        rounds = math.ceil(min(self.trials_left + 1, fitting) / self.slots)
        return TrialWindow(now + left / rounds)

    def typical_trial_s(self) -> float:
        """How long a trial takes to train to its best: the trials that ended by themselves
        say it; until one has, the smallest trial worth running stands for it."""
        converged = [c.converged_s for c in self.costs if c.converged_s]
        return statistics.median(converged) if converged else self.smallest_trial_s()

    def smallest_trial_s(self) -> float:
        """What a trial worth running costs: its fixed part and a few epochs (typical values)."""
        epoch = statistics.median(c.epoch_s for c in self.costs)
        overhead = statistics.median(c.overhead_s for c in self.costs)
        return overhead + EPOCHS_WORTH_A_TRIAL * epoch

    def why_not_another_trial(self) -> str | None:
        """None if another trial fits in what is left, else why not, in plain words."""
        left = self.time_left()
        if left is None or not self.costs or not self.has_model:
            return None  # without a model, any time left is worth a try
        needed = self.smallest_trial_s()
        if left >= needed:
            return None
        kept = (
            f" A further {self.closing_s:.0f} s are kept for averaging the best trials."
            if self.closing_s >= 1
            else ""
        )
        return (
            f"The {max(0.0, left):.0f} s left of the budget are too short for another trial "
            f"(one needs about {needed:.0f} s: {EPOCHS_WORTH_A_TRIAL} epochs and the set-up), "
            f"so the search ends here.{kept}"
        )


def epochs_that_fit(seconds: float, epoch_s: float, most: int) -> int:
    """Whole epochs of `epoch_s` within `seconds`, at least 1 and at most `most`."""
    if epoch_s <= 0:
        return most
    return max(1, min(most, math.floor(seconds / epoch_s)))
