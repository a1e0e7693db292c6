"""Helpers the benchmarks share: child processes, their peak memory, medians."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"  # generated inputs, kept between runs (git-ignored)

# Ends every child script: what it measured, as one JSON line the parent picks out.
REPORT = "import json, sys; print('BENCH ' + json.dumps(result), flush=True)"

PEAK_MB = textwrap.dedent(
    """
    def peak_mb():
        # VmHWM is this process's own peak; ru_maxrss would carry the parent's across exec.
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    """
)


def run_child(script: str, env: dict | None = None, timeout: float = 600) -> dict:
    """Run a Python script in a fresh interpreter (from the project root) and return the dict it
    reported with REPORT; stderr is shown if it fails."""
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script) + "\n" + REPORT],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"benchmark child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(lines[-1][len("BENCH ") :])


def median(values) -> float:
    return float(statistics.median(values))


def offscreen() -> dict:
    """Environment for children that open windows on a machine without a screen."""
    return {"QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
