"""Render the application icon's PNGs from its SVG source, with Qt's own SVG renderer.

Run after editing dlstudio/resources/icons/dlstudio.svg:
    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/render_icons.py
The PNGs are committed: the window, the .desktop entry and the bundle use them as they are.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

from dlstudio.core.resources import ICON_SIZES  # noqa: E402

ICONS = ROOT / "dlstudio" / "resources" / "icons"


def render(size: int) -> QImage:
    """The SVG drawn straight at `size` pixels (not scaled down from a big bitmap: sharper)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(ICONS / "dlstudio.svg")).render(painter)
    painter.end()
    return image


def main() -> None:
    QGuiApplication(sys.argv[:1])
    for size in ICON_SIZES:
        target = ICONS / f"dlstudio-{size}.png"
        if not render(size).save(str(target)):
            raise SystemExit(f"could not write {target}")
        print(target.relative_to(ROOT))


if __name__ == "__main__":
    main()
