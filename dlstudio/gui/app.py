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


def _apply_chosen_backend() -> None:
    """The backend picked on the Model page last time; Keras reads it when it first loads."""
    from PySide6.QtCore import QSettings

    backend = QSettings("dlstudio", "dlstudio").value("keras/backend")
    if backend and "KERAS_BACKEND" not in os.environ and "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = str(backend)


def create_main_window(path: str | None = None, target: str | None = None) -> MainWindow:
    """Build the main window (without starting the event loop), optionally opening `path`."""
    application()
    window = MainWindow()
    if path:
        window.data_page.open_path(path, target=target)
    return window
