"""Keeping TensorFlow's start-up chatter off the user's terminal.

TensorFlow's C++ side logs through absl before any setting can reach it ("All log messages
before absl::InitializeLog() …", oneDNN notes, CUDA probing on a machine without a GPU), straight
to file descriptor 2, so `TF_CPP_MIN_LOG_LEVEL` alone does not silence it. `hushed` sends that
descriptor to a temporary file while TensorFlow loads or probes devices, and shows what was
caught only if that step failed. `--debug` (DLSTUDIO_DEBUG=1) leaves everything on screen.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def debugging() -> bool:
    return bool(os.environ.get("DLSTUDIO_DEBUG"))


def quiet_python_loggers() -> None:
    """TensorFlow's Python warnings (retracing notes and the like) are for its developers."""
    if not debugging():
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        for name in ("tensorflow", "absl", "h5py", "tf2onnx"):
            logging.getLogger(name).setLevel(logging.ERROR)


@contextmanager
def hushed(show_on_error: bool = True) -> Iterator[None]:
    """Run the body with the process's standard error caught (see the module's docstring);
    what was caught is shown if the body fails, unless the caller reports failures itself."""
    quiet_python_loggers()
    if debugging():
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            if show_on_error:
                caught.seek(0)
                sys.stderr.write(caught.read().decode("utf-8", "replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
