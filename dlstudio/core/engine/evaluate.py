"""Test-split evaluation: the task's metrics, the trivial baseline, and the points the Results
page plots (confusion matrix, per-class scores, ROC and PR curves, residuals).

With row weights (a weight column, core/data/weights.py) every score weighs each row by its
weight: accuracy, balanced accuracy, F1 and the per-class scores, the log loss, the ROC and PR
curves and their areas, the MAE, RMSE and R²; the baseline is the class with the most weight,
or the weighted training mean (the caller's `train_mean`). The confusion matrix and each
class's "support" stay counts of rows (each class's total weight is beside it, "weight"), and
the paired tests compare the rows one by one, unweighted.
"""

from __future__ import annotations

import numpy as np

from dlstudio.core.data import Task
from dlstudio.core.engine import metrics as m
from dlstudio.core.paired_test import paired_classes, paired_errors

MAX_POINTS = 2000  # curve and scatter points kept for plotting


def evaluate_predictions(
    task: Task,
    y_true: np.ndarray,
    output: np.ndarray,
    class_names: list[str] | None,
    train_mean: float = 0.0,
    weights: np.ndarray | None = None,
) -> dict:
    """Everything the Results page shows, as plain JSON-ready data.

    The baseline is what a model that learned nothing would score: the most frequent class,
    or the training mean for regression; its "paired" entry says whether the model's lead over
    it on these rows is more than luck (core/paired_test.py). With `weights` (one per row, 0 or
    more) the scores and the baseline are weighted (see the module docstring), and the result
    says so ("weighted": True).
    """
    w = None if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    if task is Task.REGRESSION:
        result = _regression(y_true.astype(float), output.reshape(-1).astype(float), train_mean, w)
    else:
        probabilities = class_probabilities(task, output)
        result = _classification(y_true.astype(int), probabilities, class_names or [], w)
    if w is not None:
        result["weighted"] = True
    return result


def class_probabilities(task: Task, output: np.ndarray) -> np.ndarray:
    """Rows of per-class probabilities (a sigmoid's one column becomes two)."""
    output = np.asarray(output, dtype=np.float64)
    if task is Task.BINARY:
        positive = output.reshape(-1)
        return np.stack([1.0 - positive, positive], axis=1)
    return output / output.sum(axis=1, keepdims=True)  # float32 softmax rows sum to 1 ± 1e-7


def _classification(
    y: np.ndarray, probabilities: np.ndarray, names: list[str], w: np.ndarray | None = None
) -> dict:
    predicted = probabilities.argmax(axis=1)
    labels = list(range(len(names)))
    matrix = m.confusion_matrix(y, predicted, len(names))
    weighed = matrix if w is None else _weighted_matrix(y, predicted, len(names), w)
    precision, recall, f1, support = m.precision_recall_f1(weighed)
    recall_of_present = recall[support > 0]
    totals = np.bincount(y, weights=w, minlength=len(names))
    majority = totals.argmax() if len(y) else 0
    result = {
        "task": "classification",
        "rows": int(len(y)),
        "metrics": {
            "accuracy": _mean(y == predicted, w),
            "balanced_accuracy": float(recall_of_present.mean()) if len(recall_of_present) else 0.0,
            "f1_macro": float(f1.mean()),
            "log_loss": m.log_loss(y, probabilities)
            if w is None
            else _log_loss(y, probabilities, w),
        },
        "baseline": {
            "name": f"always {names[majority]!r} ({_most_frequent(totals, len(y), w)})",
            "class": names[majority] if names else None,  # the class it always guesses
            "accuracy": _mean(y == majority, w),
            "paired": paired_classes(y, predicted, np.full_like(y, majority)),
        },
        "class_names": names,
        "confusion_matrix": matrix.tolist(),
        "per_class": [
            {
                "class": names[i],
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(matrix[i].sum()),  # rows
                **({} if w is None else {"weight": float(support[i])}),
            }
            for i in labels
        ],
        "roc": {},
        "pr": {},
    }
    present = sorted(set(y.tolist()))
    curve_classes = [1] if len(names) == 2 else labels
    for i in curve_classes:
        if i not in present or len(present) < 2:
            continue
        truth = (y == i).astype(int)
        if w is None:
            fpr, tpr = m.roc_curve(truth, probabilities[:, i])
            prec, rec = m.precision_recall_curve(truth, probabilities[:, i])
            average_precision = m.average_precision(truth, probabilities[:, i])
        else:
            if not (totals[i] > 0 and totals.sum() > totals[i]):
                continue  # no weight on one side: no curve
            fpr, tpr, prec, rec = _weighted_curves(truth, probabilities[:, i], w)
            average_precision = float(-np.sum(np.diff(rec) * prec[:-1]))
        result["roc"][names[i]] = {
            "fpr": _thin(fpr),
            "tpr": _thin(tpr),
            "auc": m.area_under(fpr, tpr),
        }
        result["pr"][names[i]] = {
            "precision": _thin(prec),
            "recall": _thin(rec),
            "average_precision": average_precision,
        }
    aucs = [curve["auc"] for curve in result["roc"].values()]
    if aucs:
        result["metrics"]["auc"] = float(np.mean(aucs))
    return result


def _most_frequent(totals: np.ndarray, rows: int, w: np.ndarray | None = None) -> str:
    """Which class the baseline guesses: by rows, or by weight (`totals`: per class)."""
    tied = int((totals == totals.max()).sum()) if rows else 1
    if w is not None:
        return (
            "the class with the most weight"
            if tied == 1
            else f"one of {tied} equally weighted classes"
        )
    return "the most frequent class" if tied == 1 else f"one of {tied} equally frequent classes"


def _regression(
    y: np.ndarray, predicted: np.ndarray, mean: float, w: np.ndarray | None = None
) -> dict:
    residuals = predicted - y
    keep = np.linspace(0, len(y) - 1, min(len(y), MAX_POINTS)).astype(int) if len(y) else []
    if w is None:
        r2 = m.r2_score(y, predicted) if len(y) > 1 else float("nan")
    else:
        r2 = _weighted_r2(y, predicted, w) if len(y) > 1 else float("nan")
    return {
        "task": "regression",
        "rows": int(len(y)),
        "metrics": {
            "mae": _mean(np.abs(residuals), w),
            "rmse": float(np.sqrt(_mean(residuals**2, w))),
            "r2": r2,
        },
        "baseline": {
            "name": "always the training mean"
            if w is None
            else "always the weighted training mean",
            "mae": _mean(np.abs(y - mean), w),
            "rmse": float(np.sqrt(_mean((y - mean) ** 2, w))),
            "paired": paired_errors(y, predicted, np.full_like(y, mean)),
        },
        "points": {"actual": y[keep].tolist(), "predicted": predicted[keep].tolist()},
        "residuals": residuals[keep].tolist(),
    }


def _mean(values: np.ndarray, w: np.ndarray | None) -> float:
    """The mean of `values`, or their weighted mean (NaN when no row has weight)."""
    values = np.asarray(values, dtype=np.float64)
    if w is None:
        return float(np.mean(values)) if len(values) else float("nan")
    total = float(w.sum())
    return float(np.sum(values * w) / total) if total > 0 else float("nan")


def _weighted_matrix(y: np.ndarray, predicted: np.ndarray, classes: int, w: np.ndarray):
    """The confusion matrix with each row counted by its weight."""
    matrix = np.zeros((classes, classes), dtype=np.float64)
    np.add.at(matrix, (y, predicted), w)
    return matrix


def _log_loss(y: np.ndarray, probabilities: np.ndarray, w: np.ndarray) -> float:
    eps = np.finfo(np.float64).eps
    picked = np.clip(probabilities[np.arange(len(y)), y], eps, 1.0)
    return _mean(-np.log(picked), w)


def _weighted_r2(y: np.ndarray, predicted: np.ndarray, w: np.ndarray) -> float:
    total = float(w.sum())
    if not total > 0:
        return float("nan")
    centre = float(np.sum(w * y) / total)
    spread = float(np.sum(w * (y - centre) ** 2))
    return float("nan") if spread == 0 else 1.0 - float(np.sum(w * (y - predicted) ** 2)) / spread


def _weighted_curves(truth: np.ndarray, score: np.ndarray, w: np.ndarray):
    """ROC (fpr, tpr) and PR (precision, recall) curves with each row counted by its weight,
    laid out as metrics.roc_curve and metrics.precision_recall_curve lay out theirs."""
    order = np.argsort(-score, kind="mergesort")
    score, truth, w = score[order], truth[order].astype(float), w[order]
    last = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]
    true_positives = np.cumsum(truth * w)[last]
    false_positives = np.cumsum((1.0 - truth) * w)[last]
    positives, negatives = true_positives[-1], false_positives[-1]
    tpr = true_positives / positives if positives > 0 else np.zeros_like(true_positives)
    fpr = false_positives / negatives if negatives > 0 else np.zeros_like(false_positives)
    flagged = true_positives + false_positives
    precision = np.divide(true_positives, flagged, out=np.ones_like(flagged), where=flagged > 0)
    return (
        np.r_[0.0, fpr],
        np.r_[0.0, tpr],
        np.r_[precision[::-1], 1.0],
        np.r_[tpr[::-1], 0.0],
    )


def _thin(values: np.ndarray) -> list[float]:
    if len(values) <= MAX_POINTS:
        return [float(v) for v in values]
    keep = np.linspace(0, len(values) - 1, MAX_POINTS).astype(int)
    return [float(v) for v in values[keep]]
