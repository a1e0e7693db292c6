"""A weight column counts end to end (issue 26, item 4): the prepared data carries each row's
weight per split, the batches hand it to Keras, and the scores, the trivial baseline, the
classical reference and the verdict weigh rows by it. Bad weight columns are refused with the
reason. The end-to-end run is in tests/test_cli_weights.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dlstudio.core.config import SplitSpec
from dlstudio.core.data import Task, WarningKind, load_dataset
from dlstudio.core.data.prepare import prepare
from dlstudio.core.engine.evaluate import evaluate_predictions
from dlstudio.core.errors import DataError
from dlstudio.core.verdict import baseline_verdict

ROWS = 600


def survey_frame(rows: int = ROWS, seed: int = 7) -> pd.DataFrame:
    """30 % of the rows buy, but each of them stands for about ten people, each other row for
    about one: by weight, 'yes' is some 80 % of the people. `x` tells the classes apart a
    little; `z` is noise."""
    rng = np.random.default_rng(seed)
    yes = rng.random(rows) < 0.3
    frame = pd.DataFrame(
        {
            "x": rng.normal(np.where(yes, 1.0, 0.0), 1.0).round(3),
            "z": rng.normal(0, 1, rows).round(3),
            "survey_weight": (np.where(yes, 10.0, 1.0) * rng.uniform(0.8, 1.2, rows)).round(3),
            "buys": np.where(yes, "yes", "no"),
        }
    )
    frame.loc[5, "survey_weight"] = np.nan  # a row without a weight
    return frame


@pytest.fixture
def survey_csv(tmp_path):
    path = tmp_path / "survey.csv"
    survey_frame().to_csv(path, index=False)
    return path


def _prepared(path, role="weight", split=None):
    dataset = load_dataset(path, target="buys", roles={"survey_weight": role})
    return prepare(dataset, split or SplitSpec())


# ---------------------------------------------------------------- the prepared data


def test_the_prepared_data_carries_the_weights_per_split_and_not_as_an_input(survey_csv):
    data = _prepared(survey_csv)
    frame = pd.read_csv(survey_csv)
    assert data.weight_column == "survey_weight"
    assert [i.column for i in data.inputs] == ["x", "z"]  # never an input
    assert sum(len(w) for w in data.row_weights.values()) == ROWS
    every = np.concatenate([data.weights(s) for s in ("train", "validation", "test")])
    given = frame["survey_weight"].fillna(0).to_numpy()
    assert sorted(every) == sorted(given)  # as given; the missing one as 0
    # What the loss weighs rows by: a mean of 1 on each split, in the same proportions.
    for split in ("train", "validation", "test"):
        sample = data.sample_weights(split)
        assert sample.dtype == np.float32 and sample.mean() == pytest.approx(1.0, rel=1e-5)
        ratio = data.weights(split) / data.weights(split).mean()
        np.testing.assert_allclose(sample, ratio, rtol=1e-5)
    assert data.fit_class_weight is None  # no class weights: by weight 'yes' is 80 %
    # The weighted training mean is what a regression's baseline would guess; classes: 0.
    assert data.baseline_mean() == 0.0
    said = " ".join(data.notes)
    assert "rows are weighted by 'survey_weight'" in said
    assert "1 row has no weight and counts for nothing (weight 0)" in said
    # Without the role, nothing of this.
    plain = _prepared(survey_csv, role="leave_out")
    assert plain.row_weights is None and plain.sample_weights("train") is None
    assert plain.weights("test") is None


def test_class_weights_go_into_the_sample_weights(tmp_path):
    """Classes imbalanced by weight: the class weights balance the weighted totals, and are
    multiplied into the rows' weights (Keras takes no class_weight beside sample weights)."""
    frame = survey_frame()
    frame["survey_weight"] = np.where(frame["buys"] == "yes", 1.0, 5.0)  # 'yes': 8 % by weight
    path = tmp_path / "imbalanced.csv"
    frame.to_csv(path, index=False)
    data = _prepared(path)
    assert data.class_weight is not None and data.fit_class_weight is None
    assert "classes are imbalanced by weight" in " ".join(data.notes)
    sample = data.sample_weights("train").astype("float64")
    y = data.y["train"].astype(int)
    # Both classes now carry the same share of the training loss.
    assert sample[y == 0].sum() == pytest.approx(sample[y == 1].sum(), rel=1e-5)
    assert sample.mean() == pytest.approx(1.0, rel=1e-5)
    # Validation rows weigh by their weights only, as Keras' class_weight never touched them.
    validation = data.sample_weights("validation")
    assert len(set(np.round(validation[data.y["validation"] == 1], 5))) == 1
    # The classical reference takes the rows' weights without the class weights.
    rows_only = data.sample_weights("train", with_classes=False)
    assert len(set(np.round(rows_only[y == 1], 5))) == 1


def test_a_regression_baseline_is_the_weighted_training_mean(tmp_path):
    frame = survey_frame()
    noise = np.random.default_rng(0).uniform(0, 5, len(frame)).round(2)
    frame["spend"] = np.where(frame["buys"] == "yes", 100.0, 10.0) + noise
    path = tmp_path / "spend.csv"
    frame.drop(columns=["buys"]).to_csv(path, index=False)
    dataset = load_dataset(path, target="spend", roles={"survey_weight": "weight"})
    data = prepare(dataset, SplitSpec())
    assert data.task is Task.REGRESSION
    weights, y = data.weights("train"), data.y["train"]
    assert data.baseline_mean() == pytest.approx(np.sum(weights * y) / np.sum(weights))
    assert data.baseline_mean() > float(y.mean()) + 30  # 'yes' rows weigh ten times more


def test_the_batches_carry_the_weights(survey_csv):
    from dlstudio.core.export.feed import ArrayBatches, batches, make_batches

    data = _prepared(survey_csv)
    x, y, w = next(iter(batches(data, "validation", 32)))
    np.testing.assert_allclose(np.asarray(w), data.sample_weights("validation")[:32])
    assert np.asarray(y).shape == (32,) and set(x) == {"x", "z"}
    # Shuffled, the weights follow their rows (a row known by its two inputs).
    train = data.x["train"]
    pairs = zip(train["x"].reshape(-1), train["z"].reshape(-1), strict=True)
    expected = dict(zip(pairs, data.sample_weights("train").tolist(), strict=True))
    inputs, _, weight = next(iter(batches(data, "train", 64, shuffle=True, seed=3)))
    rows = zip(
        np.asarray(inputs["x"]).reshape(-1), np.asarray(inputs["z"]).reshape(-1), strict=True
    )
    assert [expected[row] for row in rows] == pytest.approx(np.asarray(weight).tolist())
    # The numpy batches of the JAX and PyTorch backends too.
    numpy = ArrayBatches(data.x["test"], data.y["test"], 16, False, 0, data.sample_weights("test"))
    assert len(numpy[0]) == 3 and np.allclose(numpy[0][2], data.sample_weights("test")[:16])
    # Predicting needs no weights (a weight is not an input).
    assert isinstance(next(iter(make_batches(data.x["test"], None, 16))), dict)


# ---------------------------------------------------------------- bad weight columns


@pytest.mark.parametrize(
    ("values", "said"),
    [
        (0.0, "holds only zeros: every row would count for nothing"),
        (np.nan, "holds no values: every row would count for nothing"),
        ("heavy", "not numbers"),
        (-1.0, "negative value"),
    ],
)
def test_a_weight_column_that_cannot_weigh_rows_is_refused(tmp_path, values, said):
    frame = survey_frame()
    if values == -1.0:
        frame.loc[7, "survey_weight"] = -1.0
    else:
        frame["survey_weight"] = values
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match=said):
        load_dataset(path, target="buys", roles={"survey_weight": "weight"})


def test_a_split_without_weight_is_refused(tmp_path):
    """The test rows (the last 15 % in time order) all weigh nothing: no score could be said."""
    frame = survey_frame()
    frame["when"] = pd.date_range("2024-01-01", periods=len(frame), freq="D")
    frame.loc[len(frame) - 100 :, "survey_weight"] = 0.0
    path = tmp_path / "late.csv"
    frame.to_csv(path, index=False)
    dataset = load_dataset(path, target="buys", roles={"survey_weight": "weight"})
    with pytest.raises(DataError, match="test rows has weight 0"):
        prepare(dataset, SplitSpec(time_column="when", stratify=False))


def test_the_profile_says_what_the_weight_does(survey_csv):
    profile = load_dataset(survey_csv, target="buys", roles={"survey_weight": "weight"}).profile
    (said,) = profile.warnings_of(WarningKind.WEIGHT)
    assert "scores weigh each row by it" in said.message
    assert "does not apply" not in said.message and "1 row has no weight" in said.message


# ---------------------------------------------------------------- the scores


def test_weighted_scores_and_baseline_by_hand():
    """Three 'a' rows weighing 1 and one 'b' row weighing 6: by rows the baseline guesses 'a'
    (75 %), by weight 'b' (6 of 9)."""
    y = np.array([0, 0, 0, 1])
    positive = np.array([0.1, 0.2, 0.9, 0.8])  # right on rows 1, 2 and 4
    weights = np.array([1.0, 1.0, 1.0, 6.0])
    plain = evaluate_predictions(Task.BINARY, y, positive, ["a", "b"])
    weighed = evaluate_predictions(Task.BINARY, y, positive, ["a", "b"], weights=weights)
    assert plain["metrics"]["accuracy"] == pytest.approx(0.75)
    assert weighed["metrics"]["accuracy"] == pytest.approx(8 / 9)
    assert (plain["baseline"]["class"], plain["baseline"]["accuracy"]) == ("a", 0.75)
    assert (weighed["baseline"]["class"], weighed["baseline"]["accuracy"]) == ("b", 6 / 9)
    assert "the class with the most weight" in weighed["baseline"]["name"]
    losses = -np.log([0.9, 0.8, 0.1, 0.8])
    assert weighed["metrics"]["log_loss"] == pytest.approx(np.sum(losses * weights) / 9)
    # Recall of 'a': 2 of its 3 weight; of 'b': all of it.
    assert weighed["metrics"]["balanced_accuracy"] == pytest.approx((2 / 3 + 1) / 2)
    assert weighed["per_class"][1] == pytest.approx(
        {"class": "b", "precision": 6 / 7, "recall": 1.0, "f1": 12 / 13, "support": 1, "weight": 6}
    )
    assert weighed["weighted"] is True and "weighted" not in plain
    # Regression: the baseline is the weighted training mean the caller passes.
    values, predicted = np.array([1.0, 2.0, 10.0]), np.array([1.0, 3.0, 6.0])
    regression = evaluate_predictions(
        Task.REGRESSION, values, predicted, None, 8.0, weights=np.array([1.0, 1.0, 2.0])
    )
    assert regression["metrics"]["mae"] == pytest.approx((0 + 1 + 2 * 4) / 4)
    assert regression["metrics"]["rmse"] == pytest.approx(np.sqrt((0 + 1 + 2 * 16) / 4))
    assert regression["baseline"]["mae"] == pytest.approx((7 + 6 + 2 * 2) / 4)
    assert regression["baseline"]["name"] == "always the weighted training mean"


@pytest.mark.parametrize("task", [Task.BINARY, Task.MULTICLASS, Task.REGRESSION])
def test_weights_of_one_change_no_score(task):
    rng = np.random.default_rng(1)
    rows = 300
    if task is Task.REGRESSION:
        y, output, names = rng.normal(size=rows), rng.normal(size=rows), None
    elif task is Task.BINARY:
        y, output, names = rng.integers(0, 2, rows), rng.random(rows), ["a", "b"]
    else:
        y, names = rng.integers(0, 3, rows), ["a", "b", "c"]
        output = rng.dirichlet(np.ones(3), rows)
    plain = evaluate_predictions(task, y, output, names, 0.1)
    ones = evaluate_predictions(task, y, output, names, 0.1, weights=np.ones(rows))
    assert ones["metrics"] == pytest.approx(plain["metrics"])
    numbers = {k: v for k, v in plain["baseline"].items() if isinstance(v, float)}
    assert {k: ones["baseline"][k] for k in numbers} == pytest.approx(numbers)
    for name, curve in plain.get("roc", {}).items():
        assert ones["roc"][name]["auc"] == pytest.approx(curve["auc"])
        assert ones["roc"][name]["tpr"] == pytest.approx(curve["tpr"])
        assert ones["pr"][name]["average_precision"] == pytest.approx(
            plain["pr"][name]["average_precision"]
        )


def test_weights_that_double_rows_score_as_doubled_rows():
    """A weight of 2 is a row counted twice, curves and areas included."""
    rng = np.random.default_rng(2)
    y, score = rng.integers(0, 2, 200), rng.random(200)
    weights = rng.integers(1, 4, 200).astype(float)
    repeated = np.repeat(np.arange(200), weights.astype(int))
    weighed = evaluate_predictions(Task.BINARY, y, score, ["a", "b"], weights=weights)
    copied = evaluate_predictions(Task.BINARY, y[repeated], score[repeated], ["a", "b"])
    assert weighed["metrics"] == pytest.approx(copied["metrics"])
    assert weighed["pr"]["b"]["average_precision"] == pytest.approx(
        copied["pr"]["b"]["average_precision"]
    )


def test_the_verdict_says_the_figures_are_weighted():
    y = np.array([0, 0, 0, 1])
    weighed = evaluate_predictions(
        Task.BINARY, y, np.array([0.1, 0.2, 0.9, 0.8]), ["a", "b"], weights=[1.0, 1, 1, 6]
    )
    weighed["weighted_by"] = "fnlwgt"
    verdict = baseline_verdict(weighed)
    assert verdict["headline"] == (
        "Right on 89 % of test rows, weighted by fnlwgt; always guessing the class with the "
        "most weight (‘b’) gets 67 %."
    )
    regression = {
        "task": "regression",
        "weighted_by": "perwt",
        "metrics": {"mae": 2.0},
        "baseline": {"mae": 5.0},
    }
    assert baseline_verdict(regression)["headline"] == (
        "Off by 2.0 on average (mean absolute error, weighted by perwt); always guessing the "
        "weighted mean is off by 5.0."
    )


# ---------------------------------------------------------------- the classical reference


def test_the_classical_reference_fits_and_scores_with_the_weights(survey_csv):
    from dlstudio.core.engine.classic import classic_reference

    weighted = _prepared(survey_csv)
    plain = _prepared(survey_csv, role="leave_out")
    ours = classic_reference(weighted, None, keep_fitted=True)
    theirs = classic_reference(plain, None, keep_fitted=True)
    assert ours["name"] == theirs["name"] == "Gradient boosting"
    # Scored weighted: its own test output, weighed by hand.
    probabilities = ours["fitted"].outputs(weighted.x["test"])["probabilities"]
    right = probabilities.argmax(axis=1) == weighted.y["test"]
    w = weighted.weights("test")
    assert ours["metrics"]["accuracy"] == pytest.approx(np.sum(right * w) / np.sum(w))
    # Fitted weighted: 'yes' (80 % of the weight, 30 % of the rows) is predicted far more.
    said_yes = {
        name: float(np.mean(r["fitted"].outputs(weighted.x["test"])["probabilities"][:, 1] > 0.5))
        for name, r in (("weighted", ours), ("plain", theirs))
    }
    assert said_yes["weighted"] > 0.5 > said_yes["plain"]
