"""Validate before acting: a bad flag, space file or data choice is answered at once, in one
plain message, with exit status 2, no run folder and no TensorFlow loaded; and what a run
prints on stdout with --json is JSON alone, after a resume too."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlstudio.cli import run as run_cli
from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.errors import DlstudioError
from dlstudio.core.validate import check_run
from tests.test_cli_forecast import seasonal_csv

# The real CLI in a fresh interpreter, reporting on stderr whether TensorFlow got loaded.
_CLI = (
    "import sys; from dlstudio.cli import run; status = run(sys.argv[1:]); "
    "print('tensorflow loaded:', 'tensorflow' in sys.modules, file=sys.stderr); "
    "sys.exit(status)"
)


def _cli(*args, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _CLI, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    "flags, says",
    [
        (["--epochs", "0"], "--epochs) is 0"),
        (["--epochs", "-1"], "at least 1"),
        (["--patience", "-2"], "patience (--patience) is -2"),
        (["--clip-norm", "0"], "clipping norm (--clip-norm) is 0.0"),
        (["--set", "learning_rate=fast"], "'learning_rate' was set to 'fast'"),
        (["--set", "activation=Relu"], "Did you mean 'relu'?"),
        (["--set", "learnin_rate=0.01"], "Did you mean 'learning_rate'?"),
        (["--set", "dropout=1"], "not including) 1"),
        (["--arch", "mpl"], "Did you mean 'mlp'?"),
        (["--arch", "bilstm"], "does not fit table data"),
        (["--weights", "missing.weights.h5"], "does not exist"),
        (["--target", "specis"], "Did you mean 'species'?"),
        (["--target", "species", "--task", "regression"], "holds text labels"),
        (["--max-trials", "0"], "(--max-trials) is 0"),
        (["--time-limit", "0"], "no time at all"),
        (["--objective", "val_mae"], "not measured for multiclass"),
        (["--space", "{space}"], "runs from 3 down to 1"),
    ],
)
def test_a_bad_request_is_refused_before_anything_starts(penguins_csv, tmp_path, flags, says):
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"depth": {"type": "int", "min": 3, "max": 1}}))
    flags = [f.format(space=space) for f in flags]
    project = tmp_path / "project"
    result = _cli("tune", penguins_csv, "--project", project, *flags, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(error) == 1 and says in error[0] and "Expected" in error[0]
    assert not (project / "runs").exists()  # no run folder for a typo
    assert "tensorflow loaded: False" in result.stderr
    assert result.stdout == ""


def test_resume_refuses_flags_it_would_ignore(tmp_path):
    run = tmp_path / "project" / "runs" / "20260101-000000-tune"
    run.mkdir(parents=True)
    (run / "spec.json").write_text(
        json.dumps(RunSpec(DataSpec("x.csv"), search=SearchSpec()).to_dict())
    )
    result = _cli("tune", "--resume", run, "--target", "other", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--target cannot change it" in result.stderr
    assert "tensorflow loaded: False" in result.stderr


DATA = Path(__file__).resolve().parent / "data"
READINGS = DATA / "nab_ec2_latency_slice.csv"  # timestamp, value: a series of readings


@pytest.mark.parametrize(
    "task, flags, says",
    [
        ("anomaly", ["--objective", "val_auc"], "'val_auc' (--objective) for --task anomaly"),
        ("anomaly", ["--space", "{space}"], "--space with --task anomaly"),
        ("anomaly", ["--target", "value"], "anomaly detection has no target"),
        ("anomaly", ["--role", "value=numeric"], "--role with --task anomaly"),
        ("anomaly", ["--weights", "x.weights.h5"], "no pretrained backbone"),
        ("anomaly", ["--clip-norm", "1"], "without gradient clipping"),
        ("anomaly", ["--horizon", "5"], "--horizon only with --task forecast"),
        ("anomaly", ["--sheet", "Sheet1"], "a workbook's first sheet"),
        ("forecast", ["--objective", "val_loss"], "Expected --objective val_mae"),
        ("forecast", ["--space", "{space}"], "--space with --task forecast"),
        ("forecast", ["--window", "12"], "--window only with --task anomaly"),
        ("forecast", ["--clip-norm", "1"], "--clip-norm with --task forecast"),
        ("forecast", ["--set", "unitz=64"], "Did you mean 'units'?"),
        ("forecast", ["--arch", "lstm", "--set", "filters=8"], "'lstm' has no such setting"),
        (None, ["--contamination", "0.01"], "--contamination only with --task anomaly"),
        (None, ["--horizon", "3"], "--horizon only with --task forecast"),
    ],
)
def test_a_flag_the_task_would_ignore_is_refused(capsys, tmp_path, penguins_csv, task, flags, says):
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"units": {"type": "choice", "values": [16, 32]}}))
    data = {
        "anomaly": READINGS,
        "forecast": seasonal_csv(tmp_path / "visitors.csv"),
        None: penguins_csv,
    }[task]
    project = tmp_path / "project"
    argv = ["tune", str(data), "--project", str(project), "--epochs", "1", "--max-trials", "1"]
    argv += ["--task", task] if task else []
    assert run_cli(argv + [f.format(space=space) for f in flags]) == 2
    captured = capsys.readouterr()
    error = [line for line in captured.err.splitlines() if line.startswith("error: ")]
    assert len(error) == 1 and says in error[0] and "Expected" in error[0], captured.err
    assert not project.exists() and captured.out == ""


@pytest.mark.parametrize(
    "task, flags",
    [
        ("anomaly", ["--tuner", "bayesian", "--objective", "val_auc", "--space", "{space}"]),
        ("forecast", ["--tuner", "hyperband", "--space", "{space}"]),
    ],
)
def test_the_issues_command_is_refused_before_tensorflow_loads(tmp_path, task, flags):
    """`dlstudio tune readings.csv --task anomaly --tuner bayesian --objective val_auc
    --space my_space.json` used to run, ignoring the three flags."""
    space = tmp_path / "my_space.json"
    space.write_text(json.dumps({"units": {"type": "choice", "values": [16, 32]}}))
    data = READINGS if task == "anomaly" else seasonal_csv(tmp_path / "visitors.csv")
    project = tmp_path / "project"
    argv = ["tune", data, "--task", task, *[f.format(space=space) for f in flags]]
    result = _cli(*argv, "--project", project, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(error) == 1 and f"--task {task}" in error[0] and "Expected" in error[0]
    assert "Traceback" not in result.stderr and "tensorflow loaded: False" in result.stderr
    assert not project.exists() and result.stdout == ""


def test_the_window_gets_the_same_answers_and_honoured_choices_pass(tmp_path):
    """A spec from the window or the API is checked against the same table as the flags; an
    objective or tuner the task's search does run is accepted."""
    readings = DataSpec(str(READINGS), task="anomaly", anomaly={"window": 12})
    series = DataSpec(str(seasonal_csv(tmp_path / "visitors.csv")), task="forecast")
    check_run(RunSpec(readings, search=SearchSpec("random", objective="val_loss")))
    check_run(RunSpec(series, search=SearchSpec("random", objective="val_mae")))
    check_run(RunSpec(series, ModelSpec("lstm", {"units": 16})))  # a forecaster's setting
    check_run(RunSpec(readings, search=SearchSpec("grid")))  # every family runs every tuner
    check_run(RunSpec(series, search=SearchSpec("hyperband")))
    for spec, says in (
        (RunSpec(series, search=SearchSpec(objective="val_rmse")), "Expected --objective val_mae"),
        (RunSpec(series, train=TrainSpec(clip_norm=1.0)), "--clip-norm with --task forecast"),
        (RunSpec(readings, ModelSpec(weights="x.weights.h5")), "--weights with --task anomaly"),
    ):
        with pytest.raises(DlstudioError, match=re.escape(says)):
            check_run(spec)


def test_values_that_build_are_accepted(penguins_csv):
    """Wider than the search goes is fine for a fixed value (a user may train 100 units)."""
    spec = RunSpec(
        DataSpec(str(penguins_csv), "species"),
        ModelSpec("mlp", {"units": 100, "activation": "gelu", "learning_rate": 0.05}),
        TrainSpec(epochs=1, patience=0, clip_norm=1.0),
        SearchSpec(
            "grid",
            2,
            60.0,
            "val_accuracy",
            {"depth": {"type": "int", "min": 1, "max": 4}, "batch_norm": True},
        ),
    )
    check_run(spec)  # raises on any problem


@pytest.mark.slow
def test_resume_honours_a_new_budget_and_json_is_all_of_stdout(penguins_csv, tmp_path):
    project = tmp_path / "project"
    common = ["--project", project, "--json"]
    first = _cli(
        "tune",
        penguins_csv,
        "--target",
        "species",
        "--epochs",
        "2",
        "--max-trials",
        "1",
        *common,
        cwd=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    run = json.loads(first.stdout)["run"]

    again = _cli("tune", "--resume", run, "--max-trials", "2", "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)  # keras-tuner's "Reloading Tuner" line is not in it
    assert result["status"] == "completed"
    lines = (Path(run) / "trials.jsonl").read_text().splitlines()
    assert len(lines) == 2  # --max-trials 2 was honoured, not silently ignored
    assert "Traceback" not in again.stderr


@pytest.mark.slow
def test_a_second_ctrl_c_aborts_in_one_line(penguins_csv, tmp_path):
    project = tmp_path / "project"
    args = [
        "tune", penguins_csv, "--target", "species", "--epochs", "500", "--patience", "500",
        "--project", project,
    ]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "dlstudio", *map(str, args)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    for line in process.stderr:  # wait until training has begun
        lines.append(line)
        if "training rows" in line:
            break
    time.sleep(2)
    process.send_signal(signal.SIGINT)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=60)
    err = "".join(lines) + rest
    assert process.returncode == 130
    assert "Traceback" not in err and "Exception ignored" not in err
    assert "Aborted. The trials that finished are kept in" in err
    assert "--resume" in err
