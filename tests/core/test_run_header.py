"""Every family's run is read through one typed header (core/run_header.py), including the
shapes older versions wrote."""

from __future__ import annotations

from dlstudio.core.run_header import RunHeader


def test_a_table_s_header_reads_its_verdict_best_trial_and_template():
    evaluation = {
        "task": "multiclass",
        "metrics": {"accuracy": 0.98},
        "best_trial_id": "2",
        "verdict": {"beats_baseline": True, "headline": "Right on 98 % of test rows.",
                    "detail": "Always guessing 'Adelie' gets 45 %.", "text": "…"},
    }  # fmt: skip
    header = RunHeader.of(evaluation, {"template": "mlp"}, {})
    assert header.family == "supervised" and header.task == "multiclass"
    assert header.headline == "Right on 98 % of test rows."
    assert header.detail == "Always guessing 'Adelie' gets 45 %."
    assert header.beats_baseline is True and header.tone is None
    assert (header.best_trial_id, header.template) == ("2", "mlp")
    assert header.metrics == {"accuracy": 0.98}


def test_an_older_forecast_verdict_with_only_its_text_still_gives_a_headline():
    evaluation = {
        "task": "forecast",
        "best_trial": {"trial_id": "01"},  # an anomaly run's shape, and older runs'
        "verdict": {"beats_baseline": False, "tone": "bad", "text": "Worse than repeating the "
                    "last season. Off by 12 on average."},
    }  # fmt: skip
    card = {"hyperparameters": {"template": "lstm"}}
    header = RunHeader.of(evaluation, card, {"best_trial_id": None})
    assert header.family == "forecast"
    assert header.headline.startswith("Worse than repeating the last season")
    assert header.beats_baseline is False and header.tone == "bad"
    assert (header.best_trial_id, header.template) == ("01", "lstm")


def test_a_run_without_results_has_an_empty_header():
    header = RunHeader.of(None, None, None)
    assert header.family == "supervised" and header.headline == "" and header.metrics == {}
    assert header.beats_baseline is None and header.best_trial_id is None
