"""Every test row's outcome is kept with the run, traced back to its row in the user's file, and
a kept decision threshold reaches the exported model card and `predict`'s labels."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dlstudio.core import test_predictions as tp
from dlstudio.core import threshold as th
from dlstudio.core.config import DataSpec, RunSpec, TrainSpec
from dlstudio.core.data import Task
from dlstudio.core.data.prepare import FeatureInput, PreparedData
from dlstudio.core.engine.run import start_run
from dlstudio.core.engine.test_rows import outcomes_frame
from tests.conftest import SAMPLES

PENGUINS = SAMPLES / "tabular" / "palmer_penguins.csv"
CANCER = SAMPLES / "tabular" / "breast_cancer_wisconsin.csv"


def _train(path, target, folder):
    spec = RunSpec(DataSpec(str(path), target=target), train=TrainSpec(epochs=2, patience=2))
    return start_run(spec, folder)


@pytest.fixture(scope="module")
def penguins_run(tmp_path_factory):
    return _train(PENGUINS, "species", tmp_path_factory.mktemp("penguins"))


@pytest.fixture(scope="module")
def cancer_run(tmp_path_factory):
    return _train(CANCER, "diagnosis", tmp_path_factory.mktemp("cancer"))


@pytest.mark.slow
def test_each_test_row_is_kept_and_traced_to_its_row_in_the_file(penguins_run):
    frame = tp.read_test_predictions(penguins_run.path)
    evaluation = penguins_run.evaluation()
    assert len(frame) == evaluation["rows"]
    names = evaluation["class_names"]
    assert tp.class_names(frame) == names
    # The same outcomes as the confusion matrix the Results page shows.
    counts = pd.crosstab(frame["true"], frame["predicted"]).reindex(
        index=names, columns=names, fill_value=0
    )
    assert counts.to_numpy().tolist() == evaluation["confusion_matrix"]
    probabilities = frame[[tp.PROBABILITY + n for n in names]].to_numpy()
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-4)
    assert np.allclose(probabilities.max(axis=1), frame["confidence"])
    # Row numbers count the file's data rows from 1; the kept values are that row's.
    original = pd.read_csv(PENGUINS)
    rows = frame["row"].astype(int).to_numpy()
    assert rows.min() >= 1 and rows.max() <= len(original) and len(set(rows)) == len(rows)
    assert (original["species"].iloc[rows - 1].astype(str).to_numpy() == frame["true"]).all()
    assert np.allclose(
        pd.to_numeric(frame["value:bill_length_mm"]),
        original["bill_length_mm"].iloc[rows - 1],
        equal_nan=True,
    )
    mistakes = tp.mistakes(frame)
    assert (mistakes["true"] != mistakes["predicted"]).all()
    assert mistakes["confidence"].is_monotonic_decreasing


@pytest.mark.slow
def test_a_kept_threshold_is_in_the_exported_card_and_labels_predictions(cancer_run, tmp_path):
    from dlstudio.core.export import export_run, predict_file

    frame = tp.read_test_predictions(cancer_run.path)
    truth, probability, names = tp.positive_probability(frame)
    assert names == ["benign", "malignant"] and len(truth) == cancer_run.evaluation()["rows"]

    before = predict_file(cancer_run.path, CANCER)
    assert "decision_threshold" not in before.columns
    p = before["probability_malignant"].to_numpy()
    t = min(max(round(float(np.median(p)), 2), 0.01), 0.99)  # half the rows either side
    th.save_threshold(cancer_run.path, t, th.at_threshold(truth, probability, t), names)

    after = predict_file(cancer_run.path, CANCER)
    assert (after["decision_threshold"] == t).all()
    assert after["predicted_diagnosis"].tolist() == np.where(p >= t, "malignant", "benign").tolist()

    export_run(cancer_run.path, ["keras"], tmp_path / "export")
    card = json.loads((tmp_path / "export" / "model_card.json").read_text())
    assert card["decision_threshold"]["threshold"] == t
    text = (tmp_path / "export" / "model_card.md").read_text()
    assert f"at least **{t:g}**" in text


def _prepared(kind, column, values, y, class_names, task):
    source = pd.DataFrame({column: values, "label": y}, index=[7, 3, 12][: len(values)])
    spec = FeatureInput(column, "image" if kind == "images" else "text", kind.rstrip("s"))
    return PreparedData(
        kind,
        task,
        "label",
        [spec],
        class_names,
        {},
        {"test": np.asarray(y)},
        None,
        test_frame=source,
    )


def test_images_are_traced_to_their_files_and_texts_kept_short():
    data = _prepared(
        "images",
        "path",
        ["/d/cat/1.png", "/d/dog/2.png", "/d/cat/3.png"],
        [0, 1, 0],
        ["cat", "dog", "eel"],
        Task.MULTICLASS,
    )
    probabilities = np.array([[0.7, 0.2, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    frame = outcomes_frame(data, probabilities)
    assert frame["file"].tolist() == ["/d/cat/1.png", "/d/dog/2.png", "/d/cat/3.png"]
    assert frame["predicted"].tolist() == ["cat", "cat", "eel"]
    assert tp.mistakes(frame)["file"].tolist() == [
        "/d/cat/3.png",
        "/d/dog/2.png",
    ]

    long = "word " * 500
    data = _prepared("text", "message", [long, "hi\nthere"], [1, 0], ["ham", "spam"], Task.BINARY)
    frame = outcomes_frame(data, np.array([0.2, 0.9]))  # the positive class's probability
    assert len(frame["text"][0]) <= tp.TEXT_CHARS and frame["text"][0].endswith("…")
    assert frame["text"][1] == "hi there"
    assert frame["predicted"].tolist() == ["ham", "spam"]
    assert frame[tp.PROBABILITY + "spam"].tolist() == pytest.approx([0.2, 0.9])


def test_regression_keeps_values_and_errors_largest_first():
    data = _prepared("table", "x", [1.0, 2.0, 3.0], [10.0, 20.0, 30.0], None, Task.REGRESSION)
    data.inputs[0].kind = "numeric"
    frame = outcomes_frame(data, np.array([11.0, 26.0, 29.0]))
    assert frame["row"].tolist() == [8, 4, 13]  # the rows' positions, counted from 1
    assert frame["error"].tolist() == pytest.approx([1.0, 6.0, -1.0])
    assert frame["value:x"].tolist() == [1.0, 2.0, 3.0]
    assert tp.mistakes(frame)["row"].tolist()[0] == 4
