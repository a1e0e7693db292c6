"""The window's session (core/session.py) with Qt signals, so that pages observe it.

Every edit goes to `state` (a core Session); this object only turns its changes into signals.
Edits happen on the GUI thread, so the signals reach the pages' slots directly.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from dlstudio.core.session import (
    DATA,
    MODEL,
    PROJECT,
    RUN,
    SPEC,
    Session,
    default_projects_root,
)


class SessionModel(QObject):
    data_changed = Signal(object)  # DataSpec | None
    project_changed = Signal(object)  # Path | None
    run_changed = Signal(object)  # RunFolder | None
    spec_changed = Signal(object)  # RunSpec | None
    model_choices_changed = Signal(object)  # dict | None: the Model step's choices as JSON

    def __init__(self, parent: QObject | None = None, projects_root=default_projects_root) -> None:
        super().__init__(parent)
        self.state = Session(projects_root)
        self.state.subscribe(self._changed)

    def _changed(self, what: str) -> None:
        state = self.state
        {
            DATA: lambda: self.data_changed.emit(state.data),
            PROJECT: lambda: self.project_changed.emit(state.project),
            RUN: lambda: self.run_changed.emit(state.run),
            SPEC: lambda: self.spec_changed.emit(state.spec),
            MODEL: lambda: self.model_choices_changed.emit(state.model_choices),
        }[what]()
