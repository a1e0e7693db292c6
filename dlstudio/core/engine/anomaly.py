"""An anomaly-detection run: search autoencoders on the data assumed normal, score every row
(or window) by its reconstruction error, pick the threshold, evaluate against the labels if
any, and keep the model that outputs score and flag.

The search draws its trials from the oracles every task's search uses (search/templates.py:
random, Bayesian, Hyperband or grid), the templates' defaults first; a trial cut short by the deadline keeps its best epoch, and
the best trial is the one with the lowest validation reconstruction error on normal data (the
labels never choose). Events are the engine's usual ones, so the CLI's progress printer and
the window's live curves show the run as any other.

Resume, as a forecast run's: each trial is appended to trials.jsonl as it ends, and the best
trial's weights are kept in the run folder (BEST_WEIGHTS) as soon as it wins, so a stopped or
crashed run goes on after its finished trials; the oracle's state is kept in the run folder
too, so the trials after them are drawn as the first run would have drawn them.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from dlstudio.core import anomaly_metrics
from dlstudio.core.anomaly_space import FAMILY
from dlstudio.core.config import RunSpec
from dlstudio.core.data.anomaly_data import (
    AnomalyData,
    AnomalySettings,
    anomaly_folder,
    load_anomaly_data,
)
from dlstudio.core.engine.ending import ended_status, finish_run
from dlstudio.core.engine.trial_watch import TrialWatch
from dlstudio.core.errors import DlstudioError
from dlstudio.core.events import (
    EventSink,
    RunStarted,
    TrialRecord,
    TrialStatus,
    discard,
)
from dlstudio.core.models.autoencoder import (
    TEMPLATES,
    TEMPLATES_BY_KIND,
    build_autoencoder,
    reconstruction_scores,
    scoring_model,
)
from dlstudio.core.paths import MODEL_CARD_FILE, MODEL_CARD_TEXT
from dlstudio.core.project import RunFolder, atomic_write_text
from dlstudio.core.search.budget import reserve_for
from dlstudio.core.search.cancel import CancelToken
from dlstudio.core.search.templates import FamilySearch, TemplateSpace, run_search
from dlstudio.core.search.trials import TrialOutcome, TrialPlan

SETTINGS_FILE = "anomaly.json"
BEST_WEIGHTS = "best_trial_weights.npz"  # the best trial's autoencoder, kept for a resume
SAMPLE_FILE = "sample_inputs.npz"  # raw samples kept with the run, to check exports on
SAMPLE_ROWS = 8  # of each: spread over the data, and the most unusual
BATCH_SIZE = 64
VALIDATION_SHARE = 0.2
TOP_ROWS = 20


def _split(data: AnomalyData, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation samples from the part assumed normal: a series' validation is
    its last windows (after the training ones, no overlap); a table's, a random fifth."""
    end = data.train_end
    if data.kind == "series":
        cut = int(end * (1 - VALIDATION_SHARE))
        return data.samples(0, cut), data.samples(cut, end)
    rows = data.samples(0, end)
    order = np.random.default_rng(seed).permutation(len(rows))
    cut = int(len(rows) * (1 - VALIDATION_SHARE))
    return rows[order[:cut]], rows[order[cut:]]


def _scaling(train_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = np.nanmean(train_rows, axis=0)
    variance = np.nanvar(train_rows, axis=0)
    mean = np.where(np.isnan(mean), 0.0, mean)
    variance = np.where(np.isnan(variance) | (variance <= 1e-12), 1.0, variance)
    return mean.astype("float32"), variance.astype("float32")


def run_anomaly(
    spec: RunSpec,
    settings: AnomalySettings,
    project: str | Path,
    sink: EventSink = discard,
    token: CancelToken | None = None,
) -> RunFolder:
    """Search, score, evaluate and save one anomaly run in a new run folder of `project`;
    returns the folder. The spec's data takes `settings` (DataSpec.anomaly), and the run goes
    through engine/run.py's start_run as every task's does: checked before a folder is made,
    the project's data spec saved, the run's lock held while it works."""
    from dlstudio.core.engine.run import start_run

    spec = replace(spec, data=replace(spec.data, task="anomaly", anomaly=settings.to_dict()))
    return start_run(spec, project, sink, token)


def execute_anomaly(
    spec: RunSpec, run: RunFolder, sink: EventSink, token: CancelToken, resume: bool
) -> None:
    """Run `spec` (an anomaly search, its settings in DataSpec.anomaly) in `run`, a folder
    engine/run.py's start_run or resume_run made and locked (they also say a failure).
    `resume`: go on after the trials the run already recorded (the time limit counts the
    whole run)."""
    settings = AnomalySettings.from_dict(spec.data.anomaly or {})
    # A resumed run's clock starts with the time it already spent, as the budget counts it.
    elapsed_before = float(run.state().get("elapsed_s") or 0.0) if resume else 0.0
    started = time.monotonic() - elapsed_before
    search = spec.search
    if search is not None and search.time_limit_s:
        # Training stops early enough to leave time for scoring, IsolationForest and saving.
        reserve = reserve_for(search.time_limit_s)
        token.set_time_limit(search.time_limit_s - elapsed_before - reserve)
    run.write_json(SETTINGS_FILE, settings.to_dict())
    run.update_state(objective=FAMILY.objectives[0])  # what "best" meant
    data = load_anomaly_data(spec.data.path, settings)
    done = run.trials() if resume else []
    _run(run, spec, settings, data, sink, token, started, done)


def _run(run, spec, settings, data, sink, token, started, done=()) -> RunFolder:
    seed = spec.train.seed
    keras.utils.set_random_seed(seed)
    train, validation = _split(data, seed)
    rows = data.values[: data.train_end]
    mean, variance = _scaling(rows)
    max_trials = spec.search.max_trials if spec.search else 1
    try:
        from dlstudio.core.engine.devices import detect_device

        device = detect_device().to_dict()
    except Exception:  # the device is a courtesy of the progress line, never a reason to stop
        device = {}
    sink(
        RunStarted(
            run.id,
            spec.mode,
            keras.backend.backend(),
            device,
            max_trials,
            spec.search.time_limit_s if spec.search else None,
            len(train),
            len(done),
        )
    )
    for note in data.notes:
        run.append_log(note)
    kept = {"best": _kept_best(run, done)}  # (score, plan, weights, record)

    def fit(plan: TrialPlan, sink: EventSink, token: CancelToken) -> TrialOutcome:
        keras.backend.clear_session()  # the previous trial's graphs (its weights are kept)
        return _trial(plan, (train, validation, mean, variance), spec, sink, token)

    def keep(record: TrialRecord, weights) -> None:
        kept["best"] = (record.score, dict(record.hyperparameters), weights, record)
        _keep_best(run, record.trial_id, weights)

    templates = TEMPLATES_BY_KIND[data.kind]
    family = FamilySearch(
        space=TemplateSpace(TEMPLATES),
        templates=(spec.model.template,) if spec.model.template else templates,
        fixed=dict(spec.model.hyperparameters),
        fit=fit,
        keep=keep,
        objective=FAMILY.objectives[0],
    )
    before = kept["best"][3] if kept["best"] else None
    run_search(run, spec, family, sink, token, done, before, lambda: time.monotonic() - started)
    status = ended_status(token)
    best = kept["best"]
    elapsed = time.monotonic() - started
    if best is None:
        failed = [r for r in run.trials() if r.status == TrialStatus.FAILED]
        received = "The run ended without a model: not one epoch finished."
        fix = "Give a longer --time-limit, a smaller --window, or less data."
        if failed and len(failed) == len(run.trials()):
            received = f"Every trial failed; the first said: {failed[0].message[:300]}."
            fix = "Check the data's numbers; if it happens again, please report it."
        run.update_state(elapsed_s=elapsed)
        raise DlstudioError(received, "at least one finished epoch", fix)
    score, plan, weights, record = best
    model, scaler = build_autoencoder(plan, train.shape[1:], mean, variance)
    model.set_weights(weights)
    evaluation, threshold = evaluate_anomaly(model, scaler, data, validation, train, settings, seed)
    scorer = scoring_model(model, threshold)
    partial = run.path / "model.partial.keras"  # then renamed: never half a model.keras
    scorer.save(partial)
    os.replace(partial, run.model_path)
    _keep_sample(run, scorer, data.samples())
    evaluation["best_trial"] = {"trial_id": record.trial_id, "hyperparameters": plan}
    run.write_evaluation(evaluation)
    save_scores(run.path, model, scaler, data.judged or data, threshold)  # those judged
    card = model_card(spec, settings, data, plan, evaluation)
    run.write_card(card)
    atomic_write_text(run.path / MODEL_CARD_TEXT, card_markdown(card))
    elapsed = time.monotonic() - started
    finish_run(run, sink, status, record, elapsed, evaluation["verdict"]["headline"], evaluation)
    return run


def _keep_sample(run: RunFolder, scorer: keras.Model, samples: np.ndarray) -> None:
    """Raw samples an export is checked on: some spread over the data and the most unusual,
    so both flags are compared (never the labels: they are the user's, not the model's)."""
    scores = np.asarray(scorer.predict({"values": samples}, batch_size=512, verbose=0)["score"])
    spread = np.linspace(0, len(samples) - 1, SAMPLE_ROWS).astype(int)
    unusual = np.argsort(-np.nan_to_num(scores.ravel(), nan=-np.inf))[:SAMPLE_ROWS]
    picked = np.unique(np.concatenate([spread, unusual]))
    np.savez(run.path / SAMPLE_FILE, values=samples[picked].astype("float32"))


def _keep_best(run: RunFolder, trial_id: str, weights: list) -> None:
    """The winning trial's weights, written whole then renamed (a kill mid-write leaves the
    previous best intact)."""
    partial = run.path / "best_trial_weights.partial.npz"
    np.savez(partial, np.array(trial_id), *weights)
    os.replace(partial, run.path / BEST_WEIGHTS)


def _kept_best(run: RunFolder, done: list[TrialRecord]):
    """The best of the trials a resumed run already finished, with its kept weights: (score,
    plan, weights, record), or None (no trial scored, or its weights were not kept; the
    search then goes on without it, and the log says so)."""
    scored = [r for r in done if r.score is not None]
    if not scored:
        return None
    record = min(scored, key=lambda r: r.score)
    path = run.path / BEST_WEIGHTS
    if path.is_file():
        with np.load(path) as stored:
            arrays = [stored[f"arr_{i}"] for i in range(len(stored.files))]
        if str(arrays[0]) == record.trial_id:
            return record.score, dict(record.hyperparameters), arrays[1:], record
    run.append_log(
        f"The weights of trial {record.trial_id} (the best so far) were not kept; "
        "the search goes on with the trials after it."
    )
    return None


def _trial(plan: TrialPlan, samples, spec, sink, token) -> TrialOutcome:
    """Train `plan`'s trial inside its share of the budget: its outcome, whose `kept` is the
    weights of its best epoch (None if it failed). `samples`: (train, validation, mean,
    variance)."""
    train, validation, mean, variance = samples
    begun = time.monotonic()
    try:
        model, scaler = build_autoencoder(plan.shown, train.shape[1:], mean, variance)
        target = scaler.predict(train, batch_size=512, verbose=0)
        val_target = scaler.predict(validation, batch_size=512, verbose=0)
        ratio = len(validation) / max(1, len(train))
        watch = TrialWatch.create(plan, sink, token, "val_loss", "min", spec.train.patience, ratio)
        watch.run(
            model.fit,
            train,
            target,
            validation_data=(validation, val_target),
            epochs=plan.epochs,
            batch_size=BATCH_SIZE,
            callbacks=watch.callbacks(),
            verbose=0,
            shuffle=True,
        )
    except Exception as error:  # a trial that breaks is recorded; the search goes on
        record = TrialRecord(
            plan.trial_id,
            plan.number,
            TrialStatus.FAILED,
            plan.shown,
            duration_s=time.monotonic() - begun,
            message=f"{type(error).__name__}: {error}",
        )
        return TrialOutcome(record)
    watch.best.restore(model)
    duration = time.monotonic() - begun
    done = len(watch.history.get("loss", []))
    status, message = watch.status()
    cost = watch.cost()
    record = TrialRecord(
        plan.trial_id,
        plan.number,
        status,
        plan.shown,
        watch.history,
        score=watch.best.best,
        best_epoch=watch.best.best_epoch,
        epochs=done,
        duration_s=duration,
        parameters=model.count_params(),
        message=message,
        epoch_s=cost.epoch_s if cost else (duration / done if done else None),
        cut_mid_epoch=watch.cut_mid_epoch,
    )
    weights = model.get_weights() if watch.best.has_best else None
    return TrialOutcome(record, cost, kept=weights)


def evaluate_anomaly(model, scaler, data, validation, train, settings, seed) -> tuple[dict, float]:
    """evaluation.json's content, and the threshold it settled on: on the recording given to
    judge on (data.judged) when there is one, else on `data` itself."""
    learnt, data = data, data.judged or data
    samples = data.samples()
    scores = reconstruction_scores(model, scaler, samples)
    val_scores = reconstruction_scores(model, scaler, validation)
    threshold = anomaly_metrics.threshold_for(val_scores, scores, settings)
    rows = data.scored_rows()
    point = np.full(data.rows, np.nan)
    point[rows] = scores
    evaluation = {
        "task": "anomaly",
        "kind": data.kind,
        "features": data.features,
        "window": data.window,
        "train_rows": int(learnt.train_end),
        "learnt_from": learnt.learnt_from(),
        "judged_on": learnt.judged_on(),
        "judged_file": data.source if data is not learnt else None,
        "label_column": data.label_column,
        "threshold": threshold,
        "notes": learnt.notes + (data.notes if data is not learnt else []),
        "metrics": {
            "rows_scored": int(len(scores)),
            "flagged": int((scores > threshold["value"]).sum()),
        },
        "baselines": {},
    }
    if data.labels is not None:
        evaluation["metrics"] = anomaly_metrics.point_metrics(
            point, data.labels, threshold["value"]
        )
        rng = np.random.default_rng(seed)
        random_point = np.full(data.rows, np.nan)
        random_point[rows] = rng.random(len(rows))
        # The random score flags as many rows as the model does, so P/R/F1 compare fairly.
        share = evaluation["metrics"]["flagged"] / max(1, len(rows))
        drawn = anomaly_metrics.point_metrics(random_point, data.labels, 1.0 - share)
        evaluation["baselines"]["random"] = {
            **drawn,
            "roc_auc": 0.5,  # by construction; the drawn one only wobbles around it
            "roc_auc_drawn": drawn.get("roc_auc"),
        }
        forest = anomaly_metrics.isolation_forest_scores(train, samples, seed)
        forest_point = np.full(data.rows, np.nan)
        forest_point[rows] = forest
        forest_threshold = anomaly_metrics.threshold_for(
            anomaly_metrics.isolation_forest_scores(train, validation, seed), forest, settings
        )["value"]
        evaluation["baselines"]["isolation_forest"] = anomaly_metrics.point_metrics(
            forest_point, data.labels, forest_threshold
        )
        if data.kind == "series" and 0 < data.train_end < data.rows:
            later = np.zeros(data.rows, dtype=bool)
            later[data.train_end :] = True
            evaluation["later_part"] = {
                "model": anomaly_metrics.point_metrics(
                    np.where(later, point, np.nan), data.labels, threshold["value"]
                ),
                "isolation_forest": anomaly_metrics.point_metrics(
                    np.where(later, forest_point, np.nan), data.labels, forest_threshold
                ),
            }
        if data.windows:
            evaluation["windows"] = anomaly_metrics.window_metrics(
                point, threshold["value"], data.windows, data.times
            )
    order = np.argsort(-np.nan_to_num(point, nan=-np.inf))[:TOP_ROWS]
    evaluation["top"] = [
        {
            "row": int(i) + 1,
            **({"time": str(data.times.iloc[i])} if data.times is not None else {}),
            "score": float(point[i]),
            **({"labelled": bool(data.labels[i])} if data.labels is not None else {}),
        }
        for i in order
        if not np.isnan(point[i])
    ]
    evaluation["verdict"] = anomaly_metrics.verdict(evaluation)
    return evaluation, threshold["value"]


def save_scores(folder: Path, model, scaler, data: AnomalyData, threshold: float) -> None:
    """scores.csv (core/series_results.py): every scored row or window end with its score,
    what the Results step plots and moves the threshold over."""
    from dlstudio.core.series_results import SCORES_FILE, anomaly_frame, write_csv

    scores = reconstruction_scores(model, scaler, data.samples())
    values = data.values[:, 0] if len(data.features) == 1 else None
    frame = anomaly_frame(data.scored_rows(), scores, threshold, data.times, values, data.labels)
    write_csv(folder, SCORES_FILE, frame)


# ---------------------------------------------------------------- the model card


def model_card(spec, settings, data, plan, evaluation) -> dict:
    return {
        "kind": "anomaly",
        "task": "anomaly",
        "target": None,
        "class_names": [],
        "inputs": [],
        "outputs": ["score", "is_anomaly"],
        "data": Path(spec.data.path).name,
        "data_kind": data.kind,
        "features": data.features,
        "window": data.window,
        "time_column": data.time_column,
        "threshold": evaluation["threshold"],
        "hyperparameters": plan,
        "train_rows": data.train_end,
        "learnt_from": evaluation.get("learnt_from"),
        "judged_on": evaluation.get("judged_on"),
        "label_column": data.label_column,
        "verdict": evaluation["verdict"],
        "metrics": evaluation["metrics"],
        "baselines": {
            name: {k: v for k, v in values.items() if k in ("roc_auc", "pr_auc", "f1")}
            for name, values in evaluation["baselines"].items()
        },
    }


def card_markdown(card: dict, formats: list[str] | None = None) -> str:
    """The model card's anomaly section, for people; `formats`: those an export wrote."""
    shape = (
        f"windows of {card['window']} readings of {', '.join(card['features'])}, "
        f"ordered by {card['time_column']!r}"
        if card["data_kind"] == "series"
        else f"one row of {', '.join(card['features'])}"
    )
    lines = [
        "# Anomaly detector",
        "",
        f"Made by dlstudio from {card['data']}. "
        + (
            card.get("learnt_from")
            or f"It learned what normal looks like from the first {card['train_rows']} rows."
        )
        + " Labels, if any, were used only to evaluate, never as inputs.",
        "",
        "## What it reads and gives",
        "",
        f"- Input `values`: {shape}, as raw numbers (scaling is inside the model; a missing "
        "reading counts as the usual value).",
        "- Output `score`: how badly the autoencoder rebuilds the input (higher is odder).",
        f"- Output `is_anomaly`: score above {card['threshold']['value']:.4g} "
        f"(the threshold {card['threshold']['rule']}).",
        "",
        "## How well it did",
        "",
        card["verdict"]["headline"],
    ]
    if card["verdict"].get("detail"):
        lines.append(card["verdict"]["detail"])
    lines += [
        "",
        "## How to use it",
        "",
        "```python",
        "import keras",
        'model = keras.saving.load_model("model.keras")',
        'out = model({"values": readings})  # readings: float32 array, shape (n, '
        + ("window, features)" if card["data_kind"] == "series" else "features)"),
        'out["score"], out["is_anomaly"]',
        "```",
        "",
        "Or `dlstudio predict RUN data.csv -o scores.csv`.",
    ]
    if formats:
        lines += ["", "## Exported files", ""]
        lines += [f"- {EXPORT_USES[f]}" for f in formats]
        width = len(card["features"])
        dims = f"n, {card['window']}, {width}" if card["data_kind"] == "series" else f"n, {width}"
        lines += [
            "",
            f"Each takes the input `values`: raw readings, float32, shape ({dims}); and gives "
            "`score` and `is_anomaly`. Each was reloaded without dlstudio and checked to score "
            "as the original.",
        ]
    elif formats is None:
        lines += [
            "",
            "`dlstudio export RUN --out DIR` writes Keras, SavedModel, ONNX and LiteRT files "
            "(LiteRT not for the LSTM autoencoder), each reloaded and checked without dlstudio.",
        ]
    return "\n".join(lines) + "\n"


EXPORT_USES = {
    "keras": '`model.keras`: `keras.saving.load_model("model.keras")({"values": x})`',
    "savedmodel": '`savedmodel/`: `tf.saved_model.load(path).serve({"values": x})` '
    "(TensorFlow Serving and other TensorFlow tools)",
    "onnx": '`model.onnx`: `onnxruntime.InferenceSession(path).run(None, {"values": x})`',
    "tflite": "`model.tflite`: `Interpreter(model_path=path).get_signature_runner()(values=x)` "
    "(LiteRT, for phones and small devices)",
}


# ---------------------------------------------------------------- predict and export


def predict_anomaly(reference: str | Path, data_path: str | Path) -> pd.DataFrame:
    """Score new raw data: one row per source row (a table) or per window end (a series):
    row or timestamp, score, is_anomaly."""
    from dlstudio.core.data.anomaly_data import model_inputs, parse_times, read_table
    from dlstudio.core.model_files import card_of

    folder = anomaly_folder(reference)
    if folder is None:
        raise DlstudioError(
            f"{str(reference)!r} holds no anomaly model.",
            "a run folder of `dlstudio tune --task anomaly` (or its export folder)",
            "Pass the run folder that `dlstudio tune` printed.",
        )
    card = card_of(folder)
    frame = read_table(data_path)
    missing = [c for c in card["features"] if c not in frame.columns]
    if missing:
        raise DlstudioError(
            f"{Path(data_path).name} lacks the column(s) {', '.join(map(repr, missing))}.",
            f"the columns the model was trained on: {', '.join(card['features'])}",
            "Give data with the same columns.",
        )
    times = None
    if card["data_kind"] == "series":
        column = card.get("time_column")
        if column in frame.columns:
            times = parse_times(frame, column)
            order = np.argsort(times.to_numpy(), kind="stable")
            frame, times = (
                frame.iloc[order].reset_index(drop=True),
                times.iloc[order].reset_index(drop=True),
            )
        if len(frame) < card["window"]:
            raise DlstudioError(
                f"{len(frame)} reading(s) in {Path(data_path).name}.",
                f"at least one window: {card['window']} readings",
                "Give a longer stretch of the series.",
            )
    try:
        values = frame[card["features"]].apply(pd.to_numeric, errors="coerce").to_numpy("float32")
    except (TypeError, ValueError) as error:
        raise DlstudioError(
            f"The readings could not be read as numbers ({error}).", "numbers", "Fix the file."
        ) from None
    inputs = model_inputs(values, card["data_kind"], card["window"])
    model = keras.saving.load_model(folder / "model.keras", safe_mode=True)
    out = model.predict({"values": inputs}, batch_size=512, verbose=0)
    scores = np.asarray(out["score"], dtype="float64").ravel()
    flags = np.asarray(out["is_anomaly"]).astype(bool).ravel()
    if card["data_kind"] == "series":
        ends = np.arange(card["window"] - 1, len(frame))
        where = (
            {"timestamp": times.iloc[ends].astype(str).to_numpy()}
            if times is not None
            else {"row": ends + 1}
        )
    else:
        where = {"row": np.arange(1, len(frame) + 1)}
    return pd.DataFrame({**where, "score": scores, "is_anomaly": flags})


EXPORT_NOTE = "input 'values' (raw readings), outputs 'score' and 'is_anomaly'"


def _check_sample(folder: Path, model, card: dict) -> dict:
    """Raw inputs to check the exports on: the run's kept windows or rows (some normal, the
    most unusual), or for a run from before they were kept, random readings."""
    from dlstudio.core.data.anomaly_data import model_inputs

    stored = folder / SAMPLE_FILE
    if stored.is_file():
        with np.load(stored) as arrays:
            return {"values": arrays["values"].astype("float32")}
    rng = np.random.default_rng(0)
    rows = 8 * (model.input_shape[1] if card["data_kind"] == "series" else 1)
    raw = rng.normal(size=(rows, len(card["features"]))).astype("float32")
    return {"values": model_inputs(raw, card["data_kind"], card["window"])}


def _named_outputs(model: keras.Model) -> keras.Model:
    """The scoring model with its outputs named "score" and "is_anomaly" in the graph, not only
    as Keras's dict keys: ONNX and LiteRT name outputs after the graph's tensors, which are
    otherwise the ops' own names ("mean", "greater"). Only converted, never saved as .keras
    (the nested model's input repeats the name "values", which Keras refuses on loading)."""
    raw = keras.Input(model.input_shape[1:], name="values")
    outputs = model({"values": raw})
    named = {name: keras.layers.Identity(name=name)(outputs[name]) for name in outputs}
    return keras.Model({"values": raw}, named, name=model.name)


def export_anomaly(reference: str | Path, formats: list[str] | None, out: str | Path) -> list:
    """Write the scoring model (raw readings in; score and is_anomaly out) in each format asked
    for (None: Keras, SavedModel, ONNX and, but for LSTM autoencoders, LiteRT) with the model
    card, each reloaded in a fresh interpreter without dlstudio (export/check.py) and
    compared with the original on sample inputs. Formats that fail are said, the others kept.

    Raises:
        DlstudioError: Not an anomaly model, a format it cannot hold (nothing is written), or
            a format whose file failed its check (the message says which and why).
    """
    from dlstudio.core.errors import error_summary
    from dlstudio.core.export.fresh_check import check_in_fresh_process, refuse_failed_formats
    from dlstudio.core.export.model import LoadedModel
    from dlstudio.core.export.writers import WRITERS
    from dlstudio.core.formats import LABELS
    from dlstudio.core.model_files import card_of, checked_formats, export_folder
    from dlstudio.core.native_logs import hushed

    folder = anomaly_folder(reference)
    if folder is None:
        raise DlstudioError(
            f"{str(reference)!r} holds no anomaly model.",
            "a run folder of `dlstudio tune --task anomaly`",
            "Pass the run folder that `dlstudio tune` printed.",
        )
    card = card_of(folder)
    formats = checked_formats(formats, card)  # before anything is written
    out = export_folder(out, folder)
    model = keras.saving.load_model(folder / "model.keras", safe_mode=True)
    sample = _check_sample(folder, model, card)
    expected = {k: np.asarray(v) for k, v in model(sample).items()}
    loaded = LoadedModel(_named_outputs(model), card, folder)
    written, problems = {}, []
    for fmt in formats:
        try:
            with hushed(show_on_error=False):
                written[fmt] = WRITERS[fmt](loaded, out, sample)
        except Exception as error:  # a converter's failure: say which, keep the others
            problems.append(f"{LABELS[fmt]}: the converter failed ({error_summary(error)})")
    notes = {fmt: EXPORT_NOTE for fmt in written}
    checked = check_in_fresh_process(written, sample, expected, problems, notes)
    import json

    atomic_write_text(out / MODEL_CARD_FILE, json.dumps(card, indent=2))
    atomic_write_text(out / MODEL_CARD_TEXT, card_markdown(card, [c.format for c in checked]))
    refuse_failed_formats(problems, checked, out)
    return checked
