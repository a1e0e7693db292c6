"""Checking a run's request before anything is started: validate before acting.

`check_run(spec)` looks at every setting of a RunSpec (numbers in range, hyperparameter names
and values that fit the architecture, a search space that makes sense, a weights file that
exists, a target the data has and a task it supports) and raises one DlstudioError naming the
first problem, before a run folder is made or TensorFlow is loaded. The CLI calls it while it
parses its flags; `start_run` and `resume_run` call it again, so the window gets the same
answers (a second check of the same spec in the same process costs nothing).

Checking the target means reading the data. The dataset read for the check is kept for the
run that follows (`checked_dataset`), so a folder of many images is not scanned twice.

No Keras here (nor pandas at import): the check runs before TensorFlow is loaded.
"""

from __future__ import annotations

import difflib
import json
import math
import os
from dataclasses import dataclass
from numbers import Integral, Number
from pathlib import Path

from dlstudio.core.config import (
    OBJECTIVES,
    TUNERS,
    DataSpec,
    RunSpec,
    SearchSpec,
    TrainSpec,
)
from dlstudio.core.errors import DlstudioError
from dlstudio.core.events import RunFailed
from dlstudio.core.families import families, family_for_task, resolve, unread_flags
from dlstudio.core.models.space import (
    TEMPLATES,
    default_space,
    merge_space,
    template_for,
)

PRETRAINED_TEMPLATES = ("mobilenet_v3_small", "efficientnet_b0")
# What Keras's load_weights reads (.weights.h5 ends in .h5 too).
WEIGHTS_SUFFIXES = (".h5", ".keras")
# Hyperparameters that are a share of something: 1 would switch off every neuron.
_SHARES = ("dropout",)
_SEED_LIMIT = 2**32  # numpy's seeds, which Keras sets, are unsigned 32-bit numbers


def check_run(spec: RunSpec, sink=None) -> None:
    """Raise a DlstudioError for the first thing in `spec` that cannot run as asked.

    Args:
        spec: The run as it would be started (or resumed).
        sink: Where a run's events go; when given, a failed check is also sent there as
            RunFailed, since the window's worker reports failures from its events.

    Raises:
        DlstudioError: What was received, what was expected and how to fix it.
    """
    try:
        _check(spec)
    except DlstudioError as error:
        if sink is not None:
            sink(RunFailed("", str(error)))
        raise


def checked_dataset(data: DataSpec):
    """The dataset that `check_run` read for `data`, handed over once; read afresh if the check
    read other data, or none (a run started without a check)."""
    global _checked
    if _checked is not None and _checked.data_key == _data_key(data):
        dataset, _checked = _checked.dataset, None
        return dataset
    from dlstudio.core.data import load_dataset

    return load_dataset(
        data.path, target=data.target, sheet=data.sheet, task=data.task, roles=data.roles
    )


@dataclass
class _Checked:
    spec_key: str
    data_key: str
    dataset: object


_checked: _Checked | None = None  # the last spec that passed, with the data read for it


def _check(spec: RunSpec) -> None:
    global _checked
    spec_key = json.dumps(spec.to_dict(), sort_keys=True, default=str)
    data_key = _data_key(spec.data)
    if _checked is not None and (_checked.spec_key, _checked.data_key) == (spec_key, data_key):
        return
    # Flags first: they need no data, so a typo is answered at once.
    check_training(spec.train)
    if spec.search is not None:
        check_search(spec.search)
    check_task_reads(spec)
    family = family_for_task(spec.data.task)
    if family.check is not None:  # its own data and templates (its record says where)
        resolve(family.check)(spec)
        _checked = _Checked(spec_key, data_key, None)
        return
    if spec.model.template is not None and spec.model.template not in TEMPLATES:
        raise _unknown(
            f"The architecture {spec.model.template!r} (--arch) is not one dlstudio has",
            spec.model.template,
            list(TEMPLATES),
            "Pick one of those with --arch, or leave it out for the data's default.",
        )
    check_weights_file(spec.model.weights)

    from dlstudio.core.data import load_dataset

    dataset = load_dataset(
        spec.data.path,
        target=spec.data.target,
        sheet=spec.data.sheet,
        task=spec.data.task,
        roles=spec.data.roles,
    )
    from dlstudio.core.data.unworkable import check_trainable

    check_trainable(dataset, spec.data.split)  # too wide, or classes too small to split
    kind, task = dataset.profile.kind.value, dataset.profile.task.value
    template = template_for(kind, spec.model.template)
    if spec.model.weights is not None and template not in PRETRAINED_TEMPLATES:
        raise DlstudioError(
            f"A weights file (--weights) was given for the architecture {template!r}, which "
            "has no pretrained backbone to load it into.",
            f"--weights only with {' or '.join(PRETRAINED_TEMPLATES)} (image data)",
            "Leave --weights out, or pick one of those architectures with --arch.",
        )
    space = default_space(template, task)
    if spec.search is not None:
        check_objective(spec.search.objective, task)
        space = check_space(space, spec.search.space, template)
    check_values(space, spec.model.hyperparameters, template)
    _checked = _Checked(spec_key, data_key, dataset)


def _data_key(data: DataSpec) -> str:
    """The data a spec reads, and the file as it is now (a changed file is read again)."""
    path = Path(data.path).expanduser()
    try:
        stat = path.stat()
        stamp = [stat.st_mtime_ns, stat.st_size]
    except OSError:
        stamp = None
    what = [str(path), data.target, data.sheet, data.task, sorted(data.roles.items()), stamp]
    return json.dumps(what, default=str)


# ------------------------------------------------------------------ flags


def check_training(train: TrainSpec) -> None:
    """Epochs, patience, gradient clipping and seed: whole numbers and ranges."""
    _whole_at_least(train.epochs, 1, "The most epochs per trial (--epochs)", "--epochs 30")
    _whole_at_least(
        train.patience,
        0,
        "The early-stopping patience (--patience)",
        "--patience 5 (0 stops at the first epoch that does not improve)",
    )
    _whole_at_least(
        train.reduce_lr_patience, 0, "The learning-rate patience", "a patience of 3 epochs"
    )
    if train.clip_norm is not None and not (_is_number(train.clip_norm) and train.clip_norm > 0):
        raise DlstudioError(
            f"The gradient clipping norm (--clip-norm) is {train.clip_norm!r}.",
            "a number above 0, e.g. 1.0",
            "Give a positive norm, or leave --clip-norm out for no clipping.",
        )
    if not _is_whole(train.seed) or not 0 <= train.seed < _SEED_LIMIT:
        raise DlstudioError(
            f"The seed (--seed) is {train.seed!r}.",
            f"a whole number from 0 to {_SEED_LIMIT - 1}",
            "Give e.g. --seed 0.",
        )


def check_search(search: SearchSpec) -> None:
    """The tuner, the number of trials, the time limit and the objective's name."""
    if search.tuner not in TUNERS:
        raise _unknown(
            f"The tuner {search.tuner!r} (--tuner) is not one dlstudio has",
            str(search.tuner),
            list(TUNERS),
            "Pick one of those with --tuner.",
        )
    _whole_at_least(
        search.max_trials,
        1,
        "The number of trials (--max-trials)",
        "--max-trials 10, or a --time-limit to stop by time",
    )
    limit = search.time_limit_s
    if limit is not None and not (_is_number(limit) and limit > 0):
        raise DlstudioError(
            f"The time limit (--time-limit) is {limit!r} seconds.",
            "a positive duration, e.g. 90s or 10m",
            "Give a longer time limit, or leave it out for no limit.",
        )
    if search.objective is not None and search.objective not in OBJECTIVES:
        raise _unknown(
            f"The objective {search.objective!r} (--objective) is not one dlstudio knows",
            str(search.objective),
            list(OBJECTIVES),
            "Pick one of those with --objective, or leave it out for the task's default.",
        )


def check_objective(objective: str | None, task: str) -> None:
    """An objective the task's models measure (AUC only for two classes, errors only for
    numbers): a search on another would score no trial, or, for a family that compares its
    trials by a measure of its own (forecast, anomaly), would be ignored."""
    family = family_for_task(task)
    allowed = family.objectives_for(task)
    if objective is None or not allowed or objective in allowed:
        return
    if family.search_words:
        raise DlstudioError(
            f"The objective {objective!r} (--objective) for --task {task}, whose search "
            f"{family.search_words}.",
            f"--objective {' or '.join(allowed)}, or no --objective",
            "Leave --objective out.",
        )
    raise DlstudioError(
        f"The objective {objective!r} (--objective) is not measured for {task} tasks.",
        f"one of {', '.join(allowed)}",
        "Pick one of those with --objective, or leave it out for the task's default.",
    )


# The flags of families.unread_flags that a RunSpec carries, and where, so that a spec from the window
# or the API is refused as the CLI's flags are. The data's flags are checked on the CLI's
# flags only: the window's data spec keeps what another task set (a sheet, roles), unread.
_FLAGS_IN_SPEC = {
    "--weights": lambda spec: spec.model.weights,
    "--clip-norm": lambda spec: spec.train.clip_norm,
    "--space": lambda spec: spec.search.space if spec.search is not None else None,
}


def check_task_reads(spec: RunSpec) -> None:
    """The tuner, the objective and the settings of `spec` that its task's engine reads
    (its family's record: core/families.py); no data is read."""
    task = spec.data.task
    given = [flag for flag, setting in _FLAGS_IN_SPEC.items() if setting(spec) is not None]
    check_flags_read(task, given)
    if spec.search is None:
        return
    family = family_for_task(task)
    if spec.search.tuner not in family.all_tuners:
        others = [f.tasks[0] for f in families() if spec.search.tuner in f.all_tuners]
        raise DlstudioError(
            f"The tuner {spec.search.tuner!r} (--tuner) for --task {task}, whose search "
            f"{family.search_words or 'runs other tuners'}.",
            f"--tuner {' or '.join(family.all_tuners)}, or no --tuner",
            f"Leave --tuner out ({spec.search.tuner} search is for --task {_listed(others)}).",
        )
    if task is not None:  # else the data tells the task: checked once it is read
        check_objective(spec.search.objective, task)


def check_flags_read(task: str | None, given) -> None:
    """Refuse the first of the flags `given` (as typed, e.g. "--window") that the engine of
    `task` (None: inferred from the data) does not read, saying why: a flag is never ignored.

    Raises:
        DlstudioError: What was received, what was expected and how to fix it.
    """
    unread = unread_flags(task)
    for flag in given:
        if flag not in unread:
            continue
        why, instead = unread[flag]
        readers = [t for f in families() for t in f.tasks if t and flag not in unread_flags(t)]
        where = f"--task {task}" if task else "no --task (a table, image or text task)"
        raise DlstudioError(
            f"{flag} with {where}: {why}, so it would be ignored.",
            f"{flag} only with --task {_listed(readers)}"
            + (" (or no --task)" if flag not in unread_flags(None) else ""),
            instead.format(flag=flag),
        )


def check_forecast_run(spec: RunSpec) -> None:
    """A forecast's checks (its family's record names this): the series, the sizes, the
    template and the values given with --set."""
    from dlstudio.core.forecast_spec import check_forecast

    check_forecast(spec)
    _check_forecast_values(spec.model.template, spec.model.hyperparameters)


def _check_forecast_values(template: str | None, values: dict) -> None:
    """--set names a forecaster has (anomaly_space.check_model_choice does the same for the
    autoencoders): an unknown one would be ignored."""
    from dlstudio.core.forecast_spec import FORECAST_TEMPLATES, template_space

    known = {
        name
        for name_of in ((template,) if template else FORECAST_TEMPLATES)
        for name in template_space(name_of)
    }
    for name in values:
        if name not in known:
            raise _unknown(
                f"Unknown hyperparameter {name!r} (--set): "
                + (
                    f"the forecaster {template!r} has no such setting"
                    if template
                    else "no forecaster has such a setting"
                ),
                name,
                sorted(known),
                "Fix the name in --set NAME=VALUE.",
            )


def check_weights_file(weights: str | None) -> None:
    """A local Keras weights file (dlstudio never downloads weights)."""
    if weights is None:
        return
    path = Path(weights).expanduser()
    if not path.is_file():
        where = "is a folder" if path.is_dir() else "does not exist"
        raise DlstudioError(
            f"The weights file (--weights) {str(path)!r} {where}.",
            "a local Keras weights file (.weights.h5 or .h5) for the backbone without its top",
            "Check the path (relative paths start where you run dlstudio). dlstudio never "
            "downloads weights; without --weights the backbone trains from scratch.",
        )
    if not path.name.lower().endswith(WEIGHTS_SUFFIXES):
        raise DlstudioError(
            f"The weights file (--weights) {path.name!r} is not a Keras weights file.",
            "a file ending in .weights.h5, .h5 or .keras",
            "Pass the Keras weights file of the backbone (without its top).",
        )
    if not os.access(path, os.R_OK):
        raise DlstudioError(
            f"The weights file (--weights) {str(path)!r} cannot be read (no permission).",
            "a weights file this user may read",
            "Change its permissions or copy it somewhere readable.",
        )


# ------------------------------------------------------------------ spaces and values


def check_space(base: dict, overrides, template: str) -> dict:
    """The template's space with the user's search-space entries, each checked."""
    if overrides is None:
        return base
    if not isinstance(overrides, dict):
        raise DlstudioError(
            f"The search space (--space) is a JSON {type(overrides).__name__}.",
            'a JSON object of entries, e.g. {"units": {"type": "choice", "values": [64, 128]}}',
            "Wrap the entries in { } with their names as keys.",
        )
    for name, entry in overrides.items():
        if name not in base:
            raise _unknown(
                f"The search space (--space) names {name!r}, which {template!r} does not have",
                name,
                list(base),
                "Fix the name, or remove the entry.",
            )
        if isinstance(entry, dict):
            _check_entry(name, entry, base[name])
        else:  # a plain value fixes the hyperparameter
            received = f"The search space (--space) fixes {name!r} at {_shown(entry)}."
            _check_value(name, entry, base[name], received)
    return merge_space(base, overrides)


def check_values(space: dict, values: dict, template: str) -> None:
    """Hyperparameters the user fixed (--set): known names, values the entry can take."""
    for name, value in values.items():
        if name not in space:
            raise _unknown(
                f"Unknown hyperparameter {name!r} (--set): the architecture {template!r} has no such "
                "setting",
                name,
                list(space),
                "Fix the name in --set NAME=VALUE.",
            )
        received = f"The hyperparameter {name!r} was set to {_shown(value)} (--set)."
        _check_value(name, value, space[name], received)


_ENTRY_NEEDS = {
    "int": ("min", "max"),
    "float": ("min", "max"),
    "choice": ("values",),
    "bool": (),
    "fixed": ("value",),
}


def _check_entry(name: str, entry: dict, base) -> None:
    """One search-space entry: a known type with its fields, a range that is one."""
    kind = entry.get("type")
    where = f"The search-space entry {name!r}"
    if kind not in _ENTRY_NEEDS:
        raise DlstudioError(
            f"{where} has the type {kind!r}.",
            f"one of the types {', '.join(_ENTRY_NEEDS)}",
            'Set "type", e.g. {"type": "int", "min": 1, "max": 3}.',
        )
    missing = [key for key in _ENTRY_NEEDS[kind] if key not in entry]
    if missing:
        raise DlstudioError(
            f"{where} ({kind}) has no {' and no '.join(repr(k) for k in missing)}.",
            f"a {kind} entry with {', '.join(repr(k) for k in _ENTRY_NEEDS[kind])}",
            'Add them, e.g. {"type": "int", "min": 1, "max": 3} or '
            '{"type": "choice", "values": [32, 64]}.',
        )
    if kind in ("int", "float"):
        _check_range(name, entry, kind, base)
    elif kind == "choice":
        values = entry["values"]
        if not isinstance(values, list) or not values:
            raise DlstudioError(
                f"{where} offers the choices {values!r}.",
                "a non-empty list of values to choose from",
                'List at least one value, e.g. "values": [32, 64].',
            )
        for value in values:
            _check_value(name, value, base, f"{where} offers the choice {_shown(value)}.")
        if "default" in entry and entry["default"] not in values:
            raise DlstudioError(
                f"{where} has the default {_shown(entry['default'])}, which is not a choice.",
                f"a default among {', '.join(_shown(v) for v in values)}",
                "Change the default, or leave it out for the first choice.",
            )
    elif kind == "bool":
        if "default" in entry and not isinstance(entry["default"], bool):
            raise DlstudioError(
                f"{where} has the default {_shown(entry['default'])}.",
                "true or false",
                "Write the default as true or false.",
            )
    else:
        _check_value(name, entry["value"], base, f"{where} fixes it at {_shown(entry['value'])}.")


def _check_range(name: str, entry: dict, kind: str, base) -> None:
    where = f"The search-space entry {name!r}"
    low, high = entry["min"], entry["max"]
    for bound in (low, high):
        if not _is_number(bound) or (kind == "int" and not _is_whole(bound)):
            raise DlstudioError(
                f"{where} has the bound {_shown(bound)}.",
                "whole numbers for an int entry" if kind == "int" else "numbers",
                'Write both bounds as numbers, e.g. "min": 1, "max": 3.',
            )
    if low > high:
        raise DlstudioError(
            f"{where} runs from {low} down to {high}.", "min ≤ max", "Swap the two numbers."
        )
    if entry.get("log") and low <= 0:
        raise DlstudioError(
            f"{where} is searched on a log scale from {low}.",
            "a log range above 0 (a logarithm of 0 or less does not exist)",
            f'Start it above 0, e.g. "min": {high / 100:g}, or drop "log".',
        )
    step = entry.get("step")
    if step is not None and not (_is_number(step) and step > 0):
        raise DlstudioError(
            f"{where} has the step {_shown(step)}.",
            "a step above 0",
            'Give a positive step, or leave "step" out.',
        )
    for bound in (low, high):
        _check_value(name, bound, base, f"{where} reaches {_shown(bound)}.")
    if "default" in entry and not (
        _is_number(entry["default"]) and low <= entry["default"] <= high
    ):
        raise DlstudioError(
            f"{where} has the default {_shown(entry['default'])}, outside {low}–{high}.",
            "a default inside the range",
            "Change the default, or leave it out.",
        )


def _check_value(name: str, value, entry, received: str) -> None:
    """Whether `value` is something the template can build for `name` (as `entry` describes
    it): a number where it counts, one of the known words where it names something."""
    expected = _what_fits(name, value, entry)
    if expected is None:
        return
    words = [v for v in entry.get("values", []) if isinstance(v, str)] if _is_dict(entry) else []
    close = difflib.get_close_matches(str(value), words, n=1) if isinstance(value, str) else []
    hint = f"Did you mean {close[0]!r}? " if close else ""
    raise DlstudioError(
        received, expected, f"{hint}Fix the value, e.g. {name}={_bare(_example(entry))}."
    )


def _what_fits(name: str, value, entry) -> str | None:
    """None when `value` fits, else what would (in words)."""
    if not _is_dict(entry) or entry.get("type") == "fixed":
        return None  # a value the template fixes itself: anything it was given stays
    kind = entry["type"]
    if kind == "bool":
        return None if isinstance(value, bool) else "true or false"
    if kind == "choice":
        choices = entry["values"]
        if not all(_is_number(v) for v in choices):
            return None if value in choices else f"one of {', '.join(map(str, choices))}"
        # Numbers (units, batch size, …): any number of the same kind builds, not only the
        # ones the search picks from.
        whole = all(_is_whole(v) for v in choices)
        usual = f"usually {', '.join(map(str, choices))}"
        return _number_fits(name, value, whole, min(choices), usual)
    low = entry["min"] if not entry.get("log") else max(entry["min"], math.ulp(0.0))
    usual = f"the search tries {entry['min']:g} to {entry['max']:g}"
    return _number_fits(name, value, kind == "int", low, usual)


def _number_fits(name: str, value, whole: bool, low, usual: str) -> str | None:
    """Numbers keep the sign their range has: a count of at least 1, a rate above 0, a share
    below 1; beyond that any value builds (a user may train wider than the search goes)."""
    if name in _SHARES:
        fits, limits = (lambda v: 0 <= v < 1), " from 0 up to (not including) 1"
    elif low > 0 and whole:
        fits, limits = (lambda v: v >= 1), " of at least 1"
    elif low > 0:
        fits, limits = (lambda v: v > 0), " above 0"
    elif low >= 0:
        fits, limits = (lambda v: v >= 0), ", 0 or more"
    else:
        fits, limits = (lambda v: True), ""
    ok = (_is_whole(value) if whole else _is_number(value)) and fits(value)
    return None if ok else f"{'a whole number' if whole else 'a number'}{limits} ({usual})"


def _example(entry):
    if not _is_dict(entry):
        return entry
    if "default" in entry:
        return entry["default"]
    if entry.get("type") == "choice":
        return entry["values"][0]
    return entry.get("min", entry.get("value", True))


# ------------------------------------------------------------------ helpers


def _whole_at_least(value, least: int, what: str, example: str) -> None:
    if not _is_whole(value) or value < least:
        expected = "a whole number of at least 1" if least == 1 else "a whole number, 0 or more"
        raise DlstudioError(f"{what} is {_shown(value)}.", expected, f"Give e.g. {example}.")


def _listed(words: list[str]) -> str:
    """a, b or c"""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _unknown(received: str, name: str, known: list[str], fix: str) -> DlstudioError:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"Did you mean {close[0]!r}? " if close else ""
    return DlstudioError(f"{received}.", f"one of {', '.join(known)}", f"{hint}{fix}")


def _is_dict(entry) -> bool:
    return isinstance(entry, dict)


def _is_number(value) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool) and math.isfinite(float(value))


def _is_whole(value) -> bool:
    # An int, not 2.0: layer counts and epochs go to range(), which takes no floats.
    return isinstance(value, Integral) and not isinstance(value, bool)


def _bare(value) -> str:
    """A value as typed after --set NAME=: words without quotes, JSON otherwise."""
    return value if isinstance(value, str) else json.dumps(value)


def _shown(value) -> str:
    return json.dumps(value) if isinstance(value, (bool, type(None))) else repr(value)
