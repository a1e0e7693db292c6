"""Where dlstudio keeps files of its own (caches), independent of any project folder."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    """A folder under the user's cache (DLSTUDIO_CACHE, else XDG_CACHE_HOME, else ~/.cache)."""
    base = (
        os.environ.get("DLSTUDIO_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dlstudio"
    )
    path = Path(base).joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
