"""A project folder on disk: the data it is about, and one folder per run.

    project.json                  the data spec and its profile summary
    runs/<run-id>/spec.json       the RunSpec, as started (resume reads it)
    runs/<run-id>/state.json      status, times, best trial; "running" + a dead pid = interrupted
    runs/<run-id>/trials.jsonl    one line per finished trial, appended as each one ends
    runs/<run-id>/keras_tuner/    keras-tuner's own state and per-trial weights
    runs/<run-id>/model.keras     the best model, raw data in → predictions out
    runs/<run-id>/evaluation.json test-split metrics and plot points
    runs/<run-id>/model_card.md   (and .json) what the model is, how it was made, how it scored

Every file is written atomically (temporary file, then rename), so a crash leaves either the
old or the new version, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path

from dlstudio.core.config import RunSpec
from dlstudio.core.errors import DlstudioError
from dlstudio.core.events import RunStatus, TrialRecord


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, data) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False, default=str))


def read_json(path: Path, default=None):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default


class RunFolder:
    """One run's files. Cheap to create: nothing is read until asked for."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def tuner_dir(self) -> Path:
        return self.path

    @property
    def model_path(self) -> Path:
        return self.path / "model.keras"

    def spec(self) -> RunSpec:
        data = read_json(self.path / "spec.json")
        if data is None:
            raise DlstudioError(
                f"{str(self.path)!r} has no spec.json.",
                "a run folder made by dlstudio train or tune",
                "Pass a folder from `dlstudio runs PROJECT`.",
            )
        return RunSpec.from_dict(data)

    def write_spec(self, spec: RunSpec) -> None:
        atomic_write_json(self.path / "spec.json", spec.to_dict())

    def state(self) -> dict:
        state = read_json(self.path / "state.json", {}) or {}
        if state.get("status") == RunStatus.RUNNING.value and not _alive(state.get("pid")):
            state["status"] = RunStatus.INTERRUPTED.value
        return state

    def update_state(self, **changes) -> dict:
        state = read_json(self.path / "state.json", {}) or {}
        state.update(changes, updated=datetime.now().isoformat(timespec="seconds"))
        atomic_write_json(self.path / "state.json", state)
        return state

    def append_trial(self, record: TrialRecord) -> None:
        """One line per trial, written in one call and synced: a kill never splits a line."""
        line = json.dumps(record.to_dict(), ensure_ascii=False, default=str) + "\n"
        with open(self.path / "trials.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def trials(self) -> list[TrialRecord]:
        """Finished trials in the order they ended; a re-run trial keeps its latest line."""
        records: dict[str, TrialRecord] = {}
        try:
            lines = (self.path / "trials.jsonl").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        for line in lines:
            try:
                record = TrialRecord.from_dict(json.loads(line))
            except (ValueError, TypeError, KeyError):
                continue  # a line cut by a crash mid-write
            records.pop(record.trial_id, None)
            records[record.trial_id] = record
        return list(records.values())

    def evaluation(self) -> dict | None:
        return read_json(self.path / "evaluation.json")

    def write_json(self, name: str, data) -> None:
        atomic_write_json(self.path / name, data)

    def read(self, name: str):
        return read_json(self.path / name)


def _alive(pid) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Project:
    """A folder holding runs on one dataset."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    def ensure(self, data: dict | None = None) -> Project:
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        info = read_json(self.root / "project.json", {}) or {}
        if not info:
            info = {"format": 1, "created": datetime.now().isoformat(timespec="seconds")}
        if data is not None:
            info["data"] = data
        atomic_write_json(self.root / "project.json", info)
        return self

    def info(self) -> dict:
        return read_json(self.root / "project.json", {}) or {}

    def new_run(self, spec: RunSpec) -> RunFolder:
        self.ensure()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = self.runs_dir / f"{stamp}-{spec.mode}"
        n = 2
        while path.exists():
            path = self.runs_dir / f"{stamp}-{spec.mode}-{n}"
            n += 1
        path.mkdir(parents=True)
        run = RunFolder(path)
        run.write_spec(spec)
        run.update_state(
            status=RunStatus.RUNNING.value, started=time.time(), pid=os.getpid(), elapsed_s=0.0
        )
        return run

    def runs(self) -> list[RunFolder]:
        if not self.runs_dir.is_dir():
            return []
        return [RunFolder(p) for p in sorted(self.runs_dir.iterdir()) if (p / "spec.json").exists()]


def find_run(reference: str | Path) -> RunFolder:
    """A run folder from its path (or a project's latest run from the project's path)."""
    path = Path(reference).expanduser()
    if (path / "spec.json").is_file():
        return RunFolder(path)
    runs = Project(path).runs()
    if runs:
        return runs[-1]
    raise DlstudioError(
        f"{str(path)!r} is not a run folder nor a project with runs.",
        "a folder like PROJECT/runs/20261123-101500-tune, or a project folder",
        "List the runs with `dlstudio runs PROJECT`.",
    )
