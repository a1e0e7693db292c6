"""Cells that hold objects or lists (nested JSON, Parquet struct and list columns).

A model takes one number, category or text per cell. An object (a JSON object, a Parquet
struct) is flattened into one column per key, named 'parent.key' as pandas.json_normalize does.
A list, array or map cannot be one feature (its length varies from row to row), so such a
column is left out, with a note, instead of failing later in training.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

_LISTS = (list, tuple, set, np.ndarray)


def flatten_nested(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """`frame` with object cells flattened and list cells left out; notes say what changed."""
    notes: list[str] = []
    for _ in range(8):  # json_normalize flattens every level; struct-in-list may need more
        objects = [c for c in frame.columns if _holds(frame[c], Mapping)]
        if not objects:
            break
        for col in objects:
            frame, added = _flatten_column(frame, col)
            shown = ", ".join(repr(a) for a in added[:4]) + (" …" if len(added) > 4 else "")
            notes.append(f"{col!r} holds objects; flattened into {len(added)} column(s): {shown}")
    lists = [c for c in frame.columns if _holds(frame[c], _LISTS)]
    if lists:
        frame = frame.drop(columns=lists)
        for col in lists:
            notes.append(
                f"{col!r} holds lists, which cannot be one feature (their length varies); "
                "it was left out"
            )
    return frame, notes


def _holds(series: pd.Series, kinds) -> bool:
    if not ptypes.is_object_dtype(series.dtype):
        return False
    return any(isinstance(v, kinds) for v in series)


def _flatten_column(frame: pd.DataFrame, col: str) -> tuple[pd.DataFrame, list[str]]:
    records = [v if isinstance(v, Mapping) else {} for v in frame[col]]
    flat = pd.json_normalize(records, sep=".")
    flat.columns = [f"{col}.{c}" for c in flat.columns]
    flat.index = frame.index
    flat = flat.drop(columns=[c for c in flat.columns if c in frame.columns])
    position = list(frame.columns).index(col)
    left, right = frame.iloc[:, :position], frame.iloc[:, position + 1 :]
    return pd.concat([left, flat, right], axis=1), list(flat.columns)
