"""Every test row's outcome, kept with the run: where it came from, its true and predicted
label (or value) and the model's probabilities. The Mistakes and Threshold views read it.

test_predictions.csv, one line per test row:

- where the row came from: `row` (tables: the row's number among the data rows of the file,
  1 = the first), `file` (images: the image's path) or `text` (texts, cut to a few hundred
  characters);
- `true` and `predicted`: class names, or numbers for regression;
- classification: `confidence` (the probability of the predicted class) and one
  `probability:<class>` column per class, in the model's output order;
- regression: `error` (predicted minus true);
- tables: the row's own values, one `value:<column>` column per input column.

validation_predictions.csv holds the validation split's rows in the same columns, except where
each row came from (the prepared data keeps that for the test rows only). The Threshold view
chooses a decision threshold on them, so that the test rows, which play no part in choosing,
can say honestly how the chosen threshold does. Runs trained before it was kept lack it.

Nothing here imports Keras or Qt.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from dlstudio.core.storage import atomic_write_text

FILE = "test_predictions.csv"
VALIDATION_FILE = "validation_predictions.csv"
_FILES = {"test": FILE, "validation": VALIDATION_FILE}
PROBABILITY = "probability:"
VALUE = "value:"
TEXT_CHARS = 400  # enough to recognise a text; the file stays small
SOURCES = ("row", "file", "text")
NOT_KEPT = "This run was trained before dlstudio kept test predictions; train again to see them."


def write_test_predictions(folder: Path, frame: pd.DataFrame, split: str = "test") -> Path:
    """Write `frame` (columns as described above) atomically into the run folder, as the test
    predictions or, with `split="validation"`, as the validation predictions."""
    path = Path(folder) / _FILES[split]
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    # Into the run folder as it is: a folder deleted mid-run is an error, not re-created.
    atomic_write_text(path, buffer.getvalue(), make_parents=False)
    return path


def read_test_predictions(folder: Path, split: str = "test") -> pd.DataFrame | None:
    """The run's test predictions (or, with `split="validation"`, its validation predictions);
    None for a run trained before they were kept, or when the file cannot be read (the views
    then say so instead of failing)."""
    path = Path(folder) / _FILES[split]
    if not path.is_file():
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError):
        return None
    if "true" not in frame.columns or "predicted" not in frame.columns:
        return None
    numeric = [c for c in frame.columns if c.startswith(PROBABILITY)]
    numeric += [c for c in ("confidence", "error", "row") if c in frame.columns]
    if "error" in frame.columns:  # regression: the labels are numbers
        numeric += ["true", "predicted"]
    for column in numeric:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def source_column(frame: pd.DataFrame) -> str | None:
    """Which of `row`, `file` or `text` says where each test row came from."""
    return next((c for c in SOURCES if c in frame.columns), None)


def class_names(frame: pd.DataFrame) -> list[str]:
    """The classes, in the model's output order (empty for regression)."""
    return [c[len(PROBABILITY) :] for c in frame.columns if c.startswith(PROBABILITY)]


def is_regression(frame: pd.DataFrame) -> bool:
    return "error" in frame.columns


def mistakes(frame: pd.DataFrame, true: str | None = None, predicted: str | None = None):
    """The misclassified rows (of one true → predicted cell when given), the most confident
    wrong answers first; for regression, every row, the largest errors first."""
    if is_regression(frame):
        order = frame["error"].abs().sort_values(ascending=False, kind="stable").index
        return frame.loc[order]
    wrong = frame[frame["true"] != frame["predicted"]]
    if true is not None:
        wrong = wrong[wrong["true"] == true]
    if predicted is not None:
        wrong = wrong[wrong["predicted"] == predicted]
    return wrong.sort_values("confidence", ascending=False, kind="stable")


def mistake_cells(frame: pd.DataFrame) -> list[tuple[str, str, int]]:
    """(true, predicted, count) of every confusion cell off the diagonal that has rows, the
    fullest first."""
    wrong = frame[frame["true"] != frame["predicted"]]
    if wrong.empty:
        return []
    counts = wrong.groupby(["true", "predicted"], sort=False).size()
    cells = [(str(t), str(p), int(n)) for (t, p), n in counts.items()]
    return sorted(cells, key=lambda cell: (-cell[2], cell[0], cell[1]))


def positive_probability(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """For a two-class run: (is the row truly the positive class, the model's probability of
    the positive class, [negative, positive]). The positive class is the second, as the
    model's sigmoid output counts it."""
    names = class_names(frame)
    if len(names) != 2:
        raise ValueError(f"a two-class run, not {len(names)} classes")
    truth = (frame["true"] == names[1]).to_numpy()
    probability = frame[PROBABILITY + names[1]].to_numpy(dtype="float64")
    return truth, probability, names
