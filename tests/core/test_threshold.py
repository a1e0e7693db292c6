"""The decision threshold: its maths against scikit-learn, kept with a run and its model card,
and the labels predictions get from it."""

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
