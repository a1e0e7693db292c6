"""Start-up: time from launching the interpreter until the main window is on screen (shown and
painted once), for `dlstudio gui` and for a bare PySide6 window, alternated.

Both children start from nothing (a fresh interpreter), so the figures include Python's own
start, the imports and the first paint. `ready_s` adds when dlstudio's pages (and the libraries
behind them: pandas, numpy, pyqtgraph) are built and usable, which follows the first paint.
"""

from __future__ import annotations

import time

from bench.common import median, offscreen, run_child

BARE = """
import time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1360, 860)
window.show()
app.processEvents()
result = {"shown": time.time()}
"""

DLSTUDIO = """
import time
import dlstudio.cli  # what the `dlstudio` command imports first
from dlstudio.gui.app import application, show_main_window
window = show_main_window()
app = application()
app.processEvents()
result = {"shown": time.time()}
while not window.pages_ready:
    app.processEvents()
    time.sleep(0.002)
app.processEvents()
result["ready"] = time.time()
"""


def _time(script: str) -> dict:
    launched = time.time()
    child = run_child(script, offscreen())
    return {key: value - launched for key, value in child.items()}


def measure(quick: bool = False) -> dict:
    rounds = 3 if quick else 7
    _time(BARE), _time(DLSTUDIO)  # warm the file cache for both
    bare, ours = [], []
    for _ in range(rounds):
        bare.append(_time(BARE)["shown"])
        ours.append(_time(DLSTUDIO))
    shown = median(o["shown"] for o in ours)
    return {
        "startup_ratio": shown / median(bare),
        "startup_bare_s": median(bare),
        "startup_shown_s": shown,
        "startup_ready_s": median(o["ready"] for o in ours),
    }


if __name__ == "__main__":
    print(measure())
