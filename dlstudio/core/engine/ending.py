"""How every run ends, whatever its task: its state.json says how, and one RunFinished event
says it to the CLI, the window and the tests."""

from __future__ import annotations

import time

from dlstudio.core.events import EventSink, RunFinished, RunStatus, TrialRecord
from dlstudio.core.project import RunFolder
from dlstudio.core.search.cancel import TIME_LIMIT, CancelToken


def ended_status(token: CancelToken) -> RunStatus:
    """Stopped by the user, by the time budget, or done."""
    if token.cancelled:
        return RunStatus.CANCELLED
    return RunStatus.TIME_LIMIT if token.stop_reason() == TIME_LIMIT else RunStatus.COMPLETED


def finish_run(
    run: RunFolder,
    sink: EventSink,
    status: RunStatus,
    best: TrialRecord | None,
    duration_s: float,
    message: str,
    evaluation: dict | None,
) -> None:
    """Record the end of `run` and tell `sink`; `evaluation` None when no model was saved."""
    run.update_state(
        status=status.value,
        best_trial_id=best.trial_id if best else None,
        best_score=best.score if best else None,
        partial=bool(best and best.partial),
        message=message,
        elapsed_s=duration_s,
        finished=time.time(),
    )
    metrics = (evaluation or {}).get("metrics", {})
    sink(
        RunFinished(
            run.id,
            status,
            best.trial_id if best else None,
            best.score if best else None,
            duration_s,
            {k: v for k, v in metrics.items() if _is_number(v)},
            str(run.model_path) if evaluation is not None else None,
            bool(best and best.partial),
            message,
            bool((evaluation or {}).get("ensemble", {}).get("kept")),
        )
    )


def _is_number(value) -> bool:
    """Metrics the event carries are numbers; an evaluation may also hold counts as flags."""
    return isinstance(value, int | float) and not isinstance(value, bool)
