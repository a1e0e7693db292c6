"""Opening the app from the command line, with a plain message where no screen is available.

Kept free of Qt imports at module level so the display check runs before Qt could abort.
"""

from __future__ import annotations

import os
import sys

NO_DISPLAY = (
    "dlstudio: no display found (DISPLAY and WAYLAND_DISPLAY are not set), so the window cannot "
    "open. Use a virtual screen with `xvfb-run -a make run`, or the command line, e.g. "
    "`dlstudio inspect --sample penguins`."
)


def has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True  # Windows and macOS always have a window server for a desktop user
    if os.environ.get("QT_QPA_PLATFORM"):
        return True  # the caller chose a platform (offscreen, vnc, …) on purpose
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def launch(path: str | None = None, target: str | None = None, sample: str | None = None) -> int:
    """Open the main window and run the event loop; returns the exit status.

    With the environment variable DLSTUDIO_QUIT_AFTER_SHOW=1 the window closes as soon as its
    pages are built and the data (if any) has opened, and the exit status is 0: CI's wheel smoke
    test (.ci/wheel-smoke) uses it to check that an installed copy really opens.
    """
    if sample:
        from dlstudio.core.samples import open_sample

        path, target = open_sample(sample, target)
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from dlstudio.gui.display_check import window_problem

    problem = window_problem()  # Qt would abort the process instead of saying this
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from dlstudio.gui.app import application, show_main_window

    window = show_main_window(path, target)
    if os.environ.get("DLSTUDIO_QUIT_AFTER_SHOW") == "1":
        from dlstudio.gui.app import quit_when_ready

        quit_when_ready(window, wait_for_data=bool(path))
    return application().exec()
