"""Plain words a first-time user reads: the Results verdict in percentages, class names such as
"<=50K" shown as themselves, and a Model step without the engine's internal names."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel

from dlstudio.core.config import DataSpec
from dlstudio.core.data import load_dataset
from dlstudio.core.events import TrialRecord
from dlstudio.gui.wizard.model_page import ModelPage, parse_range
from dlstudio.gui.wizard.results_page import ResultsPage


def _shown(label: QLabel) -> str:
    """What the label shows on screen (its rich text rendered)."""
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


class _Run:
    """A finished run folder, as the Results page reads one."""

    id = "20261202-141357-tune"
    path = Path("/nonexistent/dlstudio-test-run")  # no files: Try it and Mistakes stay empty

    def __init__(self, evaluation: dict, trials: int = 4, best: str = "2") -> None:
        self._evaluation = evaluation
        self._trials = [_record(str(i), i + 1) for i in range(trials)]
        self._best = best

    def evaluation(self):
        return self._evaluation

    def state(self):
        return {"status": "time_limit", "best_trial_id": self._best}

    def card(self):
        return {"template": "mlp"}

    def trials(self):
        return self._trials


def _record(trial_id: str, number: int) -> TrialRecord:
    return TrialRecord.from_dict(
        {"trial_id": trial_id, "number": number, "status": "completed", "hyperparameters": {}}
    )


def _census(**extra) -> dict:
    per_class = [
        {"class": "<=50K", "precision": 0.9, "recall": 0.93, "f1": 0.91, "support": 760},
        {"class": ">50K", "precision": 0.74, "recall": 0.63, "f1": 0.68, "support": 240},
    ]
    return {
        "task": "classification",
        "rows": 1000,
        "metrics": {"accuracy": 0.86, "balanced_accuracy": 0.78, "f1_macro": 0.8, "log_loss": 0.3},
        "baseline": {"name": "always '<=50K' (the most frequent class)", "accuracy": 0.76},
        "class_names": ["<=50K", ">50K"],
        "confusion_matrix": [[707, 53], [89, 151]],
        "per_class": per_class,
        "roc": {},
        "pr": {},
        **extra,
    }


@pytest.fixture
def results(qtbot):
    page = ResultsPage()
    qtbot.addWidget(page)
    return page


def _header(table, column: int) -> str:
    return table.horizontalHeaderItem(column).text().replace("\n", " ")


def _table(table) -> list[list[str]]:
    return [
        [table.item(r, c).text().replace("\n", " ") for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_results_open_with_the_verdict_in_percent_and_class_names_as_written(results):
    results.show_run(_Run(_census()))
    shown = _shown(results.title)
    assert shown.startswith(
        "Right on 86 % of test rows; always guessing the most common class (‘<=50K’) gets 76 %."
    )
    assert "trial 3 of 4" in shown and "Multilayer perceptron (MLP)" in shown
    assert "time_limit" not in shown and "the time budget ran out" in shown
    headers = [_header(results.metrics, c) for c in range(3)]
    assert headers == ["Measure", "This model", "Always guessing ‘<=50K’"]
    rows = {row[0]: row[1:] for row in _table(results.metrics)}
    assert rows["Accuracy (higher is better)"] == ["86.0 %", "76.0 %"]
    assert rows["Balanced accuracy (higher is better)"] == ["78.0 %", "50.0 %"]
    assert rows["Log loss (lower is better)"][0] == "0.3"
    assert results.metrics.columnCount() == 3  # no classical model: no empty column
    untrained = {"name": None, "reason": "Not trained: the run was stopped before it ended."}
    results.show_run(_Run(_census(classic=untrained)))
    assert results.metrics.columnCount() == 3 and "same rows" not in _shown(results.title)


def test_a_classical_model_gets_a_column_and_a_sentence(results):
    classic = {"name": "Gradient boosting", "metrics": {"accuracy": 0.87}, "seconds": 3.0}
    results.show_run(_Run(_census(classic=classic)))
    assert _header(results.metrics, 3) == "Gradient boosting (classical, 3.0 s)"
    rows = {row[0]: row[1:] for row in _table(results.metrics)}
    assert rows["Accuracy (higher is better)"] == ["86.0 %", "76.0 %", "87.0 %"]
    assert results.metrics.item(0, 3).font().bold()  # the best of the row stands out
    assert (
        "Gradient boosting on the same rows is right on 87 %: deep learning did not earn its "
        in (_shown(results.title))
    )


def test_a_regression_is_judged_by_how_far_off_it_is(results):
    evaluation = {
        "task": "regression",
        "rows": 69,
        "metrics": {"mae": 2.04, "rmse": 2.9, "r2": 0.7},
        "baseline": {"name": "always the training mean", "mae": 5.83, "rmse": 7.1},
        "points": {"actual": [1.0, 2.0], "predicted": [1.5, 2.5]},
    }
    results.show_run(_Run(evaluation, trials=1, best="0"))
    shown = _shown(results.title)
    assert shown.startswith(
        "Off by 2.0 on average (mean absolute error); always guessing the mean is off by 5.8."
    )
    assert "one trial" in shown
    assert _header(results.metrics, 2) == "Always guessing the mean"


def test_a_model_worse_than_guessing_says_so_in_red(results):
    evaluation = _census()
    evaluation["metrics"].update(accuracy=0.7, balanced_accuracy=0.5)
    results.show_run(_Run(evaluation))
    assert "learned nothing that guessing does not" in _shown(results.title)
    assert "#b00020" in results.title.text()


def test_the_data_page_shows_a_class_called_less_than_50k(qtbot, tmp_path):
    from dlstudio.gui.wizard.data_page import DataPage

    page = DataPage()
    qtbot.addWidget(page)
    rows = ["age,hours,income"] + [
        f"{20 + i % 40},{30 + i % 20},{'<=50K' if i % 4 else '>50K'}" for i in range(80)
    ]
    path = tmp_path / "census.csv"
    path.write_text("\n".join(rows) + "\n")
    with qtbot.waitSignal(page.dataset_loaded, timeout=30000):
        page.open_path(path, target="income")
    page.wait_until_loaded()
    summary = _shown(page.summary)
    assert "'<=50K'" in summary and "'>50K'" in summary
    assert "Two classes (binary classification)" in summary


def _page_words(page: ModelPage) -> list[str]:
    table = page.space_table
    words = [table.item(r, c).text() for r in range(table.rowCount()) for c in (0, 2, 3)]
    words += [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    form = page.knobs_form
    words += [
        form.itemAt(r, form.ItemRole.LabelRole).widget().text() for r in range(form.rowCount())
    ]
    for combo in (page.objective_combo, page.tuner_combo):
        words += [combo.itemText(i) for i in range(combo.count())]
    words.append(page.mode_stack.widget(1).title())
    return words


def test_the_model_step_speaks_in_words_and_reads_them_back(qtbot, penguins_csv):
    page = ModelPage()
    qtbot.addWidget(page)
    page.set_dataset(load_dataset(penguins_csv, target="species"))
    words = _page_words(page)
    assert not {"l1", "l2", "batch_norm", "learning_rate", "val_loss", "true"} & set(words)
    for raw in ("_", "..", "1e-0"):  # engine names, 'min..max log', 1e-05
        assert not [w for w in words if raw in w], raw
    assert not [w for w in words if w.endswith(" log")]
    assert "L2 penalty (smaller weights)" in words
    assert "Validation loss (lower is better)" in words
    row = next(r for r in range(page.space_table.rowCount()) if words[r * 3] == "Learning rate")
    assert page.space_table.item(row, 2).text().endswith(", on a log scale")
    # What the table shows reads back as the search space it came from.
    space = page.search_space()
    assert space["learning_rate"]["log"] is True
    assert space["batch_norm"]["type"] == "bool"  # "yes or no": read back as yes/no, not 1/0
    assert all(isinstance(v, float) for v in space["l2"]["values"])
    spec = page.run_spec(DataSpec(str(penguins_csv), "species"))
    assert spec.search.objective == "val_loss" and spec.search.tuner == "random"


@pytest.mark.parametrize(
    "typed", ["0.0001 to 0.01, on a log scale", "0.0001..0.01 log", "1e-4 to 1e-2 log"]
)
def test_a_range_is_read_in_words_or_in_the_short_form(typed):
    entry = {"type": "float", "min": 1e-3, "max": 1e-1, "log": False, "default": 1e-3}
    parsed = parse_range("learning_rate", entry, typed)
    assert (parsed["min"], parsed["max"], parsed["log"]) == (0.0001, 0.01, True)


def test_every_templates_ranges_read_back_as_shown():
    from dlstudio.core.models.space import TEMPLATES_BY_KIND, default_space
    from dlstudio.gui.wizard.model_page import describe_range

    tasks = {"table": "regression", "images": "multiclass", "text": "binary"}
    for kind, templates in TEMPLATES_BY_KIND.items():
        for template in templates:
            for name, entry in default_space(template, tasks.get(kind, "binary")).items():
                if entry["type"] == "fixed":
                    continue
                parsed = parse_range(name, entry, describe_range(entry))
                if entry["type"] == "bool":
                    assert parsed["type"] == "bool", (template, name)
                    continue
                for key in ("min", "max", "step", "values"):
                    assert parsed.get(key) == entry.get(key), (template, name, key)
                assert bool(parsed.get("log")) == bool(entry.get("log")), (template, name)
                kinds = [type(v) for v in parsed.get("values", [])]
                assert kinds == [type(v) for v in entry.get("values", [])], (template, name)
