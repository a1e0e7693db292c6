"""The main window: the five steps always in view, menus, drag and drop, persistent settings,
and the run in the background.

Steps: Data → Model → Train → Results → Export. A step that is not ready is greyed out and its
tooltip says why; Back and Next move between the ready ones, keeping every page's state.

The window can show before its pages exist: the pages need pandas, numpy and pyqtgraph (about a
second to import on a small machine), so `launch` shows the shell at once, imports those in a
background thread and builds the pages when they are loaded (`finish_starting`). Anything that
needs a page before then builds the pages first (`build_pages` is idempotent).
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

from PySide6 import QtCore
from PySide6.QtCore import QSettings, QSize, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dlstudio import __version__
from dlstudio.core.errors import DlstudioError
from dlstudio.core.families import family_for_task, resolve
from dlstudio.core.session import default_projects_root
from dlstudio.gui.project_files import ProjectFiles
from dlstudio.gui.recent import RecentList
from dlstudio.gui.session import SessionModel
from dlstudio.gui.steps import DATA, EXPORT, MODEL, RESULTS, STEPS, TRAIN
from dlstudio.gui.worker import RunController

PAGE_MODULES = [f"dlstudio.gui.wizard.{name}_page" for name in map(str.lower, STEPS)]
__all__ = [
    "DATA",
    "EXPORT",
    "MODEL",
    "RESULTS",
    "STEPS",
    "TRAIN",
    "MainWindow",
    "default_projects_root",
]


def check_before_start(spec, dataset) -> None:
    """A family's settings checked against the data as the Data step read it (`dataset`: no
    second reading on the GUI thread), before the Train step shows, with the check its record
    names (core/families.py: `view_check`); the run checks everything again. Raises
    DlstudioError."""
    family = family_for_task(spec.data.task)
    if family.view_check is not None:
        resolve(family.view_check)(spec, dataset)


class MainWindow(ProjectFiles, QMainWindow):
    pages_built = Signal()

    def __init__(self, build_pages: bool = True) -> None:
        super().__init__()
        self.setWindowTitle("dlstudio")
        self.setAcceptDrops(True)
        self.settings = QSettings("dlstudio", "dlstudio")
        # What the user chose (data spec, run spec, project, run in focus): the pages edit and
        # observe it; see core/session.py for the rules that keep projects apart.
        self.session = SessionModel(self)
        self._running_project: Path | None = None  # where the run in progress writes
        # The project's Model step choices wait for its data to load (set_dataset first).
        self._restore_model_choices = False
        self.pages: list[QWidget] = []
        self._after_first_paint = None
        self.controller = RunController(self)

        self.steps = QListWidget()
        self.steps.setFixedWidth(150)
        self.steps.setIconSize(QSize(16, 16))
        self.steps.setStyleSheet("QListWidget::item { padding: 10px 6px; font-size: 14px; }")
        for number, name in enumerate(STEPS, start=1):
            self.steps.addItem(QListWidgetItem(f"{number}. {name}"))
        self.steps.currentRowChanged.connect(self.go_to)
        self.stack = QStackedWidget()
        # No QtCore.Qt until the window shows: PySide6 builds that whole namespace on first use
        # (20 ms, a seventh of a bare window's start-up; see bench/startup.py).
        self.starting_label = QLabel("Getting the studio ready…")
        self.starting_label.setStyleSheet(
            "color: gray; font-size: 16px; qproperty-alignment: AlignCenter"
        )
        self.stack.addWidget(self.starting_label)
        self.back_button = QPushButton("← Back")
        self.back_button.clicked.connect(lambda: self._step_by(-1))
        self.next_button = QPushButton("Next →")
        self.next_button.clicked.connect(lambda: self._step_by(+1))
        self.next_hint = QLabel()
        self.next_hint.setStyleSheet("color: gray")
        navigation = QHBoxLayout()
        navigation.addWidget(self.back_button)
        navigation.addStretch(1)
        navigation.addWidget(self.next_hint)
        navigation.addWidget(self.next_button)
        right = QVBoxLayout()
        right.addWidget(self.stack, 1)
        right.addLayout(navigation)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.steps)
        layout.addLayout(right, 1)
        self.setCentralWidget(central)

        self.status_label = QLabel("Open data to begin.")
        self.statusBar().addWidget(self.status_label, 1)
        self.controller.started.connect(lambda: self._set_running(True))
        self.controller.finished.connect(lambda: self._set_running(False))

        self._build_menus()
        geometry = self.settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1360, 860)
        # Never larger than the screen it opens on (the default on a 1366x768 laptop): Next,
        # at the bottom right, stays in view as far as the pages' least widths allow.
        screen = self.screen().availableGeometry()
        self.resize(min(self.width(), screen.width()), min(self.height(), screen.height()))
        self.steps.setEnabled(False)  # greyed until the pages exist
        self.back_button.setEnabled(False)
        self.next_button.setEnabled(False)
        if build_pages:
            self.build_pages()

    @property
    def pages_ready(self) -> bool:
        return bool(self.pages)

    @property
    def project_dir(self) -> Path | None:
        """The current project folder (made on disk when its first run starts)."""
        return self.session.state.project

    @property
    def run(self):
        """The run in focus (a RunFolder of the current project), or None."""
        return self.session.state.run

    def finish_starting(self, path: str | None = None, target: str | None = None) -> None:
        """After `show`: import the pages' libraries in the background, then build the pages
        (on this, the GUI thread, as Qt requires) and open `path` if one was given.

        The import thread starts once the window has been painted, so that it does not compete
        with the first paint for the interpreter."""
        timer = QTimer(self)
        timer.setInterval(15)
        loader = threading.Thread(
            target=lambda: [importlib.import_module(name) for name in PAGE_MODULES],
            name="dlstudio-page-imports",
            daemon=True,
        )

        def build_when_loaded() -> None:
            if loader.is_alive():
                return
            timer.stop()
            self.build_pages()
            if path:
                self.data_page.open_path(path, target=target)

        timer.timeout.connect(build_when_loaded)
        self._after_first_paint = lambda: (loader.start(), timer.start())

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        then, self._after_first_paint = self._after_first_paint, None
        if then is not None:
            QTimer.singleShot(0, then)

    def build_pages(self) -> None:
        """Build the five pages and connect them (once)."""
        if self.pages_ready:
            return
        from dlstudio.gui.wizard.data_page import DataPage
        from dlstudio.gui.wizard.export_page import ExportPage
        from dlstudio.gui.wizard.model_page import ModelPage
        from dlstudio.gui.wizard.results_page import ResultsPage
        from dlstudio.gui.wizard.train_page import TrainPage

        self.data_page = DataPage(self, session=self.session)
        self.model_page = ModelPage(self)
        self.train_page = TrainPage(self)
        self.results_page = ResultsPage(self)
        self.export_page = ExportPage(self)
        self.stack.removeWidget(self.starting_label)
        self.starting_label.deleteLater()
        pages = [
            self.data_page,
            self.model_page,
            self.train_page,
            self.results_page,
            self.export_page,
        ]
        for page in pages:
            self.stack.addWidget(page)
        for page in (self.data_page, self.model_page):
            page.status.connect(self.status_label.setText)
        self.model_page.choices_changed.connect(self._model_choices_changed)
        self.data_page.dataset_loaded.connect(self._dataset_loaded)
        self.train_page.start_requested.connect(self.start_training)
        self.train_page.stop_requested.connect(self.controller.cancel)
        self.train_page.run_finished.connect(self._run_finished)
        self.controller.events.connect(self.train_page.handle_events)
        self.controller.events.connect(self._refresh_on_trial_end)
        self.results_page.runs_view.resume_requested.connect(self.resume)
        self.session.project_changed.connect(self._project_changed)
        self.session.run_changed.connect(self._run_changed)
        self.pages = pages  # from here on, pages_ready
        # Shortcuts wait for the pages they act on; the first setShortcut also costs 25 ms
        # (PySide6 builds Qt's key enums), which would delay the window's first paint.
        for action, shortcut in self._shortcuts:
            action.setShortcut(shortcut)
        self.steps.setEnabled(True)
        self.steps.setCurrentRow(DATA)
        self.go_to(DATA)
        self._show_recent_projects()
        self.pages_built.emit()

    def _show_recent_projects(self) -> None:
        """The welcome page lists the recent projects too (not only File → Recent projects)."""
        if self.pages_ready:
            self.data_page.set_recent_projects(self.recent_projects.paths(), self.open_project)

    def _on_data_page(self, method: str):
        """A menu slot that calls a data page method, building the pages first if need be."""

        def call(*args) -> None:
            self.build_pages()
            getattr(self.data_page, method)(*args)

        return call

    # ------------------------------------------------------------ menus

    def _build_menus(self) -> None:
        self._shortcuts: list[tuple[QAction, QKeySequence]] = []
        file_menu = self.menuBar().addMenu("&File")
        self._action(
            file_menu,
            "&Open data…",
            QKeySequence.StandardKey.Open,
            self._on_data_page("choose_file"),
        )
        self._action(
            file_menu,
            "Open &folder…",
            QKeySequence("Ctrl+Shift+O"),
            self._on_data_page("choose_folder"),
        )
        self.recent_data = RecentList(
            self.settings,
            "recent/paths",
            file_menu.addMenu("Open &recent"),
            self._on_data_page("open_path"),
        )
        self._action(file_menu, "Open &project…", QKeySequence("Ctrl+Shift+P"), self.choose_project)
        self.recent_projects = RecentList(
            self.settings,
            "recent/projects",
            file_menu.addMenu("Recent pro&jects"),
            self.open_project,
            on_change=self._show_recent_projects,
        )
        self._action(file_menu, "&Save project", QKeySequence.StandardKey.Save, self.save_project)
        self._action(
            file_menu, "Save project &as…", QKeySequence("Ctrl+Shift+S"), self.save_project_as
        )
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        run_menu = self.menuBar().addMenu("&Run")
        self._action(run_menu, "&Start training", QKeySequence("Ctrl+R"), self.start_training)
        self._action(run_menu, "S&top", QKeySequence("Ctrl+."), self.controller.cancel)
        go_menu = self.menuBar().addMenu("&Go")
        for index, name in enumerate(STEPS):
            self._action(
                go_menu,
                f"&{index + 1}. {name}",
                QKeySequence(f"Ctrl+{index + 1}"),
                lambda _=False, i=index: self.steps.setCurrentRow(i),
            )
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Guide: what each step does", QKeySequence("F1"), self.show_guide)
        self._action(help_menu, "&About dlstudio", None, self._about)

    def _action(self, menu, text, shortcut, slot) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            self._shortcuts.append((action, shortcut))  # set with the pages: see build_pages
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # ------------------------------------------------------------ steps

    def step_ready(self, step: int) -> tuple[bool, str]:
        """Whether a step can be shown now, and if not, why."""
        if not self.pages_ready:
            return False, "Starting up…"
        if step == DATA:
            return True, ""
        if step in (MODEL, TRAIN):
            return (
                (True, "")
                if self.data_page.dataset is not None
                else (False, "Open data first (step 1).")
            )
        # A project's results and models can be looked at even while its data is missing.
        if step == RESULTS and self.results_page.has_runs():
            return True, ""
        if self.run is None or not self.run.model_path.exists():
            return (
                False,
                "Train a model first (step 3)."
                if self.data_page.dataset
                else "Open data first (step 1).",
            )
        return True, ""

    def _update_steps(self) -> None:
        for step in range(len(STEPS)):
            ready, why = self.step_ready(step)
            item = self.steps.item(step)
            flag = QtCore.Qt.ItemFlag
            item.setFlags(flag.ItemIsSelectable | flag.ItemIsEnabled if ready else flag.NoItemFlags)
            item.setToolTip(why)
        current = self.steps.currentRow()
        self.back_button.setEnabled(current > 0)
        ready, why = self.step_ready(current + 1) if current + 1 < len(STEPS) else (False, "")
        self.next_button.setEnabled(ready)
        self.next_hint.setText("" if ready or current + 1 >= len(STEPS) else why)

    @Slot(int)
    def go_to(self, step: int) -> None:
        if not self.pages_ready:
            return
        ready, why = self.step_ready(step)
        if not ready:
            self.status_label.setText(why)
            self.steps.setCurrentRow(self.stack.currentIndex())
            return
        self.stack.setCurrentIndex(step)
        if self.steps.currentRow() != step:
            self.steps.setCurrentRow(step)
        self._update_steps()

    def _step_by(self, delta: int) -> None:
        self.go_to(max(0, min(len(STEPS) - 1, self.stack.currentIndex() + delta)))

    # ------------------------------------------------------------ data and runs

    @Slot(object)
    def _dataset_loaded(self, dataset) -> None:
        source = Path(dataset.profile.source)
        self.setWindowTitle(f"dlstudio — {source.name}")
        self.model_page.set_dataset(dataset)
        state = self.session.state
        if self._restore_model_choices and state.is_project_data(source):
            self._restore_model_choices = False  # once per project opened: then the user's
            self.model_page.restore_choices(state.model_choices)
        self.recent_data.remember(str(source.resolve()))
        self._update_steps()

    @Slot(object)
    def _model_choices_changed(self, choices: dict) -> None:
        """The user changed a Model step choice: the session keeps it for the project of the
        data shown (not for a project whose data could not be loaded)."""
        dataset = self.data_page.dataset
        if dataset is not None and self.session.state.is_project_data(dataset.profile.source):
            self.session.state.set_model_choices(choices)

    def project_for(self, dataset=None) -> Path | None:
        """The project the open data's runs go into (its folder may not exist yet)."""
        return self.session.state.project

    def data_spec(self):
        """The DataSpec of the open data, as the session holds it: the user's target, task,
        role and sheet choices and the split included."""
        return self.session.state.data

    @Slot()
    def start_training(self) -> None:
        if not self.pages_ready or self.controller.is_running() or self.data_page.dataset is None:
            return
        data = self.session.state.data
        if data is None or self.data_page.is_loading():
            self.status_label.setText("Wait for the data to finish loading, then start again.")
            return
        if Path(self.data_page.dataset.profile.source).resolve() != Path(data.path).resolve():
            # A project was opened whose data could not be loaded: the data shown is not its.
            self.status_label.setText(f"Open the project's data ({data.path}) to train on it.")
            return
        try:
            spec = self.model_page.run_spec(data)
            check_before_start(spec, self.data_page.dataset)
            self.session.state.set_model_choices(self.model_page.choices())
            project = self.session.state.start(spec)
        except DlstudioError as error:
            QMessageBox.warning(self, "Check the model settings", str(error))
            return
        self.go_to(TRAIN)
        self.train_page.prepare_run(self.data_page.dataset.profile.task.value)
        self.recent_projects.remember(str(project.resolve()))
        self._running_project = project
        self.controller.start(spec, str(project))

    def _set_running(self, running: bool) -> None:
        self.train_page.set_running(running)
        self.status_label.setText("Training…" if running else "Ready.")

    def _is_current_project(self, folder: Path | None) -> bool:
        current = self.session.state.project
        return folder is not None and current is not None and folder.resolve() == current.resolve()

    @Slot(str)
    def _run_finished(self, path: str) -> None:
        from dlstudio.core.project import Project, RunFolder, best_run

        run = RunFolder(Path(path))
        if not self._is_current_project(run.path.parents[1]):
            # Other data was opened while it trained: it stays in its own project.
            self.status_label.setText(
                f"The run {run.id} ended in its own project, {run.path.parents[1]} "
                "(File → Open project shows it)."
            )
            return
        # In focus: the project's best model, which is this run's only if it scored best.
        runs = Project(run.path.parents[1]).runs()
        best = best_run(runs) or run
        self.session.state.set_run(best)
        self.results_page.show_project(runs, best)
        self._update_steps()

    @Slot(list)
    def _refresh_on_trial_end(self, events: list) -> None:
        """The comparison views follow a running search, one refresh per finished trial (while
        the search is in the current project)."""
        from dlstudio.core.events import RunStarted, TrialEnded
        from dlstudio.core.project import Project

        if not self._is_current_project(self._running_project):
            return
        if any(isinstance(e, RunStarted) for e in events):
            runs = Project(self._running_project).runs()
            self.results_page.show_project(runs, runs[-1] if runs else None)
            self._update_steps()
        elif any(isinstance(e, TrialEnded) for e in events):
            self.results_page.refresh()

    @Slot(object)
    def _project_changed(self, folder: Path | None) -> None:
        """Another project (other data was opened, or a project): every page follows it."""
        from dlstudio.core.project import Project

        self._restore_model_choices = True  # its own, once its data has loaded
        runs = Project(folder).runs() if folder is not None else []
        self.results_page.show_project(runs, None)
        if folder is not None:
            kept = f"{len(runs)} run(s)" if runs else "no runs yet"
            self.status_label.setText(
                f"{self.status_label.text()} Project: {folder.name} ({kept})."
            )
            self.status_label.setToolTip(f"Runs are kept in {folder}")
        if not runs:
            self.results_page.clear_run()
        self._update_steps()

    @Slot(object)
    def _run_changed(self, run) -> None:
        """Export (and the steps) follow the run in focus; no run, no export."""
        if run is None:
            self.export_page.clear()
        else:
            self.export_page.set_run(run)
        self._update_steps()

    # ------------------------------------------------------------ projects

    @Slot()
    @Slot(str)
    def resume(self, run_path: str) -> None:
        if self.controller.is_running():
            return
        self.go_to(TRAIN)
        task = self.data_page.dataset.profile.task.value if self.data_page.dataset else "binary"
        self.train_page.prepare_run(task)
        self._running_project = Path(run_path).parents[1]
        self.controller.start(None, str(self._running_project), resume=run_path)

    # ------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and event.mimeData().urls()[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.build_pages()
        self.data_page.open_path(event.mimeData().urls()[0].toLocalFile())
        self.go_to(DATA)
        event.acceptProposedAction()

    # ------------------------------------------------------------ closing

    _closing = False  # stopping a run, to close when it has ended (_close_when_stopped)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing during a run asks, then stops the run and closes when it has ended, with
        the event loop running all the while (waiting here froze the window for seconds); a
        second close while it stops offers to end the training process at once."""
        if self.controller.is_running():
            event.ignore()
            if self._closing:
                self._offer_to_stop_now()
                return
            answer = QMessageBox.question(
                self,
                "Training is running",
                "A run is in progress. Stop it and quit? Finished trials are kept, and the run "
                "can be resumed later from the Runs tab of the Results step.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            if self.controller.is_running():  # it may have ended while the question was open
                self._stop_then_close()
                return
            event.accept()
        if self.pages_ready:
            try:
                self.session.state.keep_model_choices()  # a project on disk keeps them
            except DlstudioError as error:  # a read-only or vanished folder: closing goes on
                self.status_label.setText(f"The Model step's choices were not kept: {error}")
            self.model_page.wait()
            self.export_page.wait()
            self.data_page.wait_until_loaded()
            self.results_page.try_it.shutdown()  # its model's process, and its temporary files
        self.settings.setValue("window/geometry", self.saveGeometry())
        event.accept()

    def _stop_then_close(self) -> None:
        self._closing = True
        self.controller.finished.connect(self._close_when_stopped)
        if self.pages_ready:
            self.train_page.show_stopping()
        self.status_label.setText("Stopping the run… The window closes when it has stopped.")
        self.controller.cancel()  # keeps the running trial's best epoch; or, still starting, ends it

    def _offer_to_stop_now(self) -> None:
        answer = QMessageBox.question(
            self,
            "Still stopping",
            "The run is still stopping: the current trial is saving what it learned. Quit at "
            "once instead? Finished trials are kept either way, and the run can be resumed later.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.controller.kill()

    @Slot()
    def _close_when_stopped(self) -> None:
        self.controller.finished.disconnect(self._close_when_stopped)
        self._closing = False
        self.close()

    def show_guide(self) -> None:
        """Help → Guide: what each step does and what the numbers mean (non-modal)."""
        from dlstudio.gui.help_guide import GuideDialog

        if getattr(self, "guide", None) is None:
            self.guide = GuideDialog(self)
        self.guide.show()
        self.guide.raise_()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About dlstudio",
            f"<b>dlstudio {__version__}</b><p>A desktop AutoML studio for Keras.</p>"
            "<p>Sample data: see dlstudio/resources/samples/README.md for licences and credits.</p>",
        )
