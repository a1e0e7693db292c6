"""Another process holding a run's lock, as a second `dlstudio` working on the same run would."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

_HOLD = (
    "import sys; from dlstudio.core.project import RunFolder;"
    "lock = RunFolder(sys.argv[1]).lock().acquire(); print('held', flush=True);"
    "sys.stdin.read()"
)


@contextlib.contextmanager
def lock_held_elsewhere(run: Path):
    """Yield the process that holds `run`'s lock; it lets go (and ends) on leaving."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(run)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.communicate("")
