"""Opening the app from the command line, with a plain message where no screen is available.

Kept free of Qt imports at module level so the display check runs before Qt could abort.
"""

from __future__ import annotations

import os
import sys

from dlstudio.core.errors import DlstudioError

NO_DISPLAY = (
    "dlstudio: no display found (DISPLAY and WAYLAND_DISPLAY are not set), so the window cannot "
    "open. Use a virtual screen with `xvfb-run -a make run`, or the command line, e.g. "
    "`.venv/bin/dlstudio inspect resources/samples/tabular/palmer_penguins.csv`."
)


def has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True  # Windows and macOS always have a window server for a desktop user
    if os.environ.get("QT_QPA_PLATFORM"):
        return True  # the caller chose a platform (offscreen, vnc, …) on purpose
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def launch(path: str | None = None, target: str | None = None, sample: str | None = None) -> int:
    """Open the main window and run the event loop; returns the exit status."""
    if sample:
        from dlstudio.core.samples import SAMPLES, sample_path

        if sample not in SAMPLES:
            raise DlstudioError(
                f"There is no bundled sample called {sample!r}.",
                f"one of {', '.join(SAMPLES)}",
                "Pick one of those, or open your own data with `dlstudio gui PATH`.",
            )
        path, target = str(sample_path(sample)), target or SAMPLES[sample][1]
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from dlstudio.gui.app import application, show_main_window

    window = show_main_window(path, target)  # noqa: F841  (kept alive while the loop runs)
    return application().exec()
