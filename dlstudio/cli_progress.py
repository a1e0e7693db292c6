"""How the CLI shows a run: progress bars with ETA while it trains, tables when it is done."""

from __future__ import annotations

import threading
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from dlstudio.core.events import (
    BatchEnded,
    EpochEnded,
    RunFailed,
    RunFinished,
    RunMessage,
    RunStarted,
    TrialEnded,
    TrialStarted,
)


class ProgressPrinter:
    """An EventSink that draws a search bar and a trial bar (or nothing, when quiet).

    Events arrive from the training threads; rich's Progress takes its own lock.
    """

    def __init__(self, quiet: bool = False, console: Console | None = None) -> None:
        self.quiet = quiet
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[info]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            disable=quiet,
        )
        self._search = None
        self._trial = None
        self._lock = threading.Lock()
        self.run_id: str | None = None  # known from RunStarted on
        # The engine raises after RunFailed and the CLI prints that error once, so the
        # message is kept here rather than printed twice.
        self.failure: str | None = None

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def note(self, text: str) -> None:
        if not self.quiet:
            self.progress.console.print(text)

    def run_path(self, project) -> Path | None:
        """Where the run that started lives, or None if none has started yet."""
        return None if self.run_id is None else Path(project) / "runs" / self.run_id

    def __call__(self, event) -> None:
        with self._lock:
            self._handle(event)

    def _handle(self, event) -> None:
        if isinstance(event, RunStarted):
            self.run_id = event.run_id
            self.note(
                f"Run {event.run_id} ({event.mode}) on {_device(event.device)}, "
                f"{event.train_rows} training rows"
            )
            if event.time_limit_s:
                self.note(f"Time budget: {event.time_limit_s:.0f} s")
            self._search = self.progress.add_task(
                "search", total=event.max_trials, info="", completed=event.resumed_trials
            )
        elif isinstance(event, TrialStarted):
            if self._trial is not None:
                self.progress.remove_task(self._trial)
            self._trial = self.progress.add_task(
                f"trial {event.trial_id}", total=event.epochs, info=""
            )
        elif isinstance(event, EpochEnded) and self._trial is not None:
            shown = "  ".join(
                f"{k} {v:.4g}" for k, v in event.metrics.items() if k != "learning_rate"
            )
            self.progress.update(self._trial, completed=event.epoch + 1, info=shown)
        elif isinstance(event, BatchEnded) and self._trial is not None:
            self.progress.update(
                self._trial, info=f"loss {event.loss:.4g} (epoch {event.epoch + 1})"
            )
        elif isinstance(event, TrialEnded):
            record = event.record
            score = f"{record.score:.4g}" if record.score is not None else "—"
            message = f" — {one_line(record.message)}" if record.message else ""
            if record.status.value == "failed":
                message += " (the full text is in the run's log.txt)"
            self.note(
                f"trial {record.trial_id}: {record.status.value}, score {score}, "
                f"{record.duration_s:.1f} s{message}"
            )
            if self._search is not None:
                self.progress.advance(self._search)
        elif isinstance(event, RunMessage):
            self.note(event.text)
        elif isinstance(event, RunFinished):
            status = STATUS_WORDS.get(event.status.value, event.status.value)
            self.note(f"Run {status} after {event.duration_s:.1f} s")
        elif isinstance(event, RunFailed):
            self.failure = event.message


def one_line(text: str, limit: int = 200) -> str:
    """A failure's reason as one line: its last non-empty line (where a traceback says what
    went wrong), cut to `limit` characters. The full text stays in the run's files."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    line = lines[-1] if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _device(device: dict) -> str:
    if device.get("kind") == "GPU":
        return f"GPU {device.get('name')}"
    return f"CPU (no GPU found; backend {device.get('backend')})"


def print_result(run, quiet: bool = False) -> None:
    console = Console()
    state = run.state()
    evaluation = run.evaluation()
    if quiet:
        metrics = (evaluation or {}).get("metrics", {})
        shown = " ".join(f"{k}={v:.4f}" for k, v in metrics.items())
        console.print(f"{state.get('status')} {run.path} {shown}")
        return
    status = STATUS_WORDS.get(state.get("status"), state.get("status"))
    best = state.get("best_trial_id")
    console.print(f"[bold]{run.path}[/]: {status}" + (f"; best trial {best}" if best else ""))
    if evaluation:
        print_evaluation(run, evaluation, console)
        kind = "a partial model" if state.get("partial") else "raw data in, predictions out"
        console.print(f"Model: {run.model_path}  ({kind})")
    if state.get("message"):
        beats = (evaluation or {}).get("verdict", {}).get("beats_baseline", True)
        console.print(state["message"], style=None if beats and evaluation else "bold yellow")


STATUS_WORDS = {
    "completed": "finished",
    "time_limit": "stopped at the time limit",
    "cancelled": "stopped by you",
    "failed": "failed",
    "interrupted": "interrupted (resume it with `dlstudio tune --resume RUN`)",
    "running": "running",
    "damaged": "damaged (its state.json cannot be read)",
}


def print_evaluation(run, evaluation: dict, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title=f"Test split ({evaluation.get('rows')} rows)", title_justify="left")
    table.add_column("metric")
    table.add_column("model", justify="right")
    table.add_column("baseline", justify="right")
    baseline = evaluation.get("baseline", {})
    for name, value in evaluation.get("metrics", {}).items():
        base = baseline.get(name)
        table.add_row(name, f"{value:.4f}", f"{base:.4f}" if base is not None else "")
    console.print(table)
    if baseline.get("name"):
        console.print(f"baseline: {baseline['name']}", style="dim")
    if evaluation.get("per_class"):
        per = Table(title="Per class", title_justify="left")
        for col in ("class", "precision", "recall", "f1", "support"):
            per.add_column(col, justify="left" if col == "class" else "right")
        for row in evaluation["per_class"]:
            per.add_row(
                row["class"],
                f"{row['precision']:.3f}",
                f"{row['recall']:.3f}",
                f"{row['f1']:.3f}",
                str(row["support"]),
            )
        console.print(per)


def print_runs(rows: list[dict]) -> None:
    """The trials table, then what is damaged in which run (and what still works)."""
    table = Table()
    for col in ("run", "trial", "status", "score", "duration", "hyperparameters"):
        table.add_column(col, justify="right" if col in ("score", "duration") else "left")
    for row in rows:
        score = f"{row['score']:.4g}" if row["score"] is not None else "—"
        duration = f"{row['duration_s']:.1f} s" if row["duration_s"] is not None else ""
        values = ", ".join(f"{k}={v}" for k, v in row["hyperparameters"].items())
        status = row["status"] or row["run_status"] or "?"
        table.add_row(row["run"], row["trial"] or "—", status, score, duration, values)
    console = Console()
    console.print(table)
    damaged = {row["run"]: row["problems"] for row in rows if row.get("problems")}
    for run, problems in damaged.items():
        # Markup off: file names and messages may hold square brackets.
        console.print(f"Run {run} is damaged: " + " ".join(problems), style="yellow", markup=False)
