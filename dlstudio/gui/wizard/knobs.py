"""The Model step's knobs: one widget per hyperparameter of a template's space (a spin box, a
list of values or a check box), what it is set to, and the signal it sends when changed."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox, QWidget

from dlstudio.core.wording import value_words


def knob_for(entry: dict, default) -> QWidget:
    """The widget that sets one hyperparameter of a search space's `entry`, showing `default`."""
    kind = entry["type"]
    if kind == "int":
        widget = QSpinBox()
        widget.setRange(int(entry["min"]), int(entry["max"]))
        widget.setValue(int(default))
    elif kind == "float":
        widget = QDoubleSpinBox()
        widget.setDecimals(5 if entry.get("log") else 2)
        widget.setRange(float(entry["min"]), float(entry["max"]))
        widget.setSingleStep(float(entry.get("step") or (entry["max"] - entry["min"]) / 10))
        widget.setValue(float(default))
    elif kind == "choice":
        widget = QComboBox()
        for value in entry["values"]:
            widget.addItem(value_words(value), value)
        widget.setCurrentIndex(max(0, widget.findData(default)))
    else:
        widget = QCheckBox()
        widget.setChecked(bool(default))
    return widget


def changed_signal(widget: QWidget):
    """The signal a knob sends when the user changes it."""
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QCheckBox):
        return widget.toggled
    return widget.valueChanged


def knob_value(widget: QWidget):
    """What a knob is set to."""
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    return widget.value()
