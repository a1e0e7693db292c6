"""The forecasting task on the command line: inspect a series, evaluate and predict a forecaster.

cli/main.py and cli/engine.py hand over to these functions when the data is a time series or the
run is a forecast; Keras is imported only inside the functions that need it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dlstudio.core.errors import DlstudioError


def inspect(path: str, args, dataset=None, error: DlstudioError | None = None) -> bool:
    """`dlstudio inspect` for a series: shown (True) when the flags ask for a forecast or name
    a time column (before the file is read as a table, `dataset` and `error` None), when the
    table reading failed (`error`: a series reads as identifiers and constants) but it is one,
    or when the table's only features are its time; else False, and a hint to forecast a
    table with a time grid is kept for after its profile."""
    if dataset is None and error is None:
        forced = getattr(args, "task", None) == "forecast" or getattr(args, "time_column", None)
        return bool(forced) and inspect_series(path, args) == 0
    if error is not None:
        return Path(path).is_file() and inspect_series(path, args, error) == 0
    return series_in_table(dataset.profile, path, args) is not None


def inspect_series(path: str, args, why: DlstudioError | None = None) -> int | None:
    """Print what inspect says about a time series; None when `path` is not one (and the
    caller goes on, or raises `why`)."""
    from dlstudio.core.data.timeseries import load_series, looks_like_series

    forced = getattr(args, "task", None) == "forecast" or getattr(args, "time_column", None)
    if forced:
        series = load_series(path, getattr(args, "time_column", None), args.target)
    else:
        series = looks_like_series(path, args.target)
        if series is None:
            return None
    if getattr(args, "json", False):
        print(json.dumps(series.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print_series(series.to_dict(), why)
    return 0


def print_series(info: dict, why: DlstudioError | None = None) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    console.print(f"[bold]{escape(info['source'])}[/]")
    console.print(
        f"A time series: {info['points']} {info['frequency']} values of "
        f"{escape(info['target'])}, from {info['start']} to {info['end']}."
    )
    rows = (
        ("time column", info["time_column"]),
        ("frequency", info["frequency"]),
        ("season length", f"{info['season']} steps"),
        ("target", info["target"]),
        ("proposed task", "forecast"),
        ("proposed horizon", f"{info['proposed_horizon']} steps ahead"),
        ("proposed context", f"the last {info['proposed_context']} values"),
    )
    for name, value in rows:
        console.print(f"  {name:17s} {escape(str(value))}")
    if info["covariates"]:
        console.print(
            f"  {'possible covariates':17s} {escape(', '.join(info['covariates']))} (read beside "
            "the target when named with --covariates, or --known-covariates for values known "
            "ahead)"
        )
    for note in info["notes"]:
        console.print(f"note: {escape(note)}", style="yellow")
    command = (
        f"dlstudio tune {info['source']} --task forecast --time-column '{info['time_column']}' "
        f"--target '{info['target']}' --horizon {info['proposed_horizon']}"
    )
    console.print(f"Forecast it with: {escape(command)}", style="dim")


def print_evaluation(evaluation: dict) -> None:
    """The backtest's metrics beside the three baselines, and the verdict."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    backtest = evaluation.get("backtest", {})
    table = Table(
        title=f"Test backtest: {backtest.get('origins')} forecasts of {backtest.get('horizon')} "
        f"steps, from {backtest.get('start')} to {backtest.get('end')}",
        title_justify="left",
    )
    table.add_column("metric")
    table.add_column("model", justify="right")
    baselines = dict(evaluation.get("baselines", {}))
    classic = evaluation.get("classic") or {}
    if classic.get("metrics"):
        baselines[str(classic["name"])] = classic["metrics"]
    for name in baselines:
        table.add_column(name, justify="right")
    for metric, value in evaluation.get("metrics", {}).items():
        row = [metric, _number(value)]
        row += [_number(b.get(metric)) for b in baselines.values()]
        table.add_row(*row)
    console.print(table)
    verdict = evaluation.get("verdict", {})
    if verdict.get("text"):
        console.print(verdict["text"], style=None if verdict.get("beats_baseline") else "yellow")


def _number(value) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) else ""


def predict(args, output: Path) -> int:
    """`dlstudio predict RUN history.csv`: the forecast after the history's end."""
    from dlstudio.core.native_logs import hushed
    from dlstudio.core.project import atomic_write_text

    model, history = args.model, args.data

    if not history or not Path(history).expanduser().is_file():
        raise DlstudioError(
            f"The history {history!r} is not a file." if history else "No history was given.",
            "a table of the series' past values, with the time column and the target",
            "e.g. `dlstudio predict RUN history.csv -o forecast.csv`.",
        )
    with hushed():
        from dlstudio.core.engine.forecast import forecast_file

    frame = forecast_file(model, history)
    for note in frame.attrs.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    atomic_write_text(output, frame.to_csv(index=False))
    print(f"{len(frame)} forecast step(s) written to {output}")
    return 0


def print_result(run, quiet: bool = False) -> None:
    """What train and tune print at the end of a forecasting run."""
    state, evaluation = run.state(), run.evaluation() or {}
    if quiet:
        shown = " ".join(f"{k}={v:.4f}" for k, v in evaluation.get("metrics", {}).items())
        print(f"{state.get('status')} {run.path} {shown}")
        return
    from dlstudio.cli.progress import STATUS_WORDS

    print(f"{run.path}: {STATUS_WORDS.get(state.get('status'), state.get('status'))}")
    if evaluation:
        print_evaluation(evaluation)
        print(f"Model: {run.model_path}  (raw values in, forecasts out)")
    elif state.get("message"):
        print(state["message"])


def export(args, formats: list[str] | None) -> int:
    """`dlstudio export RUN --out DIR` for a forecaster: each format written and checked."""
    from dlstudio.core.formats import agreement
    from dlstudio.core.native_logs import hushed

    run, out = args.run, args.out

    with hushed():
        from dlstudio.core.engine.forecast import export_forecast
    for item in export_forecast(run, formats, out):
        check = f"reloaded in its own runtime, forecasts {agreement(item.max_difference)}"
        print(f"{item.format:11s} {item.path}  ({check}; {item.note})")
    print(f"How to use it: {Path(out) / 'model_card.md'}")
    return 0


def series_in_table(profile, path: str, args) -> int | None:
    """A table whose only features are its time (Melbourne's Date → Temp): regressing on the
    date means nothing, so inspect shows it as the time series it is (returns 0). A table with
    a time grid and other columns (Beijing's hourly readings) keeps its table profile, and a
    hint to forecast it follows (returns None; the caller prints the profile, then the hint)."""
    from dlstudio.core.data.timeseries import DATE_PARTS, looks_like_series

    if getattr(profile.kind, "value", "") != "table" or args.task or args.role:
        return None
    timely = {
        c.name
        for c in profile.columns
        if getattr(c.role, "value", "") == "datetime" or str(c.name).lower() in DATE_PARTS
    }
    if not timely:
        return None
    series = looks_like_series(path, profile.target)
    if series is None:
        return None
    if set(profile.features) <= timely:
        return inspect_series(path, args)
    args._series_hint = (
        f"This table is also a time series ({series.frequency_words}, time "
        f"{series.time_column}, season {series.season}): to forecast {series.target}, run "
        f"`dlstudio inspect {path} --task forecast --target {series.target}`."
    )
    return None
