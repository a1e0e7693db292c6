"""The CLI commands that train, search, evaluate, export and predict.

They build a RunSpec from flags and hand it to the same core functions the GUI calls. Keras
is imported only inside these functions, so `dlstudio --help` and `inspect` stay fast.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from dlstudio.cli import run_tools
from dlstudio.cli.args import ROLE_HELP, SAMPLE_NAMES, data_or_sample, parse_roles
from dlstudio.cli.tasks import printer_for_family, printer_for_task
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
from dlstudio.core.families import tasks

DEFAULT_PROJECT = "dlstudio-project"


def add_commands(commands) -> None:
    """Register train, tune, evaluate, export, predict, runs, devices, threshold and rename."""
    # Flags the user did not give stay None (the defaults are filled in by _spec), so that
    # `tune --resume` can tell a flag it would have to ignore from one that was never given.
    train, search = TrainSpec(), SearchSpec()
    for name, helptext in (
        ("train", "train one configuration of a model"),
        ("tune", "search hyperparameters with keras-tuner"),
    ):
        cmd = commands.add_parser(name, help=helptext)
        cmd.add_argument("data", nargs="?", help="table, image folder/zip or text collection")
        cmd.add_argument("--sample", help=f"use a bundled sample instead: {SAMPLE_NAMES}")
        cmd.add_argument("--target", help="column to predict (guessed when omitted)")
        cmd.add_argument("--sheet", help="Excel sheet")
        cmd.add_argument("--task", choices=tasks())
        cmd.add_argument("--time-column", help="forecast: the time column (or year+month+day)")
        cmd.add_argument("--horizon", type=int, help="forecast: steps ahead (default: proposed)")
        cmd.add_argument(
            "--context", type=int, help="forecast: past values read (default: proposed)"
        )
        cmd.add_argument(
            "--covariates",
            metavar="COL[,COL...]",
            help="forecast: other columns read beside the target, observed up to the forecast "
            "time (numbers or categories)",
        )
        cmd.add_argument(
            "--known-covariates",
            metavar="COL[,COL...]",
            help="forecast: columns known ahead (e.g. a holiday flag); predict then needs their "
            "values over the horizon, in rows after the last target value",
        )
        cmd.add_argument("--role", action="append", default=[], metavar="COL=ROLE", help=ROLE_HELP)
        cmd.add_argument("--arch", help="architecture template (default: the modality's)")
        cmd.add_argument(
            "--epochs", type=int, help=f"most epochs per trial, at least 1 (default {train.epochs})"
        )
        cmd.add_argument(
            "--patience",
            type=int,
            help=f"early-stopping patience in epochs, 0 or more (default {train.patience})",
        )
        cmd.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="fix a hyperparameter, e.g. --set learning_rate=0.003 (repeatable)",
        )
        cmd.add_argument(
            "--weights",
            help="local weights file (.weights.h5) for a keras.applications backbone",
        )
        cmd.add_argument("--clip-norm", type=float, help="clip gradients to this norm (> 0)")
        cmd.add_argument("--seed", type=int, help=f"random seed (default {train.seed})")
        cmd.add_argument("--project", help=f"project folder (default {DEFAULT_PROJECT})")
        cmd.add_argument("--quiet", action="store_true", help="print only the result")
        cmd.add_argument(
            "--json", action="store_true", help="print the result as JSON (and nothing else)"
        )
        if name == "tune":
            cmd.add_argument("--tuner", choices=TUNERS, help=f"default {search.tuner}")
            cmd.add_argument(
                "--max-trials",
                type=int,
                help=f"at most this many, at least 1 (default {search.max_trials})",
            )
            cmd.add_argument(
                "--time-limit",
                help="hard wall-clock budget, e.g. 45 (seconds), 90s, 10m, 1h30m; the search "
                "plans inside it and always keeps the best model it trained",
            )
            cmd.add_argument(
                "--objective",
                choices=OBJECTIVES,
                help="what 'best' means, on the validation split (default: val_loss for "
                "classes and anomalies, val_mae for numbers and forecasts)",
            )
            cmd.add_argument("--space", help="JSON file of search-space entries to override")
            cmd.add_argument(
                "--no-ensemble",
                action="store_true",
                help="keep the single best trial (by default an average of the best few trials "
                "is kept when it does better on the validation split)",
            )
            cmd.add_argument(
                "--resume",
                metavar="RUN",
                help="continue an interrupted search (a run folder, or a run id with "
                f"--project); only {', '.join(RESUME_FLAGS)} may change",
            )
            from dlstudio.cli.tasks.anomaly import add_anomaly_arguments

            add_anomaly_arguments(cmd)

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
    run_tools.add_commands(commands)


# What `tune --resume` can change: the budget. Everything else is the run's, as it began.
RESUME_FLAGS = ("--max-trials", "--time-limit", "--epochs", "--patience")
_FIXED_ON_RESUME = {
    "data": "the data",
    "sample": "--sample",
    "target": "--target",
    "sheet": "--sheet",
    "task": "--task",
    "role": "--role",
    "time_column": "--time-column",
    "horizon": "--horizon",
    "context": "--context",
    "covariates": "--covariates",
    "known_covariates": "--known-covariates",
    "arch": "--arch",
    "set": "--set",
    "weights": "--weights",
    "clip_norm": "--clip-norm",
    "seed": "--seed",
    "tuner": "--tuner",
    "objective": "--objective",
    "space": "--space",
    "no_ensemble": "--no-ensemble",
    "label_column": "--label-column",
    "label_windows": "--label-windows",
    "window": "--window",
    "normal_share": "--normal-share",
    "contamination": "--contamination",
    "judge_on": "--judge-on",
    "inputs": "--inputs",
}


def _values(pairs: list[str]) -> dict:
    """--set NAME=VALUE options as {name: value}: JSON where it parses (numbers, true/false),
    else the bare word (relu). Whether a value fits its hyperparameter is core's check."""
    values = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name or not raw.strip():
            raise DlstudioError(
                f"--set {pair!r} has no {'name' if sep and not name else 'value'}.",
                "NAME=VALUE, e.g. --set units=128",
                "Fix the option.",
            )
        try:
            values[name] = json.loads(raw)
        except ValueError:
            values[name] = raw.strip()  # a bare word like relu
    return values


def _names(listed: str | None) -> tuple[str, ...]:
    """COL,COL... as names (blank ones dropped)."""
    return tuple(name.strip() for name in (listed or "").split(",") if name.strip())


def _spec(args) -> RunSpec:
    path, target = data_or_sample(args.data, args.sample, args.target, args.command)
    defaults = TrainSpec()
    seed = defaults.seed if args.seed is None else args.seed
    data = DataSpec(
        str(Path(path).expanduser().resolve()),
        target,
        args.sheet,
        args.task,
        parse_roles(args.role),
        SplitSpec(seed=seed, time_column=getattr(args, "time_column", None)),
        horizon=getattr(args, "horizon", None),
        context=getattr(args, "context", None),
        covariates=_names(getattr(args, "covariates", None)),
        known_covariates=_names(getattr(args, "known_covariates", None)),
    )
    printer = printer_for_task(args.task)
    if printer is not None and hasattr(printer, "data_fields"):  # a family's own settings
        data = printer.data_fields(args, data)
    model = ModelSpec(args.arch, _values(args.set), args.weights)
    train = TrainSpec(
        epochs=defaults.epochs if args.epochs is None else args.epochs,
        patience=defaults.patience if args.patience is None else args.patience,
        clip_norm=args.clip_norm,
        seed=seed,
    )
    search = None
    if args.command == "tune":
        space = _read_space(args.space) if args.space else None
        usual = SearchSpec()
        search = SearchSpec(
            args.tuner or usual.tuner,
            usual.max_trials if args.max_trials is None else args.max_trials,
            parse_duration(args.time_limit, "--time-limit"),
            args.objective,
            space,
            ensemble=not args.no_ensemble,
        )
    return RunSpec(data, model, train, search)


def _given_flags(args) -> list[str]:
    """The flags, among those some family does not read (core/families.py), that the user
    gave: a flag left out is None, an empty list or False."""
    from dlstudio.core.families import flags_some_family_ignores

    return [
        flag
        for flag in flags_some_family_ignores()
        if getattr(args, flag.removeprefix("--").replace("-", "_"), None) not in (None, [], False)
    ]


def _read_space(path: str):
    try:
        return json.loads(Path(path).expanduser().read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise DlstudioError(
            f"The search-space file {path!r} could not be read ({reason}).",
            'a JSON file of entries, e.g. {"units": {"type": "choice", "values": [64, 128]}}',
            "Fix the path or the file.",
        ) from None


def _resumed(args):
    """The run `--resume` names, and its spec with the budget flags given applied. Any other
    flag would be silently ignored (the run keeps its data and space), so it is refused."""
    from dlstudio.core.project import find_run

    given = [flag for key, flag in _FIXED_ON_RESUME.items() if getattr(args, key, None)]
    if given:
        raise DlstudioError(
            f"--resume continues {args.resume!r} as it began, so {', '.join(given)} cannot "
            "change it.",
            f"only {', '.join(RESUME_FLAGS)} next to --resume",
            f"Leave {given[0]} out, or start a new search with it.",
        )
    reference = Path(args.resume).expanduser()
    if not reference.exists() and args.project:
        reference = Path(args.project).expanduser() / "runs" / args.resume
    run = find_run(reference)
    spec = run.spec()
    if spec.search is None:
        raise DlstudioError(
            f"{run.id!r} trained one configuration (dlstudio train); there is no search to resume.",
            "a run of dlstudio tune",
            "Start the training again with `dlstudio train`.",
        )
    train, search = spec.train, spec.search
    if args.epochs is not None:
        if search.tuner == "hyperband":
            raise DlstudioError(
                "--epochs with --resume of a hyperband search.",
                "the epochs it began with: hyperband plans its rounds from them",
                "Leave --epochs out, or start a new search.",
            )
        train = replace(train, epochs=args.epochs)
    if args.patience is not None:
        train = replace(train, patience=args.patience)
    if args.max_trials is not None:
        done = len(run.trials())
        if args.max_trials <= done:
            raise DlstudioError(
                f"--max-trials {args.max_trials}, but {run.id!r} has already run {done} trial(s).",
                f"more than {done} trials in all",
                f"Give e.g. --max-trials {done + 5}, or leave it out to keep {search.max_trials}.",
            )
        search = replace(search, max_trials=args.max_trials)
    if args.time_limit is not None:
        limit = parse_duration(args.time_limit, "--time-limit")
        spent = float(run.state().get("elapsed_s") or 0.0)
        if limit <= spent:
            raise DlstudioError(
                f"--time-limit {args.time_limit}, but {run.id!r} has already used {spent:.0f} s.",
                f"a time limit of more than {spent:.0f} s (it counts the whole run)",
                f"Give e.g. --time-limit {int(spent) + 600}s.",
            )
        search = replace(search, time_limit_s=limit)
    return run, replace(spec, train=train, search=search)


def cmd_run(args) -> int:
    """train and tune: every flag is checked before a run folder is made or Keras loads."""
    from dlstudio.cli.progress import ProgressPrinter
    from dlstudio.core.native_logs import hushed, library_prints_to_stderr
    from dlstudio.core.search.cancel import CancelToken
    from dlstudio.core.validate import check_flags_read, check_run

    resumed = None
    if getattr(args, "resume", None):  # of any task: engine/run.py's resume_run dispatches
        resumed, spec = _resumed(args)
    else:
        check_flags_read(args.task, _given_flags(args))  # before the data or a space is read
        spec = _spec(args)
    check_run(spec)
    if resumed is not None and spec != resumed.spec():
        resumed.write_spec(spec)  # checked; the run goes on with the new budget
    project = args.project or DEFAULT_PROJECT
    try:
        with hushed():
            from dlstudio.core.engine.run import resume_run, start_run
    except KeyboardInterrupt:
        print("Interrupted before the run began: nothing was written.", file=sys.stderr)
        return 130

    token = CancelToken()
    printer = ProgressPrinter(quiet=args.quiet or args.json)
    previous = _graceful_interrupt(
        token,
        printer,
        lambda: resumed.path if resumed is not None else printer.run_path(project),
    )
    try:
        with printer, library_prints_to_stderr():
            if resumed is not None:
                run = resume_run(resumed, printer, token)
            else:
                run = start_run(spec, project, printer, token)
    finally:
        signal.signal(signal.SIGINT, previous)
    if printer.failure:  # the engine raises after RunFailed; this is in case it did not
        print(f"error: {printer.failure}", file=sys.stderr)
        return 1
    state, evaluation = run.state(), run.evaluation() or {}
    result = {
        "run": str(run.path),
        "status": state.get("status"),
        "best_trial": state.get("best_trial_id"),
        "best_score": state.get("best_score"),
        "model": str(run.model_path) if run.model_path.exists() else None,
        "evaluation": evaluation.get("metrics", {}),
    }
    if isinstance(evaluation.get("baselines"), dict):  # forecast and anomaly runs measure some
        result["baselines"] = evaluation["baselines"]
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        from dlstudio.cli.progress import print_result

        printer = printer_for_task(_task_of(run))
        (printer.print_result if printer else print_result)(run, quiet=args.quiet)
    return 0 if state.get("status") in ("completed", "time_limit", "cancelled") else 1


def _graceful_interrupt(token, printer, run_path):
    """First Ctrl-C stops after the current batch (and keeps what finished); a second aborts
    at once, with one line that says where the finished trials are (`run_path()`)."""

    def handler(signum, frame):
        if token.cancelled:
            _abort(run_path())
        token.cancel()
        printer.note("Stopping after this batch… (Ctrl-C again to abort at once)")

    return signal.signal(signal.SIGINT, handler)


def _abort(run_path) -> None:
    """End the process now. Raising KeyboardInterrupt instead could land anywhere, even in a
    garbage collector's callback, where Python prints a traceback and carries on (seen here).
    Nothing is lost but the trial that was running: each finished trial was written, and
    synced, as it ended, and a run whose process is gone reads as interrupted (resumable)."""
    from dlstudio.core.native_logs import terminal_stderr

    if run_path is None:
        note = "Aborted before training began."
    else:
        note = (
            f"Aborted. The trials that finished are kept in {run_path}; continue with "
            f"`dlstudio tune --resume {run_path}`."
        )
    fd = terminal_stderr()
    show_cursor = "\x1b[?25h" if os.isatty(fd) else ""  # the progress bar had hidden it
    os.write(fd, f"{show_cursor}\n{note}\n".encode())
    os._exit(130)


def cmd_evaluate(args) -> int:
    from dlstudio.cli.progress import print_evaluation
    from dlstudio.core.project import find_run

    run = find_run(args.run)
    evaluation = run.evaluation(strict=True)  # a damaged file is an error that names it
    if evaluation is None:
        raise DlstudioError(
            f"The run {run.id!r} has no evaluation.",
            "a run that finished with a model",
            "Resume it with `dlstudio tune --resume RUN`, or start a new one.",
        )
    if args.json:
        print(json.dumps(evaluation, indent=2))
    else:
        printer = printer_for_task(evaluation.get("task"))
        if printer is not None:
            printer.print_evaluation(evaluation)
        else:
            print_evaluation(run, evaluation)
    return 0


def cmd_export(args) -> int:
    from dlstudio.core.families import family_of_model
    from dlstudio.core.formats import agreement
    from dlstudio.core.model_files import card_of, checked_formats, export_folder, model_file
    from dlstudio.core.native_logs import hushed

    formats = None
    if args.format:
        formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    printer = printer_for_family(family_of_model(args.run))
    if printer is not None:  # a family with an engine of its own (forecast, anomaly)
        return printer.export(args, formats)
    folder = model_file(args.run).parent  # checked before TensorFlow loads: answers at once
    from dlstudio.core.model_choice import NETWORK, current_sentence, model_in_use

    if model_in_use(folder) == NETWORK:  # the classical model has one format: ONNX
        checked_formats(formats, card_of(folder))
    else:
        print(current_sentence(folder))
    export_folder(args.out, folder)
    with hushed():
        from dlstudio.core.export import export_run
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
    from dlstudio.core.output_path import check_predictions_path
    from dlstudio.core.project import atomic_write_text

    output = check_predictions_path(args.output, args.data)
    if bool(args.data) == bool(args.text):
        raise DlstudioError(
            "Both data and --text were given." if args.data else "No data was given.",
            "either a file or folder of new data, or one or more --text",
            "e.g. `dlstudio predict RUN new.csv` or `dlstudio predict RUN --text 'Win a prize!'`.",
        )
    from dlstudio.core.families import family_of_model

    printer = printer_for_family(family_of_model(args.model))
    if printer is not None:  # a family with an engine of its own (forecast, anomaly)
        return printer.predict(args, output)
    if args.data and not Path(args.data).expanduser().exists():
        raise DlstudioError(
            f"The data {args.data!r} does not exist.",
            "a table, an image or a folder of images, a .txt file or a folder of them",
            "Check the path (run `ls` on it).",
        )
    with hushed():
        from dlstudio.core.export import predict_file, predict_texts

    frame = (
        predict_file(args.model, args.data) if args.data else predict_texts(args.model, args.text)
    )
    for note in frame.attrs.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    atomic_write_text(output, frame.to_csv(index=False))
    print(f"{len(frame)} prediction(s) written to {args.output}")
    return 0


def cmd_runs(args) -> int:
    """Every trial of every run; a damaged run is listed with what is wrong in it, and never
    hides the others."""
    from dlstudio.core.project import Project
    from dlstudio.core.run_names import run_name

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
        state, trials, problems = run.state(), run.trials(), run.problems()
        common = {
            "run": run.id,
            "name": run_name(run.path),
            "run_status": state.get("status"),
            "problems": problems,
        }
        for record in trials:
            rows.append(
                {
                    **common,
                    "trial": record.trial_id,
                    "status": record.status.value,
                    "score": record.score,
                    "duration_s": record.duration_s,
                    "epochs": record.epochs,
                    "hyperparameters": record.hyperparameters,
                    "message": record.message,
                }
            )
        if not trials:
            rows.append(
                {
                    **common,
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
        from dlstudio.cli.progress import print_runs

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
    **run_tools.COMMANDS,
}


def _task_of(run) -> str | None:
    try:
        return run.spec().data.task
    except DlstudioError:  # a run folder without its spec prints as a supervised run does
        return None
