"""`dlstudio threshold`, `dlstudio rename` and `dlstudio use`: what the window's Threshold tab,
the Runs tab's Rename and the Results step's "Use gradient boosting (classical)" do, from the
command line (the same core functions; no TensorFlow)."""

from __future__ import annotations

import argparse

from dlstudio.core.errors import DlstudioError

# The thresholds `dlstudio threshold RUN` lists when none is asked for.
_SHOWN = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def add_commands(commands) -> None:
    threshold = commands.add_parser(
        "threshold",
        help="a two-class run's decision threshold, or an anomaly run's score threshold: "
        "what each trades, and keep one",
    )
    threshold.add_argument("run", help="run folder (or a project: its latest run)")
    threshold.add_argument(
        "value",
        nargs="?",
        type=_probability,
        help="a threshold between 0.01 and 0.99 (an anomaly run: an anomaly score)",
    )
    threshold.add_argument(
        "--keep",
        action="store_true",
        help="keep VALUE for the run: its model card, exports and `dlstudio predict` use it",
    )
    rename = commands.add_parser("rename", help="give a run a name (shown in `runs` and the app)")
    rename.add_argument("run", help="run folder")
    rename.add_argument("name", help='the name; "" removes it')
    use = commands.add_parser(
        "use",
        help="which of a run's models `predict` and `export` use: its network, or the "
        "classical model trained beside it (shown without a choice)",
    )
    use.add_argument("run", help="run folder (or a project: its latest run)")
    use.add_argument("model", nargs="?", choices=("classical", "network"))


def _probability(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number; expected a probability such as 0.35"
        ) from None


def cmd_threshold(args) -> int:
    from dlstudio.cli.tasks import printer_for_family
    from dlstudio.core import test_predictions as tp
    from dlstudio.core import threshold as th
    from dlstudio.core.families import family_of_model
    from dlstudio.core.project import find_run

    run = find_run(args.run)
    printer = printer_for_family(family_of_model(run.path))
    if printer is not None and hasattr(printer, "threshold"):  # a family's own threshold
        return printer.threshold(run, args)
    frame = tp.read_test_predictions(run.path)
    if frame is None:
        raise DlstudioError(
            f"The run {run.id!r} has no test predictions.",
            "a run trained by this dlstudio (it keeps every test prediction)",
            "Train again; a run from before cannot have its threshold chosen.",
        )
    if len(tp.class_names(frame)) != 2:
        raise DlstudioError(
            f"The run {run.id!r} has {len(tp.class_names(frame))} classes.",
            "a two-class run: a decision threshold splits two classes",
            "Choose a run of a two-class model.",
        )
    if args.value is not None and not th.LOWEST <= args.value <= th.HIGHEST:
        raise DlstudioError(
            f"A decision threshold of {args.value}.",
            f"a probability between {th.LOWEST} and {th.HIGHEST}",
            "Give a threshold in that range, e.g. 0.35.",
        )
    if args.keep and args.value is None:
        raise DlstudioError(
            "--keep without a threshold.",
            "a threshold to keep, e.g. `dlstudio threshold RUN 0.35 --keep`",
            "Give the threshold before --keep.",
        )
    rows = th.load_rows(run.path)
    saved = th.saved_threshold(run.path)
    print(f"Run {run.id}: the model labels a row {rows.positive!r} from this probability on.")
    print(f"Kept now: {saved if saved is not None else f'{th.DEFAULT} (the default)'}.")
    # The table helps choose, so it is on the rows that choose: the validation rows.
    print(f"The figures below are {th.choosing_words(rows)}.")
    print("threshold  precision  recall     F1  accuracy  flagged")
    for t in [args.value] if args.value is not None else _SHOWN:
        stats = rows.choose.at(t)
        print(
            f"{t:9.2f}  {stats.precision:8.1%}  {stats.recall:6.1%}  {stats.f1:5.1%}  "
            f"{stats.accuracy:8.1%}  {stats.flagged:4d} of {stats.rows}"
        )
    if args.value is not None:
        print(th.trade_words(rows.choose.at(args.value), rows.positive))
    # How the threshold asked for (or the one kept) does on the test rows, said apart.
    shown = args.value
    if shown is None:
        shown = saved if saved is not None else th.DEFAULT
    print(th.report_words(rows, shown))
    if args.keep:
        th.keep_threshold(run.path, args.value, rows)
        print(f"Kept {args.value} for run {run.id}; export again to carry it into exports.")
    return 0


def cmd_rename(args) -> int:
    from dlstudio.core.project import find_run
    from dlstudio.core.run_names import set_run_name

    run = find_run(args.run)
    name = set_run_name(run.path, args.name or None)
    print(f"Run {run.id} is now called {name!r}." if name else f"Run {run.id} has no name now.")
    return 0


def cmd_use(args) -> int:
    """Put the run's classical model (or its network) in use; without a choice, say which is
    in use and what the classical model offers. Exit 2 (a DlstudioError) when the classical
    model is asked for and the run has none it can use, with why."""
    from dlstudio.core.families import SUPERVISED, family_of_model
    from dlstudio.core.model_choice import (
        CLASSICAL,
        classical_offer,
        current_sentence,
        model_in_use,
        use_model,
    )
    from dlstudio.core.project import find_run

    run = find_run(args.run)
    family = family_of_model(run.path)
    if family is not SUPERVISED:
        raise DlstudioError(
            f"The run {run.id!r} ({family.words}) has one model.",
            "a table or text run (they train a classical model beside the network)",
            "Its network is what `predict` and `export` use.",
        )
    offer = classical_offer(run.path)
    if args.model is None:
        using = model_in_use(run.path)
        print(current_sentence(run.path) or f"Model in use: the {using} (the default).")
        if offer.available:
            verdict = "validated better" if offer.better else "did not validate better"
            print(f"Classical model: {offer.name}, which {verdict} ({offer.comparison}).")
            other = "network" if using == CLASSICAL else "classical"
            print(f"Switch with `dlstudio use {run.path} {other}`.")
        else:
            print(f"Classical model: not offered. {offer.reason}")
        return 0
    choice = use_model(run.path, args.model)
    print(choice["sentence"])
    print("`dlstudio predict` and `dlstudio export` of this run now use it.")
    return 0


COMMANDS = {"threshold": cmd_threshold, "rename": cmd_rename, "use": cmd_use}
