"""The CLI tells how a run ended in the same plain words as the window: trials counted from 1,
statuses as sentences, and which trial the kept model is."""

from __future__ import annotations

import io

from rich.console import Console

from dlstudio.cli_progress import ProgressPrinter
from dlstudio.core.events import (
    RunFinished,
    RunStatus,
    TrialEnded,
    TrialRecord,
    TrialStarted,
    TrialStatus,
)


def _record(trial_id: str, number: int, status: TrialStatus) -> TrialRecord:
    return TrialRecord(trial_id, number, status, {}, score=0.5, duration_s=1.0)


def test_the_end_of_a_run_is_said_in_words():
    out = io.StringIO()
    printer = ProgressPrinter(console=Console(file=out, width=200))
    with printer:
        for trial_id, number, status in (
            ("0", 1, TrialStatus.COMPLETED),
            ("1", 2, TrialStatus.CUT_SHORT),
        ):
            printer(TrialStarted(trial_id, number, {}, 3))
            printer(TrialEnded(_record(trial_id, number, status)))
        printer(RunFinished("r1", RunStatus.TIME_LIMIT, "0", 0.5, 12.0, model_path="m.keras"))
    text = out.getvalue()
    assert "trial 2: stopped by the time budget" in text and "cut_short" not in text
    assert "Run finished: the time budget ran out after 12.0 s" in text
    assert "the model kept is trial 1 of 2" in text and "time_limit" not in text
