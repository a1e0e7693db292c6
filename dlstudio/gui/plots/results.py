"""Plots of a finished run's evaluation: confusion matrix, ROC curves, predicted vs actual."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from dlstudio.gui.colours import colour
from dlstudio.gui.plots import pg as _configured  # noqa: F401


class ConfusionMatrixPlot(pg.PlotWidget):
    """A heatmap of counts, rows = true class, columns = predicted class."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Confusion matrix")
        self.setToolTip(
            "Rows: the true class. Columns: the predicted class. The diagonal is right."
        )
        self.invertY(True)
        self.setMouseEnabled(False, False)
        self._texts = []

    def show_matrix(self, matrix: list[list[int]], names: list[str]) -> None:
        self.clear()
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
        ticks = [[(k + 0.5, str(name)) for k, name in enumerate(names)]]
        self.getAxis("bottom").setTicks(ticks)
        self.getAxis("left").setTicks(ticks)
        self.setLabel("bottom", "predicted")
        self.setLabel("left", "true")
        self.setXRange(0, n, padding=0.02)
        self.setYRange(0, n, padding=0.02)


class RocPlot(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="ROC curves")
        self.setToolTip(
            "Each class against the rest; up and to the left is better, the dashed "
            "line is guessing."
        )
        self.setLabel("bottom", "false positive rate")
        self.setLabel("left", "true positive rate")
        self.addLegend(offset=(-10, -10))
        self.showGrid(x=True, y=True, alpha=0.2)

    def show_curves(self, roc: dict) -> None:
        self.clear()
        self.plotItem.legend.clear()
        self.plot([0, 1], [0, 1], pen=pg.mkPen(150, 150, 150, style=pg.QtCore.Qt.PenStyle.DashLine))
        for k, (name, curve) in enumerate(roc.items()):
            pen = pg.mkPen(colour(k), width=2)
            self.plot(curve["fpr"], curve["tpr"], pen=pen, name=f"{name} (AUC {curve['auc']:.3f})")


class ScatterPlot(pg.PlotWidget):
    """Predicted against actual values, with the diagonal a perfect model would sit on."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="Predicted vs actual (the diagonal is perfect)")
        self.setLabel("bottom", "actual")
        self.setLabel("left", "predicted")
        self.showGrid(x=True, y=True, alpha=0.2)

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
