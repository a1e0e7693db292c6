"""The test split's predictions, row by row, traced back to the rows, images or texts they
came from, and the validation split's, which the decision threshold is chosen on (the files'
format: dlstudio/core/test_predictions.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dlstudio.core.data.prepare import PreparedData
from dlstudio.core.engine.evaluate import class_probabilities
from dlstudio.core.test_predictions import (
    PROBABILITY,
    TEXT_CHARS,
    VALUE,
    write_test_predictions,
)


def outcomes_frame(data: PreparedData, output: np.ndarray, split: str = "test") -> pd.DataFrame:
    """One row per row of `split`; `output` is the saved model's output on it as evaluate takes
    it (the positive class's probability for binary tasks, class probabilities, or values).

    Only test rows are traced back to the data (the prepared data keeps their source); the
    validation rows' outcomes carry no `row`, lest a position in the split read as a row of
    the file."""
    rows = data.rows(split)
    frame = pd.DataFrame(index=range(rows))
    source = data.test_frame if split == "test" else None
    if source is not None and len(source) == rows:
        _add_source(frame, data, source)
    elif split == "test":  # no trace back to the data: the test row's position is all there is
        frame["row"] = np.arange(1, rows + 1)
    truth = data.y[split]
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


def save_test_predictions(
    folder: Path, data: PreparedData, output: np.ndarray, validation: np.ndarray | None = None
) -> Path | None:
    """Write the run's test_predictions.csv atomically and, given the model's `validation`
    output, its validation_predictions.csv (the test file's path, or None when the test
    outcomes could not be put together: the views then say so, and the model is kept all the
    same; validation outcomes that cannot be put together are left out the same way)."""
    if validation is not None:
        _save(folder, data, validation, "validation")
    return _save(folder, data, output, "test")


def _save(folder: Path, data: PreparedData, output: np.ndarray, split: str) -> Path | None:
    try:
        frame = outcomes_frame(data, output, split)
    except Exception:  # noqa: BLE001  (a view's data is no reason to lose a trained model)
        return None
    return write_test_predictions(folder, frame, split)  # a full disk still fails the run
