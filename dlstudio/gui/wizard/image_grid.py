"""A few thumbnails per class, so a user can see at a glance that the folders hold what the
class names say. Images are decoded and scaled off the GUI thread (QImage may be; QPixmap not).
"""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem

from dlstudio.gui.tasks import BackgroundTask

THUMB = 72
PER_CLASS = 8


def read_thumbnails(paths: list[str], size: int = THUMB) -> list[QImage]:
    """Decode and scale each image (an empty QImage where a file cannot be read)."""
    images = []
    for path in paths:
        reader = QImageReader(path)
        reader.setAutoTransform(True)
        original = reader.size()
        if original.isValid():  # let JPEG decode straight to a small size: much faster
            reader.setScaledSize(original.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio))
        images.append(reader.read())
    return images


class ImageGrid(QListWidget):
    """Up to `PER_CLASS` thumbnails of every class, each captioned with its class."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 24, THUMB + 28))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self._task: BackgroundTask | None = None
        self._labels: list[str] = []

    def show_classes(self, frame: pd.DataFrame, path_column: str, label_column: str) -> None:
        sample = frame.groupby(label_column, sort=True).head(PER_CLASS)
        self.clear()
        self._labels = [str(v) for v in sample[label_column]]
        paths = [str(p) for p in sample[path_column]]
        self.wait()
        self._task = BackgroundTask(lambda: read_thumbnails(paths), self)
        self._task.succeeded.connect(self._thumbnails_ready)
        self._task.start()

    def wait(self) -> None:
        if self._task is not None:
            self._task.wait()

    @Slot(object)
    def _thumbnails_ready(self, images: list[QImage]) -> None:
        self.clear()
        for label, image in zip(self._labels, images, strict=True):
            item = QListWidgetItem(label)
            if not image.isNull():
                item.setIcon(QPixmap.fromImage(image))
            item.setToolTip(f"class {label}")
            self.addItem(item)
