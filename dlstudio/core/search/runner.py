"""The one search loop, for every family: draw a trial from the oracle (search/oracle.py), plan
it inside the budget (search/budget.py), hand it to the trial executor (search/executor.py),
and, as it ends, keep what it gave, log it, tell the oracle and say so.

What the runner guarantees, whatever the family and wherever its trials are fitted:

- the run folder is written here only: a trial's files (its folder, `<search>/trial_<id>/`,
  beside the oracle's own trial.json), the best-so-far's model, the log line, the oracle's
  state, in that order, so that a kill at any point loses no finished trial;
- resume: the oracle's state is reloaded from the run folder; a trial our log has as finished
  is handed back to it with its logged score (the kill fell between the two); a trial that was
  running, or that the user stopped, runs again. A run folder from before the oracle kept its
  state, or whose state a kill left unreadable, goes on from the log: the logged
  configurations are avoided and count towards the trials;
- the budget: each trial gets its share (seconds, not a deadline: it may run elsewhere), the
  search stops when another trial would not fit, and the trials that repeat the best
  configuration are given what it took;
- the failure policy: a failing trial never ends the search, but trials that all fail the
  same way before any succeeded do (why_give_up); a failure's full text goes to the run's log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from dlstudio.core.events import (
    EventSink,
    RunMessage,
    TrialEnded,
    TrialRecord,
    TrialStarted,
    TrialStatus,
)
from dlstudio.core.project import RunFolder
from dlstudio.core.search.budget import BudgetPlan
from dlstudio.core.search.cancel import CancelToken
from dlstudio.core.search.executor import TrialExecutor
from dlstudio.core.search.oracle import IDLE, STOPPED, SearchOracle, plain_value, plain_values
from dlstudio.core.search.trials import TrialPlan

SAME_FAILURES_TO_GIVE_UP = 3
# The name the runner takes with the oracle, which keys running trials by who runs them.
RUNNER_ID = "dlstudio"


@dataclass
class Search:
    """One search, as its family sets it up.

    Attributes:
        oracle: Draws the trials (its space declared).
        folder: Inside the run folder: the oracle's state and each trial's folder.
        objective, direction: What "best" means ("val_loss", "min").
        epochs: The most epochs a trial trains (Hyperband's trials say their own).
        shown: A trial's values as the user sees them (from the oracle's).
        logged_values: A logged trial's values back in the oracle's names (to avoid them).
        starts: Known-good configurations the search begins with (in the oracle's names).
        avoid: Configurations earlier searches tried (not drawn again).
        repeat_best: Train the best configuration again once half the budget is spent.
        budget: The plan inside the time budget (None: no time limit, or none planned).
        store: Runner side, for every trial that ended: store what it kept in its folder.
        keep: Runner side, for a trial that is the best so far: keep it as the run's model.
        warm_start: Runner side: read what a trial continues from, out of that trial's folder.
    """

    oracle: SearchOracle
    folder: str
    objective: str
    direction: str
    epochs: int
    shown: Callable[[dict], dict] = plain_values
    logged_values: Callable[[dict], dict] = dict
    starts: list[dict] = field(default_factory=list)
    avoid: list[dict] = field(default_factory=list)
    repeat_best: bool = False
    budget: BudgetPlan | None = None
    store: Callable[[TrialRecord, object, Path], None] | None = None
    keep: Callable[[TrialRecord, object], None] | None = None
    warm_start: Callable[[Path], object] | None = None


# Share of a time budget spent exploring configurations before the best one is trained again
# for the average.
REPEAT_AFTER_SHARE = 0.5


def run_trials(
    run: RunFolder,
    search: Search,
    executor: TrialExecutor,
    sink: EventSink,
    token: CancelToken,
    done: list[TrialRecord],
    best: TrialRecord | None,
    elapsed: Callable[[], float],
) -> TrialRecord | None:
    """Draw, fit, log and keep trials until the oracle has no more, the budget ends or the
    user stops. `done`: the trials a resumed run already logged; `best`: the best of them.
    Returns the best trial kept (by score; a family that keeps no best gets `best` back)."""
    oracle = search.oracle
    offset, took = _resume(run, search, done)
    if offset is None:
        return best  # an old run folder whose trials were all done
    oracle.avoid(search.avoid)
    oracle.start_with(search.starts)
    if search.repeat_best:
        oracle.repeat_best_after(lambda: _exploring_done(search.budget))
    failures: list[str] = []
    succeeded = best is not None or any(r.score is not None for r in done)
    while token.stop_reason() is None:
        budget = search.budget
        why = (budget.why_not_another_trial() if budget else None) or why_give_up(
            failures, succeeded
        )
        if why:
            sink(RunMessage(why))
            break
        trial = oracle.create_trial(RUNNER_ID)
        if trial.status == STOPPED:
            break  # no more trials to give (max_trials, the grid or Hyperband's brackets done)
        if trial.status == IDLE:
            continue
        plan = _plan(run, search, trial, offset, took, token)
        _say_if_repeat(sink, plan, len(oracle.repeats))
        sink(TrialStarted(plan.trial_id, plan.number, plan.shown, plan.epochs))
        outcome = executor.submit(plan).result()
        record = outcome.record
        # The order a kill cannot break: the trial's files, the winner's model, the log line,
        # then the oracle (a trial logged but not ended there is adopted on resume).
        if search.store is not None:
            search.store(record, outcome.kept, trial_folder(run, search.folder, record.trial_id))
        if record.score is not None and (
            best is None or _better(record.score, best.score, search.direction)
        ):
            best = record
            if search.keep is not None:
                search.keep(record, outcome.kept)
        run.append_trial(record)
        if outcome.details:
            run.append_log(f"trial {record.trial_id} failed: {record.message}\n\n{outcome.details}")
        run.update_state(elapsed_s=elapsed())  # what a resume counts from
        if budget is not None:
            budget.record(outcome.cost, record.score is not None)
        completed = record.status is TrialStatus.COMPLETED
        if completed:
            took[trial.trial_id] = record.duration_s  # what a repeat of it will need
        oracle.finish(trial, search.objective, record.score if completed else None)
        sink(TrialEnded(record))
        if record.score is not None:
            succeeded = True
        elif record.status is TrialStatus.FAILED:
            failures.append(record.message)
    return best


def trial_folder(run: RunFolder, folder: str, trial_id: str) -> Path:
    """A trial's folder inside the search's `folder`: keras-tuner's layout (its trial.json is
    written there too)."""
    return Path(run.path) / folder / f"trial_{trial_id}"


def _resume(run, search: Search, done: list[TrialRecord]) -> tuple[int | None, dict]:
    """Bring the oracle to where the run's log says the search was. Returns the offset of new
    trial numbers (None: nothing is left to run) and the finished trials' durations."""
    oracle = search.oracle
    reloaded = oracle.keep_state_in(str(run.path), search.folder, resume=bool(done))
    if reloaded:
        # Old logs numbered trials "00", "01", …; the oracle pads its ids to its max_trials.
        ids = {int(trial_id): trial_id for trial_id in oracle.trials}
        done = [replace(r, trial_id=ids[int(r.trial_id)]) for r in done if int(r.trial_id) in ids]
        oracle.adopt_logged(done, search.objective)
        oracle.run_stopped_again(done)
    took = {r.trial_id: r.duration_s for r in done if r.status is TrialStatus.COMPLETED}
    if reloaded:
        return 0, took
    if done:  # a run folder from before the oracle kept its state
        oracle.avoid([search.logged_values(r.hyperparameters) for r in done])
        left = (oracle.max_trials or 0) - len(done)
        if oracle.max_trials is not None and left <= 0:
            return None, took  # (keras-tuner would read max_trials=0 as "no limit")
        if oracle.max_trials is not None:
            oracle.max_trials = left
    return (0 if not done else len(done)), took


def _plan(run, search: Search, trial, offset: int, took: dict, token: CancelToken) -> TrialPlan:
    values = {name: plain_value(value) for name, value in trial.hyperparameters.values.items()}
    number = int(trial.trial_id) + 1 + offset
    # After a run folder without oracle state, numbers go on from the log's.
    trial_id = trial.trial_id if not offset else str(number - 1).zfill(len(trial.trial_id))
    original = search.oracle.repeats.get(trial.trial_id)
    budget = search.budget
    window = budget.start_trial(took.get(original)) if budget is not None else None
    now = time.monotonic()
    parent = values.get("tuner/trial_id")  # Hyperband: the trial whose next rung this is
    warm = None
    if parent is not None and search.warm_start is not None:
        warm = search.warm_start(trial_folder(run, search.folder, str(parent)))
    return TrialPlan(
        trial_id=trial_id,
        number=number,
        values=values,
        shown=search.shown(values),
        epochs=int(values.get("tuner/epochs", search.epochs)),
        initial_epoch=int(values.get("tuner/initial_epoch", 0)),
        seconds=None if window is None else window.end - now,
        stretch_s=None if window is None or window.stretch is None else window.stretch - now,
        wall_s=token.time_left(),
        has_model=budget is not None and budget.has_model,
        warm_start=warm,
        repeat_of=original,
    )


def _say_if_repeat(sink: EventSink, plan: TrialPlan, repeats: int) -> None:
    """Tells the user that the trial starting trains an earlier one's configuration again."""
    if plan.repeat_of is None:
        return
    message = (
        f"Trial {plan.number} trains trial {int(plan.repeat_of) + 1}'s configuration again, "
        "from other starting weights."
    )
    if repeats == 1:
        message += (
            " Half the budget is spent, so the rest goes to the best configuration so far: "
            "the run ends with an average of its best trainings when that validates better, "
            "which usually beats any single one."
        )
    sink(RunMessage(message))


def _exploring_done(budget: BudgetPlan | None) -> bool:
    """Whether half the search's time is spent. A search without a time limit runs the
    configurations the user counted (--max-trials) and repeats none."""
    spent = budget.share_spent() if budget is not None else None
    return spent is not None and spent >= REPEAT_AFTER_SHARE


def _better(score: float, than: float, direction: str) -> bool:
    return score > than if direction == "max" else score < than


def why_give_up(failures: list[str], succeeded: bool) -> str | None:
    """Trials that all fail alike before any succeeded point at the data or the template, not
    at their hyperparameters: more of them would only spend the budget."""
    last = failures[-SAME_FAILURES_TO_GIVE_UP:]
    if succeeded or len(last) < SAME_FAILURES_TO_GIVE_UP or len(set(last)) > 1:
        return None
    return (
        f"The last {len(last)} trials all failed the same way, and none has succeeded, so "
        f"the search stops here: {last[0]}"
    )


def clock_from(elapsed_before: float) -> Callable[[], float]:
    """Seconds the run has spent, counting what it spent before a resume."""
    started = time.monotonic()
    return lambda: elapsed_before + time.monotonic() - started
