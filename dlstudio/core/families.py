"""The task families and what each needs, in one registry: the runner, the checks before a
run, the worker's export and predict jobs, the command line and the window look a family up
here instead of switching on task names.

A family is a `Family` record. Its code is named as "module:function", imported only when
called, so that reading the registry loads no Keras (the window's process reads it). The
built-in families are the supervised one (tables, images, texts: the keras-tuner search of
engine/run.py), forecasting (its record in core/forecast_spec.py) and anomaly detection
(core/anomaly_space.py). Another family is a package of its own, found without an edit here:

- installed, through the entry-point group "dlstudio.families" (each entry a Family), or
- named in DLSTUDIO_FAMILIES ("module:attribute", comma-separated), for development and tests,
- or added in-process with `register`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from dlstudio.core.config import OBJECTIVES_BY_TASK, TUNERS, default_objective
from dlstudio.core.errors import DlstudioError
from dlstudio.core.paths import MODEL_CARD_FILE

ENTRY_POINTS = "dlstudio.families"
ENVIRONMENT = "DLSTUDIO_FAMILIES"
_BUILT_IN = (
    "dlstudio.core.families:SUPERVISED",
    "dlstudio.core.forecast_spec:FAMILY",
    "dlstudio.core.anomaly_space:FAMILY",
)


class Unread(NamedTuple):
    """A flag of `train`/`tune` that a family does not read: why, and what to do instead
    ("{flag}" in it is the flag)."""

    why: str
    instead: str


# Refusals several families share.
SHEET = Unread(
    "the data is read from a workbook's first sheet",
    "Save that sheet as a CSV file and give its path, or leave --sheet out.",
)
NO_BACKBONE = Unread(
    "its templates have no pretrained backbone to load weights into", "Leave --weights out."
)
NO_CLIPPING = Unread("its templates train without gradient clipping", "Leave --clip-norm out.")


def own_space(where: str) -> Unread:
    return Unread(
        f"its search draws each template's values from its own lists ({where})",
        "Fix a value with --set NAME=VALUE, or choose one template with --arch; leave --space out.",
    )


@dataclass(frozen=True)
class Family:
    """One family of tasks and where its code is.

    Attributes:
        name: What it is called ("supervised", "forecast", "anomaly").
        tasks: The DataSpec.task values it serves (a model card's "task" too).
        words: What it does, in a few words ("forecasting"), for messages.
        execute: Runs a search in a run folder that start_run made, locked and checked:
            (spec, run, sink, token, resume) -> None; None for the supervised runner.
        export: (reference, formats or None, out folder) -> list of fresh_check.ExportedFile.
        predict: (reference, path of new data) -> a DataFrame of predictions.
        check: (spec) -> None, raising DlstudioError: everything a run of it needs, checked
            before a run folder is made; None for the supervised checks (core/validate.py).
        templates: (kind of data: "table", "series", … or None) -> {template: (its name in
            words, its values: {hyperparameter: [values, the default first]})}: what the
            window's Model step offers; None for the supervised templates (models/space.py).
        best_words: What "best" means for it, as the Model step says it ("the mean error of
            its forecasts").
        view_check: (spec, dataset as the window's Data step read it) -> None, raising
            DlstudioError: the settings the window can check at once, before a run starts.
        printer: The command line's module for it (print_result, print_evaluation, export,
            predict: cli/tasks/__init__.py); None prints it as a supervised run.
        results_view: The window's Results body for its runs, "module:Class" of a QWidget
            with set_run(run) (gui/wizard/family_view.py); None shows its evaluation's
            metrics beside its baseline's. Unused for the supervised family.
        keras_use: What its Keras file takes and gives, for the Export step's Keras box.
        keras_code: (model card, path of the .keras file) -> Python that uses it, shown on
            the Export step; None: a few lines that load it and point to its model card.
        predict_button, predict_use: The Export step's button that predicts on a file, and
            what that file must hold.
        verdict: (evaluation) -> its verdict ({"headline", "beats_baseline", "tone", …});
            None: the evaluation's own "verdict".
        tested_words: (evaluation, model card) -> what the model was tested on, in words,
            for the window's Results step; None says nothing of it.
        formats: The export formats it writes at all (core/formats.py names them); empty
            for every one (each still refused with its reason where a model cannot use it).
        objectives: What its searches can compare trials by, the default first; empty for
            the supervised tasks' own (config.OBJECTIVES_BY_TASK).
        tuners: The searches it runs; empty for every one (config.TUNERS).
        search_words: How its search compares trials, said when --objective asks for another.
        reads: The flags only it reads (another family's run refuses them, naming it).
        unread: The flags others read that it does not, with why and what to do instead.
    """

    name: str
    tasks: tuple[str, ...]
    words: str
    execute: str | None
    export: str
    predict: str
    check: str | None = None
    templates: str | None = None
    best_words: str = ""
    view_check: str | None = None
    printer: str | None = None
    results_view: str | None = None
    keras_use: str = ""
    keras_code: str | None = None
    predict_button: str = "Predict on a file…"
    predict_use: str = ""
    verdict: str | None = None
    tested_words: str | None = None
    formats: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    tuners: tuple[str, ...] = ()
    search_words: str = ""
    reads: tuple[str, ...] = ()
    unread: Mapping[str, Unread] = field(default_factory=dict)

    def objectives_for(self, task: str | None) -> tuple[str, ...]:
        return self.objectives or OBJECTIVES_BY_TASK.get(task or "", ())

    def default_objective(self, task: str | None) -> str:
        return self.objectives[0] if self.objectives else default_objective(task or "")

    @property
    def all_tuners(self) -> tuple[str, ...]:
        return self.tuners or TUNERS


SUPERVISED = Family(
    "supervised",
    ("binary", "multiclass", "regression"),
    "tables, images and texts",
    None,
    "dlstudio.core.export.writers:export_run",
    "dlstudio.core.export.predict:predict_file",
)

_FAMILIES: dict[str, Family] = {}


def register(family: Family) -> None:
    """Add a family (or replace one of the same name)."""
    _load()
    _FAMILIES[family.name] = family


def families() -> list[Family]:
    _load()
    return list(_FAMILIES.values())


def tasks() -> list[str]:
    """Every task some family serves."""
    return [task for family in families() for task in family.tasks]


def family_for_task(task: str | None) -> Family:
    """The family serving `task`; a task inferred later (None) is a supervised one."""
    for family in families():
        if task in family.tasks:
            return family
    return SUPERVISED


def family_of_model(reference: str | Path) -> Family:
    """The family of a saved model (a run folder, its model file or an export folder), read
    from its model card; a folder without one is taken as supervised, whose loader says what
    is missing."""
    from dlstudio.core.storage import read_json_object

    folder = Path(reference).expanduser()
    if folder.is_file():
        folder = folder.parent
    try:
        card = read_json_object(folder / MODEL_CARD_FILE)
    except (DlstudioError, OSError):
        return SUPERVISED
    return family_for_task(card.get("task") if isinstance(card, dict) else None)


def unread_flags(task: str | None) -> dict[str, Unread]:
    """The flags a run of `task` (None: a table, image or text task, inferred from the data)
    does not read: its family's own list, and the flags only another family reads."""
    family = family_for_task(task)
    table = dict(family.unread)
    for other in families():
        if other is family:
            continue
        for flag in other.reads:
            table.setdefault(
                flag,
                Unread(
                    f"it is a setting of {other.words}",
                    f"Leave {{flag}} out, or use --task {other.tasks[0]}.",
                ),
            )
    return table


def flags_some_family_ignores() -> list[str]:
    """Every flag some family does not read (the command line looks for these in its args)."""
    flags = {flag: None for family in families() for flag in (*family.reads, *family.unread)}
    return list(flags)


def resolve(name: str) -> Callable:
    """The function (or object) a "module:attribute" name stands for."""
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _load() -> None:
    """The built-in families, then those installed or named in DLSTUDIO_FAMILIES, once."""
    if _FAMILIES:
        return
    names = list(_BUILT_IN)
    names += [n.strip() for n in os.environ.get(ENVIRONMENT, "").split(",") if n.strip()]
    loaded = {}
    for name, load in [(n, lambda n=n: resolve(n)) for n in names] + [
        (entry.value, entry.load) for entry in metadata.entry_points(group=ENTRY_POINTS)
    ]:
        try:
            family = load()
        except (ImportError, AttributeError, ValueError) as error:
            raise DlstudioError(
                f"The task family {name!r} (named in {ENVIRONMENT} or an installed plug-in) "
                f"could not be loaded ({type(error).__name__}: {error}).",
                "module:attribute naming a dlstudio.core.families.Family",
                f"Fix the name, install the plug-in, or leave it out of {ENVIRONMENT}.",
            ) from None
        if not isinstance(family, Family):
            raise DlstudioError(
                f"The task family {name!r} is a {type(family).__name__}.",
                "a dlstudio.core.families.Family",
                "Fix the plug-in's name, or leave it out.",
            )
        loaded[family.name] = family
    _FAMILIES.update(loaded)
