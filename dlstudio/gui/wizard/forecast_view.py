"""The Results step of a forecast run: the series with the test forecasts on one zoomable
plot, and the backtest's metrics beside the baselines.

Reads what the run saved (core/series_results.py, evaluation.json); no Keras. A run from
before the plot data was kept still shows its table, with a line saying why there is no plot.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core.data.timeseries import format_time
from dlstudio.core.series_results import read_forecast_results
from dlstudio.gui.plots.series_results import ForecastPlot
from dlstudio.gui.widgets import boxed
from dlstudio.gui.wizard.results_summary import forecast_table


class ForecastView(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plot = ForecastPlot()
        self.origin = QComboBox()
        self.origin.setToolTip(
            "The test forecasts start from every step of the test period in turn (a rolling "
            "origin). Pick the one whose forecast to draw in full, with its interval."
        )
        self.origin.currentIndexChanged.connect(self._origin_chosen)
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.missing.hide()
        self.table = QTableWidget(0, 1)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.interval_note = QLabel()
        self.interval_note.setWordWrap(True)
        self.interval_note.setStyleSheet("color: #555555")
        choose = QHBoxLayout()
        choose.addWidget(QLabel("Forecast made at:"))
        choose.addWidget(self.origin)
        choose.addStretch(1)
        choose.addWidget(QLabel("Drag to pan, wheel to zoom, right-click for the full view."))
        plot_box = QWidget()
        plot_layout = QVBoxLayout(plot_box)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        plot_layout.addLayout(choose)
        plot_layout.addWidget(self.plot, 1)
        plot_layout.addWidget(self.missing)
        plot_layout.addWidget(self.interval_note)
        table_box = boxed("Test backtest: the model beside simple rules", self.table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(plot_box, 1)
        layout.addWidget(table_box)
        self.results = None

    def set_run(self, run) -> None:
        evaluation = run.evaluation() or {}
        card = run.card() or {}
        self._fill_table(evaluation)
        self.results = read_forecast_results(run.path)
        self.origin.blockSignals(True)
        self.origin.clear()
        if self.results is None or self.results.forecasts.empty:
            self.plot.hide()
            self.origin.setEnabled(False)
            self.missing.setText(
                "This run kept no plot data (it was trained by an earlier dlstudio); the table "
                "below still says how it did. Train again to see its forecasts drawn."
            )
            self.missing.show()
            self.interval_note.clear()
        else:
            self.missing.hide()
            self.plot.show()
            self.origin.setEnabled(True)
            frequency = card.get("frequency") or ""
            for origin in self.results.origins:
                self.origin.addItem(format_time(origin, frequency))
            self.plot.show_results(self.results, card.get("target") or "value")
            coverage = (evaluation.get("interval") or {}).get("coverage")
            self.interval_note.setText(
                "Shaded: the test period. "
                + (
                    f"Bands: the interval that held {coverage:.0%} of the validation errors at "
                    "each step ahead. "
                    if coverage
                    else ""
                )
                + _future_words(self.results, frequency)
            )
        self.origin.blockSignals(False)

    @Slot(int)
    def _origin_chosen(self, index: int) -> None:
        if self.results is not None and index >= 0:
            self.plot.show_origin(index)

    def _fill_table(self, evaluation: dict) -> None:
        headers, rows, tips, best = forecast_table(evaluation)
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if c == best[r]:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
            self.table.item(r, 0).setToolTip(tips[r])
        self.table.resizeRowsToContents()
        self.table.setToolTip("The best value of each row is in bold.")
        # Four rows: the whole table shows, with no scroll bar to find.
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(height + 2)


def _future_words(results, frequency: str) -> str:
    """What the green line is, or why there is none."""
    future = results.future
    if future is None or future.empty:
        return (
            "The steps after the data are not drawn: this run kept none (trained by an earlier "
            "dlstudio, or covariates known ahead have no values after the data). The Export "
            "step forecasts them from a history file."
        )
    first, last = (
        format_time(t, frequency) for t in (future["time"].iloc[0], future["time"].iloc[-1])
    )
    return (
        f"Green: the forecast of the {len(future)} steps after the data ({first} to {last}), "
        "by the saved model from the last values, as the Export step and dlstudio predict give it."
    )
