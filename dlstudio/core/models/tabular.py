"""Tables: every column's preprocessing lives inside the model, with built-in Keras pieces only.

Numbers: a missing value is replaced by the training mean and flagged in an extra 0/1 input,
then normalised. Categories: looked up in the training vocabulary with one out-of-vocabulary
bucket, then one-hot (few values) or embedded (many). Dates (as seconds since 1970) become
year, month, weekday and hour, the cyclic ones as sine/cosine. Free text gets TF-IDF.
Because it is all built-in layers and keras.ops, the saved model loads in safe mode.
"""

from __future__ import annotations

import math

import keras
from keras import layers, ops

from dlstudio.core.data.prepare import FeatureInput, PreparedData
from dlstudio.core.models.heads import dense_stack, output_head
from dlstudio.core.models.text import adapted_vectorizer

_DAY = 86400.0


def build_mlp(data: PreparedData, values: dict) -> keras.Model:
    inputs, encoded = {}, []
    for spec in data.inputs:
        dtype = "string" if spec.kind in ("categorical", "text") else "float32"
        inputs[spec.name] = keras.Input(shape=(1,), dtype=dtype, name=spec.name)
        encoded.append(encode(spec, inputs[spec.name], data))
    x = encoded[0] if len(encoded) == 1 else layers.Concatenate(name="features")(encoded)
    x = dense_stack(x, values)
    return keras.Model(inputs, output_head(x, data.task, _n_classes(data)), name="mlp")


def _n_classes(data: PreparedData) -> int | None:
    return len(data.class_names) if data.class_names else None


def encode(spec: FeatureInput, x, data: PreparedData):
    if spec.kind == "numeric":
        return _numeric(spec, x)
    if spec.kind == "categorical":
        return _categorical(spec, x)
    if spec.kind == "datetime":
        return _datetime(spec, x)
    return _tfidf(spec, x, data)


def _numeric(spec: FeatureInput, x):
    stats = spec.stats
    missing = ops.isnan(x)
    filled = ops.where(missing, ops.full_like(x, stats["mean"]), x)
    normal = layers.Normalization(
        mean=stats["mean"], variance=stats["variance"], name=f"{spec.name}_normalised"
    )(filled)
    if not stats.get("missing"):
        return normal
    return layers.Concatenate(name=f"{spec.name}_with_missing_flag")(
        [normal, ops.cast(missing, "float32")]
    )


def _categorical(spec: FeatureInput, x):
    vocabulary = spec.stats["vocabulary"]
    if spec.stats["encoding"] == "one_hot":
        return layers.StringLookup(
            vocabulary=vocabulary,
            num_oov_indices=1,
            output_mode="one_hot",
            name=f"{spec.name}_one_hot",
        )(x)
    ids = layers.StringLookup(vocabulary=vocabulary, num_oov_indices=1, name=f"{spec.name}_ids")(x)
    dim = int(min(32, max(4, round(1.6 * len(vocabulary) ** 0.56))))  # fast.ai's rule of thumb
    vectors = layers.Embedding(len(vocabulary) + 1, dim, name=f"{spec.name}_embedding")(ids)
    return layers.Flatten(name=f"{spec.name}_flat")(vectors)


def _datetime(spec: FeatureInput, seconds):
    """Calendar parts from seconds since 1970 (civil-from-days, H. Hinnant), all in keras.ops."""
    missing = ops.isnan(seconds)
    seconds = ops.where(missing, ops.full_like(seconds, spec.stats["mean"]), seconds)
    days = ops.floor(seconds / _DAY)
    hour = (seconds - days * _DAY) / 3600.0
    weekday = ops.mod(days + 4.0, 7.0)  # 1970-01-01 was a Thursday
    z = days + 719468.0
    era = ops.floor(z / 146097.0)
    doe = z - era * 146097.0
    yoe = ops.floor(
        (doe - ops.floor(doe / 1460.0) + ops.floor(doe / 36524.0) - ops.floor(doe / 146096.0))
        / 365.0
    )
    doy = doe - (365.0 * yoe + ops.floor(yoe / 4.0) - ops.floor(yoe / 100.0))
    mp = ops.floor((5.0 * doy + 2.0) / 153.0)
    month = ops.where(mp < 10.0, mp + 3.0, mp - 9.0)
    year = yoe + era * 400.0 + ops.where(month <= 2.0, 1.0, 0.0)
    parts = [(year - 2000.0) / 20.0]
    for value, period in ((month - 1.0, 12.0), (weekday, 7.0), (hour, 24.0)):
        angle = value * (2.0 * math.pi / period)
        parts += [ops.sin(angle), ops.cos(angle)]
    parts.append(ops.cast(missing, "float32"))
    return layers.Concatenate(name=f"{spec.name}_calendar")(parts)


def _tfidf(spec: FeatureInput, x, data: PreparedData):
    vectorizer = adapted_vectorizer(
        data, spec.name, name=f"{spec.name}_tfidf", max_tokens=5000, output_mode="tf_idf"
    )
    # Keras infers (rows, 1, terms) for a (rows, 1) string input where TensorFlow gives
    # (rows, terms); flattening agrees with both, so the columns can be concatenated.
    return layers.Flatten(name=f"{spec.name}_tfidf_flat")(vectorizer(x))
