"""Autoencoders for anomaly detection: a dense one for table rows, LSTM and 1-D convolutional
ones for windows of a series.

Scaling and missing values are handled inside the model (a Normalization layer with the
normal data's mean and variance; a missing reading counts as the mean), so every model takes
raw readings. The scoring model built around the trained autoencoder outputs the score (the
mean squared reconstruction error on the scaled readings) and the flag (score above the
threshold); it uses only Keras's own layers and ops, so it loads in safe mode without dlstudio.
"""

from __future__ import annotations

import keras
import numpy as np

from dlstudio.core.anomaly_space import TEMPLATES, TEMPLATES_BY_KIND  # noqa: F401


def _clean(scaled):
    """A missing reading (NaN) becomes the mean, 0 once scaled."""
    return keras.ops.where(keras.ops.isnan(scaled), keras.ops.zeros_like(scaled), scaled)


def build_autoencoder(hp: dict, shape: tuple, mean: np.ndarray, variance: np.ndarray):
    """(training model, scaler model): the training model maps raw readings to the
    reconstruction of their scaled values; the scaler maps raw readings to the target.

    Args:
        hp: A trial's values: its template and that template's hyperparameters.
        shape: One sample's shape: (features,) or (window, features).
        mean, variance: Per feature, of the normal training data.
    """
    raw = keras.Input(shape, name="values")
    scale = keras.layers.Normalization(mean=mean, variance=variance, name="scale")
    scaled = _clean(scale(raw))
    template = hp["template"]
    if template == "dense_autoencoder":
        x = keras.layers.Dense(hp["units"], activation="relu")(scaled)
        if hp.get("dropout"):
            x = keras.layers.Dropout(hp["dropout"])(x)
        x = keras.layers.Dense(hp["bottleneck"], activation="relu", name="code")(x)
        x = keras.layers.Dense(hp["units"], activation="relu")(x)
        recon = keras.layers.Dense(shape[-1], name="reconstruction")(x)
    elif template == "lstm_autoencoder":
        window, features = shape
        x = keras.layers.LSTM(hp["units"])(scaled)
        x = keras.layers.Dense(hp["bottleneck"], activation="relu", name="code")(x)
        x = keras.layers.RepeatVector(window)(x)
        x = keras.layers.LSTM(hp["units"], return_sequences=True)(x)
        recon = keras.layers.TimeDistributed(keras.layers.Dense(features), name="reconstruction")(x)
    elif template == "conv_autoencoder":
        window, features = shape
        k, f = hp["kernel_size"], hp["filters"]
        x = keras.layers.Conv1D(f, k, padding="same", activation="relu")(scaled)
        x = keras.layers.Conv1D(f // 2, k, padding="same", activation="relu")(x)
        x = keras.layers.Flatten()(x)
        x = keras.layers.Dense(hp["bottleneck"], activation="relu", name="code")(x)
        x = keras.layers.Dense(window * (f // 2), activation="relu")(x)
        x = keras.layers.Reshape((window, f // 2))(x)
        x = keras.layers.Conv1D(f, k, padding="same", activation="relu")(x)
        recon = keras.layers.Conv1D(features, k, padding="same", name="reconstruction")(x)
    else:
        raise ValueError(f"unknown template {template!r}")
    model = keras.Model(raw, recon, name=template)
    model.compile(optimizer=keras.optimizers.Adam(hp["learning_rate"]), loss="mse")
    scaler = keras.Model(raw, scaled, name="scaled")
    return model, scaler


def scoring_model(autoencoder: keras.Model, threshold: float) -> keras.Model:
    """Raw readings in; {"score", "is_anomaly"} out. The score is the mean squared error of
    the reconstruction over every scaled reading of a sample (a row, or a window)."""
    # The same graph, with the score and flag on top (a nested model would repeat the input's
    # name, which Keras refuses when it loads the file).
    raw = autoencoder.input
    scaled = _clean(autoencoder.get_layer("scale").output)
    recon = autoencoder.output
    axes = tuple(range(1, len(autoencoder.input_shape)))
    score = keras.ops.mean(keras.ops.square(recon - scaled), axis=axes)
    flag = keras.ops.greater(score, float(threshold))
    return keras.Model({"values": raw}, {"score": score, "is_anomaly": flag}, name="anomaly_scores")


def reconstruction_scores(
    model: keras.Model, scaler: keras.Model, inputs: np.ndarray
) -> np.ndarray:
    """Each sample's score with the training model (no threshold yet)."""
    if len(inputs) == 0:
        return np.zeros(0)
    recon = model.predict(inputs, batch_size=512, verbose=0)
    target = scaler.predict(inputs, batch_size=512, verbose=0)
    axes = tuple(range(1, recon.ndim))
    return np.mean(np.square(recon - target), axis=axes).astype("float64")
