"""The installed launchers open the window from any folder, with the icon and the sample."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_windowed_launcher_opens_the_sample_from_another_folder_and_closes(tmp_path):
    """What .ci/wheel-smoke runs on the installed wheel: `dlstudio-gui --sample penguins`
    with DLSTUDIO_QUIT_AFTER_SHOW=1 shows the window, opens the sample and exits 0."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DLSTUDIO_QUIT_AFTER_SHOW": "1"}
    script = "import sys; from dlstudio.__main__ import gui_main; sys.exit(gui_main())"
    out = subprocess.run(
        [sys.executable, "-c", script, "--sample", "penguins"],
        env=env,
        cwd=tmp_path,  # not the checkout: the sample must come from the package
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr
    assert "error" not in out.stderr.lower()


def test_the_app_carries_dlstudios_icon_at_every_size(tmp_path):
    """Set on the QApplication, so every window and dialog shows it (pytest-qt's own
    QApplication would not have it, hence a process of its own)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    script = (
        "from dlstudio.gui.app import application; "
        "print(sorted(s.width() for s in application().windowIcon().availableSizes()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert out.stdout.strip() == "[16, 32, 48, 64, 128, 256, 512]", out.stderr
