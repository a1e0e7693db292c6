"""A million-row, 20-column CSV loads and profiles within about two copies of its data."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

ROWS = 1_000_000

# Peak memory is read from VmHWM, the high-water mark of this process's own address space.
# getrusage's ru_maxrss would not do: Linux carries it across exec, so a child of a parent that
# holds TensorFlow (as pytest may by then) starts with the parent's peak.
MEASURE = textwrap.dedent(
    """
    import json, sys
    from dlstudio.core.data import load_dataset

    def mib(key):
        with open("/proc/self/status") as f:
            line = next(l for l in f if l.startswith(key))
        return int(line.split()[1]) / 1024

    before = mib("VmRSS")
    data = load_dataset(sys.argv[1])
    print(json.dumps({
        "before": before, "peak": mib("VmHWM"), "rows": data.profile.rows,
        "columns": len(data.profile.columns), "task": data.profile.task.value,
        "frame": float(data.frame.memory_usage(deep=True).sum()) / 2**20,
    }))
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for memory")
def test_million_rows_fit_in_two_copies(tmp_path):
    rng = np.random.default_rng(0)
    columns = {f"x{i}": rng.normal(size=ROWS).round(4) for i in range(12)}
    columns |= {f"n{i}": rng.integers(0, 1000, ROWS) for i in range(4)}
    words = np.array(["alpha", "beta", "gamma", "delta", "epsilon"])
    columns |= {f"c{i}": words[rng.integers(0, 5, ROWS)] for i in range(3)}
    columns["target"] = np.where(columns["x0"] + rng.normal(size=ROWS) > 0, "yes", "no")
    path = tmp_path / "big.csv"
    pacsv.write_csv(pa.table(columns), path)
    del columns

    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=True
    )
    measured = json.loads(result.stdout)
    assert (measured["rows"], measured["columns"], measured["task"]) == (ROWS, 20, "binary")
    held = measured["peak"] - measured["before"]
    assert held <= 2.2 * measured["frame"], measured  # "about two copies of the data"
