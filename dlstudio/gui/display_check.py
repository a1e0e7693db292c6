"""Whether Qt can open a window on this machine's X11 display, checked before Qt is loaded.

Qt aborts the whole process when its xcb platform plugin cannot load (a stock Debian 12 or
Ubuntu 22.04 lacks libxcb-icccm4 and libxcb-keysyms1, among others) or cannot reach the display,
and its own hint names libxcb-cursor0 whichever library is missing. Checked here first, the user
gets one line naming what to install instead of "Aborted". No Qt import: this runs before it.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# The Debian/Ubuntu package of each library Qt's xcb plugin (Qt 6.5+) loads; a library missing
# from this table is named by its file in the install line.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def uses_x11() -> bool:
    """Whether Qt will open its window through the xcb plugin (X11, or XWayland)."""
    if not sys.platform.startswith("linux"):
        return False
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0].split(";")[0] == "xcb"
    if os.environ.get("XDG_SESSION_TYPE") == "wayland" and os.environ.get("WAYLAND_DISPLAY"):
        return False  # Qt 6 takes its Wayland plugin first in a Wayland session
    return bool(os.environ.get("DISPLAY"))


def xcb_plugin() -> Path | None:
    """Qt's xcb platform plugin inside the installed PySide6, found without importing it."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        plugin = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def missing_libraries(plugin: Path) -> list[str]:
    """The shared libraries the plugin needs that this system lacks (file names).

    ldd lists every missing one at once; where there is no ldd, the dynamic loader's first
    complaint stands for them all.
    """
    ldd = shutil.which("ldd")
    if ldd:
        try:
            listed = subprocess.run(
                [ldd, str(plugin)], capture_output=True, text=True, timeout=20, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            listed = None
        if listed is not None:
            return list(dict.fromkeys(_NOT_FOUND.findall(listed)))
    try:
        ctypes.CDLL(str(plugin))
    except OSError as error:
        first = str(error).split(":")[0].strip()
        return [first or str(error)]
    return []


def display_reachable() -> bool:
    """Whether an X connection to $DISPLAY opens (Qt aborts when it does not)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # reported by missing_libraries instead
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(None, None)
    failed = xcb.xcb_connection_has_error(connection) != 0
    xcb.xcb_disconnect(connection)  # also frees a connection that failed
    return not failed


def missing_libraries_message(missing: list[str]) -> str:
    packages = [DEBIAN_PACKAGES.get(name, name) for name in missing]
    return (
        f"dlstudio: the window cannot open: Qt's X11 plugin needs system libraries this machine "
        f"lacks ({', '.join(missing)}). Install them (on Debian/Ubuntu: `sudo apt-get install "
        f"{' '.join(packages)}`; `make run` does it itself when run as root) and start it again, "
        f"or use the command line, e.g. `dlstudio inspect --sample penguins`."
    )


def unreachable_display_message() -> str:
    display = os.environ.get("DISPLAY", "")
    return (
        f"dlstudio: the window cannot open: the X display DISPLAY={display} does not answer (no "
        f"X server there, or this user may not use it). Check DISPLAY (`xdpyinfo` should work), "
        f"or use a virtual screen with `xvfb-run -a make run`, or the command line, e.g. "
        f"`dlstudio inspect --sample penguins`."
    )


def window_problem() -> str | None:
    """One line saying why Qt would abort opening a window here, or None when it can open."""
    if not uses_x11():
        return None
    plugin = xcb_plugin()
    if plugin is None:
        return None  # not the PySide6 wheel's layout: let Qt report for itself
    missing = missing_libraries(plugin)
    if missing:
        return missing_libraries_message(missing)
    if not display_reachable():
        return unreachable_display_message()
    return None
