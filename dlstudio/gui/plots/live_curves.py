"""Live learning curves: the running trial in colour, finished trials faint underneath.

Data arrives through `add_epoch` / `add_batch` (cheap appends into numpy buffers); `redraw`
calls setData once per curve and is called once per GUI tick by the Train page.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QWidget

from dlstudio.gui.plots import pg as _configured  # noqa: F401
from dlstudio.gui.plots.buffers import GrowingSeries

TRAIN_PEN = pg.mkPen("#1f77b4", width=2)
VAL_PEN = pg.mkPen("#ff7f0e", width=2)
BATCH_PEN = pg.mkPen("#2ca02c", width=1.5)
PAST_PEN = pg.mkPen(150, 150, 150, 90, width=1)


class LiveCurves(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.loss_plot = self._plot("Loss per epoch", "epoch")
        self.metric_plot = self._plot("Accuracy per epoch", "epoch")
        self.batch_plot = self._plot("Live training loss", "epoch")
        self.batch_plot.setToolTip(
            "The running mean of the training loss within each epoch, updated while the epoch runs."
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for plot in (self.loss_plot, self.metric_plot, self.batch_plot):
            layout.addWidget(plot)
        self.metric_name = "accuracy"
        self._series: dict[str, GrowingSeries] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._past: list[pg.PlotDataItem] = []
        self.reset("accuracy")

    @staticmethod
    def _plot(title: str, x_label: str) -> pg.PlotWidget:
        plot = pg.PlotWidget(title=title)
        plot.setLabel("bottom", x_label)
        plot.showGrid(x=True, y=True, alpha=0.2)
        plot.addLegend(offset=(-10, 10))
        plot.setMinimumHeight(220)
        return plot

    def reset(self, metric: str) -> None:
        """Forget everything: a new run."""
        self.metric_name = metric
        for plot in (self.loss_plot, self.metric_plot, self.batch_plot):
            plot.clear()
            if plot.plotItem.legend is not None:
                plot.plotItem.legend.clear()
        self.metric_plot.setTitle(
            f"{metric.upper() if metric in ('mae', 'rmse') else metric.capitalize()} per epoch"
        )
        self._past = []
        self._series = {
            name: GrowingSeries() for name in ("loss", "val_loss", "metric", "val_metric", "batch")
        }
        self._curves = {
            "loss": self.loss_plot.plot(pen=TRAIN_PEN, name="training"),
            "val_loss": self.loss_plot.plot(pen=VAL_PEN, name="validation"),
            "metric": self.metric_plot.plot(pen=TRAIN_PEN, name="training"),
            "val_metric": self.metric_plot.plot(pen=VAL_PEN, name="validation"),
            "batch": self.batch_plot.plot(pen=BATCH_PEN, name="running loss"),
        }

    def start_trial(self) -> None:
        """Move the current trial's curves to the faint background and start fresh ones."""
        for name, series in self._series.items():
            if series.size and name != "batch":
                x, y = series.view()
                plot = self.loss_plot if "loss" in name else self.metric_plot
                faint = plot.plot(x.copy(), y.copy(), pen=PAST_PEN)
                faint.setZValue(-1)
                self._past.append(faint)
            series.clear()

    def add_epoch(self, epoch: int, metrics: dict[str, float]) -> None:
        x = epoch + 1
        for key, name in (
            ("loss", "loss"),
            ("val_loss", "val_loss"),
            (self.metric_name, "metric"),
            (f"val_{self.metric_name}", "val_metric"),
        ):
            if key in metrics and np.isfinite(metrics[key]):
                self._series[name].append(x, metrics[key])

    def add_batch(self, epoch: int, batch: int, steps: int | None, loss: float) -> None:
        fraction = batch / steps if steps else 0.0
        if np.isfinite(loss):
            self._series["batch"].append(epoch + fraction, loss)

    def redraw(self) -> None:
        for name, curve in self._curves.items():
            curve.setData(*self._series[name].view())

    def points(self, name: str) -> int:
        """How many points a curve holds (for tests and the status line)."""
        return self._series[name].size

    def past_curves(self) -> int:
        return len(self._past)
