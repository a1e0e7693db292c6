"""The CLI of the anomaly-detection task: its flags on `tune` (run through start_run as
every task's search is), and what `evaluate`, `predict` and `export` do with an anomaly run.
cli/engine.py dispatches here."""

from __future__ import annotations

import sys
from pathlib import Path

from dlstudio.core.errors import DlstudioError

# flag -> (argparse keyword arguments); a flag another task already added is shared.
ANOMALY_FLAGS = {
    "--time-column": {"help": "the time column of a series (anomaly: found by name if omitted)"},
    "--label-column": {"help": "anomaly: a column marking anomalies, used only to evaluate"},
    "--label-windows": {
        "metavar": "FILE",
        "help": "anomaly: a JSON of labelled [start, end] windows keyed by file name "
        "(as the Numenta benchmark's combined_windows.json), used only to evaluate",
    },
    "--window": {"type": int, "help": "anomaly: readings per window of a series"},
    "--normal-share": {
        "type": float,
        "help": "anomaly: share of a series, from its start, assumed normal and trained on "
        "(default 0.5 for a series, all rows of a table)",
    },
    "--contamination": {
        "type": float,
        "help": "anomaly: share of rows to flag (default: above 99 %% of normal validation scores)",
    },
    "--judge-on": {
        "metavar": "FILE",
        "help": "anomaly: another recording with the same columns to evaluate on, instead of "
        "the one the model learns from (its labels: the same label column, or its windows "
        "in --label-windows)",
    },
    "--inputs": {
        "metavar": "COL,COL",
        "help": "anomaly: the columns the model reads (default: every column of numbers but "
        "the time and the columns that look like labels)",
    },
}


def add_anomaly_arguments(cmd) -> None:
    """The anomaly flags on `tune` (any of them another task added first is left as it is)."""
    for flag, options in ANOMALY_FLAGS.items():
        if flag not in cmd._option_string_actions:
            cmd.add_argument(flag, **options)


def data_fields(args, data):
    """The DataSpec the anomaly flags give, from the one the shared flags give: its settings,
    the time column among them (DataSpec.anomaly)."""
    from dataclasses import replace

    split = replace(data.split, time_column=None)
    return replace(data, split=split, anomaly=settings_from(args).to_dict())


def settings_from(args):
    """The AnomalySettings the flags give, the ones that need no data checked."""
    from dlstudio.core.data.anomaly_data import AnomalySettings

    contamination = getattr(args, "contamination", None)
    if contamination is not None and not 0.0 < contamination < 0.5:
        raise DlstudioError(
            f"--contamination {contamination}.",
            "a share above 0 and below 0.5, e.g. 0.01 to flag 1 % of rows",
            "Give e.g. --contamination 0.01, or leave it out.",
        )
    for flag, what in (
        ("label_windows", "a JSON file of labelled windows"),
        ("judge_on", "a table file (.csv) of another recording"),
    ):
        value = getattr(args, flag, None)
        if value and not Path(value).expanduser().is_file():
            raise DlstudioError(
                f"--{flag.replace('_', '-')} {value!r}, which is not a file.",
                what,
                "Check the path.",
            )
    inputs = getattr(args, "inputs", None)
    return AnomalySettings(
        time_column=getattr(args, "time_column", None),
        label_column=getattr(args, "label_column", None),
        label_windows=(
            str(Path(args.label_windows).expanduser().resolve())
            if getattr(args, "label_windows", None)
            else None
        ),
        window=getattr(args, "window", None),
        normal_share=getattr(args, "normal_share", None),
        contamination=contamination,
        inputs=[c.strip() for c in inputs.split(",") if c.strip()] if inputs else None,
        judge_on=(
            str(Path(args.judge_on).expanduser().resolve())
            if getattr(args, "judge_on", None)
            else None
        ),
    )


def print_result(run, quiet: bool = False) -> None:
    """What `tune` prints at the end of an anomaly run, resumed or not."""
    state, evaluation = run.state(), run.evaluation() or {}
    if quiet:
        metrics = evaluation.get("metrics", {})
        shown = " ".join(f"{k}={v:.4g}" for k, v in metrics.items() if isinstance(v, int | float))
        print(f"{state.get('status')} {run.path} {shown}")
        return
    print(f"Run: {run.path} ({state.get('status')})")
    print_evaluation(evaluation)


def print_evaluation(evaluation: dict, out=None) -> None:
    """The verdict, the numbers beside the references, and the top anomalies."""
    from dlstudio.core.wording import metric_value

    out = out or sys.stdout
    verdict = evaluation.get("verdict", {})
    print(verdict.get("headline", ""), file=out)
    if verdict.get("detail"):
        print(verdict["detail"], file=out)
    threshold = evaluation.get("threshold", {})
    print(
        f"Threshold {threshold.get('value', float('nan')):.4g}: {threshold.get('rule', '')}.",
        file=out,
    )
    metrics = evaluation.get("metrics", {})
    baselines = evaluation.get("baselines", {})
    if "roc_auc" in metrics:
        columns = [("model", metrics)] + [
            (name.replace("_", " "), values) for name, values in baselines.items()
        ]
        print(f"\n{'':24s}" + "".join(f"{name:>18s}" for name, _ in columns), file=out)
        for key, words in (
            ("roc_auc", "ROC AUC (0.5 = chance)"),
            ("pr_auc", "PR AUC"),
            ("precision", "Precision"),
            ("recall", "Recall"),
            ("f1", "F1"),
        ):
            cells = "".join(f"{(f'{v[key]:.3f}' if key in v else '—'):>18s}" for _, v in columns)
            print(f"{words:24s}{cells}", file=out)
        if metrics.get("pr_auc_random") is not None:
            print(
                f"(a random score's PR AUC is the share of anomalous rows, "
                f"{metric_value('precision', metrics['pr_auc_random'])})",
                file=out,
            )
    later = evaluation.get("later_part") or {}
    if "roc_auc" in later.get("model", {}):
        forest = later.get("isolation_forest", {}).get("roc_auc")
        print(
            "On the stretch after the part trained on: ROC AUC "
            f"{later['model']['roc_auc']:.3f}"
            + (f" (IsolationForest {forest:.3f})" if forest is not None else ""),
            file=out,
        )
    windows = evaluation.get("windows")
    if windows and windows.get("windows"):
        print(
            f"\nLabelled windows caught: {windows['windows_caught']} of {windows['windows']}",
            file=out,
        )
        for entry in windows["details"]:
            when = entry.get("start_time", entry["start"])
            if entry["caught"]:
                early = f"first flag {entry['first_flag_share']:.0%} of the way in"
                print(f"  {when}: caught, {early}", file=out)
            else:
                print(f"  {when}: missed", file=out)
    top = evaluation.get("top") or []
    if top:
        print("\nThe most unusual rows:", file=out)
        for item in top[:10]:
            where = item.get("time", f"row {item['row']}")
            label = "" if "labelled" not in item else (" (labelled)" if item["labelled"] else "")
            print(f"  {where}  score {item['score']:.4g}{label}", file=out)


def predict(args, output: Path) -> int:
    """`dlstudio predict RUN new.csv`: a score per row or window, and whether it is flagged."""
    from dlstudio.core.data.anomaly_data import anomaly_folder
    from dlstudio.core.native_logs import hushed
    from dlstudio.core.project import atomic_write_text

    folder = anomaly_folder(args.model)
    if not args.data or args.text:
        raise DlstudioError(
            "--text for an anomaly model." if args.text else "No data was given.",
            "a table (CSV) with the columns the model was trained on",
            "e.g. `dlstudio predict RUN new.csv -o scores.csv`.",
        )
    with hushed():
        from dlstudio.core.engine.anomaly import predict_anomaly
    frame = predict_anomaly(folder, args.data)
    atomic_write_text(output, frame.to_csv(index=False))
    print(
        f"{len(frame)} score(s) written to {output}; {int(frame['is_anomaly'].sum())} "
        "flagged as anomalies"
    )
    return 0


def export(args, formats: list[str] | None) -> int:
    """`dlstudio export RUN --out DIR [--format ...]` for an anomaly run: every format it can
    hold (or those asked for), each reloaded and checked, as for the other tasks."""
    from dlstudio.core.data.anomaly_data import anomaly_folder
    from dlstudio.core.formats import agreement
    from dlstudio.core.model_files import card_of, checked_formats
    from dlstudio.core.native_logs import hushed

    folder = anomaly_folder(args.run)
    checked_formats(formats, card_of(folder))  # a format it cannot hold: said before Keras loads
    with hushed():
        from dlstudio.core.engine.anomaly import export_anomaly
    for item in export_anomaly(folder, formats, args.out):
        check = f"reloaded in its own runtime, scores {agreement(item.max_difference)}"
        print(f"{item.format:11s} {item.path}  ({check}; {item.note})")
    print(f"How to use it: {Path(args.out) / 'model_card.md'}")
    return 0


def threshold(run, args) -> int:
    """An anomaly run's threshold is a score, not a probability: what flagging above it
    would catch (from the run's scores.csv), and --keep rebuilds the model to flag with it
    (core/engine/anomaly_threshold.py; this one loads Keras)."""
    import numpy as np

    from dlstudio.core.series_results import read_anomaly_scores

    scores = read_anomaly_scores(run.path)
    if scores is None:
        raise DlstudioError(
            f"The run {run.id!r} kept no scores.",
            "an anomaly run trained by this dlstudio (it keeps every score in scores.csv)",
            "Train again; a run from before cannot have its threshold moved.",
        )
    if args.value is not None and not 0 <= args.value < float("inf"):
        raise DlstudioError(
            f"A threshold of {args.value}.",
            "an anomaly score: a number of 0 or more (scores are reconstruction errors)",
            "Give a threshold such as those listed by `dlstudio threshold RUN`.",
        )
    if args.keep and args.value is None:
        raise DlstudioError(
            "--keep without a threshold.",
            "a threshold to keep, e.g. `dlstudio threshold RUN 12.5 --keep`",
            "Give the threshold before --keep.",
        )
    current = ((run.evaluation() or {}).get("threshold") or {}).get("value")
    print(f"Run {run.id}: the model flags a reading whose anomaly score is above the threshold.")
    print(f"Kept now: {current:.6g}." if current is not None else "Kept now: none.")
    shown = (
        [args.value]
        if args.value is not None
        else [float(q) for q in np.quantile(scores.scores, (0.9, 0.95, 0.98, 0.99, 0.995))]
    )
    print("threshold   flagged        precision  recall     F1")
    for value in shown:
        at = scores.at(value)
        shares = (
            f"{at.precision:9.1%}  {at.recall:6.1%}  {at.f1:5.1%}"
            if at.labelled is not None
            else "   (no labels to measure)"
        )
        print(f"{value:9.6g}  {at.flagged:5d} of {at.rows:<6d} {shares}")
    if args.value is not None and args.keep:
        from dlstudio.core.native_logs import hushed

        with hushed():  # TensorFlow's start-up chatter
            from dlstudio.core.engine.anomaly_threshold import keep_anomaly_threshold

        keep_anomaly_threshold(run, args.value)
        print(
            f"Kept {args.value:.6g} for run {run.id}: its model now flags with it "
            "(`dlstudio predict`); export again to carry it into exports."
        )
    return 0
