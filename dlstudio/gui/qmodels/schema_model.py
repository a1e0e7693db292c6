"""The inferred column roles as an editable table: change a role and the profile is redone."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from dlstudio.core.data import ColumnInfo, ColumnRole, DataProfile

HEADERS = ["Column", "Role", "Type", "Missing", "Distinct", "Why this role"]
ROLE_COLUMN = 1
ROLE_TIPS = {
    ColumnRole.NUMERIC: "A quantity: normalised and fed to the model as a number.",
    ColumnRole.CATEGORICAL: "A label from a fixed set: each value gets its own input.",
    ColumnRole.TEXT: "Free text: split into words and vectorised.",
    ColumnRole.DATETIME: "A date or time: split into year, month, weekday, hour.",
    ColumnRole.BOOLEAN: "Yes/no: fed to the model as 0 or 1.",
    ColumnRole.IDENTIFIER: "Unique per row (an id): left out, it cannot generalise.",
    ColumnRole.CONSTANT: "The same in every row: left out, it carries no information.",
    ColumnRole.WEIGHT: (
        "How much each row counts (a survey or sample weight): never an input. At most one "
        "column. Training, the search's choices and every score are weighted by it."
    ),
    ColumnRole.LEAVE_OUT: "Not used: left out of the inputs (it need not be an identifier).",
}
# Roles whose name already says the column is not an input: no "· left out" after them.
_SAYS_LEFT_OUT = {ColumnRole.LEAVE_OUT, ColumnRole.WEIGHT}


class SchemaModel(QAbstractTableModel):
    """One row per column of the table; the Role cell is editable."""

    role_changed = Signal(str, str)  # column name, new role value

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._columns: list[ColumnInfo] = []
        self._target: str | None = None
        self._features: set[str] = set()

    def set_profile(self, profile: DataProfile) -> None:
        self.beginResetModel()
        self._columns = list(profile.columns)
        self._target = profile.target
        self._features = set(profile.features)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def flags(self, index):
        base = super().flags(index)
        if index.column() == ROLE_COLUMN and self._columns[index.row()].name != self._target:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        info = self._columns[index.row()]
        is_target = info.name == self._target
        used = is_target or info.name in self._features
        if role == Qt.ItemDataRole.DisplayRole:
            return [
                info.name,
                info.role.value + _suffix(info.role, is_target, used),
                info.dtype,
                str(info.missing),
                str(info.distinct),
                info.reason,
            ][index.column()]
        if role == Qt.ItemDataRole.EditRole and index.column() == ROLE_COLUMN:
            return info.role.value
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == ROLE_COLUMN:
                return ROLE_TIPS[info.role] + ("" if is_target else "\nDouble-click to change it.")
            return info.reason
        if role == Qt.ItemDataRole.ForegroundRole and not used:
            return QColor(140, 140, 140)
        if role == Qt.ItemDataRole.FontRole and is_target:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != ROLE_COLUMN:
            return False
        info = self._columns[index.row()]
        if value == info.role.value:
            return False
        self.role_changed.emit(info.name, str(value))
        return True


def _suffix(role: ColumnRole, is_target: bool, used: bool) -> str:
    """What follows the role in the Role cell: the target, or a column that is not an input."""
    if is_target:
        return " · target"
    return "" if used or role in _SAYS_LEFT_OUT else " · left out"
