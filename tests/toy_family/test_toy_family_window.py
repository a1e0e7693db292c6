"""The toy family (registered from this folder only) in the window: its Results step shows its
verdict and metrics beside its baseline (the view a family without one gets), the tabs only a
supervised run has are hidden, and every button of its Export step works through the worker's
jobs, which find the family as any process does (DLSTUDIO_FAMILIES)."""

from __future__ import annotations

import pandas as pd
import pytest

from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.project import Project
from dlstudio.gui.wizard.export_page import ExportPage
from dlstudio.gui.wizard.family_view import EvaluationView
from dlstudio.gui.wizard.results_page import ResultsPage
from tests.gui.test_export_buttons import _click_every_button
from tests.toy_family.test_toy_family import PLUG_IN, _table

pytestmark = pytest.mark.slow


@pytest.fixture
def toy_run(tmp_path, monkeypatch, toy):
    from dlstudio.core.engine.run import start_run

    for name, value in PLUG_IN.items():  # for the worker's processes
        monkeypatch.setenv(name, value)
    data = _table(tmp_path / "numbers.csv")
    spec = RunSpec(
        DataSpec(str(data), "y", task="toy_regression"),
        train=TrainSpec(epochs=4),
        search=SearchSpec(max_trials=2),
    )
    start_run(spec, tmp_path / "project")
    return Project(tmp_path / "project").runs()[-1], data


def test_a_toy_run_shows_its_verdict_and_metrics_on_the_results_step(qtbot, toy_run):
    run, _ = toy_run
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show()
    page.show_run(run)
    assert "always guessing the mean is off by" in page.title.text()
    view = page.body.currentWidget()
    assert isinstance(view, EvaluationView)
    table = view.table
    cells = [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]
    assert len(cells) == 1 and cells[0][1] and cells[0][2]  # the model's MAE, the baseline's
    for tab in (page.mistakes, page.try_it):  # a supervised run's tabs
        assert not page.tabs.isTabVisible(page.tabs.indexOf(tab))


def test_every_button_of_a_toy_runs_export_step_works(qtbot, monkeypatch, toy_run, tmp_path):
    run, data = toy_run
    page = ExportPage()
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    inputs = data.parent / "inputs.csv"
    pd.read_csv(data).drop(columns="y").head(12).to_csv(inputs, index=False)
    page.set_run(run)
    try:
        predictions = _click_every_button(qtbot, monkeypatch, page, inputs, tmp_path / "out")
    finally:
        page.wait()
    assert list(predictions.columns) == ["prediction"] and len(predictions) == 12
