"""An anomaly run as the engine makes it: events, a kept model that scores raw readings,
evaluation beside the references, and a budget that is kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.data.anomaly_data import AnomalySettings
from dlstudio.core.events import EpochEnded, RunFinished, RunStarted, TrialEnded

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data"
SLICE = DATA / "nab_ec2_latency_slice.csv"
WINDOWS = DATA / "nab_ec2_latency_windows.json"


def _spec(path, template=None, epochs=2, trials=1, limit=None, patience=2) -> RunSpec:
    return RunSpec(
        DataSpec(str(path), task="anomaly"),
        ModelSpec(template),
        TrainSpec(epochs=epochs, patience=patience),
        SearchSpec(max_trials=trials, time_limit_s=limit),
    )


def test_a_series_run_scores_every_window_and_keeps_a_model_of_raw_readings(tmp_path):
    from dlstudio.core.engine.anomaly import predict_anomaly, run_anomaly

    events = []
    settings = AnomalySettings(label_windows=str(WINDOWS), window=12)
    run = run_anomaly(_spec(SLICE, "conv_autoencoder"), settings, tmp_path, events.append)

    kinds = [type(e) for e in events]
    assert kinds[0] is RunStarted and kinds[-1] is RunFinished
    assert sum(k is EpochEnded for k in kinds) == 2 and TrialEnded in kinds
    assert "val_loss" in next(e for e in events if isinstance(e, EpochEnded)).metrics

    evaluation = run.evaluation()
    assert evaluation["task"] == "anomaly" and evaluation["metrics"]["rows_scored"] == 689
    assert 0.0 <= evaluation["metrics"]["roc_auc"] <= 1.0
    assert evaluation["baselines"]["random"]["roc_auc"] == 0.5
    assert "roc_auc" in evaluation["baselines"]["isolation_forest"]
    assert evaluation["windows"]["windows"] == 1
    assert "ROC AUC" in evaluation["verdict"]["headline"]
    assert (run.path / "model_card.md").read_text().startswith("# Anomaly detector")

    scores = predict_anomaly(run.path, SLICE)
    assert list(scores.columns) == ["timestamp", "score", "is_anomaly"]
    assert len(scores) == 689 and scores["timestamp"].iloc[0] == "2014-03-12 17:56:00"
    # the exported threshold flags what evaluation counted
    assert int(scores["is_anomaly"].sum()) == evaluation["metrics"]["flagged"]


def test_a_table_run_without_labels_flags_rows_and_reads_missing_values(tmp_path, penguins_csv):
    import keras

    from dlstudio.core.engine.anomaly import predict_anomaly, run_anomaly

    run = run_anomaly(_spec(penguins_csv), AnomalySettings(contamination=0.05), tmp_path)
    evaluation = run.evaluation()
    assert "roc_auc" not in evaluation["metrics"]
    assert evaluation["metrics"]["flagged"] == pytest.approx(0.05 * 344, abs=2)
    assert "Without labels" in evaluation["verdict"]["headline"]

    model = keras.saving.load_model(run.model_path, safe_mode=True)
    row = np.array([[39.1, 18.7, 181.0, 3750.0, 2007.0]], dtype="float32")
    missing = row.copy()
    missing[0, 0] = np.nan
    out = model({"values": np.concatenate([row, missing])})
    assert np.isfinite(np.asarray(out["score"])).all()
    assert set(np.asarray(out["is_anomaly"]).tolist()) <= {True, False}

    scores = predict_anomaly(run.path, penguins_csv)
    assert len(scores) == 344 and scores["row"].iloc[0] == 1


def test_the_budget_ends_the_search_with_the_best_epoch_kept(tmp_path):
    from dlstudio.core.engine.anomaly import run_anomaly

    settings = AnomalySettings(label_windows=str(WINDOWS), window=12)
    # No early stop: only the deadline can end a trial (with patience 2 a trial could end on
    # its own just before the deadline, and the run stop between trials instead).
    spec = _spec(SLICE, epochs=10_000, trials=3, limit=4, patience=10_000)
    run = run_anomaly(spec, settings, tmp_path)
    state = run.state()
    assert state["status"] == "time_limit" and run.model_path.exists()
    assert run.trials()[-1].status.value == "cut_short"


def test_the_engines_start_run_runs_an_anomaly_spec_as_the_window_would(tmp_path):
    from dlstudio.core.engine.run import start_run
    from dlstudio.core.errors import DlstudioError

    settings = {"label_windows": str(WINDOWS), "window": 12}
    data = DataSpec(str(SLICE), task="anomaly", anomaly=settings)
    spec = RunSpec(
        data, ModelSpec("conv_autoencoder"), TrainSpec(epochs=1), SearchSpec(max_trials=1)
    )
    events = []
    run = start_run(spec, tmp_path / "project", events.append)
    assert run.state()["status"] == "completed" and run.evaluation()["task"] == "anomaly"
    assert isinstance(events[-1], RunFinished)
    assert RunSpec.from_dict(spec.to_dict()) == spec  # the settings travel with the spec

    wrong = RunSpec(DataSpec(str(SLICE), task="anomaly", anomaly={"label_column": "nope"}))
    with pytest.raises(DlstudioError, match="--label-column 'nope'"):
        start_run(wrong, tmp_path / "other")
    assert not (tmp_path / "other").exists()


def test_label_columns_are_never_inputs_and_another_recording_is_judged_on(tmp_path):
    import pandas as pd

    from dlstudio.core.engine.anomaly import predict_anomaly, run_anomaly

    frame = pd.read_csv(SLICE)
    frame["anomaly"] = 0
    frame.loc[414:548, "anomaly"] = 1  # NAB's labelled window
    frame["changepoint"] = 0
    frame.loc[[414, 548], "changepoint"] = 1
    learnt, judged, following = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    frame.iloc[:380].to_csv(learnt, index=False)
    frame.iloc[380:].drop(columns="changepoint").to_csv(judged, index=False)
    frame.iloc[380:][["timestamp", "value"]].to_csv(following, index=False)

    settings = AnomalySettings(window=12, judge_on=str(judged))
    run = run_anomaly(_spec(learnt, "conv_autoencoder", epochs=1), settings, tmp_path / "p")
    card = run.read("model_card.json")
    assert card["features"] == ["value"]  # a.csv's `anomaly` is all 0: no labels to read
    evaluation = run.evaluation()
    assert evaluation["judged_file"] == "b.csv" and evaluation["label_column"] == "anomaly"
    assert evaluation["metrics"]["rows_scored"] == 320 - 11  # every window of b.csv, only
    assert evaluation["metrics"]["anomalies"] == 135 and "roc_auc" in evaluation["metrics"]
    assert "later_part" not in evaluation  # all of b.csv is unseen
    detail = evaluation["verdict"]["detail"]
    assert "Normal was learnt from 15.8 hours (190 readings) of one recording, a.csv." in detail
    assert "'anomaly' looks like a label; 'changepoint' looks like a label: left out" in detail
    assert "Judged on b.csv, a recording it did not learn from" in detail
    assert "Normal was learnt from 15.8 hours" in (run.path / "model_card.md").read_text()

    # The next recording, without the label columns, is scored, window by window.
    scores = predict_anomaly(run.path, following)
    assert len(scores) == 320 - 11
    assert 0 < int(scores["is_anomaly"].sum()) < len(scores)
