"""Test-wide setup: no screen, and no writing into the user's own settings or caches."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
_SANDBOX = Path(tempfile.mkdtemp(prefix="dlstudio-tests-"))
os.environ["DLSTUDIO_CACHE"] = str(_SANDBOX / "cache")
os.environ["XDG_CONFIG_HOME"] = str(_SANDBOX / "config")  # where QSettings writes on Linux

SAMPLES = Path(__file__).resolve().parents[1] / "dlstudio" / "resources" / "samples"


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SANDBOX, ignore_errors=True)


@pytest.fixture
def penguins_csv() -> Path:
    return SAMPLES / "tabular" / "palmer_penguins.csv"


@pytest.fixture
def cancer_csv() -> Path:
    return SAMPLES / "tabular" / "breast_cancer_wisconsin.csv"


@pytest.fixture
def sms_csv() -> Path:
    return SAMPLES / "text" / "sms_spam.csv"


@pytest.fixture
def digits_dir() -> Path:
    return SAMPLES / "image" / "sklearn_digits"


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
