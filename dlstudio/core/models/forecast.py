"""Forecasting networks: the last `context` raw values in, the next `horizon` values out.

Every template shares one frame, built from Keras's own layers only (so that the exported
.keras file loads in safe mode without dlstudio):

    raw window ─┬─ minus its last value, divided by the series' spread (per-series
                │  normalisation, fixed from the training part) ─ template body ─ Dense
                │  (horizon, zero-initialised) ─ times the spread ─┐
                └─ anchor: the seasonal naive forecast (or the last value) ────────────── + ─ forecast

Covariates (other columns) enter beside the target: each is an input of its own that takes raw
values (numbers, or text for categories), scaled inside the model (numbers, by the training
part's mean and spread) or looked up (categories: StringLookup, one-hot, unknown values to
their own slot). Their last `context` values join the target's as extra features per step, which
the dense network flattens and the recurrent, convolutional and attention bodies read step by
step; covariates known ahead also give their `horizon` future values, flattened into the head
that emits the horizon (and into the linear path). The anchor reads the target only.

Subtracting the window's last value makes the body see shapes, not levels, so a trend that
leaves the training range does not leave the network's range. The zero-initialised head makes
every model start as the anchor (seasonal naive by default) and learn corrections to it.
"""

from __future__ import annotations

import keras
import numpy as np

# The templates' words and spaces are data (no Keras), read by the window's Model step too.
from dlstudio.core.forecast_spec import COMMON_SPACE, SPACES, TEMPLATE_WORDS  # noqa: F401


def build_forecaster(
    template: str,
    hp: dict,
    context: int,
    horizon: int,
    season: int,
    spread: float,
    covariates: list[dict] | None = None,
) -> keras.Model:
    """A compiled model: {"history": (batch, context)} raw values in (and one input per
    covariate, see covariate_specs), {"forecast": (batch, horizon)} values in the series'
    units out."""
    history = keras.Input((context,), name="history")
    sequence = keras.layers.Reshape((context, 1))(history)
    last = keras.layers.Cropping1D((context - 1, 0))(sequence)  # (batch, 1, 1)
    level = keras.layers.Reshape((context, 1))(
        keras.layers.Flatten()(keras.layers.RepeatVector(context)(keras.layers.Flatten()(last)))
    )
    shape = keras.layers.Subtract()([sequence, level])
    scale = float(spread) if spread > 0 else 1.0
    normalised = keras.layers.Normalization(mean=0.0, variance=scale**2, name="scale_in")(shape)
    inputs, steps, future = {"history": history}, [normalised], []
    for covariate in covariates or []:
        raw, past, ahead = _covariate(covariate, context, horizon)
        inputs[covariate["input"]] = raw
        steps.append(past)
        future.extend([ahead] if ahead is not None else [])
    per_step = steps[0] if len(steps) == 1 else keras.layers.Concatenate(axis=-1)(steps)
    features = BODIES[template](per_step, hp, context)
    if future:
        features = keras.layers.Concatenate()([features, *future])
    correction = keras.layers.Dense(horizon, kernel_initializer="zeros", name="correction")(
        features
    )
    # A linear path on the lags beside every body: the engine starts it at the ridge fit
    # (engine/forecast.py, linear_start), so each network begins as the classical reference
    # and learns what that misses. The target's lags come first in it (the ridge start fills
    # their rows); the covariates' past and future values follow, starting at zero.
    lagged = [keras.layers.Flatten()(normalised)]
    if len(steps) > 1:
        lagged.append(keras.layers.Flatten()(keras.layers.Concatenate(axis=-1)(steps[1:])))
    lagged.extend(future)
    linear = keras.layers.Dense(horizon, kernel_initializer="zeros", name="linear")(
        lagged[0] if len(lagged) == 1 else keras.layers.Concatenate()(lagged)
    )
    correction = keras.layers.Add()([correction, linear])
    correction = keras.layers.Normalization(
        mean=0.0, variance=scale**2, invert=True, name="scale_out"
    )(correction)
    anchor = _anchor(sequence, last, hp.get("anchor", "seasonal"), context, horizon, season)
    forecast = keras.layers.Add(name="forecast")([anchor, correction])
    model = keras.Model(inputs, {"forecast": forecast}, name=f"forecast_{template}")
    model.compile(
        optimizer=keras.optimizers.Adam(hp.get("learning_rate", 1e-3)),
        loss=hp.get("loss", "mae"),
        metrics=["mae"],
    )
    return model


def covariate_specs(frame, kinds: dict, known: list, end: int, inputs: dict) -> list[dict]:
    """What the model needs to know of each covariate, from the training part (rows before
    `end`) of the covariate table: its input name, kind, whether it is known ahead, and its
    mean and spread (numbers) or its categories (text). Kept in the model card too."""
    specs = []
    for name, kind in kinds.items():
        train = frame[name].iloc[:end]
        spec = {"name": name, "input": inputs[name], "kind": kind, "known": name in known}
        if kind == "numeric":
            std = float(np.nanstd(train.to_numpy(dtype=float)))
            spec.update(mean=float(np.nanmean(train.to_numpy(dtype=float))), std=std or 1.0)
        else:
            spec["categories"] = sorted(str(v) for v in train.dropna().unique())
        specs.append(spec)
    return specs


def _covariate(spec: dict, context: int, horizon: int):
    """(raw input, its past as (batch, context, features), its future flattened or None)."""
    span = context + horizon if spec["known"] else context
    if spec["kind"] == "numeric":
        raw = keras.Input((span,), name=spec["input"])
        values = keras.layers.Reshape((span, 1))(raw)
        values = keras.layers.Normalization(mean=spec["mean"], variance=spec["std"] ** 2)(values)
    else:
        raw = keras.Input((span,), dtype="string", name=spec["input"])
        # One slot per category seen in training, and one for any other value.
        values = keras.layers.StringLookup(vocabulary=spec["categories"], output_mode="one_hot")(
            raw
        )
    if not spec["known"]:
        return raw, values, None
    past = keras.layers.Cropping1D((0, horizon))(values)
    ahead = keras.layers.Flatten()(keras.layers.Cropping1D((context, 0))(values))
    return raw, past, ahead


def _anchor(sequence, last, kind: str, context: int, horizon: int, season: int):
    """The seasonal naive forecast (value one season before each step), or the last value."""
    if kind == "seasonal" and 1 < season <= context:
        recent = keras.layers.Cropping1D((context - season, 0))(sequence)  # last season
        pieces = []
        for start in range(0, horizon, season):
            take = min(season, horizon - start)
            pieces.append(
                keras.layers.Cropping1D((0, season - take))(recent) if take < season else recent
            )
        joined = pieces[0] if len(pieces) == 1 else keras.layers.Concatenate(axis=1)(pieces)
        return keras.layers.Flatten()(joined)
    return keras.layers.Flatten()(keras.layers.RepeatVector(horizon)(keras.layers.Flatten()(last)))


def _dense(x, hp, context):
    x = keras.layers.Flatten()(x)
    for _ in range(hp["layers"]):
        x = keras.layers.Dense(hp["units"], activation="relu")(x)
        if hp["dropout"]:
            x = keras.layers.Dropout(hp["dropout"])(x)
    return x


def _recurrent(kind):
    layer = keras.layers.LSTM if kind == "lstm" else keras.layers.GRU

    def body(x, hp, context):
        for i in range(hp["layers"]):
            x = layer(hp["units"], return_sequences=i < hp["layers"] - 1, dropout=hp["dropout"])(x)
        return x

    return body


def _tcn(x, hp, context):
    x = keras.layers.Conv1D(hp["filters"], 1)(x)
    for block in range(hp["blocks"]):
        y = keras.layers.Conv1D(
            hp["filters"],
            hp["kernel_size"],
            dilation_rate=2**block,
            padding="causal",
            activation="relu",
        )(x)
        x = keras.layers.Add()([x, y])
    last = keras.layers.Cropping1D((context - 1, 0))(x)
    pooled = keras.layers.GlobalAveragePooling1D()(x)
    return keras.layers.Concatenate()([keras.layers.Flatten()(last), pooled])


def _transformer(x, hp, context):
    d = hp["d_model"]
    # A causal convolution gives each step its neighbourhood, and the flattened output keeps
    # each position's place, so no separate position embedding is needed.
    x = keras.layers.Conv1D(d, 3, padding="causal")(x)
    for _ in range(hp["layers"]):
        attended = keras.layers.MultiHeadAttention(hp["heads"], max(4, d // hp["heads"]))(x, x)
        x = keras.layers.LayerNormalization()(keras.layers.Add()([x, attended]))
        feed = keras.layers.Dense(d * 2, activation="relu")(x)
        feed = keras.layers.Dense(d)(feed)
        x = keras.layers.LayerNormalization()(keras.layers.Add()([x, feed]))
    return keras.layers.Flatten()(x)


BODIES = {
    "dense_lags": _dense,
    "lstm": _recurrent("lstm"),
    "gru": _recurrent("gru"),
    "tcn": _tcn,
    "transformer": _transformer,
}
