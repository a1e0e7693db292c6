"""Append-only numpy series that grow by doubling: no reallocation per point."""

from __future__ import annotations

import numpy as np


class GrowingSeries:
    def __init__(self, capacity: int = 256) -> None:
        self._x = np.empty(capacity)
        self._y = np.empty(capacity)
        self.size = 0
        self.version = 0  # bumped on every change, so a plot can skip redrawing what did not

    def append(self, x: float, y: float) -> None:
        if self.size == len(self._x):
            self._x = np.resize(self._x, 2 * len(self._x))
            self._y = np.resize(self._y, 2 * len(self._y))
        self._x[self.size] = x
        self._y[self.size] = y
        self.size += 1
        self.version += 1

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        return self._x[: self.size], self._y[: self.size]

    def clear(self) -> None:
        self.size = 0
        self.version += 1
