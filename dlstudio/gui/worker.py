"""Runs a core job (train, tune, resume) on a QThread and hands its events to the GUI.

The engine calls the sink from its training threads; the sink only puts events on a queue. A
QTimer in the GUI thread drains the queue every 80 ms and emits them as one list, so the pages
update once per tick no matter how fast batches go, and nothing in the worker touches a widget.
Heavy imports (TensorFlow, Keras) happen here, in the worker, never at start-up.
"""

from __future__ import annotations

import queue

from PySide6 import QtCore  # QtCore.Qt on use: see MainWindow's note on the Qt namespace
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from dlstudio.core.engine.cancel import CancelToken  # plain Python: loads no Keras
from dlstudio.core.errors import DlstudioError

DRAIN_INTERVAL_MS = 80


class _RunJob(QObject):
    done = Signal()

    def __init__(self, spec, project: str, events: queue.Queue, token, resume: str | None) -> None:
        super().__init__()
        self.spec, self.project, self.events, self.token, self.resume = (
            spec,
            project,
            events,
            token,
            resume,
        )

    @Slot()
    def run(self) -> None:
        from dlstudio.core.events import RunFailed, RunMessage  # not before the window shows

        sink = self.events.put
        try:
            sink(RunMessage("Loading TensorFlow and Keras…"))
            from dlstudio.core.engine.run import resume_run, start_run
            from dlstudio.core.project import RunFolder

            if self.resume:
                resume_run(RunFolder(self.resume), sink, self.token)
            else:
                start_run(self.spec, self.project, sink, self.token)
        except DlstudioError:
            pass  # the engine has already emitted RunFailed with the message
        except Exception as error:  # never let the worker die silently
            sink(RunFailed("", f"Unexpected problem ({type(error).__name__}: {error})."))
        finally:
            self.done.emit()


class RunController(QObject):
    """Starts, cancels and waits for one run at a time; `events` carries what happened."""

    events = Signal(list)
    started = Signal()
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.Queue = queue.Queue()
        self._thread: QThread | None = None
        self._job: _RunJob | None = None
        self.token = None
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self._drain)

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def start(self, spec, project: str, resume: str | None = None) -> None:
        if self.is_running():
            return
        self.token = CancelToken()
        self._thread = QThread()
        self._job = _RunJob(spec, project, self._queue, self.token, resume)
        self._job.moveToThread(self._thread)
        self._thread.started.connect(self._job.run)
        # Quit the worker's event loop from the worker itself, so that wait() in the GUI thread
        # (closing the window) cannot deadlock on a quit() queued behind it.
        self._job.done.connect(self._thread.quit, QtCore.Qt.ConnectionType.DirectConnection)
        self._job.done.connect(self._job_done)  # queued: this object lives in the GUI thread
        self._thread.start()
        self._timer.start()
        self.started.emit()

    def cancel(self) -> None:
        if self.token is not None:
            self.token.cancel()

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker has stopped (closing the window; tests)."""
        if self._thread is None:
            return True
        ok = self._thread.wait() if msecs < 0 else self._thread.wait(msecs)
        self._drain()
        return ok

    @Slot()
    def _job_done(self) -> None:
        if self._thread is not None:
            self._thread.wait()
        self._drain()
        self._timer.stop()
        self._thread = None
        self.finished.emit()

    @Slot()
    def _drain(self) -> None:
        batch = []
        while True:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if batch:
            self.events.emit(batch)
