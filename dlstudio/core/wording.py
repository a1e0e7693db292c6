"""Plain words for the names the engine uses: metrics (with which way is better), trial and run
statuses, hyperparameters and their ranges. One table, so the window, the CLI and the model card
say the same thing.

Nothing here imports Keras or Qt.
"""

from __future__ import annotations

import math
import re

# name -> (what it is, higher is better, a share between 0 and 1 shown as a percentage)
_METRICS: dict[str, tuple[str, bool, bool]] = {
    "accuracy": ("Accuracy", True, True),
    "balanced_accuracy": ("Balanced accuracy", True, True),
    "f1_macro": ("F1 averaged over classes", True, True),
    "precision": ("Precision", True, True),
    "recall": ("Recall", True, True),
    "auc": ("AUC", True, False),
    "pr_auc": ("Precision-recall AUC", True, False),
    "loss": ("Loss", False, False),
    "log_loss": ("Log loss", False, False),
    "mae": ("Mean absolute error", False, False),
    "rmse": ("Root mean squared error", False, False),
    "mse": ("Mean squared error", False, False),
    "r2": ("R²", True, False),
    "smape": ("sMAPE", False, False),
    "mase": ("MASE", False, False),
}

_TRIAL_STATUS = {
    "running": "running",
    "completed": "finished",
    "cut_short": "stopped by the time budget",
    "cancelled": "stopped by you",
    "failed": "failed",
}

_RUN_STATUS = {
    "running": "running",
    "completed": "finished",
    "cancelled": "stopped by you",
    "time_limit": "finished: the time budget ran out",
    "failed": "failed",
    "interrupted": "interrupted (can be resumed)",
}

_HYPERPARAMETERS = {
    "optimizer": "Optimizer",
    "learning_rate": "Learning rate",
    "batch_size": "Batch size",
    "depth": "Hidden layers",
    "units": "Neurons per layer",
    "activation": "Activation",
    "dropout": "Dropout",
    "l1": "L1 penalty (sparser weights)",
    "l2": "L2 penalty (smaller weights)",
    "batch_norm": "Batch normalisation",
    "augment": "Image augmentation",
    "max_tokens": "Vocabulary size",
    "sequence_length": "Words read per text",
    "embedding_dim": "Word vector size",
    "ngrams": "Word groups (n-grams)",
    "image_size": "Image size (pixels)",
    "filters": "Filters",
    "blocks": "Blocks",
    "backbone_trainable": "Fine-tune the pretrained layers",
    "loss": "Loss",
    "heads": "Attention heads",
    "label_smoothing": "Label smoothing",
    "weight_decay": "Weight decay",
    "fine_tune_epochs": "Epochs fine-tuning the pretrained layers",
    "ff_dim": "Feed-forward width",
    "kernel_size": "Filter width",
    "rnn": "Recurrent layer",
    "rnn_units": "Recurrent units",
    "stages": "Stages",
    # forecasting (core/forecast_spec.py) and anomaly detection (core/anomaly_space.py)
    "template": "Architecture",
    "layers": "Layers",
    "anchor": "Starts from",
    "d_model": "Size of each time step's summary",
    "bottleneck": "Bottleneck (numbers each window is squeezed into)",
}

# values whose meaning depends on the hyperparameter they belong to
_HYPERPARAMETER_VALUES = {
    "anchor": {
        "seasonal": "the value one season earlier",
        "last": "the last value",
    },
}


def _split(name: str) -> tuple[str, str]:
    """("val_", "accuracy") from "val_accuracy"; ("", "loss") from "loss"."""
    for prefix in ("val_", "test_"):
        if name.startswith(prefix):
            return prefix, name[len(prefix) :]
    return "", name


def higher_is_better(name: str) -> bool:
    """Whether a larger value of this metric is the better one (unknown ones: a loss)."""
    return _METRICS.get(_split(name)[1], ("", False, False))[1]


def is_share(name: str) -> bool:
    """Whether the metric is a share between 0 and 1 (shown as a percentage, plotted 0–1)."""
    return _METRICS.get(_split(name)[1], ("", False, False))[2]


def metric_name(name: str) -> str:
    """ "Validation accuracy" for val_accuracy, "Mean absolute error" for mae."""
    prefix, base = _split(name)
    label = _METRICS.get(base, (base.replace("_", " ").capitalize(), False, False))[0]
    where = {"val_": "Validation ", "test_": "Test "}.get(prefix, "")
    return where + (label[0].lower() + label[1:] if where and label[:2] != "R²" else label)


def metric_label(name: str) -> str:
    """The name with which way is better: "Validation loss (lower is better)"."""
    better = "higher" if higher_is_better(name) else "lower"
    return f"{metric_name(name)} ({better} is better)"


def metric_value(name: str, value: float | None) -> str:
    """86.0 % for shares, 4 significant digits otherwise; an em dash for no value."""
    if value is None or value != value:  # None or NaN
        return "—"
    if is_share(name):
        return f"{100 * value:.1f} %"
    return readable(value, 4)


def readable(value: float, digits: int = 3) -> str:
    """A number as people write it, never in e-notation: 1,860 (not 1.86e+03), 0.0053 (not
    5.3e-03), 2.04; `digits` significant digits below 1,000, whole numbers from there on."""
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    if abs(round(value, decimals)) >= 1000:  # 999.96 -> 1,000
        return f"{value:,.0f}"
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_E_NOTATION = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?[eE][+-]?\d+(?!\w|\.\d)")


def plain_numbers(text: str) -> str:
    """`text` with every number written in e-notation ("1.86e+03", "5.3e-05") written out as
    `readable` writes it ("1,860", "0.000053"): for sentences made with "{:.3g}"."""
    return _E_NOTATION.sub(lambda m: readable(float(m.group(0))), text)


def trial_status(status: str) -> str:
    """ "stopped by the time budget" for cut_short."""
    return _TRIAL_STATUS.get(status, status.replace("_", " "))


def run_status(status: str) -> str:
    """ "finished: the time budget ran out" for time_limit."""
    return _RUN_STATUS.get(status, status.replace("_", " "))


def hyperparameter_name(name: str) -> str:
    """ "Learning rate" for learning_rate; unknown names lose their underscores."""
    return _HYPERPARAMETERS.get(name, name.replace("_", " ").capitalize())


# choice values the engine spells in lower case, as people write them
_VALUES = {
    "relu": "ReLU",
    "gelu": "GELU",
    "adam": "Adam",
    "adamw": "AdamW",
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "lstm": "LSTM",
    "gru": "GRU",
    "mse": "MSE",
    "mae": "MAE",
    "huber": "Huber",
}


def hyperparameter_value(name: str, value) -> str:
    """A hyperparameter's value in words, knowing whose it is: the architecture by its name
    ("Dense network on lagged values"), a forecast's anchor by what it means ("the value one
    season earlier"); any other value as `value_words` says it."""
    if name == "template" and isinstance(value, str):
        return template_name(value)
    words = _HYPERPARAMETER_VALUES.get(name, {})
    if isinstance(value, str) and value in words:
        return words[value]
    return value_words(value)


def value_words(value) -> str:
    """A hyperparameter's value as a person reads it: yes/no, 0.0001 (never 1e-04), ReLU."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return _VALUES.get(value, value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.12f}".rstrip("0").rstrip(".") if abs(value) >= 1e-9 else f"{value:g}"
    return str(value)


def listed(words: list) -> str:
    """ "a", "a and b", "a, b and c": items in a sentence."""
    words = [str(w) for w in words]
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


def value_from_words(text: str, values: list | None = None):
    """The engine's value for what value_words shows (or a person types): "yes" -> True,
    "0.0001" -> 0.0001, "ReLU" -> "relu". With `values`, a word matches one of them whatever
    its case. Text that names nothing known comes back as it is (stripped)."""
    text = text.strip().strip('"').strip("'")
    lowered = text.lower()
    if lowered in ("yes", "true"):
        return True
    if lowered in ("no", "false"):
        return False
    try:
        number = float(text.replace(",", "")) if text else None
    except ValueError:
        number = None
    if number is not None and number == number:
        return (
            int(number)
            if number == int(number) and "." not in text and "e" not in lowered
            else number
        )
    for known in values or []:
        if isinstance(known, str) and lowered in (known.lower(), value_words(known).lower()):
            return known
    for raw, shown in _VALUES.items():
        if lowered == shown.lower():
            return raw
    return text


def range_words(entry: dict) -> str:
    """A search-space entry in words: "0.0001 to 0.01, on a log scale", "32, 64 or 128"."""
    kind = entry.get("type")
    if kind in ("int", "float"):
        text = f"{value_words(entry['min'])} to {value_words(entry['max'])}"
        if entry.get("step"):
            text += f", in steps of {value_words(entry['step'])}"
        return text + (", on a log scale" if entry.get("log") else "")
    if kind == "bool":
        return "yes or no"
    if kind == "choice":
        values = [value_words(v) for v in entry.get("values", [])]
        return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]
    return value_words(entry.get("value"))


_TEMPLATES = {
    "mlp": "Multilayer perceptron (MLP)",
    "small_cnn": "Small CNN",
    "resnet": "ResNet-style CNN",
    "mobilenet_v3_small": "MobileNetV3 Small (keras.applications)",
    "efficientnet_b0": "EfficientNet B0 (keras.applications)",
    "tfidf_mlp": "Bag of words and word pairs (TF-IDF) + MLP",
    "cnn1d": "Word embeddings + 1D CNN",
    "bilstm": "Word embeddings + bidirectional LSTM/GRU",
    "transformer": "Small Transformer encoder",
    # forecasting (core/forecast_spec.py) and anomaly detection (core/anomaly_space.py)
    "dense_lags": "Dense network on lagged values",
    "lstm": "LSTM encoder",
    "gru": "GRU encoder",
    "tcn": "Dilated 1-D convolutions (TCN-style)",
    "dense_autoencoder": "Dense autoencoder",
    "lstm_autoencoder": "LSTM autoencoder",
    "conv_autoencoder": "1-D convolutional autoencoder",
}

_TASKS = {
    "binary": "Two classes (binary classification)",
    "multiclass": "Several classes (multiclass classification)",
    "regression": "A number (regression)",
    "forecast": "Future values of a series (forecasting)",
    "anomaly": "Unusual readings (anomaly detection)",
}

_TUNERS = {
    "random": "Random search",
    "bayesian": "Bayesian optimisation",
    "hyperband": "Hyperband",
    "grid": "Grid (every combination)",
}


def template_name(name: str | None) -> str:
    """ "Multilayer perceptron (MLP)" for mlp; unknown names lose their underscores."""
    if not name:
        return "an unknown architecture"
    return _TEMPLATES.get(name, name.replace("_", " "))


def task_name(task: str | None) -> str:
    """ "Two classes (binary classification)" for binary."""
    if not task:
        return "not known yet"
    return _TASKS.get(task, task.replace("_", " "))


def tuner_name(name: str) -> str:
    """ "Random search" for random."""
    return _TUNERS.get(name, name.replace("_", " ").capitalize())


def trial_words(number: int | None, total: int | None = None) -> str:
    """ "trial 2 of 5" from the trial's 1-based number (TrialRecord.number) and the count."""
    if number is None:
        return "the best trial"
    return f"trial {number} of {total}" if total and total >= number else f"trial {number}"


def percent(value: float, other: float | None = None) -> str:
    """A 0-1 share as a whole percentage ("86 %"); with one decimal when that is needed to
    tell it from `other` (86.4 % against 86.2 %), so that two shown values never look equal
    when one beats the other."""
    for decimals in (0, 1, 2):
        shown = f"{100 * value:.{decimals}f}"
        if other is None or other == value or shown != f"{100 * other:.{decimals}f}":
            return f"{shown} %"
    return f"{100 * value:.2f} %"


def amount(value: float, other: float | None = None) -> str:
    """A number in the target's units with as few digits as tell it apart: 2.0, 5.8, 1,234."""
    start = 0 if abs(value) >= 100 else 1 if abs(value) >= 1 else 2
    if 0 < abs(value) < 0.01:
        return f"{value:.2g}"
    for decimals in range(start, start + 4):
        shown = f"{value:,.{decimals}f}"
        if other is None or other == value or shown != f"{other:,.{decimals}f}":
            return shown
    return f"{value:,.{start + 3}f}"
