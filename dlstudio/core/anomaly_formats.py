"""Which export formats an anomaly model can hold, known from its model card alone.

No Keras here, so `dlstudio export` refuses a format before TensorFlow loads (as
core/formats.py does for the other tasks).
"""

from __future__ import annotations

from dlstudio.core.errors import DlstudioError

EXPORT_FORMATS = ("keras", "savedmodel", "onnx", "tflite")
# LiteRT's converter cannot hold an LSTM's loop (TensorList ops), as for the forecasters.
NO_LITERT = ("lstm_autoencoder",)


def export_formats(card: dict, formats: list[str] | None) -> list[str]:
    """The formats to write: those asked for, checked against what this model can hold (None:
    every format it can hold).

    Raises:
        DlstudioError: An unknown format, or LiteRT for an LSTM autoencoder (with the reason).
    """
    template = (card.get("hyperparameters") or {}).get("template")
    if formats is None:
        return [f for f in EXPORT_FORMATS if not (f == "tflite" and template in NO_LITERT)]
    unknown = [f for f in formats if f not in EXPORT_FORMATS]
    if unknown:
        raise DlstudioError(
            f"--format {','.join(unknown)}.",
            f"some of {', '.join(EXPORT_FORMATS)}",
            "Fix --format, or leave it out to write every format the model can hold.",
        )
    if "tflite" in formats and template in NO_LITERT:
        raise DlstudioError(
            "--format tflite for an LSTM autoencoder.",
            "keras, savedmodel or onnx: LiteRT's converter cannot hold an LSTM's loop",
            "Leave tflite out, or train a conv_autoencoder (--arch) for LiteRT.",
        )
    return list(dict.fromkeys(formats))
