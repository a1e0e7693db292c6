"""A search over a family's templates, each with its own small discrete space (forecasting,
anomaly detection, a plug-in's family): the space in keras-tuner's terms, and the setting-up of
the one search runner (search/runner.py) for it. Random and Bayesian search try each
template's defaults first.

A family gives its templates as discrete spaces (name → values, the default first), one per
template, and the values all templates share. They become keras-tuner hyperparameters: the
template a choice, each template's own values under a condition on it, named
"<template>/<name>" inside the oracle (keras-tuner mixes up one name declared under two
conditions); the family and the user see {"template": …, "<name>": …}. Hyperband gives each
trial its rung's epochs; these families keep no per-trial checkpoints, so a trial promoted to a
longer rung trains from fresh weights for that many epochs.

The family fits a trial from its plan (search/trials.py) and returns an outcome whose `kept`
(its model or weights) the runner hands to the family's `keep` when the trial is the best so
far; nothing else of a trial is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import keras_tuner as kt

from dlstudio.core.events import EventSink, TrialRecord
from dlstudio.core.project import RunFolder
from dlstudio.core.search import executor as executors
from dlstudio.core.search.budget import BudgetPlan
from dlstudio.core.search.cancel import CancelToken
from dlstudio.core.search.executor import FitTrial
from dlstudio.core.search.oracle import make_oracle
from dlstudio.core.search.runner import Search, run_trials

SEARCH_FOLDER = "search"  # the oracle's state, inside the run folder


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

    def in_oracle_names(self, plain: dict) -> dict:
        """A logged trial's values back in the oracle's names."""
        template = plain.get("template")
        values = {"template": template}
        for name, value in plain.items():
            if name in self.spaces.get(template, {}):
                values[f"{template}/{name}"] = value
            elif name in self.common:
                values[name] = value
        return values


def _declare(hp: kt.HyperParameters, name: str, values: list, fixed) -> None:
    if fixed is not None:
        hp.Fixed(name, fixed)
    elif len(values) == 1:
        hp.Fixed(name, values[0])
    else:
        hp.Choice(name, list(values))


@dataclass
class FamilySearch:
    """What one family's search needs: its space, how to fit one trial (from its plan, whose
    `shown` values the family reads), and what to do when a trial becomes the best so far
    (keep its model or weights, given as the outcome's `kept`)."""

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
    """Search `family`'s templates as `spec` asks (its tuner, trials, seed and epochs); returns
    the best trial (`best`: the best of `done`, a resumed run's trials)."""
    search = spec.search
    kind = search.tuner if search is not None else "random"
    max_trials = search.max_trials if search is not None else 1
    seed = (search.seed or 0) if search is not None else spec.train.seed
    hp = family.space.hyperparameters(family.templates, family.fixed)
    oracle = make_oracle(
        kind, family.objective, family.direction, max_trials, seed, spec.train.epochs, hp
    )
    setup = Search(
        oracle=oracle,
        folder=SEARCH_FOLDER,
        objective=family.objective,
        direction=family.direction,
        epochs=spec.train.epochs,
        shown=family.space.plain,
        logged_values=family.space.in_oracle_names,
        starts=family.space.defaults(family.templates, family.fixed),
        keep=family.keep,
    )
    executor = executors.executor_for(family.fit, sink, token)
    if token.deadline is not None:  # each trial sized to its share of what is left
        budget = BudgetPlan(token.deadline, max(1, max_trials - len(done)), slots=executor.slots)
        budget.has_model = any(r.score is not None for r in done)
        setup.budget = budget
    try:
        return run_trials(run, setup, executor, sink, token, done, best, elapsed)
    finally:
        executor.close()
