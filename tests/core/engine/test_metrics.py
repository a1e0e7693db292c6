"""The numpy metrics agree with scikit-learn's definitions, which the user may know them by."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from dlstudio.core.engine import metrics as m


@pytest.fixture
def scores():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 300)
    score = np.round(truth * 0.3 + rng.random(300) * 0.7, 2)  # ties on purpose
    return truth, score


def test_curves_and_areas_match_scikit_learn(scores):
    truth, score = scores
    fpr, tpr = m.roc_curve(truth, score)
    assert m.area_under(fpr, tpr) == pytest.approx(skm.roc_auc_score(truth, score))
    assert m.average_precision(truth, score) == pytest.approx(
        skm.average_precision_score(truth, score)
    )
    precision, recall = m.precision_recall_curve(truth, score)
    sk_precision, sk_recall, _ = skm.precision_recall_curve(truth, score)
    assert np.allclose(precision, sk_precision) and np.allclose(recall, sk_recall)


def test_per_class_scores_confusion_and_losses():
    y = np.array([0, 0, 1, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 1, 2, 0, 2])
    matrix = m.confusion_matrix(y, predicted, 4)  # class 3 never appears: zeros, no warnings
    assert np.array_equal(matrix[:3, :3], skm.confusion_matrix(y, predicted))
    precision, recall, f1, support = m.precision_recall_f1(matrix)
    sk = skm.precision_recall_fscore_support(y, predicted, labels=[0, 1, 2, 3], zero_division=0)
    for ours, theirs in zip((precision, recall, f1, support), sk, strict=True):
        assert np.allclose(ours, theirs)
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    assert m.log_loss(np.array([0, 1, 2]), probabilities) == pytest.approx(
        skm.log_loss([0, 1, 2], probabilities)
    )
    assert m.r2_score(np.array([1.0, 2, 3, 4]), np.array([1.1, 1.9, 3.2, 3.7])) == pytest.approx(
        skm.r2_score([1, 2, 3, 4], [1.1, 1.9, 3.2, 3.7])
    )
