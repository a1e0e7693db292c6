"""The colours that key trials and classes across the app's plots and tables."""

from __future__ import annotations

from PySide6.QtGui import QColor

PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
]


def colour(index: int) -> QColor:
    return QColor(PALETTE[index % len(PALETTE)])
