"""Train / validation / test splits: seeded, stratified for classes, or in time order.

A stratified split puts a row of every class into every part it uses. A class with fewer rows
than that goes to training only (and the user is told); when fewer than two classes can be
split, validation and test could not measure anything, so the split is refused up front with
the classes and their counts, rather than failing inside training.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dlstudio.core.config import SplitSpec
from dlstudio.core.data.schema import label_text, parse_datetimes
from dlstudio.core.errors import DataError


@dataclass
class Split:
    """Row positions (0-based, into the frame that was split) of each part."""

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    notes: list[str] = field(default_factory=list)

    def sizes(self) -> dict[str, int]:
        return {
            "train": len(self.train),
            "validation": len(self.validation),
            "test": len(self.test),
        }


def split_rows(
    n_rows: int,
    spec: SplitSpec | None = None,
    labels: pd.Series | None = None,
    times: pd.Series | None = None,
) -> Split:
    """Split `n_rows` rows into train, validation and test positions.

    Args:
        n_rows: How many rows to split.
        spec: Ratios, seed and method (the defaults of SplitSpec when None).
        labels: Class labels (one per row) to stratify on; None for regression.
        times: With `spec.time_column`, the values to order by: the earliest rows train, the
            latest test.

    Raises:
        DataError: Ratios that are negative or do not add up to 1, too few rows, or classes
            too small for a stratified split to measure anything.
    """
    spec = spec or SplitSpec()
    ratios = np.array([spec.train, spec.validation, spec.test], dtype=float)
    if (ratios < 0).any() or abs(ratios.sum() - 1) > 1e-6 or spec.train <= 0:
        raise DataError(
            f"Split ratios train={spec.train}, validation={spec.validation}, test={spec.test}.",
            "three non-negative ratios adding up to 1, with some rows to train on",
            "Use e.g. 0.7 / 0.15 / 0.15.",
        )
    needed = 1 + int(spec.validation > 0) + int(spec.test > 0)
    if n_rows < needed:
        raise DataError(
            f"Only {n_rows} labelled row(s) to split.",
            f"at least {needed} rows, and realistically dozens",
            "Add more data.",
        )
    if spec.time_column is not None:
        return _time_split(n_rows, ratios, times, spec.time_column)
    rng = np.random.default_rng(spec.seed)
    if labels is None or not spec.stratify:
        return Split(*_cut(rng.permutation(n_rows), ratios))
    texts = np.asarray(labels.map(label_text))
    names, sizes = np.unique(texts, return_counts=True)
    refusal = unsplittable(dict(zip(names.tolist(), sizes.tolist(), strict=True)), needed)
    if refusal is not None:
        raise refusal
    return _stratified(texts, ratios, rng)


def parts_used(spec: SplitSpec | None = None) -> int:
    """How many parts (train, validation, test) a split fills: a stratified split needs this
    many rows of a class to put one in each."""
    spec = spec or SplitSpec()
    return 1 + int(spec.validation > 0) + int(spec.test > 0)


def split_parts(parts: int) -> str:
    """The parts of a split in words."""
    return {3: "train, validation and test", 2: "train and one held-out part"}.get(
        parts, f"{parts} parts"
    )


def too_small_to_split(counts: dict[str, int], parts: int) -> list[str]:
    """The classes with fewer rows than `parts`: they can only go to training."""
    return [label for label, n in counts.items() if n < parts]


def unsplittable(counts: dict[str, int], parts: int) -> DataError | None:
    """The error to raise when fewer than two classes have the `parts` rows it takes to reach
    validation and test (every score there would be moot); None when the split can work."""
    if parts < 2 or len(counts) < 2:
        return None
    small = too_small_to_split(counts, parts)
    if len(counts) - len(small) >= 2:
        return None
    listed = ", ".join(
        f"{label!r} ({counts[label]} row{'s' if counts[label] != 1 else ''})" for label in small[:8]
    )
    more = f" and {len(small) - 8} more" if len(small) > 8 else ""
    names = split_parts(parts)
    return DataError(
        f"Classes too small to split: {listed}{more}. A split into {names} needs {parts} rows "
        f"of a class to put one in each part, so validation and test would "
        f"{'be empty' if len(small) == len(counts) else 'hold a single class'} and measure "
        "nothing.",
        f"at least {parts} rows in each of two or more classes (realistically dozens)",
        "Add examples of those classes, merge each into a similar class, or drop their rows.",
    )


def _cut(order: np.ndarray, ratios: np.ndarray) -> list[np.ndarray]:
    counts = _allocate(len(order), ratios)
    bounds = np.cumsum(counts)[:-1]
    return np.split(order, bounds)


def _allocate(n: int, ratios: np.ndarray) -> np.ndarray:
    """Whole row counts per part, closest to n × ratios (largest remainder), train first."""
    exact = n * ratios
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    if counts[0] == 0:  # always keep a row to train on
        donor = int(np.argmax(counts))
        counts[donor] -= 1
        counts[0] += 1
    return counts


def _stratified(labels: np.ndarray, ratios: np.ndarray, rng) -> Split:
    classes = sorted(set(labels))
    rows_of = {label: rng.permutation(np.flatnonzero(labels == label)) for label in classes}
    nonzero = int((ratios > 0).sum())
    notes, small = [], []
    for label in classes:
        if len(rows_of[label]) < nonzero:
            # Too few to put one in every part: train gets them, and the user is told.
            small.append(label)
            notes.append(
                f"class {label!r} has only {len(rows_of[label])} row(s): all in the training "
                "split (too few to stratify), so validation and test never measure it; add "
                "examples, merge it into a similar class, or drop its rows"
            )
    splittable = [label for label in classes if label not in small]
    counts = _class_counts_per_part([len(rows_of[c]) for c in splittable], ratios)
    parts: list[list[np.ndarray]] = [[rows_of[c] for c in small], [], []]
    for label, per_part in zip(splittable, counts, strict=True):
        for i, chunk in enumerate(np.split(rows_of[label], np.cumsum(per_part)[:-1])):
            parts[i].append(chunk)
    train, validation, test = (
        rng.permutation(np.concatenate(p)) if p else np.array([], dtype=int) for p in parts
    )
    return Split(train, validation, test, notes)


def _class_counts_per_part(sizes: list[int], ratios: np.ndarray) -> np.ndarray:
    """Rows of each class per part: shares as exact as whole rows allow, totals as `_allocate`.

    Floors first, then the leftover rows go where the fractional remainder is largest, while
    the part still lacks rows overall; every class gets at least one row in every used part.
    """
    sizes_ = np.array(sizes, dtype=int)
    if len(sizes_) == 0:
        return np.zeros((0, len(ratios)), dtype=int)
    exact = sizes_[:, None] * ratios[None, :]
    counts = np.floor(exact).astype(int)
    deficit = _allocate(int(sizes_.sum()), ratios) - counts.sum(axis=0)
    leftover = sizes_ - counts.sum(axis=1)
    for flat in np.argsort(-(exact - counts), axis=None, kind="stable"):
        c, p = divmod(int(flat), len(ratios))
        if leftover[c] and deficit[p] > 0 and ratios[p] > 0:
            counts[c, p] += 1
            leftover[c] -= 1
            deficit[p] -= 1
    for c in np.flatnonzero(leftover):  # what the totals could not take: the neediest part
        counts[c, int(np.argmax(deficit))] += leftover[c]
    for c, p in zip(*np.nonzero((counts == 0) & (ratios > 0)[None, :]), strict=True):
        donor = int(np.argmax(counts[c]))  # every part sees every class
        counts[c, donor] -= 1
        counts[c, p] += 1
    return counts


def _time_split(n_rows: int, ratios: np.ndarray, times: pd.Series | None, column: str) -> Split:
    if times is None or len(times) != n_rows:
        raise DataError(
            f"A time split on {column!r} was asked for without its values.",
            "the time column's values for every row",
            "Pass the column's values, or use a random split.",
        )
    parsed = parse_datetimes(times) if not pd.api.types.is_numeric_dtype(times) else times
    order = np.argsort(parsed.to_numpy(), kind="stable")
    train, validation, test = _cut(order, ratios)
    notes = [f"time split on {column!r}: training rows come first in time, test rows last"]
    return Split(train, validation, test, notes)
