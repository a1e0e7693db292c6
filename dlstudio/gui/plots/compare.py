"""Plots that compare trials and runs. Every one exports to PNG or SVG (`save_plot`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Signal

from dlstudio.gui.plots import pg as _configured  # noqa: F401
from dlstudio.gui.qmodels.trials_model import trial_colour

SCORE_MAP = pg.colormap.get("viridis")


def _plot(title: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(title=title)
    plot.showGrid(x=True, y=True, alpha=0.2)
    return plot


class OverlayCurves(pg.PlotWidget):
    """Learning curves of the selected trials, in their table colours; the best one thicker."""

    def __init__(self, parent=None) -> None:
        super().__init__(
            parent, title="Learning curves of the selected trials (dashed: validation)"
        )
        self.setLabel("bottom", "epoch")
        self.showGrid(x=True, y=True, alpha=0.2)
        self.metric_name = "loss"
        self.curves = 0

    def show_trials(self, histories: list[tuple[int, dict, bool]]) -> None:
        """`histories`: (table row, history, is_best) per selected trial."""
        self.clear()
        self.curves = 0
        self.setLabel("left", self.metric_name)
        for row, history, best in histories:
            colour = trial_colour(row)
            width = 3 if best else 1.5
            for key, style in (
                (self.metric_name, pg.QtCore.Qt.PenStyle.SolidLine),
                (f"val_{self.metric_name}", pg.QtCore.Qt.PenStyle.DashLine),
            ):
                values = [v for v in history.get(key, []) if math.isfinite(v)]
                if values:
                    self.plot(
                        np.arange(1, len(values) + 1),
                        values,
                        pen=pg.mkPen(colour, width=width, style=style),
                    )
                    self.curves += 1


class ParallelCoordinates(pg.PlotWidget):
    """One axis per hyperparameter plus the score; one polyline per trial, coloured by score.

    Drag the shaded band to brush the chosen axis: `brushed` sends the table rows inside it.
    """

    brushed = Signal(object)  # set of row numbers, or None for "all"

    def __init__(self, parent=None) -> None:
        super().__init__(
            parent, title="Parallel coordinates (colour: score; drag the band to filter)"
        )
        self.setMouseEnabled(False, False)
        self.hideAxis("left")
        self.positions = pd.DataFrame()
        self.axes: list[str] = []
        self.lines = 0
        self.region = pg.LinearRegionItem(
            values=(0, 1), orientation="horizontal", brush=(255, 200, 0, 40)
        )
        self.region.sigRegionChangeFinished.connect(self._brush_changed)
        self.brush_axis: str | None = None

    def show_trials(self, frame: pd.DataFrame, hp_columns: list[str], log_names: set[str]) -> None:
        self.clear()
        self.lines = 0
        self.axes = hp_columns + ["score"]
        done = frame[frame["score"].notna()]
        self.positions = pd.DataFrame(index=done.index)
        ticks = []
        for x, column in enumerate(self.axes):
            scaled, labels = _scale(done[column], column.removeprefix("hp:") in log_names)
            self.positions[column] = scaled
            ticks.append((x, column.removeprefix("hp:")))
            self.plot([x, x], [0, 1], pen=pg.mkPen(120, 120, 120))
            for position, text in labels:
                label = pg.TextItem(text, color=(60, 60, 60), anchor=(0, 0.5))
                label.setPos(x + 0.03, position)
                self.addItem(label)
        self.getAxis("bottom").setTicks([ticks])
        if len(done):
            scores = done["score"].astype(float)
            low, high = scores.min(), scores.max()
            for row in done.index:
                value = (scores[row] - low) / (high - low) if high > low else 0.5
                colour = SCORE_MAP.map(value, mode="qcolor")
                self.plot(
                    np.arange(len(self.axes)),
                    self.positions.loc[row, self.axes].to_numpy(float),
                    pen=pg.mkPen(colour, width=2),
                )
                self.lines += 1
        self.addItem(self.region)
        self.setXRange(-0.2, len(self.axes) - 0.5)
        self.setYRange(-0.05, 1.1)

    def set_brush_axis(self, column: str | None) -> None:
        self.brush_axis = column
        self.region.setVisible(column is not None)  # the band shows only while it filters
        self.region.setRegion((0, 1))
        self._brush_changed()

    def brush(self, low: float, high: float) -> None:
        self.region.setRegion((low, high))
        self._brush_changed()

    def _brush_changed(self) -> None:
        if not self.brush_axis or self.brush_axis not in self.positions:
            self.brushed.emit(None)
            return
        low, high = self.region.getRegion()
        values = self.positions[self.brush_axis]
        self.brushed.emit({int(r) for r in values[(values >= low) & (values <= high)].index})


def _scale(values: pd.Series, log: bool) -> tuple[np.ndarray, list[tuple[float, str]]]:
    """Values to 0..1 for an axis, with a few labels; categories evenly spaced."""
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all() and not values.map(lambda v: isinstance(v, bool)).any():
        data = np.log10(numeric.clip(lower=1e-12)) if log else numeric.astype(float)
        low, high = float(data.min()), float(data.max())
        scaled = (data - low) / (high - low) if high > low else data * 0 + 0.5
        labels = (
            [(0.0, _fmt(numeric.min())), (1.0, _fmt(numeric.max()))]
            if high > low
            else [(0.5, _fmt(numeric.min()))]
        )
        return scaled.to_numpy(float), labels
    categories = sorted(values.astype(str).unique())
    spots = {c: (i + 0.5) / len(categories) for i, c in enumerate(categories)}
    return values.astype(str).map(spots).to_numpy(float), [(p, c) for c, p in spots.items()]


def _fmt(value: float) -> str:
    return f"{value:.3g}"


class HyperparameterScatter(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Hyperparameter against score")
        self.showGrid(x=True, y=True, alpha=0.2)
        self.setLabel("left", "score")
        self.points = 0

    def show_values(self, frame: pd.DataFrame, column: str, log: bool) -> None:
        self.clear()
        done = frame[frame["score"].notna()]
        values = done[column]
        numeric = pd.to_numeric(values, errors="coerce")
        self.setLabel("bottom", column.removeprefix("hp:"))
        if numeric.notna().all() and not values.map(lambda v: isinstance(v, bool)).any():
            x = numeric.to_numpy(float)
            self.setLogMode(x=log, y=False)
            self.getAxis("bottom").setTicks(None)
        else:
            self.setLogMode(x=False, y=False)
            categories = sorted(values.astype(str).unique())
            index = {c: i for i, c in enumerate(categories)}
            jitter = np.random.default_rng(0).uniform(-0.12, 0.12, len(values))
            x = values.astype(str).map(index).to_numpy(float) + jitter
            self.getAxis("bottom").setTicks([[(i, c) for c, i in index.items()]])
        self.plot(
            x,
            done["score"].to_numpy(float),
            pen=None,
            symbol="o",
            symbolSize=9,
            symbolBrush=pg.mkBrush(31, 119, 180, 170),
        )
        self.points = len(x)


class ImportanceBars(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Hyperparameter importance (η², share of score variance)")
        self.setMouseEnabled(False, False)
        self.bars = 0

    def show_importance(self, importance: dict[str, float]) -> None:
        self.clear()
        names = list(importance)
        self.bars = len(names)
        if not names:
            return
        y = np.arange(len(names))
        self.addItem(
            pg.BarGraphItem(
                x0=0,
                y=y,
                height=0.6,
                width=[importance[n] for n in names],
                brush=pg.mkBrush(31, 119, 180, 200),
            )
        )
        self.getAxis("left").setTicks([[(i, n) for i, n in enumerate(names)]])
        self.setXRange(0, 1)
        self.setYRange(-0.5, len(names) - 0.5)
        self.invertY(True)


class RunsPlot(pg.PlotWidget):
    """Score of every finished trial per run (a strip per run), the best marked."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Scores of finished trials, per run (★ best)")
        self.showGrid(x=False, y=True, alpha=0.2)
        self.setLabel("left", "score")

    def show_runs(self, frame: pd.DataFrame, run_ids: list[str], direction: str) -> None:
        self.clear()
        jitter = np.random.default_rng(1)
        for i, run_id in enumerate(run_ids):
            scores = frame[(frame["run"] == run_id) & frame["score"].notna()]["score"].to_numpy(
                float
            )
            if not len(scores):
                continue
            self.plot(
                i + jitter.uniform(-0.15, 0.15, len(scores)),
                scores,
                pen=None,
                symbol="o",
                symbolSize=8,
                symbolBrush=pg.mkBrush(trial_colour(i)),
            )
            best = scores.max() if direction == "max" else scores.min()
            self.plot(
                [i], [best], pen=None, symbol="star", symbolSize=16, symbolBrush=pg.mkBrush("k")
            )
        self.getAxis("bottom").setTicks([[(i, r) for i, r in enumerate(run_ids)]])
        self.setXRange(-0.5, max(len(run_ids), 1) - 0.5)


class BestCurves(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Validation loss of each run's best trial")
        self.setLabel("bottom", "epoch")
        self.showGrid(x=True, y=True, alpha=0.2)
        self.addLegend(offset=(-10, 10))

    def show_runs(self, histories: list[tuple[str, dict]]) -> None:
        self.clear()
        self.plotItem.legend.clear()
        for i, (run_id, history) in enumerate(histories):
            values = [v for v in history.get("val_loss", []) if math.isfinite(v)]
            if values:
                self.plot(
                    np.arange(1, len(values) + 1),
                    values,
                    pen=pg.mkPen(trial_colour(i), width=2),
                    name=run_id,
                )
