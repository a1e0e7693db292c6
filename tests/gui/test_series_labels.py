"""Issue 26, item 3, in the window: a recording with an `anomaly` and a `changepoint` column.
The Data step shows the label column the run will read (proposed, or the user's choice) and
the columns left out of the inputs as labels; another recording to judge on is chosen there,
and a file that cannot be is refused in the panel before any run; Results says what normal
was learnt from and what the model was judged on."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.core.test_anomaly_data import _recording
from tests.gui.conftest import open_and_wait


@pytest.fixture
def projects(tmp_path, monkeypatch):
    monkeypatch.setenv("DLSTUDIO_PROJECTS", str(tmp_path / "projects"))
    return tmp_path / "projects"


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    return shown


def _open_for_anomalies(qtbot, window, path: Path):
    page = window.data_page
    open_and_wait(qtbot, window, path)
    with qtbot.waitSignal(page.dataset_loaded, timeout=30000):
        page.task_combo.setCurrentIndex(page.task_combo.findData("anomaly"))
        page.task_combo.activated.emit(page.task_combo.currentIndex())
    return page.series_panel


def _choose_label(qtbot, window, panel, text: str) -> None:
    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000):
        panel.label_combo.setCurrentIndex(panel.label_combo.findText(text))
        panel.label_combo.activated.emit(panel.label_combo.currentIndex())


def _facts(panel) -> dict[str, str]:
    table = panel.facts
    return {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}


def _notes(panel) -> list[str]:
    return [panel.notes.item(r).text() for r in range(panel.notes.count())]


def _shown(label) -> str:
    """A rich-text label's words as the user reads them."""
    return html.unescape(re.sub(r"<[^>]+>", "", label.text()))


def _on_screen(widget) -> bool:
    """Shown and not scrolled out of view."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def _settings(window) -> dict:
    return window.session.state.data.anomaly


def test_the_proposed_labels_are_shown_used_and_can_be_changed(
    qtbot, window, projects, tmp_path, warnings
):
    recording = _recording(tmp_path / "recording.csv")
    panel = _open_for_anomalies(qtbot, window, recording)
    panel.window().resize(1500, 900)

    # The proposed column is shown in the box and recorded: the run reads exactly it.
    assert panel.label_combo.currentText() == "anomaly"
    assert _settings(window)["label_column"] == "anomaly"
    said = panel.labels_note.text()
    assert _on_screen(panel.labels_note) and not panel.message.isVisible()
    assert "Proposed: 'anomaly' looks like the labels (135 rows marked)." in said
    assert "never read as an input" in said
    assert "Left out of the inputs as labels: 'changepoint' (looks like a label)." in said
    facts = _facts(panel)
    assert facts["Left out as labels"] == "changepoint (looks like a label)"
    assert facts["Labelled anomalous rows"] == "135 (only to evaluate)"
    assert facts["Assumed normal"] == "the first 350 rows (29.1 hours)"
    assert any(n.startswith("'changepoint' looks like a label, left out") for n in _notes(panel))
    # Only the readings the model watches can be plotted: not the labels, nor changepoint.
    assert [panel.target_combo.itemText(i) for i in range(panel.target_combo.count())] == ["value"]
    model = window.model_page
    assert model.run_spec(window.session.state.data).data.anomaly["label_column"] == "anomaly"
    panel.grab().save(str(tmp_path / "labels-proposed.png"))

    # "(none)": no labels, and the label-like columns are still no inputs.
    _choose_label(qtbot, window, panel, "(none)")
    assert panel.label_combo.currentText() == "(none)"
    assert _settings(window)["label_column"] == ""
    assert "No labels" in panel.labels_note.text()
    assert "'anomaly' (looks like a label)" in panel.labels_note.text()
    assert "Labelled anomalous rows" not in _facts(panel)
    assert _facts(panel)["Left out as labels"].startswith("anomaly (looks like a label)")
    assert "No labels: nothing was judged" in panel.judge_label.text()

    # Another choice, kept when some other setting is changed.
    _choose_label(qtbot, window, panel, "changepoint")
    assert _settings(window)["label_column"] == "changepoint"
    assert "Labels from 'changepoint', as chosen (2 rows marked)." in panel.labels_note.text()
    assert "'anomaly' (looks like a label)" in panel.labels_note.text()
    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000):
        panel.normal_spin.setValue(40)
        panel.normal_spin.editingFinished.emit()
    assert panel.label_combo.currentText() == "changepoint"
    spec = model.run_spec(window.session.state.data)
    assert spec.data.anomaly["label_column"] == "changepoint"
    assert not warnings


def test_a_recording_to_judge_on_is_chosen_and_cleared(
    qtbot, window, projects, tmp_path, monkeypatch, warnings
):
    first = _recording(tmp_path / "first.csv", rows=slice(0, 380))  # ends before the window
    second = _recording(tmp_path / "second.csv", rows=slice(380, None), changepoint=False)
    panel = _open_for_anomalies(qtbot, window, first)
    panel.window().resize(1500, 900)
    assert panel.label_combo.currentText() == "(none)"  # 'anomaly' is 0 throughout: no labels
    assert "No labels" in panel.labels_note.text()
    assert "“Judge on another recording…”" in panel.judge_label.text()
    assert not panel.judge_clear.isEnabled()

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(second), ""))
    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000):
        panel.judge_button.click()
    assert _settings(window)["judge_on"] == str(second.resolve())
    assert panel.judge_label.text() == (
        "Judged on second.csv, a recording it did not learn from "
        "(320 readings, 135 labelled anomalous)."
    )
    assert _facts(panel)["Judged on"] == "second.csv: 320 rows, 135 labelled anomalous"
    assert any(n.startswith("Labels of second.csv (only to evaluate)") for n in _notes(panel))
    assert panel.judge_clear.isEnabled()
    spec = window.model_page.run_spec(window.session.state.data)
    assert spec.data.anomaly["judge_on"] == str(second.resolve())
    panel.grab().save(str(tmp_path / "judge-on.png"))

    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000):
        panel.judge_clear.click()
    assert _settings(window)["judge_on"] is None
    assert "Judged on" not in _facts(panel)
    assert not warnings


def test_a_recording_that_cannot_be_judged_on_is_refused_in_the_panel(
    qtbot, window, projects, tmp_path, monkeypatch, warnings
):
    first = _recording(tmp_path / "first.csv", rows=slice(0, 380))
    panel = _open_for_anomalies(qtbot, window, first)
    panel.window().resize(1500, 900)
    good = window.session.state.data

    # Not a file, or the recording it learns from: refused at once, nothing read again.
    assert not panel.set_judge_on(str(tmp_path / "gone.csv"))
    assert "gone.csv', is not a file" in _shown(panel.message) and _on_screen(panel.message)
    picked = str(first)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (picked, ""))
    panel.judge_button.click()
    assert "first.csv, is the one the model learns from" in _shown(panel.message)
    assert not window.data_page.is_loading() and window.session.state.data == good

    # Another recording without the model's reading: refused as it is read, said in the panel.
    frame = pd.read_csv(_recording(tmp_path / "other.csv", rows=slice(380, None)))
    frame.rename(columns={"value": "latency"}).to_csv(tmp_path / "renamed.csv", index=False)
    picked = str(tmp_path / "renamed.csv")
    panel.judge_button.click()
    qtbot.waitUntil(lambda: bool(warnings), timeout=30000)
    window.data_page.wait_until_loaded()
    text = _shown(panel.message)
    assert "judge on, renamed.csv, lacks the column(s) 'value'" in text and "Traceback" not in text
    assert _on_screen(panel.message)
    assert window.session.state.data == good  # the run would not read it
    assert _settings(window)["judge_on"] is None and not panel.judge_clear.isEnabled()
    panel.grab().save(str(tmp_path / "judge-on-refused.png"))


@pytest.mark.slow
def test_a_run_from_the_window_says_what_it_learnt_from_and_was_judged_on(
    qtbot, window, projects, tmp_path, monkeypatch, warnings
):
    first = _recording(tmp_path / "first.csv", rows=slice(0, 380))
    second = _recording(tmp_path / "second.csv", rows=slice(380, None), changepoint=False)
    panel = _open_for_anomalies(qtbot, window, first)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(second), ""))
    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000):
        panel.judge_button.click()
    with qtbot.waitSignal(window.data_page.dataset_loaded, timeout=30000):
        panel.window_spin.setValue(12)
        panel.window_spin.editingFinished.emit()
    window.go_to(1)
    model = window.model_page
    model.choose_radio.setChecked(True)
    model.template_combo.setCurrentIndex(model.template_combo.findData("conv_autoencoder"))
    model.epochs_spin.setValue(2)
    finished = []
    window.train_page.run_finished.connect(finished.append)
    with qtbot.waitSignal(window.controller.finished, timeout=300_000):
        window.start_training()
    assert finished, window.train_page.status_label.text()
    run = window.run
    assert run.spec().data.anomaly["judge_on"] == str(second.resolve())
    assert run.evaluation()["judged_file"] == "second.csv"
    window.go_to(3)
    title = window.results_page.title.text()
    assert "Normal was learnt from 15.8 hours (190 readings) of one recording, first.csv." in (
        title
    )
    assert "Judged on second.csv, a recording it did not learn from (320 readings" in title
    window.results_page.grab().save(str(tmp_path / "results-judged.png"))
    assert not warnings
