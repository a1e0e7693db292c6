"""The Mistakes and Threshold tabs of Results, on run folders holding small real test (and
validation) outcomes (written as the engine writes them; no training needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from dlstudio.core import test_predictions as tp
from dlstudio.core import threshold as th
from dlstudio.core.data import Task
from dlstudio.core.engine.evaluate import evaluate_predictions
from dlstudio.core.project import RunFolder
from dlstudio.core.verdict import baseline_verdict
from tests.conftest import SAMPLES


def _run(tmp_path, frame: pd.DataFrame, names, task: Task, kept=True, validation=None) -> RunFolder:
    """A run folder with test predictions (and `validation` predictions when given), its
    evaluation and model card, as a run leaves."""
    folder = tmp_path / "runs" / "r1"
    folder.mkdir(parents=True)
    index = {n: i for i, n in enumerate(names)}
    y = frame["true"].map(index).to_numpy()
    probabilities = frame[[tp.PROBABILITY + n for n in names]].to_numpy()
    output = probabilities[:, 1] if task is Task.BINARY else probabilities
    evaluation = evaluate_predictions(task, y, output, list(names))
    evaluation["verdict"] = baseline_verdict(evaluation)
    (folder / "evaluation.json").write_text(json.dumps(evaluation))
    card = {"task": task.value, "target": "label", "class_names": list(names), "kind": "table"}
    (folder / "model_card.json").write_text(json.dumps(card))
    (folder / "model_card.md").write_text("# Model card\n\n## Inputs and outputs\n")
    if kept:
        tp.write_test_predictions(folder, frame)
    if validation is not None:
        tp.write_test_predictions(folder, validation, "validation")
    return RunFolder(folder)


def _outcomes(names, truth_codes, probabilities, **source) -> pd.DataFrame:
    names = np.asarray(names, dtype=object)
    chosen = probabilities.argmax(axis=1)
    frame = pd.DataFrame(source)
    frame["true"] = names[truth_codes]
    frame["predicted"] = names[chosen]
    frame["confidence"] = probabilities.max(axis=1)
    for i, name in enumerate(names):
        frame[tp.PROBABILITY + name] = probabilities[:, i]
    return frame


@pytest.fixture
def cancer_outcomes():
    """The real breast-cancer table, with a probability of 'malignant' that follows one of its
    columns (an honest, imperfect score)."""
    table = pd.read_csv(SAMPLES / "tabular" / "breast_cancer_wisconsin.csv").head(120)
    score = table["worst concave points"].rank(pct=True).to_numpy()
    probabilities = np.stack([1 - score, score], axis=1)
    truth = (table["diagnosis"] == "malignant").astype(int).to_numpy()
    frame = _outcomes(["benign", "malignant"], truth, probabilities, row=np.arange(1, 121))
    frame["value:worst concave points"] = table["worst concave points"]
    return frame


@pytest.fixture
def cancer_validation_outcomes():
    """The next 51 rows of the same table as validation outcomes, scored by another column
    (so that the validation and test figures differ at every threshold)."""
    table = pd.read_csv(SAMPLES / "tabular" / "breast_cancer_wisconsin.csv").iloc[120:171]
    score = table["mean texture"].rank(pct=True).to_numpy()
    probabilities = np.stack([1 - score, score], axis=1)
    truth = (table["diagnosis"] == "malignant").astype(int).to_numpy()
    return _outcomes(["benign", "malignant"], truth, probabilities)


@pytest.fixture
def penguin_outcomes():
    table = pd.read_csv(SAMPLES / "tabular" / "palmer_penguins.csv").dropna()
    table = table.sample(90, random_state=0)
    names = sorted(table["species"].unique())
    rng = np.random.default_rng(0)
    truth = table["species"].map({n: i for i, n in enumerate(names)}).to_numpy()
    logits = rng.normal(size=(len(table), len(names))) + 1.5 * np.eye(len(names))[truth]
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    frame = _outcomes(names, truth, probabilities, row=np.arange(1, len(table) + 1))
    for column in ("island", "bill_length_mm", "body_mass_g"):
        frame["value:" + column] = table[column].to_numpy()
    return frame, names


def _matrix(view) -> list[list[int]]:
    return [[int(view.matrix.item(i, j).text()) for j in range(2)] for i in range(2)]


def test_the_threshold_is_chosen_on_validation_rows_and_reported_on_test_rows(
    qtbot, tmp_path, cancer_outcomes, cancer_validation_outcomes
):
    from dlstudio.gui.wizard.threshold import ThresholdView

    names = ["benign", "malignant"]
    run = _run(tmp_path, cancer_outcomes, names, Task.BINARY, validation=cancer_validation_outcomes)
    view = ThresholdView()
    qtbot.addWidget(view)
    view.set_run(run)
    view.show()
    choose = th.Rows("validation", *tp.positive_probability(cancer_validation_outcomes)[:2])
    test = th.Rows("test", *tp.positive_probability(cancer_outcomes)[:2])
    assert "The figures below are <b>on the 51 validation rows, used to choose</b>" in (
        view.intro.text()
    )
    assert view.value.text() == "0.50"
    assert _matrix(view) == choose.at(0.5).matrix != test.at(0.5).matrix
    at_default = _matrix(view)
    # The test rows report apart, at the threshold kept (none yet: the default).
    report = view.report.text()
    assert "Honest estimate, at the default (0.5), as none is kept yet" in report
    assert "At 0.5, on the 120 test rows, which played no part in choosing: catches " in report

    view.slider.setValue(20)  # as dragging it there would
    low = choose.at(0.2)
    assert _matrix(view) == low.matrix != at_default
    assert view.trade.text().startswith("Flags more rows as 'malignant'")
    assert f"{low.recall * 100:.0f} %" in view.measure_values["recall"].text()
    assert "Not kept yet" in view.status.text()
    assert view.report.text() == report  # moving the slider never shows the test rows

    qtbot.mouseClick(view.use, Qt.MouseButton.LeftButton)
    assert th.saved_threshold(run.path) == 0.2
    kept = json.loads((run.path / "model_card.json").read_text())["decision_threshold"]
    assert kept["threshold"] == 0.2 and kept["chosen_on"] == "validation"
    assert kept["validation_split"]["tp"] == low.tp and kept["test_split"]["tp"] == test.at(0.2).tp
    assert "Kept with the run" in view.status.text()
    reported = test.at(0.2)
    assert "Honest estimate, at the threshold kept (0.2)" in view.report.text()
    assert (
        f"At 0.2, on the 120 test rows, which played no part in choosing: catches "
        f"{reported.recall * 100:.0f} % of the &#x27;malignant&#x27; rows" in view.report.text()
    )
    card = (run.path / "model_card.md").read_text()
    assert "- Chosen on the 51 validation rows" in card and "- On the 120 test rows" in card

    again = ThresholdView()
    qtbot.addWidget(again)
    again.set_run(run)
    assert again.value.text() == "0.20" and _matrix(again) == low.matrix


def test_a_run_without_validation_predictions_chooses_on_test_rows_and_says_so(
    qtbot, tmp_path, cancer_outcomes
):
    from dlstudio.gui.wizard.threshold import ThresholdView

    run = _run(tmp_path, cancer_outcomes, ["benign", "malignant"], Task.BINARY)
    view = ThresholdView()
    qtbot.addWidget(view)
    view.set_run(run)
    truth, probability, _ = tp.positive_probability(cancer_outcomes)
    assert _matrix(view) == th.at_threshold(truth, probability, 0.5).matrix
    intro = view.intro.text()
    assert "on the 120 test rows, which are also the rows that report" in intro
    assert "flatter the threshold" in intro
    report = view.report.text()
    assert "Honest estimate" not in report and "optimistic" in report
    view.slider.setValue(30)
    qtbot.mouseClick(view.use, Qt.MouseButton.LeftButton)
    kept = json.loads((run.path / "model_card.json").read_text())["decision_threshold"]
    assert kept["chosen_on"] == "test" and "validation_split" not in kept
    assert "At 0.3, on the 120 test rows, which were also used to choose" in view.report.text()


def test_clicking_a_confusion_cell_opens_its_mistakes(qtbot, tmp_path, penguin_outcomes):
    from dlstudio.gui.wizard.results_page import ResultsPage

    frame, names = penguin_outcomes
    run = _run(tmp_path, frame, names, Task.MULTICLASS)
    page = ResultsPage()
    qtbot.addWidget(page)
    page.resize(1400, 800)
    page.show()
    page.show_run(run)
    assert not page.tabs.isTabVisible(page.tabs.indexOf(page.threshold))  # three classes
    true, predicted, count = tp.mistake_cells(frame)[0]
    row, column = names.index(true), names.index(predicted)
    plot = page.confusion
    qtbot.waitUntil(lambda: plot.isVisible() and plot.width() > 100)
    scene_point = plot.plotItem.vb.mapViewToScene(pg_point(column + 0.5, row + 0.5))
    where = plot.mapFromScene(scene_point)
    QTest.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(where.x(), where.y()))

    assert page.tabs.currentWidget() is page.mistakes
    shown = page.mistakes.shown
    assert len(shown) == count
    assert (shown["true"] == true).all() and (shown["predicted"] == predicted).all()
    assert shown["confidence"].is_monotonic_decreasing
    table = page.mistakes.rows
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[:4] == ["Row in the file", "True class", "Predicted", "Sure of it"]
    assert "island" in headers and table.rowCount() == count
    assert table.item(0, 1).text() == true


def pg_point(x, y):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def test_a_run_from_before_says_to_train_again(qtbot, tmp_path, cancer_outcomes):
    from dlstudio.gui.wizard.results_page import ResultsPage

    run = _run(tmp_path, cancer_outcomes, ["benign", "malignant"], Task.BINARY, kept=False)
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show()
    page.show_run(run)
    page.tabs.setCurrentWidget(page.mistakes)  # a tab is filled when it is picked
    assert page.mistakes.message.text() == tp.NOT_KEPT
    page.tabs.setCurrentWidget(page.threshold)
    assert page.threshold.message.text() == tp.NOT_KEPT
    assert page.mistakes.stack.currentWidget() is page.mistakes.message


def test_image_mistakes_are_thumbnails_and_texts_are_listed(qtbot, tmp_path):
    from dlstudio.gui.wizard.mistakes import MistakesView

    files = sorted((SAMPLES / "image" / "sklearn_digits").rglob("*.png"))[::40][:30]
    names = sorted({f.parent.name for f in files})
    truth = np.array([names.index(f.parent.name) for f in files])
    rng = np.random.default_rng(1)
    probabilities = rng.dirichlet(np.ones(len(names)), size=len(files))
    frame = _outcomes(names, truth, probabilities, file=[str(f) for f in files])
    view = MistakesView()
    qtbot.addWidget(view)
    view.set_run(_run(tmp_path / "images", frame, names, Task.MULTICLASS))
    view.wait()
    qtbot.waitUntil(lambda: not view.images.item(0).icon().isNull())
    wrong = int((frame["true"] != frame["predicted"]).sum())
    assert view.stack.currentWidget() is view.images and view.images.count() == wrong
    assert "→" in view.images.item(0).text() and "sure" in view.images.item(0).text()

    texts = ["Free prize! Call now", "see you at lunch", "<b>WIN</b> cash", "ok thanks"]
    frame = _outcomes(
        ["ham", "spam"],
        np.array([1, 0, 1, 0]),
        np.array([[0.8, 0.2], [0.3, 0.7], [0.9, 0.1], [0.6, 0.4]]),
        text=texts,
    )
    view.set_run(_run(tmp_path / "texts", frame, ["ham", "spam"], Task.BINARY))
    assert view.stack.currentWidget() is view.rows and view.rows.rowCount() == 3
    # The most confident wrong answer first; markup in a text is shown as typed.
    assert view.rows.item(0, 0).text() == "<b>WIN</b> cash"
    assert [view.choice.itemText(i) for i in range(view.choice.count())] == [
        "All mistakes (3)",
        "True 'spam', predicted 'ham' (2)",
        "True 'ham', predicted 'spam' (1)",
    ]
    view.show_cell("ham", "spam")
    assert view.rows.rowCount() == 1 and view.rows.item(0, 0).text() == "see you at lunch"


def test_regression_shows_the_rows_it_is_furthest_off_on(qtbot, tmp_path):
    from dlstudio.core.project import RunFolder
    from dlstudio.gui.wizard.mistakes import MistakesView

    cars = pd.read_csv(Path(__file__).parents[1] / "data" / "auto_mpg.csv").head(40)
    predicted = cars["mpg"].to_numpy() + np.linspace(-3, 5, len(cars))
    frame = pd.DataFrame(
        {
            "row": np.arange(1, len(cars) + 1),
            "true": cars["mpg"],
            "predicted": predicted,
            "error": predicted - cars["mpg"],
            "value:weight": cars["weight"],
        }
    )
    (tmp_path / "run").mkdir()
    tp.write_test_predictions(tmp_path / "run", frame)
    view = MistakesView()
    qtbot.addWidget(view)
    view.set_run(RunFolder(tmp_path / "run"))
    table = view.rows
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["Row in the file", "Actual", "Predicted", "Error", "weight"]
    assert table.item(0, 0).text() == str(len(cars))  # the last row is off by 5, the most
    assert table.item(0, 3).text() == "5"
