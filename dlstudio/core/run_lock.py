"""One process at a time works in a run folder.

Two `dlstudio tune --resume RUN` (or the window and a terminal) writing the same run would
interleave trials and overwrite each other's state. The first process takes an exclusive
lock on RUN/run.lock for as long as it works there; the second is refused at once, told the
holder's process id. The operating system drops the lock when its process dies, however it
dies, so a crash never leaves a run locked.
"""

from __future__ import annotations

import os
from pathlib import Path

from dlstudio.core.errors import DlstudioError
from dlstudio.core.storage import storage_error

LOCK_NAME = "run.lock"

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


class RunLock:
    """An exclusive, non-blocking lock on a run folder; use it as a context manager.

    Args:
        folder: The run folder.
        run_id: The run's name, for messages.
    """

    def __init__(self, folder: Path, run_id: str) -> None:
        self.path = Path(folder) / LOCK_NAME
        self.run_id = run_id
        self._file = None

    def acquire(self) -> RunLock:
        """Take the lock, or raise DlstudioError naming the process that holds it."""
        try:
            handle = open(self.path, "a+", encoding="ascii")  # noqa: SIM115  (held until release)
        except OSError as error:
            raise storage_error(self.path, error) from error
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            who = f"process {holder}" if holder.isdigit() else "another process"
            raise DlstudioError(
                f"The run {self.run_id!r} is in use by {who}.",
                "one dlstudio process at a time working in a run",
                "Wait for that process to end (or stop it), then try again.",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is not None:
            handle, self._file = self._file, None
            try:
                handle.seek(0)
                handle.truncate()  # no stale pid left behind for the next reader
            except OSError:
                pass  # the folder is gone or read-only now: closing still frees the lock
            handle.close()

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _lock(handle) -> None:
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    else:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
