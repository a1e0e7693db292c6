"""Keras callbacks that turn training into events and obey the cancel token.

Both declare `async_safe = True`: Keras then runs their batch hooks on a helper thread instead
of waiting for each batch's numbers, so listening costs (almost) no training speed.
"""

from __future__ import annotations

import time

import keras

from dlstudio.core.engine.cancel import CancelToken
from dlstudio.core.events import BatchEnded, EpochEnded, EventSink

BATCH_EVENT_INTERVAL_S = 0.1


class EventCallback(keras.callbacks.Callback):
    """Emits EpochEnded every epoch and BatchEnded at most every 100 ms."""

    async_safe = True

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

    def on_train_batch_end(self, batch, logs=None):
        now = time.monotonic()
        if now - self._last_batch_event < BATCH_EVENT_INTERVAL_S or not logs:
            return
        self._last_batch_event = now
        loss = logs.get("loss")
        if loss is not None:
            self.sink(BatchEnded(self.trial_id, self._epoch, batch, self._steps, float(loss)))

    def on_epoch_end(self, epoch, logs=None):
        metrics = {k: float(v) for k, v in (logs or {}).items() if _is_number(v)}
        for name, value in metrics.items():
            self.history.setdefault(name, []).append(value)
        self.sink(EpochEnded(self.trial_id, epoch, self.epochs, metrics))


class StopCallback(keras.callbacks.Callback):
    """Stops training within one batch of a cancel or the deadline; remembers why."""

    async_safe = True

    def __init__(self, token: CancelToken) -> None:
        super().__init__()
        self.token = token
        self.reason: str | None = None

    def on_train_batch_end(self, batch, logs=None):
        self._check()

    def on_epoch_end(self, epoch, logs=None):
        self._check()

    def _check(self) -> None:
        reason = self.token.stop_reason()
        if reason and self.model is not None:
            self.reason = reason
            self.model.stop_training = True


def _is_number(value) -> bool:
    """Floats, NaN included (a NaN loss is worth recording); not flags or strings."""
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool)
