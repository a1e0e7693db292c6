"""The baseline verdict: plain words, the right measure, and never a win that is not one."""

from __future__ import annotations

from dlstudio.core.verdict import baseline_verdict


def _classes(accuracy, baseline, balanced, supports=(50, 50)):
    return {
        "task": "classification",
        "metrics": {"accuracy": accuracy, "balanced_accuracy": balanced},
        "baseline": {"name": "always 'a' (the most frequent class)", "accuracy": baseline},
        "per_class": [{"class": str(i), "support": s} for i, s in enumerate(supports)],
    }


def test_a_model_that_beats_the_majority_class_says_so_in_percent():
    verdict = baseline_verdict(_classes(0.9, 0.5, 0.9))
    assert verdict["beats_baseline"] and verdict["metric"] == "accuracy"
    assert verdict["text"].startswith("Beats the trivial baseline: accuracy 90.0 %")


def test_on_imbalanced_classes_balanced_accuracy_decides():
    # 95 % of rows in one class: 94 % accuracy is worse than guessing it, yet the model finds
    # the rare class often; balanced accuracy (0.5 for any constant guess) tells them apart.
    verdict = baseline_verdict(_classes(0.94, 0.95, 0.8, supports=(95, 5)))
    assert verdict["metric"] == "balanced_accuracy" and verdict["beats_baseline"]
    lazy = baseline_verdict(_classes(0.95, 0.95, 0.5, supports=(95, 5)))
    assert not lazy["beats_baseline"] and "Does NOT beat" in lazy["text"]


def test_a_regression_no_better_than_the_mean_is_said_plainly_with_validation_disagreeing():
    test = {
        "task": "regression",
        "metrics": {"mae": 110.0},
        "baseline": {"name": "always the training mean", "mae": 100.0},
    }
    validation = {**test, "metrics": {"mae": 90.0}}
    verdict = baseline_verdict(test, validation)
    assert not verdict["beats_baseline"] and verdict["validation"]["beats_baseline"]
    assert "Does NOT beat the trivial baseline: mean absolute error 110" in verdict["text"]
    assert "On the validation split it beats it" in verdict["text"]
