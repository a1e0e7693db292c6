"""The "Try it" tab of Results: give the model one input and see what it predicts, at once.

A table model gets a one-row form (prefilled with a real test row kept with the run), an image
model an "Open image…" button and a drop zone, a text model a text box. Each edit asks the
run's model, kept loaded in a process of its own (gui/predictor.py), for a prediction, shown as
the predicted label with a bar per class, or as the predicted value for a regression.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Slot
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from dlstudio.gui.predictor import Predictor
from dlstudio.gui.wizard.probability_bars import ProbabilityBars, number_words
from dlstudio.gui.wizard.try_it_inputs import (
    dropped_file,
    field_for,
    image_of,
    kept_samples,
    kept_truths,
    read_card,
)

DEBOUNCE_MS = 300  # typing faster than this asks once, when the typing pauses
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)"

_KIND_WORD = {"images": "image", "text": "text", "table": "row"}

_INTRO = {
    "table": "Change any value on the left (it starts as a real test row) and the prediction "
    "follows. Leave a field empty for a missing value.",
    "images": "Open an image, or drop an image file anywhere on this tab, and see what the "
    "model says.",
    "text": "Type or paste a text on the left; the prediction follows as you type.",
}


class TryItPanel(QWidget):
    """The Try it tab: an input of the model's kind on the left, its prediction on the right."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.run_path: Path | None = None
        self.card: dict = {}
        self.kind = ""
        self.samples: list = []  # kept test inputs: dicts of field texts, or pixel arrays
        self.truths: list = []  # the true class (str) or value (float) of each kept test input
        self._sample = 0
        self._image: str | None = None
        self._temp: Path | None = None
        self._fields: dict[str, QWidget] = {}
        self.last_answer: dict | None = None  # the latest prediction shown (tests)

        self.predictor = Predictor(self)
        self.predictor.loading.connect(self._loading)
        self.predictor.ready.connect(self._ready)
        self.predictor.answered.connect(self._answered)
        self.predictor.refused.connect(self._refused)
        self.predictor.failed.connect(self._failed)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.predict)
        self._clock = QTimer(self)  # ticks while the model loads: it is not stuck
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self._loading_for = 0

        self.intro = QLabel("Train a model to try it here.")
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.input_area = QVBoxLayout()
        inputs = QWidget()
        inputs.setLayout(self.input_area)

        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setStyleSheet("color: #555;")
        self.status.setWordWrap(True)
        self.caption = QLabel("")
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setStyleSheet("color: #555;")
        self.headline = QLabel("")
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setWordWrap(True)
        font = QFont(self.headline.font())
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.headline.setFont(font)
        self.bars = ProbabilityBars()
        self.note = QLabel("")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #8a5a00;")
        self.error = QLabel("")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        # What the data says of the test input shown, so a user can see the model be right or
        # wrong; empty once the input is the user's own.
        self.truth = QLabel("")
        self.truth.setTextFormat(Qt.TextFormat.PlainText)
        self.truth.setWordWrap(True)
        output = QVBoxLayout()
        output.addWidget(self.status)
        output.addWidget(self.caption)
        output.addWidget(self.headline)
        output.addWidget(self.bars)
        output.addWidget(self.note)
        output.addWidget(self.truth)
        output.addWidget(self.error)
        output.addStretch(1)
        outputs = QWidget()
        outputs.setLayout(output)

        body = QHBoxLayout()
        body.addWidget(inputs, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.VLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        body.addWidget(line)
        body.addWidget(outputs, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(body, 1)

    # ------------------------------------------------------------ the run

    def set_run(self, run) -> None:
        """Try the model of `run` (a RunFolder or a run folder's path; None for none)."""
        path = None if run is None else Path(getattr(run, "path", run))
        if path == self.run_path and (self.predictor.run or not self.isVisible()):
            return
        self.predictor.stop()
        self._debounce.stop()
        self._clock.stop()
        self.run_path = path
        self.card, self.kind, self.samples, self._sample, self._image = {}, "", [], 0, None
        self.truths, self._shown_truth = [], None
        self.last_answer = None
        self._clear_inputs()
        self._show_prediction(None)
        self._say_error("")
        self.status.setText("")
        if path is None:
            self.intro.setText("Train a model to try it here.")
            return
        self.card = read_card(path)
        if not (path / "model.keras").is_file() or not self.card:
            self.intro.setText(
                "This run has no trained model to try (it ended before one epoch finished, or "
                "its files are missing). Train again, or pick another run."
            )
            return
        self.kind = self.card.get("kind", "table")
        self.intro.setText(_INTRO.get(self.kind, _INTRO["table"]))
        self.samples = kept_samples(path, self.card)
        self.truths = kept_truths(path, len(self.samples))
        self._shown_truth = 0 if self.samples else None
        self.setAcceptDrops(self.kind == "images")
        build = {"images": self._build_image, "text": self._build_text}.get(
            self.kind, self._build_table
        )
        build()
        if self.isVisible():
            self._start()

    @Slot()
    def reload_model(self) -> None:
        """Load the run's model again, keeping what the user typed: its card changed (a decision
        threshold was kept) and the model's process reads the card once."""
        self.predictor.stop()
        if self.run_path is not None:
            self.card = read_card(self.run_path)
        if self.isVisible() and self.kind:
            self._start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Loading the model takes seconds of a core: only when someone looks at this tab.
        if self.kind and self.predictor.run is None and self.run_path is not None:
            self._start()

    def shutdown(self) -> None:
        """End the model's process and remove temporary files (closing; tests)."""
        self.predictor.stop()
        self._debounce.stop()
        self._clock.stop()
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def _start(self) -> None:
        self.predictor.start(str(self.run_path))
        self.predict()  # waits in the predictor until the model is loaded

    # ------------------------------------------------------------ inputs

    def _clear_inputs(self) -> None:
        self._fields = {}
        while self.input_area.count():
            item = self.input_area.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.setAcceptDrops(False)

    def _build_table(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in self.card.get("inputs", []):
            field = field_for(spec)
            self._fields[spec["column"]] = field
            name = QLabel(spec["column"])
            name.setTextFormat(Qt.TextFormat.PlainText)
            form.addRow(name, field)
            if isinstance(field, QComboBox):
                field.currentTextChanged.connect(self._edited)
            elif isinstance(field, QPlainTextEdit):
                field.textChanged.connect(self._edited)
            else:
                field.textEdited.connect(self._edited)
        fields = QWidget()
        fields.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(fields)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setStyleSheet(
            "QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }"
        )
        self.input_area.addWidget(scroll, 1)
        self.another = QPushButton("Another test row")
        self.another.setToolTip("Fill the form with another row of the test split")
        self.another.clicked.connect(self.next_sample)
        self.another.setEnabled(len(self.samples) > 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.another)
        buttons.addStretch(1)
        holder = QWidget()
        holder.setLayout(buttons)
        self.input_area.addWidget(holder)
        if self.samples:
            self.fill(self.samples[0])

    def _build_text(self) -> None:
        self.text_box = QPlainTextEdit()
        self.text_box.setPlaceholderText("Type or paste a text here")
        self.text_box.textChanged.connect(self._edited)
        self.input_area.addWidget(self.text_box, 1)
        self.another = QPushButton("Another test text")
        self.another.setToolTip("Put a text of the test split in the box")
        self.another.clicked.connect(self.next_sample)
        self.another.setEnabled(len(self.samples) > 1)
        self.input_area.addWidget(self.another, 0, Qt.AlignmentFlag.AlignLeft)
        if self.samples:
            self.text_box.blockSignals(True)
            self.text_box.setPlainText(next(iter(self.samples[0].values()), ""))
            self.text_box.blockSignals(False)

    def _build_image(self) -> None:
        self.preview = QLabel("Drop an image file here\nor open one")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(220, 220)
        self.preview.setStyleSheet("border: 2px dashed #9e9e9e; color: #666;")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.image_name = QLabel("")
        self.image_name.setTextFormat(Qt.TextFormat.PlainText)
        self.image_name.setStyleSheet("color: #555;")
        self.open_button = QPushButton("Open image…")
        self.open_button.clicked.connect(self._open_image)
        self.another = QPushButton("Another test image")
        self.another.setToolTip("Show an image of the test split")
        self.another.clicked.connect(self.next_sample)
        self.another.setEnabled(bool(self.samples))
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.another)
        buttons.addStretch(1)
        holder = QWidget()
        holder.setLayout(buttons)
        self.input_area.addWidget(self.preview, 1)
        self.input_area.addWidget(self.image_name)
        self.input_area.addWidget(holder)
        if self.samples:
            self._show_sample_image(0)

    def fill(self, values: dict) -> None:
        """Put a row's values ({column: text}) in the form (no prediction asked by itself)."""
        for column, field in self._fields.items():
            text = values.get(column, "")
            field.blockSignals(True)
            if isinstance(field, QComboBox):
                field.setEditText(text)
            elif isinstance(field, QPlainTextEdit):
                field.setPlainText(text)
            else:
                field.setText(text)
            field.blockSignals(False)

    def row(self) -> dict:
        """The form's row as {column: text}."""
        values = {}
        for column, field in self._fields.items():
            if isinstance(field, QComboBox):
                values[column] = field.currentText()
            elif isinstance(field, QPlainTextEdit):
                values[column] = field.toPlainText()
            else:
                values[column] = field.text()
        return values

    @Slot()
    def next_sample(self) -> None:
        """The next kept test input, predicted at once."""
        if not self.samples:
            return
        self._sample = (self._sample + 1) % len(self.samples)
        if self.kind == "images":
            self._show_sample_image(self._sample)
        elif self.kind == "text":
            self.text_box.blockSignals(True)
            self.text_box.setPlainText(next(iter(self.samples[self._sample].values()), ""))
            self.text_box.blockSignals(False)
        else:
            self.fill(self.samples[self._sample])
        self._shown_truth = self._sample
        self._show_prediction(None)  # the answer shown was for another input
        self.predict()

    def open_image(self, path: str | Path) -> None:
        """Show the image file `path` and predict on it (an unreadable file says so)."""
        self._image = str(path)
        self._shown_truth = None
        self._show_prediction(None)  # the answer shown was for another image
        pixmap = QPixmap(self._image)
        if pixmap.isNull():
            self.preview.setPixmap(QPixmap())
            self.preview.setText("No preview: not an image\nthis app can show")
        else:
            self._show_pixmap(pixmap)
        self.image_name.setText(Path(self._image).name)
        self.predict()

    @Slot()
    def _open_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", "", IMAGE_FILTER)
        if path:
            self.open_image(path)

    def _show_sample_image(self, index: int) -> None:
        if self._temp is None:
            self._temp = Path(tempfile.mkdtemp(prefix="dlstudio-try-"))
        path = self._temp / f"test-image-{index + 1}.png"
        if not path.is_file():
            image_of(self.samples[index]).save(str(path))
        self._image = str(path)
        self._show_pixmap(QPixmap(self._image))
        self.image_name.setText(f"Test image {index + 1} of {len(self.samples)}")

    def _show_pixmap(self, pixmap: QPixmap) -> None:
        box = self.preview.size().boundedTo(QSize(320, 320)).expandedTo(QSize(200, 200))
        small = pixmap.width() < box.width() // 2
        # Tiny images (digits, icons) stay crisp blown up; photos are smoothed.
        mode = (
            Qt.TransformationMode.FastTransformation
            if small
            else Qt.TransformationMode.SmoothTransformation
        )
        self.preview.setPixmap(
            pixmap.scaled(box - QSize(8, 8), Qt.AspectRatioMode.KeepAspectRatio, mode)
        )

    def dragEnterEvent(self, event) -> None:
        if self.kind == "images" and dropped_file(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        path = dropped_file(event.mimeData())
        if path:
            event.acceptProposedAction()
            self.open_image(path)

    # ------------------------------------------------------------ predicting

    @Slot()
    def _edited(self, *_args) -> None:
        self._shown_truth = None  # the user's own input now: the data says nothing of it
        self._debounce.start()

    @Slot()
    def predict(self) -> None:
        """Ask for a prediction on the input as it is now."""
        self._debounce.stop()
        if not self.kind or self.predictor.run is None:
            return
        if self.kind == "images":
            if self._image is None:
                return
            request = {"images": [self._image]}
        elif self.kind == "text":
            request = {"texts": [self.text_box.toPlainText()]}
        else:
            request = {"rows": [self.row()]}
        self.predictor.ask(request)

    @Slot()
    def _loading(self) -> None:
        self._show_prediction(None)  # an answer of the model loaded before is not this one's
        self._loading_for = 0
        self._clock.start()
        self._tick()

    @Slot()
    def _tick(self) -> None:
        waited = f" {self._loading_for} s" if self._loading_for else ""
        self.status.setText(f"Loading the model…{waited} (TensorFlow takes a few seconds to start)")
        self._loading_for += 1

    @Slot()
    def _ready(self) -> None:
        self._clock.stop()
        self.status.setText("")

    @Slot(list)
    def _answered(self, answers: list) -> None:
        if not answers:
            return
        self._say_error("")
        self._show_prediction(answers[0])

    @Slot(str)
    def _refused(self, message: str) -> None:
        self._show_prediction(None)
        self._say_error(message)
        for column, field in self._fields.items():  # point at the field the message names
            if f"in {column!r}" in message:
                field.setStyleSheet("border: 2px solid #b00020;")

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._clock.stop()
        self.status.setText("The model cannot be tried right now.")
        self._show_prediction(None)
        self._say_error(message)

    def _show_prediction(self, answer: dict | None) -> None:
        self.last_answer = answer
        self.note.setText("")
        self.truth.setText(self._truth_words(answer))
        self.caption.setVisible(answer is not None)
        self.headline.setVisible(answer is not None)
        if answer is None:
            self.caption.setText("")
            self.headline.setText("")
            self.bars.set_shares({})
            return
        target = self.card.get("target", "")
        if "value" in answer:
            self.caption.setText(f"Predicted {target}")
            self.headline.setText(number_words(float(answer["value"])))
            self.bars.set_shares({})
            return
        shares = answer.get("probabilities", {})
        label = str(answer.get("label", ""))
        self.caption.setText(f"Predicted {target}" if target else "Prediction")
        self.headline.setText(label)
        self.bars.set_shares(shares)
        if shares and max(shares.values()) < 0.5:
            self.note.setText("The model is unsure here: no class gets half of the probability.")

    def _truth_words(self, answer: dict | None) -> str:
        """'In the data: Adelie. The model is right.' for a kept test input, else ''."""
        index = self._shown_truth
        if index is None or index >= len(self.truths) or self.truths[index] is None:
            return ""
        true = self.truths[index]
        target = self.card.get("target") or "the answer"
        shown = number_words(true) if isinstance(true, float) else true
        words = (
            f"This is test {_KIND_WORD.get(self.kind, 'row')} {index + 1} of "
            f"{len(self.samples)}: in the data, {target} is {shown}."
        )
        if answer is None:
            return words
        if "value" in answer:
            off = abs(float(answer["value"]) - float(true))
            return f"{words} The model is off by {number_words(off)}."
        right = str(answer.get("label", "")) == true
        return f"{words} The model is {'right' if right else 'wrong'} here."

    def _say_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        if not message:
            for field in self._fields.values():
                field.setStyleSheet("")


# ---------------------------------------------------------------- helpers
