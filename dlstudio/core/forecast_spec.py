"""What a forecasting run reads from its spec, the templates and their search spaces as data,
and the checks made before a run folder exists.

No Keras here: the CLI and the window check a forecast (and the window's Model step lists the
templates) before the training process starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dlstudio.core.errors import DlstudioError
from dlstudio.core.families import NO_BACKBONE, NO_CLIPPING, SHEET, Family, Unread, own_space

if TYPE_CHECKING:  # pandas loads with the series, not with the families' registry
    from dlstudio.core.data.timeseries import Series

FORECAST_TEMPLATES = ("dense_lags", "lstm", "gru", "tcn", "transformer")
TEMPLATE_WORDS = {
    "dense_lags": "dense network on lagged values",
    "lstm": "LSTM encoder",
    "gru": "GRU encoder",
    "tcn": "dilated 1-D convolutions (TCN-style)",
    "transformer": "small Transformer encoder",
}
# Each template's search space, as {name: values to draw from}; the first value is the default.
SPACES = {
    "dense_lags": {"units": [64, 32, 128], "layers": [2, 1, 3], "dropout": [0.0, 0.1, 0.2]},
    "lstm": {"units": [32, 16, 64], "layers": [1, 2], "dropout": [0.0, 0.1]},
    "gru": {"units": [32, 16, 64], "layers": [1, 2], "dropout": [0.0, 0.1]},
    "tcn": {"filters": [32, 16, 64], "kernel_size": [3, 2, 5], "blocks": [3, 2, 4]},
    "transformer": {"d_model": [32, 16, 64], "heads": [2, 4], "layers": [1, 2]},
}
COMMON_SPACE = {
    "learning_rate": [1e-3, 3e-3, 3e-4],
    "loss": ["mae", "mse"],
    "anchor": ["seasonal", "last"],
    "batch_size": [32, 64, 16],
}


def template_space(template: str) -> dict[str, list]:
    """Every hyperparameter of `template` with the values the search draws from (default
    first): its own and those all forecasters share."""
    return {**SPACES[template], **COMMON_SPACE}


def series_of(spec) -> Series:
    """The spec's target series on its regular grid."""
    from dlstudio.core.data.timeseries import load_series

    return load_series(
        spec.data.path,
        spec.data.split.time_column,
        spec.data.target,
        covariates=tuple(getattr(spec.data, "covariates", None) or ()),
        known_covariates=tuple(getattr(spec.data, "known_covariates", None) or ()),
    )


def sizes(spec, series: Series) -> tuple[int, int]:
    """(context, horizon): the user's, or proposed from the frequency."""
    horizon = getattr(spec.data, "horizon", None) or series.proposed_horizon()
    context = getattr(spec.data, "context", None) or series.proposed_context(horizon)
    return int(context), int(horizon)


def check_sizes(length: int, context: int, horizon: int) -> None:
    """Whether a series of `length` values leaves enough training windows for this context and
    horizon (the window checks as the user types). Raises DlstudioError."""
    from dlstudio.core.data.backtest import split_series  # numpy only, no Keras

    split_series(length, context, horizon)


def check_forecast(spec) -> None:
    """Everything a forecasting run needs, checked before a run folder is made.

    Raises:
        DlstudioError: What was received, what was expected and how to fix it.
    """
    from dlstudio.core.data.backtest import split_series

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


def templates(kind: str | None = None) -> dict[str, tuple[str, dict[str, list]]]:
    """Every forecaster, in words and with its values (any series: `kind` is not read)."""
    return {name: (TEMPLATE_WORDS[name], template_space(name)) for name in FORECAST_TEMPLATES}


def tested_words(evaluation: dict, card: dict) -> str:
    """ "tested from 11 origins in the last part of the series (…), 12 monthly steps ahead
    each." """
    test = evaluation.get("backtest", {})
    return (
        f"tested from {test.get('origins', 0)} origins in the last part of the series "
        f"({test.get('start', '?')} to {test.get('end', '?')}), {test.get('horizon', '?')} "
        f"{card.get('frequency_words', '')} steps ahead each."
    )


def check_against_view(spec, dataset) -> None:
    """The sizes against the series as the window's Data step read it (a SeriesView)."""
    horizon = spec.data.horizon or dataset.proposed["horizon"]
    check_sizes(len(dataset.values), spec.data.context or dataset.proposed["context"], horizon)


def keras_code(card: dict, model_path: str) -> str:
    """Python that forecasts with the exported .keras file (the Export step shows it)."""
    context, horizon = card.get("context"), card.get("horizon")
    return (
        "import keras, numpy as np\n"
        f'model = keras.saving.load_model("{model_path}")\n'
        f"history = np.array([[...]], dtype='float32')  # the last {context} values, "
        "oldest first\n"
        f'forecast = model({{"history": history}})["forecast"]  # the next {horizon}\n'
    )


# ------------------------------------------------------------------ the family's record

FAMILY = Family(
    "forecast",
    ("forecast",),
    "forecasting",
    "dlstudio.core.engine.forecast:run_forecast",
    "dlstudio.core.engine.forecast:export_forecast",
    "dlstudio.core.engine.forecast:forecast_file",
    check="dlstudio.core.validate:check_forecast_run",
    templates="dlstudio.core.forecast_spec:templates",
    best_words="the mean error of its forecasts",
    view_check="dlstudio.core.forecast_spec:check_against_view",
    printer="dlstudio.cli.tasks.forecast",
    results_view="dlstudio.gui.wizard.forecast_view:ForecastView",
    tested_words="dlstudio.core.forecast_spec:tested_words",
    keras_use="for Python with Keras 3: the last values in, the forecast out",
    keras_code="dlstudio.core.forecast_spec:keras_code",
    predict_button="Forecast after a history file…",
    predict_use="A table with the time column and the last values of the series (at least the "
    "model's context); the forecast is of the steps after its end",
    # A forecaster's loss is a hyperparameter too (MAE or MSE); MAE is what every one reports.
    objectives=("val_mae",),
    search_words="compares trials by their validation MAE (the loss is a hyperparameter there)",
    reads=("--horizon", "--context", "--covariates", "--known-covariates"),
    unread={
        "--sheet": SHEET,
        "--role": Unread(
            "a forecast reads only its time column, its target and the covariates named",
            "Name the columns to read beside the target with --covariates or "
            "--known-covariates, and leave --role out.",
        ),
        "--weights": NO_BACKBONE,
        "--clip-norm": NO_CLIPPING,
        "--space": own_space("core/forecast_spec.py"),
    },
)
