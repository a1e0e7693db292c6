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


def test_an_anomaly_verdict_says_where_normal_came_from_in_the_windows_words():
    """Issue 26, item 3: what normal was learnt from and what the model was judged on are
    said on Results, with the window's control rather than the command line's flag."""
    from dlstudio.gui.wizard.results_summary import series_title_html

    evaluation = {
        "task": "anomaly",
        "kind": "series",
        "train_rows": 350,
        "metrics": {"rows_scored": 689, "flagged": 7, "roc_auc": 0.8, "recall": 0.2},
        "threshold": {"value": 1.0, "rule": "above 99 % of normal scores"},
        "learnt_from": "Normal was learnt from 29.1 hours (350 readings) of one recording, r.csv.",
        "judged_on": "Judged on the same recording, the part it learnt from included (no other "
        "recording was given: --judge-on FILE).",
    }
    shown = series_title_html(None, evaluation, {}, {})
    assert "Normal was learnt from 29.1 hours (350 readings) of one recording, r.csv." in shown
    assert "the part it learnt from included" in shown
    assert "“Judge on another recording…” on the Data step" in shown
    assert "--judge-on" not in shown
