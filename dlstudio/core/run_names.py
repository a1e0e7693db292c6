"""Names people give their runs ("bigger network", "without the zip column").

A run's name lives in `name.json` in its folder, written atomically, so it survives restarts
and travels with the folder. A run without one is shown by its id.
"""

from __future__ import annotations

from pathlib import Path

from dlstudio.core.errors import DlstudioError
from dlstudio.core.storage import DamagedFile, atomic_write_json, read_json_object

FILE = "name.json"
MAX_LENGTH = 80


def run_name(run_path: str | Path) -> str | None:
    """The name given to the run in `run_path`; None when it has none (or the file is
    damaged: a name is never worth an error)."""
    try:
        data = read_json_object(Path(run_path) / FILE, {}) or {}
    except (DamagedFile, DlstudioError):
        return None
    name = data.get("name")
    return (name.strip() or None) if isinstance(name, str) else None


def set_run_name(run_path: str | Path, name: str | None) -> str | None:
    """Give the run in `run_path` a name (blank or None: take its name away).

    Returns:
        The name as stored (trimmed, one line), or None when it was taken away.

    Raises:
        DlstudioError: The folder is not a run folder, or the name is too long.
        StorageError: The file could not be written.
    """
    path = Path(run_path)
    if not path.is_dir():
        raise DlstudioError(
            f"{str(path)!r} is not a folder.",
            "the folder of a run of this project",
            "Choose a run in the Runs list, or pass a folder from `dlstudio runs PROJECT`.",
        )
    cleaned = " ".join((name or "").split())
    if len(cleaned) > MAX_LENGTH:
        raise DlstudioError(
            f"A name of {len(cleaned)} characters.",
            f"a name of at most {MAX_LENGTH} characters",
            "Shorten the name.",
        )
    if not cleaned:
        if (path / FILE).exists():
            atomic_write_json(path / FILE, {"name": None}, make_parents=False)
        return None
    atomic_write_json(path / FILE, {"name": cleaned}, make_parents=False)
    return cleaned


def display_name(run_path: str | Path) -> str:
    """ "bigger network (20261202-141500)" for a named run, its id alone otherwise."""
    path = Path(run_path)
    name = run_name(path)
    return f"{name} ({path.name})" if name else path.name


def short_name(run_path: str | Path) -> str:
    """The name when there is one, else the id: for plot axes and legends."""
    path = Path(run_path)
    return run_name(path) or path.name
