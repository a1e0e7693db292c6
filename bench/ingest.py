"""Ingest: `dlstudio inspect` (read and profile) of a generated 1M-row × 20-column CSV vs a bare
`pd.read_csv(engine="pyarrow")` of the same file, alternated, each in a fresh process so that
its peak memory (VmHWM) is its own. Times are of the reading call, imports excluded."""

from __future__ import annotations

import numpy as np

from bench.common import CACHE, PEAK_MB, median, run_child

ROWS = 1_000_000


def make_csv(rows: int = ROWS):
    """12 float, 4 integer and 3 text category columns and a 0/1 target (~140 MB for 1M rows),
    with a few missing values, as a typical business table has."""
    path = CACHE / f"table_{rows}x20.csv"
    if path.exists():
        return path
    import pandas as pd

    rng = np.random.default_rng(0)
    columns = {}
    for i in range(12):
        values = rng.normal(100 * i, 10 + i, rows).round(3)
        values[rng.random(rows) < 0.01] = np.nan
        columns[f"measure_{i}"] = values
    for i in range(4):
        columns[f"count_{i}"] = rng.integers(0, 10 ** (i + 1), rows)
    for i, names in enumerate((["north", "south", "east", "west"], list("ABCDEFGH"), None)):
        names = names or [f"product {k}" for k in range(200)]
        columns[f"category_{i}"] = np.array(names, dtype=object)[rng.integers(0, len(names), rows)]
    score = columns["measure_1"] / 100 + (columns["category_0"] == "north") + rng.normal(0, 1, rows)
    columns["churned"] = (score > np.nanmedian(score)).astype(int)
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    pd.DataFrame(columns).to_csv(partial, index=False)
    partial.rename(path)
    return path


BARE = (
    PEAK_MB
    + """
import time
import pandas as pd
start = time.perf_counter()
frame = pd.read_csv({path!r}, engine="pyarrow")
result = {{"s": time.perf_counter() - start, "peak_mb": peak_mb(),
          "frame_mb": frame.memory_usage(deep=True).sum() / 2**20}}
"""
)

DLSTUDIO = (
    PEAK_MB
    + """
import time
from dlstudio.core.data import load_dataset
start = time.perf_counter()
dataset = load_dataset({path!r})  # all that `dlstudio inspect` does before printing
result = {{"s": time.perf_counter() - start, "peak_mb": peak_mb(),
          "target": dataset.profile.target, "rows": dataset.profile.rows}}
"""
)


def measure(quick: bool = False) -> dict:
    path = str(make_csv())
    bare, ours = [], []
    for _ in range(2 if quick else 3):
        bare.append(run_child(BARE.format(path=path)))
        ours.append(run_child(DLSTUDIO.format(path=path)))
    assert ours[0]["rows"] == ROWS and ours[0]["target"] == "churned", ours[0]
    seconds = median(o["s"] for o in ours)
    return {
        "ingest_ratio": seconds / median(b["s"] for b in bare),
        "ingest_s": seconds,
        "ingest_bare_s": median(b["s"] for b in bare),
        "ingest_peak_mb": median(o["peak_mb"] for o in ours),
        "ingest_bare_peak_mb": median(b["peak_mb"] for b in bare),
        "ingest_frame_mb": bare[0]["frame_mb"],
    }


if __name__ == "__main__":
    print(measure())
