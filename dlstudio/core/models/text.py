"""Texts: vectorisation inside the model (TextVectorization), so raw strings go in.

Templates: TF-IDF bag of n-grams + MLP, embedding + 1D CNN, embedding + bidirectional
LSTM/GRU, and a small Transformer encoder whose word order comes from a convolution over the
embeddings (a convolutional position encoding, which needs no custom layer).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from dlstudio.core.data.prepare import PreparedData
from dlstudio.core.errors import DlstudioError
from dlstudio.core.models.heads import single_input_model


def _text_input(data: PreparedData):
    spec = data.inputs[0]
    return spec, keras.Input(shape=(1,), dtype="string", name=spec.name)


def _adapted(data: PreparedData, spec, **options) -> layers.TextVectorization:
    return adapted_vectorizer(data, spec.name, name="vectorize", **options)


def adapted_vectorizer(
    data: PreparedData, column: str, name: str, **options
) -> layers.TextVectorization:
    """A TextVectorization whose vocabulary (and TF-IDF weights) are learned from the training
    texts of `column` and kept in the layer's config. What is learned is kept on `data` for
    the next build with the same settings."""
    key = (column, tuple(sorted(options.items())))
    if key not in data.vocabularies:
        texts = np.asarray(data.x["train"][column]).reshape(-1)
        data.vocabularies[key] = learned_vocabulary(texts, **options)
    vocabulary, extra = data.vocabularies[key]
    return layers.TextVectorization(vocabulary=vocabulary, name=name, **options, **extra)


def learned_vocabulary(texts: np.ndarray, **options) -> tuple[list[str], dict]:
    """The vocabulary a TextVectorization with `options` learns from `texts`, and the
    TF-IDF weights it learns with it (as keyword arguments of the layer).

    Adapted in place, the layer saves its vocabulary as a text file, one term per line, and
    reads it back with `str.splitlines`, which also breaks lines at U+0085, U+2028, U+2029 and
    other separators: a term holding one comes back as two, duplicating others, and the model
    no longer loads (seen on real sentences). Handed over as a list, the vocabulary is stored
    in the model's JSON config, which keeps any Unicode exactly.

    Terms holding a NUL character are left out (they fall in the out-of-vocabulary bucket,
    when training as when predicting): Keras turns a vocabulary into a numpy string array,
    which drops trailing NULs, so "\x00" would become the reserved empty term.
    """
    probe = layers.TextVectorization(**options)
    try:
        probe.adapt(texts)
        terms = _learned_terms(probe)
    except Exception:  # noqa: BLE001  (Keras and TF fail in several ways on a corpus without words)
        terms = []
    if not terms:
        raise DlstudioError(
            "The training texts hold no words (only spaces and punctuation, or nothing).",
            "texts with words in them",
            "Check that the text column is the right one.",
        )
    specials = probe.get_vocabulary(include_special_tokens=True)[: min(i for i, _ in terms)]
    vocabulary = specials + [term for _, term in terms]
    extra = {}
    if options.get("output_mode") == "tf_idf":
        # Keras keeps the learned weights on its lookup layer, by term index (tested in
        # tests/core/models/test_text_vocabulary.py).
        weights = keras.ops.convert_to_numpy(probe._lookup_layer.idf_weights)
        rows = list(range(len(specials))) + [i for i, _ in terms]
        extra["idf_weights"] = weights[rows].tolist()
    return vocabulary, extra


def _learned_terms(probe: layers.TextVectorization) -> list[tuple[int, str]]:
    """(index, term) of every term the adapted layer learned, exactly (read from its lookup
    table as bytes: get_vocabulary goes through numpy, which drops trailing NULs)."""
    keys, indices = probe._lookup_layer.lookup_table.export()
    pairs = zip(keras.ops.convert_to_numpy(indices).tolist(), keys.numpy().tolist(), strict=True)
    return sorted(
        (int(i), term.decode("utf-8", "replace")) for i, term in pairs if b"\x00" not in term
    )


def build_tfidf_mlp(data: PreparedData, values: dict, weights: str | None = None) -> keras.Model:
    spec, text = _text_input(data)
    x = _adapted(
        data,
        spec,
        max_tokens=int(values["max_tokens"]),
        ngrams=int(values["ngrams"]),
        output_mode="tf_idf",
    )(text)
    x = layers.Flatten(name="flat")(x)  # (rows, 1, terms) as Keras infers it → (rows, terms)
    x = layers.Dropout(float(values.get("dropout", 0.0)), name="input_dropout")(x)
    x = layers.Dense(int(values.get("units", 64)), activation="relu", name="hidden")(x)
    return single_input_model(data, text, x, values, "tfidf_mlp")


def _embedded(data: PreparedData, values: dict, mask: bool = False):
    spec, text = _text_input(data)
    length = spec.stats["sequence_length"]
    ids = _adapted(
        data,
        spec,
        max_tokens=int(values["max_tokens"]),
        output_mode="int",
        output_sequence_length=length,
    )(text)
    x = layers.Embedding(
        int(values["max_tokens"]), int(values["embedding_dim"]), mask_zero=mask, name="embedding"
    )(ids)
    return text, x


def build_cnn1d(data: PreparedData, values: dict, weights: str | None = None) -> keras.Model:
    text, x = _embedded(data, values)
    x = layers.Conv1D(
        int(values["filters"]),
        int(values["kernel_size"]),
        activation="relu",
        padding="same",
        name="conv",
    )(x)
    x = layers.GlobalMaxPooling1D(name="pool")(x)
    return single_input_model(data, text, x, values, "cnn1d")


def build_bilstm(data: PreparedData, values: dict, weights: str | None = None) -> keras.Model:
    text, x = _embedded(data, values, mask=True)
    cell = layers.GRU if values.get("rnn") == "gru" else layers.LSTM
    x = layers.Bidirectional(cell(int(values["rnn_units"])), name="bidirectional")(x)
    return single_input_model(data, text, x, values, "bilstm")


def build_transformer(data: PreparedData, values: dict, weights: str | None = None) -> keras.Model:
    text, x = _embedded(data, values)
    dim, heads = int(values["embedding_dim"]), int(values["heads"])
    position = layers.Conv1D(dim, 3, padding="same", name="position_conv")(x)
    x = layers.Add(name="with_position")([x, position])
    attention = layers.MultiHeadAttention(heads, key_dim=dim // heads, name="attention")(x, x)
    x = layers.LayerNormalization(name="norm1")(layers.Add(name="residual1")([x, attention]))
    ff = layers.Dense(int(values["ff_dim"]), activation="relu", name="ff1")(x)
    ff = layers.Dense(dim, name="ff2")(ff)
    x = layers.LayerNormalization(name="norm2")(layers.Add(name="residual2")([x, ff]))
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    return single_input_model(data, text, x, values, "transformer")
