"""Start-up: the window comes before TensorFlow, and no screen means a plain message."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_window_is_shown_before_tensorflow_or_keras_load():
    script = textwrap.dedent(
        """
        import sys
        from dlstudio.gui.app import application, create_main_window
        window = create_main_window()
        window.show()
        application().processEvents()
        assert window.isVisible()
        heavy = ("tensorflow", "keras", "keras_tuner", "jax", "torch")
        print(sorted(m for m in heavy if m in sys.modules))
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_no_display_gives_one_clear_line():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    out = subprocess.run(
        [sys.executable, "-m", "dlstudio", "gui", "--sample", "penguins"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "no display" in out.stderr and "xvfb-run" in out.stderr
