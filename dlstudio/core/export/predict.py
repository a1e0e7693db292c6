"""Predict on new raw data of any form the model's kind comes in.

- table models: a table file (CSV, Excel, Parquet, JSON), read as the training data was;
- image models: a single image, a folder of images (flat or one subfolder per class), or a
  table of image paths;
- text models: a folder of .txt files, a single .txt file, a table with the text column, or
  texts given directly (typed or pasted).

Every result lists where each prediction came from (`row`, `file` or `text`), the predicted
label (or value) and each class's probability. A file that cannot be read gets a row that
says why, instead of failing the others.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dlstudio.core.errors import DlstudioError
from dlstudio.core.export.model import (
    LoadedModel,
    load_model,
    predict_arrays,
    predictions_frame,
    raw_inputs,
    unreadable_numbers,
)
from dlstudio.core.model_choice import lower_first
from dlstudio.core.threshold import apply_threshold


def load_in_use(reference: str | Path) -> LoadedModel:
    """The run's model in use (core/model_choice.py): its network, or its classical model
    (export/classic.py: an onnxruntime session) when the user chose that one."""
    from dlstudio.core.export.classic import load_classic, uses_classic
    from dlstudio.core.model_files import model_file

    folder = model_file(reference).parent
    return load_classic(folder) if uses_classic(folder) else load_model(reference)


def predict_file(reference: str | Path, data_path: str | Path) -> pd.DataFrame:
    """Predict on a new raw file or folder of the kind the model was trained on."""
    loaded = load_in_use(reference)
    path = Path(data_path).expanduser()
    if not path.exists():
        raise DlstudioError(
            f"Nothing exists at {str(path)!r}.",
            "a file or folder of new data",
            "Check the path (a table, an image, a folder of images or of .txt files).",
        )
    if loaded.kind == "images":
        return _predict_images(loaded, path)
    if loaded.kind == "text" and (path.is_dir() or _is_text_file(path)):
        return _predict_text_files(loaded, path)
    return _predict_table(loaded, _read_table(path))


def predict_texts(reference: str | Path, texts: list[str]) -> pd.DataFrame:
    """Predict on texts given directly (typed or pasted in)."""
    loaded = load_in_use(reference)
    if loaded.kind != "text" and not _reads_one_text_column(loaded):
        raise DlstudioError(
            f"This model reads {loaded.kind}, not a text.",
            "a model trained on texts",
            "Predict on a file of the data it was trained on instead.",
        )
    if not texts:
        raise DlstudioError("No text was given.", "one or more texts", "Type or paste a text.")
    column = loaded.inputs[0].column
    return _predict(loaded, pd.DataFrame({column: texts}), pd.DataFrame({"text": texts}))


def _reads_one_text_column(loaded: LoadedModel) -> bool:
    return len(loaded.inputs) == 1 and loaded.inputs[0].kind == "text"


# ---------------------------------------------------------------- tables


def _read_table(path: Path) -> pd.DataFrame:
    from dlstudio.core.data.tabular import read_table

    if path.is_dir():
        raise DlstudioError(
            f"{str(path)!r} is a folder.",
            "a table file (CSV, TSV, Excel, Parquet or JSON) with the columns it was trained on",
            "Pass the table file itself.",
        )
    # New rows may rightly hold one column: the texts for a model that reads only them.
    read = read_table(path, one_column=True)
    read.frame.attrs["notes"] = list(read.notes)  # skipped lines, values read as missing, …
    return read.frame


def _predict_table(loaded: LoadedModel, frame: pd.DataFrame) -> pd.DataFrame:
    source = frame.reset_index(drop=True)
    source.insert(0, "row", np.arange(1, len(frame) + 1))
    return _predict(loaded, frame, source)


def _predict(loaded: LoadedModel, frame: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    notes = frame.attrs.get("notes", []) + unreadable_numbers(loaded, frame) + _in_use(loaded)
    outputs = _run(loaded, raw_inputs(loaded, frame))
    predictions = _labelled(loaded, outputs)
    result = pd.concat([source.reset_index(drop=True), predictions], axis=1)
    result.attrs["notes"] = notes  # said beside the predictions by the CLI
    return result


# ---------------------------------------------------------------- images


def _predict_images(loaded: LoadedModel, path: Path) -> pd.DataFrame:
    from dlstudio.core.data.images import IMAGE_SUFFIXES

    if path.is_file() and path.suffix.lower() not in IMAGE_SUFFIXES:
        frame = _read_table(path)  # a table of image paths, relative to the table
        column = loaded.inputs[0].column
        if column in frame.columns:
            frame[column] = frame[column].astype(str).map(lambda p: str(path.parent / p))
        return _predict_table(loaded, frame)
    files = [path] if path.is_file() else _files_in(path, IMAGE_SUFFIXES, "images")
    base = path.parent if path.is_file() else path
    return _predict_files(loaded, files, base, _image_pixels)


def _image_pixels(loaded: LoadedModel, file: Path) -> np.ndarray:
    from dlstudio.core.data.images import load_image

    stats = loaded.inputs[0].stats
    return load_image(file, tuple(stats["size"]), stats["channels"])


# ---------------------------------------------------------------- texts


def _is_text_file(path: Path) -> bool:
    from dlstudio.core.data.text import TEXT_SUFFIXES

    return path.suffix.lower() in TEXT_SUFFIXES


def _predict_text_files(loaded: LoadedModel, path: Path) -> pd.DataFrame:
    from dlstudio.core.data.text import TEXT_SUFFIXES

    if path.is_file():
        table = _table_with_column(path, loaded.inputs[0].column)
        if table is not None:
            return _predict_table(loaded, table)
    files = [path] if path.is_file() else _files_in(path, TEXT_SUFFIXES, ".txt files")
    base = path.parent if path.is_file() else path
    return _predict_files(loaded, files, base, lambda _, file: _read_text(file))


def _table_with_column(path: Path, column: str) -> pd.DataFrame | None:
    """A .txt file may be a table (tab-separated, say) holding the text column."""
    try:
        frame = _read_table(path)
    except DlstudioError:
        return None
    return frame if column in frame.columns and len(frame.columns) > 1 else None


def _read_text(file: Path) -> str:
    from dlstudio.core.data.encoding import read_text_file

    return read_text_file(file)[0]


# ---------------------------------------------------------------- files


def _files_in(folder: Path, suffixes, what: str) -> list[Path]:
    files = sorted(
        f
        for f in folder.rglob("*")
        if f.is_file() and f.suffix.lower() in suffixes and not f.name.startswith(".")
    )
    if not files:
        raise DlstudioError(
            f"The folder {str(folder)!r} has no {what}.",
            f"{what} ({', '.join(sorted(suffixes))}), directly in it or in subfolders",
            "Point at the folder that holds them.",
        )
    return files


def _predict_files(loaded: LoadedModel, files: list[Path], base: Path, read) -> pd.DataFrame:
    """One row per file: read each (a file that cannot be read gets a row saying why), then
    predict on all that could be read at once."""
    names, values, problems = [], [], {}
    for file in files:
        name = str(file.relative_to(base))
        try:
            values.append(read(loaded, file))
            names.append(name)
        except Exception as error:  # noqa: BLE001  (one bad file must not fail the others)
            problems[name] = f"could not be read ({type(error).__name__}: {error})"
    rows = []
    if values:
        spec = loaded.inputs[0]
        if loaded.kind == "images":
            inputs = {spec.name: np.stack(values).astype("float32")}
        else:
            inputs = {spec.name: np.array([[v] for v in values], dtype=object)}
        outputs = _run(loaded, inputs)
        predictions = _labelled(loaded, outputs)
        rows.append(pd.concat([pd.DataFrame({"file": names}), predictions], axis=1))
    if problems:
        rows.append(pd.DataFrame({"file": list(problems), "problem": list(problems.values())}))
    result = pd.concat(rows, ignore_index=True)
    order = {name: i for i, name in enumerate(str(f.relative_to(base)) for f in files)}
    return result.sort_values("file", key=lambda s: s.map(order)).reset_index(drop=True)


# ---------------------------------------------------------------- in memory ("Try it")
# A model loaded once answers one input at a time, as the user edits it: no files, no batches
# of a dataset pipeline (model.predict builds one per call: tens of milliseconds for nothing).


def predict_records(loaded: LoadedModel, rows: list[dict]) -> pd.DataFrame:
    """Predict on table rows given as {column: value}, as typed in a form.

    Columns the model needs but a row lacks, and empty values, are read as missing.

    Raises:
        DlstudioError: A numeric field holds something that is not a number.
    """
    if not rows:
        raise DlstudioError("No row was given.", "one or more rows", "Fill in a row.")
    columns = {i.column: i for i in loaded.inputs}
    frame = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows])
    for column, spec in columns.items():
        if spec.kind == "numeric":
            frame[column] = [_number(v, column) for v in frame[column]]
        elif spec.kind == "image" and loaded.kind != "images":
            raise DlstudioError(
                f"The input {column!r} is an image.", "a table model", "Use an image instead."
            )
    return _predict_now(loaded, frame)


def predict_text_list(loaded: LoadedModel, texts: list[str]) -> pd.DataFrame:
    """Predict on texts typed or pasted in, with a model already loaded."""
    if loaded.kind != "text" and not _reads_one_text_column(loaded):
        raise DlstudioError(
            f"This model reads {loaded.kind}, not a text.",
            "a model trained on texts",
            "Give it the kind of data it was trained on.",
        )
    if not texts:
        raise DlstudioError("No text was given.", "one or more texts", "Type or paste a text.")
    return _predict_now(loaded, pd.DataFrame({loaded.inputs[0].column: list(texts)}))


def predict_image_list(loaded: LoadedModel, paths: list[str | Path]) -> pd.DataFrame:
    """Predict on image files, with a model already loaded.

    Raises:
        DlstudioError: A file is missing or is not an image this model can read.
    """
    from dlstudio.core.data.images import IMAGE_SUFFIXES

    if loaded.kind != "images":
        raise DlstudioError(
            f"This model reads {loaded.kind}, not images.",
            "a model trained on images",
            "Give it the kind of data it was trained on.",
        )
    pixels = []
    for path in map(Path, paths):
        if not path.is_file():
            raise DlstudioError(
                f"There is no image file at {str(path)!r}.",
                "an image file",
                "Open an image that exists.",
            )
        try:
            pixels.append(_image_pixels(loaded, path))
        except DlstudioError:
            raise
        except Exception:  # noqa: BLE001  (Pillow's errors vary by format: say it plainly)
            raise DlstudioError(
                f"{path.name!r} could not be read as an image.",
                f"an image file ({', '.join(sorted(IMAGE_SUFFIXES))})",
                "Open another image, or save this one again as PNG or JPEG.",
            ) from None
    inputs = {loaded.inputs[0].name: np.stack(pixels).astype("float32")}
    return _labelled(loaded, _outputs_now(loaded, inputs))


def predict_sample_arrays(loaded: LoadedModel, inputs: dict) -> pd.DataFrame:
    """Predict on model inputs as kept with the run (sample_inputs.npz)."""
    return _labelled(loaded, _outputs_now(loaded, inputs))


def _number(value, column: str) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return np.nan
    if isinstance(value, bool):
        return float(value)
    try:
        return float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise DlstudioError(
            f"{str(value)!r} in {column!r} is not a number.",
            f"a number in {column!r}, like those it was trained on",
            "Type a number, or leave the field empty for a missing value.",
        ) from None


def _predict_now(loaded: LoadedModel, frame: pd.DataFrame) -> pd.DataFrame:
    return _labelled(loaded, _outputs_now(loaded, raw_inputs(loaded, frame)))


def _labelled(loaded: LoadedModel, outputs: dict) -> pd.DataFrame:
    """Predictions labelled as everywhere else: with the decision threshold the user chose."""
    return apply_threshold(loaded.card, predictions_frame(loaded.card, outputs))


def _in_use(loaded: LoadedModel) -> list[str]:
    """A note when the predictions come from the classical model the user chose."""
    if loaded.card.get("model_in_use") != "classical":
        return []
    name = lower_first((loaded.card.get("classic") or {}).get("name") or "the classical model")
    return [
        f"predicted by the run's classical model in use ({name}); `dlstudio use RUN network` "
        "switches back to the network"
    ]


def _run(loaded: LoadedModel, inputs: dict) -> dict[str, np.ndarray]:
    """The model's outputs: the network through Keras, the classical model in onnxruntime."""
    if hasattr(loaded.model, "session"):  # export/classic.py ClassicModel
        return loaded.model.run(inputs)
    return predict_arrays(loaded.model, inputs)


def _outputs_now(loaded: LoadedModel, inputs: dict) -> dict[str, np.ndarray]:
    if hasattr(loaded.model, "session"):
        return loaded.model.run(inputs)
    outputs = loaded.model.predict_on_batch(inputs)
    if not isinstance(outputs, dict):
        outputs = {"output": outputs}
    return {name: np.asarray(value) for name, value in outputs.items()}
