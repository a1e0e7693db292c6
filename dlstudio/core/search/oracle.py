"""The one place that reaches inside keras-tuner's oracles: every family's search draws its
trials from these (random, Bayesian, Hyperband or grid), with what keras-tuner lacks as methods:

- `start_with`: the first trials are known-good configurations (the supervised search's first
  configuration; each forecast or autoencoder template's defaults), so that even a budget with
  room for one trial returns a model that is usually good;
- `avoid`: configurations earlier searches of the project tried are not drawn again;
- `repeat_best_after`: once exploring is done (half the budget spent), the best finished
  configuration is trained again from other starting weights, for the run's average;
- `adopt_logged` / `run_stopped_again`: on resume, trials our log says finished, but which the
  process was killed before the oracle saved, are handed back as finished (with the logged
  score); a trial the user stopped runs again from its start.

keras-tuner internals reached (pinned below 1.5 in pyproject.toml; the contract is tested in
tests/core/engine/test_keras_tuner_contract.py): `_retry_queue` (trials to run again on
resume), `_tried_so_far` and `_compute_values_hash` (configurations not to repeat), `_duplicate`,
`_save_trial` and `_get_trial_dir` (its files are written whole, then renamed, where keras-tuner
writes them in place).
Grid and Hyperband take no start configurations and no repeats: their own order plans every
trial.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import keras_tuner as kt
from keras_tuner.src.engine import trial as trial_module

from dlstudio.core.events import TrialRecord, TrialStatus
from dlstudio.core.storage import atomic_write_text

RUNNING = trial_module.TrialStatus.RUNNING
STOPPED = trial_module.TrialStatus.STOPPED  # the oracle has no more trials to give
IDLE = trial_module.TrialStatus.IDLE  # the oracle waits (for trials running elsewhere)


class SearchOracle:
    """Put before a keras-tuner oracle class; see `make_oracle`."""

    # Grid and Hyperband decide each trial themselves (the grid's order, the brackets' rungs):
    # they take no start configurations and no repeats.
    plans_every_trial = False

    def prepare(self) -> None:
        self.starts: list[dict] = []
        self.repeats: dict[str, str] = {}  # trial id → the trial whose configuration it repeats
        self._exploring_done: Callable[[], bool] | None = None

    # ------------------------------------------------------------ what to draw

    def start_with(self, configurations: list[dict]) -> None:
        """The oracle's first trials are these (each unless tried before); then as usual."""
        if not self.plans_every_trial:
            self.starts = [dict(values) for values in configurations]

    def avoid(self, configurations: list[dict]) -> None:
        """Treat these configurations as tried, so that the oracle draws others.

        keras-tuner remembers what it tried by a hash of the values (`_tried_so_far`) and
        redraws a value set it has seen; adding earlier searches' configurations there makes a
        new search in the same project explore, not repeat."""
        for values in configurations:
            self._tried_so_far.add(self._compute_values_hash(values))

    def repeat_best_after(self, exploring_done: Callable[[], bool]) -> None:
        """Once `exploring_done()`, the next trials are the best finished trial's values again
        (each repeat is recorded in `repeats`).

        Seeds vary between trials (starting weights, dropout, the order of the rows), so a
        repeat trains another network of the same configuration; the ensemble step then
        averages the best of them. Over five trainings of the default configuration on 10,000
        diamonds, single test MAEs of 312-358 averaged to 311, below the best single one
        (issue 14)."""
        if not self.plans_every_trial:
            self._exploring_done = exploring_done

    def populate_space(self, trial_id):
        while self.starts:
            values = self.starts.pop(0)
            if not self._duplicate(values):
                return {"status": RUNNING, "values": values}
        if self._exploring_done is not None and self._exploring_done():
            finished = [
                t
                for t in self.trials.values()
                if t.status == trial_module.TrialStatus.COMPLETED and t.score is not None
            ]
            if finished:
                reverse = self.objective.direction == "max"
                best = sorted(finished, key=lambda t: t.score, reverse=reverse)[0]
                self.repeats[trial_id] = self.repeats.get(best.trial_id, best.trial_id)
                return {"status": RUNNING, "values": dict(best.hyperparameters.values)}
        return super().populate_space(trial_id)

    # ------------------------------------------------------------ its state on disk

    def keep_state_in(self, directory: str, name: str, resume: bool) -> bool:
        """Keep the oracle's state (and its trials') in `directory`/`name`; on `resume`,
        reload it from there if it exists and reads. Returns whether it was reloaded."""
        self._set_project_dir(directory, name)
        if not (resume and os.path.exists(self._get_oracle_fname())):
            return False
        try:
            self.reload()
        except Exception:  # noqa: BLE001  (a kill mid-write leaves a JSON file cut short)
            # keras-tuner writes its files in place; the run's own log is whole (it is
            # appended line by line), and the caller goes on from it instead.
            self.trials, self.ongoing_trials, self._retry_queue = {}, {}, []
            return False
        # keras-tuner writes a new trial's own file before its state: a kill between the two
        # leaves a trial running that the state does not list (reload retries only those it
        # lists). It runs again too, instead of counting as a trial and never running.
        for trial_id, trial in self.trials.items():
            if trial.status == RUNNING and trial_id not in self._retry_queue:
                self._retry_queue.append(trial_id)
        return True

    def save(self):
        # keras-tuner writes its files in place: a kill mid-write left oracle.json cut short
        # (seen on CI, where the resumed search then went on from its log). Whole, then renamed.
        atomic_write_text(Path(self._get_oracle_fname()), json.dumps(self.get_state()))

    def _save_trial(self, trial):
        folder = Path(self._get_trial_dir(trial.trial_id))
        atomic_write_text(folder / "trial.json", json.dumps(trial.get_state()))

    # ------------------------------------------------------------ trials ending

    def finish(self, trial, objective: str, score: float | None) -> None:
        """End `trial`: completed with `score`, or failed (no score: cut short, cancelled or
        failed, so that the oracle learns nothing from a partial trial)."""
        if score is not None:
            self.update_trial(trial.trial_id, {objective: score})
            trial.status = trial_module.TrialStatus.COMPLETED
        else:
            trial.status = trial_module.TrialStatus.FAILED
        self.end_trial(trial)
        # keras-tuner saves its state before it takes the trial off its running ones (its
        # tuner saves again after); without this save, a resume would run the trial again.
        self.save()

    # ------------------------------------------------------------ resume

    def adopt_logged(self, records: list[TrialRecord], objective: str) -> list[str]:
        """Trials the run's log records as completed but that were still running for the
        oracle when the process died are ended with the logged score instead of being run
        again (their weights were kept before the log line). Returns their ids."""
        done = {
            r.trial_id: r
            for r in records
            if r.status is TrialStatus.COMPLETED and r.score is not None
        }
        adopted = [t for t in self._retry_queue if t in done]
        for trial_id in adopted:
            self._retry_queue.remove(trial_id)
            trial = self.trials[trial_id]
            self.update_trial(trial_id, {objective: done[trial_id].score})
            trial.status = trial_module.TrialStatus.COMPLETED
            self.end_trial(trial)
        return adopted

    def run_stopped_again(self, records: list[TrialRecord]) -> None:
        """A trial the user stopped runs again from its start, as an interrupted one does (the
        oracle recorded it failed, so it learnt nothing from it, and would never give it
        again). Finished trials stay as they are."""
        for record in records:
            trial = self.trials.get(record.trial_id)
            if record.status is not TrialStatus.CANCELLED or trial is None:
                continue
            if trial.status != trial_module.TrialStatus.FAILED:
                continue
            if record.trial_id in self._retry_queue:
                continue
            self._retry_queue.append(record.trial_id)
            if record.trial_id in self.end_order:  # it ends again, once
                self.end_order.remove(record.trial_id)


class RandomOracle(SearchOracle, kt.oracles.RandomSearchOracle):
    pass


class BayesianOracle(SearchOracle, kt.oracles.BayesianOptimizationOracle):
    pass


class GridOracle(SearchOracle, kt.oracles.GridSearchOracle):
    plans_every_trial = True  # its first point is every value's default anyway


class HyperbandOracle(SearchOracle, kt.oracles.HyperbandOracle):
    plans_every_trial = True


ORACLES = {
    "random": RandomOracle,
    "bayesian": BayesianOracle,
    "grid": GridOracle,
    "hyperband": HyperbandOracle,
}


def make_oracle(
    kind: str,
    objective: str,
    direction: str,
    max_trials: int,
    seed: int,
    max_epochs: int,
    space: kt.HyperParameters | None = None,
) -> SearchOracle:
    """An oracle of the named kind. `max_epochs` is Hyperband's largest rung (the others
    ignore it); `space`, when given, is declared at once (a tuner declares it otherwise)."""
    options = dict(
        objective=kt.Objective(objective, direction=direction),
        seed=seed,
        max_retries_per_trial=0,
        max_consecutive_failed_trials=10**6,  # a failing trial never ends the search
    )
    if kind == "hyperband":
        options.update(max_epochs=int(max_epochs), factor=3)
    else:
        options["max_trials"] = max_trials
    oracle = ORACLES[kind](**options)
    oracle.prepare()
    oracle.verbose = 0  # our events report progress; keras-tuner's prints would repeat it
    if space is not None:
        oracle.update_space(space)
    return oracle


def plain_values(values: dict) -> dict:
    """A trial's values without keras-tuner's bookkeeping entries ("tuner/…"), numpy scalars
    as Python's: as the user sees them and the run's log keeps them."""
    return {
        name: plain_value(value) for name, value in values.items() if not name.startswith("tuner/")
    }


def plain_value(value):
    """A numpy scalar (keras-tuner's values) as Python's, so that it pickles and logs anywhere."""
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value
