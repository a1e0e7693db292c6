"""The task families and the code that serves each, in one table: the runner, the worker's
export and predict jobs and the command line look a family up here instead of switching on
task names.

A family names its functions as "module:function", imported only when one is called, so that
reading the table loads no Keras (the window's process may read it). Today's families are the
supervised one (tables, images, texts: the keras-tuner search of engine/run.py), forecasting and
anomaly detection (engines that plan their own search); `register` adds one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Family:
    """One family of tasks and where its code is.

    Attributes:
        name: What it is called ("supervised", "forecast", "anomaly").
        tasks: The DataSpec.task values it serves (a model card's "task" too).
        execute: Runs a search in a run folder that start_run made, locked and checked:
            (spec, run, sink, token, resume) -> None; None for the supervised runner.
        export: (reference, formats or None, out folder) -> list of fresh_check.ExportedFile.
        predict: (reference, path of new data) -> a DataFrame of predictions.
    """

    name: str
    tasks: tuple[str, ...]
    execute: str | None
    export: str
    predict: str


SUPERVISED = Family(
    "supervised",
    ("binary", "multiclass", "regression"),
    None,
    "dlstudio.core.export.writers:export_run",
    "dlstudio.core.export.predict:predict_file",
)

_FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        SUPERVISED,
        Family(
            "forecast",
            ("forecast",),
            "dlstudio.core.engine.forecast:run_forecast",
            "dlstudio.core.engine.forecast:export_forecast",
            "dlstudio.core.engine.forecast:forecast_file",
        ),
        Family(
            "anomaly",
            ("anomaly",),
            "dlstudio.core.engine.anomaly:execute_anomaly",
            "dlstudio.core.engine.anomaly:export_anomaly",
            "dlstudio.core.engine.anomaly:predict_anomaly",
        ),
    )
}


def register(family: Family) -> None:
    """Add a family (or replace one of the same name)."""
    _FAMILIES[family.name] = family


def families() -> list[Family]:
    return list(_FAMILIES.values())


def family_for_task(task: str | None) -> Family:
    """The family serving `task`; a task inferred later (None) is a supervised one."""
    for family in _FAMILIES.values():
        if task in family.tasks:
            return family
    return SUPERVISED


def family_of_model(reference: str | Path) -> Family:
    """The family of a saved model (a run folder, its model file or an export folder), read
    from its model card; a folder without one is taken as supervised, whose loader says what
    is missing."""
    from dlstudio.core.errors import DlstudioError
    from dlstudio.core.storage import read_json_object

    folder = Path(reference).expanduser()
    if folder.is_file():
        folder = folder.parent
    try:
        card = read_json_object(folder / "model_card.json")
    except (DlstudioError, OSError):
        return SUPERVISED
    return family_for_task(card.get("task") if isinstance(card, dict) else None)


def resolve(name: str) -> Callable:
    """The function a "module:function" name stands for."""
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)
