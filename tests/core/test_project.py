"""Run folders that survive anything: damaged files, concurrent starts, full or read-only
disks, a folder deleted mid-run, and a second process on the same run. No training here."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading

import pytest

from dlstudio.core.config import DataSpec, RunSpec, SearchSpec
from dlstudio.core.errors import DlstudioError
from dlstudio.core.events import TrialRecord, TrialStatus
from dlstudio.core.output_path import check_predictions_path
from dlstudio.core.project import (
    DAMAGED,
    DamagedFile,
    Project,
    RunFolder,
    StorageError,
    best_run,
    comparable_runs,
    find_run,
)
from dlstudio.core.storage import atomic_write_text
from tests.lock_holder import lock_held_elsewhere

SPEC = RunSpec(DataSpec("penguins.csv", "species"), search=SearchSpec(max_trials=3))


def _trial(trial_id: str, score: float) -> TrialRecord:
    return TrialRecord(
        trial_id=trial_id,
        number=int(trial_id),
        status=TrialStatus.COMPLETED,
        hyperparameters={"units": 16},
        history={"val_loss": [score]},
        score=score,
        best_epoch=0,
        epochs=1,
        duration_s=1.0,
    )


@pytest.fixture
def project(tmp_path):
    """A project with two finished runs, each with two trials."""
    project = Project(tmp_path / "project")
    for _ in range(2):
        run = project.new_run(SPEC)
        run.append_trial(_trial("0", 0.5))
        run.append_trial(_trial("1", 0.4))
        run.write_json("evaluation.json", {"metrics": {"accuracy": 0.9}})
        run.update_state(status="completed", best_trial_id="1")
    return project


def test_a_garbage_state_file_hides_nothing(project):
    first, second = project.runs()
    (first.path / "state.json").write_text('{"stat', encoding="utf-8")
    assert [r.id for r in project.runs()] == [first.id, second.id]
    assert first.state()["status"] == DAMAGED and len(first.trials()) == 2
    assert second.state()["status"] == "completed"
    [problem, usable] = first.problems()
    assert "state.json is damaged" in problem and "cut short" in problem
    assert "no model" in usable
    assert second.problems() == []


def test_a_cut_trial_line_is_counted_and_the_next_trial_is_kept(project):
    run = project.runs()[0]
    with open(run.path / "trials.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"trial_id": "2", "stat')  # a line cut by a crash: no newline
    assert run.unreadable_trials() == 1 and [t.trial_id for t in run.trials()] == ["0", "1"]
    assert "1 line(s) of trials.jsonl cannot be read" in run.problems()[0]
    run.append_trial(_trial("3", 0.3))  # must not glue onto the cut line and vanish with it
    assert [t.trial_id for t in run.trials()] == ["0", "1", "3"]
    assert run.unreadable_trials() == 1


@pytest.mark.parametrize("content", ["", '{"data": {"pa', "[1, 2]", '{"model": {}}'])
def test_a_damaged_spec_names_the_file(project, content):
    run = project.runs()[0]
    (run.path / "spec.json").write_text(content, encoding="utf-8")
    with pytest.raises(DamagedFile, match="spec.json") as caught:
        run.spec()
    assert "cannot be resumed" in caught.value.fix
    assert any(p.startswith("spec.json is damaged") for p in run.problems())
    assert find_run(run.path).id == run.id  # still found as a run, to be told what is wrong


def test_a_damaged_evaluation_is_an_error_only_where_it_is_needed(project):
    run = project.runs()[1]
    (run.path / "evaluation.json").write_text('{"metrics": {"acc', encoding="utf-8")
    assert run.evaluation() is None  # listing views carry on
    with pytest.raises(DamagedFile, match="evaluation.json"):
        run.evaluation(strict=True)


def test_a_run_without_spec_is_still_listed(project):
    run = project.runs()[0]
    (run.path / "spec.json").unlink()
    assert run.id in [r.id for r in project.runs()]
    assert "spec.json is missing" in run.problems()[0]


def test_run_ids_are_unique_when_many_start_in_the_same_second(tmp_path):
    project = Project(tmp_path / "p")
    project.ensure()
    barrier = threading.Barrier(24)
    ids, errors = [], []

    def start():
        barrier.wait()
        try:
            ids.append(project.new_run(SPEC).id)
        except Exception as error:  # noqa: BLE001  (collected and asserted on below)
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(ids)) == 24
    assert all(json.loads((r.path / "spec.json").read_text()) for r in project.runs())


def test_a_run_id_claimed_by_another_process_meanwhile_is_not_reused(tmp_path, monkeypatch):
    """Another process creates the same per-second name between our look and our claim."""
    from datetime import datetime
    from pathlib import Path

    import dlstudio.core.project as project_module

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 1, 2, 3, 4, 5)

    monkeypatch.setattr(project_module, "datetime", Frozen)
    project = Project(tmp_path / "p").ensure()
    (project.runs_dir / "20260102-030405-tune").mkdir()  # the other process's run
    real_exists = Path.exists
    monkeypatch.setattr(
        Path, "exists", lambda p: False if p.parent == project.runs_dir else real_exists(p)
    )
    run = project.new_run(SPEC)
    assert run.id == "20260102-030405-tune-2"


def test_run_ids_are_unique_across_processes(tmp_path):
    code = (
        "import sys; from dlstudio.core.config import RunSpec, DataSpec;"
        "from dlstudio.core.project import Project;"
        "print(Project(sys.argv[1]).new_run(RunSpec(DataSpec('x.csv'))).id)"
    )
    root = str(tmp_path / "p")
    starts = [
        subprocess.Popen([sys.executable, "-c", code, root], stdout=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    ids = [p.communicate()[0].strip() for p in starts]
    assert all(p.returncode == 0 for p in starts) and len(set(ids)) == 8


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX file modes")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_written_files_keep_the_users_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        atomic_write_text(tmp_path / "a.json", "{}")
    finally:
        os.umask(previous)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == mode


def test_a_full_disk_is_said_plainly(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError, match="is full") as caught:
        atomic_write_text(tmp_path / "state.json", "{}")
    assert "Free some space" in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_a_read_only_folder_is_said_plainly(tmp_path, monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refused)
    with pytest.raises(StorageError, match="may not write in"):
        Project(tmp_path / "p").ensure()


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes through chmod"
)
def test_a_read_only_project_cannot_start_a_run(tmp_path):
    root = tmp_path / "p"
    Project(root).ensure()
    os.chmod(root / "runs", 0o555)
    try:
        with pytest.raises(StorageError, match="may not write"):
            Project(root).new_run(SPEC)
    finally:
        os.chmod(root / "runs", 0o755)


def test_a_run_folder_deleted_mid_run_is_not_recreated(project):
    import shutil

    run = project.runs()[0]
    shutil.rmtree(run.path)
    with pytest.raises(StorageError, match="deleted or moved"):
        run.update_state(status="completed")
    with pytest.raises(StorageError, match="deleted or moved"):
        run.append_trial(_trial("2", 0.1))
    assert not run.path.exists()


def test_a_second_process_on_a_run_is_refused_with_the_holders_pid(project):
    run = project.runs()[0]
    with run.lock(), pytest.raises(DlstudioError, match=f"in use by process {os.getpid()}"):
        run.lock().acquire()
    with run.lock():  # released: the next one gets it
        pass


def test_the_lock_is_held_across_processes(project):
    run = project.runs()[0]
    with (
        lock_held_elsewhere(run.path) as holder,
        pytest.raises(DlstudioError, match=f"in use by process {holder.pid}"),
    ):
        run.lock().acquire()
    run.lock().acquire().release()  # the holder ended: its lock went with it


def test_predictions_never_overwrite_their_input(tmp_path):
    data = tmp_path / "new.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    for output in (data, tmp_path / "sub" / ".." / "new.csv", tmp_path / "link.csv"):
        with pytest.raises(DlstudioError, match="input file itself"):
            check_predictions_path(output, tmp_path / "sub" / ".." / "new.csv")
    with pytest.raises(DlstudioError, match="input file itself"):
        check_predictions_path(tmp_path / "hard.csv", data)
    with pytest.raises(DlstudioError, match="is a folder"):
        check_predictions_path(tmp_path, data)
    assert check_predictions_path(tmp_path / "out.csv", data) == tmp_path / "out.csv"


def test_predictions_never_land_among_the_data_or_a_runs_files(tmp_path, project):
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("hello", encoding="utf-8")
    for output in (texts / "a.txt", texts / "predictions.txt"):
        with pytest.raises(DlstudioError, match="inside the input folder"):
            check_predictions_path(output, texts)
    assert check_predictions_path(texts / "predictions.csv", texts)  # not read as data
    run = project.runs()[0]
    with pytest.raises(DlstudioError, match="one of the files of the run"):
        check_predictions_path(run.path / "spec.json", None)


def _scored_run(project: Project, score: float | None, status="completed", **state) -> RunFolder:
    """A run as the engine leaves it, with a model and its best score."""
    run = project.new_run(SPEC)
    run.model_path.write_bytes(b"PK\x05\x06" + bytes(18))
    run.update_state(status=status, pid=None, best_score=score, **state)
    return run


def test_the_best_run_is_the_best_score_not_the_latest(tmp_path):
    project = Project(tmp_path / "project")
    best = _scored_run(project, 0.31, objective="val_loss")
    _scored_run(project, 0.52, status="cancelled", partial=True, objective="val_loss")
    # Lower loss wins: the newer, stopped run is worse.
    assert best_run(project.runs()).path == best.path
    failed = project.new_run(SPEC)  # no model: never the best, whatever it says
    failed.update_state(status="failed", pid=None, best_score=0.01, objective="val_loss")
    assert best_run(project.runs()).path == best.path
    partial = _scored_run(project, 0.2, status="cancelled", partial=True, objective="val_loss")
    # A partial run wins when it really is the best.
    assert best_run(project.runs()).path == partial.path
    assert [score for _, score in comparable_runs(project.runs())[1]] == [0.31, 0.52, 0.2]


def test_higher_is_better_for_accuracy_and_other_objectives_are_not_compared(tmp_path):
    project = Project(tmp_path / "project")
    _scored_run(project, 0.001, objective="val_loss")  # another objective: not comparable
    best = _scored_run(project, 0.9, objective="val_accuracy")
    _scored_run(project, 0.7, status="time_limit", objective="val_accuracy")
    assert best_run(project.runs()).path == best.path
    assert comparable_runs(project.runs())[0] == "val_accuracy"
    assert len(comparable_runs(project.runs())[1]) == 2


def test_runs_without_scores_fall_back_to_the_latest_model(tmp_path):
    project = Project(tmp_path / "project")
    assert best_run(project.runs()) is None
    _scored_run(project, None)
    latest = _scored_run(project, float("nan"))
    assert best_run(project.runs()).path == latest.path


def test_the_model_steps_choices_are_kept_as_json_beside_the_data(tmp_path):
    project = Project(tmp_path / "project")
    project.ensure({"path": "penguins.csv", "target": "species"})
    assert project.model_choices() is None  # an older project keeps none
    choices = {"mode": "tune", "tuner": "bayesian", "max_trials": 25, "budget": "1h30m"}
    project.ensure({"path": "penguins.csv", "target": "island"}, choices)
    project.ensure({"path": "penguins.csv", "target": "sex"})  # new data spec, choices kept
    info = json.loads((project.root / "project.json").read_text())
    assert info["model"] == choices and info["data"]["target"] == "sex"
    assert project.model_choices() == choices
    info["model"] = ["not", "an", "object"]
    (project.root / "project.json").write_text(json.dumps(info))
    assert project.model_choices() is None
