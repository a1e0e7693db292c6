"""The window's process never loads TensorFlow, Keras, JAX or PyTorch: training, device
detection, export and prediction all run in worker processes. Checked in a process of its own,
after a user's whole path through the five steps."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_every_step_export_and_predict_leave_the_window_free_of_tensorflow(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys, time
        from dlstudio.core.samples import sample_path
        from dlstudio.gui.app import application, create_main_window

        app = application()
        window = create_main_window()
        window.show()

        def until(condition, seconds=240):
            give_up = time.monotonic() + seconds
            while not condition():
                assert time.monotonic() < give_up, "timed out"
                app.processEvents()
                time.sleep(0.02)

        window.data_page.open_path(str(sample_path("penguins")), target="species")
        until(lambda: window.data_page.dataset is not None)
        window.go_to(1)
        until(lambda: "Device:" in window.model_page.device_label.text()
              and "detected when" not in window.model_page.device_label.text())
        page = window.model_page
        page.trials_spin.setValue(1)
        page.epochs_spin.setValue(3)
        page.budget_edit.setText("")
        window.start_training()
        until(lambda: not window.controller.is_running())
        for step in (3, 4):
            window.go_to(step)
            app.processEvents()
        export = window.export_page
        export.folder_edit.setText({str(tmp_path / "exported")!r})
        for name, box in export.checks.items():
            box.setChecked(name == "keras")
        export.export()
        until(lambda: "predictions match" in export.written.toPlainText())
        export.predict_on(str(sample_path("penguins")))
        until(lambda: export.prediction_model.rowCount() == 344)
        heavy = ("tensorflow", "keras", "keras_tuner", "jax", "torch")
        print(window.model_page.device_label.text())
        print(sorted(m for m in heavy if m in sys.modules))
        window.close()
        """
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "DLSTUDIO_PROJECTS": str(tmp_path / "projects"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-3000:]
    device, loaded = out.stdout.strip().splitlines()[-2:]
    assert "CPU" in device or "GPU" in device
    assert loaded == "[]"
    assert (tmp_path / "exported" / "model.keras").exists()
