"""Regenerate the screenshots in docs/ (run: .venv/bin/python tools/screenshots.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dlstudio.core.samples import SAMPLES, sample_path  # noqa: E402
from dlstudio.gui.app import application, create_main_window  # noqa: E402


def shoot(window, name: str) -> None:
    app = application()
    window.data_page.wait_until_loaded()
    for _ in range(30):
        app.processEvents()
    window.grab().save(str(ROOT / "docs" / f"{name}.png"))
    print("wrote", f"docs/{name}.png")


def main() -> None:
    window = create_main_window()
    window.resize(1280, 800)
    window.show()
    shoot(window, "data-welcome")
    for sample, shot in (("penguins", "data-table"), ("sms_spam", "data-text"), ("digits", "data-images")):
        window.data_page.open_path(sample_path(sample), target=SAMPLES[sample][1])
        shoot(window, shot)


if __name__ == "__main__":
    main()
