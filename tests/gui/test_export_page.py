"""The Export step offers only the formats a model can use, saying why not for the others, and
predicts on what each kind of model takes: typed texts, a folder of images, a single image."""

from __future__ import annotations

import shutil

import pytest

from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, TrainSpec
from dlstudio.core.engine.run import start_run
from dlstudio.core.project import RunFolder
from dlstudio.gui.wizard.export_page import ExportPage

pytestmark = pytest.mark.slow


@pytest.fixture
def page(qtbot):
    page = ExportPage()
    qtbot.addWidget(page)
    page.show()
    yield page
    page.wait()


def test_a_text_model_greys_out_onnx_and_litert_and_predicts_typed_texts(
    qtbot, page, sms_csv, tmp_path
):
    spec = RunSpec(
        DataSpec(str(sms_csv), target="label"),
        model=ModelSpec(hyperparameters={"max_tokens": 5000}),
        train=TrainSpec(epochs=2),
    )
    run = start_run(spec, tmp_path / "project")
    page.set_run(RunFolder(run.path))
    assert page.checks["keras"].isEnabled() and page.checks["keras"].isChecked()
    for name in ("onnx", "tflite"):
        box = page.checks[name]
        assert not box.isEnabled() and not box.isChecked()
        assert "string operations" in box.toolTip()
    assert "reads text" in page.formats_note.text()
    assert page.texts_widget.isVisibleTo(page)

    page.texts_edit.setPlainText("WINNER!! Claim your FREE prize now\n\nsee you at 6 at the café")
    page._predict_typed()
    qtbot.waitUntil(lambda: page.prediction_model.rowCount() == 2, timeout=120_000)
    assert list(page.predictions["text"]) == [
        "WINNER!! Claim your FREE prize now",
        "see you at 6 at the café",
    ]
    assert {"predicted_label", "probability_ham", "probability_spam"} <= set(page.predictions)


def test_an_image_model_predicts_on_a_folder_and_on_one_image(qtbot, page, tiny_digits, tmp_path):
    spec = RunSpec(
        DataSpec(str(tiny_digits)),
        model=ModelSpec("small_cnn", {"augment": False, "filters": 16}),
        train=TrainSpec(epochs=1),
    )
    run = start_run(spec, tmp_path / "project")
    page.set_run(RunFolder(run.path))
    assert all(box.isEnabled() for box in page.checks.values())
    assert not page.texts_widget.isVisibleTo(page) and page.folder_button.isVisibleTo(page)

    new = tmp_path / "new"
    new.mkdir()
    for folder in sorted(tiny_digits.iterdir()):
        shutil.copy(next(folder.glob("*.png")), new / f"{folder.name}.png")
    page.predict_on(str(new))
    qtbot.waitUntil(lambda: page.prediction_model.rowCount() == 3, timeout=120_000)
    assert list(page.predictions["file"]) == ["0.png", "1.png", "2.png"]

    page.predict_on(str(new / "1.png"))
    qtbot.waitUntil(lambda: page.prediction_model.rowCount() == 1, timeout=120_000)
    assert list(page.predictions["file"]) == ["1.png"]
