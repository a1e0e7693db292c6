"""The Try it tab: edit a table row, open or drop an image, or type a text, and the prediction
and class probabilities follow, answered by a process that keeps the model loaded; a bad input
says so in one line and the panel keeps working. The window's process never loads TensorFlow:
the models here are trained by `python -m dlstudio train` in a process of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlstudio.gui.wizard.try_it import TryItPanel
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow

HEAVY = ("tensorflow", "keras")
LOADING_MS = 120_000  # the model's process imports TensorFlow first: seconds on a busy machine


def _train(project: Path, data: Path, *args: str) -> Path:
    subprocess.run(
        [sys.executable, "-m", "dlstudio", "train", str(data), "--epochs", "2"]
        + list(args)
        + ["--project", str(project), "--quiet"],
        check=True,
        capture_output=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        timeout=600,
    )
    (run,) = (project / "runs").iterdir()
    return run


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A table, an image and a text model, 1 trial × 2 epochs each, on small real data."""
    root = tmp_path_factory.mktemp("try_it")
    digits = root / "digits"
    for folder in sorted((SAMPLES / "image" / "sklearn_digits").iterdir())[:3]:
        (digits / folder.name).mkdir(parents=True)
        for file in sorted(folder.glob("*.png"))[:20]:
            shutil.copy(file, digits / folder.name / file.name)
    texts = root / "sms.csv"
    lines = (SAMPLES / "text" / "sms_spam.csv").read_text(encoding="utf-8").splitlines()
    texts.write_text("\n".join(lines[:401]) + "\n", encoding="utf-8")
    return {
        "table": _train(root / "table", SAMPLES / "tabular" / "palmer_penguins.csv"),
        "images": _train(root / "images", digits),
        "text": _train(root / "text", texts, "--target", "label"),
    }


@pytest.fixture
def panel(qtbot):
    heavy_before = any(name in sys.modules for name in HEAVY)
    panel = TryItPanel()
    panel.resize(900, 480)
    qtbot.addWidget(panel)
    panel.show()
    yield panel
    panel.shutdown()
    if not heavy_before:  # other tests of this session may load them; this one must not
        assert [name for name in HEAVY if name in sys.modules] == []


def _answer(qtbot, panel, act=None) -> dict:
    """The prediction shown after `act` (an edit), waiting for the model's answer."""
    with qtbot.waitSignal(panel.predictor.answered, timeout=LOADING_MS):
        if act is not None:
            act()
    assert not panel.error.isVisible()
    return panel.last_answer


def _assert_classes(answer: dict, classes: set[str], panel) -> None:
    shares = answer["probabilities"]
    assert set(shares) == classes
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-4)
    assert answer["label"] == max(shares, key=shares.get)
    assert panel.headline.text() == answer["label"]
    assert list(panel.bars.shares) == sorted(shares, key=shares.get, reverse=True)


def test_a_table_row_is_predicted_and_each_edit_refreshes_the_prediction(qtbot, panel, runs):
    panel.set_run(runs["table"])
    assert "Loading the model" in panel.status.text()
    first = _answer(qtbot, panel)
    assert panel.status.text() == ""
    _assert_classes(first, {"Adelie", "Chinstrap", "Gentoo"}, panel)
    row = panel.row()
    assert row["island"] in {"Biscoe", "Dream", "Torgersen"}  # a real test row, prefilled
    assert float(row["flipper_length_mm"]) > 150
    # The test row's true answer is shown beside the model's, and whether the model got it.
    truth = panel.truth.text()
    assert truth.startswith("This is test row 1 of ") and "in the data, species is " in truth
    true = truth.split("species is ")[1].split(".")[0]
    assert true in {"Adelie", "Chinstrap", "Gentoo"}
    verdict = "right" if first["label"] == true else "wrong"
    assert truth.endswith(f"The model is {verdict} here.")

    # Loading the model again (a kept threshold does that): the old answer is not left showing
    # under "Loading the model…".
    with qtbot.waitSignal(panel.predictor.loading, timeout=LOADING_MS):
        panel.reload_model()
    assert "Loading the model" in panel.status.text()
    assert panel.headline.text() == "" and panel.bars.shares == {}
    _answer(qtbot, panel)

    # Typing: the edits pile up into one request, answered once the typing pauses.
    field = panel._fields["body_mass_g"]
    field.clear()
    edited = _answer(qtbot, panel, lambda: qtbot.keyClicks(field, "2500"))
    assert edited["probabilities"] != first["probabilities"]
    assert panel.row()["body_mass_g"] == "2500"
    assert panel.truth.text() == ""  # the user's own row: the data holds no answer for it

    # A value the model cannot take: one plain message, no traceback, and the panel goes on.
    with qtbot.waitSignal(panel.predictor.refused, timeout=LOADING_MS):
        qtbot.keyClicks(panel._fields["bill_length_mm"], "x")
    assert panel.error.isVisible()
    assert "is not a number" in panel.error.text()
    assert "Traceback" not in panel.error.text() and panel.headline.text() == ""
    field = panel._fields["bill_length_mm"]
    again = _answer(qtbot, panel, lambda: qtbot.keyClick(field, "\b"))
    assert again["label"]

    shown = panel.row()
    _answer(qtbot, panel, panel.another.click)
    assert panel.row() != shown  # another test row, predicted at once
    assert panel.truth.text().startswith("This is test row 2 of ")


def test_an_image_is_predicted_and_an_unreadable_file_says_so(qtbot, panel, runs, tmp_path):
    panel.set_run(runs["images"])
    _assert_classes(_answer(qtbot, panel), {"0", "1", "2"}, panel)  # a kept test image
    assert not panel.preview.pixmap().isNull()
    assert "This is test image 1 of " in panel.truth.text()

    bad = tmp_path / "holiday.png"
    bad.write_bytes(b"this is not a picture")
    with qtbot.waitSignal(panel.predictor.refused, timeout=LOADING_MS):
        panel.open_image(bad)
    assert "'holiday.png' could not be read as an image" in panel.error.text()
    assert panel.headline.text() == ""

    image = next((SAMPLES / "image" / "sklearn_digits" / "1").glob("*.png"))
    answer = _answer(qtbot, panel, lambda: panel.open_image(image))
    _assert_classes(answer, {"0", "1", "2"}, panel)
    assert panel.image_name.text() == image.name
    assert panel.truth.text() == ""  # the user's own image


def test_a_typed_text_is_predicted_as_the_user_types(qtbot, panel, runs):
    panel.set_run(runs["text"])
    _answer(qtbot, panel)  # the prefilled test text
    panel.text_box.clear()
    answer = _answer(
        qtbot, panel, lambda: qtbot.keyClicks(panel.text_box, "WINNER! Claim your free prize")
    )
    _assert_classes(answer, {"ham", "spam"}, panel)


def test_the_models_process_follows_the_run_and_ends_with_the_panel(qtbot, panel, runs):
    panel.set_run(runs["table"])
    _answer(qtbot, panel)
    first = panel.predictor.pid()
    panel.set_run(runs["text"])  # another run: its own model, in a new process
    assert panel.predictor.pid() != first
    assert not _alive(first)
    _answer(qtbot, panel)
    second = panel.predictor.pid()
    panel.shutdown()
    assert panel.predictor.pid() is None and not _alive(second)


def test_a_run_without_a_model_says_there_is_nothing_to_try(qtbot, panel, tmp_path):
    panel.set_run(tmp_path)
    assert "no trained model" in panel.intro.text()
    assert panel.predictor.pid() is None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child not yet reaped by Qt is a zombie: gone for every purpose here.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())
