"""An average of the best trials: chosen on the validation split only when it does better, saved
as one model that reloads in safe mode, predicts the average of its members (in the user's units
for numbers), exports in every format, and is said plainly."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import keras
import keras_tuner as kt
import numpy as np
import pytest

from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.data import SplitSpec, Task, load_dataset
from dlstudio.core.data.prepare import prepare
from dlstudio.core.engine import ensemble
from dlstudio.core.engine.ensemble import ensemble_network, greedy_selection, members_text
from dlstudio.core.events import TrialRecord, TrialStatus
from dlstudio.core.export import export_run, inference_model, load_model, predict_arrays
from dlstudio.core.export.feed import batches
from dlstudio.core.models.hypermodel import TemplateHyperModel
from dlstudio.core.models.space import default_space

DIAMONDS = Path(__file__).resolve().parents[2] / "data" / "diamonds_600.csv"


def _accuracy(y):
    return lambda probabilities: float(np.mean(probabilities.argmax(1) == y))


def test_the_selection_adds_a_trial_that_fixes_the_best_ones_mistakes():
    y = np.array([0, 1, 1, 0])
    best = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]])  # 2 of 4 right
    fixes = np.array([[0.8, 0.2], [0.4, 0.6], [0.1, 0.9], [0.9, 0.1]])  # all right
    useless = np.array([[0.5, 0.5]] * 4)
    chosen, score = greedy_selection([best, useless, fixes], _accuracy(y), "max")
    assert 2 in chosen and 1 not in chosen
    assert score == 1.0


def test_the_selection_keeps_the_best_trial_alone_when_no_average_helps():
    y = np.array([0, 1])
    best = np.array([[0.9, 0.1], [0.1, 0.9]])
    worse = np.array([[0.1, 0.9], [0.9, 0.1]])
    log_loss = lambda p: float(-np.mean(np.log(p[np.arange(2), y])))  # noqa: E731
    chosen, score = greedy_selection([best, worse], log_loss, "min")
    assert chosen == [0] and score == pytest.approx(log_loss(best))


def test_an_average_barely_better_on_validation_is_not_worth_keeping():
    y = np.array([0, 1])
    best = np.array([[0.8, 0.2], [0.3, 0.7]])
    close = np.array([[0.7, 0.3], [0.2, 0.8]])  # as good alone; averaged: 0.8 % lower log loss
    log_loss = lambda p: float(-np.mean(np.log(p[np.arange(2), y])))  # noqa: E731
    assert log_loss((best + close) / 2) < log_loss(best)
    chosen, score = greedy_selection([best, close], log_loss, "min")
    assert chosen == [0] and score == pytest.approx(log_loss(best))


def test_members_are_named_as_trials_people_read():
    candidates = [
        ensemble.Candidate("06", 7, None, None),
        ensemble.Candidate("02", 3, None, None),
        ensemble.Candidate("08", 9, None, None),
    ]
    assert members_text([0, 1, 2], candidates) == "trials 3, 7 and 9"
    assert members_text([0, 0, 2], candidates) == "trials 7 (counted twice) and 9"


def _record(number, score, status=TrialStatus.COMPLETED, settings=None):
    settings = {"units": number} if settings is None else settings  # one configuration each
    return TrialRecord(f"{number:02d}", number, status, settings, score=score, best_epoch=0)


def _three_class_validation():
    return SimpleNamespace(
        task=Task.MULTICLASS,
        class_names=["a", "b", "c"],
        y={"train": np.array([0, 1, 2]), "validation": np.array([0, 1, 2, 2])},
        weights=lambda split: None,  # every row counts once (no weight column)
        baseline_mean=lambda: 0.0,
    )


# Validation rows are classes 0, 1, 2, 2: trial 1 gets the last two wrong, trial 2 the first
# two, so that their average gets all four right.
STORED = {
    "01": np.array([[0.6, 0.1, 0.3], [0.1, 0.6, 0.3], [0.1, 0.6, 0.3], [0.6, 0.1, 0.3]]),
    "02": np.array([[0.3, 0.3, 0.4], [0.3, 0.3, 0.4], [0.1, 0.1, 0.8], [0.1, 0.1, 0.8]]),
    "03": np.full((4, 3), 1 / 3),
}


def _choose(records, seconds_left, rebuilt):
    return ensemble.try_ensemble(
        records,
        records[0],
        "trial 1's network",
        STORED.get,
        lambda trial_id: rebuilt.append(trial_id) or keras.Sequential(),
        _three_class_validation(),
        "val_accuracy",
        lambda: seconds_left,
        seconds_per_member=(1.0, 1.0),
    )


def test_an_average_that_validates_better_is_skipped_when_the_budget_is_ending():
    records = [_record(1, 0.5), _record(2, 0.5), _record(3, 0.25)]
    rebuilt = []
    network, account = _choose(records, 0.5, rebuilt)
    assert network is None and rebuilt == []  # the best trial alone, nothing rebuilt
    assert "trials 1 and 2 validated better (100.0 % vs 50.0 %)" in account["text"]
    assert "the budget was ending, so the model is trial 1 alone" in account["text"]
    assert not account["kept"]


def test_one_finished_trial_is_the_model_without_a_word_about_averages():
    records = [_record(1, 0.5), _record(2, 0.9, TrialStatus.CUT_SHORT)]
    network, account = _choose(records, None, [])
    assert network is None and account is None


def test_an_average_surer_on_classes_but_right_on_fewer_rows_is_not_kept():
    # Trial 1 is right on 3 of the 4 validation rows but sure of a wrong class on the last;
    # averaging trial 2 in halves the log loss there yet flips the first row to wrong.
    stored = {
        "01": np.array([[0.4, 0.35, 0.25], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6], [0.98, 0.01, 0.01]]),
        "02": np.array([[0.05, 0.9, 0.05], [0.5, 0.3, 0.2], [0.5, 0.3, 0.2], [0.6, 0.1, 0.3]]),
    }
    records = [_record(1, 1.64), _record(2, 1.75)]
    rebuilt = []
    network, account = ensemble.try_ensemble(
        records,
        records[0],
        "trial 1's network",
        stored.get,
        lambda trial_id: rebuilt.append(trial_id) or keras.Sequential(),
        _three_class_validation(),
        "val_loss",
        lambda: None,
        seconds_per_member=(1.0, 1.0),
    )
    assert network is None and rebuilt == [] and not account["kept"]
    assert "right on fewer validation rows (50.0% vs 75.0%)" in account["text"]


def _repeats(second_right: float):
    """Two trainings of one configuration on the 4 validation rows: the first gives the right
    class 0.7 each time, the second `second_right`."""
    y = _three_class_validation().y["validation"]

    def output(right):
        out = np.full((4, 3), (1 - right) / 2)
        out[np.arange(4), y] = right
        return out

    return {"01": output(0.7), "02": output(second_right)}


@pytest.mark.parametrize("second_right, kept", [(0.695, True), (0.4, False)])
def test_trainings_of_one_configuration_are_averaged_unless_one_drags_the_average(
    second_right, kept, monkeypatch
):
    monkeypatch.setattr(ensemble, "ensemble_network", lambda nets, counts, data: (nets, False))
    same = {"units": 64}
    records = [_record(1, 0.36, settings=same), _record(2, 0.39, settings=same)]
    network, account = ensemble.try_ensemble(
        records,
        records[0],
        "trial 1's network",
        _repeats(second_right).get,
        lambda trial_id: keras.Sequential(),
        _three_class_validation(),
        "val_loss",
        lambda: None,
        seconds_per_member=(1.0, 1.0),
    )
    assert account["kept"] is kept and (network is not None) is kept
    if kept:
        # Not 2 % better than trial 1 alone (a mixed average would not be kept), but better
        # than one training on average: the variance an average of repeats takes away.
        assert [m["trial_id"] for m in account["members"]] == ["01", "02"]
        assert (
            "an average of 2 trainings of one configuration (trials 1 and 2)" in (account["text"])
        )
        assert "for one of them on average" in account["text"]
    else:
        assert "the model is that trial" in account["text"]


def _members(data, count=2, epochs=1):
    """Small trained networks of one template, as a search's trials would be."""
    hypermodel = TemplateHyperModel(data, "mlp", default_space("mlp", data.task.value))
    networks = []
    for seed in range(count):
        keras.utils.set_random_seed(seed)
        hp = kt.HyperParameters()
        hp.Fixed("units", 32 * (seed + 1))
        model = hypermodel.build(hp)
        model.fit(batches(data, "train", 32), epochs=epochs, verbose=0)
        networks.append(model)
    return networks


def test_a_classification_ensemble_reloads_as_one_model_and_predicts_its_members_average(
    penguins_csv, tmp_path
):
    data = prepare(load_dataset(penguins_csv, target="species"), SplitSpec())
    networks = _members(data)
    sample = {name: values[:8] for name, values in data.x["test"].items()}
    alone = [predict_arrays(inference_model(n, data), sample)["probabilities"] for n in networks]
    combined, _ = ensemble_network(networks, [2, 1], data)
    path = tmp_path / "model.keras"
    inference_model(combined, data).save(path)

    reloaded = keras.saving.load_model(path, safe_mode=True)
    outputs = predict_arrays(reloaded, sample)
    expected = (2 * alone[0] + alone[1]) / 3
    np.testing.assert_allclose(outputs["probabilities"], expected, atol=1e-5)
    labels = [v.decode() if isinstance(v, bytes) else v for v in outputs["label"].reshape(-1)]
    assert labels == [data.class_names[i] for i in expected.argmax(1)]


def test_a_regression_ensemble_predicts_prices_in_dollars(tmp_path):
    data = prepare(load_dataset(DIAMONDS, target="price"), SplitSpec())
    assert data.target_scaling is not None  # the network learns a scaled target
    networks = _members(data, epochs=3)
    sample = {name: values[:8] for name, values in data.x["test"].items()}
    alone = [predict_arrays(inference_model(n, data), sample)["value"] for n in networks]
    combined, in_user_units = ensemble_network(networks, [1, 1], data)
    path = tmp_path / "model.keras"
    inference_model(combined, data, in_user_units=in_user_units).save(path)

    value = predict_arrays(keras.saving.load_model(path, safe_mode=True), sample)["value"]
    # The average of the members' prices, not of their scaled outputs turned into a price.
    np.testing.assert_allclose(value, (alone[0] + alone[1]) / 2, rtol=1e-4)
    assert np.all(value > 100)  # dollars (the cheapest diamond is 326), not standard deviations


@pytest.mark.slow
def test_a_search_saves_an_ensemble_that_exports_in_every_format_and_says_so(
    penguins_csv, tmp_path, monkeypatch
):
    # Which trials average better is up to the data; here the selection always takes two, so
    # that the saving, the card and every export of an ensemble are what is tested.
    def take_the_best_two(outputs, score, direction, rounds=8):
        return [0, 1], score((outputs[0] + outputs[1]) / 2)

    monkeypatch.setattr(ensemble, "greedy_selection", take_the_best_two)
    spec = RunSpec(
        DataSpec(str(penguins_csv), target="species"),
        # GELU does not convert to ONNX (tf2onnx lacks Erfc), ensemble or not: kept out here.
        model=ModelSpec(hyperparameters={"activation": "relu"}),
        train=TrainSpec(epochs=3, patience=3),
        search=SearchSpec("random", max_trials=3),
    )
    from dlstudio.core.engine.run import start_run

    run = start_run(spec, tmp_path / "p")
    account = run.evaluation()["ensemble"]
    assert account["kept"] and len(account["members"]) == 2
    numbers = sorted(m["number"] for m in account["members"])
    assert f"an average of trials {numbers[0]} and {numbers[1]}" in account["text"]
    assert account["text"] in (run.path / "model_card.md").read_text()
    assert json.loads((run.path / "model_card.json").read_text())["ensemble"]["kept"]
    assert account["text"] in run.state()["message"]
    assert account["text"] in run.log_path.read_text()

    loaded = load_model(run.path)
    assert any(layer.name == "average" for layer in loaded.model.layers)
    exported = export_run(run.path, None, tmp_path / "out")  # each one checked on reload
    assert {f.format for f in exported} >= {"keras"}
    assert all(f.max_difference is not None and f.max_difference < 1e-4 for f in exported)


@pytest.mark.slow
def test_without_ensembling_the_model_is_the_best_trial(penguins_csv, tmp_path):
    spec = RunSpec(
        DataSpec(str(penguins_csv), target="species"),
        train=TrainSpec(epochs=2, patience=2),
        search=SearchSpec("random", max_trials=2, ensemble=False),
    )
    from dlstudio.core.engine.run import start_run

    run = start_run(spec, tmp_path / "p")
    assert "ensemble" not in run.evaluation()
    assert not any(layer.name == "average" for layer in load_model(run.path).model.layers)


@pytest.mark.slow
def test_an_ensemble_that_fails_to_build_leaves_the_best_trial_as_the_model(
    penguins_csv, tmp_path, monkeypatch
):
    def take_the_best_two(outputs, score, direction, rounds=8):
        return [0, 1], score((outputs[0] + outputs[1]) / 2)

    def broken(*args):
        raise RuntimeError("no room for another layer")

    monkeypatch.setattr(ensemble, "greedy_selection", take_the_best_two)
    monkeypatch.setattr(ensemble, "ensemble_network", broken)
    spec = RunSpec(
        DataSpec(str(penguins_csv), target="species"),
        train=TrainSpec(epochs=2, patience=2),
        search=SearchSpec("random", max_trials=2),
    )
    from dlstudio.core.engine.run import start_run

    run = start_run(spec, tmp_path / "p")
    account = run.evaluation()["ensemble"]
    assert not account["kept"]
    assert "Averaging the best trials failed (RuntimeError" in account["text"]
    assert run.model_path.exists() and run.state()["status"] == "completed"
