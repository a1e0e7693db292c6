"""The decision threshold of a two-class model: the probability of the positive class from
which a row is labelled positive. 0.5 is the default; lower catches more of the positive rows
and raises more false alarms, higher the reverse.

The maths on a run's saved predictions (precision, recall, F1, accuracy, the 2×2 confusion
matrix at any threshold), saving the chosen threshold with a run (threshold.json, and in the
model card that exports copy and `dlstudio predict` reads), and labelling predictions with it.

A threshold is chosen on the validation rows and reported on the test rows, which play no part
in choosing it: looking at the test rows while choosing would make their figures flatter the
threshold. Runs saved before validation predictions were kept choose on the test rows, as
before, and say that those figures are optimistic.

Nothing here imports Keras or Qt: the window calls it directly.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dlstudio.core import test_predictions as tp
from dlstudio.core.errors import DlstudioError
from dlstudio.core.paths import MODEL_CARD_FILE, MODEL_CARD_TEXT
from dlstudio.core.storage import atomic_write_json, atomic_write_text, read_json_object

DEFAULT = 0.5
LOWEST, HIGHEST = 0.01, 0.99
FILE = "threshold.json"
CARD_KEY = "decision_threshold"
PREDICTION_COLUMN = "decision_threshold"  # which threshold labelled each prediction
_SECTION = re.compile(r"<!-- threshold -->.*?<!-- /threshold -->\n?", re.DOTALL)


@dataclass(frozen=True)
class AtThreshold:
    """How the model does on some rows when it labels positive from `threshold` on.

    The counts: tp (positive rows flagged), fp (negative rows flagged), fn (positive rows
    missed), tn (negative rows left alone). Shares are 0 where they divide by nothing, as
    scikit-learn's zero_division=0.
    """

    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def rows(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def flagged(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return self.tp / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        positives = self.tp + self.fn
        return self.tp / positives if positives else 0.0

    @property
    def f1(self) -> float:
        both = self.precision + self.recall
        return 2 * self.precision * self.recall / both if both else 0.0

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.rows if self.rows else 0.0

    @property
    def matrix(self) -> list[list[int]]:
        """Rows: the true class (negative, positive); columns: the predicted class."""
        return [[self.tn, self.fp], [self.fn, self.tp]]

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "rows": self.rows,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "accuracy": self.accuracy,
        }


def at_threshold(truth: np.ndarray, probability: np.ndarray, threshold: float) -> AtThreshold:
    """Counts at `threshold`: a row is labelled positive when its probability is at least it.

    Args:
        truth: Whether each row truly is the positive class (booleans or 0/1).
        probability: The model's probability of the positive class for each row.
        threshold: Between 0 and 1.
    """
    truth = np.asarray(truth).astype(bool)
    flagged = np.asarray(probability, dtype="float64") >= threshold
    return AtThreshold(
        float(threshold),
        tp=int(np.sum(flagged & truth)),
        fp=int(np.sum(flagged & ~truth)),
        fn=int(np.sum(~flagged & truth)),
        tn=int(np.sum(~flagged & ~truth)),
    )


def trade_words(stats: AtThreshold, positive: str) -> str:
    """What the threshold trades on the rows `stats` counts, in a sentence a person can act
    on."""
    positives = stats.tp + stats.fn
    if stats.threshold < DEFAULT:
        lead = f"Flags more rows as {positive!r} than the default 0.5"
    elif stats.threshold > DEFAULT:
        lead = f"Flags fewer rows as {positive!r} than the default 0.5"
    else:
        lead = f"The default: rows with a probability of {positive!r} of at least 0.5 are flagged"
    if not positives:
        return f"{lead}. These rows hold no {positive!r} row to catch."
    catches = f"catches {_percent(stats.recall)} of them ({stats.tp} of {positives})"
    if stats.flagged:
        right = f"{_percent(stats.precision)} of the {stats.flagged} flags are right"
    else:
        right = "no row is flagged"
    return f"{lead}: {catches}; {right}."


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


# ---------------------------------------------------------------- the rows it is chosen on


@dataclass(frozen=True)
class Rows:
    """One split's rows of a two-class run: whether each truly is the positive class, and the
    model's probability that it is."""

    split: str  # "validation" or "test"
    truth: np.ndarray
    probability: np.ndarray

    @property
    def count(self) -> int:
        return len(self.truth)

    def at(self, threshold: float) -> AtThreshold:
        return at_threshold(self.truth, self.probability, threshold)


@dataclass(frozen=True)
class ThresholdRows:
    """A two-class run's rows for its threshold: `choose` (the validation rows) to choose it
    on, `report` (the test rows) to say how the chosen threshold does. In a run saved before
    validation predictions were kept, both are the test rows (`separate` is False)."""

    names: list[str]  # [negative, positive]
    choose: Rows
    report: Rows

    @property
    def separate(self) -> bool:
        return self.choose.split != self.report.split

    @property
    def positive(self) -> str:
        return self.names[1]


def load_rows(folder: Path) -> ThresholdRows | None:
    """The rows of the run in `folder` to choose and report its threshold on; None when the run
    kept no test predictions.

    Raises:
        ValueError: The run's model does not tell exactly two classes apart.
    """
    frame = tp.read_test_predictions(folder)
    if frame is None:
        return None
    truth, probability, names = tp.positive_probability(frame)
    report = Rows("test", truth, probability)
    choose = report
    validation = tp.read_test_predictions(folder, "validation")
    if validation is not None and len(validation) and tp.class_names(validation) == names:
        truth, probability, _ = tp.positive_probability(validation)
        choose = Rows("validation", truth, probability)
    return ThresholdRows(names, choose, report)


def choosing_words(rows: ThresholdRows) -> str:
    """Which rows the figures shown while choosing are on, said plainly."""
    if rows.separate:
        return f"on the {rows.choose.count} validation rows, used to choose"
    return (
        f"on the {rows.report.count} test rows, which are also the rows that report how the "
        "threshold does: this run was saved before dlstudio kept validation predictions, so "
        "these figures flatter the threshold (train again to choose on validation rows)"
    )


def report_words(rows: ThresholdRows, threshold: float) -> str:
    """How `threshold` does on the test rows: the honest estimate when it was chosen on the
    validation rows, and said to be optimistic when the test rows chose it too."""
    stats, positive = rows.report.at(threshold), rows.positive
    positives = stats.tp + stats.fn
    if positives:
        caught = (
            f"catches {_percent(stats.recall)} of the {positive!r} rows ({stats.tp} of {positives})"
        )
    else:
        caught = f"no {positive!r} row to catch"
    if stats.flagged:
        right = f"{_percent(stats.precision)} of the {stats.flagged} flags are right"
    else:
        right = "no row is flagged"
    figures = f"{caught}; {right}; {_percent(stats.accuracy)} of all rows labelled right"
    if rows.separate:
        return (
            f"At {threshold:g}, on the {stats.rows} test rows, which played no part in "
            f"choosing: {figures}. Expect about this on new data."
        )
    return (
        f"At {threshold:g}, on the {stats.rows} test rows, which were also used to choose: "
        f"{figures}. These figures are optimistic: this run kept no validation rows' "
        "predictions to choose on."
    )


# ---------------------------------------------------------------- saved with the run


def saved_threshold(folder: Path) -> float | None:
    """The threshold chosen for the run in `folder`; None when none was (0.5 applies)."""
    try:
        saved = read_json_object(Path(folder) / FILE)
    except DlstudioError:
        return None
    value = (saved or {}).get("threshold")
    return float(value) if isinstance(value, int | float) else None


def keep_threshold(folder: Path, threshold: float, rows: ThresholdRows) -> dict:
    """Keep `threshold` for the run in `folder` with its figures on both the rows that chose it
    and the test rows (see save_threshold)."""
    chosen_on = rows.choose.at(threshold) if rows.separate else None
    return save_threshold(folder, threshold, rows.report.at(threshold), rows.names, chosen_on)


def save_threshold(
    folder: Path,
    threshold: float,
    stats: AtThreshold,
    class_names: list[str],
    chosen_on: AtThreshold | None = None,
) -> dict:
    """Keep `threshold` for the run in `folder`: threshold.json, and the model card (json
    and md), so exports state it and `dlstudio predict` labels with it.

    Args:
        stats: How it does on the test rows.
        chosen_on: How it does on the validation rows it was chosen on; None when it was
            chosen on the test rows (a run that kept no validation predictions).

    Raises:
        DlstudioError: A threshold outside 0.01–0.99, or a run without a model card.
        StorageError: The run folder may not be written.
    """
    folder = Path(folder)
    if not LOWEST <= threshold <= HIGHEST:
        raise DlstudioError(
            f"A decision threshold of {threshold}.",
            f"a probability between {LOWEST} and {HIGHEST}",
            "Move the slider within its range.",
        )
    card = read_json_object(folder / MODEL_CARD_FILE)
    if card is None:
        raise DlstudioError(
            f"No model card in {str(folder)!r}.",
            "a run that saved a model",
            "Choose a run with a model, or train one.",
        )
    entry = {
        "threshold": round(float(threshold), 4),
        "positive_class": class_names[1],
        "negative_class": class_names[0],
        "chosen": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "chosen_on": "validation" if chosen_on is not None else "test",
        "test_split": stats.to_dict(),
    }
    if chosen_on is not None:
        entry["validation_split"] = chosen_on.to_dict()
    atomic_write_json(folder / FILE, entry, make_parents=False)
    card[CARD_KEY] = entry
    atomic_write_json(folder / MODEL_CARD_FILE, card, make_parents=False)
    markdown = folder / MODEL_CARD_TEXT
    if markdown.is_file():
        atomic_write_text(markdown, with_threshold_section(markdown.read_text("utf-8"), card))
    return entry


def threshold_markdown(card: dict) -> str:
    """The model card's section on the decision threshold ('' when none was chosen)."""
    entry = card.get(CARD_KEY)
    if not entry or card.get("task") != "binary":
        return ""
    t, positive = entry["threshold"], entry["positive_class"]
    return (
        "<!-- threshold -->\n"
        "## Decision threshold\n\n"
        f"A row is labelled **{positive}** when the model's probability of {positive!r} is at "
        f"least **{t:g}** (instead of the default 0.5).\n\n{_measured(entry)}"
        f"`dlstudio predict` labels with it and says so in a `{PREDICTION_COLUMN}` column. "
        f"The model's own `label` output still uses 0.5: in other runtimes, compare the "
        f"probability of {positive!r} with {t:g} yourself.\n"
        "<!-- /threshold -->\n"
    )


def _measured(entry: dict) -> str:
    """The card's words on how the kept threshold does: on the validation rows that chose it
    and on the test rows that did not, or, chosen on the test rows, said to be optimistic."""
    test, validation = entry.get("test_split") or {}, entry.get("validation_split") or {}
    if not test:
        return ""
    if entry.get("chosen_on") == "validation" and validation:
        return (
            f"- Chosen on the {_rows(validation)} validation rows: {_figures(validation)}.\n"
            f"- On the {_rows(test)} test rows, which played no part in choosing it: "
            f"{_figures(test)}. This is the estimate to expect on new data.\n\n"
        )
    return (
        f"- Chosen on the {_rows(test)} test rows, which also measure it, so these figures are "
        f"optimistic: {_figures(test)}. (The run kept no validation rows' predictions to "
        "choose on; train again to choose on them.)\n\n"
    )


def _rows(stats: dict) -> int:
    return int(stats.get("rows", sum(stats.get(k, 0) for k in ("tp", "fp", "fn", "tn"))))


def _figures(stats: dict) -> str:
    return (
        f"precision {_percent(stats['precision'])}, recall {_percent(stats['recall'])}, "
        f"F1 {_percent(stats['f1'])} and accuracy {_percent(stats['accuracy'])}"
    )


def with_threshold_section(markdown: str, card: dict) -> str:
    """`markdown` (a model card) with its threshold section replaced by the card's."""
    section = threshold_markdown(card)
    if _SECTION.search(markdown):
        return _SECTION.sub(lambda _: section, markdown, count=1)
    anchor = markdown.find("## Inputs and outputs")
    if anchor < 0:
        return markdown.rstrip("\n") + "\n\n" + section
    return markdown[:anchor] + section + "\n" + markdown[anchor:]


def apply_threshold(card: dict, predictions: pd.DataFrame) -> pd.DataFrame:
    """Predictions of a two-class model relabelled with the card's chosen threshold, with a
    column saying which threshold was used; others unchanged."""
    entry = card.get(CARD_KEY)
    names = card.get("class_names") or []
    if not entry or card.get("task") != "binary" or len(names) != 2:
        return predictions
    probability = predictions.get(f"probability_{names[1]}")
    label = f"predicted_{card['target']}"
    if probability is None or label not in predictions.columns:
        return predictions
    t = float(entry["threshold"])
    result = predictions.copy()
    result[label] = np.where(probability.to_numpy(dtype="float64") >= t, names[1], names[0])
    result[PREDICTION_COLUMN] = t
    return result
