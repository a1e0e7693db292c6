"""The Results step's body for a task family, looked up by its record (core/families.py:
`results_view`, a "module:Class" of a QWidget with `set_run(run)`), and the view of a family
that names none: its test metrics beside its baseline's, read from evaluation.json's common
header ("metrics", "baseline"). No Keras here.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core.families import Family, resolve
from dlstudio.core.wording import metric_label, metric_value
from dlstudio.gui.widgets import boxed


def family_view(family: Family) -> QWidget:
    """A new results view for `family`: the one its record names, else `EvaluationView`."""
    return resolve(family.results_view)() if family.results_view else EvaluationView()


class EvaluationView(QWidget):
    """The test metrics of a run beside its baseline's, for a family without a view of its own."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Measure", "Model", "Baseline"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.addWidget(boxed("On the test part (never seen while training)", self.table), 1)

    def set_run(self, run) -> None:
        evaluation = run.evaluation() or {}
        metrics = evaluation.get("metrics") or {}
        baseline = evaluation.get("baseline") or {}
        numbers = {k: v for k, v in metrics.items() if isinstance(v, int | float)}
        self.table.setRowCount(len(numbers))
        for row, (name, value) in enumerate(numbers.items()):
            reference = baseline.get(name)
            cells = (
                metric_label(name),
                metric_value(name, value),
                "" if reference is None else metric_value(name, reference),
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
