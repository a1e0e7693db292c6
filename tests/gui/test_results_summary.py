"""The Results step's first lines say what the model is: an average of trials says so."""

from __future__ import annotations

from dlstudio.core.verdict import baseline_verdict
from dlstudio.gui.wizard.results_summary import title_html


def _evaluation(ensemble: dict | None) -> dict:
    evaluation = {
        "task": "classification",
        "rows": 60,
        "metrics": {"accuracy": 0.9, "balanced_accuracy": 0.9},
        "baseline": {"name": "always 'a' (the most frequent class)", "accuracy": 0.5},
        "per_class": [{"class": "a", "support": 30}, {"class": "b", "support": 30}],
        "best_trial_id": "02",
        "ensemble": ensemble,
    }
    evaluation["verdict"] = baseline_verdict(evaluation)
    return evaluation


def test_an_average_of_trials_is_named_on_the_results_step():
    text = "The model is an average of trials 1, 3 and 5: validation loss 0.31 vs 0.34 for trial 3 alone."
    shown = title_html(None, _evaluation({"kept": True, "text": text}), {}, {})
    assert "an average of trials 1, 3 and 5" in shown
    alone = title_html(None, _evaluation({"kept": False, "text": "Not kept."}), {}, {})
    assert "average" not in alone and "Not kept" not in alone
