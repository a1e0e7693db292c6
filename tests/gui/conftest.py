from __future__ import annotations

import pytest


@pytest.fixture
def window(qtbot):
    """The real main window, shown offscreen; closed (waiting for its loads) afterwards."""
    from dlstudio.gui.app import create_main_window

    win = create_main_window()
    qtbot.addWidget(win)
    win.show()
    yield win
    win.data_page.wait_until_loaded()


def open_and_wait(qtbot, window, path, target=None):
    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000) as blocker:
        window.data_page.open_path(path, target=target)
    return blocker.args[0]
