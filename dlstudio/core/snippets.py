"""Copy-paste Python that feeds raw data to an exported model in its plain runtime.

One snippet per format, written from the model card (names, paths and texts as Python
literals, so that any Unicode pastes back exactly): it reads a table, image files or texts
the way dlstudio read the training data (missing-value words, categories as text, dates as
seconds, images as 8-bit pixels at the training size), builds the model's inputs by name, and
runs the model without dlstudio. The model card, the Export step and the tests use these very
strings (tests/core/export/test_snippets.py runs them and compares with `dlstudio predict`).
No Keras here: the window shows them without loading TensorFlow.
"""

from __future__ import annotations

from dlstudio.core.formats import FORMATS

# What dlstudio reads as "no value" in a table (core/data/tabular.py's MISSING_TOKENS).
_MISSING_WORDS = '["", "?", "NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "Null", "None", "#N/A", "<NA>"]'

_TABLE_HEAD = """import numpy as np
import pandas as pd

MISSING = {missing}
"""
_TABLE_CONVERTERS = {
    "as_number": """

def as_number(column):
    return pd.to_numeric(column, errors="coerce").to_numpy("float32").reshape(-1, 1)
""",
    "as_text": """

def as_text(column):  # as dlstudio saw them: 3.0 as "3", missing as ""
    def text(value):
        if pd.isna(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return np.array([[text(value)] for value in column], dtype=object)
""",
    "as_seconds": """

def as_seconds(column):  # dates as seconds since 1970-01-01
    times = pd.to_datetime(column, errors="coerce", format="mixed")
    seconds = (times - pd.Timestamp("1970-01-01")) / pd.Timedelta(seconds=1)
    return seconds.to_numpy("float32").reshape(-1, 1)
""",
}
_TABLE_TAIL = """

frame = pd.read_csv({example}, na_values=MISSING, keep_default_na=False)
inputs = {{
{entries}
}}
"""

_IMAGE_HELPERS = """import numpy as np
from PIL import Image


def load(path):  # as dlstudio read it: {mode_words}, {width}×{height} pixels, values 0–255
    image = Image.open(path)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image.convert("RGBA"))
    image = image.convert("{mode}").resize(({width}, {height}), Image.Resampling.BILINEAR)
    pixels = np.asarray(image, dtype="float32")
    return pixels[..., None] if pixels.ndim == 2 else pixels


inputs = {{{name}: np.stack([load(path) for path in {example}])}}
"""

_TEXT_HELPERS = """import numpy as np

texts = {example}
inputs = {{{name}: np.array([[text] for text in texts], dtype=object)}}
"""

_RUNTIMES = {
    "keras": """import keras

model = keras.saving.load_model({path})  # safe mode: no dlstudio needed
outputs = {{name: np.asarray(value) for name, value in model(inputs).items()}}
""",
    "savedmodel": """import tensorflow as tf

model = tf.saved_model.load({path})
outputs = model.serve({{name: tf.constant(value) for name, value in inputs.items()}})
outputs = {{name: value.numpy() for name, value in outputs.items()}}
""",
    "onnx": """import onnxruntime

session = onnxruntime.InferenceSession({path})
names = [output.name for output in session.get_outputs()]
outputs = dict(zip(names, session.run(None, inputs)))
""",
    "tflite": """try:
    from ai_edge_litert.interpreter import Interpreter
except ImportError:  # TensorFlow's own copy of the LiteRT interpreter
    import tensorflow as tf

    Interpreter = tf.lite.Interpreter
runner = Interpreter(model_path={path}).get_signature_runner()
outputs = runner(**inputs)
""",
}

FILE_NAMES = {
    "keras": "model.keras",
    "savedmodel": "savedmodel",
    "onnx": "model.onnx",
    "tflite": "model.tflite",
}


def inputs_code(card: dict, example=None) -> str:
    """Python that builds the model's `inputs` dict from raw data."""
    kind = card["kind"]
    if kind == "table":
        converters = [_converter(i) for i in card["inputs"]]
        entries = "\n".join(
            f"    {i['name']!r}: {c}(frame[{i['column']!r}]),"
            for i, c in zip(card["inputs"], converters, strict=True)
        )
        used = "".join(code for name, code in _TABLE_CONVERTERS.items() if name in converters)
        tail = _TABLE_TAIL.format(example=repr(example or "new_data.csv"), entries=entries)
        return _TABLE_HEAD.format(missing=_MISSING_WORDS) + used + tail
    spec = card["inputs"][0]
    if kind == "images":
        width, height = spec["stats"]["size"]
        gray = spec["stats"]["channels"] == 1
        return _IMAGE_HELPERS.format(
            name=repr(spec["name"]),
            width=width,
            height=height,
            mode="L" if gray else "RGB",
            mode_words="grayscale" if gray else "RGB",
            example=repr(example or ["photo.jpg"]),
        )
    return _TEXT_HELPERS.format(
        name=repr(spec["name"]),
        example=repr(example or ["A first text to classify.", "And a second one."]),
    )


def _converter(spec: dict) -> str:
    return {"numeric": "as_number", "datetime": "as_seconds"}.get(spec["kind"], "as_text")


def runtime_code(fmt: str, path: str | None = None) -> str:
    """Python that loads the exported file in its own runtime and predicts on `inputs`."""
    return _RUNTIMES[fmt].format(path=repr(str(path or FILE_NAMES[fmt])))


def outputs_note(card: dict) -> str:
    """What the outputs hold, as a Python comment."""
    if card["task"] == "regression":
        return f'# outputs["value"]: the predicted {card["target"]}, one row per input row\n'
    classes = ", ".join(card["class_names"])
    return (
        "# outputs: the probability of each class, one row per input, columns in this order:\n"
        f"# {classes}\n"
        '# (.keras and SavedModel also give the class name, as bytes, in outputs["label"])\n'
    )


def snippet(card: dict, fmt: str, path: str | None = None, example=None) -> str:
    """The whole copy-paste program for one format."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    return inputs_code(card, example) + "\n" + runtime_code(fmt, path) + outputs_note(card)
