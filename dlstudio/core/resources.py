"""Files shipped inside the package, under dlstudio/resources: samples, icons.

They are wheel package data, so they are found the same way in a checkout, an editable
install, a wheel installed anywhere or a frozen bundle: through `importlib.resources`, never
through a path relative to the checkout.
"""

from __future__ import annotations

import atexit
import contextlib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)

# Files `as_file` had to extract (only when the package is not plain files on disk, e.g. run
# from a zip); they must outlive the call, so they are removed when the process exits.
_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def resource(*parts: str) -> Traversable:
    """A file or folder under dlstudio/resources, as `importlib.resources` finds it."""
    found = resources.files("dlstudio") / "resources"
    for part in parts:
        found = found / part
    return found


def resource_path(*parts: str) -> Path:
    """A real filesystem path to a resource (extracted for the life of the process if needed)."""
    return _extracted.enter_context(resources.as_file(resource(*parts)))


def icon_paths() -> list[Path]:
    """The application icon's PNGs, smallest first (rendered from icons/dlstudio.svg)."""
    return [resource_path("icons", f"dlstudio-{size}.png") for size in ICON_SIZES]
