"""Building the application: the window first, heavy libraries later.

Nothing here imports TensorFlow, Keras, pandas, numpy or pyqtgraph: the engine loads the first
two in its worker when a run starts, and the pages load the others after the window shows
(`show_main_window`), so the window appears about as fast as a bare Qt window does.
"""

from __future__ import annotations

import gc
import os
import sys

from PySide6.QtCore import QElapsedTimer, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from dlstudio.core.resources import icon_paths
from dlstudio.gui.error_dialog import install_error_dialog
from dlstudio.gui.main_window import MainWindow


def application() -> QApplication:
    """The process's QApplication, created on first use.

    Creating it also routes every uncaught error of the window's code (a slot, a timer, an event
    handler, a background thread) to a dialog with a one-line reason and a log file
    (gui/error_dialog.py), so that no button fails silently. Where someone else made the
    QApplication (pytest-qt's `qapp`), their exception handling is left in place.
    """
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        install_error_dialog()
        app.setApplicationName("dlstudio")
        app.setOrganizationName("dlstudio")
        # Matches the .desktop file's name, so Wayland and the taskbar pair the window with it.
        app.setDesktopFileName("dlstudio")
        app.setWindowIcon(application_icon())
        _apply_chosen_backend()
    return app


def application_icon() -> QIcon:
    """dlstudio's icon at every size it is drawn at, so no size is scaled from another."""
    icon = QIcon()
    for path in icon_paths():
        icon.addFile(str(path))
    return icon


class GuiThreadGarbageCollector(QObject):
    """Automatic collection off; a GUI-thread timer collects each generation past its threshold.

    The same as pyqtgraph's GarbageCollector, written out so that the window need not import
    pyqtgraph (0.3 s) before it shows."""

    def __init__(self, interval_ms: int = 1000) -> None:
        super().__init__(QApplication.instance())
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return

    @staticmethod
    def freeze_startup_objects() -> None:
        """Exempt what start-up made (modules, classes, the pages' widgets: 120,000 objects that
        live as long as the app) from later collections: a full collection then takes ~1 ms
        instead of 50, which the window would feel as a stall every few seconds."""
        gc.collect()
        gc.freeze()


_garbage_collector: GuiThreadGarbageCollector | None = None


def collect_garbage_on_the_gui_thread() -> None:
    """Python collects garbage on whichever thread happens to allocate. When that is the training
    thread and the garbage holds Qt objects (a closed window, a page's closures), shiboken
    destroys them there while the GUI thread destroys their relatives: the two deadlock on a Qt
    mutex (seen in the wizard's tests, with native stacks). So automatic collection is turned off
    and the GUI thread collects on a timer; the engine, for its part, collects only on the main
    thread. Installed once, whoever created the QApplication."""
    global _garbage_collector
    if _garbage_collector is None:
        _garbage_collector = GuiThreadGarbageCollector()


def _apply_chosen_backend() -> None:
    """The backend picked on the Model page last time; Keras reads it when it first loads."""
    from PySide6.QtCore import QSettings

    backend = QSettings("dlstudio", "dlstudio").value("keras/backend")
    if backend and "KERAS_BACKEND" not in os.environ and "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = str(backend)


def create_main_window(path: str | None = None, target: str | None = None) -> MainWindow:
    """Build the main window with all its pages (without showing it), optionally opening `path`."""
    application()
    collect_garbage_on_the_gui_thread()
    window = MainWindow()
    GuiThreadGarbageCollector.freeze_startup_objects()
    if path:
        window.data_page.open_path(path, target=target)
    return window


def show_main_window(path: str | None = None, target: str | None = None) -> MainWindow:
    """Show the window at once; its pages follow when their libraries have loaded."""
    application()
    collect_garbage_on_the_gui_thread()
    window = MainWindow(build_pages=False)
    window.pages_built.connect(GuiThreadGarbageCollector.freeze_startup_objects)
    window.show()
    window.finish_starting(path, target)
    return window


def quit_when_ready(window: MainWindow, wait_for_data: bool, give_up_s: float = 120.0) -> None:
    """Close the app once the window's pages are built (and its data opened, when asked).

    For DLSTUDIO_QUIT_AFTER_SHOW (see `dlstudio.gui.launch.launch`): the event loop then exits
    with 0, or with 1 and a line on stderr when the window is not ready within `give_up_s`.
    """
    app = application()
    waited = QElapsedTimer()
    waited.start()
    timer = QTimer(window)

    def check() -> None:
        ready = window.pages_ready and (not wait_for_data or window.data_page.dataset is not None)
        if ready:
            timer.stop()
            # CI's window check (.ci/window-smoke) reads this line: the platform proves a
            # real screen was used, not the offscreen one.
            print(f"dlstudio: the window opened on {app.platformName()} and closed.")
            window.close()
            app.exit(0)
        elif waited.elapsed() > give_up_s * 1000:
            timer.stop()
            print(f"dlstudio: the window was not ready after {give_up_s:.0f} s", file=sys.stderr)
            app.exit(1)

    timer.timeout.connect(check)
    timer.start(100)
