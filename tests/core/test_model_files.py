"""What `export` and `predict` check before TensorFlow loads: the model, its card, the formats
and the export folder. A wrong path or format is answered at once, and nothing is written."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dlstudio.core.errors import DlstudioError
from dlstudio.core.model_files import checked_formats, export_folder, model_file

CARD = {
    "kind": "table",
    "task": "binary",
    "target": "y",
    "class_names": ["no", "yes"],
    "inputs": [{"name": "x", "column": "x", "kind": "numeric", "stats": {}}],
    "outputs": {},
}


@pytest.fixture
def saved(tmp_path):
    run = tmp_path / "project" / "runs" / "20261202-100000-train"
    run.mkdir(parents=True)
    (run / "spec.json").write_text("{}")
    (run / "model.keras").write_bytes(b"not checked here")
    (run / "model_card.json").write_text(json.dumps(CARD))
    return run


def test_a_folder_without_a_model_is_refused_naming_it(tmp_path):
    with pytest.raises(DlstudioError, match="No trained model|not a run folder") as error:
        model_file(tmp_path)
    assert str(tmp_path) in str(error.value)


def test_the_model_is_found_from_its_project(saved):
    assert model_file(saved.parents[1]) == saved / "model.keras"


def test_an_unknown_format_is_refused_with_the_known_ones():
    with pytest.raises(DlstudioError, match="'pickle'.*keras, savedmodel, onnx, tflite"):
        checked_formats(["keras", "pickle"], CARD)


def test_an_export_folder_that_is_a_file_is_refused_and_left_alone(saved, tmp_path):
    existing = tmp_path / "notes.txt"
    existing.write_text("mine")
    with pytest.raises(DlstudioError, match="is a file, not a folder"):
        export_folder(existing, saved)
    assert existing.read_text() == "mine"


def test_an_export_folder_that_cannot_be_made_says_why(saved, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    with pytest.raises(DlstudioError, match="cannot be created"):
        export_folder(blocker / "inside", saved)


def test_an_export_into_another_run_is_refused(saved):
    other = saved.parent / "20261202-110000-tune"
    other.mkdir()
    (other / "spec.json").write_text("{}")
    with pytest.raises(DlstudioError, match="inside another run"):
        export_folder(other / "export", saved)
    assert not (other / "export").exists()


def test_checking_loads_no_tensorflow():
    code = (
        "import sys, dlstudio.core.model_files; "
        "print([m for m in ('tensorflow', 'keras') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
