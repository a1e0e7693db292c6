"""The end-to-end model a run saves, and how dlstudio loads it and feeds it.

The saved `model.keras` takes raw columns, image pixels or strings in and gives class
probabilities and the class label (or the predicted value, in the target's units) out. It
holds only built-in Keras layers and keras.ops, so `keras.saving.load_model(path)` loads it in
safe mode with no dlstudio code. `model_card.json` beside it says which input takes which
column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from keras import layers, ops

from dlstudio.core.data import Task
from dlstudio.core.data.prepare import FeatureInput, PreparedData, raw_column_values
from dlstudio.core.errors import DlstudioError, error_summary
from dlstudio.core.export.feed import make_batches
from dlstudio.core.model_files import card_of
from dlstudio.core.model_files import model_file as saved_model_file
from dlstudio.core.storage import DamagedFile


def inference_model(
    model: keras.Model, data: PreparedData, in_user_units: bool = False
) -> keras.Model:
    """The trained model with outputs a user can read: probabilities and label, or value.

    Build `model` without augmentation layers (TemplateHyperModel.build_for_inference): they do
    nothing when predicting, but leave random operations in the graph that LiteRT cannot hold.
    `in_user_units`: a regression model that already gives the target's own units (an ensemble
    unscales each member before averaging, engine/ensemble.py)."""
    output = model.outputs[0]
    if data.task is Task.REGRESSION:
        scaling = data.target_scaling
        if scaling is not None and not in_user_units:
            # The network learned a standardised target (or its logarithm): back to the
            # user's units, with built-in pieces only so that safe mode loads it.
            output = layers.Rescaling(scaling.std, scaling.mean, name="unscale")(output)
            if scaling.log:  # exp(x) - 1, not expm1: ONNX has no Expm1 operation
                output = ops.exp(ops.clip(output, scaling.low, scaling.high)) - 1.0
        # Every runtime names an output after the layer that makes it, not after its key here.
        outputs = {"value": layers.Identity(name="value")(output)}
    else:
        if data.task is Task.BINARY:
            output = layers.Concatenate(name="probabilities")([1.0 - output, output])
        else:
            output = layers.Identity(name="probabilities")(output)
        outputs = {"probabilities": output}
        if keras.backend.backend() == "tensorflow":  # string outputs need TensorFlow
            index = ops.expand_dims(ops.argmax(output, axis=-1), -1)
            outputs["label"] = layers.StringLookup(
                vocabulary=data.class_names, invert=True, num_oov_indices=0, name="label"
            )(index)
    return keras.Model(model.inputs, outputs, name=f"dlstudio_{model.name}")


@dataclass
class LoadedModel:
    model: keras.Model
    card: dict
    folder: Path
    rebuilt: bool = False  # not the run's model.keras as saved (a kept threshold's label)

    @property
    def inputs(self) -> list[FeatureInput]:
        return [FeatureInput(**i) for i in self.card["inputs"]]

    @property
    def kind(self) -> str:
        return self.card["kind"]


def load_model(reference: str | Path) -> LoadedModel:
    """A saved model (its .keras file or its run folder) with its model card."""
    model_file = saved_model_file(reference)
    card = card_of(model_file.parent)
    try:
        model = keras.saving.load_model(model_file, safe_mode=True)
    except Exception as error:  # noqa: BLE001  (a cut or foreign file: say which, not a traceback)
        raise DamagedFile(
            model_file,
            f"Keras could not load it ({error_summary(error, limit=200)})",
            "Train the model again, or restore model.keras from a copy.",
        ) from None
    return LoadedModel(model, card, model_file.parent)


def with_decision_threshold(loaded: LoadedModel) -> LoadedModel:
    """The model with its "label" output drawn by the decision threshold kept for the run
    (core/threshold.py), so that an exported model labels rows as `dlstudio predict` and the
    window do; unchanged without a kept threshold, for other tasks, or without a label."""
    from dlstudio.core.threshold import CARD_KEY

    entry, names = loaded.card.get(CARD_KEY), loaded.card.get("class_names") or []
    model = loaded.model
    if not entry or loaded.card.get("task") != "binary" or len(names) != 2:
        return loaded
    outputs = dict(zip(model.output_names, model.outputs, strict=True))
    if "label" not in outputs or "probabilities" not in outputs:
        return loaded
    positive = ops.take(outputs["probabilities"], 1, axis=-1)
    chosen = ops.expand_dims(ops.cast(positive >= float(entry["threshold"]), "int64"), -1)
    outputs["label"] = layers.StringLookup(
        vocabulary=names, invert=True, num_oov_indices=0, name="label"
    )(chosen)
    rebuilt = keras.Model(model.inputs, outputs, name=model.name)
    return LoadedModel(model=rebuilt, card=loaded.card, folder=loaded.folder, rebuilt=True)


def raw_inputs(loaded: LoadedModel, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The model's inputs from a table of raw columns; missing columns are an error."""
    needed = [i.column for i in loaded.inputs]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise DlstudioError(
            f"The data lacks the column(s) {', '.join(map(repr, absent))} that the model needs.",
            f"the columns it was trained on: {', '.join(map(repr, needed))} (others are ignored)",
            "Add the missing columns (empty values are allowed), or check their names.",
        )
    return {i.name: raw_column_values(frame[i.column], i) for i in loaded.inputs}


def unreadable_numbers(loaded: LoadedModel, frame: pd.DataFrame) -> list[str]:
    """Notes on numeric inputs holding words, which the model reads as missing values.

    Raises:
        DlstudioError: Most of a numeric column's values are words: likely the wrong column or
            the wrong file, and predictions from it would be guesses.
    """
    notes = []
    for spec in loaded.inputs:
        if spec.kind != "numeric" or spec.column not in frame.columns:
            continue
        present = frame[spec.column].dropna()
        words = present[pd.to_numeric(present, errors="coerce").isna()]
        if words.empty:
            continue
        examples = ", ".join(repr(str(w)) for w in words.unique()[:3])
        if len(words) > len(present) / 2:
            raise DlstudioError(
                f"The column {spec.column!r} should hold numbers, but {len(words)} of its "
                f"{len(present)} values are words ({examples}).",
                f"numbers in {spec.column!r}, as in the data the model was trained on",
                "Check that this is the right file and column; fix or empty those cells.",
            )
        notes.append(
            f"{len(words)} value(s) of {spec.column!r} are not numbers ({examples}) and were "
            "read as missing"
        )
    return notes


def predict_arrays(
    model: keras.Model, inputs: dict, batch_size: int = 256
) -> dict[str, np.ndarray]:
    outputs = model.predict(make_batches(inputs, None, batch_size), verbose=0)
    return outputs if isinstance(outputs, dict) else {"output": outputs}


def predictions_frame(card: dict, outputs: dict) -> pd.DataFrame:
    """Readable predictions: the label (or value) and one probability column per class."""
    if card["task"] == "regression":
        return pd.DataFrame(
            {f"predicted_{card['target']}": np.asarray(outputs["value"]).reshape(-1)}
        )
    probabilities = np.asarray(outputs["probabilities"])
    names = card["class_names"]
    result = pd.DataFrame(
        {f"predicted_{card['target']}": [names[i] for i in probabilities.argmax(1)]}
    )
    for i, name in enumerate(names):
        result[f"probability_{name}"] = probabilities[:, i]
    return result
