"""Does the model beat a model that learned nothing? One verdict, said the same way everywhere
(the Results page, the CLI, the model card).

The trivial baseline is the most frequent class, or the training mean for numbers (see
engine/evaluate.py). Accuracy is the measure people read, so the sentence always gives it, but
on imbalanced classes always guessing the common class already scores high, so there the
decision uses balanced accuracy (the mean recall over classes, which any constant guess holds
at 1 / classes) and the sentence says so.

When the evaluation carries a classical reference trained on the same split
(evaluation["classic"] = {"name", "metrics", "seconds"}), one more sentence says whether deep
learning earned its keep against it.

A lead is only called one when the test rows carry it: where the evaluation stores a paired test
of the two on the same rows (evaluation["baseline"]["paired"], evaluation["classic"]["paired"];
core/paired_test.py), a difference that could be luck is said to be within noise. "tone" sums
it up for a colour: "good" (a clear lead over the trivial baseline, and no classical model
ahead), "mixed" (a lead within noise, or the classical model as good or better), "bad" (no
better than guessing).

When the rows carry weights (evaluation["weighted_by"]: the weight column), every figure is
weighted by it and the words say so ("weighted by fnlwgt").
"""

from __future__ import annotations

from dlstudio.core.paired_test import noise_words, within_noise
from dlstudio.core.wording import amount, percent

IMBALANCED_ABOVE = 0.7  # the most frequent class's share of the test rows

NOT_LEARNED = (
    "The model has learned nothing that guessing does not: try a longer time budget or another "
    "architecture, or check that the inputs can predict the target."
)


def baseline_verdict(test: dict, validation: dict | None = None) -> dict:
    """{"metric", "model", "baseline", "beats_baseline", "validation", "headline", "detail",
    "classic_text", "text"} from the test split's evaluation (and, when given, whether the
    validation split agrees). "headline" is the one sentence to show first; "detail" the
    balanced-accuracy sentence on imbalanced classes; "text" adds the comparison with a
    classical model, the validation split when it disagrees, and advice when it does not beat
    the baseline."""
    measure = _measure(test)
    verdict = {**measure, "beats_baseline": _beats(measure)}
    if validation is not None:
        on_validation = _measure(validation, measure["metric"])
        verdict["validation"] = {**on_validation, "beats_baseline": _beats(on_validation)}
    return _with_words(verdict, test)


def describe(evaluation: dict) -> dict:
    """The verdict of an evaluation as saved in evaluation.json, said anew: runs saved by
    older versions, and a classical reference added after the verdict was, read the same."""
    if evaluation.get("task") == "anomaly":  # ROC AUC against chance: core/anomaly_metrics.py
        from dlstudio.core.anomaly_metrics import verdict as anomaly_verdict

        return anomaly_verdict(evaluation)
    measure = _measure(evaluation)
    verdict = {**measure, "beats_baseline": _beats(measure)}
    stored = (evaluation.get("verdict") or {}).get("validation")
    if isinstance(stored, dict) and stored.get("metric") == measure["metric"]:
        verdict["validation"] = stored
    return _with_words(verdict, evaluation)


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
    chance = {
        "accuracy": baseline.get("accuracy"),
        "balanced_accuracy": _constant_guess(evaluation),
    }
    return {
        "metric": metric,
        "model": metrics.get(metric),
        "baseline": chance[metric],
        "higher_is_better": True,
    }


def _constant_guess(evaluation: dict) -> float:
    """Balanced accuracy of any constant guess: 1 / the classes present in the test rows."""
    present = [row for row in evaluation.get("per_class", []) if row.get("support")]
    return 1 / max(1, len(present))


def _beats(measure: dict) -> bool:
    model, baseline = measure["model"], measure["baseline"]
    if model is None or baseline is None:
        return False
    return model > baseline if measure["higher_is_better"] else model < baseline


def _with_words(verdict: dict, test: dict) -> dict:
    verdict["headline"] = _headline(verdict, test)
    detail = _balanced_sentence(verdict, test)
    verdict["detail"] = "" if detail == verdict["headline"] else detail
    noise = _baseline_noise(verdict, test)
    if noise:
        verdict["detail"] = f"{verdict['detail']} {noise}".strip()
    verdict["classic_text"] = classic_sentence(test, verdict)
    verdict["tone"] = _tone(verdict, test, lead_is_luck=bool(noise))
    parts = [verdict["headline"], verdict["detail"], verdict["classic_text"]]
    if verdict["model"] is not None and verdict["baseline"] is not None:
        if not verdict["beats_baseline"]:
            parts.append(NOT_LEARNED)
        on_validation = verdict.get("validation")
        if (
            on_validation is not None
            and on_validation["beats_baseline"] != verdict["beats_baseline"]
        ):
            side = "does" if on_validation["beats_baseline"] else "does not"
            parts.append(f"On the validation rows it {side} beat that guess.")
    verdict["text"] = " ".join(part for part in parts if part)
    return verdict


def _baseline_noise(verdict: dict, test: dict) -> str:
    """A sentence when the lead over the trivial baseline could be luck; "" otherwise (and for
    balanced accuracy, which the stored right/wrong test does not measure)."""
    paired = (test.get("baseline") or {}).get("paired")
    if not verdict["beats_baseline"] or verdict["metric"] not in ("accuracy", "mae"):
        return ""
    if not within_noise(paired):
        return ""
    return (
        f"On these test rows that lead could be luck {noise_words(paired)}: judge the model on "
        "more rows (a larger test share, or more data) before trusting it."
    )


def _tone(verdict: dict, test: dict, lead_is_luck: bool) -> str:
    if not verdict["beats_baseline"]:
        return "bad"
    if lead_is_luck or _classic_as_good(verdict, test):
        return "mixed"
    if _classic_scores(test, verdict) is not None and within_noise(test["classic"].get("paired")):
        return "mixed"  # ahead of the classical model, but not clearly
    return "good"


def _classic_as_good(verdict: dict, test: dict) -> bool:
    """Whether the classical reference scores as well as the model or better."""
    compared = _classic_scores(test, verdict)
    if compared is None:
        return False
    metric, theirs, ours = compared
    return theirs <= ours if metric == "mae" else theirs >= ours


def _classic_scores(test: dict, verdict: dict) -> tuple[str, float, float] | None:
    """(metric, the reference's score, the model's) on the measure the verdict uses."""
    classic = test.get("classic")
    if not isinstance(classic, dict) or not classic.get("name"):
        return None
    metric, known = verdict["metric"], classic.get("metrics") or {}
    if metric not in known and metric == "balanced_accuracy":
        metric = "accuracy"  # the measure the headline gives
    theirs, ours = known.get(metric), test.get("metrics", {}).get(metric)
    if theirs is None or ours is None:
        return None
    return metric, theirs, ours


def _headline(verdict: dict, test: dict) -> str:
    """ "Right on 86 % of test rows; always guessing the most common class (‘<=50K’) gets 76 %."
    or "Off by 2.0 on average (mean absolute error); always guessing the mean is off by 5.8." """
    metric, model, baseline = verdict["metric"], verdict["model"], verdict["baseline"]
    if model is None or baseline is None:
        return "No test rows to compare the model with the trivial baseline."
    weighted = _weighted_by(test)
    if metric == "mae":
        if weighted:
            return (
                f"Off by {amount(model, baseline)} on average (mean absolute error, "
                f"{weighted}); always guessing the weighted mean is off by "
                f"{amount(baseline, model)}."
            )
        return (
            f"Off by {amount(model, baseline)} on average (mean absolute error); always "
            f"guessing the mean is off by {amount(baseline, model)}."
        )
    metrics = test.get("metrics", {})
    accuracy, guessed = metrics.get("accuracy"), test.get("baseline", {}).get("accuracy")
    if accuracy is None or guessed is None:
        return _balanced_sentence(verdict, test)
    rows = f"of test rows, {weighted}" if weighted else "of test rows"
    return (
        f"Right on {percent(accuracy, guessed)} {rows}; {_majority_guess(test)} gets "
        f"{percent(guessed, accuracy)}."
    )


def _weighted_by(evaluation: dict) -> str:
    """ "weighted by fnlwgt" when the figures are weighted by a column; "" otherwise."""
    column = evaluation.get("weighted_by")
    return f"weighted by {column}" if column else ""


def _balanced_sentence(verdict: dict, test: dict) -> str:
    """On imbalanced classes, the measure that decided: "Counting every class equally
    (balanced accuracy), it scores 78 % against 50 % for any constant guess." """
    metric, model, baseline = verdict["metric"], verdict["model"], verdict["baseline"]
    if metric != "balanced_accuracy" or model is None or baseline is None:
        return ""
    accuracy = test.get("metrics", {}).get("accuracy")
    guessed = test.get("baseline", {}).get("accuracy")
    but = accuracy is not None and guessed is not None and accuracy <= guessed
    weighted = _weighted_by(test)
    measure = f"balanced accuracy, {weighted}" if weighted else "balanced accuracy"
    return (
        f"{'But counting' if but else 'Counting'} every class equally ({measure}), it "
        f"scores {percent(model, baseline)} against {percent(baseline, model)} for any constant "
        "guess."
    )


def _majority_guess(test: dict) -> str:
    """ "always guessing the most common class (‘<=50K’)", from the test rows' class counts
    (their total weights, when the rows carry weights: "the class with the most weight")."""
    by = "weight" if _weighted_by(test) else "support"
    rows = [row for row in test.get("per_class", []) if row.get(by) is not None]
    most_common = "the most common class" if by == "support" else "the class with the most weight"
    if not rows:
        return f"always guessing {most_common}"
    most = max(row[by] for row in rows)
    first = next(row for row in rows if row[by] == most)  # evaluate.py's argmax
    tied = sum(1 for row in rows if row[by] == most)
    if tied > 1:
        equally = "equally common" if by == "support" else "equally weighted"
        return f"always guessing one of the {tied} {equally} classes (‘{first['class']}’)"
    return f"always guessing {most_common} (‘{first['class']}’)"


def classic_sentence(test: dict, verdict: dict | None = None) -> str:
    """One sentence comparing the model with the classical reference trained on the same rows
    ("Gradient boosting on the same rows is right on 87 %: deep learning did not earn its keep
    here."); "" when there is none, or it lacks the measure."""
    verdict = verdict or _measure(test)
    compared = _classic_scores(test, verdict)
    if compared is None:
        return ""  # none trained (its "reason" says why), or it lacks the measure
    metric, theirs, ours = compared
    classic = test["classic"]
    name = str(classic["name"])
    name = name[0].upper() + name[1:]
    if metric == "mae":
        shown = f"is off by {amount(theirs, ours)} on average"
        better = ours < theirs
    elif metric == "accuracy":
        shown = f"is right on {percent(theirs, ours)}"
        better = ours > theirs
    else:
        shown = f"scores {percent(theirs, ours)} balanced accuracy"
        better = ours > theirs
    paired = classic.get("paired") if metric in ("accuracy", "mae") else None
    if within_noise(paired):
        outcome = (
            f"the two are within noise of each other {noise_words(paired)}, so deep learning "
            + ("has not clearly earned its keep here." if better else "did not earn its keep here.")
        )
    elif better:
        outcome = "the deep model beats it" + (f" {noise_words(paired)}." if paired else ".")
    else:
        outcome = "deep learning did not earn its keep here."
    return f"{name} on the same rows {shown}: {outcome}"


def forecast_verdict(evaluation: dict, season: int) -> dict:
    """Does the forecaster beat seasonal naive (the value one season earlier) on MASE over the
    test backtest? {"metric": "mase", "model", "baseline", "beats_baseline", "headline",
    "text"}; "text" adds advice when it does not."""
    model = evaluation.get("metrics", {}).get("mase")
    baseline = evaluation.get("baselines", {}).get("seasonal naive", {}).get("mase")
    verdict = {"metric": "mase", "model": model, "baseline": baseline}
    verdict["beats_baseline"] = model is not None and baseline is not None and model < baseline
    if model is None or baseline is None:
        verdict["headline"] = verdict["text"] = "No test period to compare the forecasts with."
        return verdict
    naive = (
        f"repeating the value of {season} steps earlier (seasonal naive)"
        if season > 1
        else "repeating the last value (naive)"
    )
    mae, naive_mae = evaluation["metrics"]["mae"], evaluation["baselines"]["seasonal naive"]["mae"]
    verdict["headline"] = (
        f"On the test period the forecasts are off by {amount(mae, naive_mae)} on average; "
        f"{naive} is off by {amount(naive_mae, mae)} (MASE {model:.2f} against {baseline:.2f})."
    )
    paired = (evaluation.get("baseline") or {}).get("paired")
    if verdict["beats_baseline"] and within_noise(paired):
        outcome = (
            f"The model is ahead of seasonal naive, but over so few forecasts that the lead "
            f"could be luck {noise_words(paired)}: backtest on a longer series before trusting it."
        )
        verdict["within_noise"] = True
    elif verdict["beats_baseline"]:
        outcome = "The model beats seasonal naive" + (f" {noise_words(paired)}." if paired else ".")
    else:
        outcome = (
            "The model does not beat seasonal naive: try a longer time budget, a longer "
            "context, or check that the past of the series can predict its future."
        )
    verdict["text"] = f"{verdict['headline']} {outcome}"
    classic = evaluation.get("classic") or {}
    theirs = (classic.get("metrics") or {}).get("mase")
    if theirs is not None:
        if within_noise(classic.get("paired")):
            outcome = f"the two are within noise of each other {noise_words(classic['paired'])}."
        elif model < theirs:
            outcome = "the deep model beats it."
        else:
            outcome = "deep learning did not earn its keep here."
        verdict["classic_text"] = (
            f"{str(classic['name']).capitalize()} on the same windows scores MASE {theirs:.2f}: "
            + outcome
        )
        verdict["text"] += f" {verdict['classic_text']}"
    classic_as_good = theirs is not None and (
        theirs <= model or within_noise(classic.get("paired"))
    )
    if not verdict["beats_baseline"]:
        verdict["tone"] = "bad"
    elif verdict.get("within_noise") or classic_as_good:
        verdict["tone"] = "mixed"  # a lead that could be luck, or a linear model as good
    else:
        verdict["tone"] = "good"
    return verdict
