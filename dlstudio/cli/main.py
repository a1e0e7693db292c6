"""The `dlstudio` command: its parser, `run`, and `inspect`; the engine's commands are in
engine.py, per-family printers in tasks/. Every GUI action has a command, so everything runs
without a screen.

Heavy libraries (pandas for data, Keras for training, Qt for the app) are imported inside the
command that needs them, so `dlstudio --help` answers at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from dlstudio import __version__
from dlstudio.cli.args import ROLE_HELP, SAMPLE_NAMES, data_or_sample, parse_roles
from dlstudio.core.errors import DlstudioError

EXIT_USER_ERROR = 2


def build_parser(engine_commands: bool = True) -> argparse.ArgumentParser:
    """The whole CLI; without `engine_commands` only `gui` and `inspect`, which is all that
    `dlstudio gui` needs (the engine commands' module costs the window ~10 ms of start-up)."""
    parser = argparse.ArgumentParser(
        prog="dlstudio",
        description="A desktop AutoML studio for Keras. Without a command it opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"dlstudio {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("path", nargs="?", help="data to open right away")
    gui.add_argument("--target", help="column to predict")
    gui.add_argument("--sample", help=f"open a bundled sample: {SAMPLE_NAMES}")

    inspect = commands.add_parser(
        "inspect", help="profile a table, image folder or text collection"
    )
    inspect.add_argument(
        "path", nargs="?", help="a table file, a folder of class subfolders, or a .zip"
    )
    inspect.add_argument("--sample", help=f"profile a bundled sample instead: {SAMPLE_NAMES}")
    inspect.add_argument("--target", help="column to predict (guessed when omitted)")
    inspect.add_argument("--sheet", help="Excel sheet to read (default: first with data)")
    inspect.add_argument(
        "--task",
        choices=_inspected_tasks(),
        help="override the inferred task",
    )
    inspect.add_argument("--time-column", help="a time series' time column (or year+month+day)")
    inspect.add_argument("--role", action="append", default=[], metavar="COL=ROLE", help=ROLE_HELP)
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    if engine_commands:
        from dlstudio.cli.engine import add_commands

        add_commands(commands)
    return parser


def run(argv: list[str]) -> int:
    """Run the CLI with `argv`; returns the process exit status."""
    try:  # the parser lists the tasks of every family, plug-ins included
        parser = build_parser(engine_commands=argv[:1] != ["gui"])
    except DlstudioError as error:  # a plug-in named but not loadable
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    args = parser.parse_args(argv)
    command = args.command or "gui"
    if args.debug:
        os.environ["DLSTUDIO_DEBUG"] = "1"  # read by the engine too (native_logs)
    try:
        if command == "gui":
            from dlstudio.gui.launch import launch

            return launch(path=args.path, target=args.target, sample=args.sample)
        if command == "inspect":
            return cmd_inspect(args)
        from dlstudio.cli.engine import COMMANDS

        return COMMANDS[command](args)
    except DlstudioError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `dlstudio inspect --json | head`: the reader has had enough
        # Python would complain again when it flushes stdout at exit; point it at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # what a shell reports for a process ended by SIGPIPE
    except Exception as error:  # a bug of ours: say so plainly, traceback only on request
        if args.debug or os.environ.get("DLSTUDIO_DEBUG"):
            raise
        print(
            f"error: dlstudio hit an unexpected problem ({type(error).__name__}: {error}). "
            "Run again with --debug for the details, and please report it.",
            file=sys.stderr,
        )
        return 1


def _inspected_tasks() -> list[str]:
    """The tasks `inspect --task` takes: the supervised ones, and those of each family whose
    CLI module shows its own data (cli/tasks/: `inspect`)."""
    from dlstudio.cli.tasks import printer_for_family
    from dlstudio.core.families import SUPERVISED, families

    shown = [
        family
        for family in families()
        if family is SUPERVISED or hasattr(printer_for_family(family), "inspect")
    ]
    return [task for family in shown for task in family.tasks]


def _family_inspectors(task: str | None) -> list:
    """The `inspect` of each family's CLI module that has one (cli/tasks/), the family the
    flags ask for first."""
    from dlstudio.cli.tasks import printer_for_family
    from dlstudio.core.families import families, family_for_task

    asked = family_for_task(task)
    ordered = [asked] + [f for f in families() if f is not asked]
    printers = [printer_for_family(family) for family in ordered]
    return [p.inspect for p in printers if p is not None and hasattr(p, "inspect")]


def cmd_inspect(args) -> int:
    from dlstudio.core.data import load_dataset

    roles = parse_roles(args.role)
    path, target = data_or_sample(args.path, args.sample, args.target)
    # Families that recognise their own data (a series) show it as theirs: before it is read
    # as a table when the flags ask for them, else once the table reading failed or says so.
    inspectors = _family_inspectors(args.task)
    if any(inspect(path, args) for inspect in inspectors):
        return 0
    try:
        dataset = load_dataset(path, target=target, sheet=args.sheet, task=args.task, roles=roles)
    except DlstudioError as error:
        if any(inspect(path, args, error=error) for inspect in inspectors):
            return 0
        raise
    if any(inspect(path, args, dataset=dataset) for inspect in inspectors):
        return 0
    if args.json:
        print(json.dumps(dataset.profile.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        from dlstudio.cli.render import print_profile

        print_profile(dataset.profile)
        if getattr(args, "_series_hint", None):
            print(args._series_hint)
    return 0
