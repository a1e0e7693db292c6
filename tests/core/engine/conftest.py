from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


class Recorder:
    """An EventSink that keeps every event, with a hook to act on one (cancel, …)."""

    def __init__(self, on_event=None) -> None:
        self.events = []
        self.on_event = on_event

    def __call__(self, event) -> None:
        self.events.append(event)
        if self.on_event:
            self.on_event(event)

    def of(self, kind: str) -> list:
        return [e for e in self.events if type(e).__name__ == kind]


@pytest.fixture
def recorder():
    return Recorder()
