"""The test split's predictions, row by row, traced back to the rows, images or texts they
came from (the file's format: dlstudio/core/test_predictions.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dlstudio.core.engine.evaluate import class_probabilities
from dlstudio.core.engine.prepare import PreparedData
from dlstudio.core.test_predictions import (
    PROBABILITY,
    TEXT_CHARS,
    VALUE,
    write_test_predictions,
)


def outcomes_frame(data: PreparedData, output: np.ndarray) -> pd.DataFrame:
    """One row per test row; `output` is the saved model's test output as evaluate takes it
    (the positive class's probability for binary tasks, class probabilities, or values)."""
    rows = data.rows("test")
    frame = pd.DataFrame(index=range(rows))
    source = data.test_frame
    if source is not None and len(source) == rows:
        _add_source(frame, data, source)
    else:  # no trace back to the data: the test row's position is all there is
        frame["row"] = np.arange(1, rows + 1)
    truth = data.y["test"]
    if data.class_names is None:
        predicted = np.asarray(output, dtype="float64").reshape(-1)
        frame["true"] = truth.astype("float64")
        frame["predicted"] = predicted
        frame["error"] = predicted - truth.astype("float64")
    else:
        names = np.asarray(data.class_names, dtype=object)
        probabilities = class_probabilities(data.task, output)
        chosen = probabilities.argmax(axis=1)
        frame["true"] = names[truth.astype("int64")]
        frame["predicted"] = names[chosen]
        frame["confidence"] = probabilities[np.arange(rows), chosen]
        for i, name in enumerate(data.class_names):
            frame[PROBABILITY + name] = probabilities[:, i]
    if data.kind == "table" and source is not None and len(source) == rows:
        for spec in data.inputs:
            frame[VALUE + str(spec.column)] = source[spec.column].to_numpy()
    return frame


def _add_source(frame: pd.DataFrame, data: PreparedData, source: pd.DataFrame) -> None:
    if data.kind == "images":
        frame["file"] = source[data.inputs[0].column].astype(str).to_numpy()
    elif data.kind == "text":
        texts = source[data.inputs[0].column].fillna("").astype(str)
        frame["text"] = texts.map(_shortened).to_numpy()
    else:
        index = source.index
        numbers = index if pd.api.types.is_integer_dtype(index) else np.arange(len(index))
        frame["row"] = np.asarray(numbers, dtype="int64") + 1  # people count rows from 1


def _shortened(text: str) -> str:
    text = " ".join(text.split())  # one line per text in the file and in the views
    return text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1] + "…"


def save_test_predictions(folder: Path, data: PreparedData, output: np.ndarray) -> Path | None:
    """Write the run's test_predictions.csv atomically (None when the outcomes could not be
    put together: the views then say so, and the model is kept all the same)."""
    try:
        frame = outcomes_frame(data, output)
    except Exception:  # noqa: BLE001  (a view's data is no reason to lose a trained model)
        return None
    return write_test_predictions(folder, frame)  # a full disk still fails the run, plainly
