"""Importance is shown only when the trials can carry it, with how sure it is."""

from __future__ import annotations

import pandas as pd

from dlstudio.core.analysis import (
    MIN_IMPORTANCE_TRIALS,
    importance,
    importance_interval,
    importance_shortfall,
)


def _trials(n, score_of, seed=0):
    rows = []
    for i in range(n):
        lr = [1e-4, 1e-3, 1e-2][i % 3]
        units = [32, 64, 128, 256][(i * 7 + seed) % 4]
        rows.append(
            {
                "status": "completed",
                "score": score_of(lr, units, i),
                "hp:learning_rate": lr,
                "hp:units": units,
                "hp:dropout": 0.1,  # never varied
            }
        )
    return pd.DataFrame(rows)


def test_four_trials_give_no_importance_but_a_sentence_saying_how_many_are_needed():
    frame = _trials(4, lambda lr, u, i: 0.5 + i / 10)
    assert importance(frame, {"learning_rate"}) == {}
    assert importance_interval(frame) == {}
    sentence = importance_shortfall(frame)
    assert f"at least {MIN_IMPORTANCE_TRIALS} finished trials" in sentence
    assert "this run has 4" in sentence
    assert "these runs have 4" in importance_shortfall(frame, runs=2)


def test_cut_short_trials_do_not_count():
    frame = _trials(10, lambda lr, u, i: 0.5 + i / 100)
    frame.loc[frame.index[:3], "status"] = "cut_short"
    assert "has 7" in importance_shortfall(frame)


def test_a_strong_effect_has_a_narrow_interval_and_noise_is_near_zero():
    noise = [0.03, -0.02, 0.01, -0.03, 0.02, 0.0, -0.01, 0.02, -0.02, 0.01, 0.03, -0.01]
    frame = _trials(12, lambda lr, u, i: {1e-4: 0.9, 1e-3: 0.6, 1e-2: 0.3}[lr] + noise[i])
    assert importance_shortfall(frame) is None
    found = importance_interval(frame, {"learning_rate"})
    assert "dropout" not in found  # one value only: nothing to compare
    value, low, high = found["learning_rate"]
    assert list(found)[0] == "learning_rate" and value > 0.9 and low > 0.8
    assert low <= value <= high
    unit_value, _, _ = found["units"]
    assert unit_value < 0.2  # no effect: chance-corrected, so not inflated by few trials


def test_no_effect_with_few_trials_is_not_shown_as_a_big_bar():
    """Plain η² with 8 trials in 4 groups gives ~0.4 to pure noise; the corrected value
    stays small and its interval says it is unsure."""
    noise = [0.61, 0.55, 0.58, 0.52, 0.60, 0.54, 0.57, 0.63]
    frame = _trials(8, lambda lr, u, i: noise[i])
    found = importance_interval(frame, {"learning_rate"})
    assert all(value < 0.3 for value, _, _ in found.values())
    assert any(high - low > 0.3 for _, low, high in found.values())
