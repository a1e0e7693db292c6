"""Trials across runs, and which hyperparameters explain the score."""

from __future__ import annotations

import pandas as pd
import pytest

from dlstudio.core.analysis import IMPORTANCE_METHOD, importance


def _frame(rows):
    return pd.DataFrame(rows)


def test_importance_finds_the_hyperparameter_that_drives_the_score():
    rows = []
    for i in range(12):
        lr = [1e-4, 1e-3, 1e-2][i % 3]
        rows.append(
            {
                "status": "completed",
                "score": {1e-4: 0.9, 1e-3: 0.5, 1e-2: 0.2}[lr] + 0.01 * (i % 2),
                "hp:learning_rate": lr,
                "hp:activation": ["relu", "gelu"][i % 2],
                "hp:units": [32, 64, 128, 256][i % 4],
            }
        )
    rows.append(
        {
            "status": "failed",
            "score": None,
            "hp:learning_rate": 1.0,
            "hp:activation": "relu",
            "hp:units": 32,
        }
    )
    result = importance(_frame(rows), {"learning_rate"})
    assert list(result)[0] == "learning_rate" and result["learning_rate"] > 0.95
    assert result["activation"] < 0.05
    assert "η²" in IMPORTANCE_METHOD


def test_importance_needs_enough_finished_trials():
    rows = [
        {"status": "completed", "score": 0.5, "hp:units": 32},
        {"status": "completed", "score": 0.4, "hp:units": 64},
    ]
    assert importance(_frame(rows)) == {}


@pytest.mark.parametrize("score", [0.5])
def test_constant_scores_explain_nothing(score):
    rows = [{"status": "completed", "score": score, "hp:units": u} for u in (16, 32, 64)]
    assert importance(_frame(rows)) == {}
