"""Regenerate the screenshots in docs/ from a real short search on the bundled samples.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [--series]
(--series: only the forecast and anomaly Results shots.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("DLSTUDIO_PROJECTS", tempfile.mkdtemp(prefix="dlstudio-shots-"))
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dlstudio.core.samples import SAMPLES, sample_path  # noqa: E402
from dlstudio.gui.app import application, create_main_window  # noqa: E402


def settle(seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        application().processEvents()
        time.sleep(0.02)


def shoot(window, name: str) -> None:
    settle()
    window.grab().save(str(ROOT / "docs" / f"{name}.png"))
    print("wrote", f"docs/{name}.png")


# Series data for the forecast and anomaly shots: the shared datasets when they are beside the
# checkout (airline passengers, a NAB series), else the NAB slice in the repository's tests
# (and no forecast shot).
AIRLINE = ROOT.parent / "shared" / "datasets" / "timeseries" / "airline_passengers.csv"
NAB = ROOT.parent / "shared" / "datasets" / "anomaly" / "nab_realKnownCause"
NAB_SERIES, NAB_WINDOWS = (
    (NAB / "ec2_request_latency_system_failure.csv", NAB / "combined_windows_realKnownCause.json")
    if NAB.is_dir()
    else (
        ROOT / "tests" / "data" / "nab_ec2_latency_slice.csv",
        ROOT / "tests" / "data" / "nab_ec2_latency_windows.json",
    )
)


def series_shots(window) -> None:
    """data-/results-forecast and -anomaly: short CLI searches, then File → Open project."""
    runs = [
        ("results-anomaly", NAB_SERIES, ["--task", "anomaly", "--label-windows", str(NAB_WINDOWS)])
    ]
    if AIRLINE.is_file():
        runs.insert(0, ("results-forecast", AIRLINE, ["--task", "forecast"]))
    for name, data, options in runs:
        project = Path(tempfile.mkdtemp(prefix=f"dlstudio-{name}-"))
        command = [sys.executable, "-m", "dlstudio", "tune", str(data), *options]
        command += ["--time-limit", "40", "--project", str(project), "--quiet"]
        subprocess.run(command, check=True, cwd=ROOT)
        window.open_project(project)
        window.go_to(0)
        shoot(window, name.replace("results-", "data-"))
        if name == "results-forecast":  # the search of a family, with the tuner it runs
            window.go_to(1)
            window.model_page.tune_radio.setChecked(True)
            tuners = window.model_page.tuner_combo
            tuners.setCurrentIndex(tuners.findData("bayesian"))
            shoot(window, "model-forecast")
        window.go_to(3)
        shoot(window, name)


def main() -> None:
    window = create_main_window()
    window.resize(1400, 880)
    window.show()
    if "--series" in sys.argv[1:]:  # only the forecast and anomaly shots
        series_shots(window)
        window.close()
        return
    shoot(window, "data-welcome")
    for sample, shot in (
        ("sms_spam", "data-text"),
        ("digits", "data-images"),
        ("penguins", "data-table"),
    ):
        window.data_page.open_path(sample_path(sample), target=SAMPLES[sample][1])
        window.data_page.wait_until_loaded()
        shoot(window, shot)
    window.go_to(1)
    window.model_page.wait()
    window.model_page.trials_spin.setValue(4)
    window.model_page.epochs_spin.setValue(25)
    window.model_page.patience_spin.setValue(25)
    shoot(window, "model")
    window.start_training()
    settle(2)
    shoot(window, "train-starting")  # TensorFlow loads in the worker: a ticking clock meanwhile
    while window.train_page.trials_done < 2 and window.controller.is_running():
        settle(0.2)
    settle(1.5)
    shoot(window, "train")
    while window.controller.is_running():
        settle(0.2)
    settle(1)
    shoot(window, "train-finished")
    window.go_to(3)
    shoot(window, "results")
    results = window.results_page
    results.tabs.setCurrentWidget(results.mistakes)
    shoot(window, "results-mistakes")
    results.tabs.setCurrentWidget(results.try_it)
    while results.try_it.last_answer is None:
        settle(0.2)
    shoot(window, "results-try-it")
    results.tabs.setCurrentIndex(0)
    window.go_to(4)
    window.export_page.export()
    while "predictions match" not in window.export_page.written.toPlainText():
        settle(0.2)
    window.export_page.predict_on(str(sample_path("penguins")))
    while window.export_page.prediction_model.rowCount() == 0:
        settle(0.2)
    shoot(window, "export")
    # A second search, so the comparison views have two runs to compare.
    # Ten trials: importance is only shown from eight finished ones.
    tuners = window.model_page.tuner_combo
    tuners.setCurrentIndex(tuners.findData("bayesian"))
    window.model_page.trials_spin.setValue(10)
    window.model_page.epochs_spin.setValue(12)
    window.start_training()
    while window.controller.is_running():
        settle(0.2)
    settle(1)
    window.go_to(3)
    results.tabs.setCurrentWidget(results.runs_view)
    results.runs_view.table.selectAll()
    shoot(window, "compare-runs")
    results.tabs.setCurrentWidget(results.trials_view)
    results.trials_view.table.selectAll()
    shoot(window, "compare-trials")
    for index, name in ((1, "compare-parallel"), (2, "compare-scatter"), (3, "compare-importance")):
        results.trials_view.plots.setCurrentIndex(index)
        shoot(window, name)
    series_shots(window)
    window.close()


if __name__ == "__main__":
    main()
