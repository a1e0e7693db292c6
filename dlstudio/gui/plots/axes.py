"""Axes that do not mislead: metric names in words, no SI prefixes, fixed 0–100 % ranges for
shares, and category labels that never overlap.

- `metric_axis(plot, "val_accuracy")`: labels the axis "Validation accuracy (higher is better)",
  turns pyqtgraph's SI prefix off (it wrote "accuracy (x0.001)" with ticks 845–856), and for
  0–1 metrics shows 0–100 % ticks over a fixed 0–1 range, so noise never looks dramatic. The
  user can still zoom; `metric_axis` again resets the range.
- `plain_axes(plot)`: no SI prefix on any axis (values are shown as they are).
- `epoch_axis(plot)`: an epoch axis with whole numbers only.
- `LabelAxis`: an axis of named categories (runs, classes). Bottom labels are drawn slanted,
  elided to a maximum length and thinned to every k-th when they would touch; left labels are
  elided. `label_at(value)` gives the full name for tooltips.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF

from dlstudio.core import wording
from dlstudio.gui.plots import pg as _configured  # noqa: F401

SIDES = ("left", "bottom", "right", "top")


def _item(plot) -> pg.PlotItem:
    return plot.getPlotItem() if hasattr(plot, "getPlotItem") else plot


def _replace(item: pg.PlotItem, side: str, axis: pg.AxisItem) -> pg.AxisItem:
    """Install `axis` on `side`, keeping the old one's grid."""
    grid = item.getAxis(side).grid
    item.setAxisItems({side: axis})
    axis.setGrid(grid)
    return axis


def plain_axes(plot) -> None:
    """Turn off pyqtgraph's SI prefixes ("x0.001", "k") on every axis of `plot`."""
    item = _item(plot)
    for side in SIDES:
        axis = item.getAxis(side)
        axis.enableAutoSIPrefix(False)


class MetricAxis(pg.AxisItem):
    """Ticks as plain numbers, or as percentages for 0–1 shares (0.85 -> "85 %")."""

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.share = False
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values, scale, spacing):
        if not self.share:
            return super().tickStrings(values, scale, spacing)
        digits = max(0, -math.floor(math.log10(spacing * 100))) if spacing > 0 else 0
        return [f"{100 * v:.{digits}f} %" for v in values]


def metric_axis(plot, metric: str, axis: str = "left", fixed: bool = True) -> MetricAxis:
    """Make `axis` of `plot` show `metric` honestly (see the module's docstring).

    Args:
        plot: A PlotWidget or PlotItem.
        metric: The engine's name ("val_loss", "accuracy", ...); a 0–1 share when
            `wording.is_share(metric)`.
        axis: Which side: "left" (the usual) or "bottom".
        fixed: Fix 0–1 shares to their whole range (False: leave the range alone).

    Returns:
        The axis (a MetricAxis; installed in place of the plot's own one the first time).
    """
    item = _item(plot)
    current = item.getAxis(axis)
    if not isinstance(current, MetricAxis):
        current = _replace(item, axis, MetricAxis(axis))
    current.share = wording.is_share(metric)
    item.setLabel(axis, wording.metric_label(metric))
    vertical = axis in ("left", "right")
    if current.share and fixed:
        if vertical:
            item.setYRange(0, 1, padding=0.05)  # room for the "0 %" and "100 %" labels
        else:
            item.setXRange(0, 1, padding=0.05)
    else:
        item.enableAutoRange(y=True) if vertical else item.enableAutoRange(x=True)
    current.picture = None
    current.update()
    return current


class EpochAxis(pg.AxisItem):
    """Whole numbers only: there is no epoch 1.5 (nor grid lines for it)."""

    def __init__(self, orientation: str = "bottom", **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def tickValues(self, minVal, maxVal, size):
        levels = []
        for spacing, values in super().tickValues(minVal, maxVal, size):
            if spacing >= 1:
                levels.append((spacing, [v for v in values if float(v).is_integer()]))
        return levels or [(1.0, [float(v) for v in range(math.ceil(minVal), int(maxVal) + 1)])]


def epoch_axis(plot, label: str = "epoch") -> EpochAxis:
    """Put an EpochAxis at the bottom of `plot` (once), labelled `label`, and return it."""
    item = _item(plot)
    axis = item.getAxis("bottom")
    if not isinstance(axis, EpochAxis):
        axis = _replace(item, "bottom", EpochAxis("bottom"))
    item.setLabel("bottom", label)
    return axis


class LabelAxis(pg.AxisItem):
    """Named categories at given positions; labels never overlap (see the module docstring)."""

    ANGLE = 40  # degrees the bottom labels are slanted by

    def __init__(
        self,
        orientation: str,
        max_label_px: int = 150,
        elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
        **kwargs,
    ) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self.max_label_px = max_label_px
        self.elide = elide
        self.labels: list[tuple[float, str]] = []
        self.shown: list[tuple[float, str]] = []  # what the last paint drew, for tests

    def set_labels(self, labels: list[tuple[float, str]]) -> None:
        self.labels = [(float(p), str(t)) for p, t in labels]
        metrics = self._metrics()
        if self.orientation in ("left", "right"):
            self.setTicks([[(p, self._elide(t, self.max_label_px)) for p, t in self.labels]])
            widest = max(
                (
                    metrics.horizontalAdvance(self._elide(t, self.max_label_px))
                    for _, t in self.labels
                ),
                default=20,
            )
            self.setWidth(int(widest) + 18 + (25 if self.label.isVisible() else 0))
        else:
            self.setTicks([[(p, "") for p, _ in self.labels]])  # ticks only; text in drawPicture
            longest = max(
                (
                    metrics.horizontalAdvance(self._elide(t, self.max_label_px))
                    for _, t in self.labels
                ),
                default=0,
            )
            slant = math.sin(math.radians(self.ANGLE)) * longest + metrics.height()
            self.setHeight(int(slant) + 16 + (22 if self.label.isVisible() else 0))
        self.picture = None
        self.update()

    def boundingRect(self):
        # Slanted labels reach left of their tick, past the axis' own left end: paint there too
        # (over the empty corner under the left axis) instead of clipping the first label.
        rect = super().boundingRect()
        if self.orientation == "bottom" and self.labels:
            reach = math.cos(math.radians(self.ANGLE)) * self.max_label_px
            rect = rect.adjusted(-reach, 0, 0, 0)
        return rect

    def label_at(self, value: float) -> str | None:
        """The full label of the category nearest `value` (within half a step), for tooltips."""
        if not self.labels:
            return None
        position, text = min(self.labels, key=lambda pt: abs(pt[0] - value))
        step = _step(self.labels)
        return text if abs(position - value) <= step / 2 else None

    def hoverEvent(self, event) -> None:
        """The full name of the label under the mouse as the axis' tooltip."""
        view = self.linkedView()
        if event.isExit() or view is None:
            return
        point = view.mapSceneToView(event.scenePos())
        vertical = self.orientation in ("left", "right")
        self.setToolTip(self.label_at(point.y() if vertical else point.x()) or "")

    def _metrics(self) -> QFontMetricsF:
        return QFontMetricsF(self.style["tickFont"] or self.font())

    def _elide(self, text: str, width: float) -> str:
        return self._metrics().elidedText(text, self.elide, max(width, 12))

    def _pixel(self, value: float) -> float:
        low, high = self.range
        if high == low:
            return 0.0
        share = (value - low) / (high - low)
        if self.orientation in ("left", "right"):
            return self.height() * (share if self.range[0] > self.range[1] else 1 - share)
        return self.width() * share

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):
        if self.orientation in ("left", "right"):
            self._thin_vertical(textSpecs)
            return super().drawPicture(p, axisSpec, tickSpecs, textSpecs)
        super().drawPicture(p, axisSpec, tickSpecs, [])
        metrics = self._metrics()
        if self.style["tickFont"] is not None:
            p.setFont(self.style["tickFont"])
        p.setPen(self.textPen())
        p.setRenderHint(p.RenderHint.TextAntialiasing, True)
        visible = [(v, t) for v, t in self.labels if 0 <= self._pixel(v) <= self.width()]
        spacing = metrics.height() / math.sin(math.radians(self.ANGLE))  # slanted line's pitch
        step_px = abs(self._pixel(_step(self.labels)) - self._pixel(0)) if self.labels else 1
        every = max(1, math.ceil(spacing / max(step_px, 1e-6)))
        room = (self.height() - metrics.height() - 10) / math.sin(math.radians(self.ANGLE))
        width = min(self.max_label_px, room)
        origin = self.mapToScene(QPointF(0, 0)).x()  # how far the widget reaches to the left
        self.shown = []
        for index, (value, text) in enumerate(visible):
            if index % every:
                continue
            left_room = (origin + self._pixel(value) - 4) / math.cos(math.radians(self.ANGLE))
            shown = self._elide(text, min(width, left_room))
            self.shown.append((value, shown))
            p.save()
            p.translate(QPointF(self._pixel(value), 8))
            p.rotate(-self.ANGLE)
            advance = metrics.horizontalAdvance(shown)
            p.drawText(
                QRectF(-advance - 2, -metrics.height() / 2, advance + 2, metrics.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                shown,
            )
            p.restore()

    def _thin_vertical(self, textSpecs: list) -> None:
        """Drop left labels that would touch the one above (keeps every k-th)."""
        if len(textSpecs) < 2:
            self.shown = [(0.0, t) for _, _, t in textSpecs]
            return
        pitch = abs(textSpecs[1][0].center().y() - textSpecs[0][0].center().y())
        every = max(1, math.ceil(self._metrics().height() / max(pitch, 1e-6)))
        kept = [spec for i, spec in enumerate(textSpecs) if i % every == 0]
        textSpecs[:] = kept
        self.shown = [(0.0, t) for _, _, t in kept]


def _step(labels: list[tuple[float, str]]) -> float:
    positions = sorted(p for p, _ in labels)
    gaps = [b - a for a, b in zip(positions, positions[1:], strict=False) if b > a]
    return min(gaps) if gaps else 1.0


def install_label_axis(
    plot, side: str, max_label_px: int = 150, elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight
) -> LabelAxis:
    """Put a LabelAxis on `side` of `plot` (once) and return it. `elide`: which part of a long
    label goes (ElideMiddle for run ids, which differ at both ends: "…142054-tune-2")."""
    item = _item(plot)
    axis = item.getAxis(side)
    if not isinstance(axis, LabelAxis):
        axis = _replace(item, side, LabelAxis(side, max_label_px=max_label_px, elide=elide))
    return axis
