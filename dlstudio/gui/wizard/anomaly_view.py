"""The Results step of an anomaly run: the score over time with the threshold, the labelled
windows and the flagged points; the threshold adjustable live; the top anomalies.

Moving the threshold (drag its line or type in the box) recounts the flags and, with labels,
precision / recall / F1 from the run's scores.csv at once (core/series_results.py, numpy
only). "Keep this threshold" saves it to the run: the model's flag is inside its graph, so
`dlstudio threshold RUN VALUE --keep` rebuilds model.keras in a process of its own
(gui/cli_process.py); predict and exports then flag with it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core.series_results import (
    labelled_spans,
    labelled_time_spans,
    read_anomaly_scores,
)
from dlstudio.gui.cli_process import CliProcess
from dlstudio.gui.plots.series_results import AnomalyScorePlot
from dlstudio.gui.qmodels.dataframe_model import DataFrameModel
from dlstudio.gui.widgets import boxed
from dlstudio.gui.wizard.results_summary import anomaly_counts_words

TOP = 20


class AnomalyView(QWidget):
    plot_name = "anomaly-scores"  # the saved plot's file name (Save plots…)
    threshold_kept = Signal(float)  # the run's model was rebuilt with it

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.run = None
        self.scores = None
        self.kept = math.nan  # the threshold the run's model flags with
        self.series = True  # windows of a series, else rows of a table
        self._job: CliProcess | None = None
        self.plot = AnomalyScorePlot()
        self.plot.threshold_moved.connect(self._line_moved)
        self.value = QDoubleSpinBox()
        self.value.setDecimals(4)
        self.value.setKeyboardTracking(False)
        self.value.setToolTip(
            "Readings whose anomaly score is above this are flagged. Drag the dashed line on "
            "the plot or type a value: the counts below follow at once."
        )
        self.value.valueChanged.connect(self._box_changed)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.keep = QPushButton("Keep this threshold")
        self.keep.setToolTip(
            "Save it with the run: its model, `dlstudio predict` and later exports flag with "
            "it. Takes a few seconds (the model is rebuilt in the background)."
        )
        self.keep.clicked.connect(self._keep)
        self.undo = QPushButton("Back to the kept one")
        self.undo.clicked.connect(self._back_to_kept)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.missing.hide()
        self.top_model = DataFrameModel()
        self.top = QTableView()
        self.top.setModel(self.top_model)
        self.top.verticalHeader().hide()
        self.top.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.top.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.top.horizontalHeader().setStretchLastSection(True)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Threshold:"))
        controls.addWidget(self.value)
        controls.addWidget(self.keep)
        controls.addWidget(self.undo)
        controls.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.plot, 1)
        left.addWidget(self.missing)
        left.addLayout(controls)
        left.addWidget(self.counts)
        left.addWidget(self.status)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.top.setMinimumWidth(430)  # time, reading, score and label all in view
        layout.addLayout(left, 3)
        layout.addWidget(boxed(f"The {TOP} highest scores", self.top), 1)

    def set_run(self, run) -> None:
        self.run = run
        evaluation = run.evaluation() or {}
        self.kept = float((evaluation.get("threshold") or {}).get("value", math.nan))
        self.rule = (evaluation.get("threshold") or {}).get("rule", "")
        self.scores = read_anomaly_scores(run.path)
        self.series = evaluation.get("kind") == "series"
        self.status.clear()
        usable = self.scores is not None and len(self.scores.frame) > 0
        for widget in (self.plot, self.value, self.keep, self.undo):
            widget.setEnabled(usable)
        self.plot.setVisible(usable)
        self.missing.setVisible(not usable)
        if not usable:
            self.missing.setText(
                "This run kept no scores (it was trained by an earlier dlstudio), so its "
                "scores cannot be drawn; train again to see them."
            )
            self.counts.clear()
            self.top_model.set_frame(_top_table(evaluation))
            return
        frame = self.scores.frame
        spans = (
            labelled_time_spans(evaluation) if self.scores.has_time else labelled_spans(evaluation)
        )
        top = float(self.scores.scores.max())
        self.value.blockSignals(True)
        # Enough decimals for the threshold's own size (autoencoder scores may be 0.0004).
        size = abs(self.kept) if math.isfinite(self.kept) and self.kept else max(top, 1e-6)
        self.value.setDecimals(max(4, 3 - math.floor(math.log10(size))))
        self.value.setRange(0.0, max(top * 1.5, self.kept * 1.5, 1e-6))
        self.value.setSingleStep(max(top / 200, 1e-4))
        self.value.setValue(self.kept)
        self.value.blockSignals(False)
        self.plot.show_scores(frame, spans, self.kept, self.series)
        self.top_model.set_frame(_top_frame(self.scores.top(TOP)))
        self._recount(self.kept)

    @property
    def threshold(self) -> float:
        return float(self.value.value())

    def set_threshold(self, value: float) -> None:
        """As if the user typed `value` (tests, and the line's drag)."""
        self.value.setValue(value)

    @Slot(float)
    def _line_moved(self, value: float) -> None:
        self.value.blockSignals(True)
        self.value.setValue(value)
        self.value.blockSignals(False)
        self._recount(value)

    @Slot(float)
    def _box_changed(self, value: float) -> None:
        self.plot.set_threshold(value)
        self._recount(value)

    def _recount(self, value: float) -> None:
        if self.scores is None:
            return
        words = anomaly_counts_words(self.scores.at(value), self.series)
        # The box rounds to its decimals: the kept value shown there is still the kept one.
        if math.isclose(value, self.kept, abs_tol=0.6 * 10 ** -self.value.decimals()):
            words += f" This is the kept threshold ({self.rule})."
            self.keep.setEnabled(False)
            self.undo.setEnabled(False)
        else:
            words += f" The kept one is {self.kept:.4g}."
            self.keep.setEnabled(self._job is None)
            self.undo.setEnabled(True)
        self.counts.setText(words)

    @Slot()
    def _back_to_kept(self) -> None:
        self.set_threshold(self.kept)

    @Slot()
    def _keep(self) -> None:
        if self.run is None or self._job is not None:
            return
        value = self.threshold
        self.keep.setEnabled(False)
        self.status.setText(f"Rebuilding the model to flag above {value:.4g}…")
        job = CliProcess(["threshold", str(self.run.path), repr(value), "--keep"], self)
        path = self.run.path
        job.succeeded.connect(lambda _out, v=value, p=path: self._kept(v, p))
        job.failed.connect(self._keep_failed)
        self._job = job
        job.start()

    def _kept(self, value: float, path) -> None:
        self._job = None
        if self.run is None or self.run.path != path:
            return  # another run is on show now; its own files say its threshold
        self.set_run(self.run)  # the run's files now say the new threshold
        self.status.setText(
            f"Kept {value:.4g}: the model, `dlstudio predict` and new exports flag with it."
        )
        self.threshold_kept.emit(value)

    @Slot(str)
    def _keep_failed(self, message: str) -> None:
        self._job = None
        self.status.setText(f"<span style='color:#b00020'>Not kept: {message}</span>")
        self._recount(self.threshold)

    def wait_for_job(self, msecs: int = 120_000) -> bool:
        """Block until a keep has ended (tests, closing)."""
        return self._job is None or self._job.wait(msecs)


def _top_frame(top):
    """The top rows as people read them: where, score, labelled."""
    shown = top.copy()
    columns = {"row": "Row", "time": "Time", "value": "Reading", "score": "Score"}
    if "label" in shown:
        shown["label"] = shown["label"].map({1: "yes", 0: "no"})
        columns["label"] = "Labelled anomaly"
    if "time" in shown:
        shown["time"] = shown["time"].astype(str)
    shown["score"] = shown["score"].round(4)
    if "value" in shown:
        shown["value"] = shown["value"].round(3)
    keep = [c for c in columns if c in shown]
    return shown[keep].rename(columns=columns).reset_index(drop=True)


def _top_table(evaluation: dict):
    """The top rows saved in evaluation.json, for a run without scores.csv."""
    import pandas as pd

    return pd.DataFrame(evaluation.get("top") or [])
