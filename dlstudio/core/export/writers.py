"""Write a run's model in the formats people deploy, and prove each one works as a user would
run it: reloaded in its own runtime, in a fresh interpreter without dlstudio (export/check.py),
predicting on raw sample rows what the original predicts (within 1e-4).

Formats a model cannot hold are refused before anything is written, with the reason
(dlstudio.core.formats decides, from the model card alone).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import keras
import numpy as np

from dlstudio.core.errors import DlstudioError, error_summary
from dlstudio.core.export.card import write_card_markdown
from dlstudio.core.export.fresh_check import (
    ExportedFile,
    check_in_fresh_process,
    refuse_failed_formats,
    storable,
)
from dlstudio.core.export.model import (
    LoadedModel,
    load_model,
    predict_arrays,
    raw_inputs,
    with_decision_threshold,
)
from dlstudio.core.formats import LABELS
from dlstudio.core.model_files import card_of, checked_formats, export_folder, model_file
from dlstudio.core.native_logs import hushed
from dlstudio.core.paths import MODEL_CARD_FILE, MODEL_CARD_TEXT
from dlstudio.core.snippets import FILE_NAMES

SAMPLE_FILE = "sample_inputs.npz"  # raw test rows kept with the run, to check every export on
SAMPLE_ROWS = 16


def export_run(
    reference: str | Path, formats: list[str] | None, out_dir: str | Path
) -> list[ExportedFile]:
    """Write the run's model in each format (None: every format it can hold) to `out_dir`,
    each reloaded in its own runtime and checked against the original.

    Raises:
        DlstudioError: An unknown format or one that cannot hold this model (nothing is
            written then), an output folder inside another run, or a format whose file failed
            its check (the others are kept; the message says which and why).
    """
    folder = model_file(reference).parent
    from dlstudio.core.export.classic import export_classic, uses_classic

    if uses_classic(folder):  # the user chose the classical model (core/model_choice.py)
        return export_classic(folder, formats, out_dir)
    card = card_of(folder)
    formats = checked_formats(formats, card)
    out = export_folder(out_dir, folder)
    loaded = with_decision_threshold(load_model(folder))
    sample = sample_inputs(loaded)
    expected = predict_arrays(loaded.model, sample)
    written, problems = {}, []
    for fmt in formats:
        try:
            # Converters log their passes at length, and a failure is said in one line below.
            with hushed(show_on_error=False):
                written[fmt] = WRITERS[fmt](loaded, out, sample)
        except Exception as error:  # a converter's own failure: say which, keep the others
            problems.append(f"{LABELS[fmt]}: the converter failed ({error_summary(error)})")
    checked = check_in_fresh_process(written, sample, expected, problems)
    shutil.copy(folder / MODEL_CARD_FILE, out / MODEL_CARD_FILE)
    write_card_markdown(out / MODEL_CARD_TEXT, card, [f.format for f in checked])
    refuse_failed_formats(problems, checked, out)
    return checked


# ---------------------------------------------------------------- the sample it is checked on


def save_sample_inputs(folder: Path, inputs: dict[str, np.ndarray]) -> None:
    """Keep a few raw test rows with the run, so that exports can be checked without the data."""
    rows = {name: values[:SAMPLE_ROWS] for name, values in inputs.items()}
    np.savez(folder / SAMPLE_FILE, **{k: storable(v) for k, v in rows.items()})


def sample_inputs(loaded: LoadedModel) -> dict[str, np.ndarray]:
    """The run's kept sample rows; for runs from before they were kept, rebuilt from the data."""
    stored = loaded.folder / SAMPLE_FILE
    if stored.is_file():
        with np.load(stored) as arrays:
            return {
                k: arrays[k].astype(object) if arrays[k].dtype.kind == "U" else arrays[k]
                for k in arrays
            }
    from dlstudio.core.data import load_dataset

    path = loaded.card["data"]["path"]
    if not Path(path).exists():
        raise DlstudioError(
            f"The training data {path!r} is no longer there, and this run kept no sample rows.",
            "the training data, to check each exported file against the model on sample rows",
            "Put the file back, then export again; the run's model.keras can be copied as it "
            "is meanwhile.",
        )
    dataset = load_dataset(path, target=loaded.card["target"])
    inputs = raw_inputs(loaded, dataset.labelled.head(SAMPLE_ROWS))
    return {k: v if v.dtype == object else v.astype("float32") for k, v in inputs.items()}


# ---------------------------------------------------------------- writers


def _export_keras(loaded: LoadedModel, out: Path, sample: dict) -> Path:
    path = out / FILE_NAMES["keras"]
    if loaded.rebuilt:
        loaded.model.save(path)
    elif path.resolve() != (loaded.folder / "model.keras").resolve():
        shutil.copy(loaded.folder / "model.keras", path)
    return path


def _signature(sample: dict, inputs):
    """TensorSpecs of the model's inputs, in its own order: any number of rows, and for images
    any height and width (the model resizes them)."""
    import tensorflow as tf

    specs = []
    for tensor in inputs:
        values = sample[tensor.name]
        shape = (
            (None, None, None, values.shape[-1]) if values.ndim == 4 else (None, *values.shape[1:])
        )
        dtype = tf.string if values.dtype == object else tf.float32
        specs.append(tf.TensorSpec(shape, dtype, name=tensor.name))
    return specs


def _export_savedmodel(loaded: LoadedModel, out: Path, sample: dict) -> Path:
    path = out / FILE_NAMES["savedmodel"]
    if path.exists():
        shutil.rmtree(path)
    signature = {spec.name: spec for spec in _signature(sample, loaded.model.inputs)}
    loaded.model.export(
        str(path), format="tf_saved_model", verbose=False, input_signature=[signature]
    )
    return path


def _without_label(loaded: LoadedModel) -> keras.Model:
    """The model without its string "label" output, which ONNX and LiteRT cannot carry (the
    class names, in output order, are in the model card and the snippet)."""
    model = loaded.model
    kept = {n: t for n, t in zip(model.output_names, model.outputs, strict=True) if n != "label"}
    return keras.Model(model.inputs, kept, name=model.name)


def _export_onnx(loaded: LoadedModel, out: Path, sample: dict) -> Path:
    import tf2onnx

    model = _without_label(loaded)
    path = out / FILE_NAMES["onnx"]
    # tf2onnx feeds the signature positionally, in the model's own input order.
    tf2onnx.convert.from_keras(
        model, input_signature=_signature(sample, model.inputs), output_path=str(path)
    )
    return path


def _export_tflite(loaded: LoadedModel, out: Path, sample: dict) -> Path:
    import tensorflow as tf

    model = _without_label(loaded)
    signature = {spec.name: spec for spec in _signature(sample, model.inputs)}
    with tempfile.TemporaryDirectory() as tmp:
        model.export(tmp, format="tf_saved_model", verbose=False, input_signature=[signature])
        converter = tf.lite.TFLiteConverter.from_saved_model(tmp)
        path = out / FILE_NAMES["tflite"]
        path.write_bytes(converter.convert())
    return path


WRITERS = {
    "keras": _export_keras,
    "savedmodel": _export_savedmodel,
    "onnx": _export_onnx,
    "tflite": _export_tflite,
}
