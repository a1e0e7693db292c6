"""What a forecasting run reads from its spec, and the checks made before a run folder exists.

No Keras here: the CLI and the window check a forecast before the training process starts.
"""

from __future__ import annotations

from dlstudio.core.data.timeseries import Series, load_series
from dlstudio.core.errors import DlstudioError

FORECAST_TEMPLATES = ("dense_lags", "lstm", "gru", "tcn", "transformer")


def series_of(spec) -> Series:
    """The spec's target series on its regular grid."""
    return load_series(spec.data.path, spec.data.split.time_column, spec.data.target)


def sizes(spec, series: Series) -> tuple[int, int]:
    """(context, horizon): the user's, or proposed from the frequency."""
    horizon = getattr(spec.data, "horizon", None) or series.proposed_horizon()
    context = getattr(spec.data, "context", None) or series.proposed_context(horizon)
    return int(context), int(horizon)


def check_forecast(spec) -> None:
    """Everything a forecasting run needs, checked before a run folder is made.

    Raises:
        DlstudioError: What was received, what was expected and how to fix it.
    """
    from dlstudio.core.engine.backtest import split_series

    for name in ("horizon", "context"):
        value = getattr(spec.data, name, None)
        least = 1 if name == "horizon" else 2
        if value is not None and (not isinstance(value, int) or value < least):
            raise DlstudioError(
                f"--{name} {value!r}.",
                f"a whole number of steps, at least {least}",
                f"Fix --{name}, or leave it out to use the proposed one.",
            )
    if spec.model.template is not None and spec.model.template not in FORECAST_TEMPLATES:
        raise DlstudioError(
            f"The architecture {spec.model.template!r}.",
            f"one of the forecasting templates: {', '.join(FORECAST_TEMPLATES)}",
            "Fix --arch, or leave it out to try them all.",
        )
    series = series_of(spec)
    context, horizon = sizes(spec, series)
    split_series(len(series), context, horizon)
