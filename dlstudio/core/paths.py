"""Where dlstudio keeps files of its own (caches), independent of any project folder, and the
names of the files it writes beside a model, in a run folder and in an export alike (a run
folder's reader is project.RunFolder; nothing else spells these names)."""

from __future__ import annotations

import os
from pathlib import Path

MODEL_CARD_FILE = "model_card.json"  # what the model is, reads and writes; its verdict
MODEL_CARD_TEXT = "model_card.md"  # the same for people
EVALUATION_FILE = "evaluation.json"  # the test-split scores, the verdict and plot points


def cache_dir(*parts: str) -> Path:
    """A folder under the user's cache (DLSTUDIO_CACHE, else XDG_CACHE_HOME, else ~/.cache)."""
    base = (
        os.environ.get("DLSTUDIO_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dlstudio"
    )
    path = Path(base).joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
