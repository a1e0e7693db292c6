"""The main window: menus, the current step, drag-and-drop of data, and settings that persist."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox

from dlstudio import __version__
from dlstudio.gui.wizard.data_page import DataPage

MAX_RECENT = 8


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("dlstudio")
        self.setAcceptDrops(True)
        self.settings = QSettings("dlstudio", "dlstudio")
        self.data_page = DataPage(self)
        self.setCentralWidget(self.data_page)
        self.status_label = QLabel("Open data to begin.")
        self.statusBar().addWidget(self.status_label, 1)
        self.data_page.status.connect(self.status_label.setText)
        self.data_page.dataset_loaded.connect(self._remember_dataset)
        self._build_menus()
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        open_action = QAction("&Open data…", self)
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self.data_page.choose_file)
        file_menu.addAction(open_action)
        folder_action = QAction("Open &folder…", self)
        folder_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        folder_action.triggered.connect(self.data_page.choose_folder)
        file_menu.addAction(folder_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self._fill_recent_menu()
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About dlstudio", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    # ------------------------------------------------------------ recent files

    def recent_paths(self) -> list[str]:
        value = self.settings.value("recent/paths", [])
        return [value] if isinstance(value, str) else list(value or [])

    @Slot(object)
    def _remember_dataset(self, dataset) -> None:
        self.setWindowTitle(f"dlstudio — {Path(dataset.profile.source).name}")
        path = str(Path(dataset.profile.source).resolve())
        recent = [path] + [p for p in self.recent_paths() if p != path]
        self.settings.setValue("recent/paths", recent[:MAX_RECENT])
        self._fill_recent_menu()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent_paths()
        for path in paths:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.data_page.open_path(p))
        self.recent_menu.setEnabled(bool(paths))

    # ------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and event.mimeData().urls()[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.data_page.open_path(event.mimeData().urls()[0].toLocalFile())
        event.acceptProposedAction()

    # ------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        self.data_page.wait_until_loaded()
        self.settings.setValue("window/geometry", self.saveGeometry())
        event.accept()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About dlstudio",
            f"<b>dlstudio {__version__}</b><p>A desktop AutoML studio for Keras.</p>"
            "<p>Sample data: see resources/samples/README.md for licences and credits.</p>",
        )
