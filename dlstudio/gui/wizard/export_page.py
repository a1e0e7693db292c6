"""The Export step: write the model in the chosen formats, show how to use each, and predict
on a new file. Both jobs run off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dlstudio.gui.qmodels.dataframe_model import DataFrameModel
from dlstudio.gui.tasks import BackgroundTask
from dlstudio.gui.widgets import boxed

FORMAT_TIPS = {
    "keras": "Keras 3 .keras file: raw data in, predictions out; for Python.",
    "savedmodel": "TensorFlow SavedModel: for TF Serving and TensorFlow tools.",
    "onnx": "ONNX: for onnxruntime in C++, C#, Java, the web (numeric and image inputs only).",
    "tflite": "LiteRT (TFLite): for phones and small devices (numeric and image inputs only).",
}
SNIPPETS = {
    "keras": 'import keras\nmodel = keras.saving.load_model("{path}")\n'
    "predictions = model.predict(inputs)  # dict keyed by the input names in model_card.md",
    "savedmodel": 'import tensorflow as tf\nmodel = tf.saved_model.load("{path}")\n'
    "outputs = model.serve({{name: tf.constant(values), ...}})",
    "onnx": 'import onnxruntime as ort\nsession = ort.InferenceSession("{path}")\n'
    "outputs = session.run(None, {{name: float32_array, ...}})",
    "tflite": "from ai_edge_litert.interpreter import Interpreter  # or tf.lite.Interpreter\n"
    'runner = Interpreter(model_path="{path}").get_signature_runner()\n'
    "outputs = runner(**{{name: float32_array, ...}})",
}


class ExportPage(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.run = None
        self._task: BackgroundTask | None = None
        self.predictions = None
        self.title = QLabel("Train a model first; its exports appear here.")
        self.checks = {}
        formats = QHBoxLayout()
        for name, tip in FORMAT_TIPS.items():
            box = QCheckBox(name)
            box.setToolTip(tip)
            box.setChecked(name in ("keras", "savedmodel"))
            self.checks[name] = box
            formats.addWidget(box)
        formats.addStretch(1)
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText("Folder to export to")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        self.export_button = QPushButton("Export")
        self.export_button.clicked.connect(self.export)
        folder = QHBoxLayout()
        folder.addWidget(QLabel("Folder:"))
        folder.addWidget(self.folder_edit, 1)
        folder.addWidget(browse)
        folder.addWidget(self.export_button)
        self.written = QTextBrowser()
        self.written.setOpenExternalLinks(True)

        self.predict_button = QPushButton("Predict on a file…")
        self.predict_button.setToolTip(
            "Run the model on a new table, or a folder of images or texts"
        )
        self.predict_button.clicked.connect(self._choose_prediction_data)
        self.save_button = QPushButton("Save predictions…")
        self.save_button.clicked.connect(self._save_predictions)
        self.save_button.setEnabled(False)
        self.prediction_model = DataFrameModel(parent=self)
        self.prediction_view = QTableView()
        self.prediction_view.setModel(self.prediction_model)
        predict_row = QHBoxLayout()
        predict_row.addWidget(self.predict_button)
        predict_row.addWidget(self.save_button)
        predict_row.addStretch(1)
        predict_widget = QWidget()
        predict_layout = QVBoxLayout(predict_widget)
        predict_layout.addLayout(predict_row)
        predict_layout.addWidget(self.prediction_view)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(formats)
        layout.addLayout(folder)
        layout.addWidget(boxed("Files written, and how to use them", self.written), 1)
        layout.addWidget(boxed("Predictions on new data", predict_widget), 1)
        self._set_enabled(False)

    def set_run(self, run) -> None:
        self.run = run
        self.title.setText(
            f"<b>Run {run.id}</b>: choose formats and a folder. Each file is loaded "
            "back and checked to predict what the original does."
        )
        if not self.folder_edit.text():
            self.folder_edit.setText(str(run.path / "export"))
        self._set_enabled(True)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.export_button, self.predict_button):
            widget.setEnabled(enabled)

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
        formats = [name for name, box in self.checks.items() if box.isChecked()]
        if not formats or self.run is None:
            return
        run, out = self.run.path, self.folder_edit.text()

        def job():
            from dlstudio.core.export import export_run  # loads Keras: off the GUI thread

            return export_run(run, formats, out)

        self.written.setHtml("<i>Exporting and checking each file…</i>")
        self._start(job, self._exported)

    @Slot(object)
    def _exported(self, files) -> None:
        parts = []
        for item in files:
            snippet = SNIPPETS[item.format].format(path=item.path)
            parts.append(
                f"<p><b>{item.format}</b>: <code>{item.path}</code> — predictions match the "
                f"original within {item.max_difference:.1g}.</p><pre>{snippet}</pre>"
            )
        self.written.setHtml("".join(parts) + "<p>A model card (model_card.md) is beside them.</p>")

    # ------------------------------------------------------------ predict

    @Slot()
    def _choose_prediction_data(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Predict on",
            str(Path.home()),
            "Data (*.csv *.tsv *.txt *.xlsx *.parquet *.json *.jsonl);;All files (*)",
        )
        if path:
            self.predict_on(path)

    def predict_on(self, path: str) -> None:
        run = self.run.path

        def job():
            from dlstudio.core.export import predict_file

            return predict_file(run, path)

        self._start(job, self._predicted)

    @Slot(object)
    def _predicted(self, frame) -> None:
        self.predictions = frame
        self.prediction_model.set_frame(frame)
        self.save_button.setEnabled(True)

    @Slot()
    def _save_predictions(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save predictions", "predictions.csv", "CSV (*.csv)"
        )
        if path and self.predictions is not None:
            self.predictions.to_csv(path, index=False)

    # ------------------------------------------------------------ jobs

    def _start(self, job, on_done) -> None:
        self.wait()
        self._set_enabled(False)
        self._task = BackgroundTask(job, self)
        self._task.succeeded.connect(on_done)
        self._task.succeeded.connect(self._job_over)
        self._task.failed.connect(self._failed)
        self._task.start()

    @Slot()
    def _job_over(self) -> None:
        self._set_enabled(True)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._set_enabled(True)
        self.written.setHtml(f"<p style='color:#b00'>{message}</p>")
        QMessageBox.warning(self, "Export or prediction failed", message)
