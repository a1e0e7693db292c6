"""Building the application: the window first, heavy libraries later.

Nothing here imports TensorFlow or Keras; the engine loads them in its worker when a run starts,
so the window appears in well under a second.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtWidgets import QApplication

from dlstudio.gui.main_window import MainWindow


def application() -> QApplication:
    """The process's QApplication, created on first use."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("dlstudio")
        app.setOrganizationName("dlstudio")
        _apply_chosen_backend()
    return app


_garbage_collector = None


def collect_garbage_on_the_gui_thread() -> None:
    """Python collects garbage on whichever thread happens to allocate. When that is the training
    thread and the garbage holds Qt objects (a closed window, a page's closures), shiboken
    destroys them there while the GUI thread destroys their relatives: the two deadlock on a Qt
    mutex (seen in the wizard's tests, with native stacks). pyqtgraph's GarbageCollector turns
    automatic collection off and collects on a GUI-thread timer instead; the engine, for its
    part, collects only on the main thread. Installed once, whoever created the QApplication."""
    global _garbage_collector
    if _garbage_collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector  # PySide6 is imported above

        _garbage_collector = GarbageCollector(interval=1.0)


def _apply_chosen_backend() -> None:
    """The backend picked on the Model page last time; Keras reads it when it first loads."""
    from PySide6.QtCore import QSettings

    backend = QSettings("dlstudio", "dlstudio").value("keras/backend")
    if backend and "KERAS_BACKEND" not in os.environ and "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = str(backend)


def create_main_window(path: str | None = None, target: str | None = None) -> MainWindow:
    """Build the main window (without starting the event loop), optionally opening `path`."""
    application()
    collect_garbage_on_the_gui_thread()
    window = MainWindow()
    if path:
        window.data_page.open_path(path, target=target)
    return window
