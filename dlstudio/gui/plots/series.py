"""The Data step's plot of a series over time: the values, the ones that were filled in (orange
dots) or filled across a long gap and left out of training (grey dots), and for anomaly
detection the labelled windows (shaded red) and where the part assumed normal ends.

Times are drawn as pyqtgraph's date axis reads them: seconds since 1970 shown in UTC, so a
timestamp without a zone reads on the axis as it does in the file. Zoom with the wheel or a
drag; right-click → View all to go back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtGui import QColor

from dlstudio.gui.plots import pg as _configured  # noqa: F401  (Qt binding first)
from dlstudio.gui.plots.axes import plain_axes

LINE = "#1f77b4"
FILLED = "#ff7f0e"
LEFT_OUT = "#7f7f7f"
LABELLED = QColor(214, 39, 40, 50)
NORMAL_END = "#2ca02c"
EPOCH = pd.Timestamp("1970-01-01")


def seconds(times) -> np.ndarray:
    """Timestamps as the date axis reads them (seconds since 1970, a naive time as UTC),
    whatever the resolution pandas stored them in (ns, us or s)."""
    return np.asarray((pd.DatetimeIndex(times) - EPOCH) / pd.Timedelta(seconds=1), "float64")


class SeriesPlot(pg.PlotWidget):
    """One series over time (or over row numbers, for a table's rows)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, axisItems={"bottom": pg.DateAxisItem("bottom", utcOffset=0)})
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setMouseEnabled(x=True, y=False)  # zoom in time; the values keep their range
        self.addLegend(offset=(-10, 10))  # top right: the series starts on the left
        plain_axes(self)
        self.dated = True
        self.marked: dict[str, int] = {}  # what is drawn, for tests and the legend
        self._extras: list = []

    def show_series(
        self,
        times,
        values: np.ndarray,
        name: str,
        filled: np.ndarray | None = None,
        left_out: np.ndarray | None = None,
        windows: list[tuple] = (),
        normal_end=None,
    ) -> None:
        """Draw `values` over `times` (a DatetimeIndex, or None for row numbers)."""
        self.clear()
        self.plotItem.legend.clear()
        self._extras = []
        self.dated = times is not None
        x = seconds(times) if self.dated else np.arange(len(values), dtype="float64")
        self._use_axis(self.dated)
        values = np.asarray(values, dtype="float64")
        self._show_whole(x, values)
        # Many points drawn as one thin line: peak downsampling keeps spikes visible.
        line = self.plot(x, values, pen=pg.mkPen(LINE, width=1), name=name)
        line.setDownsampling(auto=True, method="peak")
        line.setClipToView(True)
        self.marked = {"values": len(values)}
        for mask, colour, words in (
            (filled, FILLED, "filled in"),
            (left_out, LEFT_OUT, "missing, left out of training"),
        ):
            if mask is None or not np.any(mask):
                continue
            mask = np.asarray(mask, dtype=bool)
            y = np.where(np.isnan(values[mask]), np.nanmean(values), values[mask])
            self.plot(
                x[mask],
                y,
                pen=None,
                symbol="o",
                symbolSize=5,
                symbolBrush=colour,
                symbolPen=None,
                name=f"{int(mask.sum()):,} {words}",
            )
            self.marked[words] = int(mask.sum())
        for start, end in windows:
            region = pg.LinearRegionItem(
                (self._x(start), self._x(end)), movable=False, brush=LABELLED
            )
            region.setZValue(-10)
            self.addItem(region)
        if windows:
            self.marked["labelled windows"] = len(windows)
            # A legend entry for the shading (a region has none of its own).
            self.plot(
                [],
                [],
                pen=None,
                symbol="s",
                symbolBrush=LABELLED,
                symbolPen=None,
                name=f"{len(windows)} labelled anomaly window(s)",
            )
        if normal_end is not None:
            self.addItem(
                pg.InfiniteLine(
                    self._x(normal_end),
                    angle=90,
                    pen=pg.mkPen(NORMAL_END, width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
                    label="learns normal up to here",
                    labelOpts={"position": 0.05, "color": NORMAL_END},
                )
            )
            self.marked["normal end"] = 1
        self.setLabel("left", name)
        # The date axis names days by their number alone when zoomed to days: the span says
        # which month and year they are in.
        span = f"time ({times[0]:%Y-%m-%d} to {times[-1]:%Y-%m-%d})" if self.dated else "row"
        self.setLabel("bottom", span)
        self.enableAutoRange()

    def _show_whole(self, x: np.ndarray, values: np.ndarray) -> None:
        """Show the whole of the new data before it is drawn. The line below is thinned and
        clipped for the range in view when it is made: drawn into the previous data's range
        (other dates, or seconds since 1970 where rows are now counted), it thinned 50 rows to
        nothing, so the plot kept the old axes, looked empty, and "View all" found nothing
        to show."""
        finite = np.isfinite(values)
        if len(x) and finite.any():
            low, high = float(np.nanmin(values[finite])), float(np.nanmax(values[finite]))
            self.setRange(xRange=(float(x[0]), float(x[-1])), yRange=(low, high))
        self.enableAutoRange()

    def _x(self, value) -> float:
        if self.dated:
            return float((pd.Timestamp(value) - EPOCH) / pd.Timedelta(seconds=1))
        return float(value)

    def _use_axis(self, dated: bool) -> None:
        """Dates on the bottom axis for a series, plain row numbers for a table's rows."""
        if dated != isinstance(self.plotItem.getAxis("bottom"), pg.DateAxisItem):
            axis = pg.DateAxisItem("bottom", utcOffset=0) if dated else pg.AxisItem("bottom")
            axis.enableAutoSIPrefix(False)
            self.plotItem.setAxisItems({"bottom": axis})
