"""Comparing trials and runs, and reopening a project where it was left."""

from __future__ import annotations

import json
import shutil

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QMessageBox

from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.project import Project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """2 searches × 3 trials on penguins, with the data file in the project's own folder."""
    from dlstudio.core.engine.run import start_run
    from tests.conftest import SAMPLES

    root = tmp_path_factory.mktemp("compare")
    data = root / "penguins.csv"
    shutil.copy(SAMPLES / "tabular" / "palmer_penguins.csv", data)
    for tuner in ("random", "bayesian"):
        spec = RunSpec(
            DataSpec(str(data), target="species"),
            train=TrainSpec(epochs=3),
            search=SearchSpec(tuner, max_trials=3),
        )
        start_run(spec, root / "project")
    return root / "project"


def _select_all_runs(runs_view):
    selection = runs_view.table.selectionModel()
    for row in range(runs_view.table.rowCount()):
        selection.select(
            runs_view.table.model().index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def test_views_show_trials_curves_filters_and_exports(qtbot, window, project, tmp_path):
    window.open_project(project)
    assert window.stack.currentWidget() is window.results_page
    qtbot.waitUntil(
        lambda: window.data_page.dataset is not None, timeout=30_000
    )  # data restored too
    results = window.results_page
    runs, trials = results.runs_view, results.trials_view
    results.tabs.setCurrentWidget(trials)  # a tab is filled when it is picked
    assert runs.table.rowCount() == 2
    assert {runs.table.item(r, 3).text() for r in range(2)} == {
        "Random search",
        "Bayesian optimisation",
    }
    assert trials.model.rowCount() == 3  # the latest run's trials

    _select_all_runs(runs)
    assert trials.model.rowCount() == 6 and set(trials.frame["run"]) == {
        r.id for r in Project(project).runs()
    }
    best = trials.best_row
    assert trials.model.index(best, 0).data(role=0) is not None

    trials.table.selectAll()
    finished = int((trials.frame["status"] == "completed").sum())
    assert trials.curves.curves == 2 * finished  # training and validation per selected trial
    for index in (1, 2, 3):  # each plot is drawn when its tab is picked
        trials.plots.setCurrentIndex(index)
    assert trials.parallel.lines == finished
    assert trials.scatter.points == finished
    # 6 finished trials are too few to say which settings matter: a sentence, no chart
    assert trials.importance.bars == 0 and "at least 8 finished trials" in (
        trials.importance_note.text()
    )

    scores = trials.frame["score"].dropna().sort_values()
    threshold = scores.iloc[2]
    trials.score_max.setText(repr(float(threshold)))
    trials.apply_filters()
    assert trials.proxy.rowCount() == int((scores <= threshold).sum()) < 6
    trials.score_max.setText("")
    trials.apply_filters()
    assert trials.proxy.rowCount() == 6

    trials.brush_combo.setCurrentIndex(trials.brush_combo.findData("score"))
    trials.parallel.brush(-0.01, 0.5)  # the lower half of the score axis
    assert 0 < trials.proxy.rowCount() < 6

    csv = tmp_path / "trials.csv"
    trials.export_csv(csv)
    assert len(csv.read_text().strip().splitlines()) == trials.proxy.rowCount() + 1
    for suffix in (".png", ".svg"):
        written = trials.export_plots(tmp_path / f"trials{suffix}") + runs.export_plots(
            tmp_path / f"runs{suffix}"
        )
        assert all(path.exists() and path.stat().st_size > 500 for path in written)


def test_reopening_after_a_restart_shows_the_same(qtbot, project):
    from dlstudio.gui.app import create_main_window

    seen = []
    for _ in range(2):
        win = create_main_window()
        qtbot.addWidget(win)
        win.show()  # a hidden Results page loads its views when it is first shown
        win.open_project(project)
        _select_all_runs(win.results_page.runs_view)
        win.results_page.tabs.setCurrentWidget(win.results_page.trials_view)
        frame = win.results_page.trials_view.frame
        seen.append((len(frame), sorted(frame["score"].dropna().round(6))))
        assert win.run is not None and win.results_page.metrics.rowCount() >= 4
        assert win.steps.item(4).flags()  # Export is available: the best model is there
        win.data_page.wait_until_loaded()
        win.close()
    assert seen[0] == seen[1] and seen[0][0] == 6


def test_missing_data_is_reported_and_an_interrupted_search_resumes(
    qtbot, window, project, tmp_path, monkeypatch
):
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    info = json.loads((copy / "project.json").read_text())
    info["data"]["path"] = str(tmp_path / "gone.csv")
    (copy / "project.json").write_text(json.dumps(info))
    run = Project(copy).runs()[0]
    state = json.loads((run.path / "state.json").read_text())
    state.update(status="running", pid=999_999_999)  # the process that ran it is gone
    (run.path / "state.json").write_text(json.dumps(state))
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: told.append(a[2]))

    window.open_project(copy)
    assert told and "gone.csv" in told[0]
    runs = window.results_page.runs_view
    assert runs.table.item(0, 1).text() == "interrupted (can be resumed)"
    runs.table.selectRow(0)
    assert runs.resume_button.isEnabled()
    with qtbot.waitSignal(window.controller.finished, timeout=120_000):
        runs.resume_button.click()
    assert run.state()["status"] == "completed"
    assert len(run.trials()) == 3  # nothing lost, nothing doubled
