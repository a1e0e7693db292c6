"""One run from spec to saved model: the single entry point the CLI and the GUI call.

    spec → load and profile the data → split and prepare → keras-tuner search planned inside
    the budget (one fixed configuration for "train") → the best finished trial, or, when none
    finished, the best epoch of one cut short → an average of the best few finished trials
    instead, when it is clearly better on validation and fits in the reserve (ensemble.py)
    → test-split evaluation → model.keras

Everything the user should see goes out as events; everything worth keeping goes into the run
folder as it happens, so a crash or a kill loses at most the trial that was running.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import keras
import keras_tuner as kt
import numpy as np

from dlstudio.core.config import RunSpec, default_objective, objective_direction
from dlstudio.core.data.prepare import (
    MAX_IMAGE_SIDE,
    MAX_IMAGE_SIDE_PRETRAINED,
    PreparedData,
    check_backend,
    prepare,
)
from dlstudio.core.diagnosis import baseline_loss
from dlstudio.core.engine.classic import (
    reference_for_run,
    reference_seconds,
    seconds_after_search,
)
from dlstudio.core.engine.devices import detect_device
from dlstudio.core.engine.ending import ended_status, finish_run
from dlstudio.core.engine.ensemble import try_ensemble
from dlstudio.core.engine.evaluate import evaluate_predictions
from dlstudio.core.engine.hdf5_guard import Hdf5Watch
from dlstudio.core.engine.memory import release_memory
from dlstudio.core.engine.supervised_trials import SEARCH_FOLDER, SupervisedTrials
from dlstudio.core.engine.test_rows import save_test_predictions
from dlstudio.core.errors import DlstudioError, error_summary
from dlstudio.core.events import (
    EventSink,
    RunFailed,
    RunMessage,
    RunStarted,
    RunStatus,
    TrialRecord,
    TrialStatus,
    discard,
)
from dlstudio.core.export import (
    inference_model,
    predict_arrays,
    save_sample_inputs,
    write_model_card,
)
from dlstudio.core.families import family_for_task, resolve
from dlstudio.core.models.hypermodel import TemplateHyperModel
from dlstudio.core.models.space import (
    default_space,
    first_configuration,
    fixed_space,
    grid_ready,
    merge_space,
    template_for,
)
from dlstudio.core.project import Project, RunFolder, data_spec_to_dict
from dlstudio.core.search import executor as executors
from dlstudio.core.search.budget import BudgetPlan, reserve_for
from dlstudio.core.search.cancel import CancelToken
from dlstudio.core.search.oracle import make_oracle
from dlstudio.core.search.runner import Search, run_trials, trial_folder
from dlstudio.core.storage import is_storage_error, storage_error
from dlstudio.core.validate import check_run, checked_dataset
from dlstudio.core.verdict import baseline_verdict

# What is left of the budget after the search goes mostly to averaging the best trials (a
# better model); the rest to the classical reference, which only measures.
ENSEMBLE_SHARE_OF_RESERVE = 0.6


def start_run(
    spec: RunSpec,
    project: str | Project,
    sink: EventSink = discard,
    token: CancelToken | None = None,
) -> RunFolder:
    """Start a new run in `project`; returns its folder when the run has ended."""
    check_run(spec, sink)  # before anything is written: a bad request leaves no run folder
    project = project if isinstance(project, Project) else Project(project)
    project.ensure(data_spec_to_dict(spec.data))  # the whole spec: reopening restores it
    if spec.search is not None and spec.search.seed is None:
        # Each search of a project draws from its own seed, so "search again" explores anew
        # (the data split and the weights' seed stay the user's, so runs remain comparable).
        earlier = len(project.runs())
        spec = replace(spec, search=replace(spec.search, seed=spec.train.seed + earlier))
    run = project.new_run(spec)
    with run.lock():
        execute(spec, run, sink, token or CancelToken(), resume=False)
    return run


def resume_run(
    run: RunFolder, sink: EventSink = discard, token: CancelToken | None = None
) -> RunFolder:
    """Continue an interrupted search where it stopped; finished trials are kept as they are.

    Raises:
        DlstudioError: Another process works in the run (it holds the run's lock), or the
            run's spec.json is missing or damaged.
    """
    with run.lock():  # before reading the state: two resumes must not both see "interrupted"
        state = run.state()
        if state.get("status") == RunStatus.RUNNING.value:
            raise DlstudioError(
                f"The run {run.id!r} is still running (process {state.get('pid')}).",
                "a run that was interrupted, cancelled or hit its time limit",
                "Wait for it to end, or stop that process first.",
            )
        spec = run.spec()
        check_run(spec, sink)  # the data may have moved or changed since the run began
        run.update_state(status=RunStatus.RUNNING.value, pid=os.getpid())
        execute(spec, run, sink, token or CancelToken(), resume=True)
    return run


def execute(
    spec: RunSpec, run: RunFolder, sink: EventSink, token: CancelToken, resume: bool
) -> None:
    """Run `spec` in `run`, emitting events; raises DlstudioError after emitting RunFailed."""
    started = time.monotonic()
    elapsed_before = _elapsed(run.state()) if resume else 0.0
    with Hdf5Watch():
        try:
            _execute(spec, run, sink, token, resume, started, elapsed_before)
        except DlstudioError as error:
            _fail(run, sink, str(error), started, elapsed_before)
            raise
        except OSError as error:
            if not is_storage_error(error):
                message = f"Unexpected problem ({type(error).__name__}: {error})."
                _fail(run, sink, message, started, elapsed_before)
                raise
            # Keras, keras-tuner or h5py could not write in the run folder: the disk is full,
            # or the folder is read-only or gone. The user's to fix, and said as such.
            where = Path(error.filename or run.path)
            plain = storage_error(where, error, run.fix_writes())
            _fail(run, sink, str(plain), started, elapsed_before)
            raise plain from error
        except Exception as error:
            _fail(
                run,
                sink,
                f"Unexpected problem ({type(error).__name__}: {error}).",
                started,
                elapsed_before,
            )
            raise


def _execute(spec, run, sink, token, resume, started, elapsed_before) -> None:
    family = family_for_task(spec.data.task)
    if family.execute is not None:  # an engine that plans its own search (core/families.py)
        return resolve(family.execute)(spec, run, sink, token, resume)
    search = spec.search
    if search is not None and search.time_limit_s is not None:
        # The search ends early enough to leave time for evaluating and saving the winner.
        left = search.time_limit_s - elapsed_before
        token.set_time_limit(left - reserve_for(search.time_limit_s))
    dataset = checked_dataset(spec.data)  # read once, by the check
    template = template_for(dataset.profile.kind.value, spec.model.template)
    pretrained = template in ("mobilenet_v3_small", "efficientnet_b0")
    side = MAX_IMAGE_SIDE_PRETRAINED if pretrained else MAX_IMAGE_SIDE
    data = prepare(dataset, spec.data.split, spec.train.class_weights, side)
    backend = keras.backend.backend()
    check_backend(data, backend)
    space = _space(spec, template, data)
    keras.utils.set_random_seed(spec.train.seed)
    device = detect_device()
    # On resume, a trial the user stopped runs again (oracle.run_stopped_again): not finished.
    stopped = [r for r in run.trials() if r.status is TrialStatus.CANCELLED] if resume else []
    finished_before = len(run.trials()) - len(stopped) if resume else 0
    max_trials = 1 if search is None else search.max_trials
    sink(
        RunStarted(
            run.id,
            spec.mode,
            backend,
            device.to_dict(),
            max_trials,
            None if search is None else search.time_limit_s,
            data.rows("train"),
            finished_before,
            _baseline_losses(data),
        )
    )
    for note in data.notes:
        sink(RunMessage(note))
    if device.notice:
        sink(RunMessage(device.notice))
    if spec.model.weights is None and pretrained:
        sink(
            RunMessage(
                f"No weights file given: {template} trains from scratch (dlstudio never "
                "downloads weights; pass a local file to fine-tune a pretrained one)."
            )
        )

    objective = (search.objective if search else None) or default_objective(data.task.value)
    run.update_state(objective=objective)  # what "best" meant, for the comparison views
    hypermodel = TemplateHyperModel(data, template, space, spec.train.clip_norm, spec.model.weights)
    declared = kt.HyperParameters()
    hypermodel.declare_hyperparameters(declared)
    direction = objective_direction(objective)
    oracle = make_oracle(
        search.tuner if search else "random",
        objective,
        direction,
        max_trials,
        spec.train.seed if search is None or search.seed is None else search.seed,
        spec.train.epochs,
        declared,
    )
    trials = SupervisedTrials(data, spec.train, hypermodel, declared, objective)
    executor = executors.executor_for(trials.fit, sink, token)
    plan = None
    if token.deadline is not None:
        averaging = None
        if search is not None and search.ensemble and search.time_limit_s is not None:
            averaging = (seconds_after_search(search.time_limit_s), ENSEMBLE_SHARE_OF_RESERVE)
        trials_left = max(1, max_trials - finished_before)
        plan = BudgetPlan(token.deadline, trials_left, averaging=averaging, slots=executor.slots)
        plan.has_model = any(r.score is not None for r in run.trials()) if resume else False
    setup = Search(
        oracle=oracle,
        folder=SEARCH_FOLDER,
        objective=objective,
        direction=direction,
        epochs=spec.train.epochs,
        starts=[first_configuration(space, data.rows("train"), template)] if search else [],
        avoid=_tried_elsewhere(run, spec, template) if search else [],
        repeat_best=bool(search and search.ensemble),
        budget=plan,
        store=trials.store,
        warm_start=trials.warm_start,
    )
    done = run.trials() if resume else []
    try:
        elapsed = lambda: elapsed_before + time.monotonic() - started  # noqa: E731
        run_trials(run, setup, executor, sink, token, done, None, elapsed)
    finally:
        executor.close()

    records = run.trials()
    best = best_trial(records, direction)
    status = ended_status(token)
    evaluation, message = None, ""
    if best is not None:
        store = _TrialStore(trials, run, records, token, objective)
        evaluation = _save_best(store, best, data, spec, template, run, device.to_dict(), sink)
        message = evaluation["verdict"]["text"]
        if evaluation.get("ensemble", {}).get("kept"):
            message = f"{evaluation['ensemble']['text']} {message}"
        if best.partial:
            message = f"{partial_model_note(best)} {message}"
    else:
        message = no_model_reason(records, spec, status)
        if status is RunStatus.COMPLETED or status is RunStatus.TIME_LIMIT:
            status = RunStatus.FAILED
    duration = elapsed_before + time.monotonic() - started
    finish_run(run, sink, status, best, duration, message, evaluation)


def partial_model_note(best: TrialRecord) -> str:
    """What a partial model is, in one sentence (the CLI, the window and the model card)."""
    stopped = "the user stopped it" if best.status is TrialStatus.CANCELLED else "the budget ended"
    note = (
        f"No trial finished before {stopped}: the model is the best epoch "
        f"({(best.best_epoch or 0) + 1} of {best.epochs}) of trial {best.number}, which was "
        "cut short (a partial model)."
    )
    if best.cut_mid_epoch and best.epochs == 1 and best.epoch_s:
        note += (
            f" It saw only part of the training data once: one epoch needs about "
            f"{best.epoch_s:.0f} s here, so a budget of at least {_suggest(best.epoch_s)} "
            "would let it learn properly."
        )
    return note


def no_model_reason(records: list[TrialRecord], spec: RunSpec, status: RunStatus) -> str:
    """Why a run ended without a model, and what to change."""
    if status is RunStatus.CANCELLED:
        return "Stopped before any epoch was validated, so there is no model."
    failed = [r for r in records if r.status is TrialStatus.FAILED and r.message]
    if failed or status is not RunStatus.TIME_LIMIT:
        why = f" The last failure: {failed[-1].message}" if failed else ""
        return f"No trial trained a model.{why}"
    budget = spec.search.time_limit_s if spec.search else None
    measured = [r.epoch_s for r in records if r.epoch_s]
    if measured:
        epoch = min(measured)
        return (
            f"Not one epoch could finish within the {budget:g} s budget. One epoch "
            f"needs about {epoch:.0f} s here; give a budget of at least {_suggest(epoch)}, "
            "or use less data or a smaller model."
        )
    return (
        f"The {budget:g} s budget ran out before training began (loading and "
        "preparing the data took it all). Give a longer budget."
    )


def _suggest(epoch_s: float) -> str:
    """A budget with room for a few epochs and the set-up, rounded up for people."""
    seconds = 3 * epoch_s + 20
    return f"{math.ceil(seconds / 60)} min" if seconds > 90 else f"{math.ceil(seconds / 10) * 10} s"


def _tried_elsewhere(run: RunFolder, spec: RunSpec, template: str) -> list[dict]:
    """Configurations that earlier runs of this project, on the same data with the same
    architecture, already trained: a new search does not repeat them."""
    project = Project(run.path.parents[1])
    tried = []
    for other in project.runs():
        if other.path == run.path:
            continue
        try:
            other_spec = other.spec()
        except Exception:  # noqa: BLE001  (a damaged run is no reason to fail this one)
            continue
        same_data = (other_spec.data.path, other_spec.data.target) == (
            spec.data.path,
            spec.data.target,
        )
        if same_data and (other_spec.model.template or template) == template:
            tried += [r.hyperparameters for r in other.trials() if r.score is not None]
    return tried


def _space(spec: RunSpec, template: str, data: PreparedData) -> dict:
    base = default_space(template, data.task.value)
    if spec.search is None:
        # One training is the search's first trial: sized to the data as that one is.
        start = first_configuration(base, data.rows("train"), template)
        return fixed_space(base, {**start, **spec.model.hyperparameters})
    space = merge_space(base, spec.search.space)
    space = merge_space(space, spec.model.hyperparameters)  # values the user pinned
    return grid_ready(space) if spec.search.tuner == "grid" else space


def best_trial(records: list[TrialRecord], direction: str = "min") -> TrialRecord | None:
    """The finished trial with the best score; when no trial finished, the best one cut short
    or cancelled (its best epoch is kept: a partial model). None when nothing was validated."""

    def scored(candidates):
        return [r for r in candidates if r.score is not None and math.isfinite(r.score)]

    done = scored(r for r in records if r.status is TrialStatus.COMPLETED)
    pool = done or scored(r for r in records if r.partial)
    if not pool:
        return None
    return (max if direction == "max" else min)(pool, key=lambda r: r.score)


@dataclass
class _TrialStore:
    """The finished trials of a supervised search, as the end of the run reads them back."""

    trials: SupervisedTrials
    run: RunFolder
    records: list[TrialRecord]
    token: CancelToken
    objective: str

    def _folder(self, trial_id: str) -> Path:
        return trial_folder(self.run, SEARCH_FOLDER, trial_id)

    def network(self, trial_id: str) -> keras.Model:
        """A finished trial's network rebuilt with the weights it kept, ready to predict."""
        values = next(r.hyperparameters for r in self.records if r.trial_id == trial_id)
        return self.trials.network(values, self._folder(trial_id))

    def stored_output(self, trial_id: str) -> np.ndarray | None:
        return self.trials.stored_output(self._folder(trial_id))


def _save_best(
    store: _TrialStore,
    best: TrialRecord,
    data: PreparedData,
    spec: RunSpec,
    template: str,
    run: RunFolder,
    device: dict,
    sink: EventSink,
) -> dict:
    release_memory()
    rebuilding = time.monotonic()
    network = store.network(best.trial_id)
    final, account = None, None
    if spec.search is not None and spec.search.ensemble and not store.token.cancelled:
        try:
            ensembled, account = try_ensemble(
                run.trials(),
                best,
                network,
                store.stored_output,
                store.network,
                data,
                store.objective,
                lambda: _ensemble_seconds(store.token, spec),
                (time.monotonic() - rebuilding, _seconds_to_predict(best, data)),
            )
            if ensembled is not None:
                final = inference_model(ensembled, data, in_user_units=True)
                outputs = {split: _outputs(final, data, split) for split in ("validation", "test")}
        except Exception as error:  # noqa: BLE001  (an average is a bonus: never the run's end)
            if is_storage_error(error):
                raise
            final = None
            account = {
                "kept": False,
                "text": f"Averaging the best trials failed ({error_summary(error)}); the model "
                f"is trial {best.number} alone.",
            }
    # Evaluated through the model that is saved: what the user gets is what was measured.
    if final is None:
        final = inference_model(network, data)
        outputs = {split: _outputs(final, data, split) for split in ("validation", "test")}
    train_mean = data.baseline_mean()  # weighted, as every score, with a weight column

    def scored(split: str, output: np.ndarray) -> dict:
        return evaluate_predictions(
            data.task, data.y[split], output, data.class_names, train_mean, data.weights(split)
        )

    evaluation = scored("test", outputs["test"])
    validation = scored("validation", outputs["validation"])
    if data.weight_column is not None:
        evaluation["weighted_by"] = data.weight_column  # the verdict and the card say so
    evaluation["split"] = {name: data.rows(name) for name in ("train", "validation", "test")}
    evaluation["best_trial_id"] = best.trial_id
    if account is not None:
        if account["kept"]:  # the trial alone on the test split, for an honest comparison
            alone = _outputs(inference_model(network, data), data, "test")
            account["single"]["test"] = scored("test", alone)["metrics"]
        evaluation["ensemble"] = account
        sink(RunMessage(account["text"]))
        run.append_log(account["text"])
    # A classical model on the same split, in what is left of the budget (before the verdict,
    # which compares the model with it).
    # Kept as ONNX in the run folder, to be chosen instead when it validates better.
    evaluation["classic"] = reference_for_run(
        data,
        store.token,
        spec,
        outputs["test"],
        folder=run.path,
        network_validation=validation["metrics"],
    )
    evaluation["verdict"] = baseline_verdict(evaluation, validation)
    if best.partial:
        evaluation["partial"] = partial_model_note(best)
    if not evaluation["verdict"]["beats_baseline"]:
        sink(RunMessage(evaluation["verdict"]["text"]))
    run.write_evaluation(evaluation)
    # For the Mistakes and Threshold views (a threshold is chosen on validation rows).
    save_test_predictions(run.path, data, outputs["test"], outputs["validation"])
    final.save(run.model_path)
    save_sample_inputs(run.path, data.x["test"])
    activations = used_activations(final)
    write_model_card(run.path, data, spec, template, best, evaluation, device, activations)
    return evaluation


def used_activations(model: keras.Model) -> list[str]:
    """The activations the saved model uses, every member of an average included: the card
    lists them so that core/formats.py can refuse ONNX for GELU (tf2onnx converts it to an
    operation ONNX Runtime does not load) before the user waits for an export that fails."""
    return sorted(set(re.findall(r'"activation": "(\w+)"', json.dumps(model.get_config()))))


def _seconds_to_predict(best: TrialRecord, data: PreparedData) -> float:
    """About how long one network takes over the validation and test rows: their share of an
    epoch (which also trained on the training rows, so this errs on the long side)."""
    if not best.epoch_s:
        return 1.0
    rows = data.rows("validation") + data.rows("test")
    return best.epoch_s * rows / max(1, data.rows("train") + data.rows("validation"))


def _outputs(model: keras.Model, data: PreparedData, split: str) -> np.ndarray:
    return _network_output(predict_arrays(model, data.x[split]), data)


def _ensemble_seconds(token: CancelToken, spec: RunSpec) -> float | None:
    """What the ensemble may take: most of what is left of the budget's reserve, keeping time
    to save the model and some for the classical reference. None without a budget."""
    left = reference_seconds(token, spec.search.time_limit_s if spec.search else None)
    return None if left is None else ENSEMBLE_SHARE_OF_RESERVE * left


def _baseline_losses(data: PreparedData) -> dict:
    """The training loss of always guessing the class shares or the mean, per loss."""
    if data.class_names is not None:  # by weight, with a weight column
        y = np.asarray(data.y["train"], dtype=int)
        counts = np.bincount(y, weights=data.weights("train")).tolist()
        return {"crossentropy": baseline_loss(class_counts=counts)}
    scaled = np.asarray(data.fit_target("train"), dtype=float).reshape(-1)
    return {loss: baseline_loss(targets=scaled, loss=loss) for loss in ("mse", "mae", "huber")}


def _network_output(outputs: dict, data: PreparedData) -> np.ndarray:
    """The saved model's outputs in the form evaluate_predictions takes."""
    if data.task.value == "regression":
        return np.asarray(outputs["value"]).reshape(-1)
    probabilities = np.asarray(outputs["probabilities"])
    return probabilities[:, 1] if data.task.value == "binary" else probabilities


def _fail(
    run: RunFolder, sink: EventSink, message: str, started: float, elapsed_before: float
) -> None:
    """Mark the run failed where its folder still allows it; always tell the sink."""
    try:
        run.update_state(
            status=RunStatus.FAILED.value,
            message=message,
            elapsed_s=elapsed_before + time.monotonic() - started,
        )
    except (DlstudioError, OSError) as error:
        # The same full disk or vanished folder that failed the run: the message still goes
        # out, and the state left behind reads "interrupted" once this process has ended.
        if str(error) not in message:
            message += f" (The failure could not be recorded in the run folder: {error})"
    sink(RunFailed(run.id, message))


def _elapsed(state: dict) -> float:
    try:
        return float(state.get("elapsed_s") or 0.0)
    except (TypeError, ValueError):
        return 0.0
