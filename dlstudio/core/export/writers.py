"""Write a run's model in the formats people deploy, and prove each one works as a user would
run it: reloaded in its own runtime, in a fresh interpreter without dlstudio (export/check.py),
predicting on raw sample rows what the original predicts (within 1e-4).

Formats a model cannot hold are refused before anything is written, with the reason
(dlstudio.core.formats decides, from the model card alone).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from dlstudio.core.errors import DlstudioError, error_summary
from dlstudio.core.export.card import write_card_markdown
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
from dlstudio.core.snippets import FILE_NAMES

MATCH_TOLERANCE = 1e-4
# Outputs in the data's own units (a regression's value, a forecast) or unbounded (an anomaly
# score, a squared error that can reach the hundreds): compared relative to
# their size above 1, as float32 holds about seven significant digits.
RELATIVE_OUTPUTS = ("value", "forecast", "score")
SAMPLE_FILE = "sample_inputs.npz"  # raw test rows kept with the run, to check every export on
SAMPLE_ROWS = 16
CHECK_SCRIPT = Path(__file__).with_name("check.py")


@dataclass
class ExportedFile:
    format: str
    path: str
    max_difference: float | None
    note: str = ""


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
    shutil.copy(folder / "model_card.json", out / "model_card.json")
    write_card_markdown(out / "model_card.md", card, [f.format for f in checked])
    refuse_failed_formats(problems, checked, out)
    return checked


def refuse_failed_formats(problems: list[str], checked: list[ExportedFile], out: Path) -> None:
    """One error naming every format that failed and where the others were written.

    Raises:
        DlstudioError: When `problems` is not empty.
    """
    if problems:
        done = ", ".join(Path(f.path).name for f in checked)
        raise DlstudioError(
            "Some formats could not be written: " + " | ".join(problems),
            "formats that can hold this model",
            f"The others are in {str(out)!r}: {done}." if checked else "Nothing was written.",
        )


# ---------------------------------------------------------------- the sample it is checked on


def save_sample_inputs(folder: Path, inputs: dict[str, np.ndarray]) -> None:
    """Keep a few raw test rows with the run, so that exports can be checked without the data."""
    rows = {name: values[:SAMPLE_ROWS] for name, values in inputs.items()}
    np.savez(folder / SAMPLE_FILE, **{k: _storable(v) for k, v in rows.items()})


def _storable(values: np.ndarray) -> np.ndarray:
    if values.dtype == object:
        return values.astype(str)  # fixed-width Unicode: no pickle needed to read it back
    return values.astype("float32")


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


# ---------------------------------------------------------------- the check


def check_in_fresh_process(
    written: dict[str, Path],
    sample: dict,
    expected: dict,
    problems: list[str],
    notes: dict[str, str] | None = None,
) -> list[ExportedFile]:
    """Load every written file in its own runtime, in a new interpreter without dlstudio, and
    compare its predictions with the original's (largest_difference); failures go to
    `problems`. `notes`: how each format is used, when not a classifier's or regressor's."""
    if not written:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        job = {
            "inputs": str(Path(tmp) / "inputs.npz"),
            "out": str(Path(tmp) / "outputs.npz"),
            "exports": {fmt: str(path) for fmt, path in written.items()},
        }
        np.savez(job["inputs"], **{k: _storable(v) for k, v in sample.items()})
        (Path(tmp) / "job.json").write_text(json.dumps(job), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-I", str(CHECK_SCRIPT), str(Path(tmp) / "job.json")],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        report = _report(done)
        if report is None:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            problems.append(f"the check of the exported files could not run ({last[:300]})")
            return []
        with np.load(job["out"]) as arrays:
            results = {k: arrays[k] for k in arrays}
    checked = []
    for fmt, path in written.items():
        if fmt in report["errors"]:
            problems.append(
                f"{LABELS[fmt]}: it was written but does not load and run in its own runtime ({report['errors'][fmt]})"
            )
            continue
        actual = {k.split("/", 1)[1]: v for k, v in results.items() if k.startswith(f"{fmt}/")}
        difference = largest_difference(expected, actual)
        if not difference <= MATCH_TOLERANCE:
            problems.append(
                f"{LABELS[fmt]}: it predicts differently from the original (largest "
                f"difference {difference:.2g}, more than {MATCH_TOLERANCE})"
            )
            continue
        checked.append(ExportedFile(fmt, str(path), difference, (notes or _NOTES)[fmt]))
    return checked


_NOTES = {
    "keras": "keras.saving.load_model(path); outputs probabilities and label",
    "savedmodel": "tf.saved_model.load(path).serve(inputs); outputs probabilities and label",
    "onnx": "onnxruntime.InferenceSession(path); class names in the model card",
    "tflite": "LiteRT Interpreter(path).get_signature_runner(); class names in the model card",
}


def _report(done: subprocess.CompletedProcess) -> dict | None:
    for line in reversed(done.stdout.strip().splitlines()):
        try:
            report = json.loads(line)
        except ValueError:
            continue
        if isinstance(report, dict) and "errors" in report:
            return report
    return None


def largest_difference(expected: dict, actual: dict) -> float:
    """The largest gap between two sets of outputs matched by name (inf when one is missing
    or a label differs). Probabilities are compared as they are; predicted values relative to
    their size where they exceed 1, since float32 holds about seven significant digits (a
    price of 5,000 is only exact to about 0.0005)."""
    worst = 0.0
    for key, value in expected.items():
        match = _matching(key, actual)
        if match is None:
            if key == "label":
                continue  # ONNX and LiteRT carry no label: the class names are in the card
            return float("inf")
        if key == "label":
            if not np.array_equal(
                np.asarray(value).astype(str).ravel(), np.asarray(match).astype(str).ravel()
            ):
                return float("inf")
            continue
        ours = np.asarray(value, float).reshape(len(value), -1)
        gap = np.abs(ours - np.asarray(match, float).reshape(len(value), -1))
        if key in RELATIVE_OUTPUTS:
            gap = gap / np.maximum(1.0, np.abs(ours))
        worst = max(worst, float(gap.max()) if gap.size else 0.0)
    return worst


def _matching(key: str, actual: dict):
    if key in actual:
        return actual[key]
    named = [name for name in actual if key in name]
    return actual[named[0]] if len(named) == 1 else None
