"""Test-split evaluation: the task's metrics, the trivial baseline, and the points the Results
page plots (confusion matrix, per-class scores, ROC and PR curves, residuals)."""

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
) -> dict:
    """Everything the Results page shows, as plain JSON-ready data.

    The baseline is what a model that learned nothing would score: the most frequent class,
    or the training mean for regression; its "paired" entry says whether the model's lead over
    it on these rows is more than luck (core/paired_test.py).
    """
    if task is Task.REGRESSION:
        return _regression(y_true.astype(float), output.reshape(-1).astype(float), train_mean)
    probabilities = class_probabilities(task, output)
    return _classification(y_true.astype(int), probabilities, class_names or [])


def class_probabilities(task: Task, output: np.ndarray) -> np.ndarray:
    """Rows of per-class probabilities (a sigmoid's one column becomes two)."""
    output = np.asarray(output, dtype=np.float64)
    if task is Task.BINARY:
        positive = output.reshape(-1)
        return np.stack([1.0 - positive, positive], axis=1)
    return output / output.sum(axis=1, keepdims=True)  # float32 softmax rows sum to 1 ± 1e-7


def _classification(y: np.ndarray, probabilities: np.ndarray, names: list[str]) -> dict:
    predicted = probabilities.argmax(axis=1)
    labels = list(range(len(names)))
    matrix = m.confusion_matrix(y, predicted, len(names))
    precision, recall, f1, support = m.precision_recall_f1(matrix)
    recall_of_present = recall[support > 0]
    majority = np.bincount(y, minlength=len(names)).argmax() if len(y) else 0
    result = {
        "task": "classification",
        "rows": int(len(y)),
        "metrics": {
            "accuracy": float(np.mean(y == predicted)),
            "balanced_accuracy": float(recall_of_present.mean()) if len(recall_of_present) else 0.0,
            "f1_macro": float(f1.mean()),
            "log_loss": m.log_loss(y, probabilities),
        },
        "baseline": {
            "name": f"always {names[majority]!r} ({_most_frequent(y, len(names))})",
            "accuracy": float(np.mean(y == majority)),
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
                "support": int(support[i]),
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
        fpr, tpr = m.roc_curve(truth, probabilities[:, i])
        prec, rec = m.precision_recall_curve(truth, probabilities[:, i])
        result["roc"][names[i]] = {
            "fpr": _thin(fpr),
            "tpr": _thin(tpr),
            "auc": m.area_under(fpr, tpr),
        }
        result["pr"][names[i]] = {
            "precision": _thin(prec),
            "recall": _thin(rec),
            "average_precision": m.average_precision(truth, probabilities[:, i]),
        }
    aucs = [curve["auc"] for curve in result["roc"].values()]
    if aucs:
        result["metrics"]["auc"] = float(np.mean(aucs))
    return result


def _most_frequent(y: np.ndarray, classes: int) -> str:
    counts = np.bincount(y, minlength=classes)
    tied = int((counts == counts.max()).sum()) if len(y) else 1
    return "the most frequent class" if tied == 1 else f"one of {tied} equally frequent classes"


def _regression(y: np.ndarray, predicted: np.ndarray, mean: float) -> dict:
    residuals = predicted - y
    keep = np.linspace(0, len(y) - 1, min(len(y), MAX_POINTS)).astype(int) if len(y) else []
    return {
        "task": "regression",
        "rows": int(len(y)),
        "metrics": {
            "mae": float(np.mean(np.abs(residuals))),
            "rmse": float(np.sqrt(np.mean(residuals**2))),
            "r2": m.r2_score(y, predicted) if len(y) > 1 else float("nan"),
        },
        "baseline": {
            "name": "always the training mean",
            "mae": float(np.mean(np.abs(y - mean))),
            "rmse": float(np.sqrt(np.mean((y - mean) ** 2))),
            "paired": paired_errors(y, predicted, np.full_like(y, mean)),
        },
        "points": {"actual": y[keep].tolist(), "predicted": predicted[keep].tolist()},
        "residuals": residuals[keep].tolist(),
    }


def _thin(values: np.ndarray) -> list[float]:
    if len(values) <= MAX_POINTS:
        return [float(v) for v in values]
    keep = np.linspace(0, len(values) - 1, MAX_POINTS).astype(int)
    return [float(v) for v in values[keep]]
