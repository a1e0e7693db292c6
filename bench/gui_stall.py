"""GUI responsiveness while training: the real main window (offscreen) trains a model in the
background, streaming live curves, while a 10 ms QTimer on the GUI thread records how late
each of its ticks fires. Measured from the click on Start (TensorFlow loads in the worker
then) until the run ends; reports the worst and the 99th-percentile lateness.

A short search (3 trials × 3 epochs, MLP on 50,000 rows) so that trial starts, ends, the
Results page's refreshes and many epoch and batch events all happen while the probe runs."""

from __future__ import annotations

from bench.common import offscreen, run_child

SCRIPT = """
import tempfile, time, os
import numpy as np
os.environ["DLSTUDIO_PROJECTS"] = tempfile.mkdtemp()
from PySide6.QtCore import QEventLoop, QTimer
from dlstudio.gui.app import application, create_main_window
from bench.overhead import make_table

app = application()
window = create_main_window()
window.show()
window.data_page.open_path(str(make_table(50_000, 20)), target="label")
while window.data_page.dataset is None:
    app.processEvents()
    time.sleep(0.005)
page = window.model_page
page.tune_radio.setChecked(True)
page.trials_spin.setValue(3)
page.epochs_spin.setValue({epochs})
page.budget_edit.setText("")

late, last, stalls = [], [None], []
started = time.perf_counter()
def tick():
    now = time.perf_counter()
    if last[0] is not None:
        late.append(max(0.0, (now - last[0]) * 1000 - 10))
        if late[-1] > 20:
            stalls.append((round(now - started, 2), round(late[-1])))
    last[0] = now
probe = QTimer()
probe.setInterval(10)
probe.timeout.connect(tick)
loop = QEventLoop()
window.controller.finished.connect(loop.quit)
probe.start()
window.start_training()
loop.exec()  # the app's own event loop, as when a user watches
probe.stop()
log = window.train_page.log.toPlainText()
window.close()
result = {{"max_ms": max(late), "p99_ms": float(np.percentile(late, 99)),
          "ticks": len(late), "completed": "Finished" in log, "stalls": sorted(stalls, key=lambda s: -s[1])[:10]}}
"""


def measure(quick: bool = False) -> dict:
    child = run_child(SCRIPT.format(epochs=2 if quick else 3), offscreen())
    if not child["completed"]:
        raise RuntimeError("the training run in the GUI benchmark did not complete")
    return {
        "gui_stall_max_ms": child["max_ms"],
        "gui_stall_p99_ms": child["p99_ms"],
        "gui_stall_ticks": child["ticks"],
        "gui_stall_worst": child["stalls"],
    }


if __name__ == "__main__":
    print(measure())
