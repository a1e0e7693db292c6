"""The hostile-input corpus run through the real CLI, one subprocess per case.

For every case: the exit status a user should get, no traceback and no "unexpected problem", a
message that names the problem, and nothing written or lost in the case's folder.

Most cases are refusals that must come before TensorFlow is imported, so they cost a Python
start each; the few that need a trained run copy one of two tiny runs (one epoch on the bundled
penguins and digits samples) built once per session. The selected cases run a few at a time
(one per core) in a session fixture; each test then checks its own case's result.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.hostile import inputs
from tests.hostile.cases import CASES, Case, Outcome, Workspace

REPO = Path(__file__).resolve().parents[2]
CASE_TIMEOUT_S = 240  # a hung command fails its case instead of the whole session
BUILD_TIMEOUT_S = 300
COMMANDS = {"inspect", "train", "tune", "evaluate", "export", "predict", "runs", "devices"}


def _environment() -> dict:
    env = dict(os.environ)
    env.pop("DLSTUDIO_DEBUG", None)  # tracebacks would be asked for
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    env["COLUMNS"] = "200"  # fewer wrapped lines to read in a failure report
    return env


def dlstudio(argv: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dlstudio", *argv],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )


def snapshot(folder: Path) -> dict[str, str]:
    """Every path under `folder` with its content hash (folders and links too)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = f"link to {os.readlink(path)}"
        elif path.is_dir():
            found[key] = "folder"
        else:
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def run_case(case: Case, folder: Path, projects: dict[str, Path]) -> Outcome:
    folder.mkdir(parents=True)
    argv = case.build(Workspace(folder, projects))
    before = snapshot(folder)
    try:
        done = dlstudio(argv, folder, CASE_TIMEOUT_S)
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as timeout:
        code, out, err = None, str(timeout.stdout or ""), f"timed out after {CASE_TIMEOUT_S} s"
    after = snapshot(folder)
    written = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return Outcome(argv, code, out, err, written)


def build_projects(kinds: set[str], root: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """The tiny trained runs the selected cases copy, trained side by side."""
    data = {"table": root / "penguins.csv", "image": root / "digits"}
    target = {"table": ["--target", "species"], "image": []}
    inputs.digits(data["image"])
    data["table"].write_bytes(inputs.PENGUINS.read_bytes())
    started = {
        kind: subprocess.Popen(
            [sys.executable, "-m", "dlstudio", "train", str(data[kind]), *target[kind]]
            + ["--epochs", "1", "--project", str(root / f"{kind}-project"), "--quiet"],
            cwd=root,
            env=_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for kind in sorted(kinds)
    }
    projects, failures = {}, {}
    for kind, process in started.items():
        try:
            output, _ = process.communicate(timeout=BUILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            output = f"still training after {BUILD_TIMEOUT_S} s; {output}"
        if process.returncode == 0:
            projects[kind] = root / f"{kind}-project"
        else:
            failures[kind] = f"exit {process.returncode}: {output[-2000:]}"
    return projects, failures


@pytest.fixture(scope="session")
def outcomes(request, tmp_path_factory) -> dict[str, Outcome | str]:
    """Every selected case's outcome (or why it could not run), keyed by case id."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_hostile_case"
    ]
    root = tmp_path_factory.mktemp("hostile")
    needed = {kind for case in selected for kind in case.needs}
    projects, failures = build_projects(needed, root / "trained")
    results: dict[str, Outcome | str] = {}

    def one(case: Case) -> None:
        missing = [f"the tiny {k} run failed ({failures[k]})" for k in case.needs if k in failures]
        results[case.id] = "; ".join(missing) or run_case(case, root / case.id, projects)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        list(pool.map(one, selected))
    return results


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def _report(outcome: Outcome) -> str:
    return (
        f"\n$ dlstudio {' '.join(outcome.argv)}\nexit: {outcome.code}\n"
        f"stdout: {outcome.out[-3000:]}\nstderr: {outcome.err[-3000:]}"
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_hostile_case(case: Case, outcomes) -> None:
    outcome = outcomes[case.id]
    if isinstance(outcome, str):
        pytest.fail(outcome)
    report = _report(outcome)
    code, both = outcome.code, outcome.out + outcome.err
    assert code in case.codes, f"exit {code}, expected {' or '.join(map(str, case.codes))}{report}"
    assert "Traceback" not in both, report
    assert "unexpected problem" not in both, report
    if code == 2:
        assert outcome.err.strip(), f"a refusal says why on stderr{report}"
    said = outcome.messages
    for word in case.words:
        options = (word,) if isinstance(word, str) else word
        assert any(o.lower() in said for o in options), (
            f"the message names none of {options}{report}"
        )
    allowed = case.may_write if code == 0 else ()
    unexpected = [p for p in outcome.written if not any(_under(p, a) for a in allowed)]
    assert not unexpected, f"written, changed or removed: {unexpected}{report}"
    if case.check is not None:
        try:
            case.check(outcome)
        except AssertionError as error:
            raise AssertionError(f"{error}{report}") from None


def _stand_in_project(root: Path) -> Path:
    """Files shaped like a trained run's, enough for the cases to build their inputs on."""
    run = root / "runs" / "20260101-000000-train"
    run.mkdir(parents=True)
    (root / "project.json").write_text("{}")
    for name in ("spec.json", "state.json", "evaluation.json", "model_card.json"):
        (run / name).write_text('{"a": 1}')
    (run / "model.keras").write_bytes(b"PK")
    (run / "trials.jsonl").write_text('{"trial_id": "0", "status": "completed"}\n')
    return root


def test_corpus_covers_every_command_and_area(tmp_path) -> None:
    """At least 60 cases (the issue's count), every command, every area; each one's inputs build."""
    assert len(CASES) >= 60
    assert len({case.id for case in CASES}) == len(CASES), "two cases share a name"
    project = _stand_in_project(tmp_path / "stand-in")
    projects = {"table": project, "image": project}
    commands = {case.build(Workspace(tmp_path / case.id, projects))[0] for case in CASES}
    assert commands == COMMANDS
    assert {case.area for case in CASES} == {"tables", "run-folders", "validation", "data-checks"}
