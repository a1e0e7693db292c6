"""Split a series by time, cut it into windows, and score forecasts on a rolling-origin backtest.

No Keras here (numpy only), so the metrics and baselines are quick to test.

The split is by time, never shuffled: train, then validation, then test at the end. A window's
origin is the first step it forecasts; it reads the `context` values before the origin (which
may lie in an earlier part) and forecasts the `horizon` values from the origin on, which must
all lie in its own part. The test backtest forecasts from every origin of the test period with
the actual history before it (the model is trained once; its weights do not change).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlstudio.core.errors import DlstudioError
from dlstudio.core.paired_test import paired_losses

PART_SHARE = 0.15  # of the series, for validation and for test each


@dataclass(frozen=True)
class SeriesSplit:
    train_end: int  # first index of validation
    validation_end: int  # first index of test
    length: int


def split_series(length: int, context: int, horizon: int) -> SeriesSplit:
    """Train, validation and test by time; each later part holds at least one full horizon.

    Raises:
        DlstudioError: The series is too short for this context and horizon.
    """
    part = max(horizon, round(PART_SHARE * length))
    train_end = length - 2 * part
    if train_end - context - horizon + 1 < 8:
        raise DlstudioError(
            f"A series of {length} values with a context of {context} and a horizon of "
            f"{horizon}: that leaves {max(0, train_end - context - horizon + 1)} training "
            "window(s).",
            f"at least {2 * part + context + horizon + 7} values for these settings",
            "Give a shorter --context or --horizon, or a longer series.",
        )
    return SeriesSplit(train_end, train_end + part, length)


def origins(start: int, end: int, context: int, horizon: int, observed: np.ndarray) -> np.ndarray:
    """The origins whose context fits before them and whose horizon lies in [start, end) and is
    wholly observed."""
    first = max(start, context)
    candidates = np.arange(first, end - horizon + 1)
    if len(candidates) == 0:
        return candidates
    unobserved = np.concatenate([[0], np.cumsum(~observed)])
    clean = unobserved[candidates + horizon] - unobserved[candidates] == 0
    return candidates[clean]


def windows(values: np.ndarray, at: np.ndarray, context: int, horizon: int):
    """(inputs (n, context), targets (n, horizon)) for the origins `at`."""
    inputs = np.stack([values[o - context : o] for o in at]) if len(at) else np.zeros((0, context))
    targets = np.stack([values[o : o + horizon] for o in at]) if len(at) else np.zeros((0, horizon))
    return inputs.astype("float32"), targets.astype("float32")


def covariate_windows(series, at: np.ndarray, context: int, horizon: int) -> dict:
    """{model input name: array} of the series' covariates for the origins `at`: the last
    `context` values of each (observed ones), or those and the `horizon` values after
    (known ones). Numbers as float32, categories as text; empty without covariates."""
    frame = series.covariate_values
    if frame is None:
        return {}
    arrays = {}
    for name, kind in series.covariate_kinds.items():
        span = context + (horizon if name in series.known_covariates else 0)
        column = frame[name].to_numpy()
        rows = [column[o - context : o - context + span] for o in at]
        values = np.stack(rows) if rows else np.zeros((0, span))
        arrays[covariate_input(name)] = (
            values.astype("float32") if kind == "numeric" else values.astype(str).astype(object)
        )
    return arrays


def covariate_input(name: str) -> str:
    """The model input a covariate enters by: its name in letters, digits and underscores
    (Keras, SavedModel and ONNX input names allow no more)."""
    import re

    return "covariate_" + re.sub(r"[^0-9A-Za-z_]", "_", name)


def seasonal_scale(values: np.ndarray, end: int, season: int, observed: np.ndarray) -> float:
    """The in-sample seasonal naive error on values[:end]: MASE's denominator."""
    m = season if season < end else 1
    errors = np.abs(values[m:end] - values[: end - m])
    ok = observed[m:end] & observed[: end - m]
    scale = float(np.mean(errors[ok])) if ok.any() else 0.0
    return scale if scale > 0 else 1.0


def baselines(values: np.ndarray, at: np.ndarray, horizon: int, season: int) -> dict:
    """{name: forecasts (n, horizon)} of the last value, seasonal naive and mean methods."""
    steps = np.arange(horizon)
    last = np.repeat(values[at - 1][:, None], horizon, axis=1)
    m = season if 1 < season <= at.min(initial=season) else 1
    seasonal = values[at[:, None] - m + (steps[None, :] % m)]
    sums = np.concatenate([[0.0], np.cumsum(values)])
    mean = np.repeat((sums[at] / at)[:, None], horizon, axis=1)
    return {"last value": last, "seasonal naive": seasonal, "mean": mean}


def scores(actual: np.ndarray, forecast: np.ndarray, scale: float) -> dict:
    """MAE, RMSE, sMAPE (in %) and MASE over every (origin, step)."""
    error = forecast - actual
    denominator = np.abs(actual) + np.abs(forecast)
    safe = np.where(denominator > 0, denominator, 1.0)
    smape = np.where(denominator > 0, 2 * np.abs(error) / safe, 0.0)
    mae = float(np.mean(np.abs(error)))
    return {
        "mae": mae,
        "rmse": float(np.sqrt(np.mean(error**2))),
        "smape": float(100 * np.mean(smape)),
        "mase": mae / scale,
    }


def paired_by_origin(actual: np.ndarray, ours: np.ndarray, theirs: np.ndarray) -> dict:
    """Whether one forecaster's lead over another is more than luck: the Wilcoxon test on each
    test origin's mean absolute error (the origins' windows overlap, so this is generous)."""
    actual = np.asarray(actual, dtype=float).reshape(len(actual), -1)
    per_origin = [
        np.mean(np.abs(np.asarray(f, dtype=float).reshape(actual.shape) - actual), axis=1)
        for f in (ours, theirs)
    ]
    return paired_losses(*per_origin, unit="forecast origins")


def interval(
    actual: np.ndarray, forecast: np.ndarray, coverage: float = 0.9, floor: float | None = None
) -> dict:
    """The interval around a forecast, from the validation backtest's errors: at each step
    ahead, a half-width that holds `coverage` of the absolute errors there (split conformal:
    the ceil((n + 1) * coverage)-th smallest of n errors), the same on both sides.

    Both sides, always: the quantiles of the signed errors put the whole interval on one side
    of the forecast when the few validation origins all err the same way (a model lagging a
    trend over one stretch), and clipped at the forecast it had no width on that side.
    `floor`: a bound the series never crosses (0 for one that is never negative); the lower
    bound stops there (`bounds`). Offsets in the series' units: forecast + lower / + upper.
    """
    errors = np.abs(np.asarray(actual, float) - np.asarray(forecast, float))
    count = len(errors)
    if count == 0:
        width = np.zeros(errors.shape[1] if errors.ndim == 2 else 0)
    else:
        level = min(1.0, float(np.ceil((count + 1) * coverage)) / count)
        width = np.quantile(errors, level, axis=0, method="higher")
    return {
        "coverage": coverage,
        "lower": (-width).tolist(),
        "upper": width.tolist(),
        "floor": floor,
    }


def bounds(forecast: np.ndarray, interval: dict) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) of forecasts (one row per origin, or one row) with `interval`'s per-step
    offsets; the lower bound stops at the series' floor unless the forecast is below it."""
    forecast = np.asarray(forecast, dtype=float)
    horizon = forecast.shape[-1] if forecast.ndim else 0
    lower = forecast + np.asarray(interval.get("lower") or [0.0] * horizon, dtype=float)
    upper = forecast + np.asarray(interval.get("upper") or [0.0] * horizon, dtype=float)
    floor = interval.get("floor")
    if floor is not None:
        lower = np.maximum(lower, np.minimum(float(floor), forecast))
    return lower, upper


def floor_of(values: np.ndarray, observed: np.ndarray) -> float | None:
    """0 for a series that is never negative (counts, sales, prices), else None."""
    seen = np.asarray(values, float)[np.asarray(observed, bool)]
    return 0.0 if len(seen) and float(seen.min()) >= 0 else None


def linear_reference(train: tuple, test_inputs: np.ndarray) -> tuple[np.ndarray, float]:
    """A classical reference: ridge regression of the next `horizon` values on the window's
    lags, both relative to its last value (as the networks see them). Returns the forecasts
    for `test_inputs` and the seconds it took to fit."""
    import time

    from sklearn.linear_model import RidgeCV

    began = time.monotonic()
    inputs, targets = train
    last = inputs[:, -1:]
    model = RidgeCV(alphas=(0.1, 1.0, 10.0, 100.0)).fit(inputs - last, targets - last)
    seconds = time.monotonic() - began
    # One step ahead, scikit-learn answers (n,) for targets of shape (n, 1): back to (n, 1)
    # before the last value is added (else it broadcast to (n, n), and the reference's
    # scores were taken over that square).
    predicted = np.asarray(model.predict(test_inputs - test_inputs[:, -1:]))
    return predicted.reshape(len(test_inputs), -1) + test_inputs[:, -1:], seconds


def anchor_values(inputs: np.ndarray, kind: str, season: int, horizon: int) -> np.ndarray:
    """What the networks' anchor forecasts for `inputs` (models/forecast.py, _anchor): the
    value one season earlier, or the last value."""
    context = inputs.shape[1]
    if kind == "seasonal" and 1 < season <= context:
        return inputs[:, context - season + (np.arange(horizon) % season)]
    return np.repeat(inputs[:, -1:], horizon, axis=1)


def ridge_start(inputs, targets, anchor, spread: float) -> tuple[np.ndarray, np.ndarray]:
    """(kernel, bias) of a linear layer on (window - last value) / spread that forecasts
    (targets - anchor) / spread: the ridge fit the networks start from."""
    from sklearn.linear_model import RidgeCV

    shape = (inputs - inputs[:, -1:]) / spread
    fit = RidgeCV(alphas=(0.1, 1.0, 10.0, 100.0)).fit(shape, (targets - anchor) / spread)
    # One step ahead, scikit-learn gives a flat coefficient vector: keep it a (lags, 1) kernel.
    kernel = np.atleast_2d(fit.coef_).T
    return kernel.astype("float32"), np.atleast_1d(fit.intercept_).astype("float32")
