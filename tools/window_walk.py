"""Walk the real window through one dataset as a user would, taking a screenshot at each step:
open the data, auto-tune within a budget, watch it train, read the results (trials, runs,
mistakes, the decision threshold of a two-class model, Try it), export every format the model
can use, predict on new data, and reopen the project in a new window.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/window_walk.py DATA \
        --target COL --budget 30s --predict NEW --out shots/ [--role COL=ROLE ...]

A series to forecast, or readings to search for anomalies (the Results and Export steps of
those tasks are shot as they are, without the classification tabs):

    ... tools/window_walk.py airline_passengers.csv --task forecast --budget 20s
    ... tools/window_walk.py ec2_request_latency_system_failure.csv --task anomaly \
        --label-windows combined_windows_realKnownCause.json --budget 20s

On a screen (Xvfb included) the shots are of the whole screen, as `import -window root` would
take them; offscreen, of the window.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DLSTUDIO_PROJECTS", tempfile.mkdtemp(prefix="dlstudio-walk-"))
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dlstudio.gui.app import application, create_main_window  # noqa: E402


def settle(seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        application().processEvents()
        time.sleep(0.02)


def until(condition, seconds: float = 900) -> None:
    give_up = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > give_up:
            raise TimeoutError("the window did not get there in time")
        settle(0.2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--target")
    parser.add_argument("--budget", default="30s")
    parser.add_argument("--predict", help="new data to predict on, from the Export step")
    parser.add_argument("--role", action="append", default=[], metavar="COL=ROLE")
    parser.add_argument("--out", default="shots")
    parser.add_argument("--task", choices=["forecast", "anomaly"], help="chosen in the task box")
    parser.add_argument("--label-windows", help="anomaly: a JSON of labelled windows")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    window = create_main_window()
    window.resize(1560, 960)
    window.show()

    def shoot(name: str) -> None:
        settle(0.8)
        screen = window.screen()
        offscreen = os.environ.get("QT_QPA_PLATFORM") == "offscreen"
        picture = window.grab() if offscreen else screen.grabWindow(0)
        picture.save(str(out / f"{name}.png"))
        print("wrote", out / f"{name}.png", flush=True)

    window.data_page.open_path(args.data, target=args.target)
    until(lambda: window.data_page.dataset is not None)
    for item in args.role:  # as a double-click on the role cell does
        column, _, role = item.partition("=")
        window.data_page.schema_model.role_changed.emit(column, role)
        window.data_page.wait_until_loaded()
        settle(0.5)
    page = window.data_page
    if args.task and page.task_combo.currentData() != args.task:
        page.task_combo.setCurrentIndex(page.task_combo.findData(args.task))
        page.task_combo.activated.emit(page.task_combo.currentIndex())
        settle(0.3)
        until(lambda: not page.is_loading())
    if args.label_windows:
        page.series_panel.set_label_windows(args.label_windows)
        settle(0.3)
        until(lambda: not page.is_loading())
    shoot("1-data")
    window.go_to(1)
    page = window.model_page
    page.budget_edit.setText(args.budget)
    until(lambda: "detected when" not in page.device_label.text(), 120)
    shoot("2-model")
    window.start_training()
    until(lambda: window.train_page.trials_done >= 1 or not window.controller.is_running())
    shoot("3-train-running")
    until(lambda: not window.controller.is_running())
    shoot("3-train-finished")
    window.go_to(3)
    shoot("4-results")
    if args.task:
        window.go_to(4)
        shoot("5-export")
        window.close()
        return
    results = window.results_page
    for name, tab in (("trials", results.trials_view), ("runs", results.runs_view)):
        results.tabs.setCurrentWidget(tab)
        shoot(f"4-results-{name}")
    results.tabs.setCurrentWidget(results.mistakes)
    shoot("4-results-mistakes")
    if results.tabs.isTabVisible(results.tabs.indexOf(results.threshold)):
        results.tabs.setCurrentWidget(results.threshold)
        results.threshold.slider.setValue(35)
        shoot("4-results-threshold")
    results.tabs.setCurrentWidget(results.try_it)
    until(
        lambda: results.try_it.last_answer is not None or "rror" in results.try_it.status.text(),
        180,
    )
    shoot("4-results-try-it")
    results.tabs.setCurrentIndex(0)
    window.go_to(4)
    export = window.export_page
    export.export()
    until(
        lambda: (
            "predictions match" in export.written.toPlainText()
            or "failed" in export.written.toPlainText().lower()
        )
    )
    if args.predict:
        export.predict_on(args.predict)
        until(
            lambda: (
                export.predictions is not None or "failed" in export.predict_status.text().lower()
            )
        )
    shoot("5-export")
    project = window.project_dir
    window.close()
    # Reopen the project in a new window, as after a restart: data, choices, runs and results.
    window = create_main_window()
    window.resize(1560, 960)
    window.show()
    window.open_project(project)
    until(lambda: window.data_page.dataset is not None, 300)
    window.go_to(0)
    shoot("6-reopened-data")
    window.go_to(3)
    shoot("6-reopened-results")
    window.close()


if __name__ == "__main__":
    main()
