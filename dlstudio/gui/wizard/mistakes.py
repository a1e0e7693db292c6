"""The mistakes: the test examples the model got wrong, per true and predicted class, the most
confident wrong answers first (for regression, the largest errors). Images as thumbnails
(decoded off the GUI thread), texts as a list, table rows with their values.

It reads the run's test_predictions.csv; clicking a confusion-matrix cell opens it on that cell.
"""

from __future__ import annotations

import html

import pandas as pd
from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core import test_predictions as tp
from dlstudio.gui.tasks import BackgroundTask
from dlstudio.gui.wizard.image_grid import read_thumbnails

MAX_SHOWN = 200  # the most confident mistakes; a person looks at the first few dozen
THUMB = 96
ALL = ("", "")  # the choice "all mistakes"
_NO_RUN = "Train a model to see the test examples it got wrong."


class MistakesView(QWidget):
    """The misclassified test examples of one run, filtered by (true, predicted) class."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.frame: pd.DataFrame | None = None
        self.shown: pd.DataFrame = pd.DataFrame()  # the rows on screen, in order
        self._task: BackgroundTask | None = None
        self._captions: list[tuple[str, str]] = []
        self._generation = 0  # which thumbnails are wanted: earlier ones are dropped
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.choice = QComboBox()
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.choice.currentIndexChanged.connect(self._show_choice)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setStyleSheet("color: #555")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.images = QListWidget()
        self.images.setViewMode(QListView.ViewMode.IconMode)
        self.images.setIconSize(QSize(THUMB, THUMB))
        self.images.setGridSize(QSize(THUMB + 48, THUMB + 44))
        self.images.setResizeMode(QListView.ResizeMode.Adjust)
        self.images.setMovement(QListView.Movement.Static)
        self.images.setWordWrap(True)
        self.rows = QTableWidget()
        self.rows.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rows.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rows.verticalHeader().hide()
        self.rows.setWordWrap(True)
        self.stack = QStackedWidget()
        for widget in (self.message, self.images, self.rows):
            self.stack.addWidget(widget)
        self.chooser = QWidget()
        top = QHBoxLayout(self.chooser)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.choice)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.chooser)
        layout.addWidget(self.note)
        layout.addWidget(self.stack, 1)
        self._say(_NO_RUN)

    # ------------------------------------------------------------ what the page calls

    def set_run(self, run) -> None:
        """Show the mistakes of `run` (a RunFolder), all of them to begin with."""
        self.frame = tp.read_test_predictions(run.path) if run is not None else None
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.blockSignals(False)
        if self.frame is None:
            self.intro.setText("")
            self._note("")
            self.chooser.hide()
            self._say(tp.NOT_KEPT if run is not None else _NO_RUN)
            return
        self.chooser.show()
        frame = self.frame
        self.choice.blockSignals(True)
        if tp.is_regression(frame):
            self.intro.setText(
                f"The {len(frame)} test rows, the largest errors (predicted minus actual) first: "
                "the rows the model is furthest off on."
            )
            self.choice.addItem("Largest errors", ALL)
        else:
            wrong = int((frame["true"] != frame["predicted"]).sum())
            self.intro.setText(
                f"{wrong} of the {len(frame)} test examples were classified wrong. The ones the "
                "model was most sure of come first: they often show mislabelled data, or classes "
                "that look alike. Click a cell of the confusion matrix to come here for that cell."
            )
            self.choice.addItem(f"All mistakes ({wrong})", ALL)
            for true, predicted, count in tp.mistake_cells(frame):
                self.choice.addItem(
                    f"True {true!r}, predicted {predicted!r} ({count})", (true, predicted)
                )
        self.choice.blockSignals(False)
        self.choice.setCurrentIndex(0)
        self._show_choice()

    def show_cell(self, true: str, predicted: str) -> None:
        """Show the test examples of class `true` that the model called `predicted`."""
        if self.frame is None or tp.is_regression(self.frame):
            return
        # findData compares Python objects by identity: look for an equal pair instead.
        wanted = (str(true), str(predicted))
        index = next(
            (i for i in range(self.choice.count()) if self.choice.itemData(i) == wanted), -1
        )
        if index >= 0:
            if index == self.choice.currentIndex():
                self._show_choice()
            self.choice.setCurrentIndex(index)
            return
        if self.choice.currentIndex() != 0:
            self.choice.setCurrentIndex(0)
        else:
            self._show_choice()
        if true == predicted:
            self._note(
                f"That cell holds the {true!r} examples the model got right; here are all the "
                "mistakes."
            )
        else:
            self._note(
                f"No test example of {true!r} was predicted as {predicted!r}; here are all the "
                "mistakes."
            )

    def wait(self) -> None:
        """Block until thumbnails are decoded (closing; tests)."""
        if self._task is not None:
            self._task.wait()

    # ------------------------------------------------------------ showing

    @Slot()
    def _show_choice(self) -> None:
        if self.frame is None or self.choice.count() == 0:
            return
        true, predicted = self.choice.currentData() or ALL
        rows = tp.mistakes(self.frame, true or None, predicted or None)
        self.shown = rows.head(MAX_SHOWN)
        if rows.empty:
            self._note("")
            self._say("No test example was classified wrong.")
            return
        more = len(rows) - len(self.shown)
        self._note(f"Showing the first {len(self.shown)} of {len(rows)}." if more > 0 else "")
        if "file" in self.shown.columns:
            self._show_images(self.shown)
        else:
            self._show_rows(self.shown)

    def _note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _say(self, text: str) -> None:
        self.shown = pd.DataFrame()
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def _show_images(self, rows: pd.DataFrame) -> None:
        self.images.clear()
        self._captions = [(_caption(row), _tooltip(row)) for _, row in rows.iterrows()]
        for caption, tooltip in self._captions:  # captions at once, pictures as they come
            item = QListWidgetItem(caption)
            item.setToolTip(tooltip)
            self.images.addItem(item)
        self.stack.setCurrentWidget(self.images)
        paths = [str(p) for p in rows["file"]]
        self._generation += 1
        generation = self._generation
        self._task = BackgroundTask(lambda: (generation, read_thumbnails(paths, THUMB)), self)
        self._task.succeeded.connect(self._thumbnails_ready)
        self._task.start()

    @Slot(object)
    def _thumbnails_ready(self, result: tuple[int, list[QImage]]) -> None:
        generation, images = result
        if generation != self._generation or len(images) != self.images.count():
            return  # another choice was made meanwhile; its own thumbnails follow
        for i, image in enumerate(images):
            if not image.isNull():
                self.images.item(i).setIcon(QPixmap.fromImage(image))

    def _show_rows(self, rows: pd.DataFrame) -> None:
        regression = tp.is_regression(rows)
        source = tp.source_column(rows)
        headers, columns = [], []
        if source == "row":
            headers.append("Row in the file")
        elif source == "text":
            headers.append("Text")
        if source:
            columns.append(source)
        if regression:
            headers += ["Actual", "Predicted", "Error"]
            columns += ["true", "predicted", "error"]
        else:
            headers += ["True class", "Predicted", "Sure of it"]
            columns += ["true", "predicted", "confidence"]
        values = [c for c in rows.columns if c.startswith(tp.VALUE)]
        headers += [c[len(tp.VALUE) :] for c in values]
        columns += values
        table = self.rows
        table.clear()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(rows))
        for r, (_, row) in enumerate(rows.iterrows()):
            tooltip = _tooltip(row)
            for c, column in enumerate(columns):
                item = QTableWidgetItem(_cell(column, row[column], regression))
                item.setToolTip(tooltip)
                if column in ("row", "confidence", "error") or (
                    regression and column in ("true", "predicted")
                ):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(r, c, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if source == "text":
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            table.resizeRowsToContents()
        else:
            header.setStretchLastSection(True)
        self.stack.setCurrentWidget(self.rows)


def _cell(column: str, value, regression: bool) -> str:
    if column == "confidence":
        return _percent(value)
    if column == "row":
        return "" if pd.isna(value) else str(int(value))
    if column in ("error",) or (regression and column in ("true", "predicted")):
        return "" if pd.isna(value) else f"{value:.4g}"
    return str(value)


def _percent(share) -> str:
    return "" if pd.isna(share) else f"{float(share) * 100:.0f} %"


def _caption(row: pd.Series) -> str:
    if "error" in row.index:
        return f"{row['true']:.4g} → {row['predicted']:.4g}"
    return f"{row['true']} → {row['predicted']}\n{_percent(row['confidence'])} sure"


def _tooltip(row: pd.Series) -> str:
    """Where the example came from and the model's probability of each class (rich text,
    every value escaped)."""
    lines = []
    source = next((c for c in tp.SOURCES if c in row.index), None)
    if source == "file":
        lines.append(html.escape(str(row["file"])))
    elif source == "row":
        lines.append(f"Row {int(row['row'])} of the file" if pd.notna(row["row"]) else "")
    if "error" in row.index:
        lines.append(
            f"Actual {row['true']:.4g}, predicted {row['predicted']:.4g} (off by "
            f"{abs(row['error']):.4g})"
        )
    else:
        lines.append(
            f"True class <b>{html.escape(str(row['true']))}</b>, predicted "
            f"<b>{html.escape(str(row['predicted']))}</b>"
        )
        probabilities = sorted(
            ((c[len(tp.PROBABILITY) :], row[c]) for c in row.index if c.startswith(tp.PROBABILITY)),
            key=lambda pair: -pair[1],
        )
        lines += [f"{html.escape(name)}: {_percent(p)}" for name, p in probabilities[:5]]
    return "<br>".join(line for line in lines if line)
