"""The few classification metrics and curves dlstudio reports, in numpy alone.

scikit-learn has them too, but it (with SciPy) is a large compiled dependency that the GPU
machines do not have; the definitions below follow scikit-learn's and are tested against
hand-worked examples.
"""

from __future__ import annotations

import numpy as np


def confusion_matrix(y: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows are true classes, columns predicted ones."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y, predicted), 1)
    return matrix


def precision_recall_f1(
    matrix: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per class; 0 where a class was never predicted or never present (no division warnings)."""
    true_positive = np.diag(matrix).astype(float)
    predicted = matrix.sum(axis=0).astype(float)
    support = matrix.sum(axis=1)
    precision = np.divide(
        true_positive, predicted, out=np.zeros_like(true_positive), where=predicted > 0
    )
    recall = np.divide(true_positive, support, out=np.zeros_like(true_positive), where=support > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)
    return precision, recall, f1, support


def log_loss(y: np.ndarray, probabilities: np.ndarray) -> float:
    eps = np.finfo(np.float64).eps
    picked = np.clip(probabilities[np.arange(len(y)), y], eps, 1.0)
    return float(-np.mean(np.log(picked)))


def roc_curve(truth: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates at every distinct threshold, from (0, 0) to (1, 1)."""
    true_positives, false_positives = _cumulative_counts(truth, score)
    tpr = true_positives / max(true_positives[-1], 1)
    fpr = false_positives / max(false_positives[-1], 1)
    return np.r_[0.0, fpr], np.r_[0.0, tpr]


def precision_recall_curve(truth: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall at every distinct threshold, ending at recall 0, precision 1."""
    true_positives, false_positives = _cumulative_counts(truth, score)
    precision = true_positives / (true_positives + false_positives)
    recall = true_positives / max(true_positives[-1], 1)
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0]


def average_precision(truth: np.ndarray, score: np.ndarray) -> float:
    """Sum over thresholds of precision × the recall gained there (scikit-learn's definition)."""
    precision, recall = precision_recall_curve(truth, score)
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def area_under(x: np.ndarray, y: np.ndarray) -> float:
    """Trapezoidal area, for the ROC curve."""
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


def r2_score(y: np.ndarray, predicted: np.ndarray) -> float:
    total = float(np.sum((y - y.mean()) ** 2))
    return float("nan") if total == 0 else 1.0 - float(np.sum((y - predicted) ** 2)) / total


def _cumulative_counts(truth: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-score, kind="mergesort")
    score, truth = score[order], truth[order].astype(float)
    last_of_each_threshold = np.r_[np.flatnonzero(np.diff(score)), len(score) - 1]
    true_positives = np.cumsum(truth)[last_of_each_threshold]
    false_positives = 1 + last_of_each_threshold - true_positives
    return true_positives, false_positives
