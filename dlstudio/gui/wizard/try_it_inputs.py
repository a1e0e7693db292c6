"""What Try it offers to try a run's model on: the real test inputs kept with the run (and
their true answers), and the input fields a table model's form is made of."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from dlstudio.core.paths import MODEL_CARD_FILE
from dlstudio.core.test_predictions import is_regression, read_test_predictions

SAMPLE_FILE = "sample_inputs.npz"  # kept by core/export/writers.py save_sample_inputs


def read_card(folder: Path) -> dict:
    import json

    try:
        card = json.loads((folder / MODEL_CARD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return card if isinstance(card, dict) and card.get("inputs") else {}


def kept_truths(folder: Path, count: int) -> list:
    """The true class (str) or value (float) of the first `count` test rows, which are the kept
    samples (both follow the test split's order); None where unknown, [] when the run kept no
    test predictions."""
    frame = read_test_predictions(folder)
    if frame is None or len(frame) < count:
        return []
    regression = is_regression(frame)
    return [
        None if value != value else float(value) if regression else str(value)
        for value in frame["true"].iloc[:count]
    ]


def kept_samples(folder: Path, card: dict) -> list:
    """The test inputs kept with the run: {column: text} per row, or pixel arrays for images."""
    try:
        with np.load(folder / SAMPLE_FILE) as stored:
            arrays = {k: stored[k] for k in stored.files}
    except (OSError, ValueError):
        return []
    inputs = card.get("inputs", [])
    if card.get("kind") == "images":
        name = inputs[0]["name"] if inputs else next(iter(arrays), None)
        return list(arrays[name]) if name in arrays else []
    count = min((len(v) for v in arrays.values()), default=0)
    rows = []
    for i in range(count):
        row = {}
        for spec in inputs:
            if spec["name"] in arrays:
                row[spec["column"]] = field_text(arrays[spec["name"]][i], spec["kind"])
        rows.append(row)
    return rows


def field_text(value, kind: str) -> str:
    value = np.asarray(value).reshape(-1)[0]
    if kind in ("numeric", "datetime"):
        number = float(value)
        if number != number:
            return ""
        if kind == "datetime":
            moment = datetime.fromtimestamp(number, tz=UTC)
            return moment.strftime("%Y-%m-%d" if moment.time() == moment.min.time() else "%c")
        return str(int(number)) if number.is_integer() else f"{number:.6g}"
    return str(value)


def field_for(spec: dict) -> QWidget:
    kind = spec.get("kind")
    stats = spec.get("stats", {})
    if kind == "categorical":
        field = QComboBox()
        field.setEditable(True)
        field.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        field.addItems([str(v) for v in stats.get("vocabulary", [])[:1000]])
        field.setToolTip("One of the values seen in training, or type another")
        return field
    if kind == "text":
        field = QPlainTextEdit()
        field.setMaximumHeight(80)
        return field
    field = QLineEdit()
    if kind == "numeric":
        mean = stats.get("mean")
        example = f", e.g. {mean:.4g}" if isinstance(mean, int | float) else ""
        field.setPlaceholderText(f"a number{example}; empty = missing")
    elif kind == "datetime":
        field.setPlaceholderText("a date, e.g. 2024-03-31")
    return field


def image_of(pixels: np.ndarray) -> QImage:
    data = np.ascontiguousarray(np.clip(np.asarray(pixels, dtype="float32"), 0, 255)).astype(
        np.uint8
    )
    height, width = data.shape[:2]
    channels = data.shape[2] if data.ndim == 3 else 1
    fmt = QImage.Format.Format_Grayscale8 if channels == 1 else QImage.Format.Format_RGB888
    if channels not in (1, 3):
        data = np.ascontiguousarray(data[..., :3])
    image = QImage(data.data, width, height, data.strides[0], fmt)
    return image.copy()  # own the pixels: `data` goes away


def dropped_file(mime) -> str | None:
    if not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and Path(url.toLocalFile()).is_file():
            return url.toLocalFile()
    return None
