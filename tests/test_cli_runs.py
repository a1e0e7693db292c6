"""Run folders that survive anything, seen from the CLI: a damaged file in one run never
hides the others nor crashes a command, a full disk or a vanished folder fails a run
plainly (never a success claim), and a second process on a run is refused."""

from __future__ import annotations

import errno
import json
import shutil

import pytest

from dlstudio.cli import run as cli
from tests.lock_holder import lock_held_elsewhere

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # rich wraps tables and notes at the console's width


def _cli(capsys, *args) -> tuple[int, str, str]:
    code = cli([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def trained(tmp_path_factory, penguins_module):
    """One tiny finished search (1 trial, 2 epochs), copied by each test that changes it."""
    project = tmp_path_factory.mktemp("trained") / "project"
    code = cli(
        [
            "tune",
            str(penguins_module),
            "--target",
            "species",
            "--max-trials",
            "1",
            "--epochs",
            "2",
            "--project",
            str(project),
            "--quiet",
        ]
    )
    assert code == 0
    return project


@pytest.fixture(scope="module")
def penguins_module():
    from tests.conftest import SAMPLES

    return SAMPLES / "tabular" / "palmer_penguins.csv"


@pytest.fixture
def project(trained, tmp_path):
    """A copy of the trained project holding two copies of its run."""
    copy = tmp_path / "project"
    shutil.copytree(trained, copy)
    [run] = (copy / "runs").iterdir()
    shutil.copytree(run, copy / "runs" / "20000101-000000-tune")
    return copy


def _runs(project):
    return sorted((project / "runs").iterdir())


def _cut(path, keep: int = 60) -> None:
    path.write_bytes(path.read_bytes()[:keep])


def test_a_damaged_run_is_listed_and_hides_no_other(capsys, project):
    damaged, healthy = _runs(project)
    (damaged / "state.json").write_text("garbage", encoding="utf-8")
    with open(damaged / "trials.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"trial_id": "7", "sta')
    code, out, err = _cli(capsys, "runs", project)
    assert code == 0 and "Traceback" not in err
    assert damaged.name in out and healthy.name in out
    assert "state.json is damaged" in out and "1 line(s) of trials.jsonl" in out
    assert "model still predicts" in out
    code, out, _ = _cli(capsys, "runs", project, "--json")
    rows = {row["run"]: row for row in json.loads(out)}
    assert rows[damaged.name]["run_status"] == "damaged" and rows[healthy.name]["problems"] == []


@pytest.mark.parametrize(
    "name, command",
    [
        ("spec.json", ["tune", "--resume", "{run}"]),
        ("model_card.json", ["predict", "{run}", "{data}", "-o", "{tmp}/p.csv"]),
        ("model_card.json", ["export", "{run}", "--format", "keras", "--out", "{tmp}/x"]),
        ("evaluation.json", ["evaluate", "{run}"]),
    ],
)
def test_a_command_that_needs_a_cut_file_names_it(
    capsys, project, penguins_module, tmp_path, name, command
):
    run = _runs(project)[0]
    _cut(run / name)
    args = [a.format(run=run, data=penguins_module, tmp=tmp_path) for a in command]
    code, _, err = _cli(capsys, *args)
    assert code == 2, err
    assert f"{run / name}" in err and "cannot be read" in err
    assert "unexpected problem" not in err and "Traceback" not in err


def test_predictions_never_replace_their_input(capsys, project, tmp_path):
    data = tmp_path / "new.csv"
    data.write_text("bill_length_mm\n40\n", encoding="utf-8")
    (tmp_path / "alias.csv").symlink_to(data)
    code, _, err = _cli(capsys, "predict", _runs(project)[0], data, "-o", tmp_path / "alias.csv")
    assert code == 2 and "input file itself" in err
    assert data.read_text(encoding="utf-8") == "bill_length_mm\n40\n"


def test_a_second_process_on_a_run_is_refused(capsys, project):
    run = _runs(project)[0]
    with lock_held_elsewhere(run) as holder:
        code, _, err = _cli(capsys, "tune", "--resume", run)
    assert code == 2 and f"in use by process {holder.pid}" in err


def test_a_full_disk_fails_the_run_plainly(capsys, tmp_path, penguins_module, monkeypatch):
    import dlstudio.core.project as project_module

    def full_disk(path, *args, **kwargs):
        if str(path).endswith("trials.jsonl"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(project_module, "open", full_disk, raising=False)
    project = tmp_path / "p"
    code, out, err = _cli(
        capsys, "train", penguins_module, "--target", "species", "--epochs", "1",
        "--project", project,
    )  # fmt: skip
    assert code == 2 and "is full" in err and "trials.jsonl" in err
    assert "finished" not in out + err and "unexpected" not in err
    [run] = _runs(project)
    state = json.loads((run / "state.json").read_text())
    assert state["status"] == "failed" and "is full" in state["message"]


def test_a_run_whose_folder_is_deleted_never_claims_success(tmp_path, penguins_module):
    from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, TrainSpec
    from dlstudio.core.engine.run import start_run
    from dlstudio.core.events import RunFailed, RunFinished, TrialEnded
    from dlstudio.core.project import StorageError

    events = []
    project = tmp_path / "p"

    def sink(event):
        events.append(event)
        if isinstance(event, TrialEnded):  # the user deletes the project mid-search
            shutil.rmtree(project, ignore_errors=True)

    spec = RunSpec(
        DataSpec(str(penguins_module), "species"),
        train=TrainSpec(epochs=1),
        search=SearchSpec(max_trials=3),
    )
    with pytest.raises(StorageError, match="deleted or moved"):
        start_run(spec, project, sink)
    assert not any(isinstance(e, RunFinished) for e in events)
    assert any(isinstance(e, RunFailed) and "deleted" in e.message for e in events)
