"""The Train step: start and stop, live curves, progress with ETA, a diagnosis and a log.

Events arrive in lists, once per GUI tick, from RunController; each list updates the buffers
and then every curve is redrawn once.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal, Slot
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

from dlstudio.core.diagnosis import diagnose
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
RUN_ENDINGS = {
    "completed": "Finished",
    "time_limit": "Stopped at the time limit",
    "cancelled": "Stopped",
    "failed": "Failed",
}
WAITING_FOR_DIAGNOSIS = (
    "A plain-words diagnosis of the running trial (learning well, overfitting, underfitting or "
    "diverging) appears here after its first epochs."
)


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
        self.stop_button.setEnabled(False)
        self.status_label = QLabel("Press Start to train with the settings of the Model step.")
        self.status_label.setWordWrap(True)
        _reserve_lines(self.status_label, 2)

        self.trial_bar = QProgressBar()
        self.trial_bar.setFormat("trial: %v of %m epochs")
        self.search_bar = QProgressBar()
        self.search_bar.setFormat("search: %v of %m trials")
        self.eta_label = QLabel()

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

    def _reset_state(self) -> None:
        self.started_at = time.monotonic()
        self.time_limit: float | None = None
        self.trials_done = 0
        self.max_trials = 1
        self.history: dict[str, list[float]] = {}
        self.finished_event: RunFinished | None = None

    # ------------------------------------------------------------ running

    def set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        (self.gpu.start if running else self.gpu.stop)()

    def prepare_run(self, task: str) -> None:
        self._reset_state()
        self.curves.reset("mae" if task == "regression" else "accuracy")
        self.log.clear()
        self._set_diagnosis(None, WAITING_FOR_DIAGNOSIS)
        self.trial_bar.setValue(0)
        self.search_bar.setValue(0)
        self.eta_label.setText("")
        self.status_label.setText("Starting…")

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
            self.trial_bar.setMaximum(event.epochs)
            self.trial_bar.setValue(event.epoch + 1)
            self._show_diagnosis()
        elif isinstance(event, TrialStarted):
            self.curves.start_trial(event.epochs)
            self.history = {}
            self.trial_id = event.trial_id
            self._set_diagnosis(None, WAITING_FOR_DIAGNOSIS)  # a new trial: judged on its own
            self.trial_bar.setMaximum(event.epochs)
            self.trial_bar.setValue(0)
            values = ", ".join(
                f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                for k, v in event.hyperparameters.items()
            )
            self._log(f"Trial {event.trial_id} started: {values}")
            self.status_label.setText(f"Training trial {event.trial_id}…")
        elif isinstance(event, TrialEnded):
            record = event.record
            self.trials_done += 1
            self.search_bar.setValue(min(self.trials_done, self.search_bar.maximum()))
            score = f"{record.score:.4g}" if record.score is not None else "—"
            reason = f": {record.message}" if record.message else ""
            self._log(
                f"Trial {record.trial_id} {record.status.value} (score {score}, "
                f"{record.epochs} epochs, {record.duration_s:.1f} s){reason}"
            )
        elif isinstance(event, RunStarted):
            self.started_at = time.monotonic()
            self.time_limit = event.time_limit_s
            self.max_trials = event.max_trials
            self.trials_done = event.resumed_trials
            self.search_bar.setMaximum(event.max_trials)
            self.search_bar.setValue(event.resumed_trials)
            device = event.device
            where = (
                f"GPU {device.get('name')}" if device.get("kind") == "GPU" else "CPU — no GPU found"
            )
            self.status_label.setText(
                f"Run {event.run_id}: {event.mode} on {where} "
                f"(backend {event.backend}), {event.train_rows} training rows"
            )
            self._log(f"Run {event.run_id} started ({event.mode}, {where})")
        elif isinstance(event, RunMessage):
            self._log(event.text)
            if event.text.startswith("Loading"):
                self.status_label.setText(event.text)
        elif isinstance(event, RunFinished):
            self.finished_event = event
            ended = RUN_ENDINGS.get(event.status.value, event.status.value)
            if event.model_path:
                kind = "a partial model" if event.partial else "a model"
                text = f"{ended} with {kind} (trial {event.best_trial_id}). {event.message}"
                text += " See the Results step."
            else:
                text = f"{ended} without a model. {event.message}"
            self.status_label.setText(text)
            self._log(f"Run {ended.lower()} after {event.duration_s:.1f} s. {event.message}")
            if event.model_path:
                from pathlib import Path

                self.run_finished.emit(str(Path(event.model_path).parent))
        elif isinstance(event, RunFailed):
            self.status_label.setText(f"The run failed: {event.message}")
            self._log(f"Run failed: {event.message}")

    def _show_diagnosis(self) -> None:
        result = diagnose(self.history)
        if result is None:
            return
        trial = getattr(self, "trial_id", "")
        self._set_diagnosis(result.kind, f"<b>Trial {trial}: {result.kind}.</b> {result.message}")

    def _set_diagnosis(self, kind: str | None, text: str) -> None:
        self.diagnosis_label.setText(text)
        if self._styled_kind != kind:  # a new style sheet re-polishes the label: only on change
            self.diagnosis_label.setStyleSheet(DIAGNOSIS_STYLE[kind])
            self.diagnosis_label.setProperty("kind", kind)
            self._styled_kind = kind

    def _update_eta(self) -> None:
        elapsed = time.monotonic() - self.started_at
        parts = [f"elapsed {_clock(elapsed)}"]
        if self.trials_done and self.max_trials > self.trials_done:
            eta = elapsed / self.trials_done * (self.max_trials - self.trials_done)
            if self.time_limit:
                eta = min(eta, max(0.0, self.time_limit - elapsed))
            parts.append(f"ETA {_clock(eta)}")
        if self.time_limit:
            parts.append(f"budget left {_clock(max(0.0, self.time_limit - elapsed))}")
        self.eta_label.setText(" · ".join(parts))

    def _log(self, text: str) -> None:
        self.log.appendPlainText(f"{time.strftime('%H:%M:%S')}  {text}")


def _reserve_lines(label: QLabel, lines: int) -> None:
    """Keep room for `lines` lines of text, so new text of that length leaves the layout be."""
    margins = 2 * label.margin() + 4  # the style sheets' 1 px borders and some slack
    label.setMinimumHeight(lines * label.fontMetrics().lineSpacing() + margins)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
