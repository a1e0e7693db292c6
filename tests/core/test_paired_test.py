"""A lead on the test rows is called one only when the rows carry it: paired tests on the rows
two models both predicted, and the verdict's words for a lead that could be luck."""

from __future__ import annotations

import numpy as np

from dlstudio.core.data import Task
from dlstudio.core.engine.evaluate import evaluate_predictions
from dlstudio.core.paired_test import paired_classes, paired_errors, within_noise
from dlstudio.core.verdict import baseline_verdict, describe


def _answers(rows: int, both: int, ours_only: int, theirs_only: int):
    """True classes of `rows` rows (0/1) and two models' answers with the given agreement."""
    y = np.zeros(rows, dtype=int)
    ours, theirs = np.ones(rows, dtype=int), np.ones(rows, dtype=int)  # wrong by default
    ours[:both] = theirs[:both] = 0
    ours[both : both + ours_only] = 0
    theirs[both + ours_only : both + ours_only + theirs_only] = 0
    return y, ours, theirs


def test_the_issues_case_83_against_80_percent_over_300_texts_is_within_noise():
    # 249 of 300 right (83.0 %) against 241 (80.3 %): 20 rows only ours gets, 12 only theirs.
    y, ours, theirs = _answers(300, 229, 20, 12)
    assert np.mean(ours == y) == 0.83 and round(np.mean(theirs == y), 3) == 0.803
    paired = paired_classes(y, ours, theirs)
    assert (paired["ours_only"], paired["theirs_only"]) == (20, 12)
    assert 0.2 < paired["p_value"] < 0.25  # 20 of 32 discordant rows: a coin does that often
    assert within_noise(paired)


def test_a_clear_lead_is_not_within_noise():
    y, ours, theirs = _answers(300, 200, 45, 5)
    paired = paired_classes(y, ours, theirs)
    assert paired["p_value"] < 0.001 and not within_noise(paired)


def test_numeric_errors_are_compared_row_by_row():
    rng = np.random.default_rng(0)
    y = rng.normal(size=200)
    close = y + rng.normal(scale=0.1, size=200)
    far = y + rng.normal(scale=1.0, size=200)
    assert not within_noise(paired_errors(y, close, far))
    alike = y + rng.normal(scale=1.0, size=200)
    assert within_noise(paired_errors(y, far, alike))
    assert paired_errors(y, far, far)["p_value"] == 1.0  # identical answers: nothing to test


def _evaluation(ours_right: int, rows: int, theirs: dict | None = None) -> dict:
    """A two-class evaluation of `rows` test rows (half of each class), the model right on
    `ours_right` of them, as evaluate_predictions stores it."""
    y = np.array([0, 1] * (rows // 2))
    probability = np.where(y == 1, 0.9, 0.1)  # right everywhere...
    probability[ours_right:] = 1 - probability[ours_right:]  # ...but the last rows
    evaluation = evaluate_predictions(Task.BINARY, y, probability, ["no", "yes"])
    if theirs is not None:
        evaluation["classic"] = theirs
    return evaluation


def test_a_lead_over_guessing_on_few_rows_is_said_to_be_possibly_luck():
    evaluation = _evaluation(ours_right=12, rows=20)  # 60 % against 50 % on 20 rows
    verdict = baseline_verdict(evaluation)
    assert verdict["beats_baseline"]
    assert (
        "that lead could be luck (McNemar's exact test on the 20 test rows: p ="
        in (verdict["text"])
    )
    assert verdict["tone"] == "mixed"
    clear = baseline_verdict(_evaluation(ours_right=180, rows=200))
    assert "luck" not in clear["text"] and clear["tone"] == "good"


def test_the_classical_comparison_says_within_noise_and_the_tone_is_not_green():
    y, ours, theirs = _answers(300, 229, 20, 12)
    evaluation = _evaluation(ours_right=249, rows=300)
    evaluation["classic"] = {
        "name": "TF-IDF + logistic regression",
        "metrics": {"accuracy": 241 / 300},
        "paired": paired_classes(y, ours, theirs),
    }
    verdict = describe(evaluation)
    assert "right on 80 %" in verdict["classic_text"] or "80.3 %" in verdict["classic_text"]
    assert (
        "the two are within noise of each other (McNemar's exact test on the 300 test "
        in (verdict["classic_text"])
    )
    assert verdict["classic_text"].endswith("has not clearly earned its keep here.")
    assert verdict["tone"] == "mixed"
    assert "the deep model beats it" not in verdict["text"]


def test_a_classical_model_that_wins_turns_the_tone_from_green():
    evaluation = _evaluation(ours_right=180, rows=200)
    evaluation["classic"] = {"name": "gradient boosting", "metrics": {"accuracy": 0.95}}
    verdict = describe(evaluation)
    assert verdict["beats_baseline"] and verdict["tone"] == "mixed"
    assert "deep learning did not earn its keep here." in verdict["classic_text"]
