"""The diagnosis reads curves the way a practitioner would, and claims only what they show."""

from __future__ import annotations

import math

import pytest

from dlstudio.core.diagnosis import baseline_loss, diagnose


def test_overfitting_names_the_epoch_and_what_to_try():
    history = {
        "loss": [1.0, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05],
        "val_loss": [1.0, 0.7, 0.5, 0.45, 0.55, 0.65, 0.8],
    }
    result = diagnose(history)
    assert result.kind == "overfitting"
    assert "from epoch 5" in result.message and "dropout" in result.message


def test_one_noisy_uptick_is_not_overfitting():
    history = {
        "loss": [1.0, 0.6, 0.4, 0.3, 0.28, 0.27],
        "val_loss": [1.0, 0.7, 0.5, 0.45, 0.47, 0.46],
    }
    assert diagnose(history).kind == "healthy"


def test_underfitting_when_barely_better_than_guessing_the_class_shares():
    three_even_classes = baseline_loss(class_counts=[100, 100, 100])
    assert three_even_classes == pytest.approx(math.log(3))
    history = {"loss": [1.10, 1.09, 1.09, 1.085, 1.085], "val_loss": [1.1, 1.1, 1.09, 1.09, 1.09]}
    result = diagnose(history, baseline_loss=three_even_classes)
    assert result.kind == "underfitting"
    assert "1.1" in result.message  # the baseline's loss, so the user sees the comparison


def test_flat_curves_without_a_baseline_are_never_called_underfitting():
    history = {"loss": [1.10, 1.09, 1.09, 1.085, 1.085], "val_loss": [1.1, 1.1, 1.09, 1.09, 1.09]}
    assert diagnose(history).kind == "healthy"


def test_a_census_model_at_85_percent_is_not_called_too_simple():
    """Census income: 76 % earn <=50K, so guessing costs a log loss of ~0.55; a model at
    0.32 with flat curves is near what the data allows, not underfitting."""
    census = baseline_loss(class_counts={"<=50K": 24_720, ">50K": 7_841})
    assert census == pytest.approx(0.55, abs=0.01)
    history = {
        "loss": [0.42, 0.34, 0.33, 0.325, 0.323, 0.322],
        "val_loss": [0.36, 0.335, 0.33, 0.329, 0.33, 0.329],
    }
    result = diagnose(history, baseline_loss=census)
    assert result.kind == "healthy"
    assert "underfitting" not in result.message.lower()
    assert "simple" not in result.message


def test_regression_baseline_is_the_variance_or_the_mean_deviation():
    targets = [1.0, 2.0, 3.0, 4.0]
    assert baseline_loss(targets=targets) == pytest.approx(1.25)
    assert baseline_loss(targets=targets, target_std=2.0) == pytest.approx(1.25 / 4)
    assert baseline_loss(targets=targets, loss="mae") == pytest.approx(1.0)
    assert baseline_loss() is None and baseline_loss(class_counts=[]) is None


def test_divergence_on_nan_or_explosion():
    assert diagnose({"loss": [0.9, float("nan")], "val_loss": [0.9, 0.8]}).kind == "divergence"
    assert "epoch 2" in diagnose({"loss": [0.9, float("nan")], "val_loss": [0.9, 0.8]}).message
    assert diagnose({"loss": [0.5, 0.4, 9.0], "val_loss": [0.5, 0.4, 9]}).kind == "divergence"


def test_a_tiny_loss_that_wobbles_has_not_exploded():
    history = {"loss": [0.5, 0.01, 0.001, 0.02], "val_loss": [0.5, 0.05, 0.04, 0.04]}
    assert diagnose(history).kind == "healthy"


def test_healthy_and_too_early():
    assert diagnose({"loss": [1, 0.5], "val_loss": [1, 0.6]}) is None
    history = {"loss": [1, 0.6, 0.4, 0.3, 0.25], "val_loss": [1, 0.65, 0.45, 0.35, 0.3]}
    result = diagnose(history, baseline_loss=1.0)
    assert result.kind == "healthy" and "still falling" in result.message
