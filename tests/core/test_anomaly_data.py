"""Reading data for anomaly detection: series or table, labels only to evaluate, plain errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dlstudio.core.anomaly_metrics import point_metrics, verdict, window_metrics
from dlstudio.core.data.anomaly_data import AnomalySettings, load_anomaly_data, model_inputs
from dlstudio.core.errors import DlstudioError

DATA = Path(__file__).resolve().parents[1] / "data"
SLICE = DATA / "nab_ec2_latency_slice.csv"
WINDOWS = DATA / "nab_ec2_latency_windows.json"


def test_a_series_with_labelled_windows():
    data = load_anomaly_data(SLICE, AnomalySettings(label_windows=str(WINDOWS), window=12))
    assert data.kind == "series" and data.features == ["value"]
    assert data.train_end == 350  # the first half is assumed normal
    # NAB's window 2014-03-14 03:31 to 14:41, every 5 minutes: 135 readings
    assert data.windows == [(414, 548)] and int(data.labels.sum()) == 135
    assert str(data.times[414]) == "2014-03-14 03:31:00"
    samples = data.samples()
    assert samples.shape == (700 - 11, 12, 1)
    assert samples[0, -1, 0] == pytest.approx(data.values[11, 0])  # a window ends on its row
    assert data.scored_rows()[0] == 11


def test_a_table_reads_numbers_and_the_rarer_label_value(cancer_csv):
    data = load_anomaly_data(cancer_csv, AnomalySettings(label_column="diagnosis"))
    assert data.kind == "table" and data.window == 1 and data.train_end == 569
    assert "diagnosis" not in data.features and len(data.features) == 30
    assert int(data.labels.sum()) == 212  # the malignant rows
    assert any("malignant" in note for note in data.notes)


def test_penguins_leave_out_words_and_keep_missing_numbers(penguins_csv):
    data = load_anomaly_data(penguins_csv, AnomalySettings())
    assert data.labels is None and "species" not in data.features
    assert np.isnan(data.values).any()  # the model's scaling turns a missing value into the mean
    assert any("Left out" in note for note in data.notes)


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        (AnomalySettings(label_column="nope"), "--label-column 'nope'"),
        (AnomalySettings(time_column="when"), "--time-column 'when'"),
        (AnomalySettings(normal_share=0.01), "assumed normal"),
        (AnomalySettings(window=1), "--window 1"),
    ],
)
def test_mistakes_say_what_to_do(settings, words):
    with pytest.raises(DlstudioError) as caught:
        load_anomaly_data(SLICE, settings)
    assert words in str(caught.value)


def test_windows_of_another_file_are_refused(tmp_path):
    other = tmp_path / "other.csv"
    pd.read_csv(SLICE).to_csv(other, index=False)
    with pytest.raises(DlstudioError, match="has no windows for other.csv"):
        load_anomaly_data(other, AnomalySettings(label_windows=str(WINDOWS)))


def test_metrics_of_a_perfect_and_a_useless_score():
    labels = np.zeros(100, dtype=bool)
    labels[40:50] = True
    perfect = labels.astype(float) + np.linspace(0, 0.1, 100)
    metrics = point_metrics(perfect, labels, 0.5)
    assert metrics["roc_auc"] == 1.0 and metrics["f1"] == 1.0
    flat = point_metrics(np.ones(100), labels, 2.0)
    assert flat["roc_auc"] == 0.5 and flat["recall"] == 0.0
    caught = window_metrics(perfect, 0.5, [(40, 49), (70, 79)])
    assert caught["windows_caught"] == 1 and caught["details"][0]["first_flag_share"] == 0.0


def test_verdict_compares_with_chance_and_isolation_forest():
    evaluation = {
        "metrics": {"roc_auc": 0.83, "precision": 0.5, "recall": 0.25},
        "baselines": {"isolation_forest": {"roc_auc": 0.61}},
    }
    words = verdict(evaluation)
    assert words["beats_baseline"] is True
    assert "0.83 against 0.50" in words["headline"]
    assert "above IsolationForest (0.61)" in words["headline"]
    unlabelled = verdict({"metrics": {"flagged": 3, "rows_scored": 90}, "threshold": {}})
    assert unlabelled["beats_baseline"] is None and "3 of 90" in unlabelled["headline"]


def test_windows_of_a_series():
    values = np.arange(10, dtype="float32").reshape(-1, 1)
    windows = model_inputs(values, "series", 4)
    assert windows.shape == (7, 4, 1) and windows[-1, :, 0].tolist() == [6, 7, 8, 9]


def test_the_house_verdict_speaks_for_anomaly_runs():
    from dlstudio.core.verdict import describe

    evaluation = {"task": "anomaly", "metrics": {"roc_auc": 0.55}, "baselines": {}}
    words = describe(evaluation)
    assert words["beats_baseline"] is False and "no better than chance" in words["headline"]


def test_an_arch_or_setting_the_autoencoders_lack_is_refused():
    from dlstudio.core.anomaly_space import check_model_choice

    with pytest.raises(DlstudioError, match="--arch 'mlp'"):
        check_model_choice("table", "mlp", {})
    with pytest.raises(DlstudioError, match="--set filters"):
        check_model_choice("table", None, {"filters": 8})


def _recording(path: Path, rows=slice(None), changepoint=True, anomaly=True) -> Path:
    """A SKAB-like recording made from the NAB slice: its readings with an `anomaly` column
    (1 inside NAB's labelled window, rows 414-548) and a `changepoint` column (1 where the
    window starts and ends), cut to `rows`."""
    frame = pd.read_csv(SLICE)
    if anomaly:
        frame["anomaly"] = 0
        frame.loc[414:548, "anomaly"] = 1
    if changepoint:
        frame["changepoint"] = 0
        frame.loc[[414, 548], "changepoint"] = 1
    frame.iloc[rows].to_csv(path, index=False)
    return path


def test_a_column_that_looks_like_labels_is_proposed_and_the_others_left_out(tmp_path):
    recording = _recording(tmp_path / "recording.csv")
    data = load_anomaly_data(recording, AnomalySettings(window=12))
    assert data.label_column == "anomaly" and int(data.labels.sum()) == 135
    assert data.features == ["value"]  # neither the labels nor the changepoints are inputs
    assert data.left_out == {"changepoint": "looks like a label"}
    assert any(
        note.startswith("'changepoint' looks like a label, left out of the inputs")
        for note in data.notes
    )
    assert any("'anomaly' looks like the labels" in note for note in data.notes)
    words = data.learnt_from()
    assert words.startswith(
        "Normal was learnt from 29.1 hours (350 readings) of one recording, recording.csv."
    )
    assert "Labels from 'anomaly'" in words and "'changepoint' looks like a label" in words
    assert "the part it learnt from included" in data.judged_on()


def test_the_user_overrides_the_labels_and_the_inputs(tmp_path):
    recording = _recording(tmp_path / "recording.csv")
    chosen = load_anomaly_data(recording, AnomalySettings(label_column="changepoint", window=12))
    assert chosen.label_column == "changepoint" and int(chosen.labels.sum()) == 2
    assert chosen.features == ["value"] and "anomaly" in chosen.left_out
    kept = AnomalySettings(inputs=["value", "changepoint"], window=12)
    assert load_anomaly_data(recording, kept).features == ["value", "changepoint"]
    with pytest.raises(DlstudioError, match="--inputs 'anomaly': the time or the labels"):
        load_anomaly_data(recording, AnomalySettings(inputs=["value", "anomaly"], window=12))


def test_a_0_1_column_tied_to_the_labels_is_left_out_whatever_its_name(tmp_path):
    frame = pd.read_csv(SLICE)
    frame["state"] = 0
    frame.loc[410:548, "state"] = 1  # the labelled window, from a few readings before it
    frame["pump_on"] = (np.arange(len(frame)) % 7 == 0).astype(int)  # a real 0/1 reading
    states = tmp_path / SLICE.name  # the name its windows are kept under
    frame.to_csv(states, index=False)
    settings = AnomalySettings(label_windows=str(WINDOWS), window=12)
    data = load_anomaly_data(states, settings)
    assert data.features == ["value", "pump_on"]
    assert data.left_out == {"state": "agrees with the labels"}
    assert any("'state' agrees with the labels (correlation 0.98)" in n for n in data.notes)


def test_an_anomaly_free_recording_leaves_its_label_columns_out_without_labels(tmp_path):
    recording = _recording(tmp_path / "clean.csv", rows=slice(0, 400))  # before the window
    data = load_anomaly_data(recording, AnomalySettings(window=12))
    assert data.labels is None and data.features == ["value"]
    assert set(data.left_out) == {"anomaly", "changepoint"}


def test_names_that_look_like_labels():
    from dlstudio.core.data.anomaly_data import label_rank

    assert label_rank("anomaly") == label_rank("isAnomaly") == label_rank("Is_Anomaly") == 0
    assert label_rank("change_point") == label_rank("changepoint") == 4
    assert label_rank("Normal/Attack") == 3 and label_rank("label") == 2
    assert label_rank("default") is None and label_rank("value") is None


def test_another_recording_is_read_to_judge_on(tmp_path):
    first = _recording(tmp_path / "first.csv", rows=slice(0, 380))  # ends before the window
    second = _recording(tmp_path / "second.csv", rows=slice(380, None), changepoint=False)
    data = load_anomaly_data(first, AnomalySettings(window=12, judge_on=str(second)))
    assert data.labels is None and data.features == ["value"]
    judged = data.judged
    assert judged.source == "second.csv" and judged.rows == 320 and judged.train_end == 0
    assert judged.label_column == "anomaly" and int(judged.labels.sum()) == 135
    assert judged.features == ["value"] and judged.samples().shape == (309, 12, 1)
    assert data.judged_on() == (
        "Judged on second.csv, a recording it did not learn from "
        "(320 readings, 135 labelled anomalous)."
    )
    unlabelled = _recording(tmp_path / "next.csv", rows=slice(380, None), anomaly=False)
    later = load_anomaly_data(first, AnomalySettings(window=12, judge_on=str(unlabelled)))
    assert later.judged.labels is None and "without labels" in later.judged_on()
    pd.read_csv(second).rename(columns={"value": "latency"}).to_csv(tmp_path / "bad.csv")
    with pytest.raises(DlstudioError, match="The recording to judge on, bad.csv, lacks the column"):
        load_anomaly_data(first, AnomalySettings(window=12, judge_on=str(tmp_path / "bad.csv")))


def test_inspect_guesses_the_anomaly_column_of_a_labelled_recording_as_the_target():
    from dlstudio.core.data.schema import ColumnRole, guess_target

    columns = ["timestamp", "value", "anomaly", "changepoint"]
    kinds = [ColumnRole.DATETIME, ColumnRole.NUMERIC, ColumnRole.BOOLEAN, ColumnRole.BOOLEAN]
    roles = dict(zip(columns, kinds, strict=True))
    assert guess_target(columns, roles)[0] == "anomaly"  # not the last column, changepoint
