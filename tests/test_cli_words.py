"""The CLI tells how a run ended in the same plain words as the window: trials counted from 1,
statuses as sentences, and which trial the kept model is."""

from __future__ import annotations

import io

from rich.console import Console

from dlstudio.cli.progress import ProgressPrinter, print_result
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


def test_an_averaged_model_is_not_called_one_trial():
    out = io.StringIO()
    printer = ProgressPrinter(console=Console(file=out, width=200))
    with printer:
        for trial_id, number in (("0", 1), ("1", 2)):
            printer(TrialStarted(trial_id, number, {}, 3))
            printer(TrialEnded(_record(trial_id, number, TrialStatus.COMPLETED)))
        printer(
            RunFinished(
                "r1", RunStatus.COMPLETED, "0", 0.5, 9.0, model_path="m.keras", averaged=True
            )
        )
    text = out.getvalue()
    assert "the model kept is the average above" in text and "trial 1 of 2" not in text


def test_the_result_names_the_trials_an_average_is_made_of(capsys):
    class Run:
        path, model_path = "runs/r1", "runs/r1/model.keras"

        def state(self):
            return {"status": "completed", "best_trial_id": "0"}

        def evaluation(self):
            members = [{"trial_id": i, "number": n, "weight": 0.5} for i, n in (("2", 3), ("0", 1))]
            return {"metrics": {"accuracy": 0.9}, "ensemble": {"kept": True, "members": members}}

        def trials(self):
            return [_record(str(n - 1), n, TrialStatus.COMPLETED) for n in (1, 2, 3)]

    print_result(Run())
    text = capsys.readouterr().out
    assert "the model kept is an average of trials 1 and 3" in text
