"""The wheel built from the checkout holds what an install outside the checkout needs.

Without package data a wheel held only the Python modules, so `--sample`, the welcome page's
sample buttons and the window icon failed once installed (issue 15). .ci/wheel-smoke installs
the wheel and runs it; this checks its file list quickly on every test run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from dlstudio.core.resources import ICON_SIZES
from dlstudio.core.samples import SAMPLES

ROOT = Path(__file__).resolve().parents[1]


def copy_of_the_sources(folder: Path) -> Path:
    """What the wheel is built from, without the checkout's build/ folder: setuptools reuses
    the files left there by an earlier build, which would hide missing package data."""
    folder.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, folder / name)
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "dlstudio", folder / "dlstudio", ignore=skip)
    return folder


def test_the_wheel_ships_the_samples_their_licences_the_icons_and_both_launchers(tmp_path):
    sources = copy_of_the_sources(tmp_path / "src")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", "dist", str(sources)],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("dlstudio-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = (n for n in names if n.endswith(".dist-info/entry_points.txt"))
        launchers = archive.read(entry_points).decode()

    samples = "dlstudio/resources/samples/"
    assert samples + "README.md" in names  # the licences and credits travel with the data
    for name, (path, _target) in SAMPLES.items():
        if name == "digits":
            for digit in range(10):
                assert any(n.startswith(f"{samples}{path}/{digit}/") for n in names), digit
        else:
            assert samples + path in names
    icons = "dlstudio/resources/icons/"
    assert icons + "dlstudio.svg" in names
    for size in ICON_SIZES:
        assert f"{icons}dlstudio-{size}.png" in names
    assert "dlstudio = dlstudio.__main__:main" in launchers
    assert "dlstudio-gui = dlstudio.__main__:gui_main" in launchers
