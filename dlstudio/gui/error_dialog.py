"""No error of the window's own code is only printed: each reaches the user in a dialog.

PySide6 hands an exception raised in a slot, a timer's callback or an event handler to
`sys.excepthook` and carries on with the event loop; on its own that prints a traceback on a
terminal the user of a desktop app never sees, and the button that was clicked does nothing.
`install_error_dialog` (called once, when `dlstudio.gui.app` creates the QApplication) puts an
`ErrorDialogHook` there, and on `threading.excepthook` for the window's background threads. For
each error it

1. appends the full traceback to a log file (`error_log_path()`: errors.log in dlstudio's cache
   folder, ~/.cache/dlstudio/logs/ on Linux, or under $DLSTUDIO_CACHE / $XDG_CACHE_HOME);
2. calls the hook it replaced, so the terminal still shows it (and pytest-qt, under tests, still
   records it and fails the test);
3. shows a dialog on the GUI thread: a one-line reason, what it means, and where the log is,
   with the traceback under "Show Details…".

The dialog is shown, not exec'd (no nested event loop in the hook), and only one is open at a
time: errors while it is open are counted in it ("This happened 3 times", "1 other error since,
also in the log"), and its check box keeps a repeating error from showing again until dlstudio
restarts. An error while reporting an error is only printed: the hook never recurses.
"""

from __future__ import annotations

import sys
import threading
import traceback
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QCheckBox, QMessageBox

import dlstudio
from dlstudio import __version__
from dlstudio.core.errors import DlstudioError, error_summary

LOG_NAME = "errors.log"
LOG_LIMIT = 1_000_000  # bytes; past it the log is moved to errors.log.1 and a new one begun
TITLE = "Something went wrong"
MUTE = "Do not show this error again until dlstudio restarts"
PACKAGE = Path(dlstudio.__file__).resolve().parent


def error_log_path() -> Path:
    """Where tracebacks are written: logs/errors.log in dlstudio's cache folder (or the temp
    folder when that cannot be made)."""
    from dlstudio.core.paths import cache_dir

    try:
        return cache_dir("logs") / LOG_NAME
    except OSError:
        import tempfile

        return Path(tempfile.gettempdir()) / f"dlstudio-{LOG_NAME}"


def one_line_reason(error: BaseException, tb=None) -> str:
    """What went wrong, in one line: a dlstudio error's own message (what was received, what
    was expected, how to fix it), or the library's error and where in dlstudio it happened."""
    if isinstance(error, DlstudioError):
        return " ".join(str(error).split())
    where = _where(tb)
    at = f" in {where}" if where else ""
    return f"The window's code failed{at}: {error_summary(error)}"


def _where(tb) -> str:
    """The last line of dlstudio's own code in the traceback: "export_page.py, line 370"."""
    frames = traceback.extract_tb(tb) if tb is not None else []
    ours = [f for f in frames if _is_ours(f.filename)] or frames
    if not ours:
        return ""
    return f"{Path(ours[-1].filename).name}, line {ours[-1].lineno}"


def _is_ours(filename: str) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(PACKAGE)
    except (OSError, ValueError):
        return False


class ErrorDialogHook(QObject):
    """sys.excepthook (and threading.excepthook) that logs, passes on, and shows a dialog.

    `dialog` is the QMessageBox on screen (None when none is); `log` the file written to.
    """

    reported = Signal(object)  # a Report, carried to the GUI thread when raised elsewhere

    def __init__(self, log: Path | None = None) -> None:
        super().__init__()
        app = QApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        self.log = Path(log) if log is not None else error_log_path()
        self.dialog: QMessageBox | None = None
        self.previous = sys.excepthook
        self.previous_thread_hook = threading.excepthook
        self.muted: set[tuple] = set()
        self._reporting = threading.local()
        self._shown_key: tuple | None = None
        self._repeats = 0
        self._others = 0
        self.reported.connect(self._show)  # queued when emitted from another thread

    # ------------------------------------------------------------ installing

    def install(self) -> ErrorDialogHook:
        self.previous = sys.excepthook
        self.previous_thread_hook = threading.excepthook
        sys.excepthook = self
        threading.excepthook = self._thread_hook
        return self

    def uninstall(self) -> None:
        """Give back the hooks this one replaced (only where it is still the one in place)."""
        if sys.excepthook is self:
            sys.excepthook = self.previous
        if threading.excepthook == self._thread_hook:
            threading.excepthook = self.previous_thread_hook

    # ------------------------------------------------------------ the hooks

    def __call__(self, kind, error, tb) -> None:
        self._handle(kind, error, tb, lambda: self.previous(kind, error, tb))

    def _thread_hook(self, args) -> None:
        self._handle(
            args.exc_type,
            args.exc_value,
            args.exc_traceback,
            lambda: self.previous_thread_hook(args),
        )

    def _handle(self, kind, error, tb, pass_on) -> None:
        if getattr(self._reporting, "busy", False):  # an error while reporting one: print only
            pass_on()
            return
        self._reporting.busy = True
        try:
            if error is None or not issubclass(kind, Exception):  # Ctrl+C, exit: not a dialog
                pass_on()
                return
            written = self._write_log(kind, error, tb)
            try:
                pass_on()
            except Exception:  # noqa: BLE001  (a broken earlier hook must not stop the dialog)
                traceback.print_exc()
            report = Report(
                key=(kind.__name__, str(error), _where(tb)),
                reason=one_line_reason(error, tb),
                details="".join(traceback.format_exception(kind, error, tb)),
                log=self.log,
                log_problem=written,
            )
            if QApplication.instance() is not None:
                self.reported.emit(report)
        except Exception:  # noqa: BLE001  (reporting must never raise into Qt's event loop)
            traceback.print_exc()
        finally:
            self._reporting.busy = False

    def _write_log(self, kind, error, tb) -> str:
        """Append the traceback to the log; "" when written, else why it could not be."""
        try:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            if self.log.exists() and self.log.stat().st_size > LOG_LIMIT:
                self.log.replace(self.log.with_name(self.log.name + ".1"))
            stamp = datetime.now().isoformat(timespec="seconds")
            header = f"==== {stamp}  dlstudio {__version__}, Python {sys.version.split()[0]}\n"
            text = "".join(traceback.format_exception(kind, error, tb))
            with self.log.open("a", encoding="utf-8") as file:
                file.write(header + text + "\n")
        except OSError as problem:
            return error_summary(problem)
        return ""

    # ------------------------------------------------------------ the dialog

    @Slot(object)
    def _show(self, report: Report) -> None:
        if getattr(self._reporting, "busy_showing", False):
            return
        self._reporting.busy_showing = True
        try:
            self._show_now(report)
        except Exception:  # noqa: BLE001  (a dialog that cannot be built: the terminal has it)
            traceback.print_exc()
        finally:
            self._reporting.busy_showing = False

    def _show_now(self, report: Report) -> None:
        if report.key in self.muted:
            return
        if self.dialog is not None:  # one at a time: count this one in the open dialog
            if report.key == self._shown_key:
                self._repeats += 1
            else:
                self._others += 1
            self.dialog.setInformativeText(self._informative(report))
            return
        self._shown_key, self._repeats, self._others = report.key, 1, 0
        box = QMessageBox(QApplication.activeWindow())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(TITLE)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(report.reason)
        box.setInformativeText(self._informative(report))
        box.setDetailedText(report.details)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        # Parented to the box: PySide does not hand a check box to the dialog it is set on,
        # and one collected by Python leaves the dialog pointing at freed memory.
        box.setCheckBox(QCheckBox(MUTE, box))
        box.setWindowModality(Qt.WindowModality.ApplicationModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result, key=report.key: self._closed(key))
        self.dialog = box
        box.show()

    def _informative(self, report: Report) -> str:
        if report.log_problem:
            where = (
                f"The full traceback could not be written to {report.log} "
                f"({report.log_problem}); it is under Show Details…, and on the terminal."
            )
        else:
            where = f"The full traceback is in {report.log} (and under Show Details…)."
        parts = [
            "What you asked for was not done; the rest of the window still works. Try again, or "
            "save your project and restart dlstudio; if it happens again, report it with that "
            "traceback.",
            where,
        ]
        if self._repeats > 1:
            parts.append(f"This happened {self._repeats} times.")
        if self._others:
            parts.append(
                f"{self._others} other error{'s' if self._others > 1 else ''} since, "
                "also in the log."
            )
        return "\n\n".join(parts)

    def _closed(self, key: tuple) -> None:
        box, self.dialog = self.dialog, None
        if box is not None and box.checkBox() is not None and box.checkBox().isChecked():
            self.muted.add(key)


class Report:
    """One error as the dialog says it; plain data, so it crosses threads in a signal."""

    __slots__ = ("key", "reason", "details", "log", "log_problem")

    def __init__(self, key: tuple, reason: str, details: str, log: Path, log_problem: str):
        self.key = key
        self.reason = reason
        self.details = details
        self.log = log
        self.log_problem = log_problem


_installed: ErrorDialogHook | None = None


def install_error_dialog() -> ErrorDialogHook:
    """Route every uncaught error of the window's process to a dialog; once per process.

    Needs the QApplication. Under pytest-qt, whose `qapp` makes the QApplication before dlstudio
    could, this is not called by `application()`: pytest-qt's own hook then records each error
    in a slot and fails the test, as it should. Tests that check the dialog install it
    themselves, on top of pytest-qt's, and uninstall it afterwards.
    """
    global _installed
    if _installed is None:
        _installed = ErrorDialogHook().install()
    return _installed
