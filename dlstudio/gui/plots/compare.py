"""Plots that compare trials and runs. Every one exports to PNG or SVG (`save_plot`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from dlstudio.core import wording
from dlstudio.gui.plots import pg as _configured  # noqa: F401
from dlstudio.gui.plots.axes import epoch_axis, install_label_axis, metric_axis, plain_axes
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
        self.showGrid(x=True, y=True, alpha=0.2)
        plain_axes(self)
        epoch_axis(self)
        self.metric_name = "loss"
        self.curves = 0

    def show_trials(self, histories: list[tuple[int, dict, bool]], loss: str | None = None) -> None:
        """`histories`: (table row, history, is_best) per selected trial; `loss`: the one loss
        they all trained with ("mse", "mae"), named on the axis when the curve is the loss."""
        self.clear()
        self.curves = 0
        metric_axis(self, self.metric_name)
        if loss is not None and self.metric_name == "loss":
            words = wording.hyperparameter_value("loss", loss)
            self.setLabel("left", f"Loss: {words} (lower is better)")
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
        self.colour_bar = pg.ColorBarItem(
            values=(0, 1), colorMap=SCORE_MAP, interactive=False, width=14
        )
        self.colour_bar.axis.enableAutoSIPrefix(False)
        self.plotItem.layout.addItem(self.colour_bar, 2, 5)
        self.plotItem.layout.setColumnFixedWidth(4, 8)
        self.colour_bar.setVisible(False)
        self.positions = pd.DataFrame()
        self.axes: list[str] = []
        self.lines = 0
        self.region = pg.LinearRegionItem(
            values=(0, 1), orientation="horizontal", brush=(255, 200, 0, 40)
        )
        self.region.sigRegionChangeFinished.connect(self._brush_changed)
        self.brush_axis: str | None = None

    def show_trials(
        self,
        frame: pd.DataFrame,
        hp_columns: list[str],
        log_names: set[str],
        objective: str = "score",
    ) -> None:
        self.clear()
        self.lines = 0
        self.axes = hp_columns + ["score"]
        done = frame[frame["score"].notna()]
        self.positions = pd.DataFrame(index=done.index)
        ticks = []
        for x, column in enumerate(self.axes):
            scaled, labels = _scale(done[column], column.removeprefix("hp:") in log_names)
            self.positions[column] = scaled
            name = column.removeprefix("hp:")
            ticks.append((x, "Score" if column == "score" else wording.hyperparameter_name(name)))
            self.plot([x, x], [0, 1], pen=pg.mkPen(120, 120, 120))
            for position, text in labels:
                if column == "score" and objective != "score":
                    text = wording.metric_value(objective, float(text.replace(",", "")))
                label = pg.TextItem(text, color=(60, 60, 60), anchor=(0, 0.5))
                label.setPos(x + 0.03, position)
                self.addItem(label)
        install_label_axis(self, "bottom", max_label_px=140).set_labels(ticks)
        self.colour_bar.setVisible(bool(len(done)))
        if len(done):
            scores = done["score"].astype(float)
            low, high = scores.min(), scores.max()
            # Shares read as percentages on the bar, as on the score axis.
            scale = 100 if wording.is_share(objective) else 1
            span = (low, high) if high > low else (low - 0.005, low + 0.005)
            self.colour_bar.setLevels((scale * span[0], scale * span[1]))
            words = wording.metric_label(objective) if objective != "score" else "score"
            self.colour_bar.axis.setLabel(
                words.replace(" (", ", % (", 1) if scale == 100 else words
            )
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
        self.setXRange(-0.45, len(self.axes) - 0.5, padding=0)
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
        if high > low and numeric.nunique() <= 5:  # a few tried values: name each one
            labels = [
                (float(p), _fmt(v))
                for p, v in sorted(set(zip(scaled.round(6), numeric, strict=True)))
            ]
        return scaled.to_numpy(float), labels
    words = values.map(wording.value_words)  # True -> "yes"
    categories = sorted(words.unique())
    spots = {c: (i + 0.5) / len(categories) for i, c in enumerate(categories)}
    return words.map(spots).to_numpy(float), [(p, c) for c, p in spots.items()]


def _decades(values: np.ndarray) -> list | None:
    """Ticks at each power of ten the (positive) values span, for a log axis."""
    positive = values[values > 0]
    if not len(positive):
        return None
    low, high = math.floor(np.log10(positive.min())), math.ceil(np.log10(positive.max()))
    return [
        [(float(k), wording.readable(10.0**k)) for k in range(low, max(high, low + 1) + 1)],
        [],
    ]


def _fmt(value: float) -> str:
    """20,000 and 0.0001, as people write them (not 2e+04 and 1e-04)."""
    return wording.readable(float(value), 3)


class HyperparameterScatter(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Hyperparameter against score")
        self.showGrid(x=True, y=True, alpha=0.2)
        plain_axes(self)
        self.setLabel("left", "score")
        self.points = 0

    def show_values(
        self, frame: pd.DataFrame, column: str, log: bool, objective: str | None = None
    ) -> None:
        self.clear()
        done = frame[frame["score"].notna()]
        values = done[column]
        numeric = pd.to_numeric(values, errors="coerce")
        self.setLabel("bottom", wording.hyperparameter_name(column.removeprefix("hp:")))
        if numeric.notna().all() and not values.map(lambda v: isinstance(v, bool)).any():
            x = numeric.to_numpy(float)
            self.setLogMode(x=log, y=False)
            # a log axis labels its in-between ticks too, and they collide: decades only
            self.getAxis("bottom").setTicks(_decades(x) if log else None)
        else:
            self.setLogMode(x=False, y=False)
            words = values.map(wording.value_words)  # True -> "yes"
            categories = sorted(words.unique())
            index = {c: i for i, c in enumerate(categories)}
            jitter = np.random.default_rng(0).uniform(-0.12, 0.12, len(values))
            x = words.map(index).to_numpy(float) + jitter
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
        if objective:
            metric_axis(self, objective)


class ImportanceBars(pg.PlotWidget):
    """One bar per hyperparameter: the share of the score's spread it explains, with whiskers
    for how sure that is (`analysis.importance_interval`)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Which settings mattered")
        self.setMouseEnabled(False, False)
        plain_axes(self)
        self.setLabel("bottom", "share of the score's spread it explains")
        self.bars = 0
        self.whiskers = 0

    def show_importance(self, importance: dict) -> None:
        """`importance`: name -> value, or name -> (value, low, high)."""
        self.clear()
        names = list(importance)
        self.bars = len(names)
        self.whiskers = 0
        if not names:
            return
        entries = [v if isinstance(v, tuple) else (v, v, v) for v in importance.values()]
        values = np.array([e[0] for e in entries], float)
        low = np.array([e[1] for e in entries], float)
        high = np.array([e[2] for e in entries], float)
        y = np.arange(len(names))
        self.addItem(
            pg.BarGraphItem(
                x0=0, y=y, height=0.6, width=values, brush=pg.mkBrush(31, 119, 180, 200)
            )
        )
        if (high > low).any():
            self.addItem(
                pg.ErrorBarItem(
                    x=values,
                    y=y,
                    left=values - low,
                    right=high - values,
                    beam=0.25,
                    pen=pg.mkPen(40, 40, 40, width=1.5),
                )
            )
            self.whiskers = int((high > low).sum())
        install_label_axis(self, "left", max_label_px=170).set_labels(
            [(i, wording.hyperparameter_name(n)) for i, n in enumerate(names)]
        )
        self.setXRange(0, 1, padding=0.02)
        self.setYRange(-0.5, len(names) - 0.5)
        self.invertY(True)


class RunsPlot(pg.PlotWidget):
    """Score of every trial per run (a strip per run); the best finished one starred.

    Filled dots: finished trials. Hollow dots: trials stopped early (the time budget or you);
    they are not starred, so a run without a finished trial has no star.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Trial scores per run (★ best; ○ stopped early)")
        self.setToolTip(
            "One dot per trial. Filled: the trial finished. Hollow: it was stopped early "
            "(time budget or you). The star marks each run's best finished trial."
        )
        self.showGrid(x=False, y=True, alpha=0.2)
        plain_axes(self)
        self.setLabel("left", "score")
        self.axis = install_label_axis(
            self, "bottom", max_label_px=160, elide=Qt.TextElideMode.ElideMiddle
        )
        self.stars = 0
        self.names: list[str] = []

    def show_runs(
        self,
        frame: pd.DataFrame,
        run_ids: list[str],
        direction: str,
        names: list[str] | None = None,
        objective: str | None = None,
    ) -> None:
        """`names`: what to call each run on the axis (default: its id)."""
        self.clear()
        self.stars = 0
        self.names = list(names) if names else list(run_ids)
        if objective:
            metric_axis(self, objective)
        jitter = np.random.default_rng(1)
        for i, run_id in enumerate(run_ids):
            scored = (
                frame[(frame["run"] == run_id) & frame["score"].notna()] if len(frame) else frame
            )
            if not len(scored):
                continue
            finished = (scored["status"] == "completed").to_numpy()
            scores = scored["score"].to_numpy(float)
            x = i + jitter.uniform(-0.15, 0.15, len(scores))
            colour = trial_colour(i)
            tip = self._tip(self.names[i], objective)
            for mask, brush in ((finished, pg.mkBrush(colour)), (~finished, pg.mkBrush(None))):
                if mask.any():
                    self.addItem(
                        pg.ScatterPlotItem(
                            x=x[mask],
                            y=scores[mask],
                            symbol="o",
                            size=8,
                            brush=brush,
                            pen=pg.mkPen(colour, width=1.5),
                            hoverable=True,
                            tip=tip,
                        )
                    )
            if finished.any():
                done = scores[finished]
                best = done.max() if direction == "max" else done.min()
                self.plot(
                    [i], [best], pen=None, symbol="star", symbolSize=16, symbolBrush=pg.mkBrush("k")
                )
                self.stars += 1
        self.axis.set_labels(list(enumerate(self.names)))
        self.setXRange(-0.5, max(len(run_ids), 1) - 0.5, padding=0)

    @staticmethod
    def _tip(name: str, objective: str | None):
        def tip(x, y, data):
            value = wording.metric_value(objective, y) if objective else f"{y:.4g}"
            return f"{name}: {value}"

        return tip


class BestCurves(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Validation loss of each run's best trial")
        self.showGrid(x=True, y=True, alpha=0.2)
        plain_axes(self)
        epoch_axis(self)
        metric_axis(self, "val_loss")
        self.addLegend(offset=(-10, 10))

    def show_runs(self, histories: list[tuple[str, dict]]) -> None:
        """`histories`: (run name or id, history of its best trial) per run."""
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
