"""The decision threshold: its maths against scikit-learn, chosen on the validation rows and
reported on the test rows, kept with a run and its model card, and the labels predictions get
from it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
)

from dlstudio.core import test_predictions as tp
from dlstudio.core import threshold as th
from dlstudio.core.errors import DlstudioError


@pytest.mark.parametrize("t", [0.01, 0.2, 0.5, 0.73, 0.99])
def test_counts_and_shares_match_scikit_learn(t):
    rng = np.random.default_rng(3)
    truth = rng.random(500) < 0.3
    probability = np.clip(truth * 0.3 + rng.random(500) * 0.7, 0, 1)
    stats = th.at_threshold(truth, probability, t)
    predicted = probability >= t
    assert stats.matrix == confusion_matrix(truth, predicted, labels=[False, True]).tolist()
    assert stats.precision == pytest.approx(precision_score(truth, predicted, zero_division=0))
    assert stats.recall == pytest.approx(recall_score(truth, predicted, zero_division=0))
    assert stats.f1 == pytest.approx(f1_score(truth, predicted, zero_division=0))
    assert stats.accuracy == pytest.approx(accuracy_score(truth, predicted))


def test_a_lower_threshold_catches_more_and_says_so():
    truth = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], dtype=bool)
    probability = np.array([0.9, 0.7, 0.4, 0.3, 0.6, 0.35, 0.2, 0.1, 0.1, 0.05])
    low, default = (
        th.at_threshold(truth, probability, 0.3),
        th.at_threshold(truth, probability, 0.5),
    )
    assert low.recall > default.recall and low.flagged > default.flagged
    words = th.trade_words(low, ">50K")
    assert words.startswith("Flags more rows as '>50K'")
    assert "catches 100 % of them (4 of 4)" in words and "of the 6 flags are right" in words
    assert "fewer" in th.trade_words(th.at_threshold(truth, probability, 0.8), ">50K")
    nothing = th.at_threshold(truth, probability, 0.99)
    assert nothing.precision == 0 and "no row is flagged" in th.trade_words(nothing, "x")


def _run_with_card(tmp_path, task="binary"):
    folder = tmp_path / "run"
    folder.mkdir()
    card = {"task": task, "target": "diagnosis", "class_names": ["B", "M"], "kind": "table"}
    (folder / "model_card.json").write_text(json.dumps(card))
    (folder / "model_card.md").write_text(
        "# Model card\n\n## Test-split results\n\nok\n\n## Inputs and outputs\n\n| a |\n"
    )
    return folder


def test_a_kept_threshold_is_in_the_run_and_both_cards(tmp_path):
    folder = _run_with_card(tmp_path)
    truth = np.array([True, False, True])
    stats = th.at_threshold(truth, np.array([0.8, 0.4, 0.3]), 0.35)
    assert th.saved_threshold(folder) is None
    th.save_threshold(folder, 0.35, stats, ["B", "M"])
    assert th.saved_threshold(folder) == 0.35
    card = json.loads((folder / "model_card.json").read_text())
    assert card["decision_threshold"]["threshold"] == 0.35
    assert card["decision_threshold"]["positive_class"] == "M"
    text = (folder / "model_card.md").read_text()
    assert "## Decision threshold" in text and "at least **0.35**" in text
    assert text.index("## Decision threshold") < text.index("## Inputs and outputs")
    th.save_threshold(
        folder, 0.6, th.at_threshold(truth, np.array([0.8, 0.4, 0.3]), 0.6), ["B", "M"]
    )
    text = (folder / "model_card.md").read_text()
    assert text.count("## Decision threshold") == 1 and "**0.6**" in text and "0.35" not in text


def test_a_threshold_out_of_range_is_refused_in_plain_words(tmp_path):
    folder = _run_with_card(tmp_path)
    stats = th.at_threshold(np.array([True]), np.array([0.5]), 0.5)
    with pytest.raises(DlstudioError, match="between 0.01 and 0.99"):
        th.save_threshold(folder, 1.5, stats, ["B", "M"])
    assert th.saved_threshold(folder) is None


def test_predictions_are_labelled_with_the_kept_threshold():
    predictions = pd.DataFrame(
        {
            "predicted_diagnosis": ["B", "B", "M"],
            "probability_B": [0.9, 0.6, 0.2],
            "probability_M": [0.1, 0.4, 0.8],
        }
    )
    card = {"task": "binary", "target": "diagnosis", "class_names": ["B", "M"]}
    assert th.apply_threshold(card, predictions) is predictions  # none kept: as the model said
    card["decision_threshold"] = {"threshold": 0.3, "positive_class": "M"}
    labelled = th.apply_threshold(card, predictions)
    assert labelled["predicted_diagnosis"].tolist() == ["B", "M", "M"]
    assert labelled["decision_threshold"].tolist() == [0.3, 0.3, 0.3]
    assert predictions["predicted_diagnosis"].tolist() == ["B", "B", "M"]  # not changed in place


def _predictions(truth: list[int], probability: list[float]) -> pd.DataFrame:
    """Two-class predictions as a run writes them ('B' negative, 'M' positive)."""
    p = np.asarray(probability)
    names = np.array(["B", "M"], dtype=object)
    frame = pd.DataFrame({"true": names[np.asarray(truth)]})
    frame["predicted"] = names[(p >= 0.5).astype(int)]
    frame["confidence"] = np.maximum(p, 1 - p)
    frame[tp.PROBABILITY + "B"], frame[tp.PROBABILITY + "M"] = 1 - p, p
    return frame


# The validation rows (5) and the test rows (6) disagree at 0.35, so either could be told apart.
VALIDATION = _predictions([1, 1, 0, 0, 0], [0.9, 0.4, 0.36, 0.2, 0.1])
TEST = _predictions([1, 1, 1, 0, 0, 0], [0.8, 0.3, 0.6, 0.5, 0.1, 0.05])


def test_the_threshold_is_chosen_on_validation_rows_and_reported_on_test_rows(tmp_path):
    folder = _run_with_card(tmp_path)
    tp.write_test_predictions(folder, TEST)
    tp.write_test_predictions(folder, VALIDATION, "validation")
    rows = th.load_rows(folder)
    assert rows.separate and rows.names == ["B", "M"]
    assert (rows.choose.split, rows.choose.count) == ("validation", 5)
    assert (rows.report.split, rows.report.count) == ("test", 6)
    chosen, reported = rows.choose.at(0.35), rows.report.at(0.35)
    assert chosen.matrix == [[2, 1], [0, 2]] and reported.matrix == [[2, 1], [1, 2]]
    assert th.choosing_words(rows) == "on the 5 validation rows, used to choose"
    words = th.report_words(rows, 0.35)
    assert words.startswith("At 0.35, on the 6 test rows, which played no part in choosing:")
    assert "catches 67 % of the 'M' rows (2 of 3)" in words
    assert "67 % of the 3 flags are right" in words and "67 % of all rows" in words

    entry = th.keep_threshold(folder, 0.35, rows)
    assert entry["chosen_on"] == "validation"
    assert entry["validation_split"]["rows"] == 5 and entry["validation_split"]["fp"] == 1
    assert entry["test_split"]["rows"] == 6 and entry["test_split"]["fn"] == 1
    card = json.loads((folder / "model_card.json").read_text())
    assert card["decision_threshold"] == entry
    text = (folder / "model_card.md").read_text()
    assert (
        "- Chosen on the 5 validation rows: precision 67 %, recall 100 %, F1 80 % and "
        "accuracy 80 %." in text
    )
    assert (
        "- On the 6 test rows, which played no part in choosing it: precision 67 %, recall "
        "67 %, F1 67 % and accuracy 67 %. This is the estimate to expect on new data." in text
    )
    assert "optimistic" not in text


def test_a_run_without_validation_predictions_chooses_on_its_test_rows_and_says_so(tmp_path):
    folder = _run_with_card(tmp_path)
    assert th.load_rows(folder) is None  # no predictions at all: the views say to train again
    tp.write_test_predictions(folder, TEST)
    rows = th.load_rows(folder)
    assert not rows.separate and rows.choose is rows.report
    assert rows.choose.split == "test" and rows.choose.count == 6
    assert "on the 6 test rows, which are also the rows that report" in th.choosing_words(rows)
    words = th.report_words(rows, 0.35)
    assert "which were also used to choose" in words and "optimistic" in words
    entry = th.keep_threshold(folder, 0.35, rows)
    assert entry["chosen_on"] == "test" and "validation_split" not in entry
    text = (folder / "model_card.md").read_text()
    assert "- Chosen on the 6 test rows, which also measure it, so these figures are " in text
    assert "optimistic: precision 67 %" in text and "validation rows:" not in text


def test_a_card_kept_before_validation_rows_still_reads_as_chosen_on_the_test_rows():
    old = {"tp": 2, "fp": 1, "fn": 1, "tn": 2, "precision": 2 / 3, "recall": 2 / 3}
    old |= {"f1": 2 / 3, "accuracy": 2 / 3, "threshold": 0.35}
    card = {"task": "binary", "decision_threshold": {"threshold": 0.35, "positive_class": "M"}}
    card["decision_threshold"]["test_split"] = old  # as dlstudio kept it before
    text = th.threshold_markdown(card)
    assert "Chosen on the 6 test rows, which also measure it" in text and "optimistic" in text


def test_validation_predictions_of_other_classes_are_not_used_to_choose(tmp_path):
    folder = _run_with_card(tmp_path)
    tp.write_test_predictions(folder, TEST)
    other = VALIDATION.rename(columns={tp.PROBABILITY + "B": tp.PROBABILITY + "A"})
    tp.write_test_predictions(folder, other, "validation")
    assert not th.load_rows(folder).separate
