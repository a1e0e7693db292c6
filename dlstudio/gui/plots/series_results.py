"""The Results step's plots of a forecast run and of an anomaly run.

- `ForecastPlot`: the series' history, the test actuals, every test origin's one-step-ahead
  forecast as a faint line, the forecast made at one chosen origin with its interval band, and
  the future: the forecast of the steps after the end of the data, with its band.
- `AnomalyScorePlot`: the anomaly score over time (or row), the labelled windows shaded, the
  threshold as a line the user can drag (`threshold_moved`), and the flagged points marked.

Times are drawn on a date axis (seconds since 1970, UTC); values with plain ticks (no SI
prefix: a passenger count must not read "0.4 k").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from dlstudio.gui.plots import pg as _configured  # noqa: F401
from dlstudio.gui.plots.axes import plain_axes

HISTORY, ACTUAL, FORECAST, FAINT = "#7f7f7f", "#000000", "#1f77b4", "#ff7f0e"
FUTURE, FUTURE_BAND = "#2ca02c", (44, 160, 44, 60)
LONG = 400  # points: a longer series opens on its recent past and the steps after it
RECENT_HORIZONS = 10  # a long series opens on this many horizons before its end
LEGEND_BRUSH = (255, 255, 255, 210)  # the legend stays readable over dense lines
FLAGGED, LABELLED, TEST = "#d62728", (255, 170, 0, 60), (31, 119, 180, 18)


def seconds(times) -> np.ndarray:
    """Datetimes as seconds since 1970 (UTC), what pyqtgraph's date axis reads."""
    stamps = pd.to_datetime(pd.Series(times))
    return ((stamps - pd.Timestamp(0)).dt.total_seconds()).to_numpy(float)


def span_words(times) -> str:
    """ "time (1949-01-01 to 1960-12-01)": a date axis's ticks alone ("07", "08") do not say
    which month or year they are in."""
    stamps = pd.to_datetime(pd.Series(times)).dropna()
    if stamps.empty:
        return "time"
    daily = (stamps.dt.floor("D") == stamps).all()
    form = "%Y-%m-%d" if daily else "%Y-%m-%d %H:%M"
    return f"time ({stamps.min().strftime(form)} to {stamps.max().strftime(form)})"


def _date_plot(widget: pg.PlotWidget, dates: bool) -> None:
    if dates:
        widget.setAxisItems({"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0)})
    plain_axes(widget)
    widget.showGrid(x=True, y=True, alpha=0.15)


class ForecastPlot(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        _date_plot(self, True)
        self.setMinimumHeight(260)
        self.legend = self.addLegend(offset=(10, 10), brush=pg.mkBrush(*LEGEND_BRUSH))
        self.test_region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(*TEST))
        self.test_region.setZValue(-10)
        for line in self.test_region.lines:
            line.setPen(pg.mkPen(None))
        self.addItem(self.test_region)
        self.history = self.plot(pen=pg.mkPen(HISTORY, width=1.5), name="History")
        self.actual = self.plot(pen=pg.mkPen(ACTUAL, width=2), name="Test period (actual)")
        self.step_one = self.plot(
            pen=pg.mkPen(FAINT, width=1.2, style=Qt.PenStyle.DashLine),
            name="1 step ahead, from every origin",
        )
        self.lower = pg.PlotDataItem(pen=pg.mkPen(None))
        self.upper = pg.PlotDataItem(pen=pg.mkPen(None))
        self.band = pg.FillBetweenItem(self.lower, self.upper, brush=pg.mkBrush(31, 119, 180, 50))
        self.addItem(self.band)
        self.forecast = self.plot(
            pen=pg.mkPen(FORECAST, width=2.5),
            symbol="o",
            symbolSize=5,
            symbolBrush=FORECAST,
            name="Forecast from the chosen origin (band: interval)",
        )
        self.future_lower = pg.PlotDataItem(pen=pg.mkPen(None))
        self.future_upper = pg.PlotDataItem(pen=pg.mkPen(None))
        self.future_band = pg.FillBetweenItem(
            self.future_lower, self.future_upper, brush=pg.mkBrush(*FUTURE_BAND)
        )
        self.addItem(self.future_band)
        self.future = self.plot(
            pen=pg.mkPen(FUTURE, width=2.5),
            symbol="s",
            symbolSize=6,
            symbolBrush=FUTURE,
            symbolPen=pg.mkPen(FUTURE),
            name="Next steps after the data (band: interval)",
        )
        self.setLabel("left", "value")

    def show_results(self, results, target: str = "value") -> None:
        """Draw a ForecastResults (core/series_results.py); the first origin is chosen."""
        self.results = results
        self.setLabel("left", target)
        series = results.series
        test_start = results.forecasts["time"].min()
        x = seconds(series["time"])
        values = series["value"].to_numpy(float)
        before = (series["time"] < test_start).to_numpy()
        self.history.setData(x[before | np.roll(before, 1)], values[before | np.roll(before, 1)])
        self.actual.setData(x[~before], values[~before])
        one = results.at_step(1)
        self.step_one.setData(seconds(one["time"]), one["forecast"].to_numpy(float))
        self.test_region.setRegion((x[~before].min(), x[-1]) if (~before).any() else (0, 0))
        end = self._show_future(results.future, x, values)
        self.setLabel("bottom", span_words(series["time"]))
        self.show_origin(0)
        self.autoRange()
        if len(x) > LONG and (~before).any():
            if results.future is not None and not results.future.empty:
                # The steps after the data, what the user came for, after the recent past.
                start = x[-min(LONG, RECENT_HORIZONS * max(1, results.horizon))]
            else:  # the test period, where the forecasts are
                start = x[~before].min() - (x[-1] - x[~before].min())
            self.setXRange(start, end, padding=0.02)

    def _show_future(self, future, x: np.ndarray, values: np.ndarray) -> float:
        """The forecast after the data, joined to the last value (known: no band there);
        returns where the drawing ends."""
        if future is None or future.empty or not len(x):
            for item in (self.future, self.future_lower, self.future_upper):
                item.setData([], [])
            self.future.hide()
            self.future_band.hide()
            return x[-1] if len(x) else 0.0
        times = np.concatenate([[x[-1]], seconds(future["time"])])
        last = values[-1:]
        self.future.setData(
            times,
            np.concatenate([last, future["forecast"].to_numpy(float)]),
            symbolSize=[0] + [6] * len(future),  # no marker on the last known value
        )
        self.future_lower.setData(times, np.concatenate([last, future["lower"].to_numpy(float)]))
        self.future_upper.setData(times, np.concatenate([last, future["upper"].to_numpy(float)]))
        self.future.show()
        self.future_band.show()
        return float(times[-1])

    def show_origin(self, index: int) -> None:
        """The forecast made at the `index`-th test origin, with its interval."""
        chosen = self.results.from_origin(index)
        x = seconds(chosen["time"])
        low, high = self.viewRange()[0]
        if len(x) and (x[0] < low or x[-1] > high):  # bring the chosen forecast into view
            width = high - low
            middle = (x[0] + x[-1]) / 2
            self.setXRange(middle - width / 2, middle + width / 2, padding=0)
        self.forecast.setData(x, chosen["forecast"].to_numpy(float))
        self.lower.setData(x, chosen["lower"].to_numpy(float))
        self.upper.setData(x, chosen["upper"].to_numpy(float))


class AnomalyScorePlot(pg.PlotWidget):
    threshold_moved = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(260)
        self._dates = None
        self.legend = self.addLegend(offset=(10, 10), brush=pg.mkBrush(*LEGEND_BRUSH))
        self.scores = self.plot(pen=pg.mkPen(HISTORY, width=1), name="Anomaly score")
        self.flagged = self.plot(
            pen=None,
            symbol="o",
            symbolSize=6,
            symbolBrush=FLAGGED,
            symbolPen=pg.mkPen(FLAGGED),
            name="Flagged (above the threshold)",
        )
        self.threshold = pg.InfiniteLine(
            angle=0,
            movable=True,
            pen=pg.mkPen(FLAGGED, width=2, style=Qt.PenStyle.DashLine),
            hoverPen=pg.mkPen(FLAGGED, width=3),
            label="threshold {value:.4g} (drag me)",
            labelOpts={"position": 0.05, "color": FLAGGED, "anchors": [(0, 1), (0, 1)]},
        )
        self.addItem(self.threshold)
        self.threshold.sigPositionChanged.connect(self._moved)
        self.labelled = self.plot(
            pen=None,
            symbol="o",
            symbolSize=10,
            symbolBrush=None,
            symbolPen=pg.mkPen(LABELLED[:3], width=1.5),
            name="Labelled anomaly",
        )
        self.regions: list[pg.LinearRegionItem] = []
        self._x = np.zeros(0)
        self._y = np.zeros(0)
        self._quiet = False
        self.setLabel("left", "anomaly score (higher is odder)")

    def show_scores(
        self, frame: pd.DataFrame, spans: list, threshold: float, series: bool = True
    ) -> None:
        """`frame`: scores.csv (core/series_results.py); `spans`: labelled windows as
        (start, end) times when the frame has times, else rows; `series`: the scores follow
        each other in time (drawn as a line), else rows of a table (dots)."""
        dates = "time" in frame and pd.api.types.is_datetime64_any_dtype(frame["time"])
        if dates != self._dates:
            _date_plot(self, dates)
            self._dates = dates
        self.setLabel("bottom", span_words(frame["time"]) if dates else "row")
        self._x = seconds(frame["time"]) if dates else frame["row"].to_numpy(float)
        self._y = frame["score"].to_numpy(float)
        # A series' scores follow each other (a line); a table's rows are independent (dots).
        if series:
            self.scores.setData(self._x, self._y, pen=pg.mkPen(HISTORY, width=1), symbol=None)
        else:
            self.scores.setData(
                self._x,
                self._y,
                pen=None,
                symbol="o",
                symbolSize=3,
                symbolBrush=HISTORY,
                symbolPen=None,
            )
        for region in self.regions:
            self.removeItem(region)
        self.regions = []
        for start, end in spans:
            a, b = (seconds([start, end]) if dates else (float(start), float(end)))[:2]
            region = pg.LinearRegionItem((a, b), movable=False, brush=pg.mkBrush(*LABELLED))
            region.setZValue(-10)
            for line in region.lines:
                line.setPen(pg.mkPen(None))
            self.addItem(region)
            self.regions.append(region)
        if spans and self.legend is not None:
            # A legend entry for the shading: a square of its colour.
            self.legend.removeItem("Labelled anomaly window")
            swatch = pg.BarGraphItem(
                x=[0], height=[0], width=0, brush=pg.mkBrush(*LABELLED[:3], 110), pen=None
            )
            self.legend.addItem(swatch, "Labelled anomaly window")
        # Labelled rows without windows (a label column): each one ringed.
        rings = (frame["label"].to_numpy(bool) if "label" in frame else None) if not spans else None
        if rings is not None and rings.any():
            self.labelled.setData(self._x[rings], self._y[rings])
        else:
            self.labelled.setData([], [])
        self.legend.removeItem(self.labelled)
        if rings is not None and rings.any():
            self.legend.addItem(self.labelled, "Labelled anomaly")
        self.set_threshold(threshold)
        self.autoRange()

    def set_threshold(self, value: float) -> None:
        self._quiet = True
        self.threshold.setValue(value)
        self._quiet = False
        self._mark(value)

    def _mark(self, value: float) -> None:
        above = self._y > value
        self.flagged.setData(self._x[above], self._y[above])

    def _moved(self) -> None:
        value = float(self.threshold.value())
        self._mark(value)
        if not self._quiet:
            self.threshold_moved.emit(value)
