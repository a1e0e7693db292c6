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
    assert verdict["headline"] == (
        "Right on 90 % of test rows; always guessing one of the 2 equally common classes (‘0’) "
        "gets 50 %."
    )
    assert verdict["text"] == verdict["headline"]


def test_on_imbalanced_classes_balanced_accuracy_decides():
    # 95 % of rows in one class: 94 % accuracy is worse than guessing it, yet the model finds
    # the rare class often; balanced accuracy (0.5 for any constant guess) tells them apart.
    verdict = baseline_verdict(_classes(0.94, 0.95, 0.8, supports=(95, 5)))
    assert verdict["metric"] == "balanced_accuracy" and verdict["beats_baseline"]
    lazy = baseline_verdict(_classes(0.95, 0.95, 0.5, supports=(95, 5)))
    assert "Right on 94 % of test rows" in verdict["text"] and "gets 95 %" in verdict["text"]
    assert "But counting every class equally (balanced accuracy), it scores 80 %" in verdict["text"]
    assert not lazy["beats_baseline"] and "learned nothing that guessing does not" in lazy["text"]


def test_a_regression_no_better_than_the_mean_is_said_plainly_with_validation_disagreeing():
    test = {
        "task": "regression",
        "metrics": {"mae": 110.0},
        "baseline": {"name": "always the training mean", "mae": 100.0},
    }
    validation = {**test, "metrics": {"mae": 90.0}}
    verdict = baseline_verdict(test, validation)
    assert not verdict["beats_baseline"] and verdict["validation"]["beats_baseline"]
    assert verdict["headline"] == (
        "Off by 110 on average (mean absolute error); always guessing the mean is off by 100."
    )
    assert "learned nothing that guessing does not" in verdict["text"]
    assert "On the validation rows it does beat that guess." in verdict["text"]


def test_close_scores_get_the_decimals_that_tell_them_apart():
    verdict = baseline_verdict(_classes(0.8644, 0.8621, 0.8))
    assert (
        "Right on 86.4 % of test rows" in verdict["headline"]
        and "gets 86.2 %" in verdict["headline"]
    )


def test_a_classical_model_on_the_same_rows_is_compared_in_one_sentence():
    evaluation = _classes(0.86, 0.5, 0.86)
    evaluation["classic"] = {
        "name": "gradient boosting",
        "metrics": {"accuracy": 0.87},
        "seconds": 2,
    }
    assert baseline_verdict(evaluation)["classic_text"] == (
        "Gradient boosting on the same rows is right on 87 %: deep learning did not earn its "
        "keep here."
    )
    evaluation["classic"]["metrics"]["accuracy"] = 0.8
    assert "the deep model beats it" in baseline_verdict(evaluation)["text"]
    del evaluation["classic"]
    assert baseline_verdict(evaluation)["classic_text"] == ""


def test_a_saved_evaluation_is_described_anew_keeping_its_validation_check():
    from dlstudio.core.verdict import describe

    test = {
        "task": "regression",
        "metrics": {"mae": 2.04},
        "baseline": {"name": "always the training mean", "mae": 5.83},
        "verdict": {"validation": {"metric": "mae", "beats_baseline": False}},
    }
    verdict = describe(test)
    assert verdict["headline"].startswith("Off by 2.0 on average (mean absolute error)")
    assert "is off by 5.8." in verdict["headline"]
    assert "On the validation rows it does not beat that guess." in verdict["text"]
