"""Which formats a model can be exported to is known from its card, before any work."""

from __future__ import annotations

from dlstudio.core.formats import FORMATS, available_formats, offered_formats


def _card(*kinds):
    return {
        "inputs": [{"name": f"c{i}", "column": f"col {i}", "kind": k} for i, k in enumerate(kinds)]
    }


def test_numbers_categories_and_images_go_everywhere():
    for kinds in (("numeric",), ("numeric", "categorical", "datetime"), ("image",)):
        assert available_formats(_card(*kinds)) == list(FORMATS)


def test_text_is_refused_by_onnx_and_litert_with_the_reason():
    offers = {o.name: o for o in offered_formats(_card("numeric", "text"))}
    assert offers["keras"].available and offers["savedmodel"].available
    for name in ("onnx", "tflite"):
        assert not offers[name].available
        assert "'col 1'" in offers[name].reason and "string operations" in offers[name].reason


def test_onnx_is_refused_for_a_gelu_model_with_the_reason():
    card = {**_card("numeric"), "activations": ["gelu", "softmax"]}
    offers = {o.name: o for o in offered_formats(card)}
    assert not offers["onnx"].available and "GELU" in offers["onnx"].reason
    assert offers["keras"].available and offers["savedmodel"].available
    assert offered_formats({**_card("numeric"), "activations": ["relu"]})[2].available


def test_the_card_lists_every_activation_of_an_average_of_models():
    import keras

    from dlstudio.core.engine.run import used_activations

    raw = keras.Input((3,))
    members = [
        keras.Model(raw, keras.layers.Dense(2, activation=name)(raw)) for name in ("gelu", "relu")
    ]
    average = keras.Model(raw, keras.layers.Average()([m(raw) for m in members]))
    assert used_activations(average) == ["gelu", "relu"]


def test_litert_is_refused_for_a_recurrent_forecaster_or_autoencoder():
    for card in ({"template": "gru"}, {"hyperparameters": {"template": "lstm_autoencoder"}}):
        offers = {o.name: o for o in offered_formats({**_card(), **card})}
        assert not offers["tflite"].available and "LSTM's loop" in offers["tflite"].reason
        assert offers["onnx"].available
    assert available_formats({**_card(), "template": "tcn"}) == list(FORMATS)
