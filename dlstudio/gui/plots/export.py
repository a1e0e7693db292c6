"""Saving any plot as PNG or SVG, and a button that asks where."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from dlstudio.gui.plots import pg as _configured  # noqa: F401


def save_plot(plot: pg.PlotWidget, path: str | Path) -> Path:
    """Write a plot as PNG or SVG, by the file's extension."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        try:
            pg.exporters.SVGExporter(plot.plotItem).export(str(path))
        except ValueError:
            # pyqtgraph 0.14's SVG exporter cannot parse the path data newer Qt writes
            # (pyqtgraph issue #3485); Qt's own SVG generator renders the same plot as vectors.
            _render_svg(plot, path)
        return path
    else:
        path = path.with_suffix(".png") if path.suffix.lower() != ".png" else path
        exporter = pg.exporters.ImageExporter(plot.plotItem)
        exporter.parameters()["width"] = max(800, int(plot.width()))
    exporter.export(str(path))
    return path


def _render_svg(widget, path: Path) -> None:
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(widget.size())
    generator.setViewBox(widget.rect())
    generator.setTitle(widget.plotItem.titleLabel.text or "dlstudio plot")
    painter = QPainter(generator)
    widget.render(painter)
    painter.end()


def save_plots(plots: dict[str, pg.PlotWidget], path: str | Path) -> list[Path]:
    """Each plot as `<stem>-<name>.<png|svg>` beside `path`."""
    path = Path(path)
    return [
        save_plot(plot, path.with_name(f"{path.stem}-{name}{path.suffix or '.png'}"))
        for name, plot in plots.items()
    ]


def save_plots_button(parent: QWidget, stem: str, plots) -> QPushButton:
    """A "Save plots…" button; `plots` is a callable returning {name: plot} at click time."""
    button = QPushButton("Save plots (PNG or SVG)…")

    def ask() -> None:
        path, _ = QFileDialog.getSaveFileName(
            parent, "Save plots as", f"{stem}.png", "PNG (*.png);;SVG (*.svg)"
        )
        if path:
            save_plots(plots(), path)

    button.clicked.connect(ask)
    return button
