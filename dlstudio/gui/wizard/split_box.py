"""The Data step's split: the shares of rows to learn from, to pick the best epoch with and to
test on, and whether rows are split at random or in time order."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

from dlstudio.core.config import SplitSpec
from dlstudio.core.data import ColumnRole, DataProfile, WarningKind


class SplitBox(QWidget):
    """Three percentages and the order; `changed` when the user edits them (not when a kept
    split is shown)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating = False
        self.spins = [_percent(v) for v in (70, 15, 15)]
        self.order = QComboBox()
        self.order.setToolTip(
            "Random (stratified by class) for most data; in time order when "
            "the model must predict the future from the past."
        )
        row = QHBoxLayout(self)
        for label, spin in zip(("Train", "Validation", "Test"), self.spins, strict=True):
            row.addWidget(QLabel(label))
            row.addWidget(spin)
        row.addWidget(self.order, 1)
        for spin in self.spins:
            spin.valueChanged.connect(self._edited)
        self.order.currentIndexChanged.connect(self._edited)

    def _edited(self, *_) -> None:
        if not self._updating:
            self.changed.emit()

    def fill_order(self, profile: DataProfile) -> None:
        """The orders this data allows: random, or in time order by each date column (chosen
        when the data asks for it)."""
        self._updating = True
        self.order.clear()
        self.order.addItem(
            "random, stratified by class"
            if profile.task and profile.task.is_classification
            else "random",
            None,
        )
        for column in profile.columns:
            if column.role is ColumnRole.DATETIME:
                self.order.addItem(f"in time order by {column.name}", column.name)
        if profile.warnings_of(WarningKind.TIME_ORDER) and self.order.count() > 1:
            self.order.setCurrentIndex(1)  # the data asked for it
        self._updating = False

    def split(self, base: SplitSpec) -> SplitSpec:
        """`base` (its seed and stratification kept) with the ratios (normalised to sum to 1)
        and order shown."""
        values = [spin.value() for spin in self.spins]
        total = sum(values) or 1
        train, validation, test = (v / total for v in values)
        return replace(
            base,
            train=train,
            validation=validation,
            test=test,
            time_column=self.order.currentData(),
        )

    def show_split(self, split: SplitSpec) -> None:
        """Show a kept split; a time column the data no longer has falls back to random."""
        self._updating = True
        total = (split.train + split.validation + split.test) or 1
        for spin, share in zip(
            self.spins, (split.train, split.validation, split.test), strict=True
        ):
            spin.setValue(round(100 * share / total))
        index = self.order.findData(split.time_column) if split.time_column else 0
        self.order.setCurrentIndex(max(index, 0))
        self._updating = False


def _percent(value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, 100)
    spin.setValue(value)
    spin.setSuffix(" %")
    return spin
