"""The decision threshold of a two-class model: a slider over the probability of the positive
class, with precision, recall, F1, accuracy and the 2×2 confusion matrix on the validation rows
as it moves (numpy on the saved predictions: instant), and a button that keeps it with the run,
so its model card states it and predictions label with it.

The test rows play no part in choosing: they report, apart, how the kept threshold does (the
honest estimate), and move only when another threshold is kept. A run saved before validation
predictions were kept chooses on its test rows, as before, and says so.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core import test_predictions as tp
from dlstudio.core import threshold as th
from dlstudio.core.errors import DlstudioError

_NO_RUN = "Train a two-class model to choose its decision threshold here."
STEPS = 100  # the slider counts hundredths
_RIGHT, _WRONG = QColor("#dcedc8"), QColor("#ffcdd2")
_MEASURES = (
    ("precision", "Precision", "of the rows flagged {positive}, the share that truly are"),
    ("recall", "Recall", "of the rows that truly are {positive}, the share flagged"),
    ("f1", "F1", "one number balancing precision and recall"),
    ("accuracy", "Accuracy", "of all these rows, the share labelled right"),
)


class ThresholdView(QWidget):
    """The threshold control of one two-class run.

    Signals:
        threshold_saved(threshold): the user kept a threshold for the run.
    """

    threshold_saved = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.run = None
        self.rows: th.ThresholdRows | None = None
        self.names: list[str] = []
        self.stats: th.AtThreshold | None = None
        self.default: th.AtThreshold | None = None
        self._saved: float | None = None  # the threshold the run keeps
        self._notes: dict[str, str] = {}  # what each measure is, for this run's classes
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.RichText)  # class names escaped in set_run
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(round(th.LOWEST * STEPS), round(th.HIGHEST * STEPS))
        self.slider.setValue(round(th.DEFAULT * STEPS))
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(49)  # ticks at 0.01, 0.5 (the default) and 0.99
        self.slider.setPageStep(5)
        self.slider.valueChanged.connect(self._moved)
        self.value = QLabel()
        self.value.setMinimumWidth(60)
        self.value.setStyleSheet("font-size: 16px; font-weight: bold")
        scale = QHBoxLayout()
        for text, align in (
            ("0.01", Qt.AlignmentFlag.AlignLeft),
            ("0.5: the default", Qt.AlignmentFlag.AlignHCenter),
            ("0.99", Qt.AlignmentFlag.AlignRight),
        ):
            label = QLabel(text)
            label.setAlignment(align)
            label.setStyleSheet("color: #555")
            scale.addWidget(label, 1)
        self.trade = QLabel()
        self.trade.setWordWrap(True)
        self.trade.setTextFormat(Qt.TextFormat.PlainText)
        self.trade.setStyleSheet("font-size: 14px")
        self.measures = QGridLayout()
        self.measure_values: dict[str, QLabel] = {}
        self.measure_notes: dict[str, QLabel] = {}
        for row, (key, name, _) in enumerate(_MEASURES):
            value, note = QLabel(), QLabel()
            value.setStyleSheet("font-weight: bold")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            note.setTextFormat(Qt.TextFormat.PlainText)
            note.setStyleSheet("color: #555")
            self.measures.addWidget(QLabel(name), row, 0)
            self.measures.addWidget(value, row, 1)
            self.measures.addWidget(note, row, 2)
            self.measure_values[key], self.measure_notes[key] = value, note
        self.measures.setColumnStretch(2, 1)
        self.matrix = QTableWidget(2, 2)
        self.matrix.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.matrix.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for header in (self.matrix.horizontalHeader(), self.matrix.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix.setMinimumHeight(110)
        self.matrix.setMaximumHeight(130)
        self.matrix.setMaximumWidth(560)
        self.use = QPushButton("Use this threshold")
        self.use.setToolTip(
            "Keep it with the run: its model card states it, and predictions (dlstudio predict "
            "and the Export page) label with it."
        )
        self.use.clicked.connect(self._use)
        self.reset = QPushButton("Back to 0.5")
        self.reset.clicked.connect(lambda: self.slider.setValue(round(th.DEFAULT * STEPS)))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)  # escaped where it is set
        # The test rows' figures at the kept threshold: apart from the choosing above.
        self.report = QLabel()
        self.report.setWordWrap(True)
        self.report.setTextFormat(Qt.TextFormat.RichText)  # escaped where it is set
        self.report.setStyleSheet(
            "background: #eef3f8; border: 1px solid #c5d3e0; border-radius: 4px; padding: 8px"
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        slider_row = QHBoxLayout()
        slider_row.addWidget(QLabel("Threshold"))
        slider_row.addWidget(self.slider, 1)
        slider_row.addWidget(self.value)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use)
        buttons.addWidget(self.reset)
        buttons.addWidget(self.status, 1)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.addWidget(self.intro)
        body.addLayout(slider_row)
        scale.setContentsMargins(70, 0, 70, 0)
        body.addLayout(scale)
        body.addWidget(self.trade)
        body.addLayout(self.measures)
        body.addWidget(self.matrix)
        body.addLayout(buttons)
        body.addWidget(self.report)
        body.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.body, 1)
        self._show_message(_NO_RUN)

    # ------------------------------------------------------------ what the page calls

    def set_run(self, run) -> None:
        """Show the threshold control for `run` (a RunFolder): its saved threshold, or 0.5."""
        self.run, self.rows, self.names, self.stats = run, None, [], None
        try:
            rows = th.load_rows(run.path) if run is not None else None
        except ValueError:  # not two classes
            self._show_message(
                "A decision threshold applies to models that tell two classes apart; this one "
                "does not."
            )
            return
        if rows is None:
            self._show_message(tp.NOT_KEPT if run is not None else _NO_RUN)
            return
        self.rows, self.names = rows, rows.names
        self.default = rows.choose.at(th.DEFAULT)
        negative, positive = (f"<b>{html.escape(n)}</b>" for n in self.names)
        where = f"<b>{html.escape(th.choosing_words(rows))}</b>"
        if not rows.separate:  # a warning, not a heading
            where = f"<span style='color:#8a4b00'>{html.escape(th.choosing_words(rows))}</span>"
        self.intro.setText(
            f"For each row, the model gives a probability that it is {positive}. Rows at or "
            f"above the threshold are labelled {positive}, the others {negative}. A lower "
            f"threshold catches more of the {positive} rows but raises more false alarms; a "
            f"higher one flags fewer rows and is right more often when it does.<br>The figures "
            f"below are {where}."
        )
        split = rows.choose.split
        self.matrix.setToolTip(
            f"The {split} rows by their true class (rows) and the label they get at this "
            "threshold (columns). Green: right; red: wrong."
        )
        self._notes = {k: note.format(positive=repr(self.names[1])) for k, _, note in _MEASURES}
        labels = [f"Labelled {n!r}" for n in self.names]
        self.matrix.setHorizontalHeaderLabels(labels)
        self.matrix.setVerticalHeaderLabels([f"Truly {n!r}" for n in self.names])
        self.message.hide()
        self.body.show()
        saved = th.saved_threshold(run.path)
        self._saved = saved
        self._say_report()
        value = round((saved if saved is not None else th.DEFAULT) * STEPS)
        if self.slider.value() == value:
            self._moved(value)
        else:
            self.slider.setValue(value)

    def threshold(self) -> float:
        return self.slider.value() / STEPS

    # ------------------------------------------------------------ showing

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.body.hide()

    @Slot(int)
    def _moved(self, value: int) -> None:
        if not self.names:
            return
        t = value / STEPS
        self.stats = stats = self.rows.choose.at(t)
        self.value.setText(f"{t:.2f}")
        self.trade.setText(th.trade_words(stats, self.names[1]))
        for key, _, _ in _MEASURES:
            now = getattr(stats, key)
            before = getattr(self.default, key)
            self.measure_values[key].setText(f"{now * 100:.0f} %")
            self.measure_notes[key].setText(f"{self._notes[key]} (at 0.5: {before * 100:.0f} %)")
        for i, row in enumerate(stats.matrix):
            for j, count in enumerate(row):
                item = QTableWidgetItem(f"{count}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(_RIGHT if i == j else _WRONG))
                self.matrix.setItem(i, j, item)
        self._say_saved()

    def _say_saved(self) -> None:
        saved = self._saved
        if saved is None:
            text = "Not kept yet: this model's predictions use 0.5."
        elif abs(saved - self.threshold()) < 1e-9:
            text = (
                f"Kept with the run: predictions label {html.escape(repr(self.names[1]))} "
                f"from {saved:g} on (export again to carry it into an exported model)."
            )
        else:
            text = f"The run keeps {saved:g}; press the button to keep {self.threshold():g}."
        self.status.setText(text)

    def _say_report(self) -> None:
        """The test rows' figures at the kept threshold (0.5 while none is kept)."""
        kept = self._saved if self._saved is not None else th.DEFAULT
        which = (
            f"the threshold kept ({kept:g})"
            if self._saved is not None
            else f"the default ({kept:g}), as none is kept yet"
        )
        heading = "Honest estimate, at" if self.rows.separate else "At"
        self.report.setText(
            f"<b>{heading} {which}</b>; it changes only when you keep another threshold:<br>"
            f"{html.escape(th.report_words(self.rows, kept))}"
        )

    @Slot()
    def _use(self) -> None:
        if self.run is None or self.rows is None:
            return
        t = self.threshold()
        try:
            th.keep_threshold(self.run.path, t, self.rows)
        except DlstudioError as error:
            self.status.setText(f"<span style='color:#b00020'>{html.escape(str(error))}</span>")
            return
        self._saved = t
        self._say_saved()
        self._say_report()
        self.threshold_saved.emit(t)
