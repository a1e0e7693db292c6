"""The main window's project files: open a project (its data with every choice made on it, its
runs), and save the one open, in its own folder or another. A mixin of gui/main_window.py's
MainWindow, whose pages, session and status line it uses."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox

from dlstudio.core.errors import DlstudioError
from dlstudio.core.session import default_projects_root
from dlstudio.gui.steps import RESULTS


class ProjectFiles:
    """Put before QMainWindow in MainWindow's bases."""

    def choose_project(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open a project", str(default_projects_root())
        )
        if folder:
            self.open_project(folder)

    def open_project(self, folder: str | Path) -> None:
        """Restore a project: its data with every choice made on it (if the data is still
        there), its runs, trials, models, evaluations."""
        from dlstudio.core.project import Project

        self.build_pages()
        project = Project(folder)
        runs = project.runs()
        if not (project.root / "project.json").exists() and not runs:
            QMessageBox.warning(
                self,
                "Not a project",
                f"{folder} has no project.json and no runs. "
                "Expected a folder made by dlstudio (it holds runs/). Pick another folder.",
            )
            return
        spec = self.session.state.open_project(project.root)
        self.recent_projects.remember(str(project.root.resolve()))
        path = spec.path if spec is not None else None
        if path and Path(path).exists():
            self.data_page.open_path(path, spec=spec)
        elif path:
            self.status_label.setText(
                f"The data file {path} is missing; the runs are shown anyway."
            )
            QMessageBox.information(
                self,
                "Data file missing",
                f"The project's data file {path} was moved or deleted. Its runs, "
                "models and evaluations are shown; open the data again to train more.",
            )
        # The best run (core/project.py best_run), not the latest: the Best model tab shows it.
        self.results_page.show_project(runs, self.run or (runs[-1] if runs else None))
        if self.run is not None:
            self.results_page.show_run(self.run)
        self.setWindowTitle(f"dlstudio — project {project.root.name}")
        self._update_steps()
        if runs:
            self.go_to(RESULTS)

    @Slot()
    def save_project(self) -> None:
        """File → Save project: into the project's own folder, which every dataset has, so no
        folder is asked for (Save project as… keeps it elsewhere)."""
        if self._data_is_open():
            self._save_project_in(str(self.project_for() or default_projects_root()))

    def save_project_as(self) -> None:
        if not self._data_is_open():
            return
        start = str(self.project_for() or default_projects_root())
        folder = QFileDialog.getExistingDirectory(self, "Save the project in", start)
        if folder:
            self._save_project_in(folder)

    def _data_is_open(self) -> bool:
        if self.pages_ready and self.data_page.dataset is not None:
            return True
        self.status_label.setText("Open data first: a project is about one dataset.")
        return False

    def _save_project_in(self, folder: str) -> None:
        state = self.session.state
        try:
            if state.is_project_data(self.data_page.dataset.profile.source):
                state.set_model_choices(self.model_page.choices())
            state.save_project_as(folder)
        except DlstudioError as error:
            QMessageBox.warning(self, "Choose another folder", str(error))
            return
        self.recent_projects.remember(str(Path(folder).resolve()))
        self.status_label.setText(f"Project saved in {folder}; runs will be kept there.")
