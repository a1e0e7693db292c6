"""Runs a core job (train, tune, resume) in a training process and hands its events to the GUI.

The run happens in `python -m dlstudio.core.engine.child` (why a process: see that module), which
writes its events to its stdout as JSON lines. A reader thread here turns each line back into an
event and puts it on a queue; a QTimer in the GUI thread drains the queue every 80 ms and emits
the events as one list, so the pages update once per tick however fast batches go. TensorFlow
and Keras never load in the app's own process.

Nothing here blocks the GUI thread while a run ends: `cancel` asks the process to stop (it
finishes the batch, keeps what it learned and writes the run folder), `finished` says when it
has; `kill` ends it at once, for someone who will not wait (the run then reads "interrupted",
and can be resumed).
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
NOT_BEGUN = "Stopped before training began: nothing was trained or kept."
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
        self._stopping = False
        self._killed = False
        self._run_started = False  # a RunStarted came through: the run has a folder
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
        self._stopping = self._killed = self._run_started = False
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
        """Stop the run within a batch; finished trials are kept. Returns at once: `finished`
        says when the run has ended. While the run is still starting (TensorFlow loading, the
        data being read) there is nothing to keep, and the process is ended at once instead of
        after its 10–20 s start."""
        if not self.is_running():
            return
        self._stopping = True
        if not self._run_started:
            self.kill()
            return
        self._send("cancel")

    def is_stopping(self) -> bool:
        """A cancel was asked for and the run has not ended yet."""
        return self.is_running() and self._stopping

    def has_run_started(self) -> bool:
        """Whether the run got past starting (TensorFlow loaded, data read, folder made)."""
        return self._run_started

    def kill(self) -> None:
        """End the training process now, for someone who will not wait for a clean stop.
        Trials that finished are on disk already; `finished` still follows."""
        process = self._process
        if process is not None and process.poll() is None:
            self._killed = True
            process.kill()

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
        from dlstudio.core.events import RunFailed, RunFinished, RunStarted, RunStatus

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
            self._run_started |= isinstance(item, RunStarted)
            batch.append(item)
        if ended and not self._ended_well:
            if self._killed and not self._run_started:
                batch.append(
                    RunFinished("", RunStatus.CANCELLED, None, None, 0.0, message=NOT_BEGUN)
                )
            else:
                batch.append(RunFailed("", self._death_message()))
        if batch:
            self.events.emit(batch)
        if ended:
            self._finish()

    def _death_message(self) -> str:
        where = "the Runs tab of the Results step"
        if self._killed:
            return (
                "The run was stopped at once, without waiting for the current trial. "
                f"Finished trials are kept; the run can be resumed from {where}."
            )
        code = self._process.returncode if self._process else None
        last = next((line for line in reversed(self._errors) if line.strip()), "")
        return (
            f"The training process ended unexpectedly (exit code {code})"
            + (f": {last}" if last else ".")
            + f" Finished trials are kept; the search can be resumed from {where}."
        )

    def _finish(self) -> None:
        self._timer.stop()
        self._stopping = False
        process, self._process = self._process, None
        for reader in self._readers:
            reader.join(timeout=5)  # at the end of its stream already: the process has exited
        if process is not None:
            for stream in (process.stdin, process.stdout, process.stderr):
                stream.close()
        self.finished.emit()
