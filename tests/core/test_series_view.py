"""What the window's Data step reads for forecasting and anomaly detection
(core/data/series_view.py), and the session keeping a forecast's horizon."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlstudio.core.config import DataSpec, SplitSpec
from dlstudio.core.data.series_view import carried_over, load_series_view
from dlstudio.core.errors import DlstudioError
from dlstudio.core.session import Session

NAB = Path(__file__).resolve().parents[1] / "data" / "nab_ec2_latency_slice.csv"


@pytest.fixture
def hourly_csv(tmp_path) -> Path:
    """Ten days of hourly readings, two of them missing."""
    lines = ["when,load,site"]
    for hour in range(240):
        if hour in (50, 51):
            continue
        lines.append(f"2024-01-{1 + hour // 24:02d} {hour % 24:02d}:00,{hour % 24},a")
    path = tmp_path / "load.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_forecast_view_says_its_facts_and_marks_the_filled_hours(hourly_csv):
    view = load_series_view(hourly_csv, DataSpec(str(hourly_csv), task="forecast"))
    facts = dict(view.facts)
    assert facts["Frequency"] == "hourly" and facts["Season"] == "24 steps"
    assert facts["Missing values filled"] == "2"
    assert int(view.filled.sum()) == 2 and not view.left_out.any()
    assert view.spec.split.time_column == "when" and view.spec.target == "load"
    assert view.proposed["horizon"] == 24 and "season" in view.reasons["horizon"]
    assert view.profile.task.value == "forecast" and view.profile.kind.value == "series"


def test_an_anomaly_view_keeps_the_settings_it_was_read_with():
    spec = DataSpec(str(NAB), task="anomaly", anomaly={"normal_share": 0.4})
    view = load_series_view(NAB, spec)
    assert view.spec.anomaly["time_column"] == "timestamp"  # found by name, then kept
    assert view.spec.anomaly["normal_share"] == 0.4
    assert view.proposed["window"] >= 8 and view.normal_end == view.times[280]
    with pytest.raises(DlstudioError, match="not a column"):
        load_series_view(NAB, DataSpec(str(NAB), task="anomaly", anomaly={"label_column": "x"}))


def test_the_time_column_moves_between_a_forecast_and_an_anomaly_search():
    forecast = DataSpec("x.csv", "sales", task="forecast", split=SplitSpec(time_column="month"))
    anomaly = carried_over(forecast, "anomaly")
    assert anomaly.anomaly["time_column"] == "month" and anomaly.split.time_column is None
    back = carried_over(anomaly, "forecast")
    assert back.split.time_column == "month" and back.target == "sales"
    table = carried_over(DataSpec("x.csv", "species", task="binary"), "forecast")
    assert table.target is None  # a class column is not proposed as the series to forecast


def test_the_session_keeps_a_horizon_for_the_data_loaded_only(tmp_path):
    session = Session(tmp_path)
    data = DataSpec(str(tmp_path / "a.csv"), task="forecast")
    session.set_data(data)
    told = []
    session.subscribe(told.append)
    session.set_choices(DataSpec(data.path, task="forecast", horizon=6))
    assert session.data.horizon == 6 and told == ["data"]
    with pytest.raises(DlstudioError, match="data loaded"):
        session.set_choices(DataSpec(str(tmp_path / "b.csv"), horizon=3))
    assert session.data.horizon == 6
