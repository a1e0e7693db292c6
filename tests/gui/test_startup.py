"""Start-up: the window comes before TensorFlow, and no screen means a plain message."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_window_shows_first_then_its_pages_and_the_sample_follow():
    """`dlstudio gui --sample penguins` as launched: the window is on screen at once (bench/
    measures how soon), the pages and the sample's table follow, and no TensorFlow loads."""
    script = textwrap.dedent(
        """
        import sys, time
        from dlstudio.core.samples import sample_path
        from dlstudio.gui.app import application, show_main_window
        window = show_main_window(str(sample_path("penguins")), "species")
        app = application()
        app.processEvents()
        assert window.isVisible()
        heavy = ("tensorflow", "keras", "keras_tuner", "jax", "torch")
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up and not (
            window.pages_ready and window.data_page.dataset is not None
        ):
            app.processEvents()
            time.sleep(0.01)
        print(window.stack.currentWidget() is window.data_page, window.data_page.dataset.profile.rows)
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
    data_page_shown, machine_learning_loaded = out.stdout.strip().splitlines()[-2:]
    assert data_page_shown == "True 344"
    assert machine_learning_loaded == "[]"


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
