"""A forecasting run, from spec to saved model: engine/run.py hands `--task forecast` here.

    spec → the series on a regular grid (data/timeseries.py) → split by time → windows of
    `context` past values and the `horizon` values after them → a search over the templates of
    models/forecast.py inside the budget (one template, one configuration for "train") → the
    best on validation MAE → rolling-origin backtest of the test period beside three baselines
    → model.keras (raw values in, forecasts out), evaluation.json, model card

Covariates the user chose enter each window beside the target (their own model inputs, raw
values: models/forecast.py); the baselines and the linear reference read the target only.

The search draws its trials from the oracles a table's search uses (search/templates.py:
random, Bayesian, Hyperband or grid): the templates' defaults first (one trial each), then what
the oracle picks; each trial emits the same events as the other tasks and is appended to
trials.jsonl as it ends, and the oracle's state is kept in the run folder, so a resume goes on
after the trials that finished.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from dlstudio.core.data import backtest
from dlstudio.core.data.timeseries import format_time, load_series, next_times
from dlstudio.core.engine.devices import detect_device
from dlstudio.core.engine.ending import ended_status, finish_run
from dlstudio.core.engine.trial_watch import TrialWatch
from dlstudio.core.errors import DlstudioError
from dlstudio.core.events import (
    EventSink,
    RunMessage,
    RunStarted,
    RunStatus,
    TrialRecord,
    TrialStatus,
)
from dlstudio.core.forecast_spec import (
    COMMON_SPACE,
    FAMILY,
    FORECAST_TEMPLATES,
    SPACES,
    series_of,
    sizes,
)
from dlstudio.core.models.forecast import TEMPLATE_WORDS, build_forecaster, covariate_specs
from dlstudio.core.paths import MODEL_CARD_FILE, MODEL_CARD_TEXT
from dlstudio.core.search.budget import reserve_for
from dlstudio.core.search.cancel import CancelToken
from dlstudio.core.search.runner import clock_from
from dlstudio.core.search.templates import FamilySearch, TemplateSpace, run_search
from dlstudio.core.search.trials import TrialOutcome, TrialPlan
from dlstudio.core.verdict import forecast_verdict

SAMPLE_FILE = "sample_inputs.npz"  # test windows kept with the run, to check exports on
SAMPLE_ROWS = 16
OBJECTIVE = FAMILY.objectives[0]  # the one its trials are compared by
RESERVE_LEAST_S = 5.0  # of a time limit, kept at least for the backtest and saving


def run_forecast(spec, run, sink: EventSink, token: CancelToken, resume: bool) -> None:
    """Run `spec` (a forecast) in `run`; see the module's docstring."""
    elapsed_before = float(run.state().get("elapsed_s") or 0.0) if resume else 0.0
    clock = clock_from(elapsed_before)
    search = spec.search
    if search is not None and search.time_limit_s is not None:
        reserve = reserve_for(search.time_limit_s, least_s=RESERVE_LEAST_S)
        token.set_time_limit(search.time_limit_s - elapsed_before - reserve)
    series = series_of(spec)
    context, horizon = sizes(spec, series)
    split = backtest.split_series(len(series), context, horizon)
    values, observed = series.values, series.observed
    at = {
        "train": backtest.origins(0, split.train_end, context, horizon, observed),
        "validation": backtest.origins(
            split.train_end, split.validation_end, context, horizon, observed
        ),
        "test": backtest.origins(split.validation_end, len(series), context, horizon, observed),
    }
    data = {part: backtest.windows(values, o, context, horizon) for part, o in at.items()}
    extra = {
        part: backtest.covariate_windows(series, o, context, horizon) for part, o in at.items()
    }
    covariates = _covariate_specs(series, split.train_end)
    x_train = data["train"][0]
    spread = float(np.std(x_train - x_train[:, -1:])) or float(np.std(values)) or 1.0
    device = detect_device()
    done = run.trials() if resume else []
    max_trials = 1 if search is None else search.max_trials
    sink(
        RunStarted(
            run.id,
            spec.mode,
            keras.backend.backend(),
            device.to_dict(),
            max_trials,
            None if search is None else search.time_limit_s,
            len(at["train"]),
            len(done),
        )
    )
    for note in series.notes:
        sink(RunMessage(note))
    sink(
        RunMessage(
            f"Forecasting {horizon} {series.frequency_words} steps of {series.target} from the "
            f"last {context} values; season {series.season}. Windows: {len(at['train'])} "
            f"train, {len(at['validation'])} validation, {len(at['test'])} test."
            + _covariate_words(covariates)
        )
    )
    run.update_state(objective=OBJECTIVE)
    inputs = (data, extra, covariates)

    def fit(plan: TrialPlan, sink: EventSink, token: CancelToken) -> TrialOutcome:
        keras.backend.clear_session()  # the previous trial's graphs (its model is saved)
        hp = dict(plan.shown)
        template = hp.pop("template")
        shape = (context, horizon, series.season)
        return _trial(plan, template, hp, inputs, shape, spread, spec, sink, token)

    family = FamilySearch(
        space=TemplateSpace(SPACES, COMMON_SPACE),
        templates=(spec.model.template,) if spec.model.template else FORECAST_TEMPLATES,
        fixed=dict(spec.model.hyperparameters or {}),
        fit=fit,
        keep=lambda record, model: _save_model(model, run.model_path),
        objective=OBJECTIVE,
    )
    best = run_search(run, spec, family, sink, token, done, _best(done), clock)
    status = ended_status(token)
    evaluation, message = None, ""
    if best is not None and run.model_path.exists():
        model = keras.saving.load_model(run.model_path, safe_mode=True)
        evaluation = evaluate_forecaster(model, series, split, at, data, context, horizon, extra)
        evaluation["best_trial_id"] = best.trial_id
        evaluation["template"] = best.hyperparameters.get("template")
        run.write_evaluation(evaluation)
        save_backtest(run.path, model, series, at, data, horizon, evaluation, extra["test"])
        sample = {"history": data["test"][0], **extra["test"]}
        np.savez(
            run.path / SAMPLE_FILE,
            **{name: _storable(values[:SAMPLE_ROWS]) for name, values in sample.items()},
        )
        write_forecast_card(run.path, series, spec, best, evaluation, context, horizon, covariates)
        message = evaluation["verdict"]["text"]
    else:
        status = RunStatus.FAILED if status is not RunStatus.CANCELLED else status
        message = "No trial finished an epoch: give the search more time (--time-limit)."
    finish_run(run, sink, status, best, clock(), message, evaluation)


def _covariate_specs(series, train_end: int) -> list[dict]:
    if series.covariate_values is None:
        return []
    names = {name: backtest.covariate_input(name) for name in series.covariate_kinds}
    return covariate_specs(
        series.covariate_values,
        series.covariate_kinds,
        series.known_covariates,
        train_end,
        names,
    )


def _covariate_words(covariates: list[dict]) -> str:
    if not covariates:
        return ""
    observed = [c["name"] for c in covariates if not c["known"]]
    known = [c["name"] for c in covariates if c["known"]]
    parts = ([f"up to the forecast time: {', '.join(observed)}"] if observed else []) + (
        [f"known ahead, over the horizon too: {', '.join(known)}"] if known else []
    )
    return " Covariates read beside it, " + "; ".join(parts) + "."


def _storable(values: np.ndarray) -> np.ndarray:
    """Text as fixed-width Unicode, so that the sample reads back without pickle."""
    return values.astype(str) if values.dtype == object else values


def _feed(inputs: dict) -> dict:
    """Model inputs as Keras takes them: text as string tensors (it refuses object arrays)."""
    import tensorflow as tf

    return {
        name: tf.constant(values.astype(str)) if values.dtype.kind in "OU" else values
        for name, values in inputs.items()
    }


def _best(records: list[TrialRecord]) -> TrialRecord | None:
    scored = [r for r in records if r.score is not None]
    return min(scored, key=lambda r: r.score) if scored else None


def _trial(plan: TrialPlan, template, hp, inputs, shape, spread, spec, sink, token):
    """Train `plan`'s trial (`template` with `hp`) inside its share of the budget; its
    outcome, whose `kept` is the model at its best epoch. `shape`: (context, horizon, season)."""
    data, extra, covariates = inputs
    context, horizon, season = shape
    began = time.monotonic()
    keras.utils.set_random_seed(spec.train.seed + plan.number)
    model = build_forecaster(template, hp, context, horizon, season, spread, covariates)
    x, y = data["train"]
    anchor = backtest.anchor_values(x, hp.get("anchor", "seasonal"), season, horizon)
    kernel, bias = backtest.ridge_start(x, y, anchor, spread)
    linear = model.get_layer("linear")
    # The target's lags are the linear path's first rows; the covariates' rows start at zero.
    full = np.zeros(tuple(linear.kernel.shape), "float32")
    full[: len(kernel)] = kernel
    linear.set_weights([full, bias])
    ratio = len(data["validation"][0]) / max(1, len(x))
    watch = TrialWatch.create(plan, sink, token, OBJECTIVE, "min", spec.train.patience, ratio)
    status, message = TrialStatus.COMPLETED, ""
    try:
        watch.run(
            model.fit,
            _feed({"history": x, **extra["train"]}),
            {"forecast": y},
            validation_data=(
                _feed({"history": data["validation"][0], **extra["validation"]}),
                {"forecast": data["validation"][1]},
            ),
            epochs=plan.epochs,
            batch_size=int(hp.get("batch_size", 32)),
            callbacks=[_Renamed(watch.callbacks())],
            verbose=0,
            shuffle=True,
        )
        status, message = watch.status()
    except Exception as error:  # noqa: BLE001  (one configuration failing must not end the search)
        status, message = TrialStatus.FAILED, f"{type(error).__name__}: {error}"[:300]
    watch.best.restore(model)
    history = watch.history
    epochs = len(next(iter(history.values()), []))
    duration = time.monotonic() - began
    cost = watch.cost()
    record = TrialRecord(
        trial_id=plan.trial_id,
        number=plan.number,
        status=status,
        hyperparameters=plan.shown,
        history=history,
        score=watch.best.best,
        best_epoch=watch.best.best_epoch,
        epochs=epochs,
        duration_s=duration,
        parameters=int(model.count_params()),
        message=message,
        epoch_s=cost.epoch_s if cost else (duration / epochs if epochs else None),
        cut_mid_epoch=watch.cut_mid_epoch,
    )
    return TrialOutcome(record, cost, kept=model)


class _Renamed(keras.callbacks.Callback):
    """Keras names a dict output's metrics "forecast_mae"; the events, the best epoch and the
    budget read "mae", as elsewhere."""

    def __init__(self, inner: list) -> None:
        super().__init__()
        self.inner = inner

    def set_model(self, model):
        super().set_model(model)
        for callback in self.inner:
            callback.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        for callback in self.inner:
            callback.set_params(params)

    def on_train_begin(self, logs=None):
        for callback in self.inner:
            callback.on_train_begin(logs)

    def on_train_end(self, logs=None):
        for callback in self.inner:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        for callback in self.inner:
            callback.on_epoch_begin(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        for callback in self.inner:
            callback.on_train_batch_begin(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        renamed = {k.replace("forecast_", ""): v for k, v in (logs or {}).items()}
        for callback in self.inner:
            callback.on_epoch_end(epoch, renamed)


def _save_model(model: keras.Model, path: Path) -> None:
    """Written whole, then renamed: a kill mid-write leaves the previous best intact."""
    temporary = path.with_name("model.partial.keras")
    model.save(temporary)
    os.replace(temporary, path)


def _forecast(model, inputs: np.ndarray, extra: dict | None = None) -> np.ndarray:
    """The model's forecasts for target windows `inputs` and their covariates' (`extra`)."""
    if len(inputs) == 0:
        return np.zeros((0, model.outputs[0].shape[-1]))
    out = model.predict(_feed({"history": inputs, **(extra or {})}), batch_size=512, verbose=0)
    return np.asarray(out["forecast"], dtype=float)


def evaluate_forecaster(model, series, split, at, data, context, horizon, extra=None) -> dict:
    """The test backtest of the saved model beside the baselines, the validation interval and
    the verdict."""
    values, season = series.values, series.season
    scale = backtest.seasonal_scale(values, split.train_end, season, series.observed)
    actual = data["test"][1].astype(float)
    extra = extra or {"test": {}, "validation": {}}
    predicted = _forecast(model, data["test"][0], extra["test"])
    metrics = backtest.scores(actual, predicted, scale)
    naive_forecasts = backtest.baselines(values, at["test"], horizon, season)
    baselines = {
        name: backtest.scores(actual, forecast, scale) for name, forecast in naive_forecasts.items()
    }
    validation = _forecast(model, data["validation"][0], extra["validation"])
    reference, seconds = backtest.linear_reference(data["train"], data["test"][0])
    evaluation = {
        "task": "forecast",
        "rows": int(actual.size),
        "metrics": metrics,
        "baselines": baselines,
        # The trivial baseline the house's generic views compare with.
        "baseline": {
            "name": "seasonal naive",
            **baselines["seasonal naive"],
            # Is the lead more than luck, over this many origins? (core/paired_test.py)
            "paired": backtest.paired_by_origin(
                actual, predicted, naive_forecasts["seasonal naive"]
            ),
        },
        "interval": backtest.interval(
            data["validation"][1].astype(float),
            validation,
            floor=backtest.floor_of(values, series.observed),
        ),
        "classic": {
            "name": "linear regression on lags",
            "metrics": backtest.scores(actual, reference, scale),
            "seconds": seconds,
            "paired": backtest.paired_by_origin(actual, predicted, reference),
        },
        "backtest": {
            "origins": len(at["test"]),
            "horizon": horizon,
            "context": context,
            "start": format_time(series.times[split.validation_end], series.frequency),
            "end": format_time(series.times[-1], series.frequency),
            "mase_scale": scale,
        },
        "split": {
            "train": len(at["train"]),
            "validation": len(at["validation"]),
            "test": len(at["test"]),
        },
        "series": series.to_dict(),
    }
    evaluation["verdict"] = forecast_verdict(evaluation, season)
    return evaluation


def save_backtest(folder, model, series, at, data, horizon, evaluation, extra=None) -> None:
    """series.csv, test_forecasts.csv and future.csv (core/series_results.py): what the Results
    step draws, kept with the run so the plot survives a moved data file."""
    from dlstudio.core.series_results import (
        FORECASTS_FILE,
        FUTURE_FILE,
        SERIES_FILE,
        forecast_frames,
        write_csv,
    )

    seasonal = backtest.baselines(series.values, at["test"], horizon, series.season)
    frames = forecast_frames(
        series.times,
        series.values,
        series.observed,
        at["test"],
        data["test"][1].astype(float),
        _forecast(model, data["test"][0], extra),
        evaluation["interval"],
        seasonal["seasonal naive"],
        lambda t: format_time(t, series.frequency),
    )
    write_csv(folder, SERIES_FILE, frames[0])
    write_csv(folder, FORECASTS_FILE, frames[1])
    # The next `horizon` steps after the data, as `dlstudio predict` gives them on the data
    # file; not when covariates known ahead have no values there.
    context = data["test"][0].shape[1]
    try:
        future = next_forecast(model, series, context, horizon, evaluation["interval"])
    except DlstudioError:
        return
    write_csv(folder, FUTURE_FILE, future)


def next_forecast(model, series, context: int, horizon: int, interval: dict) -> pd.DataFrame:
    """The forecast of the `horizon` steps after the end of `series`, from its last `context`
    values: timestamp, forecast, lower, upper.

    Raises:
        DlstudioError: Covariates known ahead lack values over those steps.
    """
    from dlstudio.core.series_results import future_frame

    _refuse_missing_future(series, {"horizon": horizon, "target": series.target})
    window = series.values[-context:].astype("float32")[None, :]
    origin = np.array([len(series)])
    forecast = _forecast(
        model, window, backtest.covariate_windows(series, origin, context, horizon)
    )[0]
    times = next_times(series, horizon)
    return future_frame(times, forecast, interval, lambda t: format_time(t, series.frequency))


def write_forecast_card(
    folder, series, spec, best, evaluation, context, horizon, covariates=None
) -> None:
    """model_card.json (what predicting needs) and model_card.md (for people)."""
    template = best.hyperparameters.get("template")
    card = {
        "kind": "forecast",
        "task": "forecast",
        "target": series.target,
        "class_names": None,
        "inputs": [],
        "outputs": ["forecast"],
        # Each covariate: name, model input, kind, known ahead, and its scaling or categories.
        "covariates": covariates or [],
        "time_column": series.time_column,
        "frequency": series.frequency,
        "frequency_words": series.frequency_words,
        "season": series.season,
        "context": context,
        "horizon": horizon,
        "interval": evaluation["interval"],
        "template": template,
        "hyperparameters": best.hyperparameters,
        "metrics": evaluation["metrics"],
        "baselines": {
            **evaluation["baselines"],
            evaluation["classic"]["name"]: evaluation["classic"]["metrics"],
        },
        "verdict": evaluation["verdict"]["text"],
    }
    (Path(folder) / MODEL_CARD_FILE).write_text(json.dumps(card, indent=2), encoding="utf-8")
    (Path(folder) / MODEL_CARD_TEXT).write_text(card_markdown(card), encoding="utf-8")


def covariates_markdown(card: dict) -> str:
    """The card's section on covariates: which, of what kind, and what predict needs."""
    covariates = card.get("covariates") or []
    if not covariates:
        return ""
    lines = []
    for c in covariates:
        kind = (
            "numbers, scaled inside the model"
            if c["kind"] == "numeric"
            else f"categories ({', '.join(c['categories'][:12])}; others share one slot)"
        )
        when = (
            f"its last {card['context']} values and the {card['horizon']} after (known ahead)"
            if c["known"]
            else f"its last {card['context']} values (observed up to the forecast time)"
        )
        lines.append(f"- **{c['name']}** (input `{c['input']}`): {kind}; the model reads {when}.")
    known = [c["name"] for c in covariates if c["known"]]
    need = (
        f" The history must also hold the next {card['horizon']} rows' values of "
        f"{', '.join(known)} after the last value of {card['target']}."
        if known
        else ""
    )
    return (
        "## Covariates\n\n" + "\n".join(lines) + "\n\nMissing covariate values were filled as "
        "the target's are (numbers interpolated, categories carried forward). The baselines "
        f"read {card['target']} only.{need}\n\n"
    )


def _floor_words(card: dict) -> str:
    floor = (card.get("interval") or {}).get("floor")
    if floor is None:
        return ""
    return f" (the lower bound stops at {floor:g}: {card['target']} never went below it)"


def card_markdown(card: dict) -> str:
    metrics, baselines = card["metrics"], card["baselines"]
    rows = "\n".join(
        f"| {name} | {metrics[name]:.4g} | "
        + " | ".join(f"{b[name]:.4g}" for b in baselines.values())
        + " |"
        for name in ("mae", "rmse", "smape", "mase")
    )
    return f"""# Forecasting model: {card["target"]}

A {TEMPLATE_WORDS.get(card["template"], card["template"])} that reads the last {card["context"]}
{card["frequency_words"]} values of **{card["target"]}** and forecasts the next {card["horizon"]},
in the series' own units (the scaling is inside the model).

{card["verdict"]}

{covariates_markdown(card)}## Test backtest (rolling origin over the test period)

| metric | model | {" | ".join(baselines)} |
|---|---|{"---|" * len(baselines)}
{rows}

Baselines: *last value* repeats the last known value; *seasonal naive* repeats the value
{card["season"]} steps earlier; *mean* forecasts the mean of all earlier values; *linear
regression on lags* is the classical reference, fitted on the same windows. sMAPE is in %;
MASE is the mean error divided by the seasonal naive error on the training part (lower is
better; the seasonal naive column is the one to beat). The interval (lower, upper) of
`dlstudio predict` holds {card["interval"]["coverage"]:.0%} of the validation errors at each step,
as wide on both sides of the forecast{_floor_words(card)}.

`dlstudio export RUN --out DIR` writes Keras, SavedModel, ONNX and LiteRT files (LiteRT not for
the LSTM and GRU templates), each reloaded and checked without dlstudio; all take the input
`history` (and one input per covariate, raw values) and give the output `forecast`.

## Use it

```python
import keras, numpy as np
model = keras.saving.load_model("model.keras")
history = np.array([[...]], dtype="float32")  # shape (1, {card["context"]}): the last values, oldest first
forecast = model({{"history": history}})["forecast"]  # shape (1, {card["horizon"]}); add covariate inputs
```

Or `dlstudio predict RUN history.csv -o forecast.csv` with a table of the time column
({card["time_column"]}) and {card["target"]}.
"""


def forecast_file(model_reference: str, history_path: str) -> pd.DataFrame:
    """The forecast after the end of a history table: timestamp, forecast, lower, upper."""
    folder = Path(model_reference).expanduser()
    if folder.is_file():
        folder = folder.parent
    card = json.loads((folder / MODEL_CARD_FILE).read_text(encoding="utf-8"))
    time_column = card["time_column"]
    covariates = card.get("covariates") or []
    series = load_series(
        history_path,
        time_column,
        card["target"],
        covariates=[c["name"] for c in covariates if not c["known"]],
        known_covariates=[c["name"] for c in covariates if c["known"]],
    )
    context, horizon = card["context"], card["horizon"]
    if len(series) < context:
        raise DlstudioError(
            f"A history of {len(series)} values.",
            f"at least the last {context} values of {card['target']}",
            "Give a longer history.",
        )
    if series.frequency != card["frequency"]:
        raise DlstudioError(
            f"A {series.frequency_words} history.",
            f"a {card['frequency_words']} series, as the model was trained on",
            "Resample the history to the model's step.",
        )
    _refuse_missing_future(series, card)
    model = keras.saving.load_model(folder / "model.keras", safe_mode=True)
    frame = next_forecast(model, series, context, horizon, card["interval"])
    frame.attrs["notes"] = list(series.notes)
    return frame


def _refuse_missing_future(series, card: dict) -> None:
    """Covariates known ahead need their values over the horizon, in the history's rows after
    the target's last value.

    Raises:
        DlstudioError: Some of those rows or values are missing, with which.
    """
    known = series.known_covariates
    if not known:
        return
    horizon, end = card["horizon"], len(series)
    future = series.covariate_values.iloc[end : end + horizon]
    missing = [name for name in known if len(future) < horizon or future[name].isna().any()]
    if not missing:
        return
    times = next_times(series, horizon)
    raise DlstudioError(
        f"The history ends at {format_time(series.times[-1], series.frequency)} with its last "
        f"value of {card['target']}, and gives "
        + (f"only {len(future)} of" if len(future) < horizon else "gaps in")
        + f" the {horizon} rows after it for {', '.join(missing)}.",
        f"the values of {', '.join(known)} (known ahead) for every time from "
        f"{format_time(times[0], series.frequency)} to {format_time(times[-1], series.frequency)}"
        f", in rows after the last {card['target']} value (leave {card['target']} empty there)",
        f"Add those {horizon} rows to the history file.",
    )


def export_forecast(reference, formats: list[str] | None, out_dir) -> list:
    """Write a forecaster in each format asked for (None: Keras, SavedModel, ONNX and LiteRT),
    each reloaded in a fresh interpreter without dlstudio (export/check.py) and compared with
    the original on the run's sample windows. Formats that fail are said, the others kept.

    Raises:
        DlstudioError: Some format could not be written or does not predict as the original.
    """
    import shutil

    from dlstudio.core.errors import error_summary
    from dlstudio.core.export.fresh_check import check_in_fresh_process, refuse_failed_formats
    from dlstudio.core.export.model import LoadedModel
    from dlstudio.core.export.writers import WRITERS
    from dlstudio.core.formats import LABELS
    from dlstudio.core.model_files import checked_formats, export_folder, model_file
    from dlstudio.core.native_logs import hushed

    folder = model_file(reference).parent
    card = json.loads((folder / MODEL_CARD_FILE).read_text(encoding="utf-8"))
    # Category covariates' string lookups are not tried in ONNX or LiteRT: by default those
    # models are written as .keras and SavedModel only (asked for, the reload check decides).
    text = any(c["kind"] == "categorical" for c in card.get("covariates") or [])
    if formats is None and text:
        formats = ["keras", "savedmodel"]
    formats = checked_formats(formats, card)  # LiteRT and recurrent layers: core/formats.py
    out = export_folder(out_dir, folder)
    model = keras.saving.load_model(folder / "model.keras", safe_mode=True)
    loaded = LoadedModel(model, card, folder)
    with np.load(folder / SAMPLE_FILE) as stored:
        sample = {
            name: stored[name].astype(object if stored[name].dtype.kind == "U" else "float32")
            for name in stored
        }
    expected = _forecast(
        model, sample["history"], {k: v for k, v in sample.items() if k != "history"}
    )
    written, problems = {}, []
    for fmt in formats:
        try:
            with hushed(show_on_error=False):
                written[fmt] = WRITERS[fmt](loaded, out, sample)
        except Exception as error:  # noqa: BLE001  (a converter's failure: say which, go on)
            problems.append(f"{LABELS[fmt]}: the converter failed ({error_summary(error)})")
    note = f"inputs {', '.join(repr(n) for n in sample)}, output 'forecast'"
    checked = check_in_fresh_process(
        written, sample, {"forecast": expected}, problems, {fmt: note for fmt in written}
    )
    shutil.copy(folder / MODEL_CARD_FILE, out / MODEL_CARD_FILE)
    shutil.copy(folder / MODEL_CARD_TEXT, out / MODEL_CARD_TEXT)
    refuse_failed_formats(problems, checked, out)
    return checked
