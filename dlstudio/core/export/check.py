"""Run exported models in their own runtimes, as a user would: a fresh interpreter, no dlstudio.

    python -I check.py JOB.json

JOB.json: {"inputs": "x.npz", "exports": {"keras": path, "onnx": path, ...}, "out": "y.npz"}.
Strings in x.npz are stored as fixed-width Unicode and become Python strings (object arrays),
as the snippets build them. Each format is loaded with exactly the code that
dlstudio.core.snippets shows the user; y.npz gets "<format>/<output>" arrays, and a JSON line
on stdout says which formats failed and why, and whether dlstudio was imported (it must not be).

This file imports nothing of dlstudio, on purpose: it is the user's side of the export.
"""

from __future__ import annotations

import json
import sys

import numpy as np


def main(job_path: str) -> int:
    with open(job_path, encoding="utf-8") as fh:
        job = json.load(fh)
    with np.load(job["inputs"]) as stored:
        inputs = {
            k: stored[k].astype(object) if stored[k].dtype.kind == "U" else stored[k]
            for k in stored
        }
    results, errors = {}, {}
    for fmt, path in job["exports"].items():
        try:
            outputs = RUNNERS[fmt](path, inputs)
        except Exception as error:  # reported to the exporter, which says it to the user
            lines = [ln for ln in str(error).strip().splitlines() if ln.strip()]
            errors[fmt] = f"{type(error).__name__}: {lines[0][:300] if lines else ''}"
            continue
        for name, value in outputs.items():
            value = np.asarray(value)
            if value.dtype.kind in "OS":
                value = np.array(
                    [v.decode() if isinstance(v, bytes) else str(v) for v in value.ravel()]
                )
            results[f"{fmt}/{name}"] = value
    np.savez(job["out"], **results)
    print(json.dumps({"errors": errors, "dlstudio_imported": "dlstudio" in sys.modules}))
    return 0


def run_keras(path, inputs):
    import keras

    model = keras.saving.load_model(path)  # safe mode: no dlstudio needed
    return {name: np.asarray(value) for name, value in model(inputs).items()}


def run_savedmodel(path, inputs):
    import tensorflow as tf

    model = tf.saved_model.load(path)
    outputs = model.serve({name: tf.constant(value) for name, value in inputs.items()})
    return {name: value.numpy() for name, value in outputs.items()}


def run_onnx(path, inputs):
    import onnxruntime

    session = onnxruntime.InferenceSession(path)
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, inputs), strict=True))


def run_tflite(path, inputs):
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:  # TensorFlow's own copy of the LiteRT interpreter
        import warnings

        import tensorflow as tf

        warnings.simplefilter("ignore")  # its notice that ai_edge_litert is the successor
        Interpreter = tf.lite.Interpreter
    runner = Interpreter(model_path=path).get_signature_runner()
    return runner(**inputs)


RUNNERS = {"keras": run_keras, "savedmodel": run_savedmodel, "onnx": run_onnx, "tflite": run_tflite}

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
