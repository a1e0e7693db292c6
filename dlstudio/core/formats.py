"""Which export formats can hold a model, and why not when one cannot — known before exporting.

Decided from the model card alone (no Keras, no TensorFlow), so that the window can grey out a
format with its reason before the user picks it, and the CLI can refuse it before any work.
What holds, measured on Keras 3.15 / TensorFlow 2.21 / tf2onnx 1.16 / onnxruntime 1.23:

- .keras and SavedModel hold every model dlstudio builds.
- ONNX (tf2onnx, onnxruntime) and LiteRT (builtin ops) hold numeric, category and image inputs:
  category lookups convert to their hash-table ops. Text vectorisation does not convert: it
  needs TensorFlow's string ops (lower-casing, regex, splitting, n-grams), which neither
  runtime has.
- LiteRT does not hold a recurrent forecaster's or autoencoder's loop (LSTM, GRU).
- ONNX does not hold the GELU activation: tf2onnx writes its Erfc, which ONNX Runtime refuses
  to load ("INVALID_GRAPH"); the card lists the model's activations (engine/run.py).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

FORMATS = ("keras", "savedmodel", "onnx", "tflite")
# Forecasting and anomaly templates with a recurrent layer, whose loop LiteRT cannot convert.
RECURRENT = ("lstm", "gru", "lstm_autoencoder")
LABELS = {
    "keras": "Keras (.keras)",
    "savedmodel": "TensorFlow SavedModel",
    "onnx": "ONNX",
    "tflite": "LiteRT (TFLite)",
}
USES = {
    "keras": "for Python with Keras 3: raw data in, probabilities and labels out",
    "savedmodel": "for TF Serving and other TensorFlow tools",
    "onnx": "for onnxruntime in C++, C#, Java, JavaScript and Python",
    "tflite": "for phones and small devices",
}


@dataclass(frozen=True)
class FormatOffer:
    name: str
    available: bool
    reason: str = ""  # why not, when not available

    @property
    def label(self) -> str:
        return LABELS[self.name]


def offered_formats(card: dict, only: tuple[str, ...] = ()) -> list[FormatOffer]:
    """Every format, each available or not with the reason, for the model `card` describes;
    `only`: the formats its family exports at all (core/families.py), empty for every one."""
    inputs = card.get("inputs")
    texts = [
        i["column"]
        for i in (inputs if isinstance(inputs, list) else [])
        if isinstance(i, dict) and i.get("kind") == "text"
    ]
    has_tensorflow = _installed("tensorflow")
    offers = []
    for name in FORMATS:
        reason = ""
        if only and name not in only:
            reason = f"this kind of model is exported as {' or '.join(LABELS[f] for f in only)}"
        elif name != "keras" and not has_tensorflow:
            reason = "needs TensorFlow installed (pip install tensorflow) to convert the model"
        elif name in ("onnx", "tflite") and texts:
            reason = (
                f"this model reads text ({', '.join(map(repr, texts))}), and turning text into "
                "words needs TensorFlow's string operations, which ONNX Runtime and LiteRT's "
                "built-in operations lack; use the .keras or SavedModel export"
            )
        elif name == "tflite" and _template(card) in RECURRENT:
            reason = (
                "LiteRT's converter cannot hold an LSTM's loop or a GRU's (TensorList "
                "operations); use another format, or train a model without a recurrent layer"
            )
        elif name == "onnx" and "gelu" in card.get("activations", []):
            reason = (
                "this model uses the GELU activation, which the ONNX converter writes as an "
                "operation (Erfc) ONNX Runtime cannot load; use another format, or train with "
                "the relu activation (--set activation=relu)"
            )
        elif name == "onnx" and not (_installed("tf2onnx") and _installed("onnxruntime")):
            reason = "needs tf2onnx and onnxruntime: pip install 'dlstudio[onnx]'"
        offers.append(FormatOffer(name, not reason, reason))
    return offers


def _template(card: dict) -> str | None:
    """A forecaster's card names its template; an anomaly model's keeps it in its plan."""
    return card.get("template") or (card.get("hyperparameters") or {}).get("template")


def available_formats(card: dict, only: tuple[str, ...] = ()) -> list[str]:
    return [offer.name for offer in offered_formats(card, only) if offer.available]


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def agreement(difference: float) -> str:
    """How closely an export's predictions match the original's, in words."""
    return "identical" if difference == 0 else f"within {difference:.1g}"
