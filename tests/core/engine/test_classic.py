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
from dlstudio.core.data.prepare import prepare
from dlstudio.core.engine.classic import (
    GRADIENT_BOOSTING,
    TFIDF_LOGISTIC,
    classic_reference,
    reference_for_run,
    reference_seconds,
    versus,
)
from dlstudio.core.engine.evaluate import evaluate_predictions
from dlstudio.core.search.cancel import CancelToken
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
    from dlstudio.cli.progress import print_evaluation
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


# ---------------------------------------------------------------- kept as ONNX (issue 26, item 8)


def _onnx_outputs(path, inputs: dict) -> dict:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path))
    names = [o.name for o in session.get_outputs()]
    fed = {
        i.name: inputs[i.name].astype(object if inputs[i.name].dtype == object else "float32")
        for i in session.get_inputs()
    }
    return dict(zip(names, session.run(None, fed), strict=True))


@pytest.mark.parametrize(
    ("fixture", "target"),
    [("penguins_csv", "species"), ("cancer_csv", "diagnosis"), ("sms_csv", "label")],
)
def test_the_reference_is_kept_as_onnx_that_predicts_what_sklearn_does(
    request, tmp_path, fixture, target
):
    from dlstudio.core.export.classic_onnx import (
        CLASSIC_FILE,
        SAMPLE_FILE,
        read_sample,
        save_classic_model,
    )

    data = _prepared(request.getfixturevalue(fixture), target)
    reference = classic_reference(data, time_left_s=20, keep_fitted=True)
    fitted = reference.pop("fitted")
    kept = save_classic_model(tmp_path, data, fitted)
    # Checked in a fresh interpreter against scikit-learn on the sample rows.
    assert kept["file"] == CLASSIC_FILE, kept
    assert kept["max_difference"] <= 1e-4
    assert (tmp_path / SAMPLE_FILE).is_file()
    # On every test row, the file gives scikit-learn's probabilities and labels.
    expected = fitted.outputs(data.x["test"])
    actual = _onnx_outputs(tmp_path / CLASSIC_FILE, data.x["test"])
    assert np.abs(actual["probabilities"] - expected["probabilities"]).max() < 1e-4
    assert (actual["label"].ravel() == expected["label"].ravel().astype(str)).all()
    # The kept sample reads back without pickles.
    sample, outputs = read_sample(tmp_path / SAMPLE_FILE)
    assert set(sample) == set(data.x["test"]) and set(outputs) == {"probabilities", "label"}
    # It validated better than a network that learned nothing, on the run's objective.
    network = _constant_evaluation(data)["metrics"]
    compared = versus(data, "val_loss", reference["validation"], network)
    assert compared["metric"] == "log_loss" and compared["classic_better"] is True
    assert versus(data, "val_accuracy", network, network)["classic_better"] is False


def test_a_regression_reference_gives_values_in_the_targets_units(penguins_csv, tmp_path):
    from dlstudio.core.export.classic_onnx import CLASSIC_FILE, save_classic_model

    data = _prepared(penguins_csv, "body_mass_g")
    fitted = classic_reference(data, time_left_s=20, keep_fitted=True)["fitted"]
    assert save_classic_model(tmp_path, data, fitted)["file"] == CLASSIC_FILE
    expected = fitted.outputs(data.x["test"])["value"].ravel()
    actual = _onnx_outputs(tmp_path / CLASSIC_FILE, data.x["test"])["value"].ravel()
    assert np.abs(actual - expected).max() / np.abs(expected).max() < 1e-5
    assert 2500 < expected.mean() < 6500  # grams, not the scaled target


def test_dates_are_split_into_parts_in_the_graph_as_pandas_does():
    import onnxruntime
    from onnx import TensorProto, helper

    from dlstudio.core.engine.classic import _date_parts as pandas_parts
    from dlstudio.core.export.classic_onnx import OPSETS, _date_parts, _Graph

    graph = _Graph()
    out = _date_parts(graph, "when")
    model = helper.make_model(
        helper.make_graph(
            graph.nodes,
            "dates",
            [helper.make_tensor_value_info("when", TensorProto.FLOAT, [None, 1])],
            [helper.make_tensor_value_info(out, TensorProto.FLOAT, [None, 5])],
            initializer=graph.constants,
        ),
        opset_imports=[helper.make_opsetid(d, v) for d, v in OPSETS.items()],
    )
    rng = np.random.default_rng(0)
    # 1900 to 2100, leap days, the turn of each century, before 1970, and a missing date.
    seconds = rng.uniform(-2.2e9, 4.1e9, 2000)
    special = [
        "2000-02-29 23:59:00",
        "1900-03-01 00:00:00",
        "2100-12-31 13:00:00",
        "1969-12-31 00:00:00",
    ]
    exact = (pd.to_datetime(special) - pd.Timestamp("1970-01-01")) / pd.Timedelta(seconds=1)
    seconds = np.concatenate([seconds, exact.to_numpy(), [np.nan]])
    seconds = seconds.astype("float32").reshape(-1, 1)
    session = onnxruntime.InferenceSession(model.SerializeToString())
    (actual,) = session.run(None, {"when": seconds})
    np.testing.assert_array_equal(actual, pandas_parts(seconds).astype("float32"))


def test_without_skl2onnx_the_reference_says_why_it_was_not_kept(
    monkeypatch, penguins_csv, tmp_path
):
    import sys

    data = _prepared(penguins_csv, "species")
    spec = RunSpec(data=DataSpec("x", target="species"), train=TrainSpec())
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # import skl2onnx raises ImportError
    reference = reference_for_run(data, None, spec, folder=tmp_path)
    assert reference["name"] == GRADIENT_BOOSTING  # still measured
    assert reference["onnx"]["file"] is None and "skl2onnx" in reference["onnx"]["reason"]
    assert not (tmp_path / "classic.onnx").exists()
    card = {"classic": reference}
    from dlstudio.core.export.card import classic_markdown

    assert "cannot be used instead of the network" in classic_markdown(card)
