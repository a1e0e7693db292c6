"""A one-shot job in a training process: detect the device, export a model, predict.

The window's own process never loads TensorFlow (it would stall the window for a second or
more, and the design keeps Keras out of it), so these jobs run in
`python -m dlstudio.core.engine.child`, like training does, and answer with one TaskResult.
`ProcessTask` has BackgroundTask's interface: start, then succeeded(result) or failed(message).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal, Slot

import dlstudio


def child_program() -> tuple[str, list[str], dict[str, str]]:
    """The training process's command line and environment: this dlstudio, installed or not."""
    package_root = str(Path(dlstudio.__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    return sys.executable, ["-m", "dlstudio.core.engine.child"], {**os.environ, "PYTHONPATH": path}


class ChildProcess(QObject):
    """A job in a process of its own (`python ARGUMENTS`, with `stdin` written to it): start,
    then succeeded(answer) or failed(message). Subclasses read the answer (`_answer`)."""

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, arguments: list[str], stdin: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stdin = stdin
        self._process = QProcess(self)
        program, _, environment = child_program()
        env = QProcessEnvironment()
        for key, value in environment.items():
            env.insert(key, value)
        self._process.setProcessEnvironment(env)
        self._process.setProgram(program)
        self._process.setArguments(arguments)
        self._process.finished.connect(self._finished)
        self._process.errorOccurred.connect(self._error)
        self._done = False

    def start(self) -> None:
        self._process.start()
        if self._stdin:
            self._process.write(self._stdin.encode("utf-8"))

    def is_running(self) -> bool:
        return self._process.state() != QProcess.ProcessState.NotRunning

    def wait(self, msecs: int = -1) -> bool:
        """Block until the job has ended and its answer was delivered (closing; tests)."""
        return not self.is_running() or self._process.waitForFinished(msecs)

    def kill(self) -> None:
        if self.is_running():
            self._process.kill()
            self._process.waitForFinished(3000)

    @Slot(int, QProcess.ExitStatus)
    def _finished(self, code: int, _status) -> None:
        if self._done:
            return
        self._done = True
        output = bytes(self._process.readAllStandardOutput()).decode("utf-8", "replace")
        errors = bytes(self._process.readAllStandardError()).decode("utf-8", "replace")
        self._answer(code, output, errors)

    def _answer(self, code: int, output: str, errors: str) -> None:
        raise NotImplementedError

    @Slot(QProcess.ProcessError)
    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart and not self._done:
            self._done = True
            self.failed.emit(f"The worker process could not start ({self._process.errorString()}).")


class ProcessTask(ChildProcess):
    """Runs one task of engine/tasks.py in a training process."""

    def __init__(self, task: str, args: dict, parent: QObject | None = None) -> None:
        job = json.dumps({"task": task, "args": args}) + "\n"
        super().__init__(child_program()[1], job, parent)

    def _answer(self, code: int, output: str, errors: str) -> None:
        from dlstudio.core.events import RunFailed, TaskResult, event_from_json

        for line in reversed(output.splitlines()):
            try:
                event = event_from_json(line)
            except (ValueError, KeyError, TypeError):
                continue
            if isinstance(event, TaskResult):
                self.succeeded.emit(event.result)
                return
            if isinstance(event, RunFailed):
                self.failed.emit(event.message)
                return
        last = next((ln for ln in reversed(errors.splitlines()) if ln.strip()), "")
        self.failed.emit(
            f"The worker process ended unexpectedly (exit code {code})"
            + (f": {last}" if last else ".")
        )
