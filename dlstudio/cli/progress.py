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
from dlstudio.core.wording import listed, run_status, trial_status, trial_words


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
        self._numbers: dict[str, int] = {}  # trial id -> the trial's number, counted from 1

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
            self._numbers[event.trial_id] = event.number
            self._trial = self.progress.add_task(
                f"trial {event.number}", total=event.epochs, info=""
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
            self._numbers[record.trial_id] = record.number
            self.note(
                f"trial {record.number}: {trial_status(record.status.value)}, score {score}, "
                f"{record.duration_s:.1f} s{message}"
            )
            if self._search is not None:
                self.progress.advance(self._search)
        elif isinstance(event, RunMessage):
            self.note(event.text)
        elif isinstance(event, RunFinished):
            status = STATUS_WORDS.get(event.status.value, event.status.value)
            kept = ""
            if event.model_path:
                number = self._numbers.get(event.best_trial_id)
                trial = trial_words(number, len(self._numbers)) if number else "the best trial"
                what = "the best epoch of " if event.partial else ""
                kept = f"; the model kept is {what}{trial}"
                if event.averaged:
                    kept = "; the model kept is the average above"
            self.note(f"Run {status} after {event.duration_s:.1f} s{kept}")
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
    trials = run.trials()
    number = next((t.number for t in trials if t.trial_id == best), None)
    shown = f"; the model kept is {trial_words(number, len(trials))}" if number else ""
    ensemble = (evaluation or {}).get("ensemble") or {}
    if ensemble.get("kept"):
        numbers = sorted(m["number"] for m in ensemble.get("members", []))
        shown = f"; the model kept is an average of trials {listed(numbers)}"
    console.print(f"[bold]{run.path}[/]: {status}{shown}")
    if evaluation:
        print_evaluation(run, evaluation, console)
        kind = "a partial model" if state.get("partial") else "raw data in, predictions out"
        console.print(f"Model: {run.model_path}  ({kind})")
    if state.get("message"):
        beats = (evaluation or {}).get("verdict", {}).get("beats_baseline", True)
        console.print(state["message"], style=None if beats and evaluation else "bold yellow")


STATUS_WORDS = {
    "completed": "finished",
    "time_limit": "finished: the time budget ran out",
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
    classic = evaluation.get("classic")  # a classical model on the same split
    classic = classic if isinstance(classic, dict) else {}
    known = classic.get("metrics") if isinstance(classic.get("metrics"), dict) else {}
    if known:
        table.add_column(str(classic.get("name")), justify="right")
    baseline = evaluation.get("baseline", {})
    for name, value in evaluation.get("metrics", {}).items():
        base = baseline.get(name)
        row = [name, f"{value:.4f}", f"{base:.4f}" if base is not None else ""]
        if known:
            theirs = known.get(name)
            row.append(f"{theirs:.4f}" if isinstance(theirs, (int, float)) else "")
        table.add_row(*row)
    console.print(table)
    if baseline.get("name"):
        console.print(f"baseline: {baseline['name']}", style="dim")
    if classic:
        console.print(classic_note(classic), style="dim", markup=False)
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


def classic_note(classic: dict) -> str:
    """ "classical reference: Gradient boosting on the same split, trained in 2.1 s", or why
    there is none."""
    if not classic.get("name"):
        return f"classical reference: none. {classic.get('reason', '')}".strip()
    settings = classic.get("settings") if isinstance(classic.get("settings"), dict) else {}
    settings = ", ".join(f"{k} {v}" for k, v in settings.items())
    cut = ", cut short by the time budget" if classic.get("cut_short") else ""
    seconds = classic.get("seconds")
    took = f", trained in {seconds:.1f} s" if isinstance(seconds, (int, float)) else ""
    return f"classical reference: {classic['name']} on the same split{took}{cut}" + (
        f" ({settings})" if settings else ""
    )


def print_runs(rows: list[dict]) -> None:
    """The trials table, then what is damaged in which run (and what still works)."""
    table = Table()
    for col in ("run", "trial", "status", "score", "duration", "hyperparameters"):
        table.add_column(col, justify="right" if col in ("score", "duration") else "left")
    for row in rows:
        score = f"{row['score']:.4g}" if row["score"] is not None else "—"
        duration = f"{row['duration_s']:.1f} s" if row["duration_s"] is not None else ""
        values = ", ".join(f"{k}={v}" for k, v in row["hyperparameters"].items())
        status = (
            trial_status(row["status"])
            if row["status"]
            else run_status(row["run_status"] or "unknown")
        )
        trial = str(row["trial"] or "—")  # keras-tuner's "00": people count from 1
        trial = str(int(trial) + 1) if trial.isdigit() else trial
        run = f"{row['name']} ({row['run']})" if row.get("name") else row["run"]
        table.add_row(run, trial, status, score, duration, values)
    console = Console()
    console.print(table)
    damaged = {row["run"]: row["problems"] for row in rows if row.get("problems")}
    for run, problems in damaged.items():
        # Markup off: file names and messages may hold square brackets.
        console.print(f"Run {run} is damaged: " + " ".join(problems), style="yellow", markup=False)
