"""One supervised trial (tables, images, texts): build the template with the trial's values,
fit it inside its share of the budget, and give back its record and what it keeps. The search
loop around it is the one every family uses (search/runner.py).

What a trial does beyond `model.fit`:

- it ends on the best weights it saw, as completed, cut short, cancelled or failed, with a
  plain message; a cut-short or cancelled trial keeps its best epoch, which wins only when no
  trial finished (a partial model, said as such);
- each trial trains for the epochs that fit its share of the budget (callbacks.EpochBudget);
- out of memory is retried once with half the batch size; a NaN loss fails only that trial;
- a pretrained backbone is fine-tuned after its new head has learnt, when asked;
- Hyperband's next rung goes on from the earlier rung's weights;
- a finished trial keeps its weights and its validation output, so that the end of the run can
  rebuild the winner and choose trials to average (engine/ensemble.py) without rebuilding them
  all.

The fitting side (`fit`) takes a plan and returns an outcome that both pickle
(search/trials.py): what it keeps is bytes, which the runner side (`store`) writes into the
trial's folder, keras-tuner's layout, so run folders from before open as they did.
"""

from __future__ import annotations

import io
import json
import math
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import keras
import keras_tuner as kt
import numpy as np

from dlstudio.core.config import TrainSpec, objective_direction
from dlstudio.core.data.prepare import PreparedData
from dlstudio.core.engine.memory import custom_gradients, release_memory
from dlstudio.core.engine.trial_watch import TrialWatch
from dlstudio.core.events import EventSink, RunMessage, TrialRecord, TrialStatus
from dlstudio.core.export.feed import batches
from dlstudio.core.models.heads import compile_model
from dlstudio.core.models.images import BACKBONE_LAYER
from dlstudio.core.search.cancel import CancelToken
from dlstudio.core.search.trials import TrialOutcome, TrialPlan
from dlstudio.core.storage import atomic_write_bytes

SEARCH_FOLDER = "keras_tuner"  # the oracle's state and the trials' folders, in the run folder
# A trial's files in its folder (keras-tuner's names, so older run folders read the same).
WEIGHTS_FILE = "checkpoint.weights.h5"
BUILD_CONFIG_FILE = "build_config.json"
VALIDATION_FILE = "validation_output.npy"
_OOM_MARKERS = (
    "out of memory",
    "resource_exhausted",
    "oom when allocating",
    "cuda error: out of memory",
)


class TrialFailed(Exception):
    """This trial failed (and the search goes on); the message says why in plain words."""


@dataclass
class _Ending:
    """How one trial went, gathered as it runs."""

    parameters: int | None = None
    history: dict | None = None
    cost: object = None
    status: TrialStatus | None = None
    message: str = ""
    cut_mid_epoch: bool = False
    kept: dict | None = None  # its files, once trained: weights, build config, validation output


class SupervisedTrials:
    """Fits the trials of one supervised search, and reads back what they kept.

    Args:
        data: The prepared data (sent once to wherever trials are fitted).
        train: The run's training settings.
        hypermodel: Builds a template's network from a trial's values.
        space: The search's hyperparameters, declared (a trial's values are set on a copy).
        objective: What "best" means ("val_loss", "val_accuracy", …).
    """

    def __init__(
        self,
        data: PreparedData,
        train: TrainSpec,
        hypermodel,
        space: kt.HyperParameters,
        objective: str,
    ) -> None:
        self.data = data
        self.train = train
        self.hypermodel = hypermodel
        self.space = space
        self.objective = objective
        self.direction = objective_direction(objective)

    # ------------------------------------------------------------ fitting side

    def fit(self, plan: TrialPlan, sink: EventSink, token: CancelToken) -> TrialOutcome:
        """Fit one trial; never raises for a trial that fails (its outcome says so)."""
        started = time.monotonic()
        gradients_before = custom_gradients()  # see engine/memory.py
        ending = _Ending()
        details = ""
        try:
            self._fit_trial(plan, sink, token, ending)
            ending.status = TrialStatus.COMPLETED
        except TrialFailed as failure:
            ending.message = ending.message or str(failure)
            ending.status = ending.status or TrialStatus.FAILED
            if ending.status is TrialStatus.FAILED:
                details = traceback.format_exc()
        except Exception as error:  # a layer that cannot be built, bad values, …: this trial only
            ending.message = f"{type(error).__name__}: {_last_line(str(error))}"
            ending.status = TrialStatus.FAILED
            details = traceback.format_exc()
        record = self._record(plan, ending, started)
        outcome = TrialOutcome(record, ending.cost, ending.kept, details)
        # The trial's traced graphs go with its model, once TensorFlow's gradient registry
        # lets go of them (engine/memory.py).
        release_memory(gradients_before)
        return outcome

    def _record(self, plan: TrialPlan, ending: _Ending, started: float) -> TrialRecord:
        history = ending.history or {}
        scores = history.get(self.objective, [])
        finite = [s for s in scores if math.isfinite(s)]
        pick = max if self.direction == "max" else min
        duration = time.monotonic() - started
        epochs = len(history.get("loss", []))
        cost = ending.cost
        epoch_s = cost.epoch_s if cost else (duration / epochs if epochs else None)
        return TrialRecord(
            trial_id=plan.trial_id,
            number=plan.number,
            status=ending.status,
            hyperparameters=plan.shown,
            history=history,
            score=pick(finite) if finite else None,
            best_epoch=scores.index(pick(finite)) if finite else None,
            epochs=epochs,
            duration_s=round(duration, 3),
            parameters=ending.parameters,
            message=ending.message,
            epoch_s=None if epoch_s is None else round(epoch_s, 3),
            cut_mid_epoch=ending.cut_mid_epoch,
        )

    def hyperparameters(self, values: dict) -> kt.HyperParameters:
        """The search's space with a trial's values set."""
        hp = self.space.copy()
        hp.values = dict(values)
        return hp

    def _build(self, hp: kt.HyperParameters, warm_start: bytes | None) -> keras.Model:
        release_memory()  # keras-tuner collects garbage here; see release_memory for why not
        model = self.hypermodel.build(hp)
        if warm_start is not None:  # Hyperband's next rung goes on from the earlier rung's
            _load_weights(model, warm_start)
        return model

    def _fit_trial(self, plan: TrialPlan, sink, token, ending: _Ending) -> None:
        hp = self.hyperparameters(plan.values)
        model = self._build(hp, plan.warm_start)
        ending.parameters = int(model.count_params())
        batch_size = int(hp.values.get("batch_size", 32))
        try:
            watch = self._fit(plan, model, batch_size, sink, token)
        except Exception as error:
            if not _is_out_of_memory(error) or batch_size <= 1:
                raise
            batch_size //= 2
            sink(
                RunMessage(
                    f"Trial {plan.number} ran out of memory; retrying once with batch size "
                    f"{batch_size}."
                )
            )
            keras.backend.clear_session()
            model = self._build(hp, plan.warm_start)
            watch = self._fit(plan, model, batch_size, sink, token)
        watch.best.restore(model)  # after an interruption too: the best epoch is what counts
        ending.history = watch.history
        ending.cost = watch.cost()
        # Kept whatever follows: a cut-short trial's best epoch can still be the run's model.
        ending.kept = {WEIGHTS_FILE: _weights(model), BUILD_CONFIG_FILE: _build_config(model)}
        losses = watch.events.history.get("loss", [])
        if any(not math.isfinite(v) for v in losses):
            epoch = next(i for i, v in enumerate(losses) if not math.isfinite(v))
            raise TrialFailed(
                f"The loss became NaN at epoch {epoch + 1}: training diverged. Try a lower "
                "learning rate, gradient clipping, or another optimiser."
            )
        if watch.stopped:
            ending.status, ending.message = watch.status()
            ending.cut_mid_epoch = watch.cut_mid_epoch
            # The oracle learns nothing from a partial trial; our record keeps its best epoch.
            raise TrialFailed(ending.message)
        scores = [s for s in watch.events.history.get(self.objective, []) if math.isfinite(s)]
        if not scores:
            raise TrialFailed(
                f"no {self.objective} was measured (this task reports: "
                f"{', '.join(k for k in watch.events.history if k.startswith('val_'))})"
            )
        # Finished trials only: the candidates for averaging.
        output = model.predict(batches(self.data, "validation", 256), verbose=0)
        ending.kept[VALIDATION_FILE] = _array_bytes(np.asarray(output, np.float32))
        ending.message = watch.ending()

    def _fit(self, plan: TrialPlan, model, batch_size: int, sink, token) -> TrialWatch:
        hp_values = plan.values
        ratio = self.data.rows("validation") / max(1, self.data.rows("train"))
        watch = TrialWatch.create(
            plan, sink, token, self.objective, self.direction, self.train.patience, ratio
        )
        plateau = keras.callbacks.ReduceLROnPlateau(
            monitor=self.objective, factor=0.5, patience=self.train.reduce_lr_patience
        )
        # Each trial sees its own order of the rows (the first one the user's seed's), so that
        # trials repeating one configuration differ in more than their starting weights.
        order = self.train.seed + plan.number - 1
        train = batches(self.data, "train", batch_size, shuffle=True, seed=order)
        validation = batches(self.data, "validation", batch_size)
        fit = dict(
            validation_data=validation,
            class_weight=self.data.fit_class_weight,  # in the batches' weights, when rows have
            callbacks=watch.callbacks(plateau),
            shuffle=False,
            verbose=0,
        )  # the dataset reshuffles itself
        if not watch.run(
            model.fit, train, epochs=watch.events.epochs, initial_epoch=plan.initial_epoch, **fit
        ):
            return watch
        backbone = _frozen_backbone(model)
        extra = int(hp_values.get("fine_tune_epochs", 0))
        if backbone is not None and extra > 0 and not watch.stopped:
            # The new head has learned; now let the pretrained layers adapt, gently.
            backbone.trainable = True
            gentle = {
                **hp_values,
                "learning_rate": float(hp_values.get("learning_rate", 1e-3)) / 10,
            }
            compile_model(model, self.data, gentle, self.train.clip_norm)
            done = len(watch.events.history.get("loss", []))
            watch.events.epochs = done + extra
            if watch.budget is not None:
                watch.budget.most = done + extra
            sink(
                RunMessage(
                    f"Trial {plan.number}: fine-tuning the pretrained backbone for "
                    f"{extra} epoch(s) at a tenth of the learning rate."
                )
            )
            watch.run(model.fit, train, epochs=done + extra, initial_epoch=done, **fit)
        return watch

    # ------------------------------------------------------------ runner side

    @staticmethod
    def store(record: TrialRecord, kept, folder: Path) -> None:
        """Write what a trial kept into its folder (the runner's side of the seam)."""
        for name, content in (kept or {}).items():
            atomic_write_bytes(folder / name, content)

    @staticmethod
    def warm_start(folder: Path) -> bytes | None:
        """The weights an earlier rung kept, for Hyperband's next one (None: none kept)."""
        path = folder / WEIGHTS_FILE
        return path.read_bytes() if path.exists() else None

    def network(self, values: dict, folder: Path) -> keras.Model:
        """A trial's network rebuilt with the weights it kept, ready to predict."""
        hp = self.hyperparameters(values)
        model = self.hypermodel.build(hp)
        with warnings.catch_warnings():  # the checkpoint's optimizer state is not needed
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model.load_weights(folder / WEIGHTS_FILE)
        return self.hypermodel.build_for_inference(hp, model)

    @staticmethod
    def stored_output(folder: Path) -> np.ndarray | None:
        """A finished trial's validation output, as it kept it (None for a run from before)."""
        try:
            return np.load(folder / VALIDATION_FILE)
        except (OSError, ValueError):
            return None


def _frozen_backbone(model):
    """The keras.applications backbone, if the model has one and it is still frozen."""
    try:
        backbone = model.get_layer(BACKBONE_LAYER)
    except ValueError:
        return None
    return None if backbone.trainable else backbone


def _weights(model: keras.Model) -> bytes:
    with tempfile.TemporaryDirectory(prefix="dlstudio-trial-") as folder:
        path = Path(folder) / WEIGHTS_FILE
        model.save_weights(path)
        return path.read_bytes()


def _load_weights(model: keras.Model, content: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="dlstudio-trial-") as folder:
        path = Path(folder) / WEIGHTS_FILE
        path.write_bytes(content)
        with warnings.catch_warnings():  # the earlier rung's optimizer state is not carried
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model.load_weights(path)


def _build_config(model: keras.Model) -> bytes:
    return json.dumps(model.get_build_config()).encode()


def _array_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _is_out_of_memory(error: Exception) -> bool:
    text = f"{type(error).__name__} {error}".lower()
    return isinstance(error, MemoryError) or any(marker in text for marker in _OOM_MARKERS)


def _last_line(text: str | None) -> str:
    lines = [ln.strip() for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""
