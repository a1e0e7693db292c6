"""On a machine with a screen, the app either opens or says in one line what to do: Qt's own
abort ("Aborted", exit 134, a hint naming the wrong library) never reaches the user."""

from __future__ import annotations

import os
import subprocess
import sys

# What `ldd` says of Qt's xcb plugin on a stock Debian 12 (abridged): two libraries missing.
STOCK_DEBIAN_LDD = """\
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
\tlibxcb-icccm.so.4 => not found
"""


def _open_window(tmp_path, env_changes: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(env_changes, DLSTUDIO_QUIT_AFTER_SHOW="1")
    return subprocess.run(
        [sys.executable, "-m", "dlstudio", "gui", "--sample", "penguins"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_x11_libraries_are_named_with_the_line_that_installs_them(tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    ldd = fake_bin / "ldd"
    ldd.write_text(f"#!/bin/sh\ncat <<'EOF'\n{STOCK_DEBIAN_LDD}EOF\n")
    ldd.chmod(0o755)
    out = _open_window(
        tmp_path, {"DISPLAY": ":0", "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}"}
    )
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in lines[0]
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1`" in lines[0]
    assert "Aborted" not in out.stderr


def test_a_display_that_does_not_answer_is_said_in_one_line(tmp_path):
    """DISPLAY names a screen where no X server runs (a stale ssh -X variable, say)."""
    out = _open_window(tmp_path, {"DISPLAY": ":87"})
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    # Where the X11 libraries are all there, the display is the problem named; on a machine
    # that lacks some, those come first.
    assert lines[0].startswith("dlstudio: the window cannot open:")
    assert "DISPLAY=:87 does not answer" in lines[0] or "sudo apt-get install" in lines[0]
