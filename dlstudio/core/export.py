"""Models that take raw data and give predictions, in the formats people deploy, checked.

The saved `model.keras` is end to end: raw columns, image pixels or strings in; class
probabilities and the class label (or the predicted value) out. It holds only built-in Keras
layers and keras.ops, so `keras.saving.load_model(path)` loads it in safe mode with no
dlstudio code. `model_card.json` beside it says which input takes which column.

Every export is loaded back and its predictions compared with the original's on sample rows.
"""

from __future__ import annotations

import json
import platform
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from keras import layers, ops

from dlstudio import __version__
from dlstudio.core.data import Task
from dlstudio.core.engine.datasets import make_batches
from dlstudio.core.engine.prepare import FeatureInput, PreparedData, raw_column_values
from dlstudio.core.errors import DlstudioError
from dlstudio.core.project import atomic_write_json, atomic_write_text, find_run

FORMATS = ("keras", "savedmodel", "onnx", "tflite")
MATCH_TOLERANCE = 1e-4


# ---------------------------------------------------------------- the end-to-end model


def inference_model(model: keras.Model, data: PreparedData) -> keras.Model:
    """The trained model with outputs a user can read: probabilities and label, or value."""
    output = model.outputs[0]
    if data.task is Task.REGRESSION:
        outputs = {"value": output}
    else:
        if data.task is Task.BINARY:
            output = layers.Concatenate(name="probabilities")([1.0 - output, output])
        outputs = {"probabilities": output}
        if keras.backend.backend() == "tensorflow":  # string outputs need TensorFlow
            index = ops.expand_dims(ops.argmax(output, axis=-1), -1)
            outputs["label"] = layers.StringLookup(
                vocabulary=data.class_names, invert=True, num_oov_indices=0, name="label"
            )(index)
    return keras.Model(model.inputs, outputs, name=f"dlstudio_{model.name}")


def write_model_card(
    folder: Path, data: PreparedData, spec, template: str, best, evaluation: dict, device: dict
) -> dict:
    """model_card.json (machine-readable) and model_card.md (for people) beside the model."""
    card = {
        "dlstudio_version": __version__,
        "created": datetime.now().isoformat(timespec="seconds"),
        "kind": data.kind,
        "task": data.task.value,
        "target": data.target,
        "class_names": data.class_names,
        "inputs": [i.to_dict() for i in data.inputs],
        "outputs": ["value"] if data.task is Task.REGRESSION else ["probabilities", "label"],
        "template": template,
        "hyperparameters": best.hyperparameters,
        "best_trial": best.trial_id,
        "metrics": evaluation.get("metrics", {}),
        "baseline": evaluation.get("baseline", {}),
        "data": {"path": spec.data.path, "split": evaluation.get("split", {})},
        "versions": {
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
        "device": device,
    }
    atomic_write_json(folder / "model_card.json", card)
    atomic_write_text(folder / "model_card.md", _card_markdown(card))
    return card


def _card_markdown(card: dict) -> str:
    metrics = "\n".join(f"| {k} | {v:.4f} |" for k, v in card["metrics"].items())
    inputs = "\n".join(f"| `{i['name']}` | {i['column']} | {i['kind']} |" for i in card["inputs"])
    baseline = ", ".join(f"{k} {v:.4f}" for k, v in card["baseline"].items() if k != "name")
    classes = ", ".join(card["class_names"] or []) or "—"
    return f"""# Model card: {card["target"]} ({card["task"]})

Made by dlstudio {card["dlstudio_version"]} on {card["created"]} from `{card["data"]["path"]}`
({card["kind"]}), architecture `{card["template"]}`, trial {card["best_trial"]}.

## Test-split results

| metric | value |
|---|---|
{metrics}

Trivial baseline ({card["baseline"].get("name", "")}): {baseline}.

## Inputs and outputs

| input | from column | kind |
|---|---|---|
{inputs}

Outputs: {", ".join(card["outputs"])}. Classes, in output order: {classes}.
Missing numbers may be passed as NaN and missing categories as empty strings; dates as seconds
since 1970-01-01. Images are raw 0–255 pixels of any size.

## Hyperparameters

```json
{json.dumps(card["hyperparameters"], indent=2)}
```

## How to use it

```python
import keras
model = keras.saving.load_model("model.keras")  # safe mode, no dlstudio needed
predictions = model.predict(inputs)  # a dict keyed by the input names above
```

Versions: {json.dumps(card["versions"])}. Device: {card["device"].get("name", "?")}.
"""


# ---------------------------------------------------------------- loading and predicting


@dataclass
class LoadedModel:
    model: keras.Model
    card: dict
    folder: Path

    @property
    def inputs(self) -> list[FeatureInput]:
        return [FeatureInput(**i) for i in self.card["inputs"]]


def load_model(reference: str | Path) -> LoadedModel:
    """A saved model (its .keras file or its run folder) with its model card."""
    path = Path(reference).expanduser()
    if path.is_dir() and not (path / "model.keras").is_file():
        path = find_run(path).path
    model_file = path / "model.keras" if path.is_dir() else path
    card_file = model_file.parent / "model_card.json"
    if not model_file.is_file() or not card_file.is_file():
        raise DlstudioError(
            f"No trained model at {str(path)!r}.",
            "a run folder with model.keras and model_card.json, or such a .keras file",
            "Train one with `dlstudio train` or `dlstudio tune`, then pass its run folder.",
        )
    model = keras.saving.load_model(model_file, safe_mode=True)
    return LoadedModel(model, json.loads(card_file.read_text(encoding="utf-8")), model_file.parent)


def raw_inputs(loaded: LoadedModel, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The model's inputs from a table of raw columns; missing columns are an error."""
    needed = [i.column for i in loaded.inputs]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise DlstudioError(
            f"The data lacks the column(s) {', '.join(map(repr, absent))} that the model needs.",
            f"the columns it was trained on: {', '.join(map(repr, needed))} (others are ignored)",
            "Add the missing columns (empty values are allowed), or check their names.",
        )
    return {i.name: raw_column_values(frame[i.column], i) for i in loaded.inputs}


def predict_arrays(
    model: keras.Model, inputs: dict, batch_size: int = 256
) -> dict[str, np.ndarray]:
    outputs = model.predict(make_batches(inputs, None, batch_size), verbose=0)
    return outputs if isinstance(outputs, dict) else {"output": outputs}


def predictions_frame(loaded: LoadedModel, outputs: dict) -> pd.DataFrame:
    """Readable predictions: the label (or value) and one probability column per class."""
    card = loaded.card
    if card["task"] == "regression":
        return pd.DataFrame(
            {f"predicted_{card['target']}": np.asarray(outputs["value"]).reshape(-1)}
        )
    probabilities = np.asarray(outputs["probabilities"])
    names = card["class_names"]
    result = pd.DataFrame(
        {f"predicted_{card['target']}": [names[i] for i in probabilities.argmax(1)]}
    )
    for i, name in enumerate(names):
        result[f"probability_{name}"] = probabilities[:, i]
    return result


def predict_file(reference: str | Path, data_path: str | Path) -> pd.DataFrame:
    """Predict on a new raw file or folder of the kind the model was trained on."""
    from dlstudio.core.data.encoding import read_text_file
    from dlstudio.core.data.images import IMAGE_SUFFIXES
    from dlstudio.core.data.tabular import read_table
    from dlstudio.core.data.text import TEXT_SUFFIXES

    loaded = load_model(reference)
    path = Path(data_path).expanduser()
    if not path.exists():
        raise DlstudioError(
            f"Nothing exists at {str(path)!r}.", "a file or folder of new data", "Check the path."
        )
    kind = loaded.card["kind"]
    if path.is_dir():
        suffixes = IMAGE_SUFFIXES if kind == "images" else TEXT_SUFFIXES
        files = sorted(
            f
            for f in path.rglob("*")
            if f.suffix.lower() in suffixes and not f.name.startswith(".")
        )
        if not files:
            raise DlstudioError(
                f"The folder {path.name!r} has no {'images' if kind == 'images' else '.txt files'}.",
                f"a folder of the {kind} the model was trained on",
                "Point at the folder that holds them (subfolders are searched too).",
            )
        column = loaded.inputs[0].column
        values = [str(f.resolve()) if kind == "images" else read_text_file(f)[0] for f in files]
        frame = pd.DataFrame({"file": [str(f.relative_to(path)) for f in files], column: values})
    else:
        frame = read_table(path).frame
        if kind == "images":
            column = loaded.inputs[0].column
            if column in frame.columns:
                frame[column] = (
                    frame[column].astype(str).map(lambda p: str((path.parent / p).resolve()))
                )
    outputs = predict_arrays(loaded.model, raw_inputs(loaded, frame))
    shown = frame[["file"]] if "file" in frame.columns else frame
    return pd.concat([shown.reset_index(drop=True), predictions_frame(loaded, outputs)], axis=1)


# ---------------------------------------------------------------- exporting


@dataclass
class ExportedFile:
    format: str
    path: str
    max_difference: float | None
    note: str = ""


def export_run(
    reference: str | Path, formats: list[str], out_dir: str | Path
) -> list[ExportedFile]:
    """Write the run's model in each format to `out_dir`, each checked against the original.

    Raises:
        DlstudioError: An unknown format, or a format that cannot hold this model (the others
            are still written; the message says which failed and why).
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise DlstudioError(
            f"Unknown export format(s) {', '.join(unknown)}.",
            f"some of {', '.join(FORMATS)}",
            "Fix the --format list.",
        )
    loaded = load_model(reference)
    out = Path(out_dir).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    sample = _sample_inputs(loaded)
    reference_out = predict_arrays(loaded.model, sample)
    written, problems = [], []
    for fmt in formats:
        try:
            written.append(EXPORTERS[fmt](loaded, out, sample, reference_out))
        except DlstudioError as error:
            problems.append(f"{fmt}: {error}")
        except Exception as error:  # a converter's own failure: say which, keep the others
            problems.append(
                f"{fmt}: the converter failed ({type(error).__name__}: {_first_line(error)})"
            )
    for name in ("model_card.json", "model_card.md"):
        shutil.copy(loaded.folder / name, out / name)
    if problems:
        done = ", ".join(Path(w.path).name for w in written)
        raise DlstudioError(
            "Some formats could not be written: " + " | ".join(problems),
            "formats that can hold this model",
            f"The others are in {str(out)!r}: {done}." if written else "Nothing was written.",
        )
    return written


def _sample_inputs(loaded: LoadedModel) -> dict[str, np.ndarray]:
    """Up to 16 test-like rows from the evaluation data, rebuilt from the training file."""
    from dlstudio.core.data import load_dataset

    card = loaded.card
    if not Path(card["data"]["path"]).exists():
        raise DlstudioError(
            f"The training data {card['data']['path']!r} is no longer there.",
            "the training data, to check each exported file against the model on sample rows",
            "Put the file back (or pass the folder it moved to when reopening the project), "
            "then export again; the run's model.keras can be copied as it is meanwhile.",
        )
    dataset = load_dataset(card["data"]["path"], target=card["target"])
    frame = dataset.labelled.head(16)
    return raw_inputs(loaded, frame)


def _largest_difference(expected: dict, actual: dict) -> float:
    worst = 0.0
    for key, value in expected.items():
        if key == "label":
            if not np.array_equal(
                np.asarray(value).astype(str), np.asarray(actual[key]).astype(str)
            ):
                return float("inf")
            continue
        worst = max(
            worst, float(np.max(np.abs(np.asarray(value, float) - np.asarray(actual[key], float))))
        )
    return worst


def _checked(fmt: str, path: Path, expected: dict, actual: dict, note: str = "") -> ExportedFile:
    difference = _largest_difference({k: v for k, v in expected.items() if k in actual}, actual)
    if not difference <= MATCH_TOLERANCE:
        raise DlstudioError(
            f"The {fmt} export predicts differently from the original (largest difference {difference:.2g}).",
            f"predictions within {MATCH_TOLERANCE} of the original's",
            "Report this; use the .keras export meanwhile.",
        )
    return ExportedFile(fmt, str(path), difference, note)


def _export_keras(loaded, out, sample, expected) -> ExportedFile:
    path = out / "model.keras"
    loaded.model.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    return _checked("keras", path, expected, predict_arrays(again, sample))


def _export_savedmodel(loaded, out, sample, expected) -> ExportedFile:
    if keras.backend.backend() != "tensorflow":
        raise DlstudioError(
            "A SavedModel export on a non-TensorFlow backend.",
            "the TensorFlow backend",
            "Export with KERAS_BACKEND=tensorflow.",
        )
    import tensorflow as tf

    path = out / "savedmodel"
    _write_savedmodel(loaded, path, sample)
    restored = tf.saved_model.load(str(path))
    actual = {
        k: v.numpy()
        for k, v in restored.serve({k: tf.constant(v) for k, v in sample.items()}).items()
    }
    return _checked("savedmodel", path, expected, actual, "tf.saved_model.load(path).serve(inputs)")


def _write_savedmodel(loaded, path: Path, sample: dict) -> None:
    """A SavedModel whose `serve` takes a dict keyed by input name, like the .keras model."""
    import tensorflow as tf

    if path.exists():
        shutil.rmtree(path)
    signature = {
        k: tf.TensorSpec(
            (None, *v.shape[1:]), tf.string if v.dtype == object else tf.float32, name=k
        )
        for k, v in sample.items()
    }
    loaded.model.export(
        str(path), format="tf_saved_model", verbose=False, input_signature=[signature]
    )


def _refuse_strings(loaded: LoadedModel, fmt: str) -> None:
    strings = [i.column for i in loaded.inputs if i.kind in ("categorical", "text")]
    if strings:
        raise DlstudioError(
            f"{fmt} runtimes have no string lookups, and this model reads text from "
            f"{', '.join(map(repr, strings))}.",
            "a model with numeric or image inputs only",
            "Use the .keras or SavedModel export for this model.",
        )


def _numeric_model(loaded: LoadedModel) -> keras.Model:
    """The model without its string "label" output (the class names are in the model card)."""
    model = loaded.model
    outputs = {k: v for k, v in zip(model.output_names, model.outputs, strict=True) if k != "label"}
    return keras.Model(model.inputs, outputs)


def _float_signature(sample: dict):
    import tensorflow as tf

    return [{k: tf.TensorSpec((None, *v.shape[1:]), tf.float32, name=k) for k, v in sample.items()}]


def _export_onnx(loaded, out, sample, expected) -> ExportedFile:
    _refuse_strings(loaded, "ONNX")
    try:
        import onnxruntime as ort
        import tf2onnx
    except ImportError:
        raise DlstudioError(
            "ONNX export needs tf2onnx and onnxruntime, which are not installed.",
            "the onnx extra",
            "Install it: pip install 'dlstudio[onnx]'.",
        ) from None
    import tensorflow as tf

    path = out / "model.onnx"
    model = _numeric_model(loaded)
    # tf2onnx feeds the signature positionally, in the model's own input order (not by name).
    signature = [
        tf.TensorSpec((None, *sample[t.name].shape[1:]), tf.float32, name=t.name)
        for t in model.inputs
    ]
    tf2onnx.convert.from_keras(model, input_signature=signature, output_path=str(path))
    session = ort.InferenceSession(str(path))
    names = [o.name for o in session.get_outputs()]
    values = session.run(None, {k: v.astype("float32") for k, v in sample.items()})
    actual = dict(zip([_onnx_key(n, expected) for n in names], values, strict=True))
    return _checked("onnx", path, expected, actual, "onnxruntime.InferenceSession(path)")


def _onnx_key(name: str, expected: dict) -> str:
    return next((k for k in expected if k in name), name)


def _export_tflite(loaded, out, sample, expected) -> ExportedFile:
    _refuse_strings(loaded, "LiteRT (TFLite)")
    import tensorflow as tf

    with tempfile.TemporaryDirectory() as tmp:
        _numeric_model(loaded).export(
            tmp, format="tf_saved_model", verbose=False, input_signature=_float_signature(sample)
        )
        converter = tf.lite.TFLiteConverter.from_saved_model(tmp)
        path = out / "model.tflite"
        path.write_bytes(converter.convert())
    with warnings.catch_warnings():  # its successor (ai-edge-litert) is not installable everywhere
        warnings.simplefilter("ignore")
        interpreter = tf.lite.Interpreter(model_path=str(path))
    runner = interpreter.get_signature_runner(next(iter(interpreter.get_signature_list())))
    actual = runner(**{k: v.astype("float32") for k, v in sample.items()})
    return _checked(
        "tflite",
        path,
        expected,
        {k: np.asarray(v) for k, v in actual.items()},
        "tf.lite.Interpreter(path), builtin ops only; class names in the model card",
    )


EXPORTERS = {
    "keras": _export_keras,
    "savedmodel": _export_savedmodel,
    "onnx": _export_onnx,
    "tflite": _export_tflite,
}


def _first_line(error: Exception) -> str:
    lines = [ln for ln in str(error).strip().splitlines() if ln.strip()]
    return lines[0][:300] if lines else ""
