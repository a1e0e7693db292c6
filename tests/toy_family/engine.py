"""The toy family's engine: check, search (through the runner every family uses,
search/runner.py), evaluate, save, export and predict."""

from __future__ import annotations

import shutil
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from dlstudio.core.engine.callbacks import EventCallback
from dlstudio.core.engine.ending import ended_status, finish_run
from dlstudio.core.errors import DlstudioError
from dlstudio.core.events import RunStarted, TrialRecord, TrialStatus
from dlstudio.core.export.fresh_check import ExportedFile
from dlstudio.core.project import atomic_write_text
from dlstudio.core.search.runner import clock_from
from dlstudio.core.search.templates import FamilySearch, TemplateSpace, run_search
from dlstudio.core.search.trials import TrialOutcome

SPACE = TemplateSpace(
    {"dense": {"units": [8, 4, 16]}, "linear": {}},
    {"learning_rate": [0.05, 0.01]},
)


def _table(path, target: str) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(path)
    if target not in frame.columns or frame.shape[1] < 2:
        raise DlstudioError(
            f"The table {path} has no column {target!r} beside others.",
            "a CSV of numbers with the target column (--target) and at least one other",
            "Fix --target or the file.",
        )
    inputs = frame.drop(columns=[target])
    return inputs.to_numpy("float32"), frame[target].to_numpy("float32")


def check(spec) -> None:
    _table(spec.data.path, spec.data.target)


def execute(spec, run, sink, token, resume: bool) -> None:
    x, y = _table(spec.data.path, spec.data.target)
    cut, end = int(len(x) * 0.7), int(len(x) * 0.85)
    parts = {"train": (x[:cut], y[:cut]), "validation": (x[cut:end], y[cut:end])}
    test = (x[end:], y[end:])
    done = run.trials() if resume else []
    clock = clock_from(float(run.state().get("elapsed_s") or 0.0) if resume else 0.0)
    if spec.search is not None and spec.search.time_limit_s:
        token.set_time_limit(spec.search.time_limit_s)
    max_trials = spec.search.max_trials if spec.search else 1
    sink(RunStarted(run.id, spec.mode, "tensorflow", {}, max_trials, None, cut, len(done)))
    run.update_state(objective="val_mae")

    def fit(plan, sink, token) -> TrialOutcome:
        number, trial_id, values, epochs = plan.number, plan.trial_id, plan.shown, plan.epochs
        keras.utils.set_random_seed(number)
        layers = [keras.Input((x.shape[1],), name="x"), keras.layers.Normalization()]
        if values["template"] == "dense":
            layers.append(keras.layers.Dense(values["units"], activation="relu"))
        model = keras.Sequential([*layers, keras.layers.Dense(1)])
        model.layers[0].adapt(parts["train"][0])
        model.compile(keras.optimizers.Adam(values["learning_rate"]), "mse", metrics=["mae"])
        events = EventCallback(sink, trial_id, epochs)
        model.fit(*parts["train"], validation_data=parts["validation"], epochs=epochs,
                  callbacks=[events], verbose=0)  # fmt: skip
        scores = events.history["val_mae"]
        record = TrialRecord(
            trial_id, number, TrialStatus.COMPLETED, values, events.history,
            score=float(min(scores)), best_epoch=int(np.argmin(scores)), epochs=len(scores),
        )  # fmt: skip
        return TrialOutcome(record, kept=model)

    family = FamilySearch(
        SPACE,
        ("dense", "linear"),
        dict(spec.model.hyperparameters),
        fit,
        lambda record, model: model.save(run.model_path),
        "val_mae",
    )
    best = [r for r in done if r.score is not None]
    best = min(best, key=lambda r: r.score) if best else None
    best = run_search(run, spec, family, sink, token, done, best, clock)
    model = keras.saving.load_model(run.model_path)
    mae = float(np.mean(np.abs(model.predict(test[0], verbose=0).ravel() - test[1])))
    baseline = float(np.mean(np.abs(parts["train"][1].mean() - test[1])))
    beats = mae < baseline
    headline = f"Off by {mae:.3g} on average; always guessing the mean is off by {baseline:.3g}."
    evaluation = {
        "task": "toy_regression",
        "metrics": {"mae": mae},
        "baseline": {"mae": baseline},
        "verdict": {"beats_baseline": beats, "headline": headline, "text": headline},
    }
    run.write_json("evaluation.json", evaluation)
    card = {"task": "toy_regression", "inputs": x.shape[1], "best_trial": best.trial_id}
    run.write_json("model_card.json", card)
    atomic_write_text(run.path / "model_card.md", f"# Toy regressor\n\n{headline}\n")
    finish_run(run, sink, ended_status(token), best, clock(), headline, evaluation)


def _folder(reference) -> Path:
    folder = Path(reference).expanduser()
    return folder.parent if folder.is_file() else folder


def export(reference, formats, out) -> list[ExportedFile]:
    if formats and formats != ["keras"]:
        raise DlstudioError(
            f"--format {','.join(formats)} for a toy regressor.", "keras", "Give --format keras."
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(_folder(reference) / "model.keras", out / "model.keras")
    shutil.copy(_folder(reference) / "model_card.json", out / "model_card.json")
    return [ExportedFile("keras", str(out / "model.keras"), None, "the toy regressor")]


def predict(reference, data_path) -> pd.DataFrame:
    model = keras.saving.load_model(_folder(reference) / "model.keras")
    frame = pd.read_csv(data_path)
    values = model.predict(frame.to_numpy("float32"), verbose=0).ravel()
    return pd.DataFrame({"prediction": values})
