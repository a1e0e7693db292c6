"""The diagnosis reads curves the way a practitioner would."""

from __future__ import annotations

from dlstudio.core.diagnosis import diagnose


def test_overfitting_names_the_epoch_and_what_to_try():
    history = {
        "loss": [1.0, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05],
        "val_loss": [1.0, 0.7, 0.5, 0.45, 0.55, 0.65, 0.8],
    }
    result = diagnose(history)
    assert result.kind == "overfitting"
    assert "from epoch 5" in result.message and "dropout" in result.message


def test_underfitting_when_both_stay_high_and_flat():
    history = {"loss": [1.10, 1.09, 1.09, 1.085, 1.085], "val_loss": [1.1, 1.1, 1.09, 1.09, 1.09]}
    assert diagnose(history).kind == "underfitting"


def test_divergence_on_nan_or_explosion():
    assert diagnose({"loss": [0.9, float("nan")], "val_loss": [0.9, 0.8]}).kind == "divergence"
    assert "epoch 2" in diagnose({"loss": [0.9, float("nan")], "val_loss": [0.9, 0.8]}).message
    assert diagnose({"loss": [0.5, 0.4, 9.0], "val_loss": [0.5, 0.4, 9]}).kind == "divergence"


def test_healthy_and_too_early():
    assert diagnose({"loss": [1, 0.5], "val_loss": [1, 0.6]}) is None
    history = {"loss": [1, 0.6, 0.4, 0.3, 0.25], "val_loss": [1, 0.65, 0.45, 0.35, 0.3]}
    assert diagnose(history).kind == "healthy"
