"""Stopping a run from outside: a user's cancel, or the wall-clock budget running out."""

from __future__ import annotations

import threading
import time

CANCELLED = "cancelled"
TIME_LIMIT = "time_limit"


class CancelToken:
    """Checked by the training callback after every batch and by the search between trials.

    Thread-safe: any thread may call `cancel()`; the worker polls `stop_reason()`.
    """

    def __init__(self, time_limit_s: float | None = None) -> None:
        self._cancelled = threading.Event()
        self.deadline: float | None = None
        if time_limit_s is not None:
            self.set_time_limit(time_limit_s)

    def set_time_limit(self, seconds: float) -> None:
        self.deadline = time.monotonic() + max(0.0, float(seconds))

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def time_left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def stop_reason(self) -> str | None:
        """ "cancelled", "time_limit", or None to go on."""
        if self._cancelled.is_set():
            return CANCELLED
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return TIME_LIMIT
        return None
