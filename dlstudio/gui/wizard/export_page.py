"""The Export step: write the model in the formats it can use, show how to use each, and
predict on new data (a table, an image, a folder of images or texts, or texts typed in).

Formats a model cannot use are greyed out with the reason before anyone picks them (decided
from the model card, core/formats.py). Exporting and predicting load TensorFlow, so both run
in a worker process (ProcessTask): the window's own process never does. The worker's jobs
look the run's family up (core/families.py), so a forecast or anomaly run is exported
and predicted with through the same typed jobs, each format checked as the others are.

The page follows the run in focus (the session's): the folder field starts at that run's own
export folder and is reset whenever the run changes, and a folder that is another run's or
holds another model's files is refused before anything is written (core/export_target.py).
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from PySide6.QtCore import QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dlstudio.core.families import SUPERVISED, family_for_task, resolve
from dlstudio.core.formats import FORMATS, LABELS, USES, agreement, offered_formats
from dlstudio.gui.process_task import ProcessTask
from dlstudio.gui.qmodels.dataframe_model import DataFrameModel
from dlstudio.gui.widgets import boxed

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp)"
TABLE_FILTER = "Tables (*.csv *.tsv *.txt *.xlsx *.parquet *.json *.jsonl)"
TEXT_FILTER = "Text files (*.txt *.text *.md)"


NO_RUN = "Train a model first; its exports appear here."


class ExportPage(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.run = None
        self.card: dict = {}
        self._exported_to: Path | None = None  # the folder the last export of this run wrote
        self._exporting: Path | None = None  # the run being exported now
        self._task: ProcessTask | None = None
        self._task_name = ""
        self._formats_for = ""  # the model in use the format boxes were set for
        self.predictions = None
        self.title = QLabel(NO_RUN)
        self.title.setWordWrap(True)
        self.checks: dict[str, QCheckBox] = {}
        formats = QHBoxLayout()
        for name in FORMATS:
            box = QCheckBox(LABELS[name])
            self.checks[name] = box
            formats.addWidget(box)
        formats.addStretch(1)
        self.formats_note = QLabel()
        self.formats_note.setWordWrap(True)
        self.formats_note.setStyleSheet("color: #555")
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText("Folder to export to")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        self.export_button = QPushButton("Export")
        self.export_button.clicked.connect(self.export)
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip("Show the exported files in the file manager")
        self.open_button.clicked.connect(self._open_folder)
        self.open_button.setEnabled(False)
        self.code = ""  # the code that runs the first exported file on raw data
        self.copy_button = QPushButton("Copy code")
        self.copy_button.setToolTip("Copy the code that reads raw data and runs the model")
        self.copy_button.clicked.connect(self._copy_code)
        self.copy_button.setEnabled(False)
        folder = QHBoxLayout()
        folder.addWidget(QLabel("Folder:"))
        folder.addWidget(self.folder_edit, 1)
        folder.addWidget(browse)
        folder.addWidget(self.export_button)
        folder.addWidget(self.open_button)
        folder.addWidget(self.copy_button)
        self.written = QTextBrowser()
        self.written.setOpenExternalLinks(True)

        self.file_button = QPushButton("Predict on a file…")
        self.file_button.clicked.connect(self._choose_prediction_file)
        self.folder_button = QPushButton("Predict on a folder…")
        self.folder_button.clicked.connect(self._choose_prediction_folder)
        self.texts_edit = QPlainTextEdit()
        self.texts_edit.setPlaceholderText("Type or paste texts here, one per line")
        self.texts_edit.setMaximumHeight(70)
        self.texts_button = QPushButton("Predict on these texts")
        self.texts_button.clicked.connect(self._predict_typed)
        self.save_button = QPushButton("Save predictions…")
        self.save_button.clicked.connect(self._save_predictions)
        self.save_button.setEnabled(False)
        self.predict_status = QLabel()
        self.predict_status.setWordWrap(True)
        self.prediction_model = DataFrameModel(parent=self)
        self.prediction_view = QTableView()
        self.prediction_view.setModel(self.prediction_model)
        predict_row = QHBoxLayout()
        for widget in (self.file_button, self.folder_button, self.save_button):
            predict_row.addWidget(widget)
        predict_row.addWidget(self.predict_status, 1)
        texts_row = QHBoxLayout()
        texts_row.addWidget(self.texts_edit, 1)
        texts_row.addWidget(self.texts_button)
        self.texts_widget = QWidget()
        self.texts_widget.setLayout(texts_row)
        predict_widget = QWidget()
        predict_layout = QVBoxLayout(predict_widget)
        predict_layout.addLayout(predict_row)
        predict_layout.addWidget(self.texts_widget)
        predict_layout.addWidget(self.prediction_view)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(formats)
        layout.addWidget(self.formats_note)
        layout.addLayout(folder)
        layout.addWidget(boxed("Files written, and how to use them", self.written), 1)
        layout.addWidget(boxed("Predictions on new data", predict_widget), 1)
        self._set_enabled(False)

    def set_run(self, run) -> None:
        """Show `run`'s formats and its own export folder; what another run wrote is gone."""
        from dlstudio.core.export_target import default_export_folder

        changed = self.run is None or Path(self.run.path) != Path(run.path)
        self.run = run
        self.card = run.card() or {}
        kind = self.card.get("kind", "table")
        partial = " It is a partial model (see Results)." if self.card.get("partial") else ""
        self.title.setText(
            f"<b>Run {html.escape(run.id)}</b>: choose formats and a folder. Each file is "
            f"loaded back in its own runtime and checked to predict what the original does."
            f"{partial}"
        )
        self._show_formats()
        if changed or not self.folder_edit.text().strip():
            self.folder_edit.setText(str(default_export_folder(run.path)))
            self._forget_export()
            self._show_earlier_export(default_export_folder(run.path))
        self.file_button.setToolTip(
            family_for_task(self.card.get("task")).predict_use
            or {
                "table": "A table with the columns it was trained on",
                "images": "One image, or a table of image paths",
                "text": "A .txt file, or a table with the text column",
            }.get(kind, "")
        )
        self.file_button.setText(family_for_task(self.card.get("task")).predict_button)
        self.folder_button.setToolTip(
            "A folder of images (directly in it or in subfolders)"
            if kind == "images"
            else "A folder of .txt files (directly in it or in subfolders)"
        )
        self.folder_button.setVisible(kind in ("images", "text"))
        self.texts_widget.setVisible(kind == "text")
        self._set_enabled(True)

    def showEvent(self, event) -> None:
        from dlstudio.core.model_choice import model_in_use

        super().showEvent(event)
        # The model in use may have changed on Results (the user's ticks stay otherwise).
        if self.run is not None and model_in_use(self.run.path) != self._formats_for:
            self._show_formats()

    def _show_formats(self) -> None:
        """The formats the model in use can be written in, the others greyed out with why."""
        from dlstudio.core.model_choice import CLASSICAL, current_sentence, model_in_use

        self._formats_for = model_in_use(self.run.path)
        task = self.card.get("task")
        refused: dict[str, list[str]] = {}  # reason → the formats it keeps out
        for offer in offered_formats(self.card, family_for_task(task).formats):
            box = self.checks[offer.name]
            box.setEnabled(offer.available)
            box.setChecked(offer.available)
            box.setToolTip(
                USES[offer.name] if offer.available else f"Not for this model: {offer.reason}"
            )
            keras_use = family_for_task(task).keras_use
            if offer.available and offer.name == "keras" and keras_use:
                box.setToolTip(keras_use)
            if not offer.available:
                refused.setdefault(offer.reason, []).append(offer.label)
        self.formats_note.setText(
            " ".join(f"Not {' or '.join(labels)}: {reason}." for reason, labels in refused.items())
        )
        self.formats_note.setVisible(bool(refused))
        if self._formats_for == CLASSICAL:
            for name, box in self.checks.items():
                box.setEnabled(name == "onnx")
                box.setChecked(name == "onnx")
                box.setToolTip(
                    "The classical model in use, as ONNX (checked against scikit-learn)"
                    if name == "onnx"
                    else "Not for the classical model in use: it exists only as ONNX"
                )
            self.formats_note.setText(
                f"{current_sentence(self.run.path)} Exports and predictions come from it; "
                "use the network again on the Results step for the other formats."
            )
            self.formats_note.setVisible(True)

    def clear(self) -> None:
        """No run in focus (another project was opened): nothing of the old run is offered."""
        self.run = None
        self.card = {}
        self.title.setText(NO_RUN)
        for box in self.checks.values():
            box.setChecked(False)
            box.setEnabled(False)
        self.formats_note.hide()
        self.folder_edit.clear()
        self._forget_export()
        self._set_enabled(False)

    def _forget_export(self) -> None:
        """Nothing of an earlier run's export or predictions stays on the page."""
        self.written.clear()
        self._exported_to = None
        self.open_button.setEnabled(False)
        self.code = ""
        self.copy_button.setEnabled(False)
        self._forget_predictions()

    def _forget_predictions(self) -> None:
        import pandas as pd

        self.predictions = None
        self.prediction_model.set_frame(pd.DataFrame())
        self.save_button.setEnabled(False)
        self.predict_status.clear()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.export_button, self.file_button, self.folder_button, self.texts_button):
            widget.setEnabled(enabled and self.run is not None)

    def wait(self) -> None:
        if self._task is not None:
            self._task.wait()

    # ------------------------------------------------------------ export

    @Slot()
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export to", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    @Slot()
    def export(self) -> None:
        from dlstudio.core.errors import DlstudioError
        from dlstudio.core.export_target import check_export_folder

        formats = [name for name, box in self.checks.items() if box.isChecked() and box.isEnabled()]
        if not formats or self.run is None:
            return
        try:
            out = check_export_folder(self.folder_edit.text(), self.run.path)
        except DlstudioError as error:
            self.written.setHtml(f"<p style='color:#b00'>{html.escape(str(error))}</p>")
            QMessageBox.warning(self, "Choose another export folder", str(error))
            return
        self.written.setHtml(
            "<i>Exporting, then loading each file back in its own runtime to check it "
            "(starting TensorFlow takes a few seconds)…</i>"
        )
        self._exporting = Path(self.run.path)
        args = {"run": str(self.run.path), "formats": formats, "out": str(out)}
        family = family_for_task(self.card.get("task")) is not SUPERVISED
        self._start("export", args, self._exported_by_family if family else self._exported)

    @Slot(object)
    def _exported(self, result: dict) -> None:
        from dlstudio.core.snippets import inputs_code, outputs_note, runtime_code

        exported, self._exporting = self._exporting, None
        if self.run is None or exported != Path(self.run.path):
            return  # the run changed meanwhile: its page no longer shows that export

        files = "".join(
            f"<li><b>{LABELS[item['format']]}</b>: <code>{html.escape(item['path'])}</code> "
            f"({html.escape(_size_words(Path(item['path'])))}): predictions match the original "
            f"({agreement(item['max_difference'])})</li>"
            for item in result["files"]
        )
        inputs = inputs_code(self.card)
        parts = [
            "<p>Written, and each file loaded back in its own runtime, in a fresh Python "
            f"without dlstudio:</p><ul>{files}</ul>"
            "<p>To use them (<b>Copy code</b> puts the first one's on the clipboard), read the "
            "inputs from raw data the way dlstudio read the training data:</p>"
            f"<pre>{html.escape(inputs)}</pre>"
        ]
        self.code = ""
        for item in result["files"]:
            code = runtime_code(item["format"], item["path"]) + outputs_note(self.card)
            self.code = self.code or f"{inputs}\n{code}"
            parts.append(
                f"<p>then, for {LABELS[item['format']]}:</p><pre>{html.escape(code)}</pre>"
            )
        self.copy_button.setEnabled(bool(self.code))
        parts.append("<p>The model card (model_card.md) beside them has all of this too.</p>")
        self.written.setHtml("".join(parts))
        folders = {Path(item["path"]).parent for item in result["files"]}
        self._exported_to = folders.pop() if len(folders) == 1 else Path(self.folder_edit.text())
        self.open_button.setEnabled(True)
        self.open_button.setToolTip(f"Show {self._exported_to} in the file manager")

    def _show_earlier_export(self, folder: Path) -> None:
        """What an earlier session exported for this run (a reopened project): its files with
        their sizes and dates, the code to use them, and Open folder. They were checked when
        written; a new Export checks them again."""
        import datetime

        from dlstudio.core.snippets import FILE_NAMES, inputs_code, outputs_note, runtime_code

        found = [
            (fmt, folder / name) for fmt, name in FILE_NAMES.items() if (folder / name).exists()
        ]
        if not found:
            return
        when = datetime.datetime.fromtimestamp(max(path.stat().st_mtime for _, path in found))
        files = "".join(
            f"<li><b>{LABELS[fmt]}</b>: <code>{html.escape(str(path))}</code> "
            f"({html.escape(_size_words(path))})</li>"
            for fmt, path in found
        )
        parts = [
            f"<p>Exported earlier ({when:%d %b %Y, %H:%M}), checked when written:</p>"
            f"<ul>{files}</ul>"
        ]
        fmt, path = found[0]
        try:
            code = f"{inputs_code(self.card)}\n{runtime_code(fmt, str(path))}"
            code += outputs_note(self.card)
        except (KeyError, TypeError, IndexError):  # a card too damaged or old to say it
            code = ""
        if family_for_task(self.card.get("task")) is SUPERVISED and code:
            self.code = code
            parts.append(
                f"<p>To use {LABELS[fmt]} (<b>Copy code</b> puts this on the clipboard):</p>"
                f"<pre>{html.escape(self.code)}</pre>"
            )
            self.copy_button.setEnabled(True)
        parts.append("<p>The model card (model_card.md) beside them says how to use each.</p>")
        self.written.setHtml("".join(parts))
        self._exported_to = folder
        self.open_button.setEnabled(True)
        self.open_button.setToolTip(f"Show {folder} in the file manager")

    @Slot(object)
    def _exported_by_family(self, result: dict) -> None:
        """Another family's export (forecast, anomaly, a plug-in): the files the worker's
        export job wrote and checked (core/families.py picks the family's exporter), with the
        code to use the Keras file where the family is one this page knows the inputs of."""
        exported, self._exporting = self._exporting, None
        if self.run is None or exported != Path(self.run.path):
            return
        items = [
            (item["format"], item["path"], f"checked in its own runtime ({item['note']})")
            for item in result["files"]
        ]
        files = "".join(
            f"<li><b>{LABELS[name]}</b>: <code>{html.escape(path)}</code> "
            f"({html.escape(_size_words(Path(path)))}): {html.escape(check)}</li>"
            for name, path, check in items
        )
        model_path = Path(items[0][1]).as_posix() if items else "model.keras"
        usage = family_for_task(self.card.get("task")).keras_code
        self.code = (
            resolve(usage)(self.card, model_path)
            if usage
            else f'import keras\nmodel = keras.saving.load_model("{model_path}")\n'
            "# its inputs and outputs: see model_card.md beside it\n"
        )
        self.copy_button.setEnabled(True)
        self.written.setHtml(
            "<p>Written, and each file loaded back in its own runtime, in a fresh Python "
            f"without dlstudio:</p><ul>{files}</ul>"
            "<p>To use the Keras file (<b>Copy code</b> puts this on the clipboard):</p>"
            f"<pre>{html.escape(self.code)}</pre>"
            "<p>The model card (model_card.md) beside them says how to use each format.</p>"
        )
        folders = {Path(path).parent for _, path, _ in items}
        self._exported_to = folders.pop() if len(folders) == 1 else Path(self.folder_edit.text())
        self.open_button.setEnabled(True)
        self.open_button.setToolTip(f"Show {self._exported_to} in the file manager")

    @Slot()
    def _copy_code(self) -> None:
        QApplication.clipboard().setText(self.code)
        self.predict_status.setText("The code is on the clipboard.")

    @Slot()
    def _open_folder(self) -> None:
        folder = self._exported_to or Path(self.folder_edit.text())
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # ------------------------------------------------------------ predict

    def _start_folder(self) -> str:
        """Where the file dialogs open: the folder of the data the run learnt from, when it is
        still there, else the home folder."""
        from dlstudio.core.errors import DlstudioError

        # A table, image or text model's card keeps {"path": ...}; an anomaly model's only the
        # file's name, a forecast's nothing: the run's spec.json has the full path.
        data = self.card.get("data")
        path = data.get("path") if isinstance(data, dict) else None
        if not path and self.run is not None:
            try:
                path = self.run.spec().data.path
            except DlstudioError:  # no or a damaged spec.json: the dialog opens at home
                path = None
        folder = Path(path).expanduser().parent if path else None
        return str(folder if folder is not None and folder.is_dir() else Path.home())

    @Slot()
    def _choose_prediction_file(self) -> None:
        kind = self.card.get("kind", "table")
        first = {"images": IMAGE_FILTER, "text": TEXT_FILTER}.get(kind, TABLE_FILTER)
        filters = ";;".join(dict.fromkeys([first, TABLE_FILTER, "All files (*)"]))
        path, _ = QFileDialog.getOpenFileName(self, "Predict on", self._start_folder(), filters)
        if path:
            self.predict_on(path)

    @Slot()
    def _choose_prediction_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Predict on the files in", self._start_folder()
        )
        if folder:
            self.predict_on(folder)

    def predict_on(self, path: str) -> None:
        self.predict_status.setText(f"Predicting on {Path(path).name}…")
        # Any family: the worker's job predicts with the family's own code (core/families.py).
        self._start("predict", {"model": str(self.run.path), "data": path}, self._predicted)

    @Slot()
    def _predict_typed(self) -> None:
        texts = [line for line in self.texts_edit.toPlainText().splitlines() if line.strip()]
        if texts:
            self.predict_texts(texts)

    def predict_texts(self, texts: list[str]) -> None:
        self.predict_status.setText(f"Predicting on {len(texts)} text(s)…")
        self._start("predict", {"model": str(self.run.path), "texts": texts}, self._predicted)

    @Slot(object)
    def _predicted(self, result: dict) -> None:
        import pandas as pd

        csv = Path(result["csv"])
        self.predictions = pd.read_csv(csv, keep_default_na=False)
        shutil.rmtree(csv.parent, ignore_errors=True)
        self.prediction_model.set_frame(_answers_first(self.predictions))
        # Qt's default 100-px columns clip headers such as "probability_<=50K".
        self.prediction_view.resizeColumnsToContents()
        self.save_button.setEnabled(True)
        self.predict_status.setText(f"{len(self.predictions)} prediction(s).")

    @Slot()
    def _save_predictions(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save predictions", "predictions.csv", "CSV (*.csv)"
        )
        if path and self.predictions is not None:
            self.predictions.to_csv(path, index=False)

    # ------------------------------------------------------------ jobs

    def _start(self, task: str, args: dict, on_done) -> None:
        self.wait()
        self._set_enabled(False)
        self._task_name = task
        self._task = ProcessTask(task, args, self)
        self._task.succeeded.connect(on_done)
        self._task.succeeded.connect(self._job_over)
        self._task.failed.connect(self._failed)
        self._task.start()

    @Slot()
    def _job_over(self) -> None:
        self._set_enabled(True)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._exporting = None
        self._set_enabled(True)
        shown = f"<span style='color:#b00'>{html.escape(message)}</span>"
        if self._task_name == "predict":
            self.predict_status.setText(shown)
            QMessageBox.warning(self, "Prediction failed", message)
        else:
            self.written.setHtml(f"<p>{shown}</p>")
            QMessageBox.warning(self, "Export failed", message)


def _size_words(path: Path) -> str:
    """A file's or folder's size as people read it: "1.4 MB"."""
    try:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        size = float(sum(p.stat().st_size for p in files))
    except OSError:
        return "size unknown"
    for unit in ("bytes", "KB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def _answers_first(frame):
    """The predictions beside where each came from, the input columns after them (a wide
    table's answers would otherwise sit off screen to the right), probabilities as
    percentages. Saved files keep the order and numbers `dlstudio predict` writes."""
    import pandas as pd

    answers = [
        c
        for c in frame.columns
        if str(c).startswith(("predicted_", "probability_", "decision_threshold", "problem"))
    ]
    source = [c for c in frame.columns[:1] if c not in answers]
    rest = [c for c in frame.columns if c not in answers and c not in source]
    shown = frame[source + answers + rest].copy()
    for column in answers:  # 0.0009 rather than 9.2e-04: shares read as percentages
        if str(column).startswith("probability_"):
            values = pd.to_numeric(shown[column], errors="coerce")
            shown[column] = [f"{100 * v:.1f} %" if v == v else "" for v in values]
    return shown
