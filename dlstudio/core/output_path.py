"""Where predictions may be written: never over the data they were made from, nor over a
run's own files.

Checked before the model is loaded, so a wrong -o costs a second, not the model's loading.
"""

from __future__ import annotations

import os
from pathlib import Path

from dlstudio.core.errors import DlstudioError


def check_predictions_path(output: str | Path, data: str | Path | None) -> Path:
    """The path to write predictions to, refused when writing there would destroy something.

    Refused: the input file itself (by any path: another spelling, a symbolic or a hard
    link); a file inside an input folder that the folder's reading would take as data (an
    image or a .txt file), or that exists already (one of the user's data files); an
    existing folder; one of the files dlstudio keeps in a run folder.

    Raises:
        DlstudioError: Writing to `output` would overwrite or add to something it must not.
    """
    target = Path(output).expanduser()
    if target.is_dir():
        raise DlstudioError(
            f"-o {str(output)!r} is a folder.",
            "a file name for the predictions (a CSV table)",
            f"Pass a file inside it, e.g. -o {str(target / 'predictions.csv')!r}.",
        )
    if data:
        source = Path(data).expanduser()
        if _same_file(target, source):
            raise DlstudioError(
                f"-o {str(output)!r} is the input file itself (writing there would replace "
                "the data with the predictions).",
                "a new file for the predictions",
                "Pass another name with -o, e.g. -o predictions.csv.",
            )
        if source.is_dir() and _inside(target, source) and _would_be_data(target):
            raise DlstudioError(
                f"-o {str(output)!r} is inside the input folder {str(source)!r}, where it "
                "would replace one of its files or be read as data next time.",
                "a predictions file outside the folder of new data",
                f"Pass e.g. -o {str(source.resolve().parent / 'predictions.csv')!r}.",
            )
    _refuse_run_files(target)
    return target


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        try:
            return os.path.samefile(a, b)  # a hard link or a symbolic one: the same bytes
        except OSError:
            pass
    return a.resolve() == b.resolve()


def _inside(path: Path, folder: Path) -> bool:
    return folder.resolve() in path.resolve().parents


def _would_be_data(path: Path) -> bool:
    from dlstudio.core.data.images import IMAGE_SUFFIXES
    from dlstudio.core.data.text import TEXT_SUFFIXES

    return path.exists() or path.suffix.lower() in IMAGE_SUFFIXES | TEXT_SUFFIXES


def _refuse_run_files(target: Path) -> None:
    from dlstudio.core.project import RUN_FILES, RUN_MARKERS

    folder = target.resolve().parent
    is_run = any((folder / name).exists() for name in RUN_MARKERS)
    if is_run and target.name in RUN_FILES:
        raise DlstudioError(
            f"-o {str(target)!r} is one of the files of the run {folder.name!r}.",
            "a file name that is not spec.json, state.json, model.keras, … of a run",
            "Pass another name with -o, e.g. -o predictions.csv.",
        )
