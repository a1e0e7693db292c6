"""Small widget helpers shared by the pages."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget


def boxed(title: str, widget: QWidget) -> QGroupBox:
    """`widget` inside a titled group box with tight margins."""
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.addWidget(widget)
    return box
