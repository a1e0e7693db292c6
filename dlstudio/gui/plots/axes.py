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
  elided. With `every_label` (a confusion matrix: each row and column must be named), bottom
  labels stand upright and the font shrinks instead, thinning only below a legible size.
  `label_at(value)` gives the full name for tooltips.

Numbers on value axes are written out, never in e-notation: 20,000 rather than 2e+04.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF

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
            return plain_ticks(values, scale, spacing)
        digits = max(0, -math.floor(math.log10(spacing * 100))) if spacing > 0 else 0
        return [f"{100 * v:.{digits}f} %" for v in values]


def plain_ticks(values, scale: float, spacing: float) -> list[str]:
    """Tick labels as people write numbers: 20,000 and 0.00005, where pyqtgraph writes 2e+04
    and 5e-05 (it switches to e-notation from 10,000 and below 0.001)."""
    places = max(0, math.ceil(-math.log10(spacing * scale))) if spacing * scale > 0 else 0
    strings = []
    for value in values:
        shown = value * scale
        if places == 0 and abs(shown) >= 10_000:
            strings.append(f"{shown:,.0f}")
        else:
            strings.append(f"{shown:.{places}f}")
    return strings


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

    MIN_POINT_SIZE = 6.0  # every_label shrinks the font down to this, then thins

    def __init__(
        self,
        orientation: str,
        max_label_px: int = 150,
        elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
        every_label: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self.max_label_px = max_label_px
        self.elide = elide
        self.every_label = every_label
        self.angle = self.ANGLE  # upright (90) when every_label needs it
        self.labels: list[tuple[float, str]] = []
        self.shown: list[tuple[float, str]] = []  # what the last paint drew, for tests
        self.shown_font: QFont | None = None  # the font the last paint drew them in

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
            self._fit_height()
        self.picture = None
        self.update()

    def _fit_height(self) -> None:
        """Room under the axis for the labels at the slant they are drawn at."""
        metrics = self._metrics()
        longest = max(
            (metrics.horizontalAdvance(self._elide(t, self.max_label_px)) for _, t in self.labels),
            default=0,
        )
        self.angle = self._fitting_angle()
        slant = math.sin(math.radians(self.angle)) * longest + metrics.height()
        height = int(slant) + 16 + (22 if self.label.isVisible() else 0)
        if height != self.height():
            self.setHeight(height)

    def _fitting_angle(self) -> float:
        """every_label: 40° while slanted labels fit side by side, upright (90°) when not."""
        if not self.every_label or not self.labels or self.width() <= 1:
            return self.ANGLE
        slanted = self._metrics().height() / math.sin(math.radians(self.ANGLE))
        return self.ANGLE if self._step_px() >= slanted else 90.0

    def _step_px(self) -> float:
        return abs(self._pixel(_step(self.labels)) - self._pixel(0)) if self.labels else 1.0

    def resizeEvent(self, event=None) -> None:
        super().resizeEvent(event)
        if getattr(self, "every_label", False) and self.orientation == "bottom" and self.labels:
            angle = self._fitting_angle()
            if angle != self.angle:
                self._fit_height()
                self.picture = None

    def linkedViewChanged(self, view, newRange=None) -> None:
        super().linkedViewChanged(view, newRange)
        bottom = self.every_label and self.orientation == "bottom" and self.labels
        if bottom and self._fitting_angle() != self.angle:
            self._fit_height()

    def _fitting_font(self, pitch_px: float) -> QFont:
        """every_label: the tick font, shrunk (to MIN_POINT_SIZE at least) until a line of it
        fits in `pitch_px`."""
        font = QFont(self.style["tickFont"] or self.font())
        if not self.every_label:
            return font
        size = font.pointSizeF() if font.pointSizeF() > 0 else 9.0
        while size > self.MIN_POINT_SIZE and QFontMetricsF(font).height() > pitch_px:
            size = max(self.MIN_POINT_SIZE, size - 0.5)
            font.setPointSizeF(size)
        return font

    def boundingRect(self):
        # Slanted labels reach left of their tick, past the axis' own left end: paint there too
        # (over the empty corner under the left axis) instead of clipping the first label.
        rect = super().boundingRect()
        if self.orientation == "bottom" and self.labels:
            angle = getattr(self, "angle", self.ANGLE)  # boundingRect is asked during __init__
            reach = math.cos(math.radians(angle)) * self.max_label_px
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
            return self._draw_vertical(p, axisSpec, tickSpecs, textSpecs)
        super().drawPicture(p, axisSpec, tickSpecs, [])
        angle = math.radians(self.angle)
        step_px = self._step_px()
        font = self._fitting_font(step_px * math.sin(angle))
        metrics = QFontMetricsF(font)
        self.shown_font = font
        p.setFont(font)
        p.setPen(self.textPen())
        p.setRenderHint(p.RenderHint.TextAntialiasing, True)
        visible = [(v, t) for v, t in self.labels if 0 <= self._pixel(v) <= self.width()]
        spacing = metrics.height() / math.sin(angle)  # slanted line's pitch
        every = max(1, math.ceil(spacing / max(step_px, 1e-6) - 1e-9))
        room = (self.height() - metrics.height() - 10) / math.sin(angle)
        width = min(self.max_label_px, room)
        origin = self.mapToScene(QPointF(0, 0)).x()  # how far the widget reaches to the left
        self.shown = []
        for index, (value, text) in enumerate(visible):
            if index % every:
                continue
            reach = math.cos(angle)
            left_room = (origin + self._pixel(value) - 4) / reach if reach > 1e-6 else math.inf
            shown = metrics.elidedText(text, self.elide, max(min(width, left_room), 12))
            self.shown.append((value, shown))
            p.save()
            p.translate(QPointF(self._pixel(value), 8))
            p.rotate(-self.angle)
            advance = metrics.horizontalAdvance(shown)
            p.drawText(
                QRectF(-advance - 2, -metrics.height() / 2, advance + 2, metrics.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                shown,
            )
            p.restore()

    def _draw_vertical(self, p, axisSpec, tickSpecs, textSpecs) -> None:
        pitch = (
            abs(textSpecs[1][0].center().y() - textSpecs[0][0].center().y())
            if len(textSpecs) > 1
            else math.inf
        )
        font = self._fitting_font(pitch)
        self.shown_font = font
        self._thin_vertical(textSpecs, QFontMetricsF(font).height())
        kept = self.style["tickFont"]
        self.style["tickFont"] = font  # pyqtgraph draws the texts in it
        try:
            super().drawPicture(p, axisSpec, tickSpecs, textSpecs)
        finally:
            self.style["tickFont"] = kept

    def _thin_vertical(self, textSpecs: list, line_height: float) -> None:
        """Drop left labels that would touch the one above (keeps every k-th)."""
        if len(textSpecs) < 2:
            self.shown = [(0.0, t) for _, _, t in textSpecs]
            return
        pitch = abs(textSpecs[1][0].center().y() - textSpecs[0][0].center().y())
        every = max(1, math.ceil(line_height / max(pitch, 1e-6) - 1e-9))
        kept = [spec for i, spec in enumerate(textSpecs) if i % every == 0]
        textSpecs[:] = kept
        self.shown = [(0.0, t) for _, _, t in kept]


def _step(labels: list[tuple[float, str]]) -> float:
    positions = sorted(p for p, _ in labels)
    gaps = [b - a for a, b in zip(positions, positions[1:], strict=False) if b > a]
    return min(gaps) if gaps else 1.0


def install_label_axis(
    plot,
    side: str,
    max_label_px: int = 150,
    elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
    every_label: bool = False,
) -> LabelAxis:
    """Put a LabelAxis on `side` of `plot` (once) and return it. `elide`: which part of a long
    label goes (ElideMiddle for run ids, which differ at both ends: "…142054-tune-2");
    `every_label`: name every category, upright and smaller rather than every k-th."""
    item = _item(plot)
    axis = item.getAxis(side)
    if not isinstance(axis, LabelAxis):
        axis = LabelAxis(side, max_label_px=max_label_px, elide=elide, every_label=every_label)
        axis = _replace(item, side, axis)
    return axis
