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

SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples"


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
