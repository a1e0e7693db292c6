"""The event stream of a run: immutable records with plain payloads (floats, str, dicts).

The engine calls an `EventSink` with each event, from the thread it trains on. The CLI prints
them, tests collect them in a list, the desktop app reads them from the training process as JSON
lines (`event_to_json`, see engine/child.py) and drains them on a timer. Payloads are never
tensors, so an event can cross threads and processes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import get_args


class RunStatus(str, Enum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    TIME_LIMIT = "time_limit"  # the budget ran out; the best finished trial is kept
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # the process died mid-run; resumable


class TrialStatus(str, Enum):
    RUNNING = "running"
    COMPLETED = "completed"
    CUT_SHORT = "cut_short"  # stopped by the time limit before it finished
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class TrialRecord:
    """One trial as trials.jsonl stores it and the GUI shows it."""

    trial_id: str
    number: int
    status: TrialStatus
    hyperparameters: dict
    history: dict[str, list[float]] = field(default_factory=dict)
    score: float | None = None  # best value of the objective (see objective_direction)
    best_epoch: int | None = None
    epochs: int = 0
    duration_s: float = 0.0
    parameters: int | None = None
    message: str = ""
    epoch_s: float | None = None  # measured (or, before one ended, estimated) time per epoch
    cut_mid_epoch: bool = False  # stopped between batches: its last epoch saw part of the data

    @property
    def partial(self) -> bool:
        """Cut short or cancelled: its best epoch is a model, but the trial did not finish."""
        return self.status in (TrialStatus.CUT_SHORT, TrialStatus.CANCELLED)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TrialRecord:
        return cls(**{**data, "status": TrialStatus(data["status"])})


@dataclass(frozen=True)
class RunStarted:
    run_id: str
    mode: str
    backend: str
    device: dict
    max_trials: int
    time_limit_s: float | None
    train_rows: int
    resumed_trials: int = 0
    # The training loss of a model that ignores its inputs, per loss ("crossentropy" for
    # classes; "mse", "mae", "huber" on the scaled target for numbers): what the diagnosis
    # compares the curves with before it calls a model too simple.
    baseline_losses: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TrialStarted:
    trial_id: str
    number: int
    hyperparameters: dict
    epochs: int


@dataclass(frozen=True)
class BatchEnded:
    """Sampled, at most every ~100 ms: the smoothed live loss of the running trial."""

    trial_id: str
    epoch: int
    batch: int
    steps: int | None
    loss: float


@dataclass(frozen=True)
class EpochEnded:
    trial_id: str
    epoch: int
    epochs: int
    metrics: dict[str, float]


@dataclass(frozen=True)
class TrialEnded:
    record: TrialRecord


@dataclass(frozen=True)
class RunMessage:
    """Something worth telling the user that is not a metric (a retry, a fallback)."""

    text: str


@dataclass(frozen=True)
class RunFinished:
    run_id: str
    status: RunStatus
    best_trial_id: str | None
    best_score: float | None
    duration_s: float
    test_metrics: dict[str, float] = field(default_factory=dict)
    model_path: str | None = None
    partial: bool = False  # the model is the best epoch of a trial that did not finish
    message: str = ""  # what the user should know about the result, in plain words
    averaged: bool = False  # the model averages several trials (engine/ensemble.py)


@dataclass(frozen=True)
class RunFailed:
    run_id: str
    message: str


@dataclass(frozen=True)
class TaskResult:
    """The answer to a one-shot task of the training process (engine/tasks.py)."""

    task: str
    result: dict


Event = (
    RunStarted
    | TrialStarted
    | BatchEnded
    | EpochEnded
    | TrialEnded
    | RunMessage
    | RunFinished
    | RunFailed
    | TaskResult
)
EventSink = Callable[[object], None]


def discard(_event: object) -> None:
    """A sink that ignores everything (the default)."""


_EVENT_TYPES = {cls.__name__: cls for cls in get_args(Event)}


def event_to_json(event: object) -> str:
    """One line of JSON naming the event's type: how events cross a process boundary."""
    # Statuses are str enums, which JSON writes as their value.
    data = event.record.to_dict() if isinstance(event, TrialEnded) else asdict(event)
    return json.dumps({"type": type(event).__name__, "data": data}, default=_plain)


def event_from_json(line: str) -> object:
    """The event `event_to_json` wrote."""
    message = json.loads(line)
    cls, data = _EVENT_TYPES[message["type"]], message["data"]
    if cls is TrialEnded:
        return TrialEnded(TrialRecord.from_dict(data))
    if cls is RunFinished:
        data = {**data, "status": RunStatus(data["status"])}
    return cls(**data)


def _plain(value):
    """numpy scalars and the like, which a metric or a hyperparameter may be."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
