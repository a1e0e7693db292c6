"""Where a run's exports may go, checked before anything is written (no Keras needed).

An export writes model.keras, model.onnx, model.tflite, savedmodel/ and model_card.json/.md
(export/writers.py). Written into another run's folder, or over another model's export, it
would silently replace that model. So an export folder is refused when it is:

- another run's folder or inside one (its model.keras is that run's model);
- this run's own folder (the original model.keras and card live there);
- a folder directly under a project's runs/ (its model.keras would make it look like a run);
- a folder that already holds another model's exported files.

Re-exporting a run into its own earlier export folder is fine: the files are that model's.
"""

from __future__ import annotations

from pathlib import Path

from dlstudio.core.errors import DlstudioError
from dlstudio.core.paths import MODEL_CARD_FILE
from dlstudio.core.snippets import FILE_NAMES
from dlstudio.core.storage import read_json_object

EXPORT_FOLDER = "export"
# Files only a run folder holds (an export folder holds a model.keras too, but none of these).
_RUN_ONLY = ("spec.json", "state.json", "trials.jsonl")
# What identifies one trained model in its card: two cards agreeing on these are one model.
_IDENTITY = ("created", "kind", "task", "target", "template", "best_trial", "hyperparameters")


def default_export_folder(run_path: str | Path) -> Path:
    """Where a run's exports go unless the user picks another folder: inside the run."""
    return Path(run_path) / EXPORT_FOLDER


def check_export_folder(out: str | Path, run_path: str | Path) -> Path:
    """The resolved folder to export the run at `run_path` into.

    Raises:
        DlstudioError: The folder is empty text, another run's (or inside one), the run's own
            folder, a folder under a project's runs/, or holds another model's exported files.
    """
    own = Path(run_path).expanduser().resolve()
    suggestion = f"Choose another folder, e.g. {str(default_export_folder(own))!r}."
    if not str(out).strip():
        raise DlstudioError(
            "No export folder was given.",
            "a folder to write the model files into",
            f"Type or choose one, e.g. {str(default_export_folder(own))!r}.",
        )
    folder = Path(out).expanduser().resolve()
    if folder == own:
        raise DlstudioError(
            f"The export folder {str(folder)!r} is the run's own folder.",
            "a folder of its own, where the exported copies can go",
            suggestion,
        )
    for above in (folder, *folder.parents):
        if above == own:
            break  # inside this run's folder (its export/): its own files only
        if any((above / name).exists() for name in _RUN_ONLY):
            raise DlstudioError(
                f"The export folder {str(folder)!r} is inside another run ({above.name}); "
                "exporting there would replace that run's model.",
                "a folder of its own, or one inside this run's folder",
                suggestion,
            )
    if folder.parent.name == "runs" and (folder.parent.parent / "project.json").is_file():
        raise DlstudioError(
            f"The export folder {str(folder)!r} is directly in a project's runs folder, "
            "where it would be listed as a run.",
            "a folder outside the project's runs/, or one inside this run's folder",
            suggestion,
        )
    other = _other_model(folder, own)
    if other:
        raise DlstudioError(
            f"The export folder {str(folder)!r} already holds {other}; exporting there would "
            "replace it.",
            "an empty folder, or this model's own earlier export",
            suggestion,
        )
    return folder


def _other_model(folder: Path, own: Path) -> str:
    """What in `folder` belongs to another model ("" when nothing does)."""
    if not folder.is_dir():
        return ""
    files = [name for name in FILE_NAMES.values() if (folder / name).exists()]
    card_path = folder / MODEL_CARD_FILE
    if not files and not card_path.exists():
        return ""
    try:
        theirs = read_json_object(card_path) or {}
        ours = read_json_object(own / MODEL_CARD_FILE) or {}
    except DlstudioError:
        theirs, ours = {}, {}
    if theirs and ours and all(theirs.get(k) == ours.get(k) for k in _IDENTITY):
        return ""
    if theirs:
        return "the exported files of another model (its model_card.json differs from this run's)"
    return f"model files of unknown origin ({', '.join(files)}, without this run's model card)"
