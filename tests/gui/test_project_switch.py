"""Projects never mix in the window: other data starts its own project and every page follows,
a reopened project brings back every choice made on its data and on the Model step, the best
model shown is the project's best run, and Export never writes into another run's folder."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SplitSpec
from dlstudio.core.data import Task
from dlstudio.core.engine.evaluate import evaluate_predictions
from dlstudio.core.project import Project, data_spec_to_dict
from dlstudio.core.verdict import baseline_verdict
from dlstudio.gui.main_window import DATA, EXPORT, RESULTS
from dlstudio.gui.qmodels.schema_model import ROLE_COLUMN
from dlstudio.gui.wizard.model_page import NAME_ROLE
from tests.gui.conftest import open_and_wait


@pytest.fixture
def projects(tmp_path, monkeypatch):
    monkeypatch.setenv("DLSTUDIO_PROJECTS", str(tmp_path / "projects"))
    return tmp_path / "projects"


@pytest.fixture
def other_birds(tmp_path, penguins_csv):
    """Other data that reads like the penguins (a copy under another name)."""
    path = tmp_path / "data" / "other_birds.csv"
    path.parent.mkdir()
    shutil.copy(penguins_csv, path)
    return path


def _finished_run(window):
    """A finished run of the window's data in its project, as the engine leaves one."""
    project = Project(window.project_dir)
    data = window.session.state.data
    project.ensure(data_spec_to_dict(data))
    run = project.new_run(RunSpec(data, ModelSpec("mlp")))
    run.update_state(status="completed", pid=None, best_trial_id="0")
    run.model_path.write_bytes(b"the penguins' model")
    card = {"created": "2026-12-01T10:00:00", "kind": "table", "task": "multiclass"}
    (run.path / "model_card.json").write_text(json.dumps(card))
    window._run_finished(str(run.path))
    return run


def _enabled(window, step: int) -> bool:
    return bool(window.steps.item(step).flags() & Qt.ItemFlag.ItemIsEnabled)


def test_other_data_starts_a_new_project_and_every_page_follows(
    qtbot, window, penguins_csv, other_birds, projects
):
    open_and_wait(qtbot, window, penguins_csv)
    assert window.project_dir == projects / "palmer_penguins"
    old = _finished_run(window)
    assert window.export_page.run.path == old.path
    assert window.export_page.folder_edit.text() == str(old.path / "export")
    assert _enabled(window, RESULTS) and _enabled(window, EXPORT)

    open_and_wait(qtbot, window, other_birds)
    assert window.project_dir == projects / "other_birds"
    assert window.run is None
    export = window.export_page
    assert export.run is None and export.folder_edit.text() == ""
    assert not export.export_button.isEnabled()
    assert "Train a model first" in export.title.text()
    assert not _enabled(window, RESULTS) and not _enabled(window, EXPORT)
    window.go_to(RESULTS)
    assert window.stack.currentIndex() == DATA  # a greyed step cannot be shown
    assert window.results_page.runs_view.runs == [] and not window.results_page.has_runs()
    assert window.results_page.run is None

    # A run of the new data goes to its own project; the old one keeps its single run.
    new = _finished_run(window)
    assert new.path.parents[1] == projects / "other_birds"
    assert [run.id for run in Project(projects / "palmer_penguins").runs()] == [old.id]
    assert window.export_page.folder_edit.text() == str(new.path / "export")

    open_and_wait(qtbot, window, penguins_csv)  # back to the first data: its project again
    assert window.project_dir == projects / "palmer_penguins"


def test_reopening_the_same_file_keeps_the_project_and_the_choices(
    qtbot, window, penguins_csv, projects
):
    page = window.data_page
    open_and_wait(qtbot, window, penguins_csv)
    model = page.schema_model
    year = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "year")
    with qtbot.waitSignal(page.dataset_loaded, timeout=30000):
        model.setData(model.index(year, ROLE_COLUMN), "categorical")
    page.split_box.spins[0].setValue(60)
    page.split_box.spins[2].setValue(25)
    run = _finished_run(window)

    open_and_wait(qtbot, window, penguins_csv)
    assert window.project_dir == projects / "palmer_penguins" and window.run.path == run.path
    spec = window.data_spec()
    assert spec.roles == {"year": "categorical"}
    assert (round(spec.split.train, 2), round(spec.split.test, 2)) == (0.6, 0.25)
    assert [page.split_box.spins[i].value() for i in range(3)] == [60, 15, 25]


def test_a_reopened_project_restores_roles_task_split_and_target(
    qtbot, window, penguins_csv, projects, tmp_path
):
    spec = DataSpec(
        str(penguins_csv.resolve()),
        "island",
        None,
        "multiclass",
        {"year": "categorical"},
        SplitSpec(0.6, 0.2, 0.2, seed=4),
    )
    Project(tmp_path / "saved").ensure(data_spec_to_dict(spec))
    page = window.data_page
    with qtbot.waitSignal(page.dataset_loaded, timeout=30000) as blocker:
        window.open_project(tmp_path / "saved")
    profile = blocker.args[0].profile
    assert profile.target == "island" and profile.column("year").role.value == "categorical"
    assert page.target_combo.currentText() == "island"
    assert page.task_combo.currentText() == "multiclass"
    assert [spin.value() for spin in page.split_box.spins] == [60, 20, 20]
    assert window.project_dir == tmp_path / "saved"
    assert window.data_spec() == spec  # the seed too: runs stay comparable


def test_a_data_folder_named_like_another_datas_project_gets_its_own(
    qtbot, window, penguins_csv, other_birds, projects
):
    Project(projects / "palmer_penguins").ensure({"path": str(other_birds)})
    open_and_wait(qtbot, window, penguins_csv)
    assert window.project_dir == projects / "palmer_penguins-2"


def test_export_after_a_switch_never_touches_the_old_runs_model(
    qtbot, window, penguins_csv, other_birds, projects, monkeypatch
):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    open_and_wait(qtbot, window, penguins_csv)
    old = _finished_run(window)
    before = old.model_path.read_bytes()
    open_and_wait(qtbot, window, other_birds)
    new = _finished_run(window)
    export = window.export_page
    assert export.run.path == new.path

    for folder in (old.path, old.path / "export"):
        export.folder_edit.setText(str(folder))
        export.export()
        assert export._task is None, "nothing is started"
        assert "inside another run" in shown[-1] and "Traceback" not in shown[-1]
        assert "inside another run" in export.written.toPlainText()
    assert old.model_path.read_bytes() == before
    assert not (old.path / "export").exists()


@pytest.mark.slow
def test_a_run_after_a_switch_lands_in_the_new_project_with_the_whole_spec(
    qtbot, window, penguins_csv, other_birds, projects
):
    open_and_wait(qtbot, window, penguins_csv)
    old = _finished_run(window)
    page = window.data_page
    open_and_wait(qtbot, window, other_birds)
    model = page.schema_model
    year = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "year")
    with qtbot.waitSignal(page.dataset_loaded, timeout=30000):
        model.setData(model.index(year, ROLE_COLUMN), "categorical")
    with qtbot.waitSignal(page.dataset_loaded, timeout=30000):
        page.task_combo.setCurrentText("multiclass")
        page.task_combo.activated.emit(page.task_combo.currentIndex())
    page.split_box.spins[0].setValue(60)
    page.split_box.spins[1].setValue(20)
    page.split_box.spins[2].setValue(20)
    window.model_page.choose_radio.setChecked(True)
    window.model_page.epochs_spin.setValue(2)

    with qtbot.waitSignal(window.controller.finished, timeout=180_000):
        window.start_training()
    runs = Project(projects / "other_birds").runs()
    assert len(runs) == 1 and runs[0].model_path.exists()
    assert [run.id for run in Project(projects / "palmer_penguins").runs()] == [old.id]
    saved = Project(projects / "other_birds").data_spec()  # written by the engine as it started
    assert saved.roles == {"year": "categorical"} and saved.task == "multiclass"
    assert (saved.split.train, saved.split.validation) == (0.6, 0.2)
    assert window.run.path == runs[0].path
    assert window.export_page.folder_edit.text() == str(runs[0].path / "export")


def _row(table, name: str) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 0).data(NAME_ROLE) == name)


def _model_step_shown(page) -> tuple:
    units = _row(page.space_table, "units")
    return (
        page.tune_radio.isChecked(),
        page.tuner_combo.currentData(),
        page.trials_spin.value(),
        page.budget_edit.text(),
        page.objective_combo.currentData(),
        page.space_table.item(units, 1).checkState() == Qt.CheckState.Checked,
        page.space_table.item(units, 3).text(),
        page.hyperparameters()["dropout"],
    )


def _open_in_a_new_window(qtbot, folder):
    from dlstudio.gui.app import create_main_window

    window = create_main_window()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000):
        window.open_project(folder)
    return window


def test_the_model_step_comes_back_when_the_project_is_reopened(
    qtbot, window, penguins_csv, projects, tmp_path, monkeypatch
):
    open_and_wait(qtbot, window, penguins_csv, target="species")
    page = window.model_page
    page.tuner_combo.setCurrentIndex(page.tuner_combo.findData("bayesian"))
    page.trials_spin.setValue(25)
    page.budget_edit.setText("1h30m")
    page.objective_combo.setCurrentIndex(page.objective_combo.findData("val_accuracy"))
    units = _row(page.space_table, "units")
    page.space_table.item(units, 1).setCheckState(Qt.CheckState.Unchecked)
    page.space_table.item(units, 3).setText("64")
    saved = tmp_path / "saved"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(saved))
    window.save_project_as()
    shown = _model_step_shown(page)
    assert shown == (True, "bayesian", 25, "1h30m", "val_accuracy", False, "64", 0.1)

    again = _open_in_a_new_window(qtbot, saved)
    assert _model_step_shown(again.model_page) == shown

    # Changed on the saved project and the window closed: reopened, it is as it was left.
    again.model_page.choose_radio.setChecked(True)
    again.model_page._knobs["dropout"].setValue(0.3)
    again.close()
    third = _open_in_a_new_window(qtbot, saved)
    assert _model_step_shown(third.model_page) == (False, *shown[1:-1], 0.3)
    assert json.loads((saved / "project.json").read_text())["model"]["mode"] == "choose"
    third.data_page.wait_until_loaded()
    third.close()


def _scored_run(project: Project, data, score: float, status: str, accuracy: float):
    """A run with a model, its best score and an evaluation, as the engine leaves one."""
    names = ["Adelie", "Chinstrap", "Gentoo"]
    y = np.array([0, 1, 2] * 4)
    right = np.eye(3)[y] * 0.8 + 0.1
    wrong = np.eye(3)[(y + 1) % 3] * 0.8 + 0.1
    hits = np.arange(len(y)) < round(accuracy * len(y))
    evaluation = evaluate_predictions(
        Task.MULTICLASS, y, np.where(hits[:, None], right, wrong), names
    )
    evaluation["verdict"] = baseline_verdict(evaluation)
    run = project.new_run(RunSpec(data, ModelSpec("mlp")))
    run.write_json("evaluation.json", evaluation)
    run.write_json("model_card.json", {"kind": "table", "task": "multiclass", "template": "mlp"})
    run.model_path.write_bytes(b"PK\x05\x06" + bytes(18))
    run.update_state(
        status=status,
        pid=None,
        best_score=score,
        objective="val_loss",
        partial=status != "completed",
    )
    return run


def test_the_best_model_is_the_best_run_not_the_latest_stopped_one(
    qtbot, window, penguins_csv, projects, tmp_path
):
    data = DataSpec(str(penguins_csv.resolve()), "species")
    project = Project(tmp_path / "scored")
    project.ensure(data_spec_to_dict(data))
    best = _scored_run(project, data, 0.31, "completed", 0.75)
    stopped = _scored_run(project, data, 0.52, "cancelled", 0.5)
    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000):
        window.open_project(project.root)
    results = window.results_page
    assert window.run.path == best.path and results.run.path == best.path
    assert window.export_page.run.path == best.path
    assert results.tabs.tabText(results.tabs.currentIndex()) == "Best model"
    title = results.title.text()
    assert f"Run {best.id} (finished)" in title
    assert "Best of the project's 2 runs by validation loss (lower is better): 0.31." in title
    assert f"The latest, run {stopped.id} (stopped by you), scored 0.52." in title
    assert [run.id for run in results.runs_view.chosen_runs()] == [best.id]

    # A newer run that really is the best takes its place when it ends.
    better = _scored_run(project, data, 0.2, "cancelled", 0.9)
    window._run_finished(str(better.path))
    assert window.run.path == better.path and results.run.path == better.path
    assert "Best of the project's 3 runs" in results.title.text()
    worse = _scored_run(project, data, 0.9, "completed", 0.4)
    window._run_finished(str(worse.path))  # a worse one ends: the best stays in focus
    assert window.run.path == better.path and results.run.path == better.path
    assert f"The latest, run {worse.id} (finished), scored 0.9." in results.title.text()


def test_save_project_asks_for_no_folder_and_the_welcome_page_lists_it(
    qtbot, window, penguins_csv, projects, monkeypatch
):
    """The project already has its folder: Save writes there. The next window's welcome page
    offers it back, and Help holds a guide to the steps."""

    def asked(*_args):
        raise AssertionError("Save project asked for a folder")

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", asked)
    open_and_wait(qtbot, window, penguins_csv, target="species")
    window.save_project()
    folder = window.project_for()
    assert (folder / "project.json").is_file()
    assert f"Project saved in {folder}" in window.status_label.text()

    from dlstudio.gui.app import create_main_window

    fresh = create_main_window()
    qtbot.addWidget(fresh)
    fresh.show()
    buttons = [
        b for b in fresh.data_page.findChildren(QPushButton) if b.objectName() == "recent_project"
    ]
    assert buttons and buttons[0].text().startswith(folder.name)
    assert fresh.data_page.recent_title.isVisible()
    with qtbot.waitSignal(fresh.data_page.dataset_loaded, timeout=30000):
        buttons[0].click()
    assert fresh.project_for() == folder

    fresh.show_guide()
    assert fresh.guide.isVisible()
    assert "5. Export" in fresh.guide.text.toPlainText()
    assert "balanced accuracy" in fresh.guide.text.toPlainText()
    fresh.data_page.wait_until_loaded()
    fresh.close()


def test_a_reopened_project_lists_its_earlier_export_and_opens_on_the_verdict(
    qtbot, window, penguins_csv, projects, tmp_path
):
    data = DataSpec(str(penguins_csv.resolve()), "species")
    project = Project(tmp_path / "exported")
    project.ensure(data_spec_to_dict(data))
    run = _scored_run(project, data, 0.31, "completed", 0.75)
    card = run.read("model_card.json")
    card["inputs"] = [{"name": "flipper", "column": "flipper_length_mm", "kind": "numeric"}]
    card.update(class_names=["Adelie", "Chinstrap", "Gentoo"], target="species")
    run.write_json("model_card.json", card)
    export = run.path / "export"
    export.mkdir()
    (export / "model.keras").write_bytes(b"PK\x05\x06" + bytes(2000))
    (export / "model.onnx").write_bytes(bytes(3000))
    window.results_page.tabs.setCurrentIndex(1)  # the user last looked at another tab
    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000):
        window.open_project(project.root)
    page = window.export_page
    shown = page.written.toPlainText()
    assert "Exported earlier" in shown
    assert str(export / "model.keras") in shown and str(export / "model.onnx") in shown
    assert page.open_button.isEnabled() and page.copy_button.isEnabled()
    assert "keras.saving.load_model" in page.code
    window.go_to(3)  # Results
    results = window.results_page
    assert results.tabs.tabText(results.tabs.currentIndex()) == "Best model"
