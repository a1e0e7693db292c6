"""Live learning curves: the running trial in colour, finished trials faint underneath.

Data arrives through `add_epoch` / `add_batch` (cheap appends into numpy buffers); `redraw`
is called once per GUI tick by the Train page and calls setData only for the curves that
changed since the last tick. The axes span the trial's epochs and hold their value range
while the data stays inside it (plots/ranges.py), until the user pans or zooms a plot.

Honest axes: values are written out (no "x0.001" SI prefix), a share between 0 and 1 (accuracy)
is shown on its whole 0–1 range so that noise of a tenth of a percent looks like what it is, a
loss axis never dips below zero, and each value axis says in words which way is better.

Trials of one search may differ in their loss (a forecast's or a regression's `loss` is a
hyperparameter: MSE, in squared units, or MAE), and such losses do not share an axis. Once the
run's trials differ in it, the loss plot shows the running trial's loss alone, titled with it
("Loss: MSE, squared units"), and the earlier trials stay faint on the metric plot (the mean
absolute error, which every trial reports in the target's own units).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QWidget

from dlstudio.core.wording import hyperparameter_value, is_share, metric_label, metric_name
from dlstudio.gui.plots import pg as _configured  # noqa: F401
from dlstudio.gui.plots.axes import EpochAxis, MetricAxis
from dlstudio.gui.plots.buffers import GrowingSeries
from dlstudio.gui.plots.ranges import settled_range

TRAIN_PEN = pg.mkPen("#1f77b4", width=2)
VAL_PEN = pg.mkPen("#ff7f0e", width=2)
BATCH_PEN = pg.mkPen("#2ca02c", width=1.5)
PENS = {
    "loss": TRAIN_PEN,
    "val_loss": VAL_PEN,
    "metric": TRAIN_PEN,
    "val_metric": VAL_PEN,
    "batch": BATCH_PEN,
}
THIN_PENS = {name: pg.mkPen(pen.color(), width=1) for name, pen in PENS.items()}  # dense curves
PAST_PEN = pg.mkPen(150, 150, 150, 90, width=1)
SMOOTH_BELOW_POINTS = 2000
LEGEND = {
    "loss": "training",
    "val_loss": "validation",
    "metric": "training",
    "val_metric": "validation",
    "batch": "running loss",
}


SHARE_RANGE = (0.0, 1.0)


def loss_words(loss: str | None) -> str:
    """ "MSE, squared units" for mse, "MAE" for mae: a trial's loss as its plot is titled."""
    if loss is None:
        return "Loss"
    words = hyperparameter_value("loss", loss)
    return f"{words}, squared units" if loss == "mse" else words


class LiveCurves(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.loss_plot = self._plot("Loss per epoch", "epoch")
        self.metric_plot = self._plot("Accuracy per epoch", "epoch")
        self.batch_plot = self._plot("Live training loss", "epoch")
        self.loss_plot.setLabel("left", metric_label("loss"))
        self.batch_plot.setLabel("left", metric_label("loss"))
        self.batch_plot.setToolTip(
            "The running mean of the training loss within each epoch, updated while the epoch "
            "runs, and its value at each epoch's end (all there is to show when epochs are too "
            "short for updates within them, as with a short series)."
        )
        self._plot_of = {
            "loss": self.loss_plot,
            "val_loss": self.loss_plot,
            "metric": self.metric_plot,
            "val_metric": self.metric_plot,
            "batch": self.batch_plot,
        }
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for plot in self._plots():
            layout.addWidget(plot)
            plot.getViewBox().sigRangeChangedManually.connect(self._user_moved_view)
        self.metric_name = "accuracy"
        self._series: dict[str, GrowingSeries] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._past: list[tuple[pg.PlotWidget, pg.PlotDataItem]] = []  # faint earlier trials
        self.reset("accuracy")

    @staticmethod
    def _plot(title: str, x_label: str) -> pg.PlotWidget:
        # Plain numbers (no SI prefix: pyqtgraph wrote 0.845–0.856 as 845–856 "(x0.001)"),
        # percentages for shares, whole epochs (plots/axes.py).
        plot = pg.PlotWidget(
            title=title, axisItems={"left": MetricAxis("left"), "bottom": EpochAxis("bottom")}
        )
        plot.setLabel("bottom", x_label)
        # The value axis widens for wider tick labels and by default narrows again, and each
        # change re-lays out and repaints the whole plot (twice the paint at an epoch end,
        # bench/gui_stall.py); grown once, it stays.
        plot.getAxis("left").setStyle(autoReduceTextSpace=False)
        # The axes' own grid (showGrid) took 11 of a frame's 17 ms to draw; a GridItem in the
        # view draws the same lines in about one.
        grid = pg.GridItem(pen=pg.mkPen(0, 0, 0), textPen=None)
        grid.setTickSpacing(x=[None, None], y=[None, None])
        grid.setZValue(-100)
        plot.addItem(grid)
        plot.addLegend(offset=(-10, 10))
        plot.setMinimumHeight(220)
        # A long run holds ~10⁵ points per curve; drawn as they are, one frame took 1.8 s
        # (bench/plot_redraw.py). Drawing only what is in view, at most ~2 points per pixel
        # column (keeping each column's min and max, so spikes stay visible), takes ~ms.
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        return plot

    def _plots(self) -> tuple[pg.PlotWidget, pg.PlotWidget, pg.PlotWidget]:
        return self.loss_plot, self.metric_plot, self.batch_plot

    def _user_moved_view(self, _mask=None) -> None:
        """A pan or zoom by the user: leave that plot's view to them (and to its auto button)."""
        for plot in self._plots():
            if plot.getViewBox() is self.sender():
                self._managed.discard(plot)

    def reset(self, metric: str) -> None:
        """Forget everything: a new run."""
        self.metric_name = metric
        self._managed = set(self._plots())
        self._x_end = 0.0
        self._longest = 0.0  # the longest finished trial's epochs: the x axis keeps them in view
        self._planned = False  # whether the running trial's length is known (plan_epochs)
        self._past_bounds: dict[pg.PlotWidget, tuple[float, float]] = {}
        self._loss: str | None = None  # the running trial's loss, when known
        self._losses: set[str] = set()  # the losses of this run's trials so far
        self._drawn: dict[str, int] = {}
        self._y_set: set[pg.PlotWidget] = set()
        for plot in self._plots():
            for item in plot.listDataItems():
                plot.removeItem(item)  # the curves, not the grid
            if plot.plotItem.legend is not None:
                plot.plotItem.legend.clear()
        self.metric_plot.setTitle(f"{metric_name(metric)} per epoch")
        self.metric_plot.setLabel("left", metric_label(metric))
        axis = self.metric_plot.getAxis("left")
        axis.share = is_share(metric)  # ticks in percent
        axis.picture = None
        axis.update()
        self.loss_plot.setTitle("Loss per epoch")
        self.loss_plot.setToolTip("")
        self.batch_plot.setTitle("Live training loss")
        self._past = []
        self._series = {
            name: GrowingSeries() for name in ("loss", "val_loss", "metric", "val_metric", "batch")
        }
        self._curves = {
            name: self._plot_of[name].plot(pen=PENS[name], name=LEGEND[name])
            for name in self._plot_of
        }

    def start_trial(self, epochs: int = 0, keep_batch: bool = False, loss=None) -> None:
        """Move the current trial's curves to the faint background and start fresh ones; the
        x axes span the longest trial so far. `keep_batch` leaves the live loss as it is.
        `loss`: the new trial's loss ("mse", "mae", "huber"; None when not a hyperparameter):
        once the run's trials differ in it, earlier trials leave the loss plot."""
        for name, series in self._series.items():
            if keep_batch and name == "batch":
                continue
            if series.size and name != "batch":
                x, y = series.view()
                plot = self._plot_of[name]
                self._longest = max(self._longest, float(x.max()))
                if plot is self.loss_plot and self.mixed_losses():
                    series.clear()
                    continue  # another trial's loss may be in other units: not kept here
                faint = plot.plot(x.copy(), y.copy(), pen=PAST_PEN)
                faint.setZValue(-1)
                self._past.append((plot, faint))
                low, high = self._past_bounds.get(plot, (math.inf, -math.inf))
                self._past_bounds[plot] = (min(low, y.min()), max(high, y.max()))
            series.clear()
        self._planned = False
        self._set_loss(None if loss is None else str(loss))
        self._extend_x(epochs)

    def mixed_losses(self) -> bool:
        """Whether this run's trials so far differ in their loss (MSE and MAE, say)."""
        return len(self._losses) > 1

    def _set_loss(self, loss: str | None) -> None:
        """The running trial's loss: when it differs from an earlier trial's, the loss plot
        drops the earlier trials (their values are not comparable) and names the loss."""
        was_mixed = self.mixed_losses()
        self._loss = loss
        if loss is not None:
            self._losses.add(loss)
        if not self.mixed_losses():
            return
        self._y_set.discard(self.loss_plot)  # ranged afresh on the running trial alone
        if not was_mixed:
            for plot, faint in self._past:
                if plot is self.loss_plot:
                    plot.removeItem(faint)
            self._past = [(plot, faint) for plot, faint in self._past if plot is not self.loss_plot]
            self._past_bounds.pop(self.loss_plot, None)
        named = " and ".join(sorted(hyperparameter_value("loss", n) for n in self._losses))
        squared = " (MSE is in squared units)" if "mse" in self._losses else ""
        self.loss_plot.setToolTip(
            f"This search's trials use different losses ({named}), whose values do not "
            f"compare{squared}: this plot shows the running trial's loss alone. The "
            f"{metric_name(self.metric_name).lower()} plot beside it compares the trials, "
            "the earlier ones faint."
        )
        self.loss_plot.setTitle(self._loss_title())
        if loss is not None:
            self.batch_plot.setTitle(f"Live training loss: {loss_words(loss)}")

    def _loss_title(self, suffix: str = "") -> str:
        if self.mixed_losses() and self._loss is not None:
            return f"Loss: {loss_words(self._loss)}{suffix}"
        return f"Loss per epoch{suffix}"

    def plan_epochs(self, epochs: int) -> None:
        """The running trial will run `epochs` epochs (the time budget's plan, often fewer
        than the Model step allows): the x axis spans them, and the finished trials, rather
        than the epochs allowed, so that it ends where the progress bar's count does. Shrinks
        once per trial, at its first plan; after that it only grows."""
        if self._planned:
            self._extend_x(epochs)
            return
        self._planned = True
        shown = max(self.points("loss"), self.points("val_loss"), self.points("metric"))
        end = float(max(epochs, self._longest, shown, 1))
        if end < self._x_end:
            self._x_end = end
            for plot in self._managed:
                plot.setXRange(0, self._x_end, padding=0.02)
        else:
            self._extend_x(end)

    def _extend_x(self, end: float, headroom: float = 0.0) -> None:
        """Widen the shared x range to `end`; data past the trial's known length (or with no
        length given) widens it by a quarter more, so that it moves a few times, not per point."""
        if end <= self._x_end:
            return
        self._x_end = float(math.ceil(end * (1 + headroom)))
        for plot in self._managed:
            plot.setXRange(0, self._x_end, padding=0.02)

    def add_epoch(self, epoch: int, metrics: dict[str, float], live: bool = True) -> None:
        """One epoch's metrics; `live`: of the running trial, whose epoch-end training loss
        also ends that epoch's live loss (its running mean at the last batch), so that the
        live plot is not empty when epochs are too short for updates within them."""
        x = epoch + 1
        loss = metrics.get("loss")
        if live and loss is not None and np.isfinite(loss):
            self._series["batch"].append(x, loss)
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
        changed = set()
        for name, curve in self._curves.items():
            series = self._series[name]
            if self._drawn.get(name) == series.version:
                continue  # setData on unchanged data still re-ranges and repaints the plot
            self._drawn[name] = series.version
            x, y = series.view()
            # A dense curve drawn smooth and 2 px wide costs ~10× (215 vs 20 ms a frame at 10⁵
            # points, bench/plot_redraw.py) and looks the same thin and aliased.
            smooth = len(x) < SMOOTH_BELOW_POINTS
            pen = PENS[name] if smooth else THIN_PENS[name]
            curve.setData(x, y, pen=pen, antialias=smooth, skipFiniteCheck=True)  # finite only
            if len(x):
                self._extend_x(x[-1], headroom=0.25)
                changed.add(self._plot_of[name])
        for plot in changed & self._managed:
            self._settle_y(plot)

    def show_trial(self, history: dict[str, list[float]], title: str, loss=None) -> None:
        """Show one trial's whole history in colour (the best, when a run ends), the others
        faint underneath; `title` says which trial it is, `loss` which loss it trained with."""
        # The live loss stays: the last trial's, as its title says; only epochs are kept per trial.
        last = self._loss
        self.start_trial(len(history.get("loss", [])), keep_batch=True, loss=loss)
        named = f" ({hyperparameter_value('loss', last)})" if self.mixed_losses() and last else ""
        self.batch_plot.setTitle(f"Live training loss — the last trial{named}")
        for epoch in range(max((len(v) for v in history.values()), default=0)):
            self.add_epoch(
                epoch,
                {name: values[epoch] for name, values in history.items() if epoch < len(values)},
                live=False,
            )
        self.loss_plot.setTitle(self._loss_title(f" — {title}"))
        self.metric_plot.setTitle(f"{metric_name(self.metric_name)} per epoch — {title}")
        self.redraw()

    def _settle_y(self, plot: pg.PlotWidget) -> None:
        if plot is self.metric_plot and is_share(self.metric_name):
            # A share has a natural scale: the whole of it, fixed (until the user zooms).
            if plot not in self._y_set:
                plot.setYRange(*SHARE_RANGE, padding=0.02)
                self._y_set.add(plot)
                plot.getViewBox().updateMatrix()
            return
        low, high = self._past_bounds.get(plot, (math.inf, -math.inf))
        for name, series in self._series.items():
            if self._plot_of[name] is plot and series.size:
                y = series.view()[1]
                low, high = min(low, y.min()), max(high, y.max())
        # Before its first data a plot shows pyqtgraph's default range, which is no one's choice.
        shown = tuple(plot.getViewBox().viewRange()[1]) if plot in self._y_set else None
        target = settled_range(shown, low, high)
        if target is not None and plot is not self.metric_plot and low >= 0:
            target = (max(0.0, target[0]), target[1])  # a loss below zero does not exist
        if target is not None:
            plot.setYRange(*target, padding=0)
            self._y_set.add(plot)
            # pyqtgraph applies a new range when the view next paints, and the items it moves
            # then ask for a second paint of the whole plot; applying it now makes it one.
            plot.getViewBox().updateMatrix()

    def points(self, name: str) -> int:
        """How many points a curve holds (for tests and the status line)."""
        return self._series[name].size

    def past_curves(self, plot: pg.PlotWidget | None = None) -> int:
        """How many faint curves of earlier trials there are (on `plot`, or on all)."""
        return sum(1 for shown, _ in self._past if plot is None or shown is plot)
