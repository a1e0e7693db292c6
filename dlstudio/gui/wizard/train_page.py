"""The Train step: start and stop, live curves, progress with a clock, a diagnosis and a log.

It tells the run's story in the order a user lives it: TensorFlow starting and the data being
read (10–20 s on a small machine, with a clock that ticks every second), then the trials one by
one, then the end, where the best trial (not merely the last, which the budget often cuts short)
is drawn in colour and its diagnosis stays on screen. A stop shows as "Stopping…" until the
training process has ended.

Events arrive in lists, once per GUI tick, from RunController; each list updates the buffers
and then every curve is redrawn once.
"""

from __future__ import annotations

import html
import math
import re
import time
from pathlib import Path

from numpy import format_float_positional
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core.config import objective_direction
from dlstudio.core.diagnosis import diagnose
from dlstudio.core.events import (
    BatchEnded,
    EpochEnded,
    RunFailed,
    RunFinished,
    RunMessage,
    RunStarted,
    TrialEnded,
    TrialRecord,
    TrialStarted,
    TrialStatus,
)
from dlstudio.core.families import SUPERVISED, family_for_task
from dlstudio.core.wording import (
    hyperparameter_name,
    hyperparameter_value,
    metric_label,
    metric_name,
    metric_value,
    plain_numbers,
    run_status,
    trial_status,
)
from dlstudio.gui.plots.export import save_plots_button
from dlstudio.gui.plots.gpu_monitor import GpuMonitor
from dlstudio.gui.plots.live_curves import LiveCurves
from dlstudio.gui.widgets import boxed

DIAGNOSIS_STYLE = {
    "healthy": "background:#e8f5e9; border:1px solid #a5d6a7;",
    "overfitting": "background:#fff8e1; border:1px solid #ffcc80;",
    "underfitting": "background:#fff8e1; border:1px solid #ffcc80;",
    "divergence": "background:#ffebee; border:1px solid #ef9a9a;",
    None: "color:#555; border:1px solid #ddd;",
}
WAITING_FOR_DIAGNOSIS = (
    "A plain-words diagnosis of the running trial (learning well, overfitting, underfitting or "
    "diverging) appears here after its first epochs."
)
STARTING = (
    "Starting TensorFlow and reading your data… This takes a few seconds; the first trial "
    "begins right after."
)
STOPPING = (
    "Stopping the run… The current trial keeps its best epoch and finished trials are kept; "
    "this takes a few seconds."
)
TICK_MS = 1000  # the clock's resolution: it shows whole seconds
TRIAL_FORMAT = "this trial: %v of %m epochs"
# The engine keeps time at the end of a search to average its best trainings; said when one
# trial or none finished, there is nothing to average.
AVERAGING = re.compile(r"\s*A further \d+ s are kept for averaging the best trials\.")


class TrainPage(QWidget):
    start_requested = Signal()
    stop_requested = Signal()
    run_finished = Signal(str)  # the run folder

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.start_button = QPushButton("Start training")
        self.start_button.setToolTip("Train with the settings of the Model step (Ctrl+R)")
        self.start_button.clicked.connect(self.start_requested)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the current batch; finished trials are kept")
        self.stop_button.clicked.connect(self.stop_requested)
        self.stop_button.clicked.connect(self.show_stopping)
        self.stop_button.setEnabled(False)
        self.status_label = QLabel("Press Start to train with the settings of the Model step.")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)  # class names like "<=50K"
        _reserve_lines(self.status_label, 2)

        self.trial_bar = QProgressBar()
        self.search_bar = QProgressBar()
        self.eta_label = QLabel()
        self.eta_label.setMinimumWidth(self.eta_label.fontMetrics().horizontalAdvance("x" * 44))
        # Ticks every second from Start to the end, so the clock moves while TensorFlow starts
        # and during long epochs, when no event arrives for a while.
        self.clock = QTimer(self)
        self.clock.setInterval(TICK_MS)
        self.clock.timeout.connect(self._update_eta)

        self.curves = LiveCurves()
        # Always shown, at a steady height: a label that appears, disappears or re-wraps while
        # a run streams in resizes the plots above it, and re-laying out and repainting all of
        # them stalled the window for 40–60 ms at each epoch end (bench/gui_stall.py).
        self.diagnosis_label = QLabel()
        self.diagnosis_label.setWordWrap(True)
        self.diagnosis_label.setMargin(6)
        _reserve_lines(self.diagnosis_label, 2)
        self._styled_kind = ""  # not yet styled
        self._set_diagnosis(None, WAITING_FOR_DIAGNOSIS)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(5000)

        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(
            save_plots_button(
                self,
                "training",
                lambda: {
                    "loss": self.curves.loss_plot,
                    "metric": self.curves.metric_plot,
                    "live": self.curves.batch_plot,
                },
            )
        )
        bars = QHBoxLayout()
        bars.addWidget(self.trial_bar, 1)
        bars.addWidget(self.search_bar, 1)
        bars.addWidget(self.eta_label)
        self.gpu = GpuMonitor()
        bottom = QSplitter()
        bottom.addWidget(boxed("Event log", self.log))
        bottom.addWidget(self.gpu)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(bars)
        layout.addWidget(self.curves, 3)
        layout.addWidget(self.diagnosis_label)
        layout.addWidget(bottom, 1)
        self._reset_state()
        self._idle_bars()

    def _reset_state(self) -> None:
        self.phase = "idle"  # idle, starting, running, stopping, ended
        self.pressed_at = time.monotonic()  # Start: the clock the user sees counts from here
        self.started_at = self.pressed_at  # RunStarted: what the ETA is measured on
        self.ended_at: float | None = None
        self.time_limit: float | None = None
        self.trials_done = 0
        self.resumed_trials = 0
        self.max_trials = 1
        self.mode = "tune"
        self.task = "binary"
        self.history: dict[str, list[float]] = {}
        self.baseline_losses: dict[str, float] = {}
        self.trial_loss = "mse"
        self.records: dict[str, TrialRecord] = {}
        self.numbers: dict[str, int] = {}
        self.trial_id = ""
        self.asked_epochs = 0  # the running trial's epochs as the Model step allows them
        self.finished_event: RunFinished | None = None

    # ------------------------------------------------------------ running

    def set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running and self.phase != "stopping")
        (self.gpu.start if running else self.gpu.stop)()
        if not running:
            if self.phase in ("starting", "running", "stopping"):
                self._end_phase()  # the process ended without a last word (RunFailed covers it)
            self.clock.stop()

    def prepare_run(self, task: str) -> None:
        self._reset_state()
        self.task = task
        self.phase = "starting"
        # Beside the loss: accuracy for classes, the error for numbers; for another family the
        # measure it compares trials by, none when that is its loss (an autoencoder's).
        family = family_for_task(task)
        if family is SUPERVISED:
            measure = "mae" if task == "regression" else "accuracy"
        else:
            measure = family.default_objective(task).removeprefix("val_")
        self.curves.reset(measure if measure != "loss" else "accuracy")
        self.curves.metric_plot.setVisible(measure != "loss")
        self.log.clear()
        self._set_diagnosis(None, WAITING_FOR_DIAGNOSIS)
        self.trial_bar.setRange(0, 0)  # busy: something is happening, no count yet
        self.trial_bar.setFormat("starting…")
        self.search_bar.setRange(0, 1)
        self.search_bar.setValue(0)
        self.search_bar.setFormat("waiting for the first trial")
        self.status_label.setText(STARTING)
        self._log("Starting TensorFlow and reading the data…")
        self.clock.start()
        self._update_eta()

    @Slot()
    def show_stopping(self) -> None:
        """The user asked to stop (Stop, or closing the window): say so until the run ends."""
        if self.phase not in ("starting", "running"):
            return
        self.phase = "stopping"
        self.stop_button.setEnabled(False)
        self.status_label.setText(STOPPING)
        self._log("Stopping the run (asked by you)…")

    @Slot(list)
    def handle_events(self, events: list) -> None:
        for event in events:
            self._handle(event)
        self.curves.redraw()
        self._update_eta()

    def _handle(self, event) -> None:
        if isinstance(event, BatchEnded):
            self.curves.add_batch(event.epoch, event.batch, event.steps, event.loss)
        elif isinstance(event, EpochEnded):
            self.curves.add_epoch(event.epoch, event.metrics)
            for name, value in event.metrics.items():
                self.history.setdefault(name, []).append(value)
            self._count_epoch(event)
            self._show_diagnosis()
        elif isinstance(event, TrialStarted):
            self._trial_started(event)
        elif isinstance(event, TrialEnded):
            self._trial_ended(event.record)
        elif isinstance(event, RunStarted):
            self._run_started(event)
        elif isinstance(event, RunMessage):
            if not event.text.startswith("Loading TensorFlow"):  # the starting phase says it
                self._log(self._message_words(event.text))
        elif isinstance(event, RunFinished):
            self._run_ended(event)
        elif isinstance(event, RunFailed):
            self._end_phase()
            self.status_label.setText(f"The run failed: {event.message}")
            self._log(f"The run failed: {event.message}")

    def _run_started(self, event: RunStarted) -> None:
        if self.phase == "starting":
            self.phase = "running"
        self.started_at = time.monotonic()
        self.time_limit = event.time_limit_s
        self.max_trials = event.max_trials
        self.mode = event.mode
        self.baseline_losses = dict(event.baseline_losses or {})
        self.trials_done = self.resumed_trials = event.resumed_trials
        self.trial_bar.setRange(0, 1)
        self.trial_bar.setValue(0)
        self.trial_bar.setFormat(TRIAL_FORMAT)
        self.search_bar.setRange(0, event.max_trials)
        self.search_bar.setValue(event.resumed_trials)
        self.search_bar.setFormat("search: %v of %m trials")
        device = event.device
        where = (
            f"the GPU ({device.get('name')})"
            if device.get("kind") == "GPU"
            else "the CPU (no GPU found)"
        )
        rows = f"{event.train_rows:,} training rows"
        if event.mode == "train":
            text = f"Training one model on {where}, {rows}."
        else:
            text = f"Searching: up to {event.max_trials} trials on {where}, {rows}."
        if event.resumed_trials:
            text += f" Resumed: {event.resumed_trials} finished trial(s) are kept."
        if self.phase != "stopping":
            self.status_label.setText(text)
        self._log(text)

    def _trial_started(self, event: TrialStarted) -> None:
        # Its loss: trials that differ in it (MSE, MAE) do not share the loss plot.
        self.curves.start_trial(event.epochs, loss=event.hyperparameters.get("loss"))
        self.history = {}
        self.trial_id = event.trial_id
        self.trial_loss = str(event.hyperparameters.get("loss", "mse"))
        self.numbers[event.trial_id] = self._number_for(event)
        self._set_diagnosis(None, WAITING_FOR_DIAGNOSIS)  # a new trial: judged on its own
        self.asked_epochs = event.epochs
        self.trial_bar.setRange(0, max(1, event.epochs))
        self.trial_bar.setValue(0)
        self.trial_bar.setFormat(TRIAL_FORMAT)
        self.trial_bar.setToolTip("")
        values = "; ".join(
            f"{hyperparameter_name(k)}: {_short(k, v)}" for k, v in event.hyperparameters.items()
        )
        name = self._trial_name(event.trial_id)
        self._log(f"{name} started with {values}." if values else f"{name} started.")
        if self.phase != "stopping":
            self.status_label.setText(
                "Training the model…"
                if self.mode == "train"
                else f"Training {name.lower()} of {self.max_trials}…"
            )

    def _count_epoch(self, event: EpochEnded) -> None:
        """The trial's progress bar after an epoch: the epochs done (as many as are plotted)
        of the epochs the time budget plans for it. The plan comes from before this epoch
        and a trial still improving may run past it: the count never exceeds the total (Qt
        ignored the value then, and the bar stood at "19 of 22" with 23 epochs plotted)."""
        done = event.epoch + 1
        planned = max(event.epochs, done)
        self.curves.plan_epochs(planned)
        self.trial_bar.setRange(0, planned)
        self.trial_bar.setValue(done)
        if planned < self.asked_epochs:
            self.trial_bar.setFormat(f"{TRIAL_FORMAT} (cut from {self.asked_epochs} by the budget)")
            self.trial_bar.setToolTip(
                f"The Model step allows {self.asked_epochs} epochs; the time budget leaves this "
                f"trial room for about {planned} (a trial still improving may go on a little)."
            )
        else:
            self.trial_bar.setFormat(TRIAL_FORMAT)
            self.trial_bar.setToolTip("")

    def _message_words(self, text: str) -> str:
        """A message from the training process as the user should read it: numbers written
        out, and no time "kept for averaging" when fewer than two trials finished."""
        scored = sum(1 for r in self.records.values() if r.score is not None)
        if scored < 2:
            text = AVERAGING.sub("", text)
        return plain_numbers(text)

    def _number_for(self, event: TrialStarted) -> int:
        """1 for the first trial: keras-tuner counts trials from 0, people from 1. A trial run
        again on resume keeps the number it had."""
        try:
            return int(event.trial_id) + 1
        except ValueError:
            return max(1, event.number)

    def _trial_name(self, trial_id: str | None) -> str:
        if self.mode == "train":
            return "Training"
        number = self.numbers.get(trial_id or "")
        if number is None:
            try:
                number = int(trial_id) + 1
            except (TypeError, ValueError):
                return f"Trial {trial_id}"
        return f"Trial {number}"

    def _trial_ended(self, record: TrialRecord) -> None:
        self.records[record.trial_id] = record
        self.trials_done += 1
        self.search_bar.setValue(min(self.trials_done, self.search_bar.maximum()))
        objective = self._objective_of(record)
        parts = [f"{self._trial_name(record.trial_id)} {trial_status(record.status.value)}"]
        if record.score is not None:
            score = metric_value(objective, record.score)
            parts.append(f"best {metric_label(objective).lower()}: {score}")
        epochs = f"{record.epochs} epoch{'s' if record.epochs != 1 else ''}"
        parts.append(f"{epochs} in {_clock(record.duration_s)}")
        text = "; ".join(parts)
        shown = record.status in (TrialStatus.FAILED, TrialStatus.COMPLETED)
        if record.message and shown:
            text += f". {record.message[0].upper()}{record.message[1:]}"
        self._log(plain_numbers(text))

    def _objective_of(self, record: TrialRecord) -> str:
        """Which validation metric the trial's score is the best of (the run's objective)."""
        default = family_for_task(self.task).default_objective(self.task)
        if record.score is None:
            return default
        names = [default] + [n for n in record.history if n.startswith("val_") and n != default]
        for name in names:
            values = [v for v in record.history.get(name, []) if math.isfinite(v)]
            best = max if objective_direction(name) == "max" else min
            if values and math.isclose(best(values), record.score, rel_tol=1e-9, abs_tol=1e-12):
                return name
        return default

    def _run_ended(self, event: RunFinished) -> None:
        self.finished_event = event
        self._end_phase()
        ended = run_status(event.status.value)
        ended = ended[0].upper() + ended[1:]
        best = self._best_record(event)
        if event.model_path:
            kind = "a partial model" if event.partial else "a model"
            text = f"{ended}, with {kind}"
            # An average: the message names its trials and its score, not the best one's.
            single = not event.averaged
            if self.mode != "train" and single:
                text += f" from {self._trial_name(event.best_trial_id).lower()}, the best"
            if best is not None and event.best_score is not None and single:
                objective = self._objective_of(best)
                score = metric_value(objective, event.best_score)
                text += f" ({metric_name(objective).lower()} {score})"
            text += f". {self._message_words(event.message)} See the Results step."
        else:
            text = f"{ended}, without a model. {self._message_words(event.message)}"
        self.status_label.setText(text)
        self._log(f"{ended} after {_clock(event.duration_s)}. {self._message_words(event.message)}")
        if best is not None and best.history:
            self._show_best(best)
        if event.model_path:
            self.run_finished.emit(str(Path(event.model_path).parent))

    def _best_record(self, event: RunFinished) -> TrialRecord | None:
        """The best trial's record: from this session's events, or (a trial that finished
        before a resume) from the run folder."""
        if event.best_trial_id is None:
            return None
        record = self.records.get(event.best_trial_id)
        if record is None and event.model_path:
            from dlstudio.core.project import RunFolder

            found = RunFolder(Path(event.model_path).parent).trials()
            record = next((r for r in found if r.trial_id == event.best_trial_id), None)
        return record

    def _show_best(self, best: TrialRecord) -> None:
        """Draw the best trial in colour (the others faint) and keep its diagnosis on screen."""
        name = self._trial_name(best.trial_id)
        title = "the model" if self.mode == "train" else f"{name.lower()}, the best"
        self.curves.show_trial(best.history, title, loss=best.hyperparameters.get("loss"))
        result = diagnose(best.history, self._baseline_loss(best.hyperparameters.get("loss")))
        label = "The model" if self.mode == "train" else f"{name}, the best"
        if result is None:
            self._set_diagnosis(
                None,
                f"<b>{html.escape(label)}:</b> too few epochs ({best.epochs}) to judge its "
                "learning curves.",
            )
        else:
            message = plain_numbers(result.message)  # "1,860", not the diagnosis' "1.86e+03"
            self._set_diagnosis(result.kind, f"<b>{html.escape(label)}:</b> {html.escape(message)}")
        self.trial_bar.setRange(0, max(1, best.epochs))
        self.trial_bar.setValue(best.epochs)
        self.trial_bar.setFormat(f"{label}: %v epochs")

    def _end_phase(self) -> None:
        self.phase = "ended"
        self.ended_at = time.monotonic()
        self.clock.stop()
        self.stop_button.setEnabled(False)
        self.trial_bar.setRange(0, max(1, self.trial_bar.maximum()))
        if self.search_bar.maximum() == 0:
            self.search_bar.setRange(0, 1)

    def _show_diagnosis(self) -> None:
        result = diagnose(self.history, self._baseline_loss(self.trial_loss))
        if result is None:
            return
        label = self._trial_name(self.trial_id)
        message = plain_numbers(result.message)  # "1,860", not the diagnosis' "1.86e+03"
        self._set_diagnosis(result.kind, f"<b>{html.escape(label)}:</b> {html.escape(message)}")

    def _baseline_loss(self, loss) -> float | None:
        """The loss of a model that learned nothing, comparable with this trial's curves."""
        losses = self.baseline_losses
        return losses.get("crossentropy", losses.get(str(loss or "mse")))

    def _set_diagnosis(self, kind: str | None, text: str) -> None:
        self.diagnosis_label.setText(text)
        if self._styled_kind != kind:  # a new style sheet re-polishes the label: only on change
            self.diagnosis_label.setStyleSheet(DIAGNOSIS_STYLE.get(kind, DIAGNOSIS_STYLE[None]))
            self.diagnosis_label.setProperty("kind", kind)
            self._styled_kind = kind

    def _idle_bars(self) -> None:
        self.trial_bar.setRange(0, 1)
        self.trial_bar.setValue(0)
        self.trial_bar.setFormat(TRIAL_FORMAT)
        self.search_bar.setRange(0, 1)
        self.search_bar.setValue(0)
        self.search_bar.setFormat("search: %v of %m trials")

    @Slot()
    def _update_eta(self) -> None:
        if self.phase == "idle":
            self.eta_label.setText("")
            return
        now = self.ended_at if self.ended_at is not None else time.monotonic()
        elapsed = now - self.pressed_at
        if self.phase == "starting":
            self.eta_label.setText(f"starting… {_clock(elapsed)}")
            return
        parts = [f"elapsed {_clock(elapsed)}"]
        if self.phase == "running":
            running = now - self.started_at
            done = self.trials_done - self.resumed_trials
            if done and self.max_trials > self.trials_done:
                eta = running / done * (self.max_trials - self.trials_done)
                if self.time_limit:
                    eta = min(eta, max(0.0, self.time_limit - running))
                parts.append(f"about {_clock(eta)} left")
            if self.time_limit:
                parts.append(f"budget left {_clock(max(0.0, self.time_limit - running))}")
        self.eta_label.setText(" · ".join(parts))

    def _log(self, text: str) -> None:
        self.log.appendPlainText(f"{time.strftime('%H:%M:%S')}  {text}")


def _reserve_lines(label: QLabel, lines: int) -> None:
    """Keep room for `lines` lines of text, so new text of that length leaves the layout be."""
    margins = 2 * label.margin() + 4  # the style sheets' 1 px borders and some slack
    label.setMinimumHeight(lines * label.fontMetrics().lineSpacing() + margins)


def _short(name: str, value) -> str:
    """A sampled value of hyperparameter `name` in words, numbers to three significant digits
    and never in e-notation: 0.0053, not 0.005300696019 (a log-scale draw) nor 5.3e-03."""
    if isinstance(value, float) and math.isfinite(value) and value != int(value):
        return format_float_positional(value, precision=3, fractional=False, trim="-")
    return hyperparameter_value(name, value)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
