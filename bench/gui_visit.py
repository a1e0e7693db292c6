"""GUI responsiveness while a user visits every step: the real main window (offscreen) opens a
table, shows the Model step (device detection in a worker process), trains a small search,
shows each tab of Results (Trials, Runs, Mistakes, Try it, which loads the model in a process of
its own), exports and predicts, and goes back to Data. A 10 ms QTimer on the GUI thread records
how late each tick fires, per step; the window's own event loop runs all the while, as when a
person clicks. Also reports whether TensorFlow, Keras, JAX or PyTorch ever loaded in the
window's process (they must not).

`python -m bench.gui_visit` prints the worst stall per step.
"""

from __future__ import annotations

from bench.common import offscreen, run_child

SCRIPT = """
import os, sys, tempfile, time
os.environ["DLSTUDIO_PROJECTS"] = tempfile.mkdtemp()
from PySide6.QtCore import QEventLoop, QTimer
from dlstudio.core.samples import sample_path
from dlstudio.gui.app import application, create_main_window

app = application()
window = create_main_window()
window.show()
data = str(sample_path("penguins"))
export_folder = tempfile.mkdtemp()
results, export = None, None

def step(name, action, done, settle=1.0):
    return name, action, done, settle

def open_data():
    window.data_page.open_path(data, target="species")

def start():
    page = window.model_page
    page.tune_radio.setChecked(True)
    page.trials_spin.setValue(3)
    page.epochs_spin.setValue({epochs})
    page.budget_edit.setText("")
    window.start_training()

def tab(name):
    def show():
        pages = window.results_page
        pages.tabs.setCurrentWidget(getattr(pages, name))
    return show

def do_export():
    window.go_to(4)
    page = window.export_page
    page.folder_edit.setText(export_folder)
    for fmt, box in page.checks.items():
        box.setChecked(fmt == "keras")
    page.export()

STEPS = [
    step("Data: open a table", open_data, lambda: window.data_page.dataset is not None),
    step("Model (device detected in a worker)", lambda: window.go_to(1),
         lambda: "detected when" not in window.model_page.device_label.text()),
    step("Train: a 3-trial search, live curves", start,
         lambda: not window.controller.is_running(), settle=0.5),
    step("Results: best model", lambda: window.go_to(3), lambda: True),
    step("Results: trials", tab("trials_view"), lambda: True),
    step("Results: runs", tab("runs_view"), lambda: True),
    step("Results: mistakes", tab("mistakes"), lambda: True),
    step("Results: Try it (model loads in a worker)", tab("try_it"),
         lambda: window.results_page.try_it.last_answer is not None),
    step("Export: check and write .keras", do_export,
         lambda: "predictions match" in window.export_page.written.toPlainText()),
    step("Export: predict on a table", lambda: window.export_page.predict_on(data),
         lambda: window.export_page.prediction_model.rowCount() > 0),
    step("Data again", lambda: window.go_to(0), lambda: True),
]

late = {{}}
current = [STEPS[0][0]]
last = [None]
def tick():
    now = time.perf_counter()
    if last[0] is not None:
        late.setdefault(current[0], []).append(max(0.0, (now - last[0]) * 1000 - 10))
    last[0] = now
probe = QTimer()
probe.setInterval(10)
probe.timeout.connect(tick)

loop = QEventLoop()
state = {{"index": -1, "done_at": None, "give_up": 0.0, "failed": None}}
def advance():
    index = state["index"]
    if index >= 0:
        name, _, done, settle = STEPS[index]
        if state["done_at"] is None:
            if done():
                state["done_at"] = time.monotonic()
            elif time.monotonic() > state["give_up"]:
                state["failed"] = name
                loop.quit()
                return
        if state["done_at"] is None or time.monotonic() - state["done_at"] < settle:
            return
    state["index"] = index = index + 1
    if index == len(STEPS):
        loop.quit()
        return
    name, action, _, _ = STEPS[index]
    current[0] = name
    state["done_at"], state["give_up"] = None, time.monotonic() + 600
    action()
poll = QTimer()
poll.setInterval(50)
poll.timeout.connect(advance)
probe.start()
poll.start()
loop.exec()
probe.stop()
poll.stop()
heavy = sorted(m for m in ("tensorflow", "keras", "keras_tuner", "jax", "torch") if m in sys.modules)
window.close()
worst = {{name: round(max(values), 1) for name, values in late.items() if values}}
everything = [v for values in late.values() for v in values]
result = {{"per_step_ms": worst, "max_ms": max(everything), "failed": state["failed"],
          "heavy_modules": heavy}}
"""


def measure(quick: bool = False) -> dict:
    child = run_child(SCRIPT.format(epochs=2 if quick else 3), offscreen(), timeout=1800)
    if child["failed"]:
        raise RuntimeError(f"the walk through the window stopped at: {child['failed']}")
    return {
        "gui_visit_max_ms": child["max_ms"],
        "gui_visit_per_step_ms": child["per_step_ms"],
        "gui_visit_heavy_modules": child["heavy_modules"],
    }


if __name__ == "__main__":
    result = measure()
    for step_name, worst in result["gui_visit_per_step_ms"].items():
        print(f"{step_name:45} worst stall {worst:7.1f} ms")
    print(f"{'every step':45} worst stall {result['gui_visit_max_ms']:7.1f} ms")
    print("heavy modules in the window's process:", result["gui_visit_heavy_modules"] or "none")
