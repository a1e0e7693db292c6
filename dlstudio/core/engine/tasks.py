"""One-shot jobs the desktop app hands to a training process, so that its own process never
loads TensorFlow: detecting the device, exporting a model, predicting on new data.

Each takes and returns plain JSON-ready data (see engine/child.py for the protocol).
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path


def detect(**_) -> dict:
    from dlstudio.core.engine.devices import detect_device

    device = detect_device()
    return {**device.to_dict(), "description": device.describe()}


def export(run: str, formats: list[str] | None, out: str) -> dict:
    """The run's model in each format, checked: whichever family it is (core/families.py)."""
    from dlstudio.core.families import family_of_model, resolve

    exported = resolve(family_of_model(run).export)(run, formats, out)
    return {"files": [asdict(item) for item in exported], "out": out}


def predict(model: str, data: str | None = None, texts: list[str] | None = None) -> dict:
    """Predictions into a CSV file of their own (the app reads it back; it may be large): a
    file's by the model's family (a forecast after a history, scores of new readings, ...)."""
    from dlstudio.core.export import predict_texts
    from dlstudio.core.families import family_of_model, resolve
    from dlstudio.core.project import atomic_write_text

    if data:
        frame = resolve(family_of_model(model).predict)(model, data)
    else:
        frame = predict_texts(model, texts or [])
    folder = Path(tempfile.mkdtemp(prefix="dlstudio-predictions-"))
    atomic_write_text(folder / "predictions.csv", frame.to_csv(index=False))
    return {"csv": str(folder / "predictions.csv"), "rows": len(frame)}


TASKS = {"detect": detect, "export": export, "predict": predict}
