"""Forecasting networks: the last `context` raw values in, the next `horizon` values out.

Every template shares one frame, built from Keras's own layers only (so that the exported
.keras file loads in safe mode without dlstudio):

    raw window ─┬─ minus its last value, divided by the series' spread (per-series
                │  normalisation, fixed from the training part) ─ template body ─ Dense
                │  (horizon, zero-initialised) ─ times the spread ─┐
                └─ anchor: the seasonal naive forecast (or the last value) ────────────── + ─ forecast

Subtracting the window's last value makes the body see shapes, not levels, so a trend that
leaves the training range does not leave the network's range. The zero-initialised head makes
every model start as the anchor (seasonal naive by default) and learn corrections to it.
"""

from __future__ import annotations

import keras
import numpy as np

TEMPLATE_WORDS = {
    "dense_lags": "dense network on lagged values",
    "lstm": "LSTM encoder",
    "gru": "GRU encoder",
    "tcn": "dilated 1-D convolutions (TCN-style)",
    "transformer": "small Transformer encoder",
}
# Each template's search space, as {name: values to draw from}; the first value is the default.
SPACES = {
    "dense_lags": {"units": [64, 32, 128], "layers": [2, 1, 3], "dropout": [0.0, 0.1, 0.2]},
    "lstm": {"units": [32, 16, 64], "layers": [1, 2], "dropout": [0.0, 0.1]},
    "gru": {"units": [32, 16, 64], "layers": [1, 2], "dropout": [0.0, 0.1]},
    "tcn": {"filters": [32, 16, 64], "kernel_size": [3, 2, 5], "blocks": [3, 2, 4]},
    "transformer": {"d_model": [32, 16, 64], "heads": [2, 4], "layers": [1, 2]},
}
COMMON_SPACE = {
    "learning_rate": [1e-3, 3e-3, 3e-4],
    "loss": ["mae", "mse"],
    "anchor": ["seasonal", "last"],
    "batch_size": [32, 64, 16],
}


def default_hyperparameters(template: str) -> dict:
    return {name: values[0] for name, values in {**SPACES[template], **COMMON_SPACE}.items()}


def draw_hyperparameters(template: str, rng: np.random.Generator) -> dict:
    return {
        name: values[int(rng.integers(len(values)))]
        for name, values in {**SPACES[template], **COMMON_SPACE}.items()
    }


def build_forecaster(
    template: str, hp: dict, context: int, horizon: int, season: int, spread: float
) -> keras.Model:
    """A compiled model: {"history": (batch, context)} raw values in, {"forecast": (batch,
    horizon)} values in the series' units out."""
    history = keras.Input((context,), name="history")
    sequence = keras.layers.Reshape((context, 1))(history)
    last = keras.layers.Cropping1D((context - 1, 0))(sequence)  # (batch, 1, 1)
    level = keras.layers.Reshape((context, 1))(
        keras.layers.Flatten()(keras.layers.RepeatVector(context)(keras.layers.Flatten()(last)))
    )
    shape = keras.layers.Subtract()([sequence, level])
    scale = float(spread) if spread > 0 else 1.0
    normalised = keras.layers.Normalization(mean=0.0, variance=scale**2, name="scale_in")(shape)
    features = BODIES[template](normalised, hp, context)
    correction = keras.layers.Dense(horizon, kernel_initializer="zeros", name="correction")(
        features
    )
    # A linear path on the lags beside every body: the engine starts it at the ridge fit
    # (engine/forecast.py, linear_start), so each network begins as the classical reference
    # and learns what that misses.
    linear = keras.layers.Dense(horizon, kernel_initializer="zeros", name="linear")(
        keras.layers.Flatten()(normalised)
    )
    correction = keras.layers.Add()([correction, linear])
    correction = keras.layers.Normalization(
        mean=0.0, variance=scale**2, invert=True, name="scale_out"
    )(correction)
    anchor = _anchor(sequence, last, hp.get("anchor", "seasonal"), context, horizon, season)
    forecast = keras.layers.Add(name="forecast")([anchor, correction])
    model = keras.Model({"history": history}, {"forecast": forecast}, name=f"forecast_{template}")
    model.compile(
        optimizer=keras.optimizers.Adam(hp.get("learning_rate", 1e-3)),
        loss=hp.get("loss", "mae"),
        metrics=["mae"],
    )
    return model


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
