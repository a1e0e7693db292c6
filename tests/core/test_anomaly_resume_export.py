"""An anomaly run that was stopped or crashed goes on where it stopped, and its model exports
to every format it can hold, each scoring as the original does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.data.anomaly_data import AnomalySettings
from dlstudio.core.errors import DlstudioError

DATA = Path(__file__).resolve().parents[1] / "data"
SLICE = DATA / "nab_ec2_latency_slice.csv"
WINDOWS = DATA / "nab_ec2_latency_windows.json"
SETTINGS = AnomalySettings(label_windows=str(WINDOWS), window=12)


def _spec(trials: int) -> RunSpec:
    return RunSpec(
        DataSpec(str(SLICE), task="anomaly"),
        ModelSpec("conv_autoencoder"),
        TrainSpec(epochs=2, patience=2),
        SearchSpec(max_trials=trials),
    )


def _same_trial(before, after) -> bool:
    return (before.trial_id, before.hyperparameters, before.score, before.history) == (
        after.trial_id,
        after.hyperparameters,
        after.score,
        after.history,
    )


@pytest.mark.slow
def test_a_run_cancelled_after_its_first_trial_resumes_and_ends_with_a_model(tmp_path):
    from dlstudio.core.engine.anomaly import run_anomaly
    from dlstudio.core.engine.run import resume_run
    from dlstudio.core.events import RunStarted, TrialEnded
    from dlstudio.core.search.cancel import CancelToken

    token = CancelToken()

    def stop_after_first(event):
        if isinstance(event, TrialEnded):
            token.cancel()

    run = run_anomaly(_spec(3), SETTINGS, tmp_path, stop_after_first, token)
    assert run.state()["status"] == "cancelled"
    first = run.trials()
    assert len(first) == 1

    events = []
    resume_run(run, events.append)
    state, trials = run.state(), run.trials()
    assert state["status"] == "completed"
    assert [t.number for t in trials] == [1, 2, 3]
    assert _same_trial(first[0], trials[0])  # kept as it was, not trained again
    assert next(e for e in events if isinstance(e, RunStarted)).resumed_trials == 1
    assert sum(isinstance(e, TrialEnded) for e in events) == 2
    assert run.model_path.exists() and run.evaluation()["task"] == "anomaly"
    best = min(trials, key=lambda t: t.score)
    assert state["best_trial_id"] == best.trial_id
    assert run.evaluation()["best_trial"]["trial_id"] == best.trial_id


class Crash(Exception):
    pass


@pytest.mark.slow
def test_a_run_that_crashed_in_its_second_trial_resumes_from_the_first(tmp_path):
    from dlstudio.core.engine.anomaly import run_anomaly
    from dlstudio.core.engine.run import resume_run
    from dlstudio.core.events import TrialStarted
    from dlstudio.core.project import Project

    def crash_in_second(event):
        if isinstance(event, TrialStarted) and event.number == 2:
            raise Crash("the process died")

    with pytest.raises(Crash):
        run_anomaly(_spec(2), SETTINGS, tmp_path, crash_in_second)
    (run,) = Project(tmp_path).runs()
    first = run.trials()
    assert len(first) == 1 and not run.model_path.exists()

    resume_run(run)
    trials = run.trials()
    assert run.state()["status"] == "completed" and len(trials) == 2
    assert _same_trial(first[0], trials[0])
    assert run.model_path.exists()


def test_formats_are_checked_from_the_card_before_anything_loads():
    from dlstudio.core.model_files import checked_formats

    def export_formats(card, formats):
        return checked_formats(formats, card)

    conv = {"hyperparameters": {"template": "conv_autoencoder"}}
    lstm = {"hyperparameters": {"template": "lstm_autoencoder"}}
    assert export_formats(conv, None) == ["keras", "savedmodel", "onnx", "tflite"]
    assert export_formats(lstm, None) == ["keras", "savedmodel", "onnx"]
    with pytest.raises(DlstudioError, match="LSTM's loop"):
        export_formats(lstm, ["keras", "tflite"])
    with pytest.raises(DlstudioError, match="--format pdf"):
        export_formats(conv, ["pdf"])


@pytest.mark.slow
def test_every_offered_format_reloads_and_scores_raw_readings_as_the_run_does(tmp_path):
    import keras
    import onnxruntime
    import tensorflow as tf

    from dlstudio.core.data.anomaly_data import model_inputs, read_table
    from dlstudio.core.engine.anomaly import export_anomaly, run_anomaly

    run = run_anomaly(_spec(1), SETTINGS, tmp_path / "project")
    out = tmp_path / "export"
    checked = export_anomaly(run.path, None, out)
    assert [c.format for c in checked] == ["keras", "savedmodel", "onnx", "tflite"]
    assert all(c.max_difference <= 1e-4 for c in checked)
    card = (out / "model_card.md").read_text()
    assert "## Exported files" in card and "model.onnx" in card

    # Scored here as well, on the real readings, beside the run's own model.
    raw = read_table(SLICE)[["value"]].to_numpy("float32")
    x = model_inputs(raw, "series", 12)
    original = keras.saving.load_model(run.model_path)({"values": x})
    want_scores = np.asarray(original["score"])
    want_flags = np.asarray(original["is_anomaly"]).astype(bool)
    assert 0 < want_flags.sum() < len(x)  # both answers are compared

    saved = tf.saved_model.load(str(out / "savedmodel"))  # kept: serve needs its variables
    served = saved.serve({"values": tf.constant(x)})
    session = onnxruntime.InferenceSession(str(out / "model.onnx"))
    names = [o.name for o in session.get_outputs()]
    onnx = dict(zip(names, session.run(None, {"values": x}), strict=True))
    runner = tf.lite.Interpreter(model_path=str(out / "model.tflite")).get_signature_runner()
    lite = runner(values=x)
    for got in (served, onnx, lite):
        scores = np.asarray(got["score"]).ravel()
        np.testing.assert_allclose(scores, want_scores, rtol=1e-4, atol=1e-4)
        assert np.array_equal(np.asarray(got["is_anomaly"]).astype(bool).ravel(), want_flags)
