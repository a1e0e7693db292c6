"""What the user has chosen in the window, in one place and without Qt: the data spec (with
the user's own target, task, role, sheet and split choices, and a forecast's horizon and
context or the anomaly settings), the Model step's choices (plain JSON, as the window writes
and reads them), the run spec last started, the project folder and the run in focus.

The pages edit a Session and observe its changes; no widget holds the only copy of a choice.
Its rules keep projects apart:

- a project is about one dataset: data that is not the current project's starts another
  project, named after the data under the projects folder, and never a folder whose
  project.json names another file (`project_folder_for`);
- a new project has no run yet: the run in focus (and what Export writes) belongs to the
  current project, or there is none;
- a run only starts in the project of the data it is about (`start`);
- project.json keeps the data spec and the Model step's choices when the project is saved or
  a run starts in it; choices changed on a project already on disk are kept too when other
  data or another project is opened (and, by the window, when it closes: `keep_model_choices`).
  A project opened again (or its data) brings them back, and its run in focus is its best run
  (`best_run`), not its latest.

Listeners are called with one of DATA, PROJECT, RUN, SPEC, MODEL after that part changed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dlstudio.core.errors import DlstudioError

if TYPE_CHECKING:  # config and project cost the window's start-up ~30 ms: imported when used
    from dlstudio.core.config import DataSpec, RunSpec, SplitSpec
    from dlstudio.core.project import RunFolder

DATA, PROJECT, RUN, SPEC, MODEL = "data", "project", "run", "spec", "model"


def default_projects_root() -> Path:
    """Where new projects go: $DLSTUDIO_PROJECTS, else ~/dlstudio-projects."""
    return Path(os.environ.get("DLSTUDIO_PROJECTS") or Path.home() / "dlstudio-projects")


def project_folder_for(data_path: str | Path, root: str | Path) -> Path:
    """The default project folder for `data_path`: `root/<data name>`, or `<data name>-2`,
    `-3`… when that folder is already the project of other data."""
    from dlstudio.core.project import Project

    name = re.sub(r"[^\w.-]+", "_", Path(data_path).stem).strip("._") or "data"
    folder, n = Path(root).expanduser() / name, 2
    while Project(folder).holds_other_data(data_path):
        folder, n = folder.with_name(f"{name}-{n}"), n + 1
    return folder


class Session:
    """The choices the pages share. Every change goes through a method, which tells listeners.

    Args:
        projects_root: Where new projects go (a callable is asked each time, so that a
            changed setting or environment variable is followed).
    """

    def __init__(self, projects_root: Path | Callable[[], Path] = default_projects_root) -> None:
        self._root = projects_root
        self.data: DataSpec | None = None  # the data as loaded, with the user's choices
        self.spec: RunSpec | None = None  # the model and search choices as last started
        # The Model step's choices as the window last reported them (plain JSON): kept in the
        # project's project.json, and given back to the window when the project is reopened.
        self.model_choices: dict | None = None
        self._choices_unkept = False  # changed since project.json last kept them
        self.project: Path | None = None
        self.run: RunFolder | None = None
        self._project_data: str | None = None  # the data path the project is about
        self._listeners: list[Callable[[str], None]] = []

    def subscribe(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    def _tell(self, *changes: str) -> None:
        for change in changes:
            for listener in list(self._listeners):
                listener(change)

    @property
    def projects_root(self) -> Path:
        return Path(self._root() if callable(self._root) else self._root)

    # ------------------------------------------------------------ data

    def is_project_data(self, path: str | Path) -> bool:
        """Whether `path` is the data of the current project (opening it keeps the project)."""
        from dlstudio.core.project import same_data

        return self._project_data is not None and same_data(self._project_data, path)

    def set_data(self, data: DataSpec) -> bool:
        """The data as loaded, with the user's choices; returns True when this started another
        project (the data is not the current project's)."""
        switched = not self.is_project_data(data.path)
        self.data = data
        if switched:
            self._switch_project(project_folder_for(data.path, self.projects_root), data.path)
        self._tell(DATA)
        return switched

    def set_split(self, split: SplitSpec) -> None:
        """The split as the user set it on the Data page (the data's other choices kept)."""
        if self.data is not None and self.data.split != split:
            self.data = replace(self.data, split=split)
            self._tell(DATA)

    def set_choices(self, data: DataSpec) -> None:
        """Choices made on the data already loaded that need no new reading (a forecast's
        horizon and context): the spec is kept as given, for the same data only.

        Raises:
            DlstudioError: `data` is about other data than the data loaded.
        """
        from dlstudio.core.project import same_data

        if self.data is None or not same_data(self.data.path, data.path):
            raise DlstudioError(
                f"Choices for {data.path}, but the data loaded is "
                f"{self.data.path if self.data else 'none'}.",
                "choices for the data loaded",
                "Open that data first (step 1).",
            )
        if data != self.data:
            self.data = data
            self._tell(DATA)

    def choices_for(self, path: str | Path) -> DataSpec | None:
        """The choices to load `path` with: the current ones when it is the data already
        loaded (or the project's, as restored), else None (the data's own inference)."""
        from dlstudio.core.project import same_data

        if self.data is not None and same_data(self.data.path, path):
            return self.data
        return None

    # ------------------------------------------------------------ projects

    def _switch_project(self, folder: Path | None, data_path: str | None) -> None:
        from dlstudio.core.project import Project

        # The project left keeps what was chosen on it; where its folder went away or is
        # read-only, the new project opens regardless.
        with suppress(DlstudioError):
            self.keep_model_choices()
        self.project, self._project_data = folder, data_path
        self.spec = None  # the last run's model choices were for the other data
        self.run = None
        # A project made before brings its own choices back; a new one has none yet (the
        # window's page keeps showing what it shows until the user changes it).
        kept = Project(folder).model_choices() if folder is not None else None
        told = kept != self.model_choices
        self.model_choices, self._choices_unkept = kept, False
        self._tell(PROJECT, RUN, *([MODEL] if told else []))

    def open_project(self, folder: str | Path) -> DataSpec | None:
        """Make `folder` the current project; returns its whole data spec (to load), or None
        when it names none. The run in focus becomes its best run (`best_run`: by score in
        the objective's direction, not the latest); `model_choices` become its own, if kept."""
        from dlstudio.core.project import Project, best_run

        project = Project(folder)
        spec = project.data_spec()
        self.data = spec
        self._switch_project(project.root, project.data_path())
        self.set_run(best_run(project.runs()))
        self._tell(DATA)
        return spec

    def save_project_as(self, folder: str | Path) -> Path:
        """Keep the current data's runs in `folder` from now on (File → Save project), with
        the data spec and the Model step's choices.

        Raises:
            DlstudioError: No data is open, or `folder` is the project of other data.
        """
        from dlstudio.core.project import Project, data_spec_to_dict

        if self.data is None:
            raise DlstudioError(
                "No data is open.",
                "data to keep a project about (a project is about one dataset)",
                "Open data first (step 1), then save the project.",
            )
        project = Project(folder)
        if project.holds_other_data(self.data.path):
            raise DlstudioError(
                f"The folder {str(project.root)!r} is the project of other data "
                f"({project.data_path() or 'unknown'}).",
                "an empty folder, or this data's own project",
                "Choose or make another folder: projects of different data never share one.",
            )
        project.ensure(data_spec_to_dict(self.data), self.model_choices)
        self._choices_unkept = False  # kept, in the folder saved to
        if project.root != self.project:
            self._switch_project(project.root, self.data.path)
        return project.root

    # ------------------------------------------------------------ model choices

    def set_model_choices(self, choices: dict | None) -> None:
        """The Model step's choices as they are now (plain JSON); project.json keeps them when
        the project is saved, a run starts, or another project is opened."""
        if choices != self.model_choices:
            self.model_choices = choices
            self._choices_unkept = True
            self._tell(MODEL)

    def keep_model_choices(self) -> bool:
        """Write changed Model step choices into the current project's project.json, where the
        project is on disk already (a new one is written when saved or its first run starts);
        returns whether it wrote.

        Raises:
            StorageError: project.json could not be written.
        """
        from dlstudio.core.project import Project, same_data

        if not self._choices_unkept or self.project is None or self.model_choices is None:
            return False
        project = Project(self.project)
        own = project.data_path()
        if not (project.root / "project.json").is_file() or own is None:
            return False
        if self._project_data is None or not same_data(own, self._project_data):
            return False  # the folder became another data's project meanwhile: never mix
        project.ensure(model=self.model_choices)
        self._choices_unkept = False
        return True

    # ------------------------------------------------------------ runs

    def start(self, spec: RunSpec) -> Path:
        """Keep `spec` as the choices last started and return the project to run it in; its
        project.json keeps the data spec and the Model step's choices from here on.

        Raises:
            DlstudioError: The spec's data is not the current project's (runs never land in
                another dataset's project), or the project folder now holds other data.
        """
        from dlstudio.core.project import Project, data_spec_to_dict

        if self.project is None or not self.is_project_data(spec.data.path):
            raise DlstudioError(
                f"The run is about {spec.data.path}, but the current project "
                f"({self.project or 'none'}) is about {self._project_data or 'no data'}.",
                "a run on the current project's own data",
                "Open the data again (step 1): it starts its own project.",
            )
        if Project(self.project).holds_other_data(spec.data.path):
            raise DlstudioError(
                f"The project folder {str(self.project)!r} now holds another dataset's project.",
                "a project folder about this data only",
                "Open the data again (step 1), or choose another folder with File → Save project.",
            )
        Project(self.project).ensure(data_spec_to_dict(spec.data), self.model_choices)
        self._choices_unkept = False
        self.spec = spec
        self._tell(SPEC)
        return self.project

    def set_run(self, run: RunFolder | None) -> bool:
        """Put `run` in focus (Results and Export follow); returns False, changing nothing,
        when it belongs to another project than the current one."""
        if run is not None and (
            self.project is None or run.path.parent.parent.resolve() != self.project.resolve()
        ):
            return False
        if (run and run.path) != (self.run and self.run.path):
            self.run = run
            self._tell(RUN)
        return True
