"""The bundle's entry point (packaging/entry.py), run from source as the frozen app runs it.

In the bundle `sys.executable` is the app itself, so dlstudio's child processes reach the entry
point with Python's command lines; without it answering them, training from the window and the
export check fail in the bundle. The PyInstaller build itself is too slow for the tests
(`make bundle`, packaging/README.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dlstudio

ENTRY = Path(__file__).resolve().parents[1] / "packaging" / "entry.py"


def _entry(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ENTRY), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_a_script_runs_as_with_python_and_without_dlstudio(tmp_path):
    # How the export check is started: `sys.executable -I check.py JOB.json`.
    script = tmp_path / "script.py"
    script.write_text(
        "import sys\nprint(sys.argv[1:], 'dlstudio' in sys.modules)\nsys.exit(3)\n",
        encoding="utf-8",
    )
    done = _entry("-I", str(script), "job.json", cwd=tmp_path)
    assert done.stdout.strip() == "['job.json'] False", done.stderr
    assert done.returncode == 3


def test_a_module_runs_as_with_python_m(tmp_path):
    # How the window starts its training process: `sys.executable -m dlstudio.core.engine.child`.
    done = _entry("-m", "dlstudio", "--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"dlstudio {dlstudio.__version__}"


def test_dlstudio_commands_still_work(tmp_path):
    done = _entry("--version", cwd=tmp_path)
    assert done.stdout.strip() == f"dlstudio {dlstudio.__version__}"
    done = _entry("no-such-command", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
