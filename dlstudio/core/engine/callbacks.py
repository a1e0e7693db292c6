"""Keras callbacks that turn training into events, obey the cancel token and the budget, and
keep the best weights seen.

Neither overrides an `on_*_batch_end` hook: Keras hands those every batch's logs, converted
from tensors, which cost 10 % of samples/s on a 2-core CPU (bench/overhead.py measures the
whole of `dlstudio train` against bare Keras now). They use `on_train_batch_begin` instead,
which comes with no logs: a cancel check per batch is a flag read, and every ~100 ms the
running loss is read from the model's loss tracker. A NaN there stops the fit (Keras's
TerminateOnNaN would read every batch's loss, syncing each step).
"""

from __future__ import annotations

import math
import statistics
import time

import keras

from dlstudio.core.events import BatchEnded, EpochEnded, EventSink
from dlstudio.core.search.budget import TrialCost, TrialWindow, epochs_that_fit
from dlstudio.core.search.cancel import CancelToken

BATCH_EVENT_INTERVAL_S = 0.1


class EventCallback(keras.callbacks.Callback):
    """Emits EpochEnded every epoch and BatchEnded (the epoch's running loss) every ~100 ms;
    stops training once that loss is NaN or infinite."""

    def __init__(self, sink: EventSink, trial_id: str, epochs: int) -> None:
        super().__init__()
        self.sink = sink
        self.trial_id = trial_id
        self.epochs = epochs
        self.history: dict[str, list[float]] = {}
        self._epoch = 0
        self._last_batch_event = 0.0
        self._steps: int | None = None

    def on_train_begin(self, logs=None):
        self._steps = (self.params or {}).get("steps")

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        now = time.monotonic()
        if batch == 0 or now - self._last_batch_event < BATCH_EVENT_INTERVAL_S:
            return  # at batch 0 the tracker still holds nothing of this epoch
        self._last_batch_event = now
        loss = _running_loss(self.model)
        if loss is not None:
            self.sink(BatchEnded(self.trial_id, self._epoch, batch, self._steps, loss))
            if not math.isfinite(loss):
                self.model.stop_training = True  # the epoch's logs carry the NaN into history

    def on_epoch_end(self, epoch, logs=None):
        metrics = {k: float(v) for k, v in (logs or {}).items() if _is_number(v)}
        for name, value in metrics.items():
            self.history.setdefault(name, []).append(value)
        self.sink(EpochEnded(self.trial_id, epoch, self.epochs, metrics))


class TrialInterrupted(Exception):
    """Raised from a callback to leave `fit` at once, skipping the epoch's validation pass.

    `reason` is "cancelled", "time_limit" or "too_slow"; `message` says it in plain words."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class BestEpoch(keras.callbacks.Callback):
    """Early stopping that always ends on the best weights seen.

    Keras's EarlyStopping restores the best weights only when it stopped the training itself;
    when the epochs run out, the budget ends a trial or the deadline cuts it, the last epoch's
    weights would stay. This keeps a copy of the weights at every improvement of `monitor` and
    puts them back whenever training ends (or when asked, after an interruption).
    """

    def __init__(self, monitor: str, direction: str, patience: int) -> None:
        super().__init__()
        self.monitor = monitor
        self.better = (lambda a, b: a > b) if direction == "max" else (lambda a, b: a < b)
        self.patience = patience
        self.best: float | None = None
        self.best_epoch: int | None = None
        self._weights = None
        self._wait = 0
        self.stopped_early = False

    @property
    def has_best(self) -> bool:
        return self._weights is not None

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or not math.isfinite(float(value)):
            self._wait += 1
        elif self.best is None or self.better(float(value), self.best):
            self.best, self.best_epoch, self._wait = float(value), epoch, 0
            # Keyed by path, not by position: unfreezing a backbone to fine-tune reorders
            # model.weights (trainable ones first), and a positional copy would land wrong.
            self._weights = {v.path: keras.ops.convert_to_numpy(v) for v in self.model.weights}
        else:
            self._wait += 1
        if self._wait >= self.patience and self.has_best:
            self.stopped_early = True
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.restore(self.model)

    def restore(self, model) -> None:
        if self._weights is not None:
            for variable in model.weights:
                if variable.path in self._weights:
                    variable.assign(self._weights[variable.path])


class StopCallback(keras.callbacks.Callback):
    """Stops training within one batch of a cancel or the deadline; remembers why.

    When some epoch has already been validated (in this trial or an earlier one), it leaves
    `fit` at once by raising TrialInterrupted: the partial epoch's validation pass would only
    delay the stop. When none has, it lets Keras validate the partial epoch, so that even a
    budget too short for one epoch ends with a model (labelled as partial)."""

    def __init__(self, token: CancelToken, best: BestEpoch, has_model: bool) -> None:
        super().__init__()
        self.token = token
        self.best = best
        self.has_model = has_model  # an earlier trial already gave a model
        self.reason: str | None = None
        self.mid_epoch = False  # stopped between batches: the last epoch recorded is partial

    def on_train_batch_begin(self, batch, logs=None):
        self._check(interrupt=True)

    def on_epoch_end(self, epoch, logs=None):
        self._check(interrupt=False)

    def _check(self, interrupt: bool) -> None:
        reason = self.token.stop_reason()
        if not reason or self.model is None:
            return
        self.reason = reason
        self.model.stop_training = True
        self.mid_epoch = interrupt
        if interrupt and (self.best.has_best or self.has_model):
            what = (
                "cancelled by the user" if reason == "cancelled" else "cut short by the time limit"
            )
            raise TrialInterrupted(reason, what)


class EpochBudget(keras.callbacks.Callback):
    """Sizes a trial to its share of the budget: estimates the epoch time from the first
    batches (and shows the epochs that will fit), then ends the trial at an epoch boundary once
    another epoch would not fit (the first trial may go on into its stretch while one of its
    last three epochs was its best). A trial whose first epoch alone would overrun its share is given up
    at once when an earlier trial already gave a model.

    Args:
        window: When this trial should end (`time.monotonic()` values).
        wall: When the search must end (`time.monotonic()`), None without one.
        has_model: An earlier trial already gave a model.
        events: The trial's EventCallback, whose epoch count the live view shows.
        best: The trial's BestEpoch, which says whether it still improves.
        validation_ratio: Validation rows per training row (the validation pass is timed
            from the first epoch on; before that it is estimated from this).
    """

    ESTIMATE_AFTER_S = 0.5  # of steady batches (the first, which traces the graph, excluded)
    ESTIMATE_AFTER_BATCHES = 20

    def __init__(
        self,
        window: TrialWindow,
        wall: float | None,
        has_model: bool,
        events,
        best: BestEpoch,
        validation_ratio: float,
    ) -> None:
        super().__init__()
        self.wall = wall
        self.has_model = has_model
        self.trial_deadline = window.end
        self.stretch = window.stretch
        self.best = best
        self.events = events
        self.most = events.epochs  # the user's maximum; the plan shows fewer when fewer fit
        self.validation_ratio = validation_ratio
        self.trial_started = time.monotonic()
        self.epoch_times: list[float] = []
        self.estimate_s: float | None = None
        self.stopped_for_budget = False
        self._steps: int | None = None
        self._epoch_started = self.trial_started
        self._second_batch: float | None = None

    def on_train_begin(self, logs=None):
        self._steps = (self.params or {}).get("steps")
        self._second_batch = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_started = time.monotonic()

    def on_train_batch_begin(self, batch, logs=None):
        if self.estimate_s is not None or not self._steps or batch < 1:
            return
        now = time.monotonic()
        if batch == 1:
            self._second_batch = now
            return
        measured = now - self._second_batch
        last = batch == self._steps - 1
        if measured < self.ESTIMATE_AFTER_S and batch < self.ESTIMATE_AFTER_BATCHES and not last:
            return
        per_batch = measured / (batch - 1)
        # Validation is a forward pass only: about a third of a training step per row.
        self.estimate_s = per_batch * self._steps * (1 + self.validation_ratio / 3)
        self._plan_epochs(self.estimate_s)
        if self.has_model and self._epoch_started + self.estimate_s > self.trial_deadline:
            raise TrialInterrupted(
                "too_slow",
                f"given up: one epoch needs about {self.estimate_s:.0f} s, more than the "
                f"{max(0.0, self.trial_deadline - self._epoch_started):.0f} s left for this trial",
            )

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        self.epoch_times.append(now - self._epoch_started)
        epoch_s = self.epoch_s()
        self._plan_epochs(epoch_s, done=epoch + 1)
        more_to_go = epoch + 1 < self.most and not self.model.stop_training
        # An epoch of a few batches is timed only by whole epochs, and the first one also
        # traced the graphs: until a second ends, only the search's own deadline stops it.
        trusted = len(self.epoch_times) > 1 or self.estimate_s is not None
        deadline = self.trial_deadline if trusted else (self.wall or self.trial_deadline)
        improving = self.best.best_epoch is not None and self.best.best_epoch >= epoch - 2
        if self.stretch is not None and improving:
            deadline = max(deadline, self.stretch)
        if more_to_go and now + epoch_s > deadline:
            self.stopped_for_budget = True
            self.model.stop_training = True

    def _plan_epochs(self, epoch_s: float, done: int = 0) -> None:
        if done >= self.most:
            return
        left = self.trial_deadline - time.monotonic()
        fitting = epochs_that_fit(left, epoch_s, self.most - done) if left > epoch_s else 0
        self.events.epochs = max(done + fitting, 1)

    def epoch_s(self) -> float:
        """The steady cost of an epoch. The first epoch also traces the model into graphs
        (a second or more for a small model), so until a second one ends the estimate from its
        steady batches stands for it."""
        if len(self.epoch_times) > 1:
            return statistics.median(self.epoch_times[1:])
        if self.estimate_s is not None:
            return self.estimate_s
        return self.epoch_times[0] if self.epoch_times else 0.0

    def cost(self, converged: bool) -> TrialCost | None:
        """This trial's measured cost, to plan the next ones; `converged`: it ended by itself
        (early stopping or its last epoch), not by the budget or an interruption."""
        epoch_s = self.epoch_s()
        if epoch_s <= 0:
            return None
        spent = time.monotonic() - self.trial_started
        overhead = max(0.0, spent - epoch_s * len(self.epoch_times))
        return TrialCost(epoch_s, overhead, spent if converged else None)


def _running_loss(model) -> float | None:
    """The mean training loss of the epoch so far, from Keras's own loss tracker."""
    tracker = next((m for m in getattr(model, "metrics", []) if m.name == "loss"), None)
    if tracker is None:
        return None
    return float(keras.ops.convert_to_numpy(tracker.result()))


def _is_number(value) -> bool:
    """Floats, NaN included (a NaN loss is worth recording); not flags or strings."""
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool)
