"""Time series tables as a user brings them: found, put on a grid, and what was fixed, said."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dlstudio.core.data import backtest
from dlstudio.core.data.timeseries import load_series, looks_like_series, next_times
from dlstudio.core.errors import DlstudioError
from dlstudio.core.verdict import forecast_verdict


def monthly(points: int = 120) -> pd.DataFrame:
    months = pd.date_range("2000-01-01", periods=points, freq="MS")
    t = np.arange(points)
    sales = 100 + t + 20 * np.sin(2 * np.pi * t / 12)
    return pd.DataFrame({"Month": months.strftime("%Y-%m"), "Sales": sales.round(2)})


def test_a_monthly_table_is_a_series_with_a_season_of_12(tmp_path):
    path = tmp_path / "sales.csv"
    monthly().to_csv(path, index=False)
    series = looks_like_series(path)
    info = series.to_dict()
    assert (info["time_column"], info["target"], info["frequency"], info["season"]) == (
        "Month",
        "Sales",
        "monthly",
        12,
    )
    assert (info["proposed_horizon"], info["proposed_context"]) == (12, 24)
    assert (info["start"], info["end"]) == ("2000-01", "2009-12")
    assert [str(t.date()) for t in next_times(series, 2)] == ["2010-01-01", "2010-02-01"]


def test_date_parts_over_columns_are_combined_into_an_hourly_series(tmp_path):
    times = pd.date_range("2020-01-01", periods=24 * 10, freq="h")
    frame = pd.DataFrame(
        {
            "No": range(len(times)),
            "year": times.year,
            "month": times.month,
            "day": times.day,
            "hour": times.hour,
            "load": np.sin(np.arange(len(times)) / 24 * 2 * np.pi) + 5,
        }
    )
    path = tmp_path / "load.csv"
    frame.to_csv(path, index=False)
    series = load_series(path)
    assert (series.time_column, series.target, series.frequency_words, series.season) == (
        "year+month+day+hour",
        "load",
        "hourly",
        24,
    )
    assert len(series) == 240


def test_duplicates_are_averaged_and_gaps_filled_and_said(tmp_path):
    frame = monthly()
    frame = pd.concat([frame, frame.iloc[[5]].assign(Sales=frame.Sales.iloc[5] + 10)])
    frame = frame.drop(index=[40, 41])  # a gap of two months
    frame.loc[60, "Sales"] = np.nan  # a missing value
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    series = load_series(path, "Month", "Sales")
    assert len(series) == 120
    assert series.duplicates == 1 and series.filled == 3 and series.unobserved == 0
    assert series.values[5] == pytest.approx(monthly().Sales[5] + 5)
    said = " ".join(series.notes)
    assert "1 duplicate timestamp(s): their values were averaged" in said
    assert "3 missing value(s)" in said and "interpolation" in said


def test_a_long_gap_is_filled_but_never_scored(tmp_path):
    frame = monthly(200).drop(index=range(100, 130))  # 30 months missing: longer than a season
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    series = load_series(path)
    assert series.unobserved == 30 and not series.observed[100:130].any()
    at = backtest.origins(0, 200, 24, 12, series.observed)
    assert not any(o < 130 and o + 12 > 100 for o in at)  # no window forecasts into the gap


def test_irregular_steps_and_mostly_missing_series_are_refused(tmp_path):
    hours = np.arange(100) * 24 + np.random.default_rng(0).integers(0, 20, 100)  # any hour
    frame = pd.DataFrame({"when": pd.Timestamp("2020-01-01") + pd.to_timedelta(hours, "h")})
    frame["when"] = frame["when"].dt.strftime("%Y-%m-%d %H:00")
    frame["value"] = np.arange(100.0)
    path = tmp_path / "irregular.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DlstudioError, match="irregular steps"):
        load_series(path)
    holes = monthly(200)
    holes.loc[20:150, "Sales"] = np.nan
    path = tmp_path / "holes.csv"
    holes.to_csv(path, index=False)
    with pytest.raises(DlstudioError, match="missing in gaps longer than 12 steps"):
        load_series(path)


def test_an_ordinary_table_is_not_a_series(penguins_csv):
    assert looks_like_series(penguins_csv) is None


def test_seasonal_naive_is_perfect_on_a_purely_seasonal_series():
    values = np.tile(np.arange(12.0), 10)
    observed = np.ones(len(values), bool)
    at = backtest.origins(96, 120, 24, 6, observed)
    actual = backtest.windows(values, at, 24, 6)[1]
    scale = backtest.seasonal_scale(values + np.arange(120), 96, 12, observed)
    forecasts = backtest.baselines(values, at, 6, 12)
    assert backtest.scores(actual, forecasts["seasonal naive"], scale)["mase"] == 0
    assert backtest.scores(actual, forecasts["last value"], scale)["mae"] > 0
    bounds = backtest.interval(actual, actual + 1.0)
    assert all(lo <= 0 <= hi for lo, hi in zip(bounds["lower"], bounds["upper"], strict=True))


def test_the_interval_has_width_on_both_sides_when_validation_errors_lean_one_way():
    """Issue 26: a model that over-forecast every validation origin (a stretch below the trend)
    gave quantiles of the signed errors all below zero; clipped at the forecast, upper ==
    forecast at those steps. The interval holds the absolute errors, on both sides."""
    rng = np.random.default_rng(0)
    actual = rng.normal(100, 5, (11, 12))
    forecast = actual + rng.uniform(2, 30, (11, 12))  # over-forecast at every origin and step
    bounds = backtest.interval(actual, forecast)
    lower, upper = np.array(bounds["lower"]), np.array(bounds["upper"])
    assert (lower < 0).all() and (upper > 0).all()
    np.testing.assert_allclose(-lower, upper)
    # Split conformal: with 11 origins, the 11th smallest absolute error (the largest).
    np.testing.assert_allclose(upper, np.abs(actual - forecast).max(axis=0))
    low, high = backtest.bounds(forecast, bounds)
    assert ((actual >= low) & (actual <= high)).mean() >= 0.9


def test_the_lower_bound_stops_at_zero_only_for_a_series_that_never_goes_below():
    values = np.array([0.0, 3.0, 1.0, 4.0])
    assert backtest.floor_of(values, np.ones(4, bool)) == 0.0
    assert backtest.floor_of(values - 2, np.ones(4, bool)) is None
    bounds = {"lower": [-5.0, -5.0], "upper": [5.0, 5.0], "floor": 0.0}
    low, high = backtest.bounds(np.array([2.0, 8.0]), bounds)
    assert list(low) == [0.0, 3.0] and list(high) == [7.0, 13.0]
    low, _ = backtest.bounds(np.array([-1.0, 8.0]), bounds)  # a forecast below the floor
    assert low[0] == -1.0  # the interval still holds the forecast


@pytest.mark.parametrize(("points", "horizon"), [(108, 12), (90, 12), (60, 7), (40, 4)])
def test_a_monthly_series_is_proposed_a_whole_season_unless_it_is_too_short(
    tmp_path, points, horizon
):
    """Issue 26: 108 months were proposed 10 steps (a tenth of the series), not the season."""
    from dlstudio.core.config import DataSpec
    from dlstudio.core.data.series_view import load_series_view

    path = tmp_path / "sales.csv"
    monthly(points).to_csv(path, index=False)
    series = load_series(path)
    assert series.season == 12 and series.proposed_horizon() == horizon
    backtest.split_series(points, series.proposed_context(horizon), horizon)  # it fits
    view = load_series_view(path, DataSpec(str(path), task="forecast"))
    assert view.proposed["horizon"] == horizon
    said = view.reasons["horizon"]
    assert ("one season" in said) == (horizon == 12)
    assert (f"the most that {points} values leave room for" in said) == (horizon < 12)


def test_a_series_too_short_for_its_context_is_refused_with_what_would_fit():
    with pytest.raises(DlstudioError, match="Give a shorter --context or --horizon"):
        backtest.split_series(60, 36, 12)
    split = backtest.split_series(144, 24, 12)
    assert (split.train_end, split.validation_end) == (100, 122)


def test_the_verdict_says_whether_the_model_beats_seasonal_naive():
    evaluation = {
        "metrics": {"mae": 20.0, "mase": 0.8},
        "baselines": {"seasonal naive": {"mae": 30.0, "mase": 1.2}},
    }
    verdict = forecast_verdict(evaluation, 12)
    assert verdict["beats_baseline"]
    assert "12 steps earlier (seasonal naive)" in verdict["text"]
    assert "MASE 0.80 against 1.20" in verdict["text"]
    evaluation["metrics"] = {"mae": 40.0, "mase": 1.6}
    assert "does not beat seasonal naive" in forecast_verdict(evaluation, 12)["text"]


def test_the_linear_reference_learns_a_trend_and_the_verdict_names_it():
    values = np.arange(200.0) * 2 + np.tile([0.0, 5.0, 0.0, -5.0], 50)
    observed = np.ones(200, bool)
    train = backtest.windows(values, backtest.origins(0, 150, 8, 4, observed), 8, 4)
    at = backtest.origins(150, 200, 8, 4, observed)
    inputs, actual = backtest.windows(values, at, 8, 4)
    forecast, seconds = backtest.linear_reference(train, inputs)
    assert np.abs(forecast - actual).max() < 1.0 and seconds >= 0
    evaluation = {
        "metrics": {"mae": 2.0, "mase": 0.5},
        "baselines": {"seasonal naive": {"mae": 4.0, "mase": 1.0}},
        "classic": {"name": "linear regression on lags", "metrics": {"mase": 0.1}},
    }
    verdict = forecast_verdict(evaluation, 4)
    assert "Linear regression on lags on the same windows scores MASE 0.10" in verdict["text"]
    assert "did not earn its keep" in verdict["text"]
    assert verdict["tone"] == "mixed"  # the headline is not green when the linear model wins


def test_a_lead_over_seasonal_naive_on_five_origins_is_said_to_be_possibly_luck():
    """Five test origins cannot carry a claim (a Wilcoxon test on 5 pairs never reaches
    p < 0.05); fifty consistent ones can."""
    rng = np.random.default_rng(0)

    def evaluation(origins: int) -> dict:
        actual = rng.normal(100, 10, size=(origins, 12))
        ours = actual + rng.normal(0, 5, size=actual.shape)
        naive = actual + rng.normal(0, 8, size=actual.shape)
        return {
            "metrics": {"mae": 4.0, "mase": 0.8},
            "baselines": {"seasonal naive": {"mae": 6.4, "mase": 1.2}},
            "baseline": {"paired": backtest.paired_by_origin(actual, ours, naive)},
        }

    few = forecast_verdict(evaluation(5), 12)
    assert few["beats_baseline"] and few.get("within_noise")
    assert (
        "could be luck (Wilcoxon signed-rank test on the 5 forecast origins: p =" in (few["text"])
    )
    assert "The model beats seasonal naive" not in few["text"]
    many = forecast_verdict(evaluation(50), 12)
    assert not many.get("within_noise")
    assert (
        "The model beats seasonal naive (Wilcoxon signed-rank test on the 50 forecast"
        in (many["text"])
    )


def test_the_linear_reference_forecasts_one_step_ahead_in_the_windows_shape():
    """Horizon 1: scikit-learn answers (n,) for (n, 1) targets; the reference must stay (n, 1)
    (it broadcast to (n, n) before, and its scores were taken over that square)."""
    values = np.arange(120.0) + np.tile([0.0, 3.0, -3.0], 40)
    observed = np.ones(120, bool)
    train = backtest.windows(values, backtest.origins(0, 90, 6, 1, observed), 6, 1)
    inputs, actual = backtest.windows(values, backtest.origins(90, 120, 6, 1, observed), 6, 1)
    forecast, _ = backtest.linear_reference(train, inputs)
    assert forecast.shape == actual.shape == (len(inputs), 1)
