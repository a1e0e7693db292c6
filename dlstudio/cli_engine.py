"""The CLI commands that train, search, evaluate, export and predict.

They build a RunSpec from flags and hand it to the same core functions the GUI calls. Keras
is imported only inside these functions, so `dlstudio --help` and `inspect` stay fast.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

from dlstudio.cli import ROLE_HELP, parse_roles
from dlstudio.core.config import (
    OBJECTIVES,
    TUNERS,
    DataSpec,
    ModelSpec,
    RunSpec,
    SearchSpec,
    SplitSpec,
    TrainSpec,
)
from dlstudio.core.durations import parse_duration
from dlstudio.core.errors import DlstudioError

DEFAULT_PROJECT = "dlstudio-project"


def add_commands(commands) -> None:
    """Register train, tune, evaluate, export, predict, runs and devices on the parser."""
    for name, helptext in (
        ("train", "train one configuration of a model"),
        ("tune", "search hyperparameters with keras-tuner"),
    ):
        cmd = commands.add_parser(name, help=helptext)
        cmd.add_argument("data", nargs="?", help="table, image folder/zip or text collection")
        cmd.add_argument("--target", help="column to predict (guessed when omitted)")
        cmd.add_argument("--sheet", help="Excel sheet")
        cmd.add_argument("--task", choices=["binary", "multiclass", "regression"])
        cmd.add_argument("--role", action="append", default=[], metavar="COL=ROLE", help=ROLE_HELP)
        cmd.add_argument("--arch", help="architecture template (default: the modality's)")
        cmd.add_argument(
            "--epochs", type=int, default=30, help="most epochs per trial (default 30)"
        )
        cmd.add_argument("--patience", type=int, default=5, help="early-stopping patience")
        cmd.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="fix a hyperparameter, e.g. --set learning_rate=0.003 (repeatable)",
        )
        cmd.add_argument("--weights", help="local weights file for a keras.applications backbone")
        cmd.add_argument("--clip-norm", type=float, help="clip gradients to this norm")
        cmd.add_argument("--seed", type=int, default=0)
        cmd.add_argument(
            "--project", default=DEFAULT_PROJECT, help=f"project folder (default {DEFAULT_PROJECT})"
        )
        cmd.add_argument("--quiet", action="store_true", help="print only the result")
        cmd.add_argument("--json", action="store_true", help="print the result as JSON")
        if name == "tune":
            cmd.add_argument("--tuner", choices=TUNERS, default="random")
            cmd.add_argument("--max-trials", type=int, default=10, help="at most this many (≥ 1)")
            cmd.add_argument(
                "--time-limit",
                help="hard wall-clock budget, e.g. 45 (seconds), 90s, 10m, 1h30m; the search "
                "plans inside it and always keeps the best model it trained",
            )
            cmd.add_argument(
                "--objective",
                choices=OBJECTIVES,
                help="what 'best' means, on the validation split (default: val_loss for "
                "classes, val_mae for numbers)",
            )
            cmd.add_argument("--space", help="JSON file of search-space entries to override")
            cmd.add_argument("--resume", metavar="RUN", help="continue an interrupted search")

    evaluate = commands.add_parser("evaluate", help="test-split metrics of a run")
    evaluate.add_argument("run", help="run folder (or a project: its latest run)")
    evaluate.add_argument("--json", action="store_true")

    export = commands.add_parser("export", help="export a run's model (checked after writing)")
    export.add_argument("run", help="run folder (or a project: its latest run)")
    export.add_argument(
        "--format",
        help="some of keras,savedmodel,onnx,tflite (default: every format this model can use)",
    )
    export.add_argument("--out", required=True, help="folder to write to")

    predict = commands.add_parser("predict", help="predict on new raw data")
    predict.add_argument("model", help="a run folder or its model.keras")
    predict.add_argument(
        "data",
        nargs="?",
        help="a table; an image or a folder of images; a .txt file or a folder of them",
    )
    predict.add_argument(
        "--text", action="append", default=[], help="a text to classify (repeatable)"
    )
    predict.add_argument("-o", "--output", default="predictions.csv", help="CSV to write")

    runs = commands.add_parser("runs", help="list the trials of every run in a project")
    runs.add_argument("project", nargs="?", default=DEFAULT_PROJECT)
    runs.add_argument("--json", action="store_true")

    commands.add_parser("devices", help="what the Keras backend will train on")


def _values(pairs: list[str]) -> dict:
    values = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise DlstudioError(
                f"--set {pair!r}.", "NAME=VALUE, e.g. --set units=128", "Fix the option."
            )
        try:
            values[name] = json.loads(raw)
        except ValueError:
            values[name] = raw  # a bare word like relu
    return values


def _spec(args) -> RunSpec:
    if not args.data:
        raise DlstudioError(
            "No data was given.",
            "a path to a table, image folder or text collection",
            f"Run e.g. `dlstudio {args.command} data.csv --target COL`.",
        )
    data = DataSpec(
        str(Path(args.data).expanduser().resolve()),
        args.target,
        args.sheet,
        args.task,
        parse_roles(args.role),
        SplitSpec(seed=args.seed),
    )
    model = ModelSpec(args.arch, _values(args.set), args.weights)
    train = TrainSpec(
        epochs=args.epochs, patience=args.patience, clip_norm=args.clip_norm, seed=args.seed
    )
    search = None
    if args.command == "tune":
        space = None
        if args.space:
            try:
                space = json.loads(Path(args.space).read_text())
            except (OSError, ValueError) as error:
                raise DlstudioError(
                    f"The search-space file {args.space!r} could not be read ({error}).",
                    "a JSON object of entries",
                    "Fix the file.",
                ) from None
        if args.max_trials < 1:
            raise DlstudioError(
                f"--max-trials {args.max_trials}.",
                "at least 1 trial",
                "Give a positive number, or --time-limit alone to stop by time.",
            )
        search = SearchSpec(
            args.tuner,
            args.max_trials,
            parse_duration(args.time_limit, "--time-limit"),
            args.objective,
            space,
        )
    return RunSpec(data, model, train, search)


def cmd_run(args) -> int:
    """train and tune."""
    from dlstudio.cli_progress import ProgressPrinter
    from dlstudio.core.engine.cancel import CancelToken
    from dlstudio.core.native_logs import hushed
    from dlstudio.core.project import find_run

    with hushed():
        from dlstudio.core.engine.run import resume_run, start_run

    token = CancelToken()
    printer = ProgressPrinter(quiet=args.quiet or args.json)
    previous = _graceful_interrupt(token, printer)
    try:
        with printer:
            if getattr(args, "resume", None):
                run = resume_run(find_run(args.resume), printer, token)
            else:
                run = start_run(_spec(args), args.project, printer, token)
    finally:
        signal.signal(signal.SIGINT, previous)
    state = run.state()
    result = {
        "run": str(run.path),
        "status": state.get("status"),
        "best_trial": state.get("best_trial_id"),
        "best_score": state.get("best_score"),
        "model": str(run.model_path) if run.model_path.exists() else None,
        "evaluation": (run.evaluation() or {}).get("metrics", {}),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        from dlstudio.cli_progress import print_result

        print_result(run, quiet=args.quiet)
    return 0 if state.get("status") in ("completed", "time_limit", "cancelled") else 1


def _graceful_interrupt(token, printer):
    """First Ctrl-C stops after the current batch (and keeps what finished); a second aborts."""

    def handler(signum, frame):
        if token.cancelled:
            raise KeyboardInterrupt
        token.cancel()
        printer.note("Stopping after this batch… (Ctrl-C again to abort at once)")

    return signal.signal(signal.SIGINT, handler)


def cmd_evaluate(args) -> int:
    from dlstudio.cli_progress import print_evaluation
    from dlstudio.core.project import find_run

    run = find_run(args.run)
    evaluation = run.evaluation()
    if evaluation is None:
        raise DlstudioError(
            f"The run {run.id!r} has no evaluation.",
            "a run that finished with a model",
            "Resume it with `dlstudio tune --resume RUN`, or start a new one.",
        )
    if args.json:
        print(json.dumps(evaluation, indent=2))
    else:
        print_evaluation(run, evaluation)
    return 0


def cmd_export(args) -> int:
    from dlstudio.core.native_logs import hushed

    with hushed():
        from dlstudio.core.export import export_run
    from dlstudio.core.formats import agreement

    formats = None
    if args.format:
        formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    for item in export_run(args.run, formats, args.out):
        check = (
            f"reloaded in its own runtime, predictions {agreement(item.max_difference)}"
            if item.max_difference is not None
            else ""
        )
        print(f"{item.format:11s} {item.path}  ({check}; {item.note})")
    print(f"How to use each one: {Path(args.out) / 'model_card.md'}")
    return 0


def cmd_predict(args) -> int:
    from dlstudio.core.native_logs import hushed
    from dlstudio.core.project import atomic_write_text

    output = Path(args.output).expanduser()
    if args.data and output.resolve() == Path(args.data).expanduser().resolve():
        raise DlstudioError(
            f"-o {args.output!r} is the input file itself.",
            "a new file for the predictions",
            "Pass another name with -o, e.g. -o predictions.csv.",
        )
    if bool(args.data) == bool(args.text):
        raise DlstudioError(
            "Both data and --text were given." if args.data else "No data was given.",
            "either a file or folder of new data, or one or more --text",
            "e.g. `dlstudio predict RUN new.csv` or `dlstudio predict RUN --text 'Win a prize!'`.",
        )
    with hushed():
        from dlstudio.core.export import predict_file, predict_texts

    frame = (
        predict_file(args.model, args.data) if args.data else predict_texts(args.model, args.text)
    )
    atomic_write_text(output, frame.to_csv(index=False))
    print(f"{len(frame)} prediction(s) written to {args.output}")
    return 0


def cmd_runs(args) -> int:
    from dlstudio.core.project import Project

    project = Project(args.project)
    runs = project.runs()
    if not runs:
        raise DlstudioError(
            f"No runs in {args.project!r}.",
            "a project folder with runs/",
            "Start one with `dlstudio train` or `dlstudio tune --project DIR`.",
        )
    rows = []
    for run in runs:
        state = run.state()
        for record in run.trials():
            rows.append(
                {
                    "run": run.id,
                    "run_status": state.get("status"),
                    "trial": record.trial_id,
                    "status": record.status.value,
                    "score": record.score,
                    "duration_s": record.duration_s,
                    "epochs": record.epochs,
                    "hyperparameters": record.hyperparameters,
                    "message": record.message,
                }
            )
        if not run.trials():
            rows.append(
                {
                    "run": run.id,
                    "run_status": state.get("status"),
                    "trial": None,
                    "status": None,
                    "score": None,
                    "duration_s": None,
                    "epochs": None,
                    "hyperparameters": {},
                    "message": state.get("message", ""),
                }
            )
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        from dlstudio.cli_progress import print_runs

        print_runs(rows)
    return 0


def cmd_devices(args) -> int:
    from dlstudio.core.native_logs import hushed

    with hushed():
        from dlstudio.core.engine.devices import detect_device

    device = detect_device()
    print(device.describe())
    if device.notice:
        print(device.notice, file=sys.stderr)
    return 0


COMMANDS = {
    "train": cmd_run,
    "tune": cmd_run,
    "evaluate": cmd_evaluate,
    "export": cmd_export,
    "predict": cmd_predict,
    "runs": cmd_runs,
    "devices": cmd_devices,
}
