"""Text models survive any Unicode: what the vocabulary learned is what a reloaded model uses.

Keras saves an adapted TextVectorization's vocabulary as a text file read back with
str.splitlines, which also splits at U+0085, U+2028, U+2029 and other separators: a term
holding one came back as two, and the model no longer loaded. dlstudio keeps the vocabulary in
the layer's config instead (models/text.py, adapted_vectorizer)."""

from __future__ import annotations

import re
import string
from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlstudio.core.errors import DlstudioError
from dlstudio.core.models import text as text_models
from dlstudio.core.models.text import adapted_vectorizer

# Characters that have broken text pipelines: line and paragraph separators, NUL and other
# controls, the BOM, zero-width and non-breaking spaces, combining marks, right-to-left text,
# emoji (with a skin-tone modifier and a joiner), CJK, and words that lower-case oddly.
AWKWARD = [
    "\x85",
    "\u2028",
    "\u2029",
    "\x00",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\r",
    "\t",
    "\ufeff",
    "\u200b",
    "\u200d",
    "\xa0",
    "\u3000",
    "e\u0301",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u0645\u0631\u062d\u0628\u0627",
    "\U0001f44d\U0001f3fd",
    "\U0001f468\u200d\U0001f4bb",
    "\u4f60\u597d",
    "\u0130stanbul",
    "STRASSE",
    "stra\xdfe",
    "\u212b",
    "[UNK]",
    "",
]
words = st.one_of(
    st.sampled_from(["is", "was", "the", "cat", "Win", "prize", "café", "naïve"]),
    st.sampled_from(AWKWARD),
    st.text(min_size=0, max_size=12),
    st.text(alphabet="ab\x85\u2028 ", min_size=200, max_size=400),  # very long tokens
)
pieces = st.lists(words, min_size=0, max_size=12)
texts = st.one_of(pieces.map("".join), pieces.map(" ".join))  # glued, and as separate words
corpora = st.lists(texts, min_size=2, max_size=20)


def _vectorizer(corpus, name="v", data=None, **options):
    """adapted_vectorizer over `corpus` as the training texts of a column "text"."""
    data = data or SimpleNamespace(x={"train": {"text": np.asarray(corpus)}}, vocabularies={})
    return adapted_vectorizer(data, "text", name=name, **options)


def _round_trip(corpus, tmp_path, mode, **options):
    # Python strings with lone surrogates cannot be UTF-8 at all; real text never has them.
    corpus = [t.encode("utf-8", "replace").decode("utf-8") for t in corpus]
    # A word: something between ASCII spaces (where TensorFlow splits: Python's split would
    # also cut at U+0085 and friends) that is not all punctuation and holds no NUL (terms
    # with a NUL are left out of the vocabulary by design; see adapted_vectorizer).
    words = [
        w for t in corpus for w in re.split(r"[ \t\n\r\x0b\x0c]+", t) if w.strip(string.punctuation)
    ]
    if not any("\x00" not in w for w in words):
        with pytest.raises(DlstudioError, match="hold no words"):
            _vectorizer(np.array(corpus, dtype=object), output_mode=mode)
        return np.zeros(1), np.zeros(1)
    strings = tf.constant(np.array(corpus, dtype=object).reshape(-1, 1))
    vectorizer = _vectorizer(
        np.array(corpus, dtype=object),
        name="vectorize",
        max_tokens=200,
        output_mode=mode,
        **options,
    )
    text = keras.Input(shape=(1,), dtype="string", name="text")
    model = keras.Model(text, vectorizer(text))
    path = tmp_path / "model.keras"
    model.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    return np.asarray(model(strings)), np.asarray(again(strings))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(corpus=corpora)
def test_tf_idf_vocabulary_round_trips_any_unicode(corpus, tmp_path):
    before, after = _round_trip(corpus, tmp_path, "tf_idf", ngrams=2)
    assert np.array_equal(before, after)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(corpus=corpora)
def test_sequence_vocabulary_round_trips_any_unicode(corpus, tmp_path):
    before, after = _round_trip(corpus, tmp_path, "int", output_sequence_length=16)
    assert np.array_equal(before, after)


def test_the_separator_that_broke_real_sentences(tmp_path):
    corpus = ["this is\x85was odd", "it is what it was", "is was is was"]
    before, after = _round_trip(corpus, tmp_path, "tf_idf")
    assert np.array_equal(before, after) and before.sum() > 0


@pytest.mark.parametrize("mode", ["tf_idf", "int"])
def test_nul_alone_or_at_a_words_end_neither_breaks_nor_shifts_the_vocabulary(mode, tmp_path):
    corpus = ["great \x00 lovely", "lovely\x00 day", "x\x00y great", "\x00"]
    options = {"ngrams": 2} if mode == "tf_idf" else {"output_sequence_length": 6}
    before, after = _round_trip(corpus, tmp_path, mode, **options)
    assert np.array_equal(before, after) and before.sum() > 0


@pytest.mark.parametrize("mode", ["tf_idf", "int"])
def test_keras_keeps_tf_idf_weights_where_dlstudio_reads_them(mode, tmp_path):
    """The contract adapted_vectorizer relies on: the adapted layer's weights (and so its
    outputs) are exactly those of the layer built from its vocabulary."""
    corpus = np.array(["a b c", "a b", "a", "d e f g", "c c c"], dtype=object)
    options = {"ngrams": 2} if mode == "tf_idf" else {"output_sequence_length": 4}
    adapted = keras.layers.TextVectorization(max_tokens=50, output_mode=mode, **options)
    adapted.adapt(corpus)
    rebuilt = _vectorizer(corpus, max_tokens=50, output_mode=mode, **options)
    strings = tf.constant(corpus.reshape(-1, 1))
    assert np.allclose(np.asarray(adapted(strings)), np.asarray(rebuilt(strings)))


def test_a_next_line_alone_is_a_word_as_tensorflow_splits(tmp_path):
    """U+0085 is whitespace to Python but not to TensorFlow's split: a text of it alone holds
    one term (the property test's oracle once counted it as no word at all)."""
    before, after = _round_trip(["", "\x85"], tmp_path, "tf_idf", ngrams=2)
    assert np.array_equal(before, after) and before.sum() > 0


def test_a_search_learns_each_vocabulary_once(monkeypatch):
    """Every trial and every rebuild for an average builds the vectoriser again: the words are
    learned once per setting (seconds on a long corpus) and the layers agree."""
    learned = []
    original = text_models.learned_vocabulary
    monkeypatch.setattr(
        text_models, "learned_vocabulary", lambda *a, **k: learned.append(k) or original(*a, **k)
    )
    corpus = np.array(["a b c", "a b", "d e f g", "c c c"], dtype=object)
    data = SimpleNamespace(x={"train": {"text": corpus}}, vocabularies={})
    first = _vectorizer(corpus, data=data, max_tokens=50, output_mode="tf_idf", ngrams=2)
    again = _vectorizer(corpus, data=data, max_tokens=50, output_mode="tf_idf", ngrams=2)
    other = _vectorizer(corpus, data=data, max_tokens=50, output_mode="tf_idf", ngrams=1)
    strings = tf.constant(corpus.reshape(-1, 1))
    assert np.array_equal(np.asarray(first(strings)), np.asarray(again(strings)))
    assert np.asarray(other(strings)).shape[-1] < np.asarray(first(strings)).shape[-1]
    assert [k["ngrams"] for k in learned] == [2, 1]
