"""Keep a full disk from ending a run in a segmentation fault.

When a keras-tuner checkpoint (.weights.h5) cannot be written because the disk is full, h5py
fails to close some of its objects (it reports "Exception ignored in ObjectID.__dealloc__")
and HDF5 keeps them half-closed. HDF5's own exit handler, or a later garbage collection, then
touches them and the process dies with a segmentation fault (exit 139), after the user has
been told what went wrong (seen with h5py 3.14 / HDF5 1.14 on a full tmpfs).

`Hdf5Watch` notices such failures while a run goes on. If it saw one, the process leaves
through `os._exit` at exit, once Python's output is flushed, before HDF5's clean-up can run.
Nothing is lost by skipping it: the run's own files are written and synced already, and the
broken checkpoint is unusable anyway.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys

_GUARDED: list[int] = []


class Hdf5Watch:
    """A context manager that notices h5py objects failing to close while it is active."""

    def __init__(self) -> None:
        self.failed = False
        self._previous = None

    def __enter__(self) -> Hdf5Watch:
        self._previous = sys.unraisablehook
        sys.unraisablehook = self._hook
        return self

    def _hook(self, unraisable) -> None:
        if "h5py" in str(unraisable.object) or "h5py" in repr(unraisable.exc_value):
            # Tracebacks from inside h5py, many per failed file: the run's own error says
            # what happened (the disk is full) in one line.
            self.failed = True
            return
        self._previous(unraisable)

    def __exit__(self, exc_type, *exc) -> None:
        if sys.unraisablehook == self._hook:
            sys.unraisablehook = self._previous
        if self.failed:
            leave_before_hdf5_cleanup(2 if exc_type else 0)


def leave_before_hdf5_cleanup(status: int = 2) -> None:
    """At exit, end the process with `status` before HDF5's exit handler runs.

    Python's atexit functions run before the C library's (where HDF5's is), and the one
    registered last runs first. `status` is what the CLI returns for a user's error."""
    if not _GUARDED:
        gc.disable()  # a collection could free the half-closed objects and crash right away
        _GUARDED.append(status)
        atexit.register(_leave_now)


def _leave_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(_GUARDED[0])
