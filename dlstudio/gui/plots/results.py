"""Plots of a finished run's evaluation: confusion matrix, ROC curves, predicted vs actual."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

from dlstudio.gui.colours import PALETTE, colour
from dlstudio.gui.plots import pg as _configured  # noqa: F401
from dlstudio.gui.plots.axes import install_label_axis, plain_axes


class ConfusionMatrixPlot(pg.PlotWidget):
    """A heatmap of counts, rows = true class, columns = predicted class.

    Signals:
        cell_clicked(true_index, predicted_index): the user clicked that cell.
    """

    cell_clicked = pg.QtCore.Signal(int, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Confusion matrix")
        self.setToolTip(
            "Rows: the true class. Columns: the predicted class. The diagonal is right."
        )
        self.invertY(True)
        self.setMouseEnabled(False, False)
        plain_axes(self)
        # Every class named on both axes (a user looks for their class, not every other one):
        # upright and smaller when there are many, never thinned to every k-th.
        self.bottom = install_label_axis(self, "bottom", max_label_px=120, every_label=True)
        self.left = install_label_axis(self, "left", max_label_px=150, every_label=True)
        self.data = np.zeros((0, 0))
        self.names: list[str] = []
        self.scene().sigMouseMoved.connect(self._hovered)
        self._cells = 0  # classes in the matrix shown
        self.scene().sigMouseClicked.connect(self._clicked)

    def show_matrix(self, matrix: list[list[int]], names: list[str]) -> None:
        self.clear()
        self._cells = len(names)
        data = np.array(matrix, dtype=float)
        shares = data / np.maximum(data.sum(axis=1, keepdims=True), 1)
        image = pg.ImageItem(shares.T)  # ImageItem is column-major: x = predicted, y = true
        image.setLookupTable(pg.colormap.get("CET-L12").getLookupTable())
        image.setLevels((0, 1))
        self.addItem(image)
        n = len(names)
        if n <= 20:
            for i in range(n):
                for j in range(n):
                    colour = "w" if shares[i, j] > 0.6 else "k"
                    text = pg.TextItem(str(int(data[i, j])), color=colour, anchor=(0.5, 0.5))
                    text.setPos(j + 0.5, i + 0.5)
                    self.addItem(text)
        self.data, self.names = data, [str(name) for name in names]
        ticks = [(k + 0.5, str(name)) for k, name in enumerate(names)]
        self.setLabel("bottom", "predicted class")
        self.setLabel("left", "true class")
        self.bottom.set_labels(ticks)
        self.left.set_labels(ticks)
        self.setXRange(0, n, padding=0.02)
        self.setYRange(0, n, padding=0.02)

    def _clicked(self, event) -> None:
        point = self.plotItem.vb.mapSceneToView(event.scenePos())
        column, row = int(np.floor(point.x())), int(np.floor(point.y()))
        if 0 <= row < self._cells and 0 <= column < self._cells:
            self.cell_clicked.emit(row, column)

    def cell_words(self, true: int, predicted: int) -> str:
        """What a cell says, for its tooltip: "True Ankle boot, predicted Sneaker: 12 of 100
        rows (12 %)"."""
        row = self.data[true]
        count, total = int(row[predicted]), int(row.sum())
        share = f" ({100 * count / total:.0f} %)" if total else ""
        return (
            f"True {self.names[true]}, predicted {self.names[predicted]}: "
            f"{count} of {total} rows{share}"
        )

    def _hovered(self, position) -> None:
        n = len(self.names)
        tip = ""
        if n:
            if self.plotItem.vb.sceneBoundingRect().contains(position):
                point = self.plotItem.vb.mapSceneToView(position)
                i, j = int(np.floor(point.y())), int(np.floor(point.x()))
                if 0 <= i < n and 0 <= j < n:
                    tip = self.cell_words(i, j)
            elif self.bottom.sceneBoundingRect().contains(position):
                x = self.plotItem.vb.mapSceneToView(position).x()
                tip = "Predicted: " + (self.bottom.label_at(x) or "")
            elif self.left.sceneBoundingRect().contains(position):
                y = self.plotItem.vb.mapSceneToView(position).y()
                tip = "True: " + (self.left.label_at(y) or "")
        self.setToolTip(
            tip or "Rows: the true class. Columns: the predicted class. The diagonal is right."
        )


class RocPlot(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="ROC curves")
        self.setToolTip(
            "Each class against the rest; up and to the left is better, the dashed line is "
            "guessing. True positive rate: the share of a class's rows found; false positive "
            "rate: the share of the other rows flagged as that class."
        )
        # Short labels: the plot narrows beside its legend and a long one loses its start.
        self.setLabel("bottom", "false positive rate")
        self.setLabel("left", "true positive rate")
        self.showGrid(x=True, y=True, alpha=0.2)
        plain_axes(self)
        self.setXRange(0, 1, padding=0.02)
        self.setYRange(0, 1, padding=0.02)
        # Beside its legend the plot is narrow, and pyqtgraph's automatic ticks ran together
        # ("0.20.40.60.8"): three per axis read at any width.
        ticks = [[(v, f"{v:g}") for v in (0.0, 0.5, 1.0)], [(v, "") for v in (0.25, 0.75)]]
        for side in ("bottom", "left"):
            self.getAxis(side).setTicks(ticks)
        # The legend sits beside the plot, never over the curves; kept at its own height at
        # the top of its cell (stretched to the plot's height, it drew each line sample apart
        # from its name).
        self.legend = pg.LegendItem(verSpacing=-4)
        self.legend.setParentItem(None)
        self.plotItem.layout.addItem(self.legend, 2, 3, pg.QtCore.Qt.AlignmentFlag.AlignTop)
        self.plotItem.legend = self.legend
        fixed = pg.QtWidgets.QSizePolicy.Policy.Maximum
        self.legend.setSizePolicy(pg.QtWidgets.QSizePolicy.Policy.Preferred, fixed)

    def show_curves(self, roc: dict) -> None:
        self.clear()
        self.legend.clear()
        self.plot([0, 1], [0, 1], pen=pg.mkPen(150, 150, 150, style=pg.QtCore.Qt.PenStyle.DashLine))
        for k, (name, curve) in enumerate(roc.items()):
            item = self.plot(curve["fpr"], curve["tpr"], pen=curve_pen(k))
            self.legend.addItem(item, f"{_short(str(name))} (AUC {curve['auc']:.3f})")
        self.setXRange(0, 1, padding=0.02)
        self.setYRange(0, 1, padding=0.02)


# After the app's ten class colours: ten more, darker, unlike any of them, drawn dashed, so
# that the 11th class is not drawn as the 1st (20 distinct curves, then dotted repeats).
MORE_COLOURS = [
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#000000",
    "#8ca252",
    "#bd9e39",
    "#5254a3",
    "#a55194",
]


def curve_pen(k: int) -> QPen:
    """The pen of the k-th class's curve: its class colour for the first ten, then colours
    and dashes of its own."""
    if k < len(PALETTE):
        return pg.mkPen(colour(k), width=2)
    k -= len(PALETTE)
    style = Qt.PenStyle.DashLine if k < len(MORE_COLOURS) else Qt.PenStyle.DotLine
    return pg.mkPen(QColor(MORE_COLOURS[k % len(MORE_COLOURS)]), width=2, style=style)


class ScatterPlot(pg.PlotWidget):
    """Predicted against actual values, with the diagonal a perfect model would sit on."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Predicted vs actual (the diagonal is perfect)")
        self.setLabel("bottom", "actual")
        self.setLabel("left", "predicted")
        self.showGrid(x=True, y=True, alpha=0.2)
        plain_axes(self)

    def show_points(self, actual: list[float], predicted: list[float]) -> None:
        self.clear()
        if not actual:
            return
        low, high = min(min(actual), min(predicted)), max(max(actual), max(predicted))
        self.plot(
            [low, high],
            [low, high],
            pen=pg.mkPen(150, 150, 150, style=pg.QtCore.Qt.PenStyle.DashLine),
        )
        self.plot(
            actual,
            predicted,
            pen=None,
            symbol="o",
            symbolSize=6,
            symbolBrush=pg.mkBrush(31, 119, 180, 140),
            symbolPen=None,
        )


def _short(name: str, limit: int = 24) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
