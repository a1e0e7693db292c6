"""The Results step: how the best model did on the test split, in numbers and pictures."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core.families import SUPERVISED, families, family_for_task
from dlstudio.core.run_names import display_name
from dlstudio.core.wording import metric_label, metric_value, run_status
from dlstudio.gui.plots.export import save_plots_button
from dlstudio.gui.plots.results import ConfusionMatrixPlot, RocPlot, ScatterPlot
from dlstudio.gui.widgets import boxed
from dlstudio.gui.wizard.compare_view import RunsView, TrialsView
from dlstudio.gui.wizard.family_view import family_view
from dlstudio.gui.wizard.mistakes import MistakesView
from dlstudio.gui.wizard.model_choice_row import ModelChoiceRow
from dlstudio.gui.wizard.results_summary import (
    QUIET,
    metric_table,
    series_title_html,
    title_html,
)
from dlstudio.gui.wizard.threshold import ThresholdView
from dlstudio.gui.wizard.try_it import TryItPanel

# Tasks whose runs the Best model tab shows in a view of their own (no confusion matrix, no
# test-row mistakes, no "Try it" form: their models read a history or windows of readings).


class ResultsPage(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.run = None
        self._stale = False  # trials ended while the page was hidden
        self._pending = None  # (runs, run in focus) to show once the page is
        # What a hidden tab will show once it is picked (see _when_shown).
        self._deferred: dict[QWidget, Callable[[], None]] = {}
        self.title = QLabel("Train a model to see its results here.")
        self.title.setWordWrap(True)
        self.metrics = _table(["Measure", "This model", "Always guessing"])
        self.per_class = _table(["Class", "Precision", "Recall", "F1", "Test rows"])
        self.per_class.setToolTip(
            "Precision: of the rows labelled with this class, the share that truly are.\n"
            "Recall: of the rows that truly are this class, the share labelled so.\n"
            "F1: one number balancing the two. Higher is better for all three."
        )
        self.confusion = ConfusionMatrixPlot()
        self.roc = RocPlot()
        self.scatter = ScatterPlot()
        left = QVBoxLayout()
        left.addWidget(boxed("On the test rows (never seen while training)", self.metrics))
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
        tables = QWidget()
        tables.setLayout(body)
        self.body = QStackedWidget()
        self.body.addWidget(tables)
        # The other families' views (family_view.py), made when a run of theirs is first shown.
        self.family_views: dict[str, QWidget] = {}
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
                        *(
                            (getattr(view, "plot_name", family), view.plot)
                            for family, view in self.family_views.items()
                            if getattr(view, "plot", None) is not None
                        ),
                    )
                    if plot.isVisible()
                },
            )
        )
        best_layout.addLayout(title_row)
        # "Use gradient boosting (classical)", when the classical model validated better.
        self.model_choice = ModelChoiceRow()
        best_layout.addWidget(self.model_choice)
        best_layout.addWidget(self.body, 1)
        self.trials_view = TrialsView()
        self.runs_view = RunsView()
        self.runs_view.runs_chosen.connect(self._runs_chosen)
        self.tabs = QTabWidget()
        self.tabs.addTab(best, "Best model")
        self.tabs.addTab(self.trials_view, "Trials")
        self.tabs.addTab(self.runs_view, "Runs")
        self.mistakes = MistakesView()
        self.threshold = ThresholdView()
        self.tabs.addTab(self.mistakes, "Mistakes")
        self.tabs.addTab(self.threshold, "Threshold")
        self.try_it = TryItPanel()  # loads the model in its own process when first shown
        self.tabs.addTab(self.try_it, "Try it")
        self.tabs.setTabVisible(self.tabs.indexOf(self.threshold), False)  # two-class runs only
        self.tabs.currentChanged.connect(self._tab_shown)
        self.confusion.cell_clicked.connect(self._open_mistakes)
        self.threshold.threshold_saved.connect(self.try_it.reload_model)
        self.model_choice.changed.connect(self.try_it.reload_model)  # Try it follows the choice
        self.confusion.setToolTip(
            f"{self.confusion.toolTip()} Click a cell to see its test examples (Mistakes tab)."
        )
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

    def _when_shown(self, tab: QWidget, fill: Callable[[], None]) -> None:
        """Fill `tab` now if it is the one on show, else when it is picked: plotting every
        trial's parallel coordinates or reading every test prediction for tabs nobody looks
        at held the GUI thread 100–200 ms each time a run ended (bench/gui_visit.py)."""
        if self.tabs.currentWidget() is tab:
            self._deferred.pop(tab, None)
            fill()
        else:
            self._deferred[tab] = fill  # the latest wins

    def _fill_deferred(self, tab: QWidget) -> None:
        fill = self._deferred.pop(tab, None)
        if fill is not None:
            fill()

    @Slot(int)
    def _tab_shown(self, index: int) -> None:
        self._fill_deferred(self.tabs.widget(index))

    @Slot(list)
    def _runs_chosen(self, runs: list) -> None:
        self._when_shown(self.trials_view, lambda: self.trials_view.load(runs))

    def _load(self, runs: list, current) -> None:
        self.runs_view.load(runs, [current.id] if current else [])
        chosen = [current] if current else []
        self._when_shown(self.trials_view, lambda: self.trials_view.load(chosen))
        if current is not None and current.evaluation():
            self.show_run(current)
        else:
            self.clear_run()

    def clear_run(self) -> None:
        """No evaluated run in focus (a new project, or its run is still training): nothing of
        another run stays on show."""
        self.run = None
        self._show_outcomes(None)
        self.model_choice.set_run(None)
        self.body.setCurrentIndex(0)
        self.title.setText("Train a model to see its results here.")
        for table in (self.metrics, self.per_class):
            table.setRowCount(0)
        for plot in (self.confusion, self.roc, self.scatter):
            plot.hide()

    def refresh(self) -> None:
        """Re-read the run folders (a trial has ended)."""
        if not self.isVisible():
            self._stale = self._pending is None  # a pending load reads the folders anyway
            return
        self._stale = False
        chosen = [run.id for run in self.runs_view.chosen_runs()]
        self.runs_view.load(self.runs_view.runs, chosen)
        runs = self.runs_view.chosen_runs()
        self._when_shown(self.trials_view, lambda: self.trials_view.load(runs))

    def _show_outcomes(self, run) -> None:
        """The Mistakes and (two-class runs only) Threshold tabs of `run`."""
        self._when_shown(self.mistakes, lambda: self.mistakes.set_run(run))
        self._when_shown(self.threshold, lambda: self.threshold.set_run(run))
        card = (run.card() or {}) if run is not None else {}
        self.tabs.setTabVisible(self.tabs.indexOf(self.threshold), card.get("task") == "binary")
        supervised = family_for_task(card.get("task")) is SUPERVISED
        for tab in (self.mistakes, self.try_it):
            self.tabs.setTabVisible(self.tabs.indexOf(tab), supervised)

    @Slot(int, int)
    def _open_mistakes(self, true: int, predicted: int) -> None:
        names = (self.run.evaluation() or {}).get("class_names", []) if self.run else []
        if true < len(names) and predicted < len(names):
            self._fill_deferred(self.mistakes)
            self.mistakes.show_cell(str(names[true]), str(names[predicted]))
            self.tabs.setCurrentWidget(self.mistakes)

    def show_run(self, run) -> None:
        """Show a finished run folder's evaluation.json; another run than the one on show opens
        on its verdict (the "Best model" tab), not on whichever tab was looked at last."""
        if self.run is None or Path(self.run.path) != Path(run.path):
            self.tabs.setCurrentIndex(0)
        self.run = run
        self._show_outcomes(run)
        evaluation = run.evaluation() or {}
        state = run.state()
        card = run.card() or {}
        family = family_for_task(evaluation.get("task"))
        if family is not SUPERVISED:
            self.try_it.set_run(None)
            self.model_choice.set_run(None)
            self._show_family_run(family, run, evaluation, state, card)
            return
        self.try_it.set_run(run)
        self.model_choice.set_run(run.path)
        self.body.setCurrentIndex(0)
        self.title.setTextFormat(Qt.TextFormat.RichText)  # escaped in title_html
        self.title.setText(title_html(run, evaluation, state, card) + standing_html(run))
        headers, rows, tips, best = metric_table(evaluation)
        self.metrics.setColumnCount(len(headers))
        self.metrics.setHorizontalHeaderLabels(headers)
        _fill(self.metrics, rows)
        self.metrics.resizeRowsToContents()
        for r, (tip, column) in enumerate(zip(tips, best, strict=True)):
            self.metrics.item(r, 0).setToolTip(tip)
            if column > 0:  # the best value of the row stands out
                font = self.metrics.item(r, column).font()
                font.setBold(True)
                self.metrics.item(r, column).setFont(font)
        baseline = evaluation.get("baseline", {})
        if baseline.get("name"):
            self.metrics.setToolTip(
                f"The guess that learned nothing: {baseline['name']}. The best value of each "
                "row is in bold."
            )
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
                        metric_value("precision", r["precision"]),
                        metric_value("recall", r["recall"]),
                        metric_value("f1_macro", r["f1"]),
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

    def _show_family_run(self, family, run, evaluation: dict, state: dict, card: dict) -> None:
        self.title.setTextFormat(Qt.TextFormat.RichText)  # escaped in series_title_html
        self.title.setText(series_title_html(run, evaluation, state, card) + standing_html(run))
        view = self.family_view(family.name)
        view.set_run(run)
        self.body.setCurrentWidget(view)

    def family_view(self, name: str) -> QWidget:
        """The Results body of the family called `name`, made the first time it is needed."""
        if name not in self.family_views:
            view = family_view(next(f for f in families() if f.name == name))
            if hasattr(view, "threshold_kept"):  # a view whose changes alter the verdict
                view.threshold_kept.connect(self._threshold_kept)
            self.family_views[name] = view
            self.body.addWidget(view)
        return self.family_views[name]

    @property
    def forecast_view(self):
        return self.family_view("forecast")

    @property
    def anomaly_view(self):
        return self.family_view("anomaly")

    @Slot(float)
    def _threshold_kept(self, _value: float) -> None:
        """The run's verdict and counts changed with its threshold: its title says them anew."""
        if self.run is not None:
            evaluation = self.run.evaluation() or {}
            card = self.run.card() or {}
            title = series_title_html(self.run, evaluation, self.run.state(), card)
            self.title.setText(title + standing_html(self.run))


def standing_html(run) -> str:
    """Which of its project's models `run` is, as a line for the title: "Best of the
    project's 3 runs by validation loss (lower is better): 0.412. The latest, run … (stopped
    by you), scored 0.530."; "" when the project has no other model to compare it with."""
    from dlstudio.core.project import Project, best_run, comparable_runs

    path = Path(run.path)
    objective, scored = comparable_runs(Project(path.parents[1]).runs())
    if objective is None or len(scored) < 2:
        return ""
    scores = {Path(r.path): score for r, score in scored}
    best = best_run([r for r, _ in scored])
    latest, latest_score = scored[-1]
    label = metric_label(objective)
    label = label[0].lower() + label[1:]

    def value(score: float) -> str:
        return metric_value(objective, score)

    def named(other) -> str:
        status = run_status(other.state().get("status") or "completed")
        return f"run {display_name(other.path)} ({status})"

    if path not in scores:
        text = f"Not ranked with the project's other runs, which were scored by {label}."
    elif Path(best.path) == path:
        text = f"Best of the project's {len(scored)} runs by {label}: {value(scores[path])}."
        if Path(latest.path) != path:
            text += f" The latest, {named(latest)}, scored {value(latest_score)}."
    else:
        text = (
            f"Not the project's best by {label} ({value(scores[path])}): "
            f"{named(best)} scored {value(scores[Path(best.path)])}."
        )
    return f"<br><span style='color:{QUIET}'>{html.escape(text, quote=False)}</span>"


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
