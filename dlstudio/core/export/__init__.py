"""Models that take raw data and give predictions, in the formats people deploy, checked.

- model.py: the end-to-end model a run saves (raw data in, predictions out), loading it
- card.py: the model card, with copy-paste code per format
- writers.py: .keras, SavedModel, ONNX and LiteRT files, each checked in its own runtime
- predict.py: predictions on new tables, images, text files or typed texts
- check.py: the user's side of an export, run in a fresh interpreter without dlstudio
"""

from dlstudio.core.export.card import write_model_card
from dlstudio.core.export.fresh_check import MATCH_TOLERANCE, ExportedFile, largest_difference
from dlstudio.core.export.model import (
    LoadedModel,
    inference_model,
    load_model,
    predict_arrays,
    predictions_frame,
    raw_inputs,
)
from dlstudio.core.export.predict import predict_file, predict_texts
from dlstudio.core.export.writers import export_run, sample_inputs, save_sample_inputs

__all__ = [
    "MATCH_TOLERANCE",
    "ExportedFile",
    "LoadedModel",
    "export_run",
    "inference_model",
    "largest_difference",
    "load_model",
    "predict_arrays",
    "predict_file",
    "predict_texts",
    "predictions_frame",
    "raw_inputs",
    "sample_inputs",
    "save_sample_inputs",
    "write_model_card",
]
