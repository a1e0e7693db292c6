"""Keras callbacks that turn training into events and obey the cancel token.

Neither overrides an `on_*_batch_end` hook: Keras hands those every batch's logs, converted
from tensors, which cost 10 % of samples/s on a 2-core CPU (bench/overhead.py measures the
whole of `dlstudio train` against bare Keras now). They use `on_train_batch_begin` instead,
which comes with no logs: a cancel check per batch is a flag read, and every ~100 ms the
running loss is read from the model's loss tracker. A NaN there stops the fit (Keras's
TerminateOnNaN would read every batch's loss, syncing each step).
"""

from __future__ import annotations

import math
import time

import keras

from dlstudio.core.engine.cancel import CancelToken
from dlstudio.core.events import BatchEnded, EpochEnded, EventSink

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


class StopCallback(keras.callbacks.Callback):
    """Stops training within one batch of a cancel or the deadline; remembers why."""

    def __init__(self, token: CancelToken) -> None:
        super().__init__()
        self.token = token
        self.reason: str | None = None

    def on_train_batch_begin(self, batch, logs=None):
        self._check()

    def on_epoch_end(self, epoch, logs=None):
        self._check()

    def _check(self) -> None:
        reason = self.token.stop_reason()
        if reason and self.model is not None:
            self.reason = reason
            self.model.stop_training = True


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
