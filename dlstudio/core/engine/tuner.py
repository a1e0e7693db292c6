"""keras-tuner, wrapped: events, a trial log on disk, a hard time budget, and failures that
do not end the search.

keras-tuner owns the search (the oracle picks values, keeps its state in the run folder and, on
`overwrite=False`, resumes: a trial that was running when the process died is run again). This
mixin adds what keras-tuner lacks:

- a search loop that stops before the next trial once the user cancels or the time is up;
- each trial runs with our callbacks and ends as completed, cut short, cancelled or failed,
  with a plain message; cut-short and cancelled trials never win;
- out of memory is retried once with half the batch size; a NaN loss fails only that trial;
- every finished trial is appended to trials.jsonl as it ends, so a killed search loses none.
"""

from __future__ import annotations

import gc
import json
import math
import threading
import time
import warnings
from dataclasses import dataclass

import keras
import keras_tuner as kt
import numpy as np
from keras_tuner.src.engine import trial as trial_module

from dlstudio.core.config import TrainSpec, objective_direction
from dlstudio.core.engine.callbacks import EventCallback, StopCallback
from dlstudio.core.engine.cancel import CANCELLED, CancelToken
from dlstudio.core.engine.datasets import batches
from dlstudio.core.engine.prepare import PreparedData
from dlstudio.core.events import (
    EventSink,
    RunMessage,
    TrialEnded,
    TrialRecord,
    TrialStarted,
    TrialStatus,
)
from dlstudio.core.models.heads import compile_model
from dlstudio.core.models.images import BACKBONE_LAYER

# Hyperband's next rung reloads a checkpoint into a freshly compiled model whose optimizer
# has no state yet; Keras warns about it, harmlessly, on every such trial.
warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")

_OOM_MARKERS = (
    "out of memory",
    "resource_exhausted",
    "oom when allocating",
    "cuda error: out of memory",
)


@dataclass
class TrialContext:
    """What one search needs besides keras-tuner's own arguments."""

    data: PreparedData
    train: TrainSpec
    sink: EventSink
    token: CancelToken
    trials_log: object  # a callable appending one TrialRecord (the run folder's log)
    objective: str = "val_loss"

    @property
    def direction(self) -> str:
        return objective_direction(self.objective)


class RecordingMixin:
    """Put before a keras-tuner tuner class; see `make_tuner`."""

    context: TrialContext

    # ------------------------------------------------------------ the loop

    def adopt_finished_trials(self, records: list[TrialRecord]) -> None:
        """On resume: trials our log records as completed, but which the process was killed
        before keras-tuner saved as such, are handed back to the oracle as finished (with the
        logged score) instead of being run again. Their weights were saved before the log line."""
        done = {
            r.trial_id: r
            for r in records
            if r.status is TrialStatus.COMPLETED and r.score is not None
        }
        queue = self.oracle._retry_queue  # where reload() puts the trials that were running
        for trial_id in [t for t in queue if t in done]:
            queue.remove(trial_id)
            trial = self.oracle.trials[trial_id]
            self.oracle.update_trial(trial_id, {self.context.objective: done[trial_id].score})
            trial.status = trial_module.TrialStatus.COMPLETED
            self.oracle.end_trial(trial)

    def _populate_initial_space(self):
        # keras-tuner builds the model here to discover conditional hyperparameters. Our space
        # is declared from data and has none, and a build with the defaults could fail on a
        # value the user asked to try, ending the search before its first trial.
        hp = self.oracle.get_space()
        self.hypermodel.declare_hyperparameters(hp)
        self.oracle.update_space(hp)

    def search(self, *fit_args, **fit_kwargs):
        self.on_search_begin()
        # keras-tuner reloads a project only if the tuner's own file exists, and writes that
        # file first at the end of the first trial, after our log line. A kill in between would
        # make a resume start from scratch and run the logged trial again; saving now closes it.
        self.save()
        while self.context.token.stop_reason() is None:
            self.pre_create_trial()
            trial = self.oracle.create_trial(self.tuner_id)
            if trial.status == trial_module.TrialStatus.STOPPED:
                break  # the oracle has no more trials to give (max_trials, grid exhausted)
            if trial.status == trial_module.TrialStatus.IDLE:
                continue
            self.on_trial_begin(trial)
            self._try_run_and_update_trial(trial, *fit_args, **fit_kwargs)
            self.on_trial_end(trial)
        self.on_search_end()

    def on_trial_begin(self, trial):
        super().on_trial_begin(trial)
        self._current = {"started": time.monotonic(), "number": len(self.oracle.trials)}
        self.context.sink(
            TrialStarted(
                trial.trial_id,
                self._current["number"],
                _public(trial.hyperparameters.values),
                self._epochs(trial),
            )
        )

    def on_trial_end(self, trial):
        current = getattr(self, "_current", {})
        status = current.get("status") or (
            TrialStatus.COMPLETED
            if trial.status == trial_module.TrialStatus.COMPLETED
            else TrialStatus.FAILED
        )
        history = current.get("history", {})
        scores = history.get(self.context.objective, [])
        finite = [s for s in scores if math.isfinite(s)]
        pick = max if self.context.direction == "max" else min
        record = TrialRecord(
            trial_id=trial.trial_id,
            number=current.get("number", 0),
            status=status,
            hyperparameters=_public(trial.hyperparameters.values),
            history=history,
            score=pick(finite) if finite else None,
            best_epoch=scores.index(pick(finite)) if finite else None,
            epochs=len(history.get("loss", [])),
            duration_s=round(time.monotonic() - current.get("started", time.monotonic()), 3),
            parameters=current.get("parameters"),
            message=current.get("message") or _last_line(trial.message),
        )
        self.context.trials_log(record)
        self.context.sink(TrialEnded(record))
        super().on_trial_end(trial)
        release_memory()

    # ------------------------------------------------------------ one trial

    def _try_build(self, hp):
        # keras-tuner's own version collects garbage here; see release_memory for why not.
        release_memory()
        model = self._build_hypermodel(hp)
        if not isinstance(model, keras.Model):
            raise kt.errors.FatalTypeError(f"The template built {type(model)}, not a Keras model.")
        return model

    def run_trial(self, trial, *args, **kwargs):
        try:
            return self._fit_trial(trial)
        except kt.errors.FailedTrialError:
            raise
        except Exception as error:  # a layer that cannot be built, bad values, …: this trial only
            self._current["message"] = f"{type(error).__name__}: {_last_line(str(error))}"
            raise kt.errors.FailedTrialError(self._current["message"]) from error

    def _fit_trial(self, trial):
        ctx, hp = self.context, trial.hyperparameters
        model = self._try_build(hp)
        self._current["parameters"] = int(model.count_params())
        batch_size = int(hp.values.get("batch_size", 32))
        try:
            events, stopper = self._fit(trial, model, batch_size)
        except Exception as error:
            if not _is_out_of_memory(error) or batch_size <= 1:
                raise
            batch_size //= 2
            ctx.sink(
                RunMessage(
                    f"Trial {trial.trial_id} ran out of memory; retrying once with "
                    f"batch size {batch_size}."
                )
            )
            keras.backend.clear_session()
            model = self._try_build(hp)
            events, stopper = self._fit(trial, model, batch_size)
        self._current["history"] = events.history
        self._save_weights(trial, model)
        losses = events.history.get("loss", [])
        if any(not math.isfinite(v) for v in losses):
            epoch = next(i for i, v in enumerate(losses) if not math.isfinite(v))
            self._current["message"] = (
                f"The loss became NaN at epoch {epoch + 1}: training diverged. Try a lower "
                "learning rate, gradient clipping, or another optimiser."
            )
            raise kt.errors.FailedTrialError(self._current["message"])
        if stopper.reason:
            cancelled = stopper.reason == CANCELLED
            self._current["status"] = TrialStatus.CANCELLED if cancelled else TrialStatus.CUT_SHORT
            self._current["message"] = (
                "cancelled by the user" if cancelled else "cut short by the time limit"
            )
            raise kt.errors.FailedTrialError(self._current["message"])  # never the best trial
        scores = [s for s in events.history.get(ctx.objective, []) if math.isfinite(s)]
        if not scores:
            raise kt.errors.FailedTrialError(
                f"no {ctx.objective} was measured (this task reports: "
                f"{', '.join(k for k in events.history if k.startswith('val_'))})"
            )
        return {ctx.objective: max(scores) if ctx.direction == "max" else min(scores)}

    def _fit(self, trial, model, batch_size: int):
        ctx, hp = self.context, trial.hyperparameters
        epochs = self._epochs(trial)
        events = EventCallback(ctx.sink, trial.trial_id, epochs)
        stopper = StopCallback(ctx.token)
        callbacks = [
            events,
            stopper,
            keras.callbacks.EarlyStopping(
                monitor=ctx.objective, patience=ctx.train.patience, restore_best_weights=True
            ),
            keras.callbacks.ReduceLROnPlateau(
                monitor=ctx.objective, factor=0.5, patience=ctx.train.reduce_lr_patience
            ),
        ]
        train = batches(ctx.data, "train", batch_size, shuffle=True, seed=ctx.train.seed)
        validation = batches(ctx.data, "validation", batch_size)
        fit = dict(
            validation_data=validation,
            class_weight=ctx.data.class_weight,
            callbacks=callbacks,
            shuffle=False,
            verbose=0,
        )  # the dataset reshuffles itself
        model.fit(
            train, epochs=epochs, initial_epoch=int(hp.values.get("tuner/initial_epoch", 0)), **fit
        )
        backbone = _frozen_backbone(model)
        extra = int(hp.values.get("fine_tune_epochs", 0))
        if backbone is not None and extra > 0 and not stopper.reason:
            # The new head has learned; now let the pretrained layers adapt, gently.
            backbone.trainable = True
            gentle = {
                **hp.values,
                "learning_rate": float(hp.values.get("learning_rate", 1e-3)) / 10,
            }
            compile_model(model, ctx.data.task, gentle, ctx.train.clip_norm)
            done = len(events.history.get("loss", []))
            events.epochs = done + extra
            ctx.sink(
                RunMessage(
                    f"Trial {trial.trial_id}: fine-tuning the pretrained backbone for "
                    f"{extra} epoch(s) at a tenth of the learning rate."
                )
            )
            model.fit(train, epochs=done + extra, initial_epoch=done, **fit)
        return events, stopper

    def _epochs(self, trial) -> int:
        return int(trial.hyperparameters.values.get("tuner/epochs", self.context.train.epochs))

    def _save_weights(self, trial, model) -> None:
        """Where keras-tuner (and Hyperband's next rung) look for a trial's weights."""
        model.save_weights(self._get_checkpoint_fname(trial.trial_id))
        with open(self._get_build_config_fname(trial.trial_id), "w") as fh:
            json.dump(model.get_build_config(), fh)


def release_memory() -> None:
    """Drop the previous model's graph and memory between trials.

    Garbage is collected only on the main thread: a collection on a thread of a Qt app can
    destroy its Qt objects on the wrong thread, which deadlocks (seen in the wizard's tests;
    the app collects on its own thread, see dlstudio.gui.app.GuiThreadGarbageCollector). The
    CLI and the app's training process (engine/child.py) run the engine on their main thread.
    """
    keras.backend.clear_session(free_memory=False)
    if threading.current_thread() is threading.main_thread():
        gc.collect()


def _frozen_backbone(model):
    """The keras.applications backbone, if the model has one and it is still frozen."""
    try:
        backbone = model.get_layer(BACKBONE_LAYER)
    except ValueError:
        return None
    return None if backbone.trainable else backbone


def make_tuner(
    tuner: str,
    hypermodel,
    context: TrialContext,
    directory: str,
    max_trials: int,
    seed: int,
    resume: bool,
):
    """A recording tuner of the named kind, its oracle state kept under `directory`."""
    base = {
        "random": kt.RandomSearch,
        "bayesian": kt.BayesianOptimization,
        "hyperband": kt.Hyperband,
        "grid": kt.GridSearch,
    }[tuner]
    cls = type(f"Recording{base.__name__}", (RecordingMixin, base), {})
    options = dict(
        hypermodel=hypermodel,
        objective=kt.Objective(context.objective, direction=context.direction),
        directory=directory,
        project_name="keras_tuner",
        overwrite=not resume,
        seed=seed,
        max_retries_per_trial=0,
        max_consecutive_failed_trials=10**6,  # a failing trial never ends the search
    )
    if tuner == "hyperband":
        options["max_epochs"] = context.train.epochs
        options["factor"] = 3
    else:
        options["max_trials"] = max_trials
    instance = cls(**options)
    instance.context = context
    instance.oracle.verbose = 0  # our events report progress; keras-tuner's prints would repeat it
    instance.oracle._display.verbose = 0
    return instance


def _public(values: dict) -> dict:
    """Hyperparameter values without keras-tuner's bookkeeping entries ("tuner/…")."""
    return {k: _plain(v) for k, v in values.items() if not k.startswith("tuner/")}


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _is_out_of_memory(error: Exception) -> bool:
    text = f"{type(error).__name__} {error}".lower()
    return isinstance(error, MemoryError) or any(marker in text for marker in _OOM_MARKERS)


def _last_line(text: str | None) -> str:
    lines = [ln.strip() for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""
