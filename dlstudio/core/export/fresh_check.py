"""Each exported file loaded back in its own runtime, in a new interpreter without dlstudio
(check.py), and its predictions compared with the original's: what every export of every
family (network, classical model, forecaster, autoencoder) goes through before it is listed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlstudio.core.errors import DlstudioError
from dlstudio.core.formats import LABELS

MATCH_TOLERANCE = 1e-4
# Outputs in the data's own units (a regression's value, a forecast) or unbounded (an anomaly
# score, a squared error that can reach the hundreds): compared relative to
# their size above 1, as float32 holds about seven significant digits.
RELATIVE_OUTPUTS = ("value", "forecast", "score")
CHECK_SCRIPT = Path(__file__).with_name("check.py")


@dataclass
class ExportedFile:
    format: str
    path: str
    max_difference: float | None
    note: str = ""


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


def storable(values: np.ndarray) -> np.ndarray:
    if values.dtype == object:
        return values.astype(str)  # fixed-width Unicode: no pickle needed to read it back
    return values.astype("float32")


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
        np.savez(job["inputs"], **{k: storable(v) for k, v in sample.items()})
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
