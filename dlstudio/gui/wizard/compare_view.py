"""The Results step's comparison views: every trial of the chosen runs, and runs side by side.

They read the run folders (trials.jsonl, state.json), so they show the same after a restart,
and they are refreshed while a search runs, each time a trial ends.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core import analysis
from dlstudio.core.events import TrialStatus
from dlstudio.gui.plots.compare import (
    BestCurves,
    HyperparameterScatter,
    ImportanceBars,
    OverlayCurves,
    ParallelCoordinates,
    RunsPlot,
)
from dlstudio.gui.plots.export import save_plots, save_plots_button
from dlstudio.gui.qmodels.trials_model import TrialsFilter, TrialsModel


class TrialsView(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.runs = []
        self.frame = analysis.trials_frame([])
        self.histories: dict[int, dict] = {}
        self.direction = "min"
        self.log_names: set[str] = set()

        self.status_filter = QComboBox()
        self.status_filter.addItem("all statuses", None)
        for status in TrialStatus:
            if status is not TrialStatus.RUNNING:
                self.status_filter.addItem(status.value, status.value)
        self.score_min = QLineEdit()
        self.score_max = QLineEdit()
        for edit, text in ((self.score_min, "min score"), (self.score_max, "max score")):
            edit.setPlaceholderText(text)
            edit.setMaximumWidth(90)
            edit.editingFinished.connect(self.apply_filters)
        self.status_filter.currentIndexChanged.connect(self.apply_filters)
        self.csv_button = QPushButton("Export table (CSV)…")
        self.csv_button.clicked.connect(self._export_csv)
        self.plots_button = save_plots_button(self, "trials", self.plots_by_name)
        self.count_label = QLabel()
        controls = QHBoxLayout()
        for widget in (
            QLabel("Show"),
            self.status_filter,
            QLabel("score from"),
            self.score_min,
            QLabel("to"),
            self.score_max,
            self.count_label,
        ):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.csv_button)
        controls.addWidget(self.plots_button)

        self.model = TrialsModel(self)
        self.proxy = TrialsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.curves = OverlayCurves()
        self.metric_combo = QComboBox()
        self.metric_combo.currentTextChanged.connect(self._metric_changed)
        self.parallel = ParallelCoordinates()
        self.parallel.brushed.connect(self._brushed)
        self.brush_combo = QComboBox()
        self.brush_combo.currentIndexChanged.connect(
            lambda _: self.parallel.set_brush_axis(self.brush_combo.currentData())
        )
        self.scatter = HyperparameterScatter()
        self.scatter_combo = QComboBox()
        self.scatter_combo.currentIndexChanged.connect(self._show_scatter)
        self.importance = ImportanceBars()
        self.importance_note = QLabel(analysis.IMPORTANCE_METHOD)
        self.importance_note.setWordWrap(True)

        self.plots = QTabWidget()
        self.plots.addTab(
            _with_bar(self.curves, QLabel("Curve:"), self.metric_combo), "Learning curves"
        )
        self.plots.addTab(
            _with_bar(self.parallel, QLabel("Filter the table by the axis:"), self.brush_combo),
            "Parallel coordinates",
        )
        self.plots.addTab(
            _with_bar(self.scatter, QLabel("Hyperparameter:"), self.scatter_combo),
            "Hyperparameter vs score",
        )
        importance = QWidget()
        layout = QVBoxLayout(importance)
        layout.addWidget(self.importance, 1)
        layout.addWidget(self.importance_note)
        self.plots.addTab(importance, "Importance")

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.plots)
        splitter.setStretchFactor(1, 2)
        main = QVBoxLayout(self)
        main.addLayout(controls)
        main.addWidget(splitter, 1)

    # ------------------------------------------------------------ data

    def load(self, runs: list) -> None:
        """Show every trial of `runs`, keeping the selection and filters."""
        selected = self.selected_keys()
        self.runs = runs
        self.frame = analysis.trials_frame(runs)
        self.direction = analysis.direction_of(runs)
        self.log_names = analysis.log_scaled(runs)
        self.histories = {}
        records = {(run.id, r.trial_id): r for run in runs for r in run.trials()}
        best_row, best_score = None, None
        for row, (run_id, trial_id, status, score) in enumerate(
            zip(
                self.frame["run"],
                self.frame["trial"],
                self.frame["status"],
                self.frame["score"],
                strict=True,
            )
        ):
            self.histories[row] = records[(run_id, trial_id)].history
            if status == TrialStatus.COMPLETED.value and analysis.is_better(
                score, best_score, self.direction
            ):
                best_row, best_score = row, score
        self.best_row = best_row
        self.model.set_frame(self.frame, best_row)
        self.apply_filters()
        self._fill_combos()
        hp_columns = analysis.hyperparameter_columns(self.frame)
        self.parallel.show_trials(self.frame, hp_columns, self.log_names)
        self.parallel.set_brush_axis(self.brush_combo.currentData())
        self._show_scatter()
        found = analysis.importance(self.frame, self.log_names)
        self.importance.show_importance(found)
        finished = (
            int((self.frame["status"] == TrialStatus.COMPLETED.value).sum())
            if len(self.frame)
            else 0
        )
        self.importance_note.setText(
            f"{analysis.IMPORTANCE_METHOD} Based on {finished} finished trial(s)"
            + ("" if found else "; at least 3 are needed.")
        )
        self.select_keys(selected or ([self._key(best_row)] if best_row is not None else []))

    def _fill_combos(self) -> None:
        hp_columns = analysis.hyperparameter_columns(self.frame)
        metrics = sorted(
            {
                k.removeprefix("val_")
                for h in self.histories.values()
                for k in h
                if k != "learning_rate"
            }
        )
        for combo, items in (
            (self.metric_combo, [(m, m) for m in metrics]),
            (
                self.brush_combo,
                [("none", None)]
                + [(c.removeprefix("hp:"), c) for c in hp_columns]
                + [("score", "score")],
            ),
            (self.scatter_combo, [(c.removeprefix("hp:"), c) for c in hp_columns]),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for text, data in items:
                combo.addItem(text, data)
            index = combo.findData(current)
            combo.setCurrentIndex(index if index >= 0 else 0)
            combo.blockSignals(False)
        self.curves.metric_name = self.metric_combo.currentData() or "loss"

    # ------------------------------------------------------------ filters and selection

    @Slot()
    def apply_filters(self) -> None:
        low, high = _number(self.score_min.text()), _number(self.score_max.text())
        score_range = (
            None
            if low is None and high is None
            else (low if low is not None else -1e300, high if high is not None else 1e300)
        )
        self.proxy.set_filters(self.status_filter.currentData(), score_range)
        self.count_label.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()} trials")

    @Slot(object)
    def _brushed(self, rows) -> None:
        self.proxy.set_filters(self.proxy.status, self.proxy.score_range, rows)
        self.count_label.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()} trials")

    def selected_rows(self) -> list[int]:
        rows = {
            self.proxy.mapToSource(index).row()
            for index in self.table.selectionModel().selectedRows()
        }
        return sorted(rows)

    def _key(self, row: int) -> tuple[str, str]:
        return self.frame.at[row, "run"], self.frame.at[row, "trial"]

    def selected_keys(self) -> list[tuple[str, str]]:
        return [self._key(row) for row in self.selected_rows()] if len(self.frame) else []

    def select_keys(self, keys: list[tuple[str, str]]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        for row in range(len(self.frame)):
            if self._key(row) in keys:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                if index.isValid():
                    selection.select(
                        index,
                        QItemSelectionModel.SelectionFlag.Select
                        | QItemSelectionModel.SelectionFlag.Rows,
                    )
        self._selection_changed()

    @Slot()
    def _selection_changed(self, *_) -> None:
        rows = self.selected_rows()
        self.curves.show_trials(
            [(row, self.histories.get(row, {}), row == self.best_row) for row in rows]
        )

    @Slot(str)
    def _metric_changed(self, _text: str) -> None:
        self.curves.metric_name = self.metric_combo.currentData() or "loss"
        self._selection_changed()

    @Slot()
    def _show_scatter(self) -> None:
        column = self.scatter_combo.currentData()
        if column and len(self.frame):
            self.scatter.show_values(
                self.frame, column, column.removeprefix("hp:") in self.log_names
            )

    # ------------------------------------------------------------ exports

    def export_csv(self, path: str | Path) -> None:
        rows = [
            self.proxy.mapToSource(self.proxy.index(r, 0)).row()
            for r in range(self.proxy.rowCount())
        ]
        self.frame.iloc[rows].rename(columns=lambda c: c.removeprefix("hp:")).to_csv(
            path, index=False
        )

    def plots_by_name(self) -> dict:
        return {
            "curves": self.curves,
            "parallel": self.parallel,
            "scatter": self.scatter,
            "importance": self.importance,
        }

    def export_plots(self, path: str | Path) -> list[Path]:
        """Each plot as `<stem>-<plot>.<png|svg>` beside `path`."""
        return save_plots(self.plots_by_name(), path)

    def _export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export trials", "trials.csv", "CSV (*.csv)")
        if path:
            self.export_csv(path)


class RunsView(QWidget):
    """Several searches of the project compared: best score, score spread, best curves."""

    runs_chosen = Signal(list)  # the runs whose trials the Trials view shows
    resume_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.runs = []
        self.table = QTableWidget(0, 9)
        self.table.setHorizontalHeaderLabels(
            [
                "Run",
                "Status",
                "Mode",
                "Tuner",
                "Architecture",
                "Trials",
                "Finished",
                "Best score",
                "Minutes",
            ]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._chosen)
        self.resume_button = QPushButton("Resume the selected interrupted search")
        self.resume_button.setEnabled(False)
        self.resume_button.clicked.connect(self._resume)
        self.scores = RunsPlot()
        self.best_curves = BestCurves()
        self.plots_button = save_plots_button(self, "runs", self.plots_by_name)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Select runs to compare their trials in the Trials tab."))
        buttons.addStretch(1)
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.plots_button)
        plots = QHBoxLayout()
        plots.addWidget(self.scores)
        plots.addWidget(self.best_curves)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addLayout(plots, 2)

    def load(self, runs: list, chosen: list[str] | None = None) -> None:
        self.runs = runs
        summaries = [analysis.run_summary(run) for run in runs]
        self.table.blockSignals(True)
        self.table.setRowCount(len(summaries))
        for row, s in enumerate(summaries):
            minutes = f"{s['duration_s'] / 60:.1f}" if s["duration_s"] else ""
            best = f"{s['best_score']:.4g}" if s["best_score"] is not None else "—"
            for col, text in enumerate(
                [
                    s["run"],
                    s["status"],
                    s["mode"],
                    s["tuner"],
                    s["template"],
                    str(s["trials"]),
                    str(s["completed"]),
                    best,
                    minutes,
                ]
            ):
                item = QTableWidgetItem(text)
                if s["status"] == "interrupted":
                    item.setToolTip("The process stopped mid-search; select it and press Resume.")
                self.table.setItem(row, col, item)
        chosen = chosen if chosen is not None else ([runs[-1].id] if runs else [])
        selection = self.table.selectionModel()
        selection.clearSelection()
        for row, run in enumerate(runs):
            if run.id in chosen:
                selection.select(
                    self.table.model().index(row, 0),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
        self.table.blockSignals(False)
        frame = analysis.trials_frame(runs)
        direction = analysis.direction_of(runs)
        self.scores.show_runs(frame, [r.id for r in runs], direction)
        histories = []
        for run in runs:
            best = run.state().get("best_trial_id")
            record = next((t for t in run.trials() if t.trial_id == best), None)
            if record:
                histories.append((run.id, record.history))
        self.best_curves.show_runs(histories)
        self._update_resume()

    def chosen_runs(self) -> list:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.runs[r] for r in rows]

    @Slot()
    def _chosen(self) -> None:
        self._update_resume()
        self.runs_chosen.emit(self.chosen_runs())

    def _update_resume(self) -> None:
        chosen = self.chosen_runs()
        self.resume_button.setEnabled(
            len(chosen) == 1 and chosen[0].state().get("status") == "interrupted"
        )

    def _resume(self) -> None:
        chosen = self.chosen_runs()
        if chosen:
            self.resume_requested.emit(str(chosen[0].path))

    def plots_by_name(self) -> dict:
        return {"scores": self.scores, "best-curves": self.best_curves}

    def export_plots(self, path: str | Path) -> list[Path]:
        return save_plots(self.plots_by_name(), path)


def _with_bar(plot, *widgets) -> QWidget:
    container = QWidget()
    layout = QVBoxLayout(container)
    bar = QHBoxLayout()
    for widget in widgets:
        bar.addWidget(widget)
    bar.addStretch(1)
    layout.addLayout(bar)
    layout.addWidget(plot, 1)
    return container


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
