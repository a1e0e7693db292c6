"""Engine names in plain words: the same words in the window, the CLI and the model card."""

from __future__ import annotations

from dlstudio.core import wording


def test_metrics_say_what_they_are_and_which_way_is_better():
    assert wording.metric_label("val_loss") == "Validation loss (lower is better)"
    assert wording.metric_label("val_accuracy") == "Validation accuracy (higher is better)"
    assert wording.metric_label("mae") == "Mean absolute error (lower is better)"
    assert wording.metric_value("accuracy", 0.86) == "86.0 %"
    assert wording.metric_value("mae", 2.04) == "2.04"
    assert wording.metric_value("auc", None) == "—"


def test_statuses_are_sentences_not_identifiers():
    assert wording.trial_status("cut_short") == "stopped by the time budget"
    assert wording.run_status("time_limit") == "finished: the time budget ran out"
    assert "_" not in wording.run_status("some_new_status")


def test_hyperparameters_and_ranges_in_words():
    assert wording.hyperparameter_name("l2") == "L2 penalty (smaller weights)"
    assert wording.hyperparameter_name("batch_norm") == "Batch normalisation"
    entry = {"type": "float", "min": 1e-4, "max": 1e-2, "log": True}
    assert wording.range_words(entry) == "0.0001 to 0.01, on a log scale"
    assert wording.range_words({"type": "choice", "values": [0.0, 1e-5, 1e-4]}) == (
        "0, 0.00001 or 0.0001"
    )
    assert wording.range_words({"type": "bool"}) == "yes or no"
    assert wording.range_words({"type": "int", "min": 1, "max": 3, "step": 1}) == (
        "1 to 3, in steps of 1"
    )


def test_templates_tasks_tuners_and_trials_in_words():
    assert wording.template_name("mlp") == "Multilayer perceptron (MLP)"
    assert wording.task_name("binary") == "Two classes (binary classification)"
    assert wording.tuner_name("bayesian") == "Bayesian optimisation"
    assert wording.trial_words(1, 4) == "trial 1 of 4"
    assert wording.trial_words(3) == "trial 3"


def test_percentages_and_amounts_keep_the_digits_that_matter():
    assert wording.percent(0.86) == "86 %"
    assert wording.percent(0.864, 0.862) == "86.4 %"
    assert wording.amount(2.04) == "2.0" and wording.amount(5.83) == "5.8"
    assert wording.amount(1234.4) == "1,234"
    assert wording.amount(2.04, 2.01) == "2.04"
