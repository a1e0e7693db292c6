"""A model kept loaded in a process of its own, answering predictions as the user edits an input.

The "Try it" panel asks for a prediction on every edit. Starting a task per prediction would
cost the TensorFlow start (seconds) each time, and the window's own process never loads
TensorFlow, so one `python -m dlstudio.core.engine.child` per shown run loads the model once and
answers JSON-line requests (protocol: core/engine/serve.py) in milliseconds.

One request is in flight at a time; a newer one replaces the one waiting, so fast typing never
piles up work. The process ends when the run changes, on `stop`, when the app quits, and by
itself if the app goes away (its stdin closes).
"""

from __future__ import annotations

import json
from collections import deque

from PySide6.QtCore import QCoreApplication, QObject, QProcess, QProcessEnvironment, Signal, Slot

from dlstudio.gui.process_task import child_program


class Predictor(QObject):
    """Predictions from one run's model, through a process that keeps it loaded.

    Signals:
        loading: the process is starting and loading the model (seconds).
        ready: the model is loaded; requests are answered from now on.
        answered(list): the answers to the latest request (see core/engine/serve.py).
        refused(str): the latest request's input cannot be predicted on, and why.
        failed(str): the model cannot answer at all (not loadable, or the process ended).
    """

    loading = Signal()
    ready = Signal()
    answered = Signal(list)
    refused = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._process: QProcess | None = None
        self._run: str | None = None
        self._ready = False
        self._in_flight: int | None = None  # the id of the request being answered
        self._waiting: dict | None = None  # the newest request not yet sent
        self._next_id = 0
        self._buffer = b""
        self._errors: deque[str] = deque(maxlen=5)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    @property
    def run(self) -> str | None:
        """The run folder whose model answers (None when stopped)."""
        return self._run

    def is_ready(self) -> bool:
        return self._ready

    def is_busy(self) -> bool:
        return self._in_flight is not None or self._waiting is not None

    def start(self, run: str) -> None:
        """Load the model of the run folder `run` in a new process (ending any other one)."""
        self.stop()
        self._run = str(run)
        self._buffer = b""
        self._errors.clear()
        process = QProcess(self)
        program, arguments, environment = child_program()
        env = QProcessEnvironment()
        for key, value in environment.items():
            env.insert(key, value)
        process.setProcessEnvironment(env)
        process.setProgram(program)
        process.setArguments(arguments)
        process.readyReadStandardOutput.connect(self._read)
        process.readyReadStandardError.connect(self._read_errors)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        self._process = process
        self.loading.emit()
        process.start()
        process.write((json.dumps({"serve": self._run}) + "\n").encode("utf-8"))

    def ask(self, request: dict) -> None:
        """Predict on `request` ({"rows": …}, {"texts": …} or {"images": …}) as soon as the
        model is free; it replaces any request still waiting."""
        self._waiting = dict(request)
        self._send()

    @Slot()
    def stop(self) -> None:
        """End the process at once (it holds nothing to save)."""
        process, self._process = self._process, None
        self._ready = False
        self._in_flight = None
        self._waiting = None
        self._run = None
        if process is None:
            return
        for signal in (
            process.readyReadStandardOutput,
            process.readyReadStandardError,
            process.finished,
            process.errorOccurred,
        ):
            signal.disconnect()
        if process.state() != QProcess.ProcessState.NotRunning:
            process.kill()
            process.waitForFinished(2000)
        process.deleteLater()

    def pid(self) -> int | None:
        """The process's id (tests), None when there is none."""
        if self._process is None or self._process.state() == QProcess.ProcessState.NotRunning:
            return None
        return int(self._process.processId())

    # ------------------------------------------------------------ the process

    def _send(self) -> None:
        if not self._ready or self._in_flight is not None or self._waiting is None:
            return
        self._next_id += 1
        request, self._waiting = {**self._waiting, "id": self._next_id}, None
        self._in_flight = self._next_id
        self._process.write((json.dumps(request) + "\n").encode("utf-8"))

    @Slot()
    def _read(self) -> None:
        if self._process is None:
            return
        self._buffer += bytes(self._process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                message = json.loads(line.decode("utf-8", "replace"))
            except ValueError:
                continue  # not ours: the protocol's lines are JSON objects
            if isinstance(message, dict):
                self._handle(message)

    def _handle(self, message: dict) -> None:
        if "fatal" in message:
            text = str(message["fatal"])
            self.stop()
            self.failed.emit(text)
        elif message.get("ready"):
            self._ready = True
            self.ready.emit()
            self._send()
        elif "id" in message and message["id"] == self._in_flight:
            self._in_flight = None
            if self._waiting is None:  # an answer to an input already edited again is stale
                if "error" in message:
                    self.refused.emit(str(message["error"]))
                else:
                    self.answered.emit(list(message.get("predictions", [])))
            self._send()

    @Slot()
    def _read_errors(self) -> None:
        if self._process is None:
            return
        text = bytes(self._process.readAllStandardError()).decode("utf-8", "replace")
        self._errors.extend(line for line in text.splitlines() if line.strip())

    @Slot(int, QProcess.ExitStatus)
    def _finished(self, code: int, _status) -> None:
        if self._process is None:
            return
        self._read()
        if self._process is None:  # a fatal message already said why
            return
        last = self._errors[-1] if self._errors else ""
        self.stop()
        self.failed.emit(
            f"The prediction process ended unexpectedly (exit code {code})"
            + (f": {last}" if last else ".")
            + " Show the run again to restart it."
        )

    @Slot(QProcess.ProcessError)
    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._process is not None:
            reason = self._process.errorString()
            self.stop()
            self.failed.emit(f"The prediction process could not start ({reason}).")
