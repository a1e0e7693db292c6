"""Runs a core job (train, tune, resume) in a training process and hands its events to the GUI.

The run happens in `python -m dlstudio.core.engine.child` (why a process: see that module), which
writes its events to its stdout as JSON lines. A reader thread here turns each line back into an
event and puts it on a queue; a QTimer in the GUI thread drains the queue every 80 ms and emits
the events as one list, so the pages update once per tick however fast batches go. TensorFlow
and Keras never load in the app's own process.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections import deque

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from dlstudio.gui.process_task import child_program

DRAIN_INTERVAL_MS = 80
_ENDED = object()  # put on the queue when the training process has closed its output


class RunController(QObject):
    """Starts, cancels and waits for one run at a time; `events` carries what happened."""

    events = Signal(list)
    started = Signal()
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.Queue = queue.Queue()
        self._process: subprocess.Popen | None = None
        self._readers: list[threading.Thread] = []
        self._errors: deque[str] = deque(maxlen=20)  # the process's last stderr lines
        self._ended_well = False
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self._drain)

    def is_running(self) -> bool:
        return self._process is not None

    def start(self, spec, project: str, resume: str | None = None) -> None:
        if self.is_running():
            return
        job = {"spec": spec.to_dict() if spec else None, "project": project, "resume": resume}
        self._errors.clear()
        self._ended_well = False
        program, arguments, environment = child_program()
        self._process = subprocess.Popen(
            [program, *arguments],
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self._send(json.dumps(job))
        self._readers = [
            threading.Thread(target=self._read_events, args=(self._process,), daemon=True),
            threading.Thread(target=self._read_errors, args=(self._process,), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        self._timer.start()
        self.started.emit()

    def cancel(self) -> None:
        """Stop the run within a batch; finished trials are kept."""
        self._send("cancel")

    def wait(self, msecs: int = -1) -> bool:
        """Block until the run has stopped and its events are delivered (closing; tests)."""
        process = self._process
        if process is None:
            return True
        try:
            process.wait(None if msecs < 0 else msecs / 1000)
        except subprocess.TimeoutExpired:
            return False
        for reader in self._readers:
            reader.join()
        self._drain()
        return True

    def _send(self, line: str) -> None:
        if self._process is not None and self._process.poll() is None:
            try:
                self._process.stdin.write(line + "\n")
                self._process.stdin.flush()
            except OSError:
                pass  # it is ending anyway; the reader reports how

    def _read_events(self, process: subprocess.Popen) -> None:
        from dlstudio.core.events import event_from_json

        for line in process.stdout:
            try:
                self._queue.put(event_from_json(line))
            except (ValueError, KeyError, TypeError):
                self._errors.append(line.rstrip())  # not an event: keep it for a failure report
        process.wait()
        self._queue.put(_ENDED)

    def _read_errors(self, process: subprocess.Popen) -> None:
        for line in process.stderr:
            if line.strip():
                self._errors.append(line.rstrip())

    @Slot()
    def _drain(self) -> None:
        from dlstudio.core.events import RunFailed, RunFinished

        batch, ended = [], False
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _ENDED:
                ended = True
                continue
            self._ended_well |= isinstance(item, RunFinished | RunFailed)
            batch.append(item)
        if ended and not self._ended_well:
            batch.append(RunFailed("", self._death_message()))
        if batch:
            self.events.emit(batch)
        if ended:
            self._finish()

    def _death_message(self) -> str:
        code = self._process.returncode if self._process else None
        last = next((line for line in reversed(self._errors) if line.strip()), "")
        return (
            f"The training process ended unexpectedly (exit code {code})"
            + (f": {last}" if last else ".")
            + " Finished trials are kept; the search can be resumed from the Results page."
        )

    def _finish(self) -> None:
        self._timer.stop()
        process, self._process = self._process, None
        for reader in self._readers:
            reader.join(timeout=5)  # at the end of its stream already: the process has exited
        if process is not None:
            for stream in (process.stdin, process.stdout, process.stderr):
                stream.close()
        self.finished.emit()
