"""Open any supported data source and profile it: the one entry point for CLI, GUI and engine.

`load_dataset(path)` decides what the path holds (a table, an image folder or archive, a text
folder, or a table that points at images or holds free text), reads it, infers roles, target
and task, and returns the data with its `DataProfile`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dlstudio.core.data import images, text
from dlstudio.core.data.archive import extract_zip
from dlstudio.core.data.profile import (
    DataKind,
    DataProfile,
    ProfileWarning,
    WarningKind,
    class_warnings,
    column_warnings,
    count_columns,
    leakage_warnings,
)
from dlstudio.core.data.schema import (
    ColumnInfo,
    ColumnRole,
    Task,
    check_task_override,
    class_counts,
    find_column,
    guess_target,
    infer_role,
    infer_task,
)
from dlstudio.core.data.tabular import TABLE_SUFFIXES, read_table
from dlstudio.core.data.unworkable import (
    Infinite,
    choose_for_numbers_with_words,
    infinite_rows,
    infinite_to_missing,
    infinite_warnings,
    numbers_with_words,
    too_wide_warning,
)
from dlstudio.core.data.weights import check_weight_roles, weight_warnings
from dlstudio.core.errors import DataError


@dataclass
class Dataset:
    """Data as loaded, and its profile.

    `frame` is the table as read; for image folders it has columns `path` (absolute) and
    `label`, for text folders `text` and `label`. `profile.features` and `profile.target` name
    the columns a model uses.
    """

    frame: pd.DataFrame
    profile: DataProfile

    @property
    def labelled(self) -> pd.DataFrame:
        """The rows that have a target value (those a model can learn from)."""
        target = self.profile.target
        return self.frame if target is None else self.frame[self.frame[target].notna()]


def load_dataset(
    path: str | Path,
    target: str | None = None,
    sheet: str | None = None,
    task: Task | str | None = None,
    roles: dict[str, ColumnRole | str] | None = None,
) -> Dataset:
    """Read and profile a table, image collection or text collection.

    Args:
        path: A table file, a folder with one subfolder per class, or a .zip of such a folder.
        target: The column to predict; guessed (and said so) when omitted.
        sheet: The Excel sheet to read; by default the first one with data.
        task: Override the inferred task ("binary", "multiclass", "regression").
        roles: Override inferred column roles, e.g. {"zip": "categorical"}.

    Raises:
        DataError: Anything about the input that stops it from being used, with how to fix it.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(
            f"Nothing exists at {str(path)!r}.",
            "a path to a table file, an image or text folder, or a .zip of one",
            "Check the spelling and the current folder (paths are relative to where you run it).",
        )
    task = _parse_task(task)
    if path.is_dir():
        return _load_folder(path, path, task)
    if path.suffix.lower() == ".zip":
        return _load_folder(_descend(extract_zip(path)), path, task)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise DataError(
            f"{path.name!r} has the extension {path.suffix or '(none)'!r}, which dlstudio "
            "cannot read.",
            f"a table ({', '.join(sorted(TABLE_SUFFIXES))}), an image or text folder, or a .zip",
            "Convert the file to one of those formats, or open the folder that holds your data.",
        )
    return _load_table(path, target, sheet, task, _parse_roles(roles))


# ---------------------------------------------------------------- folders


def _descend(root: Path) -> Path:
    """Step into a lone wrapper folder (`data.zip` → `data/` → class folders)."""
    while True:
        entries = [p for p in root.iterdir() if not p.name.startswith((".", "__"))]
        if len(entries) == 1 and entries[0].is_dir() and images.class_folders(entries[0]):
            root = entries[0]
        else:
            return root


def _load_folder(root: Path, source: Path, task: Task | None) -> Dataset:
    folders = images.class_folders(root)
    files = [f for folder in folders for f in folder.rglob("*") if f.is_file()]
    n_images = sum(images.is_image_file(f) for f in files)
    n_texts = sum(text.is_text_file(f) for f in files)
    if n_images == 0 and n_texts == 0:
        loose = [p for p in root.iterdir() if images.is_image_file(p)]
        if loose:
            raise DataError(
                f"{source.name!r} holds {len(loose)} images directly, not in class subfolders.",
                "one subfolder per class, e.g. cats/*.jpg and dogs/*.jpg",
                "Move each image into a subfolder named after its class.",
            )
        raise DataError(
            f"The folder {source.name!r} has no images or .txt files in its subfolders "
            f"({len(folders)} subfolder(s), {len(files)} other file(s)).",
            f"one subfolder per class holding images ({', '.join(sorted(images.IMAGE_SUFFIXES))}) "
            "or .txt files",
            "Point at the folder whose subfolders are the classes.",
        )
    if n_images >= n_texts:
        scan = images.scan_image_folder(root)
        return _image_dataset(scan, source, "image folder", task, "label", [])
    scan = text.scan_text_folder(root)
    encodings = {"encodings": dict(scan.encodings)}
    return _text_dataset(
        scan.frame,
        "text",
        "label",
        source,
        "text folder",
        task,
        [],
        scan.skipped,
        scan.ignored,
        encodings,
    )


def _image_dataset(
    scan: images.ImageScan,
    source: Path,
    fmt: str,
    task: Task | None,
    target: str,
    columns: list[ColumnInfo],
    feature: str = "path",
) -> Dataset:
    frame = scan.frame
    if frame.empty:
        raise DataError(
            f"No readable image in {source.name!r} ({len(scan.skipped)} unreadable, "
            f"{len(scan.ignored)} other files).",
            "at least one readable image per class",
            "Check the files open in an image viewer; supported: "
            + ", ".join(sorted(images.IMAGE_SUFFIXES)),
        )
    labels = frame["label"].rename(target)
    found_task, task_reason = _task_for(labels, task)
    classes = class_counts(labels)
    warnings = class_warnings(classes)
    if scan.skipped:
        warnings.append(
            ProfileWarning(
                WarningKind.SKIPPED,
                f"{len(scan.skipped)} unreadable image(s) skipped: {_first(scan.skipped)}",
            )
        )
    if scan.ignored:
        warnings.append(
            ProfileWarning(
                WarningKind.SKIPPED,
                f"{len(scan.ignored)} file(s) that are not images ignored: {_first(scan.ignored)}",
            )
        )
    shortcut = images.colour_shortcut(scan)
    if shortcut is not None:
        warnings.append(ProfileWarning(WarningKind.LEAKAGE, shortcut))
    if scan.empty:
        warnings.append(
            ProfileWarning(
                WarningKind.SKIPPED,
                f"{len(scan.empty)} class folder(s) hold no readable image and are left out: "
                f"{_first([repr(name) for name in scan.empty])}. Add images to them, or remove "
                "them if they are not classes.",
            )
        )
    widths = [w for (w, _), n in scan.sizes.items()]
    heights = [h for (_, h), n in scan.sizes.items()]
    common = scan.sizes.most_common(1)[0][0]
    details = {
        "image_size_min": [min(widths), min(heights)],
        "image_size_max": [max(widths), max(heights)],
        "image_size_most_common": list(common),
        "distinct_sizes": len(scan.sizes),
        "modes": dict(scan.modes),
        "channels": scan.channels,
    }
    notes = []
    if len(scan.sizes) > 1:
        notes.append(
            f"images come in {len(scan.sizes)} sizes (from {min(widths)}×{min(heights)} to "
            f"{max(widths)}×{max(heights)}); the model resizes them"
        )
    profile = DataProfile(
        kind=DataKind.IMAGES,
        source=str(source),
        format=fmt,
        rows=len(frame),
        target=target,
        target_reason="the class of each image is the name of its folder"
        if fmt == "image folder"
        else "the label column next to the image paths",
        task=found_task,
        task_reason=task_reason,
        features=[feature],
        classes=classes,
        columns=columns,
        warnings=warnings,
        skipped=list(scan.skipped),
        notes=notes,
        details=details,
    )
    if feature != "path":
        frame = frame.rename(columns={"path": feature, "label": target})
    return Dataset(frame, profile)


def _text_dataset(
    frame: pd.DataFrame,
    text_column: str,
    target: str,
    source: Path,
    fmt: str,
    task: Task | None,
    columns: list[ColumnInfo],
    skipped: list[str],
    ignored: list[str],
    details: dict,
    target_reason: str = "the class of each text is the name of its folder",
    notes: list[str] | None = None,
) -> Dataset:
    labelled = frame[frame[target].notna()]
    found_task, task_reason = _task_for(labelled[target], task)
    classes = class_counts(labelled[target]) if found_task.is_classification else {}
    warnings = class_warnings(classes)
    duplicates = int(frame.duplicated(subset=[text_column, target]).sum())
    if duplicates:
        warnings.append(
            ProfileWarning(
                WarningKind.DUPLICATES,
                f"{duplicates} text(s) appear more than once with the same label; duplicates can "
                "land in both training and test splits and flatter the test score.",
            )
        )
    if skipped:
        warnings.append(
            ProfileWarning(
                WarningKind.SKIPPED, f"{len(skipped)} file(s) skipped: {_first(skipped)}"
            )
        )
    if ignored:
        warnings.append(
            ProfileWarning(
                WarningKind.SKIPPED, f"{len(ignored)} non-text file(s) ignored: {_first(ignored)}"
            )
        )
    unlabelled = len(frame) - len(labelled)
    if unlabelled:
        warnings.append(_target_missing_warning(target, unlabelled))
    details = {**details, **text.text_length_stats(frame[text_column])}
    profile = DataProfile(
        kind=DataKind.TEXT,
        source=str(source),
        format=fmt,
        rows=len(frame),
        target=target,
        target_reason=target_reason,
        task=found_task,
        task_reason=task_reason,
        features=[text_column],
        classes=classes,
        columns=columns,
        duplicate_rows=duplicates,
        warnings=warnings,
        skipped=list(skipped),
        notes=list(notes or []),
        details=details,
    )
    return Dataset(frame, profile)


# ---------------------------------------------------------------- tables


def _load_table(
    path: Path,
    target: str | None,
    sheet: str | None,
    task: Task | None,
    roles: dict[str, ColumnRole],
) -> Dataset:
    read = read_table(path, sheet)
    frame = read.frame
    infinite = infinite_to_missing(frame)  # before counting: they count as missing
    names = list(frame.columns)
    overrides = {find_column(names, name, "role override"): role for name, role in roles.items()}
    counts, duplicates = count_columns(frame)
    columns = [_column_info(frame[name], counts[name], overrides.get(name)) for name in names]
    role_of = {c.name: c.role for c in columns}
    if target is None:
        target, target_reason = guess_target(names, role_of, lambda c: _learnable(frame[c]))
        guessed = True
    else:
        target = find_column(names, target)
        target_reason, guessed = "named by the user", False
    check_weight_roles(frame, columns, target)
    if role_of[target] is ColumnRole.LEAVE_OUT:
        raise DataError(
            f"The target {target!r} has the role leave_out.",
            "a target that is used: the column to predict",
            f"Give {target!r} another role, or choose another target.",
        )
    if len(names) < 2:
        raise DataError(
            f"{path.name!r} has a single column ({target!r}) and nothing to learn it from.",
            "at least one feature column next to the target",
            "Add the feature columns, or check the separator of the file.",
        )
    fmt = read.format
    features = [c.name for c in columns if c.name != target and not c.role.excluded_by_default]
    image_columns = [
        c.name
        for c in columns
        if c.name != target
        and c.role in (ColumnRole.IDENTIFIER, ColumnRole.CATEGORICAL, ColumnRole.TEXT)
        and images.looks_like_image_paths(frame[c.name])
    ]
    if image_columns:
        scan = images.scan_image_table(frame, image_columns[0], target, path.parent)
        dataset = _image_dataset(
            scan, path, f"{fmt} of image paths", task, target, columns, feature=image_columns[0]
        )
        dataset.profile.target_reason = target_reason
        _add_guess_warning(dataset.profile, guessed)
        return dataset
    if len(features) == 1 and role_of[features[0]] is ColumnRole.TEXT:
        dataset = _text_dataset(
            frame,
            features[0],
            target,
            path,
            f"{fmt} of texts",
            task,
            columns,
            [],
            [],
            read.details,
            target_reason,
            read.notes,
        )
        _add_guess_warning(dataset.profile, guessed)
        return dataset
    return _table_dataset(
        read, columns, features, target, target_reason, guessed, task, path, duplicates, infinite
    )


def _table_dataset(
    read,
    columns,
    features,
    target,
    target_reason,
    guessed,
    task,
    path,
    duplicates,
    infinite: dict[str, Infinite],
) -> Dataset:
    frame = read.frame
    if not features:
        raise DataError(
            f"Besides the target {target!r}, every column of {path.name!r} is left out (an "
            "identifier, a constant, the weight or set to leave_out), so there is nothing to "
            "learn from.",
            "at least one feature column with varying values",
            "Change a column's role if it does carry meaning, or add feature columns.",
        )
    y = frame[target]
    warnings = infinite_warnings(infinite, target)
    left_out = infinite_rows(infinite, target)  # rows said apart from the truly missing
    mixed = numbers_with_words(y)
    if mixed is not None:
        choice = choose_for_numbers_with_words(y, mixed, task)
        warnings.append(choice.warning)
        if choice.target is not y:  # trained as numbers: the words become missing
            frame[target] = y = choice.target
            columns = [
                _numeric_target_info(y, mixed.word_rows) if c.name == target else c for c in columns
            ]
            left_out += mixed.word_rows
    found_task, task_reason = _task_for(y, task)
    # Read the labels once: counts and warnings both need them.
    classes = class_counts(y) if found_task.is_classification else {}
    unlabelled = int(y.isna().sum()) - left_out
    if unlabelled:
        warnings.append(_target_missing_warning(target, unlabelled))
    warnings += class_warnings(classes)
    warnings += column_warnings(frame, columns, target)
    warnings += weight_warnings(frame, columns, target)
    wide = too_wide_warning(len(features), int(y.notna().sum()))
    if wide is not None:
        warnings.append(wide)  # and no leak check: by chance, some column always "leaks"
    else:
        warnings += leakage_warnings(frame, columns, target, found_task)
    if duplicates:
        warnings.append(
            ProfileWarning(
                WarningKind.DUPLICATES,
                f"{duplicates} row(s) are exact duplicates of another row; they may land in both "
                "training and test splits and flatter the test score.",
            )
        )
    profile = DataProfile(
        kind=DataKind.TABLE,
        source=str(path),
        format=read.format,
        rows=len(frame),
        target=target,
        target_reason=target_reason,
        task=found_task,
        task_reason=task_reason,
        features=features,
        classes=classes,
        columns=columns,
        duplicate_rows=duplicates,
        warnings=warnings,
        notes=read.notes,
        details=read.details,
    )
    _add_guess_warning(profile, guessed)
    return Dataset(frame, profile)


def _column_info(series: pd.Series, counts, override: ColumnRole | None) -> ColumnInfo:
    role, reason = infer_role(series, counts.distinct, counts.missing)
    if override is not None and override is not role:
        reason, role = f"set by the user (inferred: {role.value}, {reason})", override
    return ColumnInfo(
        name=str(series.name),
        role=role,
        dtype=str(series.dtype),
        missing=counts.missing,
        distinct=counts.distinct,
        reason=reason,
        overridden=override is not None,
    )


def _numeric_target_info(target: pd.Series, words: int) -> ColumnInfo:
    """The target's column, once its words are read as missing and it holds numbers."""
    return ColumnInfo(
        name=str(target.name),
        role=ColumnRole.NUMERIC,
        dtype=str(target.dtype),
        missing=int(target.isna().sum()),
        distinct=int(target.nunique()),
        reason=f"numbers, with {words} value(s) that are words read as missing",
    )


# ---------------------------------------------------------------- shared helpers


def _task_for(target: pd.Series, task: Task | None) -> tuple[Task, str]:
    inferred, reason = infer_task(target)
    if task is None or task is inferred:
        return inferred, reason
    check_task_override(target, task)
    return task, f"set by the user (inferred: {reason})"


def _target_missing_warning(target: str, count: int) -> ProfileWarning:
    return ProfileWarning(
        WarningKind.TARGET_MISSING,
        f"{count} row(s) have no value in the target {target!r}; they are left out of training.",
    )


def _add_guess_warning(profile: DataProfile, guessed: bool) -> None:
    if guessed:
        profile.warnings.insert(
            0,
            ProfileWarning(
                WarningKind.GUESS,
                f"No target was given, so {profile.target!r} was guessed "
                f"({profile.target_reason.removeprefix('guessed: ')}). If it is not the one to "
                "predict, choose the target column (in the app: the Target box; on the command "
                "line: --target COL).",
            ),
        )


def _parse_task(task: Task | str | None) -> Task | None:
    if task is None or isinstance(task, Task):
        return task
    try:
        return Task(str(task).lower())
    except ValueError:
        raise DataError(
            f"Unknown task {task!r}.",
            f"one of {', '.join(t.value for t in Task)}",
            "Leave it out to let dlstudio infer it.",
        ) from None


def _parse_roles(roles: dict | None) -> dict[str, ColumnRole]:
    parsed = {}
    for name, role in (roles or {}).items():
        word = re.sub(r"[\s-]+", "_", str(role).strip().lower())  # "leave out", "leave-out"
        try:
            parsed[name] = role if isinstance(role, ColumnRole) else ColumnRole(word)
        except ValueError:
            raise DataError(
                f"Unknown column role {role!r} for {name!r}.",
                f"one of {', '.join(r.value for r in ColumnRole)}",
                "Choose one of those roles (in the app: the Role column of the column table; on "
                "the command line: e.g. --role zip=categorical).",
            ) from None
    return parsed


def _first(items: list[str], limit: int = 3) -> str:
    shown = "; ".join(items[:limit])
    return shown + (f"; and {len(items) - limit} more" if len(items) > limit else "")


def _learnable(column: pd.Series) -> bool:
    """Whether a task can be inferred for `column` as a target (see schema.infer_task)."""
    try:
        infer_task(column.dropna())
    except DataError:
        return False
    return True
