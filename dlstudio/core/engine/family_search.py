"""The search loop of the families whose trials are not one supervised `model.fit`
(forecasting, anomaly detection): their trials are drawn from the same oracles as a table's
(engine/oracle.py: random, Bayesian, Hyperband or grid; random and Bayesian search try each
template's defaults first), fitted by the family, logged as they end, and resumed after a kill.

A family gives its templates as discrete spaces (name → values, the default first), one per
template, and the values all templates share. They become keras-tuner hyperparameters: the
template a choice, each template's own values under a condition on it, named
"<template>/<name>" inside the oracle (keras-tuner mixes up one name declared under two
conditions); the family and the user see {"template": …, "<name>": …}. Hyperband gives each
trial its rung's epochs; these families keep no per-trial checkpoints, so a trial promoted to a
longer rung trains from fresh weights for that many epochs.

Resume: the oracle keeps its state in the run folder (SEARCH_FOLDER). On resume it is reloaded;
a trial our log has as finished is handed back to the oracle with its logged score; a trial that
was running, or that the user stopped, runs again. A run folder from before this search kept no
oracle state, and a kill mid-write can leave it unreadable: then the logged configurations are
avoided and count towards its trials.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import keras_tuner as kt

from dlstudio.core.engine.cancel import CancelToken
from dlstudio.core.engine.oracle import IDLE, STOPPED, make_oracle
from dlstudio.core.events import (
    EventSink,
    RunMessage,
    TrialEnded,
    TrialRecord,
    TrialStarted,
    TrialStatus,
)
from dlstudio.core.project import RunFolder

SEARCH_FOLDER = "search"  # the oracle's state, inside the run folder
SAME_FAILURES_TO_GIVE_UP = 3


@dataclass(frozen=True)
class TemplateSpace:
    """A family's templates and their values (each list's first value is the default)."""

    spaces: dict[str, dict[str, list]]
    common: dict[str, list] = field(default_factory=dict)

    def hyperparameters(self, templates: tuple[str, ...], fixed: dict) -> kt.HyperParameters:
        """keras-tuner's space for `templates`, the values in `fixed` held in every trial."""
        hp = kt.HyperParameters()
        if len(templates) == 1:
            hp.Fixed("template", templates[0])
        else:
            hp.Choice("template", list(templates))
        for template in templates:
            with hp.conditional_scope("template", [template]):
                for name, values in self.spaces[template].items():
                    _declare(hp, f"{template}/{name}", values, fixed.get(name))
        for name, values in self.common.items():
            _declare(hp, name, values, fixed.get(name))
        return hp

    def defaults(self, templates: tuple[str, ...], fixed: dict) -> list[dict]:
        """Each template's defaults, in the oracle's names: the search's first trials."""
        starts = []
        for template in templates:
            values = {"template": template}
            for name, choices in self.spaces[template].items():
                values[f"{template}/{name}"] = fixed.get(name, choices[0])
            for name, choices in self.common.items():
                values[name] = fixed.get(name, choices[0])
            starts.append(values)
        return starts

    @staticmethod
    def plain(values: dict) -> dict:
        """The oracle's values as the family reads them: {"template": …, "<name>": …}, with
        keras-tuner's own entries ("tuner/…") left out (the user's --set values are in them:
        declared fixed, and checked against the spaces before a run starts)."""
        template = values["template"]
        plain = {"template": template}
        for name, value in values.items():
            if name == "template" or name.startswith("tuner/"):
                continue
            owner, _, short = name.rpartition("/")
            if owner == template:
                plain[short] = value
            elif not owner:
                plain[name] = value
        return plain


def _declare(hp: kt.HyperParameters, name: str, values: list, fixed) -> None:
    if fixed is not None:
        hp.Fixed(name, fixed)
    elif len(values) == 1:
        hp.Fixed(name, values[0])
    else:
        hp.Choice(name, list(values))


# (number, trial id, values as the family reads them, epochs) -> (its record, what to keep);
# the runner has said TrialStarted, and says TrialEnded once the record is logged.
FitTrial = Callable[[int, str, dict, int], tuple[TrialRecord, object]]


@dataclass
class FamilySearch:
    """What one family's search needs: its space, how to fit one trial, and what to do when
    a trial becomes the best so far (keep its model or weights)."""

    space: TemplateSpace
    templates: tuple[str, ...]
    fixed: dict
    fit: FitTrial
    keep: Callable[[TrialRecord, object], None]
    objective: str
    direction: str = "min"


def run_search(
    run: RunFolder,
    spec,
    family: FamilySearch,
    sink: EventSink,
    token: CancelToken,
    done: list[TrialRecord],
    best: TrialRecord | None,
    elapsed: Callable[[], float],
) -> TrialRecord | None:
    """Draw, fit, log and keep trials until the oracle has no more, the budget ends or the
    user stops; returns the best trial (`best`: the best of `done`, a resumed run's trials).
    """
    search = spec.search
    kind = search.tuner if search is not None else "random"
    max_trials = search.max_trials if search is not None else 1
    seed = (search.seed or 0) if search is not None else spec.train.seed
    hp = family.space.hyperparameters(family.templates, family.fixed)
    oracle = make_oracle(
        kind, family.objective, family.direction, max_trials, seed, spec.train.epochs, hp
    )
    reloaded = oracle.keep_state_in(str(run.path), SEARCH_FOLDER, resume=bool(done))
    if reloaded:
        # Our log numbers trials "00", "01", …; the oracle pads its ids to its max_trials.
        ids = {int(trial_id): trial_id for trial_id in oracle.trials}
        logged = [replace(r, trial_id=ids[int(r.trial_id)]) for r in done if int(r.trial_id) in ids]
        oracle.adopt_logged(logged, family.objective)
        oracle.run_stopped_again(logged)
    elif done:  # a run folder from before the oracle kept its state
        oracle.avoid([_oracle_values(r.hyperparameters, family) for r in done])
        if max_trials - len(done) <= 0:
            return best  # (keras-tuner would read max_trials=0 as "no limit")
        oracle.max_trials = max_trials - len(done)
    oracle.start_with(family.space.defaults(family.templates, family.fixed))
    failures: list[str] = []
    succeeded = best is not None
    offset = 0 if reloaded else len(done)  # trial numbers go on after an old folder's
    while token.stop_reason() is None:
        why = why_give_up(failures, succeeded)
        if why:
            sink(RunMessage(why))
            break
        trial = oracle.create_trial("dlstudio")
        if trial.status == STOPPED:
            break  # no more trials to give (max_trials, the grid or Hyperband's brackets done)
        if trial.status == IDLE:
            continue
        values = trial.hyperparameters.values
        epochs = int(values.get("tuner/epochs", spec.train.epochs))
        number = int(trial.trial_id) + 1 + offset
        trial_id = f"{number - 1:02d}"
        plain = family.space.plain(values)
        sink(TrialStarted(trial_id, number, plain, epochs))
        record, kept = family.fit(number, trial_id, plain, epochs)
        # The order a kill cannot break: the winner's model first, then the log line, then
        # the oracle (a trial logged but not ended there is adopted on resume).
        if record.score is not None and (
            best is None or _better(record.score, best.score, family.direction)
        ):
            best = record
            family.keep(record, kept)
        run.append_trial(record)
        run.update_state(elapsed_s=elapsed())  # what a resume counts from
        score = record.score if record.status is TrialStatus.COMPLETED else None
        oracle.finish(trial, family.objective, score)
        sink(TrialEnded(record))
        if record.score is not None:
            succeeded = True
        elif record.status is TrialStatus.FAILED:
            failures.append(record.message)
    return best


def _better(score: float, than: float, direction: str) -> bool:
    return score > than if direction == "max" else score < than


def _oracle_values(plain: dict, family: FamilySearch) -> dict:
    template = plain.get("template")
    values = {"template": template}
    for name, value in plain.items():
        if name in family.space.spaces.get(template, {}):
            values[f"{template}/{name}"] = value
        elif name in family.space.common:
            values[name] = value
    return values


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
