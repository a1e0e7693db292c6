"""keras-tuner, wrapped: events, a trial log on disk, a hard time budget, and failures that
do not end the search.

keras-tuner owns the search (the oracle picks values, keeps its state in the run folder and, on
`overwrite=False`, resumes: a trial that was running when the process died is run again). This
mixin adds what keras-tuner lacks:

- a search loop that plans inside the budget (engine/budget.py): the first trial is a
  known-good configuration, each trial trains for the epochs that fit its share, and the search
  stops once another trial would not fit, or the user cancels;
- each trial ends on the best weights it saw, as completed, cut short, cancelled or failed,
  with a plain message; a cut-short or cancelled trial keeps its best epoch, which wins only
  when no trial finished (a partial model, said as such);
- configurations tried by earlier searches of the same project are not tried again;
- once half the time budget is spent, and when the run will average its best trials, the remaining
  trials train the best configuration so far again from other starting weights (`repeat_best`):
  an average of several trainings of one good configuration beats any one of them more surely
  than more random configurations do (issue 14's note has the measurements);
- out of memory is retried once with half the batch size; a NaN loss fails only that trial;
- every finished trial is appended to trials.jsonl as it ends, so a killed search loses none.
- every finished trial keeps its validation output beside its weights, so that the end of
  the run can choose trials to average (engine/ensemble.py) without rebuilding them all.

keras-tuner internals this reaches (pinned below 1.5 in pyproject.toml; the contract is tested
in tests/core/engine/test_keras_tuner_contract.py): `_try_run_and_update_trial` (overridden so
that a failing trial prints no traceback); the oracle's are reached in engine/oracle.py only.
"""

from __future__ import annotations

import json
import math
import os
import time
import traceback
import warnings
from dataclasses import dataclass, field

import keras
import keras_tuner as kt
import numpy as np
from keras_tuner.src.engine import trial as trial_module

from dlstudio.core.config import TrainSpec, objective_direction
from dlstudio.core.data.prepare import PreparedData
from dlstudio.core.engine.budget import BudgetPlan
from dlstudio.core.engine.callbacks import (
    BestEpoch,
    EpochBudget,
    EventCallback,
    StopCallback,
    TrialInterrupted,
)
from dlstudio.core.engine.cancel import CANCELLED, CancelToken
from dlstudio.core.engine.family_search import why_give_up
from dlstudio.core.engine.memory import custom_gradients, release_memory
from dlstudio.core.engine.oracle import make_oracle
from dlstudio.core.events import (
    EventSink,
    RunMessage,
    TrialEnded,
    TrialRecord,
    TrialStarted,
    TrialStatus,
)
from dlstudio.core.export.feed import batches
from dlstudio.core.models.heads import compile_model
from dlstudio.core.models.images import BACKBONE_LAYER

# Hyperband's next rung reloads a checkpoint into a freshly compiled model whose optimizer
# has no state yet; Keras warns about it, harmlessly, on every such trial.
warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")

# Share of a time budget spent exploring configurations before the best one is trained again
# for the average.
REPEAT_AFTER_SHARE = 0.5
VALIDATION_FILE = "validation_output.npy"
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
    # A callable appending one TrialRecord to the run's files, and a failure's full text.
    trials_log: object
    objective: str = "val_loss"
    plan: BudgetPlan | None = None
    first_values: dict | None = None  # the known-good configuration the search starts with
    tried_before: list[dict] = field(default_factory=list)  # by earlier searches: not again
    # Train the best configuration again in the second half of the budget (see repeat_best):
    # only worth it when the run averages its best trials at the end.
    repeat_best: bool = False

    @property
    def direction(self) -> str:
        return objective_direction(self.objective)


class RecordingMixin:
    """Put before a keras-tuner tuner class; see `make_tuner`."""

    context: TrialContext

    # ------------------------------------------------------------ the loop

    def adopt_finished_trials(self, records: list[TrialRecord]) -> None:
        """On resume: trials our log records as completed are handed back to the oracle as
        finished (oracle.adopt_logged); their durations are kept too, so that a repeat of one
        is given the time it took."""
        self._took_s.update(
            {r.trial_id: r.duration_s for r in records if r.status is TrialStatus.COMPLETED}
        )
        self.oracle.adopt_logged(records, self.context.objective)

    def run_stopped_trials_again(self, records: list[TrialRecord]) -> None:
        """On resume of a run the user stopped: the trial they stopped runs again."""
        self.oracle.run_stopped_again(records)

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
        plan = self.context.plan
        self._failures: list[str] = []  # why each trial failed, while none has succeeded
        self._succeeded = any(
            t.status == trial_module.TrialStatus.COMPLETED for t in self.oracle.trials.values()
        )
        while self.context.token.stop_reason() is None:
            why_not = (plan.why_not_another_trial() if plan else None) or why_give_up(
                self._failures, self._succeeded
            )
            if why_not:
                self.context.sink(RunMessage(why_not))
                break
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

    def _try_run_and_update_trial(self, trial, *fit_args, **fit_kwargs):
        # keras-tuner's own version prints every failing trial's traceback; our record says
        # what failed in one line, and the trial keeps the full text.
        try:
            self._run_and_update_trial(trial, *fit_args, **fit_kwargs)
            trial.status = trial_module.TrialStatus.COMPLETED
        except kt.errors.FatalError:
            raise
        except Exception as error:
            failed = isinstance(error, kt.errors.FailedTrialError)
            trial.status = (
                trial_module.TrialStatus.FAILED if failed else trial_module.TrialStatus.INVALID
            )
            trial.message = traceback.format_exc()

    def on_trial_begin(self, trial):
        super().on_trial_begin(trial)
        plan = self.context.plan
        original = self.oracle.repeats.get(trial.trial_id)
        needs_s = self._took_s.get(original) if original is not None else None
        self._current = {
            "started": time.monotonic(),
            "gradients_before": custom_gradients(),  # see engine/memory.py
            "number": len(self.oracle.trials),
            "window": plan.start_trial(needs_s) if plan else None,
        }
        self._say_if_repeat(original)
        self.context.sink(
            TrialStarted(
                trial.trial_id,
                self._current["number"],
                _public(trial.hyperparameters.values),
                self._epochs(trial),
            )
        )

    def _say_if_repeat(self, original: str | None) -> None:
        """Tells the user that the trial starting trains trial `original`'s configuration
        again (None: it does not)."""
        if original is None:
            return
        number = self._current["number"]
        message = (
            f"Trial {number} trains trial {int(original) + 1}'s configuration again, from other "
            "starting weights."
        )
        if len(self.oracle.repeats) == 1:
            message += (
                " Half the budget is spent, so the rest goes to the best configuration so far: "
                "the run ends with an average of its best trainings when that validates better, "
                "which usually beats any single one."
            )
        self.context.sink(RunMessage(message))

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
        duration = time.monotonic() - current.get("started", time.monotonic())
        epochs = len(history.get("loss", []))
        cost = current.get("cost")
        epoch_s = cost.epoch_s if cost else (duration / epochs if epochs else None)
        record = TrialRecord(
            trial_id=trial.trial_id,
            number=current.get("number", 0),
            status=status,
            hyperparameters=_public(trial.hyperparameters.values),
            history=history,
            score=pick(finite) if finite else None,
            best_epoch=scores.index(pick(finite)) if finite else None,
            epochs=epochs,
            duration_s=round(duration, 3),
            parameters=current.get("parameters"),
            message=current.get("message") or _last_line(trial.message),
            epoch_s=None if epoch_s is None else round(epoch_s, 3),
            cut_mid_epoch=current.get("cut_mid_epoch", False),
        )
        if self.context.plan is not None:
            self.context.plan.record(cost, record.score is not None)
        if record.status is TrialStatus.COMPLETED:
            self._took_s[trial.trial_id] = duration  # what a repeat of it will need
        if record.score is not None:
            self._succeeded = True
        elif record.status is TrialStatus.FAILED:
            self._failures.append(record.message)
        failed = record.status is TrialStatus.FAILED
        self.context.trials_log(record, (trial.message or "") if failed else "")
        self.context.sink(TrialEnded(record))
        super().on_trial_end(trial)
        # The trial's traced graphs go with its model, once TensorFlow's gradient registry
        # lets go of them (engine/memory.py).
        release_memory(current.get("gradients_before"))

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
            watch = self._fit(trial, model, batch_size)
        except Exception as error:
            if not _is_out_of_memory(error) or batch_size <= 1:
                raise
            batch_size //= 2
            ctx.sink(
                RunMessage(
                    f"Trial {self._current['number']} ran out of memory; retrying once with "
                    f"batch size {batch_size}."
                )
            )
            keras.backend.clear_session()
            model = self._try_build(hp)
            watch = self._fit(trial, model, batch_size)
        watch.best.restore(model)  # after an interruption too: the best epoch is what counts
        self._current["history"] = watch.events.history
        if watch.budget is not None:
            converged = not watch.stopped and not watch.budget.stopped_for_budget
            self._current["cost"] = watch.budget.cost(converged)
        self._save_weights(trial, model)
        losses = watch.events.history.get("loss", [])
        if any(not math.isfinite(v) for v in losses):
            epoch = next(i for i, v in enumerate(losses) if not math.isfinite(v))
            self._current["message"] = (
                f"The loss became NaN at epoch {epoch + 1}: training diverged. Try a lower "
                "learning rate, gradient clipping, or another optimiser."
            )
            raise kt.errors.FailedTrialError(self._current["message"])
        if watch.interrupted is not None:
            reason, message = watch.interrupted
            self._current["cut_mid_epoch"] = watch.stopper.mid_epoch and bool(losses)
            cancelled = reason == CANCELLED
            self._current["status"] = TrialStatus.CANCELLED if cancelled else TrialStatus.CUT_SHORT
            self._current["message"] = message
            # keras-tuner records it as failed, so that its oracles learn nothing from a partial
            # trial; our record keeps its best epoch, which can still be the run's model.
            raise kt.errors.FailedTrialError(message)
        scores = [s for s in watch.events.history.get(ctx.objective, []) if math.isfinite(s)]
        if not scores:
            raise kt.errors.FailedTrialError(
                f"no {ctx.objective} was measured (this task reports: "
                f"{', '.join(k for k in watch.events.history if k.startswith('val_'))})"
            )
        self._save_validation_output(trial, model)  # finished trials only: ensemble candidates
        self._current["message"] = watch.ending()
        return {ctx.objective: max(scores) if ctx.direction == "max" else min(scores)}

    def _fit(self, trial, model, batch_size: int) -> _TrialWatch:
        ctx, hp = self.context, trial.hyperparameters
        watch = _TrialWatch.create(ctx, trial.trial_id, self._epochs(trial), self._current)
        # Each trial sees its own order of the rows (the first one the user's seed's), so that
        # trials repeating one configuration differ in more than their starting weights.
        order = ctx.train.seed + self._current.get("number", 1) - 1
        train = batches(ctx.data, "train", batch_size, shuffle=True, seed=order)
        validation = batches(ctx.data, "validation", batch_size)
        fit = dict(
            validation_data=validation,
            class_weight=ctx.data.fit_class_weight,  # in the batches' weights, when rows have them
            callbacks=watch.callbacks(ctx),
            shuffle=False,
            verbose=0,
        )  # the dataset reshuffles itself
        initial_epoch = int(hp.values.get("tuner/initial_epoch", 0))
        if not watch.run(
            model.fit, train, epochs=watch.events.epochs, initial_epoch=initial_epoch, **fit
        ):
            return watch
        backbone = _frozen_backbone(model)
        extra = int(hp.values.get("fine_tune_epochs", 0))
        if backbone is not None and extra > 0 and not watch.stopped:
            # The new head has learned; now let the pretrained layers adapt, gently.
            backbone.trainable = True
            gentle = {
                **hp.values,
                "learning_rate": float(hp.values.get("learning_rate", 1e-3)) / 10,
            }
            compile_model(model, ctx.data, gentle, ctx.train.clip_norm)
            done = len(watch.events.history.get("loss", []))
            watch.events.epochs = done + extra
            if watch.budget is not None:
                watch.budget.most = done + extra
            ctx.sink(
                RunMessage(
                    f"Trial {self._current['number']}: fine-tuning the pretrained backbone for "
                    f"{extra} epoch(s) at a tenth of the learning rate."
                )
            )
            watch.run(model.fit, train, epochs=done + extra, initial_epoch=done, **fit)
        return watch

    def _epochs(self, trial) -> int:
        return int(trial.hyperparameters.values.get("tuner/epochs", self.context.train.epochs))

    def validation_output_path(self, trial_id: str) -> str:
        """Where a trial's network output on the validation rows is kept (at its best epoch):
        the ensemble step (engine/ensemble.py) picks trials to average from these without
        rebuilding every trial's model in the little time left after the search."""
        return os.path.join(os.path.dirname(self._get_checkpoint_fname(trial_id)), VALIDATION_FILE)

    def _save_validation_output(self, trial, model) -> None:
        data = self.context.data
        output = model.predict(batches(data, "validation", 256), verbose=0)
        np.save(self.validation_output_path(trial.trial_id), np.asarray(output, np.float32))

    def _save_weights(self, trial, model) -> None:
        """Where keras-tuner (and Hyperband's next rung) look for a trial's weights."""
        model.save_weights(self._get_checkpoint_fname(trial.trial_id))
        with open(self._get_build_config_fname(trial.trial_id), "w") as fh:
            json.dump(model.get_build_config(), fh)


@dataclass
class _TrialWatch:
    """One trial's callbacks, and how its training ended."""

    events: EventCallback
    best: BestEpoch
    stopper: StopCallback
    budget: EpochBudget | None
    interrupted: tuple[str, str] | None = None  # (reason, message) when it did not finish

    @classmethod
    def create(cls, ctx: TrialContext, trial_id: str, epochs: int, current: dict) -> _TrialWatch:
        events = EventCallback(ctx.sink, trial_id, epochs)
        best = BestEpoch(ctx.objective, ctx.direction, ctx.train.patience)
        budget = None
        if ctx.plan is not None and current.get("window") is not None:
            ratio = ctx.data.rows("validation") / max(1, ctx.data.rows("train"))
            budget = EpochBudget(ctx.plan, current["window"], events, best, ratio)
        return cls(events, best, StopCallback(ctx.token, best, ctx.plan), budget)

    def callbacks(self, ctx: TrialContext) -> list:
        # Order matters at each epoch's end: the history and the best weights are recorded
        # before anything decides to stop.
        plateau = keras.callbacks.ReduceLROnPlateau(
            monitor=ctx.objective, factor=0.5, patience=ctx.train.reduce_lr_patience
        )
        return [self.events, self.best, self.stopper, plateau] + (
            [self.budget] if self.budget else []
        )

    def run(self, fit, *args, **kwargs) -> bool:
        """Call `fit`; False if a callback interrupted it (the reason is kept)."""
        try:
            fit(*args, **kwargs)
        except TrialInterrupted as stop:
            self.interrupted = (stop.reason, stop.message)
            return False
        if self.stopper.reason:
            cancelled = self.stopper.reason == CANCELLED
            message = "cancelled by the user" if cancelled else "cut short by the time limit"
            if self.stopper.mid_epoch:
                epochs = len(self.events.history.get("loss", []))
                message += f" part-way through epoch {epochs}"
            self.interrupted = (self.stopper.reason, message)
            return False
        return True

    @property
    def stopped(self) -> bool:
        return self.interrupted is not None

    def ending(self) -> str:
        """Why a finished trial ended before its maximum of epochs, if it did."""
        epochs = plural(len(self.events.history.get("loss", [])), "epoch")
        if self.best.stopped_early:
            return (
                f"stopped early after {epochs}: no better score in the last "
                f"{plural(self.best.patience, 'epoch')}"
            )
        if self.budget is not None and self.budget.stopped_for_budget:
            return f"stopped after {epochs} to fit its share of the time budget"
        return ""


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
    """A recording tuner of the named kind, its oracle (engine/oracle.py) kept under
    `directory`."""
    base = {
        "random": kt.RandomSearch,
        "bayesian": kt.BayesianOptimization,
        "hyperband": kt.Hyperband,
        "grid": kt.GridSearch,
    }[tuner]
    oracle = make_oracle(
        tuner, context.objective, context.direction, max_trials, seed, context.train.epochs
    )
    cls = type(f"Recording{base.__name__}", (RecordingMixin, base), {})
    # Each keras-tuner tuner class only builds its own kind of oracle in its __init__ (and
    # Hyperband's adds the rung epochs and checkpoints in its methods): ours is given instead.
    instance = cls.__new__(cls)
    kt.Tuner.__init__(
        instance,
        oracle=oracle,
        hypermodel=hypermodel,
        directory=directory,
        project_name="keras_tuner",
        overwrite=not resume,
    )
    instance.context = context
    instance._took_s = {}  # finished trials' durations, by trial id (adopted ones on resume)
    oracle.avoid(context.tried_before)
    if context.first_values is not None:
        oracle.start_with([context.first_values])
    if context.repeat_best:
        oracle.repeat_best_after(lambda: _exploring_done(context.plan))
    return instance


def _exploring_done(plan: BudgetPlan | None) -> bool:
    """Whether half the search's time is spent. A search without a time limit runs the
    configurations the user counted (--max-trials) and repeats none."""
    spent = plan.share_spent() if plan is not None else None
    return spent is not None and spent >= REPEAT_AFTER_SHARE


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


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
