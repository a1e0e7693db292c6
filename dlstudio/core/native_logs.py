"""Keeping TensorFlow's start-up chatter off the user's terminal.

TensorFlow's C++ side logs through absl before any setting can reach it ("All log messages
before absl::InitializeLog() …", oneDNN notes, CUDA probing on a machine without a GPU), straight
to file descriptor 2, so `TF_CPP_MIN_LOG_LEVEL` alone does not silence it. `hushed` sends that
descriptor to a temporary file while TensorFlow loads or probes devices, and shows what was
caught only if that step failed (not when the user pressed Ctrl-C: that is no failure to
explain). `--debug` (DLSTUDIO_DEBUG=1) leaves everything on screen.

Some libraries also print to standard output (keras-tuner's "Reloading Tuner from …"), which
would corrupt `--json`; `library_prints_to_stderr` moves such prints to standard error and
drops the known chatter.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout

# Lines libraries print that tell a user nothing (keras-tuner's resume note: ours says it).
CHATTER = ("Reloading Tuner from ", "Reloading Oracle from ")


_terminal_stderr: int | None = None  # the real stderr while `hushed` catches descriptor 2


def terminal_stderr() -> int:
    """The descriptor that reaches the user's terminal, even inside `hushed` (for a last line
    written on the way out, such as an abort)."""
    return 2 if _terminal_stderr is None else _terminal_stderr


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
    global _terminal_stderr
    sys.stderr.flush()
    saved = os.dup(2)
    outer, _terminal_stderr = _terminal_stderr, saved
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        except KeyboardInterrupt:
            raise
        except BaseException:
            os.dup2(saved, 2)
            if show_on_error:
                caught.seek(0)
                sys.stderr.write(caught.read().decode("utf-8", "replace"))
            raise
        finally:
            os.dup2(saved, 2)
            _terminal_stderr = outer
            os.close(saved)


class _ToStderr(io.TextIOBase):
    """A stdout stand-in: whole lines go to stderr, except known chatter (unless --debug)."""

    def __init__(self) -> None:
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if debugging() or not line.startswith(CHATTER):
                sys.stderr.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        if self._pending:
            sys.stderr.write(self._pending)
            self._pending = ""
        sys.stderr.flush()


@contextmanager
def library_prints_to_stderr() -> Iterator[None]:
    """While the body runs, Python-level prints to stdout go to stderr: stdout is kept for
    the command's result (one JSON document with --json)."""
    target = _ToStderr()
    with redirect_stdout(target):
        try:
            yield
        finally:
            target.flush()
