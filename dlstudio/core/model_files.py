"""A saved model's files, checked without Keras: where the model is, its card, the formats
asked for and the folder to export to.

`predict` and `export` check all of this before TensorFlow loads (seconds), so a typo in a
path or a format is answered at once and nothing is written.
"""

from __future__ import annotations

import os
from pathlib import Path

from dlstudio.core.data.prepare import FeatureInput
from dlstudio.core.errors import DlstudioError
from dlstudio.core.export_target import check_export_folder
from dlstudio.core.formats import FORMATS, LABELS, available_formats, offered_formats
from dlstudio.core.paths import MODEL_CARD_FILE
from dlstudio.core.project import find_run
from dlstudio.core.storage import DamagedFile, read_json_object

# What load_model, predict and export read from a model card.
CARD_KEYS = ("kind", "task", "target", "class_names", "inputs", "outputs")


def model_file(reference: str | Path) -> Path:
    """The model.keras of a run folder, a project (its latest run) or the file itself.

    Raises:
        DlstudioError: There is no trained model there (or no model card beside it).
    """
    path = Path(reference).expanduser()
    if path.is_dir() and not (path / "model.keras").is_file():
        path = find_run(path).path
    file = path / "model.keras" if path.is_dir() else path
    if not file.is_file() or not (file.parent / MODEL_CARD_FILE).is_file():
        raise DlstudioError(
            f"No trained model at {str(path)!r}.",
            "a run folder with model.keras and model_card.json, or such a .keras file",
            "Train one with `dlstudio train` or `dlstudio tune`, then pass its run folder.",
        )
    return file


def card_of(folder: Path) -> dict:
    """The model card beside a saved model.

    Raises:
        DamagedFile: model_card.json is cut short, not JSON, or lacks what predicting needs.
    """
    path = Path(folder) / MODEL_CARD_FILE
    fix = (
        "The model cannot be used without it: restore model_card.json from a copy (or from an "
        "export folder of this model), or train the model again."
    )
    card = read_json_object(path, fix=fix)
    if card is None:
        raise DlstudioError(
            f"There is no model card beside {str(Path(folder) / 'model.keras')!r}.",
            "the model_card.json that dlstudio writes beside model.keras",
            fix,
        )
    absent = [key for key in CARD_KEYS if key not in card]
    if absent:
        raise DamagedFile(path, f"it lacks {', '.join(map(repr, absent))}", fix)
    try:
        [FeatureInput(**i) for i in card["inputs"]]
    except (TypeError, ValueError, AttributeError) as error:
        raise DamagedFile(path, f"its 'inputs' cannot be read ({error})", fix) from None
    return card


def checked_formats(formats: list[str] | None, card: dict) -> list[str]:
    """The formats to write: those asked for (None: every one this model can hold).

    Raises:
        DlstudioError: An unknown format, or one that cannot hold this model (with why).
    """
    if formats is None:
        return available_formats(card, _family_formats(card))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise DlstudioError(
            f"Unknown export format(s) {', '.join(map(repr, unknown)) or '(none given)'} in "
            f"--format {','.join(formats)}.",
            f"some of {', '.join(FORMATS)}",
            "Fix the --format list, or leave it out for every format this model can use.",
        )
    offers = {offer.name: offer for offer in offered_formats(card, _family_formats(card))}
    refused = [f"{LABELS[f]}: {offers[f].reason}" for f in formats if not offers[f].available]
    if refused:
        raise DlstudioError(
            "This model cannot be exported as asked. " + " | ".join(refused),
            f"formats it can use: {', '.join(available_formats(card, _family_formats(card)))}",
            "Leave those formats out (without --format, every format it can use is written).",
        )
    return list(dict.fromkeys(formats))


def export_folder(out_dir: str | Path, own: Path) -> Path:
    """The folder to export into, created and writable, and not part of another run
    (export_target.check_export_folder says what else is refused).

    Raises:
        DlstudioError: It is a file, another run's or model's, or cannot be created or written.
    """
    out = check_export_folder(out_dir, own)  # never another run's folder or model's files
    if out.exists() and not out.is_dir():
        raise DlstudioError(
            f"--out {str(out)!r} is a file, not a folder.",
            "a folder to write the exported model files into",
            f"Pass a folder, e.g. --out {str(out.parent / (out.stem + '_export'))!r}.",
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DlstudioError(
            f"The export folder {str(out)!r} cannot be created ({error.strerror or error}).",
            "a folder you may write in",
            "Choose a folder in your home or project folder.",
        ) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise DlstudioError(
            f"The export folder {str(out)!r} cannot be written to.",
            "a folder you may write in",
            "Choose another folder, or change its permissions.",
        )
    return out


def _family_formats(card: dict) -> tuple[str, ...]:
    """The formats the card's family exports at all (core/families.py); empty for every one."""
    from dlstudio.core.families import family_for_task

    return family_for_task(card.get("task")).formats
