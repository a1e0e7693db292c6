"""A project folder on disk: the data it is about, and one folder per run.

    project.json                  the whole data spec (path, target, sheet, task, roles, split)
                                  and the Model step's choices ("model", plain JSON; optional)
    runs/<run-id>/spec.json       the RunSpec, as started (resume reads it)
    runs/<run-id>/state.json      status, times, best trial; "running" + a dead pid = interrupted
    runs/<run-id>/trials.jsonl    one line per finished trial, appended as each one ends
    runs/<run-id>/run.lock        held by the one process working in the run (run_lock.py)
    runs/<run-id>/keras_tuner/    keras-tuner's own state and per-trial weights
    runs/<run-id>/model.keras     the best model, raw data in → predictions out
    runs/<run-id>/evaluation.json test-split metrics and plot points
    runs/<run-id>/model_card.md   (and .json) what the model is, how it was made, how it scored

Every file is written atomically (storage.py), so a crash leaves either the old or the new
version, never half of one. Files can still be damaged (a full disk, a copy cut short, an
edit by hand): one damaged file never hides the rest of its run nor other runs. Listing a
run reads it leniently and says what is damaged (`problems`); a command that needs the
damaged file stops with a DamagedFile error that names it.
"""

from __future__ import annotations

import json
import math
import os
import time
import zipfile
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path

from dlstudio.core.config import (
    DataSpec,
    RunSpec,
    SplitSpec,
    default_objective,
    objective_direction,
)
from dlstudio.core.errors import DlstudioError
from dlstudio.core.events import RunStatus, TrialRecord
from dlstudio.core.paths import EVALUATION_FILE, MODEL_CARD_FILE, MODEL_CARD_TEXT
from dlstudio.core.run_lock import LOCK_NAME, RunLock
from dlstudio.core.storage import (
    DamagedFile,
    StorageError,
    atomic_write_json,
    atomic_write_text,
    read_json,
    read_json_object,
    storage_error,
)

__all__ = [
    "DAMAGED",
    "DamagedFile",
    "Project",
    "RunFolder",
    "StorageError",
    "atomic_write_json",
    "atomic_write_text",
    "best_run",
    "comparable_runs",
    "data_spec_from_dict",
    "data_spec_to_dict",
    "find_run",
    "read_json",
    "run_objective",
    "same_data",
]

# The status a run is listed with when its state.json cannot be read.
DAMAGED = "damaged"
# Files whose presence makes a folder under runs/ a run (spec.json may be the damaged one).
RUN_MARKERS = ("spec.json", "state.json", "trials.jsonl", "model.keras")
# Files dlstudio owns in a run folder: nothing else may be written over them.
RUN_FILES = (
    *RUN_MARKERS,
    EVALUATION_FILE,
    MODEL_CARD_FILE,
    MODEL_CARD_TEXT,
    "sample_inputs.npz",
    LOCK_NAME,
)


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

    # ------------------------------------------------------------ reading

    def spec(self) -> RunSpec:
        """The run's settings as started.

        Raises:
            DlstudioError: There is no spec.json (DamagedFile when it cannot be read).
        """
        path = self.path / "spec.json"
        fix = f"This run cannot be resumed; start a new one. {self._still_usable()}"
        data = read_json_object(path, fix=fix)
        if data is None:
            raise DlstudioError(
                f"{str(self.path)!r} has no spec.json.",
                "a run folder made by dlstudio train or tune",
                "Pass a folder from `dlstudio runs PROJECT`.",
            )
        try:
            return RunSpec.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise DamagedFile(
                path, f"it does not hold a run's settings ({type(error).__name__}: {error})", fix
            ) from None

    def state(self) -> dict:
        """Status, times and best trial; never raises. A damaged state.json gives status
        DAMAGED and a message saying so (the other files may still be fine)."""
        try:
            state = read_json_object(self.path / "state.json", {}) or {}
        except DlstudioError as error:
            return {"status": DAMAGED, "message": str(error)}
        if state.get("status") == RunStatus.RUNNING.value and not _alive(state.get("pid")):
            state["status"] = RunStatus.INTERRUPTED.value
        return state

    def trials(self) -> list[TrialRecord]:
        """Finished trials in the order they ended; a re-run trial keeps its latest line.
        Lines that cannot be read are skipped here and counted by `unreadable_trials`."""
        return self._read_trials()[0]

    def unreadable_trials(self) -> int:
        """How many lines of trials.jsonl cannot be read (cut by a crash, or edited)."""
        return self._read_trials()[1]

    def _read_trials(self) -> tuple[list[TrialRecord], int]:
        records: dict[str, TrialRecord] = {}
        try:
            raw = (self.path / "trials.jsonl").read_bytes()
        except FileNotFoundError:
            return [], 0
        except OSError:
            return [], 1  # unreadable as a whole (permissions): one problem to report
        bad = 0
        for line in raw.decode("utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            try:
                record = TrialRecord.from_dict(json.loads(line))
            except (ValueError, TypeError, KeyError, AttributeError):
                bad += 1
                continue
            records.pop(record.trial_id, None)
            records[record.trial_id] = record
        return list(records.values()), bad

    def evaluation(self, strict: bool = False) -> dict | None:
        """evaluation.json; None when there is none, or when it is damaged and not `strict`.

        Raises:
            DamagedFile: `strict` and the file cannot be read.
        """
        return self.read(EVALUATION_FILE, strict)

    def card(self, strict: bool = False) -> dict | None:
        """model_card.json; None when there is none, or when it is damaged and not `strict`."""
        return self.read(MODEL_CARD_FILE, strict)

    def read(self, name: str, strict: bool = False):
        """A JSON file of the run; None when it is missing, or damaged and not `strict`."""
        fix = f"Restore it from a copy, or start a new run. {self._still_usable(name)}"
        try:
            return read_json_object(self.path / name, fix=fix.strip())
        except DlstudioError:
            if strict:
                raise
            return None

    def problems(self) -> list[str]:
        """What is damaged or missing in this run, and what can still be used; [] if none."""
        found = []
        if not (self.path / "spec.json").exists():
            found.append("spec.json is missing: the run cannot be resumed.")
        for name in ("spec.json", "state.json", EVALUATION_FILE, MODEL_CARD_FILE):
            try:
                if name == "spec.json":
                    if (self.path / name).exists():
                        self.spec()
                else:
                    read_json_object(self.path / name)
            except DamagedFile as error:
                found.append(f"{name} is damaged: {error.problem}.")
            except DlstudioError as error:
                found.append(f"{name} cannot be read ({error.received})")
        if self.model_path.exists() and not zipfile.is_zipfile(self.model_path):
            found.append("model.keras is damaged: it is not a whole .keras archive.")
        bad = self.unreadable_trials()
        if bad:
            found.append(
                f"{bad} line(s) of trials.jsonl cannot be read (cut by a crash?): "
                "those trials are not listed."
            )
        if found:
            found.append(self._still_usable() or "It has no model that could still be used.")
        return found

    def _still_usable(self, damaged: str = "") -> str:
        """What a damaged run still offers, in one sentence."""
        card = self.path / MODEL_CARD_FILE
        model = self.model_path
        if damaged != MODEL_CARD_FILE and zipfile.is_zipfile(model) and card.is_file():
            try:
                read_json_object(card)
            except DlstudioError:
                return ""
            return f"Its model still predicts: `dlstudio predict {self.path} DATA`."
        return ""

    # ------------------------------------------------------------ writing

    def lock(self) -> RunLock:
        """The lock that keeps a second process out of this run (see run_lock.py)."""
        return RunLock(self.path, self.id)

    def write_spec(self, spec: RunSpec) -> None:
        self._write("spec.json", spec.to_dict())

    def update_state(self, **changes) -> dict:
        try:
            state = read_json_object(self.path / "state.json", {}) or {}
        except DamagedFile:
            state = {}  # what it held is lost already; the run's new state is still worth keeping
        state.update(changes, updated=datetime.now().isoformat(timespec="seconds"))
        self._write("state.json", state)
        return state

    def append_log(self, text: str) -> None:
        """Add `text` to the run's log.txt: the full story of what failed, where the CLI and
        the window say it in one line."""
        self.check_intact()
        stamp = datetime.now().isoformat(timespec="seconds")
        with open(self.log_path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {stamp}\n{text.rstrip()}\n")

    @property
    def log_path(self) -> Path:
        return self.path / "log.txt"

    def append_trial(self, record: TrialRecord) -> None:
        """One line per trial, written in one call and synced: a kill never splits a line.

        A line that a crash did cut (a full disk) is ended first, so that this record never
        glues onto it and is lost with it."""
        self.check_intact()
        path = self.path / "trials.jsonl"
        line = json.dumps(record.to_dict(), ensure_ascii=False, default=str) + "\n"
        try:
            with open(path, "a+b") as fh:
                if fh.tell() > 0:
                    fh.seek(-1, os.SEEK_END)
                    if fh.read(1) != b"\n":
                        line = "\n" + line
                fh.write(line.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as error:
            raise storage_error(path, error, self.fix_writes()) from error

    def write_json(self, name: str, data) -> None:
        self._write(name, data)

    def write_evaluation(self, evaluation: dict) -> None:
        self._write(EVALUATION_FILE, evaluation)

    def write_card(self, card: dict) -> None:
        self._write(MODEL_CARD_FILE, card)

    def check_intact(self) -> None:
        """Raise StorageError if the run folder (or its spec.json) vanished mid-run.

        keras-tuner re-creates the folders it writes to, so a run whose folder was deleted
        would otherwise carry on in a half-empty copy and report success."""
        if not (self.path / "spec.json").is_file():
            raise StorageError(
                f"The run folder {str(self.path)!r} was deleted or moved while the run was "
                "going (its spec.json is gone).",
                "the project folder to stay in place until the run ends",
                "Put the folder back if it was moved, or start the run again.",
            )

    def _write(self, name: str, data) -> None:
        if name != "spec.json":
            self.check_intact()
        try:
            atomic_write_json(self.path / name, data, make_parents=False)
        except StorageError as error:
            cause = error.__cause__
            if isinstance(cause, OSError):
                raise storage_error(self.path / name, cause, self.fix_writes()) from cause
            raise

    def fix_writes(self) -> str:
        """How to go on after a write in this run failed."""
        try:
            search = self.spec().search is not None
        except DlstudioError:
            search = False
        then = (
            f"resume the run with `dlstudio tune --resume {self.path}` (finished trials are kept)"
            if search
            else "start the training again"
        )
        return f"Free some space or make the project folder writable, then {then}."


def _alive(pid) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OSError, ValueError, OverflowError):
        return False
    return True


class Project:
    """A folder holding runs on one dataset."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    def ensure(self, data: dict | None = None, model: dict | None = None) -> Project:
        """Make the folder a project (runs/ and project.json); `data` replaces the data spec
        it keeps and `model` the Model step's choices, when given (the rest is kept)."""
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise storage_error(self.runs_dir, error, _FIX_PROJECT) from error
        info = self.info()
        if not info:
            info = {"format": 1, "created": datetime.now().isoformat(timespec="seconds")}
        if data is not None:
            info["data"] = data
        if model is not None:
            info["model"] = model
        try:
            atomic_write_json(self.root / "project.json", info)
        except StorageError as error:
            raise StorageError(error.received, error.expected, _FIX_PROJECT) from error
        return self

    def info(self) -> dict:
        """project.json; {} when it is missing or damaged (it only describes the project)."""
        try:
            return read_json_object(self.root / "project.json", {}) or {}
        except DlstudioError:
            return {}

    def data_spec(self) -> DataSpec | None:
        """The whole data spec the project is about (path, target, sheet, task, roles, split),
        as its latest run started it; None when project.json names no data or is damaged.

        Keys a newer dlstudio wrote are skipped; a spec whose roles or split cannot be read
        keeps its path and target (the data can still be opened). A project.json that names
        no data (an older dlstudio's, or a lost one) gives way to the latest readable run's
        spec, so that opening the project opens its data, not whatever was open before."""
        data = self.info().get("data")
        if isinstance(data, dict) and isinstance(data.get("path"), str):
            return data_spec_from_dict(data)
        for run in reversed(self.runs()):
            try:
                return run.spec().data
            except DlstudioError:
                continue
        return None

    def model_choices(self) -> dict | None:
        """The Model step's choices as last kept (plain JSON, read leniently by the window);
        None when project.json keeps none (an older dlstudio's) or they are not an object."""
        model = self.info().get("model")
        return model if isinstance(model, dict) else None

    def data_path(self) -> str | None:
        """The data file or folder the project is about (see data_spec); None when nothing
        says."""
        spec = self.data_spec()
        return None if spec is None else spec.path

    def holds_other_data(self, path: str | Path) -> bool:
        """Whether this folder is a project about other data than `path`, so that runs on
        `path` must not go into it. An empty or new folder holds no data; a folder with runs
        whose data cannot be told is treated as holding other data (never mix)."""
        own = self.data_path()
        if own is None:
            return bool(self.runs())
        return not same_data(own, path)

    def new_run(self, spec: RunSpec) -> RunFolder:
        """A new run folder with a name no other process can take at the same time: the
        folder is created without exist_ok, which the file system does atomically."""
        self.ensure()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name, n = f"{stamp}-{spec.mode}", 2
        while True:
            path = self.runs_dir / name
            try:
                path.mkdir()
                break
            except FileExistsError:
                name, n = f"{stamp}-{spec.mode}-{n}", n + 1
            except OSError as error:
                raise storage_error(path, error, _FIX_PROJECT) from error
        run = RunFolder(path)
        run.write_spec(spec)
        run.update_state(
            status=RunStatus.RUNNING.value, started=time.time(), pid=os.getpid(), elapsed_s=0.0
        )
        return run

    def runs(self) -> list[RunFolder]:
        """Every run, damaged ones included (any of RUN_MARKERS makes a folder a run)."""
        if not self.runs_dir.is_dir():
            return []
        return [RunFolder(p) for p in sorted(self.runs_dir.iterdir()) if _is_run(p)]


_FIX_PROJECT = "Choose another folder with --project, or free space / make this one writable."


def same_data(a: str | Path, b: str | Path) -> bool:
    """Whether two data paths name the same file or folder (after ~ and symbolic links)."""
    return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()


def data_spec_to_dict(spec: DataSpec) -> dict:
    """A DataSpec as project.json keeps it: every field, the split included."""
    return asdict(spec)


def data_spec_from_dict(data: dict) -> DataSpec:
    """A DataSpec from project.json's "data" (or an older one with path and target only)."""
    names = {f.name for f in fields(DataSpec)}
    values = {k: v for k, v in data.items() if k in names}
    split = values.pop("split", None)
    roles = values.pop("roles", None)
    split_names = {f.name for f in fields(SplitSpec)}
    try:
        values["split"] = SplitSpec(**{k: v for k, v in (split or {}).items() if k in split_names})
    except (TypeError, AttributeError):
        values["split"] = SplitSpec()
    if isinstance(roles, dict):
        values["roles"] = {str(k): str(v) for k, v in roles.items()}
    for key in ("target", "sheet", "task"):
        if values.get(key) is not None and not isinstance(values[key], str):
            values[key] = None
    for key in ("covariates", "known_covariates"):  # lists in JSON; absent in older files
        listed = values.get(key)
        values[key] = tuple(str(v) for v in listed) if isinstance(listed, list | tuple) else ()
    return DataSpec(**values)


def run_objective(run: RunFolder) -> str:
    """What "best" meant in `run`: the objective its state.json recorded, else the one its
    spec named, else its task's default."""
    recorded = run.state().get("objective")
    if isinstance(recorded, str) and recorded:
        return recorded
    try:
        spec = run.spec()
    except DlstudioError:
        return "val_loss"
    named = spec.search.objective if spec.search else None
    return named or default_objective(spec.data.task or "")


def comparable_runs(runs: list[RunFolder]) -> tuple[str | None, list[tuple[RunFolder, float]]]:
    """The runs of `runs` whose models can be ranked, with their best scores: those with a
    model and a best score on the objective of the latest of them (runs scored on another
    objective cannot be compared), in their order; that objective, or (None, []) when no run
    has a scored model."""
    scored = [(run, _best_score(run)) for run in runs if run.model_path.exists()]
    scored = [(run, score) for run, score in scored if score is not None]
    if not scored:
        return None, []
    objective = run_objective(scored[-1][0])
    return objective, [(run, score) for run, score in scored if run_objective(run) == objective]


def best_run(runs: list[RunFolder]) -> RunFolder | None:
    """The run with the best model of `runs`: the best of `comparable_runs` in the
    objective's direction (lower loss, higher accuracy). A partial or stopped run wins only
    with the best score; a tie goes to the later run. Without any score, the latest run with
    a model; None when no run has one."""
    objective, scored = comparable_runs(runs)
    if not scored:
        with_model = [run for run in runs if run.model_path.exists()]
        return with_model[-1] if with_model else None
    sign = -1.0 if objective_direction(objective) == "max" else 1.0
    best, best_score = scored[0]
    for run, score in scored[1:]:
        if sign * score <= sign * best_score:
            best, best_score = run, score
    return best


def _best_score(run: RunFolder) -> float | None:
    """state.json's best score as a finite number, else None."""
    score = run.state().get("best_score")
    if isinstance(score, bool) or not isinstance(score, int | float):
        return None
    return float(score) if math.isfinite(score) else None


def _is_run(path: Path) -> bool:
    return path.is_dir() and any((path / name).exists() for name in RUN_MARKERS)


def find_run(reference: str | Path) -> RunFolder:
    """A run folder from its path (or a project's latest run from the project's path)."""
    path = Path(reference).expanduser()
    if _is_run(path):
        return RunFolder(path)
    runs = Project(path).runs()
    if runs:
        return runs[-1]
    raise DlstudioError(
        f"{str(path)!r} is not a run folder nor a project with runs.",
        "a folder like PROJECT/runs/20261123-101500-tune, or a project folder",
        "List the runs with `dlstudio runs PROJECT`.",
    )
