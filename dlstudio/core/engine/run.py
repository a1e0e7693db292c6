"""One run from spec to saved model: the single entry point the CLI and the GUI call.

    spec → load and profile the data → split and prepare → keras-tuner search (one fixed
    configuration for "train") → best finished trial → test-split evaluation → model.keras

Everything the user should see goes out as events; everything worth keeping goes into the run
folder as it happens, so a crash or a kill loses at most the trial that was running.
"""

from __future__ import annotations

import math
import os
import time
import warnings

import keras

from dlstudio.core.config import RunSpec, objective_direction
from dlstudio.core.data import load_dataset
from dlstudio.core.engine.cancel import TIME_LIMIT, CancelToken
from dlstudio.core.engine.datasets import make_batches
from dlstudio.core.engine.devices import detect_device
from dlstudio.core.engine.evaluate import evaluate_predictions
from dlstudio.core.engine.prepare import PreparedData, check_backend, prepare
from dlstudio.core.engine.tuner import TrialContext, make_tuner, release_memory
from dlstudio.core.errors import DlstudioError
from dlstudio.core.events import (
    EventSink,
    RunFailed,
    RunFinished,
    RunMessage,
    RunStarted,
    RunStatus,
    TrialRecord,
    TrialStatus,
    discard,
)
from dlstudio.core.export import inference_model, write_model_card
from dlstudio.core.models.hypermodel import TemplateHyperModel
from dlstudio.core.models.space import (
    default_space,
    fixed_space,
    grid_ready,
    merge_space,
    template_for,
)
from dlstudio.core.project import Project, RunFolder


def start_run(
    spec: RunSpec,
    project: str | Project,
    sink: EventSink = discard,
    token: CancelToken | None = None,
) -> RunFolder:
    """Start a new run in `project`; returns its folder when the run has ended."""
    project = project if isinstance(project, Project) else Project(project)
    project.ensure({"path": spec.data.path, "target": spec.data.target})
    run = project.new_run(spec)
    execute(spec, run, sink, token or CancelToken(), resume=False)
    return run


def resume_run(
    run: RunFolder, sink: EventSink = discard, token: CancelToken | None = None
) -> RunFolder:
    """Continue an interrupted search where it stopped; finished trials are kept as they are."""
    state = run.state()
    if state.get("status") == RunStatus.RUNNING.value:
        raise DlstudioError(
            f"The run {run.id!r} is still running (process {state.get('pid')}).",
            "a run that was interrupted, cancelled or hit its time limit",
            "Wait for it to end, or stop that process first.",
        )
    spec = run.spec()
    run.update_state(status=RunStatus.RUNNING.value, pid=os.getpid())
    execute(spec, run, sink, token or CancelToken(), resume=True)
    return run


def execute(
    spec: RunSpec, run: RunFolder, sink: EventSink, token: CancelToken, resume: bool
) -> None:
    """Run `spec` in `run`, emitting events; raises DlstudioError after emitting RunFailed."""
    started = time.monotonic()
    elapsed_before = float(run.state().get("elapsed_s", 0.0)) if resume else 0.0
    try:
        _execute(spec, run, sink, token, resume, started, elapsed_before)
    except DlstudioError as error:
        _fail(run, sink, str(error), started, elapsed_before)
        raise
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
    search = spec.search
    if search is not None and search.time_limit_s is not None:
        token.set_time_limit(search.time_limit_s - elapsed_before)
    dataset = load_dataset(
        spec.data.path,
        target=spec.data.target,
        sheet=spec.data.sheet,
        task=spec.data.task,
        roles=spec.data.roles,
    )
    data = prepare(dataset, spec.data.split, spec.train.class_weights)
    backend = keras.backend.backend()
    check_backend(data, backend)
    template = template_for(data.kind, spec.model.template)
    space = _space(spec, template, data)
    keras.utils.set_random_seed(spec.train.seed)
    device = detect_device()
    finished_before = len(run.trials()) if resume else 0
    sink(
        RunStarted(
            run.id,
            spec.mode,
            backend,
            device.to_dict(),
            1 if search is None else search.max_trials,
            None if search is None else search.time_limit_s,
            data.rows("train"),
            finished_before,
        )
    )
    for note in data.notes:
        sink(RunMessage(note))
    if device.notice:
        sink(RunMessage(device.notice))
    if spec.model.weights is None and template in ("mobilenet_v3_small", "efficientnet_b0"):
        sink(
            RunMessage(
                f"No weights file given: {template} trains from scratch (dlstudio never "
                "downloads weights; pass a local file to fine-tune a pretrained one)."
            )
        )

    def log_trial(record: TrialRecord) -> None:
        run.append_trial(record)
        run.update_state(elapsed_s=elapsed_before + time.monotonic() - started)

    context = TrialContext(
        data, spec.train, sink, token, log_trial, search.objective if search else "val_loss"
    )
    hypermodel = TemplateHyperModel(data, template, space, spec.train.clip_norm, spec.model.weights)
    tuner = make_tuner(
        search.tuner if search else "random",
        hypermodel,
        context,
        str(run.tuner_dir),
        search.max_trials if search else 1,
        spec.train.seed,
        resume,
    )
    if resume:
        tuner.adopt_finished_trials(run.trials())
    tuner.search()

    best = best_trial(run.trials(), objective_direction(context.objective))
    reason = token.stop_reason()
    status = (
        RunStatus.CANCELLED
        if token.cancelled
        else RunStatus.TIME_LIMIT
        if reason == TIME_LIMIT
        else RunStatus.COMPLETED
    )
    evaluation, model_path = None, None
    if best is not None:
        evaluation = _save_best(tuner, best, data, spec, template, run, device.to_dict())
        model_path = str(run.model_path)
    elif status is RunStatus.COMPLETED:
        status = RunStatus.FAILED
    duration = elapsed_before + time.monotonic() - started
    run.update_state(
        status=status.value,
        best_trial_id=best.trial_id if best else None,
        best_score=best.score if best else None,
        elapsed_s=duration,
        finished=time.time(),
    )
    metrics = (evaluation or {}).get("metrics", {})
    sink(
        RunFinished(
            run.id,
            status,
            best.trial_id if best else None,
            best.score if best else None,
            duration,
            metrics,
            model_path,
        )
    )


def _space(spec: RunSpec, template: str, data: PreparedData) -> dict:
    base = default_space(template, data.task.value)
    if spec.search is None:
        return fixed_space(base, spec.model.hyperparameters)
    space = merge_space(base, spec.search.space)
    space = merge_space(space, spec.model.hyperparameters)  # values the user pinned
    return grid_ready(space) if spec.search.tuner == "grid" else space


def best_trial(records: list[TrialRecord], direction: str = "min") -> TrialRecord | None:
    """The finished trial with the best score; cut-short or cancelled ones never win."""
    done = [
        r
        for r in records
        if r.status is TrialStatus.COMPLETED and r.score is not None and math.isfinite(r.score)
    ]
    if not done:
        return None
    return (max if direction == "max" else min)(done, key=lambda r: r.score)


def _save_best(
    tuner,
    best: TrialRecord,
    data: PreparedData,
    spec: RunSpec,
    template: str,
    run: RunFolder,
    device: dict,
) -> dict:
    release_memory()
    hp = tuner.oracle.get_trial(best.trial_id).hyperparameters
    model = tuner.hypermodel.build(hp)
    with warnings.catch_warnings():  # the checkpoint's optimizer state is not needed to predict
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        model.load_weights(tuner._get_checkpoint_fname(best.trial_id))
    output = model.predict(make_batches(data.x["test"], None, 256), verbose=0)
    train_mean = float(data.y["train"].mean()) if data.class_names is None else 0.0
    evaluation = evaluate_predictions(
        data.task, data.y["test"], output, data.class_names, train_mean
    )
    evaluation["split"] = {name: data.rows(name) for name in ("train", "validation", "test")}
    evaluation["best_trial_id"] = best.trial_id
    run.write_json("evaluation.json", evaluation)
    inference_model(model, data).save(run.model_path)
    write_model_card(run.path, data, spec, template, best, evaluation, device)
    return evaluation


def _fail(
    run: RunFolder, sink: EventSink, message: str, started: float, elapsed_before: float
) -> None:
    run.update_state(
        status=RunStatus.FAILED.value,
        message=message,
        elapsed_s=elapsed_before + time.monotonic() - started,
    )
    sink(RunFailed(run.id, message))
