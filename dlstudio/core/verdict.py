"""Does the model beat a model that learned nothing? One verdict, said the same way everywhere.

The trivial baseline is the most frequent class, or the training mean for numbers (see
engine/evaluate.py). Accuracy is the measure people read, but on imbalanced classes always
guessing the common class already scores high, so there the verdict uses balanced accuracy
(the mean recall over classes, which any constant guess holds at 1 / classes).
"""

from __future__ import annotations

IMBALANCED_ABOVE = 0.7  # the most frequent class's share of the test rows


def baseline_verdict(test: dict, validation: dict | None = None) -> dict:
    """{"metric", "model", "baseline", "beats_baseline", "validation", "text"} from the test
    split's evaluation (and, when given, whether the validation split agrees)."""
    measure = _measure(test)
    verdict = {**measure, "beats_baseline": _beats(measure)}
    if validation is not None:
        on_validation = _measure(validation, measure["metric"])
        verdict["validation"] = {**on_validation, "beats_baseline": _beats(on_validation)}
    verdict["text"] = _text(verdict, test)
    return verdict


def _measure(evaluation: dict, metric: str | None = None) -> dict:
    metrics, baseline = evaluation.get("metrics", {}), evaluation.get("baseline", {})
    if evaluation.get("task") == "regression":
        return {
            "metric": "mae",
            "model": metrics.get("mae"),
            "baseline": baseline.get("mae"),
            "higher_is_better": False,
        }
    if metric is None:
        metric = "accuracy"
        if (baseline.get("accuracy") or 0) >= IMBALANCED_ABOVE:
            metric = "balanced_accuracy"
    present = [row for row in evaluation.get("per_class", []) if row.get("support")]
    chance = {"accuracy": baseline.get("accuracy"), "balanced_accuracy": 1 / max(1, len(present))}
    return {
        "metric": metric,
        "model": metrics.get(metric),
        "baseline": chance[metric],
        "higher_is_better": True,
    }


def _beats(measure: dict) -> bool:
    model, baseline = measure["model"], measure["baseline"]
    if model is None or baseline is None:
        return False
    return model > baseline if measure["higher_is_better"] else model < baseline


def _shown(metric: str, value: float) -> str:
    if metric == "mae":
        return f"{value:,.4g}"
    return f"{100 * value:.1f} %"


def _text(verdict: dict, test: dict) -> str:
    metric, model, baseline = verdict["metric"], verdict["model"], verdict["baseline"]
    if model is None or baseline is None:
        return "No test rows to compare the model with the trivial baseline."
    name = {"mae": "mean absolute error", "accuracy": "accuracy"}.get(
        metric, "balanced accuracy (the mean of each class's share found)"
    )
    trivial = test.get("baseline", {}).get("name", "the trivial baseline")
    if metric == "balanced_accuracy":
        trivial = "any constant guess"
    compared = f"{name} {_shown(metric, model)} on the test split vs {_shown(metric, baseline)} for {trivial}"
    if verdict["beats_baseline"]:
        text = f"Beats the trivial baseline: {compared}."
    else:
        text = (
            f"Does NOT beat the trivial baseline: {compared}. The model has learned nothing "
            "that guessing does not; try a longer budget, another architecture, or check that "
            "the features can predict the target."
        )
    on_validation = verdict.get("validation")
    if on_validation is not None and on_validation["beats_baseline"] != verdict["beats_baseline"]:
        side = "beats" if on_validation["beats_baseline"] else "does not beat"
        text += f" (On the validation split it {side} it.)"
    return text
