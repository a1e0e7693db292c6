"""The classical reference beside the trivial baseline: gradient boosting for tables, TF-IDF +
logistic regression for texts, on the run's own split, scored like the network."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.engine.cancel import CancelToken
from dlstudio.core.engine.classic import (
    GRADIENT_BOOSTING,
    TFIDF_LOGISTIC,
    classic_reference,
    reference_for_run,
    reference_seconds,
)
from dlstudio.core.engine.evaluate import evaluate_predictions
from dlstudio.core.engine.prepare import prepare
from dlstudio.core.validate import checked_dataset

DATA = Path(__file__).resolve().parents[2] / "data"


def _prepared(path, target, **roles):
    spec = DataSpec(str(path), target=target, roles=roles)
    return prepare(checked_dataset(spec), spec.split)


def _constant_output(data) -> np.ndarray:
    """What a network that learned nothing would output for the test rows."""
    rows = data.rows("test")
    if data.class_names is None:
        return np.full(rows, float(data.y["train"].mean()))
    if len(data.class_names) == 2:
        return np.full(rows, 0.5)
    return np.full((rows, len(data.class_names)), 1 / len(data.class_names))


def _constant_evaluation(data) -> dict:
    train_mean = float(data.y["train"].mean())
    output = _constant_output(data)
    return evaluate_predictions(data.task, data.y["test"], output, data.class_names, train_mean)


def _network_metric_names(data) -> set[str]:
    """The metric names evaluate_predictions gives a model of this task."""
    return set(_constant_evaluation(data)["metrics"])


def _baseline(data) -> dict:
    return _constant_evaluation(data)["baseline"]


@pytest.mark.parametrize(
    ("fixture", "target"), [("penguins_csv", "species"), ("cancer_csv", "diagnosis")]
)
def test_tables_get_gradient_boosting_scored_like_the_model(request, fixture, target):
    data = _prepared(request.getfixturevalue(fixture), target)
    reference = classic_reference(data, time_left_s=20)

    assert reference["name"] == GRADIENT_BOOSTING
    names = _network_metric_names(data)
    assert set(reference["metrics"]) == names
    assert set(reference["validation"]) == names
    assert reference["metrics"]["accuracy"] > _baseline(data)["accuracy"] + 0.2
    assert 0 <= reference["seconds"] <= 20 + 3  # its time is reported, within what it was given


def test_categories_and_missing_values_are_used_not_dropped(penguins_csv):
    """Penguins: island and sex are text categories and five columns have gaps."""
    data = _prepared(penguins_csv, "species")
    reference = classic_reference(data, time_left_s=20)
    assert reference["metrics"]["balanced_accuracy"] > 0.9


def test_a_text_gets_tfidf_and_logistic_regression(sms_csv, tmp_path):
    path = tmp_path / "sms.csv"
    pd.read_csv(sms_csv).head(800).to_csv(path, index=False)
    data = _prepared(path, "label")
    assert data.kind == "text"

    reference = classic_reference(data, time_left_s=20)

    assert reference["name"] == TFIDF_LOGISTIC
    assert set(reference["metrics"]) == _network_metric_names(data)
    # 13 % spam: the trivial guess is right 87 % of the time but catches no spam at all.
    assert reference["metrics"]["balanced_accuracy"] > 0.75
    assert reference["metrics"]["accuracy"] > _baseline(data)["accuracy"]


@pytest.mark.parametrize("name", ["auto_mpg.csv", "diamonds_600.csv"])
def test_a_regression_reference_is_in_the_users_units(name):
    """The network trains on a scaled (for prices, logged) target; the reference's errors are
    in miles per gallon and dollars, like the model's and the trivial baseline's."""
    target = "mpg" if name == "auto_mpg.csv" else "price"
    data = _prepared(DATA / name, target, **({"name": "identifier"} if target == "mpg" else {}))
    assert data.target_scaling is not None

    reference = classic_reference(data, time_left_s=20)

    assert reference["name"] == GRADIENT_BOOSTING
    assert set(reference["metrics"]) == {"mae", "rmse", "r2"}
    baseline = _baseline(data)
    assert reference["metrics"]["mae"] < 0.6 * baseline["mae"]
    assert reference["metrics"]["r2"] > 0.5


def test_images_get_a_reason_not_metrics(tiny_digits):
    data = _prepared(tiny_digits, None)
    reference = classic_reference(data, time_left_s=20)
    assert reference["name"] is None
    assert "metrics" not in reference
    assert "image" in reference["reason"]


def test_a_table_with_a_text_column_gets_a_reason(sms_csv, tmp_path):
    frame = pd.read_csv(sms_csv).head(300)
    frame["length"] = frame["message"].str.len()
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    data = _prepared(path, "label", message="text")
    assert {i.kind for i in data.inputs} == {"text", "numeric"}

    reference = classic_reference(data, time_left_s=20)
    assert reference["name"] is None and "text column" in reference["reason"]


def test_no_budget_left_skips_it_and_says_why(penguins_csv):
    data = _prepared(penguins_csv, "species")
    reference = classic_reference(data, time_left_s=0.2)
    assert reference["name"] is None
    assert "budget" in reference["reason"]


def test_a_spent_budget_leaves_only_the_grace_and_a_stopped_run_none(penguins_csv):
    token = CancelToken(time_limit_s=0)  # the search used its whole share: only the reserve
    left = reference_seconds(token, time_limit_s=30)
    assert left is not None and left <= 3 + 2  # 30 s keeps a 3 s reserve; 2 s of grace
    assert reference_seconds(CancelToken(), None) is None  # no budget

    stopped_midway = classic_reference(_prepared(penguins_csv, "species"), 20, stop=lambda: True)
    assert stopped_midway["name"] is None and "stopped" in stopped_midway["reason"]

    stopped = CancelToken()
    stopped.cancel()
    data = _prepared(penguins_csv, "species")
    spec = RunSpec(DataSpec(str(penguins_csv), target="species"))
    reference = reference_for_run(data, stopped, spec)
    assert reference["name"] is None and "stopped" in reference["reason"]


@pytest.mark.slow
def test_a_run_saves_the_reference_and_shows_it(penguins_csv, tmp_path):
    from dlstudio.cli_progress import print_evaluation
    from dlstudio.core.engine.run import start_run

    spec = RunSpec(
        DataSpec(str(penguins_csv), target="species"),
        train=TrainSpec(epochs=2),
        search=SearchSpec("random", max_trials=1, time_limit_s=60),
    )
    run = start_run(spec, tmp_path / "project")

    evaluation = json.loads((run.path / "evaluation.json").read_text())
    classic = evaluation["classic"]
    assert classic["name"] == GRADIENT_BOOSTING
    assert set(classic["metrics"]) == set(evaluation["metrics"])
    assert set(classic["validation"]) == set(evaluation["metrics"])
    assert classic["seconds"] >= 0
    card = json.loads((run.path / "model_card.json").read_text())
    assert card["classic"]["name"] == GRADIENT_BOOSTING
    assert "Classical reference" in (run.path / "model_card.md").read_text()

    console = Console(record=True, width=160)
    print_evaluation(run, evaluation, console)
    shown = console.export_text()
    assert GRADIENT_BOOSTING in shown and "same split" in shown


def test_the_reference_is_compared_with_the_model_row_by_row(penguins_csv):
    """Given the network's test output, the reference stores whether their difference on the
    same rows is more than luck (and never its own per-row output)."""
    data = _prepared(penguins_csv, "species")
    reference = classic_reference(data, time_left_s=20, model_test_output=_constant_output(data))
    paired = reference["paired"]
    assert paired["test"] == "McNemar's exact test" and paired["rows"] == data.rows("test")
    assert paired["theirs_only"] > paired["ours_only"]  # a guessing network loses clearly
    assert paired["p_value"] < 0.001
    assert "test_output" not in reference
    json.dumps(reference)  # stored as it is in evaluation.json
