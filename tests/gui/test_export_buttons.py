"""Every enabled button of the Export step does something a user can see, for a table run and
for an anomaly run: the format boxes, Choose…, Export, Open folder, Copy code, Predict on a
file… and Save predictions…. A slot that raises fails the test (pytest-qt records it)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QAbstractButton, QApplication

from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.project import Project, RunFolder
from dlstudio.gui.wizard import export_page
from dlstudio.gui.wizard.export_page import ExportPage

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data"
SLICE = DATA / "nab_ec2_latency_slice.csv"


@pytest.fixture
def page(qtbot):
    page = ExportPage()
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    yield page
    page.wait()


def _enabled_buttons(page) -> set[QAbstractButton]:
    return {b for b in page.findChildren(QAbstractButton) if b.isVisibleTo(page) and b.isEnabled()}


def _click_every_button(qtbot, monkeypatch, page, data: Path, out: Path) -> pd.DataFrame:
    """Click each enabled button once (each format box twice), checking what it shows; returns
    the predictions on `data`."""
    clicked: set[QAbstractButton] = set()

    def click(button: QAbstractButton) -> None:
        assert button.isVisibleTo(page) and button.isEnabled(), button.text()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        clicked.add(button)

    # The format boxes: a click changes the choice, a second one puts it back.
    for box in [b for b in page.checks.values() if b.isEnabled()]:
        before = box.isChecked()
        click(box)
        assert box.isChecked() is not before, box.text()
        click(box)
        assert box.isChecked() is before, box.text()
    for name, box in page.checks.items():  # Keras alone: the other formats have tests of their own
        box.setChecked(box.isEnabled() and name == "keras")

    monkeypatch.setattr(export_page.QFileDialog, "getExistingDirectory", lambda *_args: str(out))
    click(_button(page, "Choose…"))
    assert page.folder_edit.text() == str(out)

    click(page.export_button)
    assert "Exporting" in page.written.toPlainText()
    qtbot.waitUntil(lambda: page._exporting is None, timeout=300_000)
    page.wait()
    written = page.written.toPlainText()
    assert "model.keras" in written and "Written" in written, written
    assert (out / "model.keras").is_file()

    opened: list[QUrl] = []
    monkeypatch.setattr(export_page.QDesktopServices, "openUrl", opened.append)
    click(page.open_button)
    assert opened == [QUrl.fromLocalFile(str(out))]

    click(page.copy_button)
    assert "load_model" in QApplication.clipboard().text()
    assert page.predict_status.text() == "The code is on the clipboard."

    asked: list[str] = []

    def choose_file(_parent, _caption, folder, _filters):
        asked.append(folder)
        return str(data), ""

    monkeypatch.setattr(export_page.QFileDialog, "getOpenFileName", choose_file)
    click(page.file_button)
    assert asked == [str(data.parent)]  # the dialog opens beside the data the run learnt from
    assert page.predict_status.text() == f"Predicting on {data.name}…"
    qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=300_000)
    page.wait()
    rows = len(page.predictions)
    assert rows > 0 and page.prediction_model.rowCount() == rows
    assert page.predict_status.text() == f"{rows} prediction(s)."

    saved = out.parent / "saved.csv"
    monkeypatch.setattr(
        export_page.QFileDialog, "getSaveFileName", lambda *_args: (str(saved), "CSV (*.csv)")
    )
    click(page.save_button)
    assert len(pd.read_csv(saved)) == rows

    corner = page.prediction_view.findChild(QAbstractButton)  # the table's "select all"
    click(corner)
    columns = page.prediction_model.columnCount()
    assert len(page.prediction_view.selectionModel().selectedIndexes()) == rows * columns

    left = {b.text() or type(b).__name__ for b in _enabled_buttons(page) - clicked}
    assert not left, f"buttons not clicked: {sorted(left)}"
    return page.predictions


def _button(page, text: str) -> QAbstractButton:
    return next(b for b in page.findChildren(QAbstractButton) if b.text() == text)


def test_every_button_of_an_anomaly_runs_export_step_works(qtbot, monkeypatch, page, tmp_path):
    from dlstudio.core.data.anomaly_data import AnomalySettings
    from dlstudio.core.engine.anomaly import run_anomaly

    spec = RunSpec(
        DataSpec(str(SLICE), task="anomaly"),
        ModelSpec("conv_autoencoder"),
        TrainSpec(epochs=1, patience=1),
        SearchSpec(max_trials=1),
    )
    run_anomaly(spec, AnomalySettings(window=12), tmp_path / "project")
    page.set_run(Project(tmp_path / "project").runs()[-1])
    assert page.file_button.text() == "Predict on a file…"

    predictions = _click_every_button(qtbot, monkeypatch, page, SLICE, tmp_path / "exported")
    assert {"score", "is_anomaly"} <= set(predictions)


def test_every_button_of_a_table_runs_export_step_works(
    qtbot, monkeypatch, page, penguins_csv, tmp_path
):
    from dlstudio.core.engine.run import start_run

    spec = RunSpec(DataSpec(str(penguins_csv), target="species"), train=TrainSpec(epochs=1))
    page.set_run(RunFolder(start_run(spec, tmp_path / "project").path))

    predictions = _click_every_button(qtbot, monkeypatch, page, penguins_csv, tmp_path / "exported")
    assert "predicted_species" in predictions and len(predictions) == 344
