"""Run one function off the GUI thread and hear back in the GUI thread.

The runner lives on a QThread; its signals reach `BackgroundTask`'s slots, which live in the
GUI thread, so Qt queues them across threads. (A signal connected to a plain function or a
lambda would run it in the worker thread instead.)
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from dlstudio.core.errors import DlstudioError

# Threads still running, kept alive here: a page (and its BackgroundTask) may be deleted while its
# job runs, and destroying a running QThread aborts the process. Each removes itself when done.
_RUNNING: set = set()


class _Runner(QObject):
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, fn: Callable[[], object]) -> None:
        super().__init__()
        self._fn = fn

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn()
        except DlstudioError as error:
            self.failed.emit(str(error))
        except Exception as error:  # never let a bug kill the app; say what happened
            self.failed.emit(f"Unexpected problem ({type(error).__name__}: {error}).")
        else:
            self.done.emit(result)
        finally:
            # End this thread's event loop from inside: the GUI side may be gone already.
            QThread.currentThread().quit()


class BackgroundTask(QObject):
    """One call of `fn` on its own QThread; `succeeded(result)` or `failed(message)` follows."""

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, fn: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._runner = _Runner(fn)
        self._runner.moveToThread(self._thread)
        self._thread.started.connect(self._runner.run)
        self._runner.done.connect(self._on_done)
        self._runner.failed.connect(self._on_failed)

    def start(self) -> None:
        keep = (self._thread, self._runner)
        _RUNNING.add(keep)
        # Runs in the worker thread as it ends; set.discard is atomic, so that is safe here.
        self._thread.finished.connect(
            lambda: _RUNNING.discard(keep), Qt.ConnectionType.DirectConnection
        )
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, msecs: int = -1) -> bool:
        """Block until the function returned (used on close and in tests)."""
        self._thread.quit()
        return self._thread.wait() if msecs < 0 else self._thread.wait(msecs)

    @Slot(object)
    def _on_done(self, result: object) -> None:
        self._stop()
        self.succeeded.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._stop()
        self.failed.emit(message)

    def _stop(self) -> None:
        self._thread.quit()
        self._thread.wait()
