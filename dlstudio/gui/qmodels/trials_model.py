"""Trials as a sortable, filterable table: one row per trial, one column per hyperparameter.

The first column carries each trial's colour, the same as its curves in the overlay plot.
Headers and cells are in plain words (dlstudio.core.wording): the score column is named after
the objective with which way is better, statuses and hyperparameters are spelled out; sorting
and filtering still use the raw values.
"""

from __future__ import annotations

import math

import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from dlstudio.core import wording
from dlstudio.gui.colours import colour

HEADERS = {
    "run": "Run",
    "trial": "Trial",
    "status": "Status",
    "score": "Score",
    "duration_s": "Seconds",
    "epochs": "Epochs",
    "parameters": "Parameters",
}
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def trial_colour(row: int) -> QColor:
    return colour(row)


class TrialsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.frame = pd.DataFrame()
        self.best_row: int | None = None
        self.objective: str | None = None
        self.run_names: dict[str, str] = {}

    def set_frame(
        self,
        frame: pd.DataFrame,
        best_row: int | None,
        objective: str | None = None,
        run_names: dict[str, str] | None = None,
    ) -> None:
        """`objective`: the metric the score is (names the column, formats its values);
        `run_names`: run id -> the name shown in the Run column."""
        self.beginResetModel()
        self.frame = frame.reset_index(drop=True)
        self.best_row = best_row
        self.objective = objective
        self.run_names = dict(run_names or {})
        self.endResetModel()

    def header_text(self, column: str) -> str:
        if column == "score" and self.objective:
            return wording.metric_label(self.objective)
        if column.startswith("hp:"):
            return wording.hyperparameter_name(column.removeprefix("hp:"))
        return HEADERS.get(column, column)

    def cell_text(self, column: str, value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        if column == "status":
            return wording.trial_status(str(value))
        if column == "score" and self.objective:
            return wording.metric_value(self.objective, float(value))
        if column == "run":
            return self.run_names.get(str(value), str(value))
        if column == "trial":  # keras-tuner's "00", "01"…: people count from 1
            return str(int(value) + 1) if str(value).isdigit() else str(value)
        if column.startswith("hp:"):
            return wording.value_words(value)
        return _shown(value)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.frame.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or section >= len(self.frame.columns):
            return None
        name = str(self.frame.columns[section])
        if role == Qt.ItemDataRole.DisplayRole:
            return self.header_text(name)
        if role == Qt.ItemDataRole.ToolTipRole and name.startswith("hp:"):
            return f"{self.header_text(name)} (named {name.removeprefix('hp:')} in exports)"
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self.frame.iat[index.row(), index.column()]
        if role == SORT_ROLE:
            return _sortable(value)
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(str(self.frame.columns[index.column()]), value)
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return trial_colour(index.row())
        if role == Qt.ItemDataRole.FontRole and index.row() == self.best_row:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            column = str(self.frame.columns[index.column()])
            if column == "run" and str(value) in self.run_names:
                return f"Run {value}"
            if index.row() == self.best_row:
                return "The best finished trial"
        return None


class TrialsFilter(QSortFilterProxyModel):
    """Keeps rows by status, score range and the brushed parallel-coordinates range."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.status: str | None = None
        self.score_range: tuple[float, float] | None = None
        self.allowed_rows: set[int] | None = None  # from brushing

    def set_filters(self, status=None, score_range=None, allowed_rows=...) -> None:
        modern = hasattr(self, "beginFilterChange")  # Qt 6.9+; invalidateFilter is deprecated there
        if modern:
            self.beginFilterChange()
        self.status = status
        self.score_range = score_range
        if allowed_rows is not ...:
            self.allowed_rows = allowed_rows
        if modern:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent) -> bool:
        frame = self.sourceModel().frame
        if frame.empty:
            return False
        if self.status and frame.at[row, "status"] != self.status:
            return False
        if self.score_range is not None:
            score = frame.at[row, "score"]
            if (
                score is None
                or pd.isna(score)
                or not self.score_range[0] <= score <= self.score_range[1]
            ):
                return False
        return self.allowed_rows is None or row in self.allowed_rows


def _shown(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _sortable(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return float("inf")
    return value if isinstance(value, (int, float)) else str(value)
