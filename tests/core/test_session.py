"""The window's session, headless: projects of different data never mix, a project keeps the
whole data spec, and an export never goes over another run's model."""

from __future__ import annotations

import json
import shutil

import pytest

from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SplitSpec
from dlstudio.core.errors import DlstudioError
from dlstudio.core.export_target import check_export_folder, default_export_folder
from dlstudio.core.project import Project, RunFolder, data_spec_from_dict, data_spec_to_dict
from dlstudio.core.session import DATA, MODEL, PROJECT, RUN, Session, project_folder_for


@pytest.fixture
def two_files(tmp_path, penguins_csv):
    a, b = tmp_path / "data" / "a" / "birds.csv", tmp_path / "data" / "b" / "birds.csv"
    for path in (a, b):  # the same name in two folders: two datasets all the same
        path.parent.mkdir(parents=True)
        shutil.copy(penguins_csv, path)
    return a, b


def _spec(path, **choices) -> DataSpec:
    return DataSpec(str(path.resolve()), "species", **choices)


def _fake_run(project: Project, data: DataSpec, created: str = "2026-12-01T10:00:00") -> RunFolder:
    """A finished run as the engine leaves it (no Keras needed to look at it)."""
    project.ensure(data_spec_to_dict(data))
    run = project.new_run(RunSpec(data, ModelSpec("mlp")))
    run.update_state(status="completed", pid=None)
    run.model_path.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: "a model"
    card = {"created": created, "kind": "table", "task": "multiclass", "template": "mlp"}
    (run.path / "model_card.json").write_text(json.dumps(card))
    return run


def test_other_data_starts_its_own_project_and_the_same_data_keeps_it(tmp_path, two_files):
    a, b = two_files
    session = Session(tmp_path / "projects")
    told = []
    session.subscribe(told.append)

    assert session.set_data(_spec(a)) is True
    project_a = session.project
    assert project_a == tmp_path / "projects" / "birds"
    _fake_run(Project(project_a), _spec(a))
    assert session.set_run(Project(project_a).runs()[0])

    told.clear()
    assert session.set_data(_spec(a, roles={"year": "categorical"})) is False  # same file
    assert session.project == project_a and session.run is not None
    assert told == [DATA]

    assert session.set_data(_spec(b)) is True  # a file of the same name elsewhere: other data
    assert session.project == tmp_path / "projects" / "birds-2"
    assert session.run is None and PROJECT in told and RUN in told
    with pytest.raises(DlstudioError, match="current project"):
        session.start(RunSpec(_spec(a)))  # a run of A never lands in B's project
    assert session.start(RunSpec(_spec(b))) == tmp_path / "projects" / "birds-2"

    assert session.set_data(_spec(a)) is True
    assert session.project == project_a  # A's own project again, runs and all


def test_a_folder_named_after_the_data_but_holding_other_data_is_never_reused(tmp_path, two_files):
    a, b = two_files
    root = tmp_path / "projects"
    Project(root / "birds").ensure(data_spec_to_dict(_spec(b)))
    assert project_folder_for(a, root) == root / "birds-2"
    Project(root / "birds-2").ensure(data_spec_to_dict(_spec(a)))
    assert project_folder_for(a, root) == root / "birds-2"  # its own: kept
    assert project_folder_for(b, root) == root / "birds"
    runs_only = root / "odd"
    (runs_only / "runs" / "r1").mkdir(parents=True)
    (runs_only / "runs" / "r1" / "state.json").write_text("{}")
    assert Project(runs_only).holds_other_data(a)  # runs of unknown data: never mixed in


def test_a_project_keeps_and_restores_the_whole_data_spec(tmp_path, two_files):
    a, _ = two_files
    spec = DataSpec(
        str(a.resolve()),
        "island",
        "Sheet2",
        "multiclass",
        {"year": "categorical", "sex": "ignore"},
        SplitSpec(0.6, 0.2, 0.2, seed=3, stratify=False, time_column="year"),
    )
    Project(tmp_path / "p").ensure(data_spec_to_dict(spec))
    assert Project(tmp_path / "p").data_spec() == spec

    session = Session(tmp_path / "projects")
    _fake_run(Project(tmp_path / "p"), spec)
    assert session.open_project(tmp_path / "p") == spec
    assert session.project == tmp_path / "p" and session.run is not None
    assert session.set_data(spec) is False  # loading the project's data keeps the project


def test_older_project_json_with_path_and_target_only_still_opens(tmp_path):
    spec = data_spec_from_dict({"path": "/x/y.csv", "target": "t", "colour": "new key"})
    assert spec == DataSpec("/x/y.csv", "t")
    spec = data_spec_from_dict({"path": "/x/y.csv", "split": "bad", "roles": [1], "task": 3})
    assert spec.split == SplitSpec() and spec.roles == {} and spec.task is None


def test_a_run_of_another_project_is_never_put_in_focus(tmp_path, two_files):
    a, b = two_files
    session = Session(tmp_path / "projects")
    session.set_data(_spec(a))
    other = _fake_run(Project(tmp_path / "elsewhere"), _spec(b))
    assert session.set_run(other) is False and session.run is None


def test_saving_a_project_into_another_datas_project_is_refused(tmp_path, two_files):
    a, b = two_files
    session = Session(tmp_path / "projects")
    session.set_data(_spec(a, task="multiclass"))
    Project(tmp_path / "b_project").ensure(data_spec_to_dict(_spec(b)))
    with pytest.raises(DlstudioError, match="project of other data"):
        session.save_project_as(tmp_path / "b_project")
    assert session.save_project_as(tmp_path / "mine") == tmp_path / "mine"
    assert Project(tmp_path / "mine").data_spec().task == "multiclass"
    assert session.project == tmp_path / "mine"


def test_an_export_never_goes_into_another_run_or_over_another_model(tmp_path, two_files):
    a, _ = two_files
    project = Project(tmp_path / "p")
    old = _fake_run(project, _spec(a), created="2026-12-01T10:00:00")
    new = _fake_run(project, _spec(a), created="2026-12-01T11:00:00")

    own = default_export_folder(new.path)
    assert check_export_folder(own, new.path) == own.resolve()
    for folder, words in [
        (old.path, "inside another run"),
        (old.path / "export", "inside another run"),
        (new.path, "the run's own folder"),
        (project.runs_dir / "exports", "runs folder"),
        ("  ", "No export folder"),
    ]:
        with pytest.raises(DlstudioError, match=words):
            check_export_folder(folder, new.path)

    shared = tmp_path / "shared_export"
    shared.mkdir()
    shutil.copy(old.path / "model_card.json", shared / "model_card.json")
    (shared / "model.keras").write_bytes(old.model_path.read_bytes())
    with pytest.raises(DlstudioError, match="another model"):
        check_export_folder(shared, new.path)
    assert check_export_folder(shared, old.path) == shared.resolve()  # its own export again
    (shared / "model_card.json").unlink()
    with pytest.raises(DlstudioError, match="unknown origin"):
        check_export_folder(shared, old.path)


CHOICES = {"mode": "tune", "tuner": "bayesian", "max_trials": 25, "budget": "1h30m"}


def test_the_model_choices_are_saved_with_the_project_and_come_back(tmp_path, two_files):
    a, b = two_files
    session = Session(tmp_path / "projects")
    told = []
    session.subscribe(told.append)
    session.set_data(_spec(a))
    session.set_model_choices(CHOICES)
    assert MODEL in told
    assert not (tmp_path / "projects").exists()  # a project is written when saved or run
    session.save_project_as(tmp_path / "saved")
    assert Project(tmp_path / "saved").model_choices() == CHOICES

    reopened = Session(tmp_path / "projects")
    reopened.open_project(tmp_path / "saved")
    assert reopened.model_choices == CHOICES

    # Changed on a project on disk, then other data opened: the project keeps the change,
    # and the other data's new project starts with none of it.
    changed = {**CHOICES, "max_trials": 40}
    reopened.set_model_choices(changed)
    reopened.set_data(_spec(b))
    assert reopened.model_choices is None
    assert Project(tmp_path / "saved").model_choices() == changed
    reopened.set_model_choices(CHOICES)
    project = reopened.start(RunSpec(_spec(b), ModelSpec("mlp")))
    assert Project(project).model_choices() == CHOICES  # a run keeps them too

    # An older project.json (data only) still opens, with no choices to restore.
    Project(tmp_path / "old").ensure(data_spec_to_dict(_spec(a)))
    assert Session(tmp_path / "projects").open_project(tmp_path / "old") == _spec(a)


def test_a_reopened_project_focuses_its_best_run_not_its_latest(tmp_path, two_files):
    a, _ = two_files
    project = Project(tmp_path / "p")
    best = _fake_run(project, _spec(a))
    best.update_state(best_score=0.31, objective="val_loss")
    stopped = _fake_run(project, _spec(a), created="2026-12-01T11:00:00")
    stopped.update_state(status="cancelled", best_score=0.52, partial=True, objective="val_loss")
    session = Session(tmp_path / "projects")
    session.open_project(project.root)
    assert session.run.path == best.path
