"""The Results step's comparison views: every trial of the chosen runs, and runs side by side.

They read the run folders (trials.jsonl, state.json), so they show the same after a restart,
and they are refreshed while a search runs, each time a trial ends.

Trials that differ in their loss (a forecast's or a regression's `loss` hyperparameter: MSE is in
squared units, MAE in the target's) are compared by their mean absolute error, which every one
of them reports, or by the run's objective; their losses are drawn together only where they are
of one kind, and a note says which trials were left out and why.
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
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core import analysis, wording
from dlstudio.core.errors import DlstudioError
from dlstudio.core.events import TrialStatus
from dlstudio.core.run_names import display_name, run_name, set_run_name, short_name
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
        self.objective = "val_loss"
        self.log_names: set[str] = set()

        self.status_filter = QComboBox()
        self.status_filter.addItem("all statuses", None)
        for status in TrialStatus:
            if status is not TrialStatus.RUNNING:
                self.status_filter.addItem(wording.trial_status(status.value), status.value)
        self.score_min = QLineEdit()
        self.score_max = QLineEdit()
        for edit, text in ((self.score_min, "lowest"), (self.score_max, "highest")):
            edit.setPlaceholderText(text)
            edit.setMaximumWidth(90)
            edit.editingFinished.connect(self.apply_filters)
        self.status_filter.currentIndexChanged.connect(self.apply_filters)
        self.csv_button = QPushButton("Export table (CSV)…")
        self.csv_button.clicked.connect(self._export_csv)
        self.plots_button = save_plots_button(self, "trials", self.plots_by_name)
        self.count_label = QLabel()
        self.score_label = QLabel("score from")
        controls = QHBoxLayout()
        for widget in (
            QLabel("Show"),
            self.status_filter,
            self.score_label,
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
        self._metric_picked = False  # by the user: kept; otherwise the default follows the data
        # Why some selected trials have no curve (their loss is of another kind).
        self.curves_note = QLabel()
        self.curves_note.setWordWrap(True)
        self.curves_note.setTextFormat(Qt.TextFormat.PlainText)
        self.curves_note.hide()
        self.parallel = ParallelCoordinates()
        self.parallel.brushed.connect(self._brushed)
        self.brush_combo = QComboBox()
        self.brush_combo.currentIndexChanged.connect(
            lambda _: self.parallel.set_brush_axis(self.brush_combo.currentData())
        )
        self.scatter = HyperparameterScatter()
        self.scatter_combo = QComboBox()
        self.scatter_combo.currentIndexChanged.connect(self._show_scatter)
        # Filled after the view is first shown: a combo that sized itself then (Qt's default)
        # stays as narrow as it was empty and clips "Learning rate" to "Learni".
        for combo in (self.status_filter, self.metric_combo, self.brush_combo, self.scatter_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.importance = ImportanceBars()
        self.importance_note = QLabel(analysis.IMPORTANCE_METHOD)
        self.importance_note.setWordWrap(True)
        self.importance_note.setTextFormat(Qt.TextFormat.PlainText)

        self.plots = QTabWidget()
        curves_tab = _with_bar(self.curves, QLabel("Curve:"), self.metric_combo)
        curves_tab.layout().insertWidget(1, self.curves_note)
        self.plots.addTab(curves_tab, "Learning curves")
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
        layout.addStretch(0)
        self.plots.addTab(importance, "Importance")
        # Plots of hidden sub-tabs are drawn when picked: parallel coordinates alone held the
        # GUI thread ~85 ms per load (bench/gui_visit.py). Index: what draws that tab.
        self._drawers = {1: self._show_parallel, 2: self._show_scatter, 3: self._show_importance}
        self._stale: set[int] = set()
        self.plots.currentChanged.connect(self._draw_tab)

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
        self.objective = analysis.objective_of_runs(runs)
        self.score_label.setText(f"{wording.metric_name(self.objective)} from")
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
        names = {run.id: name for run in runs if (name := run_name(run.path))}
        self.model.set_frame(self.frame, best_row, self.objective, names)
        self.apply_filters()
        self._fill_combos()
        self._stale = set(self._drawers)
        self._draw_tab(self.plots.currentIndex())
        self.select_keys(selected or ([self._key(best_row)] if best_row is not None else []))

    @Slot(int)
    def _draw_tab(self, index: int) -> None:
        if index in self._stale:
            self._stale.discard(index)
            self._drawers[index]()

    def _show_parallel(self) -> None:
        hp_columns = analysis.hyperparameter_columns(self.frame)
        self.parallel.show_trials(self.frame, hp_columns, self.log_names, self.objective)
        self.parallel.set_brush_axis(self.brush_combo.currentData())

    def _show_importance(self) -> None:
        """Bars with whiskers from enough trials; otherwise no chart, a sentence saying why."""
        shortfall = analysis.importance_shortfall(self.frame, runs=len(self.runs))
        found = {} if shortfall else analysis.importance_interval(self.frame, self.log_names)
        self.importance.show_importance(found)
        self.importance.setVisible(bool(found))
        finished = len(analysis.finished_trials(self.frame))
        self.importance_note.setText(
            shortfall or f"{analysis.IMPORTANCE_METHOD} Based on {finished} finished trials."
        )

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
            (self.metric_combo, [(wording.metric_name(m), m) for m in metrics]),
            (
                self.brush_combo,
                [("none", None)]
                + [(_hp_words(c), c) for c in hp_columns]
                + [(wording.metric_name(self.objective), "score")],
            ),
            (self.scatter_combo, [(_hp_words(c), c) for c in hp_columns]),
        ):
            wanted = [combo.currentData()]
            if combo is self.metric_combo:
                # The user's pick while these runs have it; else the default for their trials.
                wanted = [wanted[0] if self._metric_picked else None, self._default_curve(metrics)]
            combo.blockSignals(True)
            combo.clear()
            for text, data in items:
                combo.addItem(text, data)
            found = [combo.findData(data) for data in wanted if data is not None]
            combo.setCurrentIndex(next((index for index in found if index >= 0), 0))
            combo.blockSignals(False)
        self.curves.metric_name = self.metric_combo.currentData() or "loss"

    def _default_curve(self, metrics: list[str]) -> str | None:
        """The curve shown until the user picks one: where trials differ in their loss, the
        run's objective (validation MAE for forecasts) or else the MAE, which every trial
        reports in the target's units; otherwise None, the first of the list."""
        if not self._losses_differ():
            return None
        objective = self.objective.removeprefix("val_")
        for name in (objective, "mae"):
            if name in metrics and name != "loss":
                return name
        return None

    def _loss_of(self, row: int | None) -> str | None:
        """The loss trial `row` trained with ("mse", "mae"), None when it is not a setting."""
        if row is None or "hp:loss" not in self.frame:
            return None
        value = self.frame.at[row, "hp:loss"]
        return value if isinstance(value, str) else None

    def _losses_differ(self) -> bool:
        return "hp:loss" in self.frame and self.frame["hp:loss"].dropna().nunique() > 1

    def _sharing_one_loss(self, rows: list[int]) -> tuple[list[int], str | None, str]:
        """The rows whose loss curves can share the axis: where the trials differ in their
        loss and the curve is the loss, those trained with the best trial's loss (or the first
        selected one's), with a note on the others; else all of them, and no note."""
        if self.curves.metric_name != "loss" or not self._losses_differ():
            return rows, None, ""
        whose = "the best trial's loss"
        loss = self._loss_of(self.best_row)
        if loss is None:
            loss = next((found for row in rows if (found := self._loss_of(row))), None)
            whose = "the first selected trial's loss"
        kept = [row for row in rows if self._loss_of(row) == loss]
        left = len(rows) - len(kept)
        if not left or loss is None:
            return kept, loss, ""
        others = sorted({self._loss_of(row) for row in rows if row not in kept} - {None})
        named = " or ".join(wording.hyperparameter_value("loss", n) for n in others)
        scale = "in squared units" if others == ["mse"] else "on another scale"
        note = (
            f"{left} of the {len(rows)} selected trials {'is' if left == 1 else 'are'} left "
            f"out: {'it was' if left == 1 else 'they were'} trained with "
            f"{named or 'another loss'}, a loss {scale} that does not compare with "
            f"{wording.hyperparameter_value('loss', loss)}, {whose}."
        )
        metrics = [self.metric_combo.itemData(i) for i in range(self.metric_combo.count())]
        instead = self._default_curve(metrics)
        if instead:
            note += f" Pick “{wording.metric_name(instead)}” to compare every trial."
        return kept, loss, note

    # ------------------------------------------------------------ filters and selection

    @Slot()
    def apply_filters(self) -> None:
        low, high = _number(self.score_min.text()), _number(self.score_max.text())
        if wording.is_share(self.objective):  # "80" or "80 %" typed for a share means 0.8
            low, high = (v / 100 if v is not None and abs(v) > 1 else v for v in (low, high))
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
        rows, loss, note = self._sharing_one_loss(self.selected_rows())
        self.curves_note.setText(note)
        self.curves_note.setVisible(bool(note))
        self.curves.show_trials(
            [(row, self.histories.get(row, {}), row == self.best_row) for row in rows], loss
        )

    @Slot(str)
    def _metric_changed(self, _text: str) -> None:
        self._metric_picked = True
        self.curves.metric_name = self.metric_combo.currentData() or "loss"
        self._selection_changed()

    @Slot()
    def _show_scatter(self) -> None:
        column = self.scatter_combo.currentData()
        if column and len(self.frame):
            self.scatter.show_values(
                self.frame, column, column.removeprefix("hp:") in self.log_names, self.objective
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
        for index in sorted(self._stale):  # saved plots show everything, hidden or not
            self._draw_tab(index)
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
                "Kind",
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
        self.table.cellDoubleClicked.connect(lambda row, _col: self.ask_name(row))
        self.rename_button = QPushButton("Rename…")
        self.rename_button.setToolTip("Give the selected run a name (double-click a run too).")
        self.rename_button.setEnabled(False)
        self.rename_button.clicked.connect(lambda: self.ask_name())
        self.resume_button = QPushButton("Resume the selected run")
        self.resume_button.setEnabled(False)
        self.resume_button.clicked.connect(self._resume)
        self.scores = RunsPlot()
        self.best_curves = BestCurves()
        self.plots_button = save_plots_button(self, "runs", self.plots_by_name)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("Select runs to compare their trials in the Trials tab."))
        buttons.addStretch(1)
        buttons.addWidget(self.rename_button)
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
            best = (
                f"{wording.metric_value(s['objective'], s['best_score'])} "
                f"({wording.metric_name(s['objective']).lower()})"
                if s["best_score"] is not None
                else "—"
            )
            for col, text in enumerate(
                [
                    display_name(runs[row].path),
                    wording.run_status(s["status"]),
                    "one model" if s["mode"] == "train" else "search",
                    wording.tuner_name(s["tuner"]) if s["tuner"] != "—" else "—",
                    wording.template_name(s["template"]),
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
        names = [short_name(r.path) for r in runs]
        objective = analysis.objective_of_runs(runs)
        self.scores.show_runs(frame, [r.id for r in runs], direction, names, objective)
        histories = []
        for run, name in zip(runs, names, strict=True):
            best = run.state().get("best_trial_id")
            record = next((t for t in run.trials() if t.trial_id == best), None)
            if record:
                histories.append((name, record.history))
        self.best_curves.show_runs(histories)
        self.rename_button.setEnabled(len(self.chosen_runs()) == 1)
        self._update_resume()

    def chosen_runs(self) -> list:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.runs[r] for r in rows]

    @Slot()
    def _chosen(self) -> None:
        self.rename_button.setEnabled(len(self.chosen_runs()) == 1)
        self._update_resume()
        self.runs_chosen.emit(self.chosen_runs())

    def _update_resume(self) -> None:
        """A run stopped by the user or interrupted (the app or the computer went away) goes
        on where it stopped: finished trials are kept, the stopped one runs again."""
        chosen = self.chosen_runs()
        status = chosen[0].state().get("status") if len(chosen) == 1 else None
        resumable = status in ("interrupted", "cancelled")
        self.resume_button.setEnabled(resumable)
        self.resume_button.setToolTip(
            "Go on where the run stopped: its finished trials are kept, the trial that was "
            "stopped runs again, and the search continues."
            if resumable
            else "Select one run that was stopped or interrupted to go on with it."
        )

    def _resume(self) -> None:
        chosen = self.chosen_runs()
        if chosen:
            self.resume_requested.emit(str(chosen[0].path))

    def ask_name(self, row: int | None = None) -> None:
        """Ask for a new name for the run in `row` (default: the one selected)."""
        if row is None:
            chosen = self.chosen_runs()
            if len(chosen) != 1:
                return
            row = self.runs.index(chosen[0])
        run = self.runs[row]
        name, ok = QInputDialog.getText(
            self,
            "Rename run",
            f"A name for run {run.id} (leave empty to show its id only):",
            text=run_name(run.path) or "",
        )
        if ok:
            self.rename(row, name)

    def rename(self, row: int, name: str) -> None:
        """Store `name` for the run in `row` and show it everywhere it appears."""
        run = self.runs[row]
        try:
            set_run_name(run.path, name)
        except DlstudioError as error:
            QMessageBox.warning(self, "The run could not be renamed", str(error))
            return
        chosen = [r.id for r in self.chosen_runs()]
        self.load(self.runs, chosen)
        self.runs_chosen.emit(self.chosen_runs())  # the Trials tab shows the new name too

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
        return float(text.replace("%", "").strip())
    except ValueError:
        return None


def _hp_words(column: str) -> str:
    return wording.hyperparameter_name(column.removeprefix("hp:"))
