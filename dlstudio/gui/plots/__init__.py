"""pyqtgraph widgets. PySide6 is imported first so pyqtgraph binds to it."""

import pyqtgraph as pg
import PySide6.QtWidgets  # noqa: F401  (import order: Qt binding before pyqtgraph)

pg.setConfigOptions(antialias=True, background="w", foreground="k")
