"""The Results step: how the best model did on the test split, in numbers and pictures."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dlstudio.gui.plots.export import save_plots_button
from dlstudio.gui.plots.results import ConfusionMatrixPlot, RocPlot, ScatterPlot
from dlstudio.gui.widgets import boxed
from dlstudio.gui.wizard.compare_view import RunsView, TrialsView

METRIC_NAMES = {
    "accuracy": "Accuracy (share of test rows classified right)",
    "balanced_accuracy": "Balanced accuracy (mean recall over classes)",
    "f1_macro": "F1, averaged over classes",
    "log_loss": "Log loss (lower is better)",
    "auc": "AUC (1 is perfect, 0.5 is guessing)",
    "mae": "Mean absolute error",
    "rmse": "Root mean squared error",
    "r2": "R² (1 is perfect, 0 is the mean)",
}


class ResultsPage(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.run = None
        self._stale = False  # trials ended while the page was hidden
        self._pending = None  # (runs, run in focus) to show once the page is
        self.title = QLabel("Train a model to see its results here.")
        self.title.setWordWrap(True)
        self.metrics = _table(["Metric", "Model", "Trivial baseline"])
        self.per_class = _table(["Class", "Precision", "Recall", "F1", "Test rows"])
        self.confusion = ConfusionMatrixPlot()
        self.roc = RocPlot()
        self.scatter = ScatterPlot()
        left = QVBoxLayout()
        left.addWidget(boxed("Test-split metrics", self.metrics))
        self.per_class_box = boxed("Per class", self.per_class)
        left.addWidget(self.per_class_box)
        plots = QHBoxLayout()
        plots.addWidget(self.confusion)
        plots.addWidget(self.roc)
        plots.addWidget(self.scatter)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setMinimumWidth(520)
        body = QHBoxLayout()
        body.addWidget(left_widget, 3)
        body.addLayout(plots, 5)
        best = QWidget()
        best_layout = QVBoxLayout(best)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(
            save_plots_button(
                self,
                "results",
                lambda: {
                    name: plot
                    for name, plot in (
                        ("confusion", self.confusion),
                        ("roc", self.roc),
                        ("predicted-vs-actual", self.scatter),
                    )
                    if plot.isVisible()
                },
            )
        )
        best_layout.addLayout(title_row)
        best_layout.addLayout(body, 1)
        self.trials_view = TrialsView()
        self.runs_view = RunsView()
        self.runs_view.runs_chosen.connect(self.trials_view.load)
        self.tabs = QTabWidget()
        self.tabs.addTab(best, "Best model")
        self.tabs.addTab(self.trials_view, "Trials")
        self.tabs.addTab(self.runs_view, "Runs")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        for plot in (self.confusion, self.roc, self.scatter):
            plot.hide()

    # Loading the run table and plotting trials and evaluations takes the GUI thread 50–200 ms;
    # while the page is hidden (the user watches the Train page) it waits until the page is
    # shown (bench/gui_stall.py).

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._pending is not None:
            (runs, current), self._pending = self._pending, None
            self._load(runs, current)
        elif self._stale:
            self.refresh()

    def has_runs(self) -> bool:
        return bool(self._pending[0] if self._pending else self.runs_view.runs)

    def show_project(self, runs: list, current=None) -> None:
        """All runs of the project in the comparison views; `current` (or the last) in focus."""
        current = current or (runs[-1] if runs else None)
        if self.isVisible():
            self._load(runs, current)
        else:
            self._pending, self._stale = (runs, current), False

    def _load(self, runs: list, current) -> None:
        self.runs_view.load(runs, [current.id] if current else [])
        self.trials_view.load([current] if current else [])
        if current is not None and current.evaluation():
            self.show_run(current)

    def refresh(self) -> None:
        """Re-read the run folders (a trial has ended)."""
        if not self.isVisible():
            self._stale = self._pending is None  # a pending load reads the folders anyway
            return
        self._stale = False
        chosen = [run.id for run in self.runs_view.chosen_runs()]
        self.runs_view.load(self.runs_view.runs, chosen)
        self.trials_view.load(self.runs_view.chosen_runs())

    def show_run(self, run) -> None:
        """Show a finished run folder's evaluation.json."""
        self.run = run
        evaluation = run.evaluation() or {}
        state = run.state()
        card = run.read("model_card.json") or {}
        verdict = evaluation.get("verdict", {})
        colour = "#1b5e20" if verdict.get("beats_baseline", True) else "#b00020"
        partial = (
            f"<br><span style='color:#8a5a00'><b>Partial model.</b> "
            f"{html.escape(evaluation['partial'])}</span>"
            if evaluation.get("partial")
            else ""
        )
        self.title.setText(
            f"<b>Run {html.escape(run.id)}</b>: trial {state.get('best_trial_id')} "
            f"({html.escape(card.get('template', '?'))}), evaluated on "
            f"{evaluation.get('rows', 0)} test rows the model never saw while training.<br>"
            f"<span style='color:{colour}'>{html.escape(verdict.get('text', ''))}</span>"
            f"{partial}"
        )
        baseline = evaluation.get("baseline", {})
        rows = [
            (METRIC_NAMES.get(k, k), f"{v:.4f}", f"{baseline[k]:.4f}" if k in baseline else "")
            for k, v in evaluation.get("metrics", {}).items()
        ]
        _fill(self.metrics, rows)
        if baseline.get("name"):
            self.metrics.setToolTip(f"Baseline: {baseline['name']}")
        classification = evaluation.get("task") == "classification"
        self.per_class_box.setVisible(classification)
        self.confusion.setVisible(classification)
        self.roc.setVisible(classification and bool(evaluation.get("roc")))
        self.scatter.setVisible(not classification)
        if classification:
            _fill(
                self.per_class,
                [
                    (
                        r["class"],
                        f"{r['precision']:.3f}",
                        f"{r['recall']:.3f}",
                        f"{r['f1']:.3f}",
                        str(r["support"]),
                    )
                    for r in evaluation["per_class"]
                ],
            )
            self.confusion.show_matrix(evaluation["confusion_matrix"], evaluation["class_names"])
            self.roc.show_curves(evaluation.get("roc", {}))
        else:
            points = evaluation.get("points", {})
            self.scatter.show_points(points.get("actual", []), points.get("predicted", []))


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
