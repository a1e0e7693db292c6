"""The run's classical model in use: predicting with its ONNX file, and exporting it.

When the user chose the classical model (core/model_choice.py), `dlstudio predict`, the Export
step's predictions and Try it run the run's classic.onnx in onnxruntime (ClassicModel), fed
exactly as the network is (export/model.py raw_inputs), and `dlstudio export` writes that file,
checked again in a fresh interpreter against scikit-learn's predictions kept with the run,
beside a model card that says which model is in use.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from dlstudio.core.errors import DlstudioError, error_summary
from dlstudio.core.export.classic_onnx import NOTES, SAMPLE_FILE, read_sample
from dlstudio.core.export.fresh_check import (
    ExportedFile,
    check_in_fresh_process,
    refuse_failed_formats,
)
from dlstudio.core.export.model import LoadedModel
from dlstudio.core.formats import LABELS
from dlstudio.core.model_choice import CLASSIC_FILE, CLASSICAL, current_sentence, model_in_use
from dlstudio.core.model_files import card_of, export_folder
from dlstudio.core.paths import MODEL_CARD_FILE, MODEL_CARD_TEXT
from dlstudio.core.project import atomic_write_json
from dlstudio.core.storage import DamagedFile
from dlstudio.core.threshold import CARD_KEY

EXPORTED_NAME = "classical_model.onnx"
BATCH_ROWS = 256  # TF-IDF counts are dense in ONNX: rows × vocabulary floats per batch


class ClassicModel:
    """An onnxruntime session over a run's classical model."""

    def __init__(self, path: Path) -> None:
        import onnxruntime

        try:
            self.session = onnxruntime.InferenceSession(str(path))
        except Exception as error:  # noqa: BLE001  (a cut or foreign file: say which)
            raise DamagedFile(
                path,
                f"onnxruntime could not load it ({error_summary(error, limit=200)})",
                "Train the run again, or use its network (`dlstudio use RUN network`).",
            ) from None
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.output_names = [o.name for o in self.session.get_outputs()]

    def run(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Its outputs by name, BATCH_ROWS rows at a time."""
        rows = len(inputs[self.input_names[0]]) if self.input_names else 0
        pieces: dict[str, list[np.ndarray]] = {name: [] for name in self.output_names}
        for start in range(0, rows, BATCH_ROWS):
            batch = {
                name: _fed(inputs[name][start : start + BATCH_ROWS]) for name in self.input_names
            }
            for name, value in zip(self.output_names, self.session.run(None, batch), strict=True):
                pieces[name].append(np.asarray(value))
        return {
            name: np.concatenate(parts) if parts else np.zeros((0, 1))
            for name, parts in pieces.items()
        }


def _fed(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values)
    return values.astype(object) if values.dtype.kind in "OUS" else values.astype("float32")


def load_classic(folder: Path) -> LoadedModel:
    """The run's classical model with the card predictions are labelled by: the network's kept
    decision threshold does not apply to it."""
    card = {k: v for k, v in card_of(folder).items() if k != CARD_KEY}
    card["model_in_use"] = CLASSICAL
    return LoadedModel(ClassicModel(folder / CLASSIC_FILE), card, folder)


def uses_classic(folder: Path) -> bool:
    return model_in_use(folder) == CLASSICAL


def export_classic(folder: Path, formats: list[str] | None, out_dir) -> list[ExportedFile]:
    """Write the classical model in use (ONNX, the one format it has) to `out_dir`, checked in
    onnxruntime in a fresh interpreter against scikit-learn's predictions on the sample rows,
    with its model card.

    Raises:
        DlstudioError: A format other than ONNX asked for, or a file that fails its check.
    """
    if formats is not None and set(formats) != {"onnx"}:
        others = ", ".join(LABELS.get(f, f) for f in formats if f != "onnx")
        raise DlstudioError(
            f"This run uses its classical model, which exists only as ONNX (not {others}).",
            "the onnx format (or none named: every format the model in use has)",
            "Export with --format onnx, or switch back with `dlstudio use RUN network` to "
            "export the network.",
        )
    out = export_folder(out_dir, folder)
    path = out / EXPORTED_NAME
    shutil.copy(folder / CLASSIC_FILE, path)
    problems: list[str] = []
    stored = folder / SAMPLE_FILE
    if not stored.is_file():
        raise DamagedFile(stored, "it is missing", "Train the run again to keep it.")
    sample, expected = read_sample(stored)
    checked = check_in_fresh_process({"onnx": path}, sample, expected, problems, NOTES)
    card = classic_card(folder)
    atomic_write_json(out / MODEL_CARD_FILE, card)
    from dlstudio.core.export.card import card_markdown

    (out / MODEL_CARD_TEXT).write_text(card_markdown(card, ["onnx"]), encoding="utf-8")
    refuse_failed_formats(problems, checked, out)
    return checked


def classic_card(folder: Path) -> dict:
    """The run's card with the classical model in use: its outputs, its file, and the sentence
    saying which model is in use and why."""
    card = {k: v for k, v in card_of(folder).items() if k != CARD_KEY}
    card["model_in_use"] = {
        "model": CLASSICAL,
        "file": EXPORTED_NAME,
        "sentence": current_sentence(folder),
        "classic": card.get("classic"),
    }
    card["outputs"] = ["value"] if card["task"] == "regression" else ["probabilities", "label"]
    return json.loads(json.dumps(card))
