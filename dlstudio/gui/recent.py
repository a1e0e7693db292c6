"""Most-recent-first lists of paths, kept in QSettings and mirrored in a menu."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu


class RecentList:
    def __init__(
        self,
        settings: QSettings,
        key: str,
        menu: QMenu,
        on_open: Callable[[str], object],
        limit: int = 8,
        on_change: Callable[[], object] | None = None,
    ) -> None:
        self.settings, self.key, self.menu, self.on_open, self.limit = (
            settings,
            key,
            menu,
            on_open,
            limit,
        )
        self.on_change = on_change  # told after each change of the list (another view of it)
        self.refill()

    def paths(self) -> list[str]:
        value = self.settings.value(self.key, [])
        return [value] if isinstance(value, str) else list(value or [])

    def remember(self, path: str) -> None:
        recent = [path] + [p for p in self.paths() if p != path]
        self.settings.setValue(self.key, recent[: self.limit])
        self.refill()
        if self.on_change is not None:
            self.on_change()

    def refill(self) -> None:
        self.menu.clear()
        for path in self.paths():
            action = self.menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.on_open(p))
        self.menu.setEnabled(bool(self.paths()))
