from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


class Recorder:
    """An EventSink that keeps every event, with a hook to act on one (cancel, …)."""

    def __init__(self, on_event=None) -> None:
        self.events = []
        self.on_event = on_event

    def __call__(self, event) -> None:
        self.events.append(event)
        if self.on_event:
            self.on_event(event)

    def of(self, kind: str) -> list:
        return [e for e in self.events if type(e).__name__ == kind]


@pytest.fixture
def recorder():
    return Recorder()


def _copy_digits(source, root, classes, per_class):
    import shutil

    for folder in sorted(source.iterdir())[:classes]:
        (root / folder.name).mkdir(parents=True)
        for file in sorted(folder.glob("*.png"))[:per_class]:
            shutil.copy(file, root / folder.name / file.name)
    return root


@pytest.fixture
def small_digits(digits_dir, tmp_path):
    """40 images per digit: enough to predict on, quick to scan."""
    return _copy_digits(digits_dir, tmp_path / "digits", 10, 40)


@pytest.fixture
def tiny_digits(digits_dir, tmp_path):
    """3 digits × 12 images: for checks that a big backbone runs, not that it learns."""
    return _copy_digits(digits_dir, tmp_path / "tiny_digits", 3, 12)
