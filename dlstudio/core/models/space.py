"""Search spaces as data: what the GUI shows and edits, what spec.json stores.

An entry is a dict with a "type" and the fields that type needs, plus a "default" (what "train"
uses, and where a search starts):

    {"type": "int", "min": 1, "max": 3, "default": 2}
    {"type": "float", "min": 1e-4, "max": 1e-2, "log": true, "default": 1e-3}
    {"type": "choice", "values": ["relu", "gelu"], "default": "relu"}
    {"type": "bool", "default": false}
    {"type": "fixed", "value": 64}

Also plain values are accepted and mean "fixed". This module has no Keras in it: the GUI reads
the defaults without loading TensorFlow.
"""

from __future__ import annotations

import copy

from dlstudio.core.errors import DlstudioError

_OPTIMIZATION = {
    "optimizer": {
        "type": "choice",
        "values": ["adam", "adamw", "sgd", "rmsprop"],
        "default": "adam",
        "help": "How weights are updated. Adam is a safe default; SGD with momentum can "
        "generalise better with a tuned learning rate.",
    },
    "learning_rate": {
        "type": "float",
        "min": 1e-4,
        "max": 1e-2,
        "log": True,
        "default": 1e-3,
        "help": "Step size of each update: too high diverges, too low crawls.",
    },
    "batch_size": {
        "type": "choice",
        "values": [16, 32, 64, 128, 256],
        "default": 32,
        "help": "Examples per update: smaller is noisier but often generalises better; "
        "larger is faster on a GPU.",
    },
}

_DENSE = {
    "depth": {
        "type": "int",
        "min": 1,
        "max": 3,
        "default": 2,
        "help": "Number of hidden layers: more can fit more complex patterns.",
    },
    "units": {
        "type": "choice",
        "values": [32, 64, 128, 256],
        "default": 128,
        "help": "Neurons per hidden layer: the capacity of each layer.",
    },
    "activation": {
        "type": "choice",
        "values": ["relu", "gelu", "tanh", "sigmoid"],
        "default": "relu",
        "help": "The non-linearity between layers; relu and gelu train fastest.",
    },
    "dropout": {
        "type": "float",
        "min": 0.0,
        "max": 0.5,
        "step": 0.1,
        "default": 0.1,
        "help": "Share of neurons switched off at random while training: fights overfitting.",
    },
}

_REGULARISATION = {
    "l1": {
        "type": "choice",
        "values": [0.0, 1e-5, 1e-4],
        "default": 0.0,
        "help": "Pushes weights to exactly zero: a sparser, simpler model.",
    },
    "l2": {
        "type": "choice",
        "values": [0.0, 1e-5, 1e-4, 1e-3],
        "default": 0.0,
        "help": "Keeps weights small: a smoother model that overfits less.",
    },
    "batch_norm": {
        "type": "bool",
        "default": False,
        "help": "Re-centres each layer's outputs: can speed up and steady training.",
    },
}

_AUGMENT = {
    "augment": {
        "type": "bool",
        "default": False,  # it pays off over long runs; on a short budget it slows learning
        "help": "Random flips, turns, zooms and contrast while training: more variety "
        "from the same images.",
    },
}

_EMBEDDING = {
    "max_tokens": {
        "type": "choice",
        "values": [10000, 20000],
        "default": 20000,
        "help": "Vocabulary size: the most frequent words kept.",
    },
    "embedding_dim": {
        "type": "choice",
        "values": [32, 64, 128],
        "default": 64,
        "help": "Length of the vector that stands for each word.",
    },
}

_BACKBONE = {
    "fine_tune_epochs": {
        "type": "int",
        "min": 0,
        "max": 10,
        "default": 3,
        "help": "With pretrained weights: epochs of training the whole network after the new "
        "head has learned.",
    },
}

# Each template's defaults are a configuration known to train well on its kind of data: what
# "Choose an architecture" starts from, and the first trial of every search (see
# first_configuration). The image ones were measured on a CPU: 16 filters train three times
# faster than 32 and learn more in a short budget (clothing photos, 30 s: 21 % vs 11 % test
# accuracy, 10 classes).
_CNN_OPTIMIZATION = {
    **_OPTIMIZATION,
    "learning_rate": {**_OPTIMIZATION["learning_rate"], "default": 3e-3},
}
_CNN_DROPOUT = {**_DENSE["dropout"], "default": 0.2}

TEMPLATES: dict[str, dict] = {
    # tables
    "mlp": {**_DENSE, **_REGULARISATION, **_OPTIMIZATION},
    # images
    "small_cnn": {
        "blocks": {
            "type": "int",
            "min": 2,
            "max": 3,
            "default": 3,
            "help": "Convolution blocks: each halves the image and finds larger shapes.",
        },
        "filters": {
            "type": "choice",
            "values": [16, 32, 64],
            "default": 16,
            "help": "Filters in the first block (doubling in each next one).",
        },
        "dropout": _CNN_DROPOUT,
        **_AUGMENT,
        **_CNN_OPTIMIZATION,
    },
    "resnet": {
        "stages": {
            "type": "int",
            "min": 2,
            "max": 4,
            "default": 3,
            "help": "Residual stages; skip connections let deeper networks train.",
        },
        "filters": {
            "type": "choice",
            "values": [16, 32, 64],
            "default": 16,
            "help": "Filters in the first stage (doubling in each next one).",
        },
        "dropout": _CNN_DROPOUT,
        **_AUGMENT,
        **_CNN_OPTIMIZATION,
    },
    "mobilenet_v3_small": {
        **_BACKBONE,
        "dropout": _DENSE["dropout"],
        **_AUGMENT,
        **_OPTIMIZATION,
    },
    "efficientnet_b0": {
        **_BACKBONE,
        "dropout": _DENSE["dropout"],
        **_AUGMENT,
        **_OPTIMIZATION,
    },
    # texts
    "tfidf_mlp": {
        "max_tokens": {
            "type": "choice",
            "values": [5000, 10000, 20000],
            "default": 20000,
            "help": "Vocabulary size: the most frequent words and word pairs kept.",
        },
        "ngrams": {
            "type": "int",
            "min": 1,
            "max": 2,
            "default": 2,
            "help": "1: single words. 2: also pairs of words ('not good').",
        },
        "units": _DENSE["units"],
        "dropout": {**_DENSE["dropout"], "default": 0.3},
        **_OPTIMIZATION,
    },
    "cnn1d": {
        **_EMBEDDING,
        "filters": {
            "type": "choice",
            "values": [32, 64, 128],
            "default": 64,
            "help": "Phrase detectors slid along the text.",
        },
        "kernel_size": {
            "type": "choice",
            "values": [3, 5, 7],
            "default": 5,
            "help": "Words each detector looks at at once.",
        },
        "dropout": {**_DENSE["dropout"], "default": 0.3},
        **_OPTIMIZATION,
    },
    "bilstm": {
        **_EMBEDDING,
        "rnn": {
            "type": "choice",
            "values": ["lstm", "gru"],
            "default": "lstm",
            "help": "The recurrent cell: LSTM remembers longer; GRU is lighter.",
        },
        "rnn_units": {
            "type": "choice",
            "values": [32, 64],
            "default": 32,
            "help": "Memory size of the recurrent layer in each direction.",
        },
        "dropout": {**_DENSE["dropout"], "default": 0.3},
        **_OPTIMIZATION,
    },
    "transformer": {
        **_EMBEDDING,
        # Attention's cost grows with the width: a narrower choice keeps CPU training usable.
        "embedding_dim": {**_EMBEDDING["embedding_dim"], "values": [32, 64]},
        "heads": {
            "type": "choice",
            "values": [2, 4],
            "default": 2,
            "help": "Attention heads: each learns a different way words relate.",
        },
        "ff_dim": {
            "type": "choice",
            "values": [64, 128],
            "default": 64,
            "help": "Width of the feed-forward layer after attention.",
        },
        "dropout": {**_DENSE["dropout"], "default": 0.2},
        **_OPTIMIZATION,
    },
}

REGRESSION_LOSS = {
    "loss": {
        "type": "choice",
        "values": ["mse", "mae", "huber"],
        # MAE by default: it learns what the reported error (and the default objective,
        # val_mae) measures; over 3 seeds on diamonds and auto mpg it gave a 2.4 % and 1.1 %
        # lower test MAE than MSE (issue 14's note).
        "default": "mae",
        "help": "MSE punishes big errors most; MAE treats all alike; Huber is in between.",
    },
}

TEMPLATES_BY_KIND = {
    "table": ["mlp"],
    "images": ["small_cnn", "resnet", "mobilenet_v3_small", "efficientnet_b0"],
    "text": ["tfidf_mlp", "cnn1d", "bilstm", "transformer"],
}
DEFAULT_TEMPLATE = {"table": "mlp", "images": "small_cnn", "text": "tfidf_mlp"}


ROWS_PER_BATCH_STEP = 200  # a batch of 1/200th of the rows: enough steps, epochs that are fast

# A table with this many training rows has data enough for a wider, deeper network without
# dropout, and fits it better: 10,000 diamonds, price (two seeds each), test MAE 318 / 312 with
# 2 × 128 units and dropout 0.1 → 289 / 292 with 3 × 256 and none, in fewer epochs; on the
# same rows' cut (5 classes) accuracy 0.75 / 0.73 → 0.74 / 0.74. Smaller tables (Auto MPG,
# Titanic) were no better with it, so they keep the smaller network.
LARGE_TABLE_ROWS = 5000
LARGE_TABLE_START = {"mlp": {"units": 256, "depth": 3, "dropout": 0.0}}


def first_configuration(space: dict, train_rows: int, template: str | None = None) -> dict:
    """Where a search starts: the space's defaults, which are a configuration known to train
    well on its kind of data (so that even a budget with room for one trial ends with a good
    model), with a batch size that grows with the data, so that an epoch of a large table
    stays quick on a CPU, and for a large table a larger network (LARGE_TABLE_START) where
    the space allows it and its default is still the template's."""
    values = defaults(space)
    batch = space.get("batch_size")
    if isinstance(batch, dict) and batch.get("type") == "choice":
        fitting = [v for v in batch["values"] if v <= max(32, train_rows / ROWS_PER_BATCH_STEP)]
        if fitting:
            values["batch_size"] = max(fitting)
    if train_rows >= LARGE_TABLE_ROWS:
        for name, value in LARGE_TABLE_START.get(template, {}).items():
            entry = space.get(name)
            if _untouched(entry, TEMPLATES[template].get(name)) and _allows(entry, value):
                values[name] = value
    return values


def _untouched(entry, original) -> bool:
    """Whether a space's entry still has the template's own default."""
    return (
        isinstance(entry, dict)
        and isinstance(original, dict)
        and (entry.get("default") == original.get("default"))
    )


def _allows(entry: dict, value) -> bool:
    if entry["type"] == "choice":
        return value in entry["values"]
    if entry["type"] in ("int", "float"):
        return entry["min"] <= value <= entry["max"]
    return False


def template_for(kind: str, template: str | None) -> str:
    """The template to use for a modality, checking that it fits."""
    if template is None:
        return DEFAULT_TEMPLATE[kind]
    if template not in TEMPLATES_BY_KIND[kind]:
        raise DlstudioError(
            f"The architecture {template!r} does not fit {kind} data.",
            f"one of {', '.join(TEMPLATES_BY_KIND[kind])}",
            "Pick one of those with --arch, or leave it out for the default.",
        )
    return template


def default_space(template: str, task: str) -> dict:
    """The template's search space (a deep copy the caller may edit)."""
    space = copy.deepcopy(TEMPLATES[template])
    if task == "regression":
        space.update(copy.deepcopy(REGRESSION_LOSS))
    return space


def defaults(space: dict) -> dict:
    """The default value of every entry: one configuration to "train"."""
    return {name: default_of(entry) for name, entry in space.items()}


def default_of(entry):
    if not isinstance(entry, dict):
        return entry
    if entry["type"] == "fixed":
        return entry["value"]
    if "default" in entry:
        return entry["default"]
    return entry["values"][0] if entry["type"] == "choice" else entry.get("min", False)


def fixed_space(space: dict, values: dict) -> dict:
    """A space where every entry is fixed: the defaults overridden by `values`."""
    unknown = set(values) - set(space)
    if unknown:
        raise DlstudioError(
            f"Unknown hyperparameter(s) {', '.join(sorted(unknown))}.",
            f"names from this architecture: {', '.join(space)}",
            "Check the spelling, or see `dlstudio tune --help` for the spaces.",
        )
    chosen = {**defaults(space), **values}
    return {name: {"type": "fixed", "value": chosen[name]} for name in space}


def merge_space(base: dict, overrides: dict | None) -> dict:
    """The template's space with the user's entries replacing or fixing some of them."""
    space = copy.deepcopy(base)
    for name, entry in (overrides or {}).items():
        if name not in space:
            raise DlstudioError(
                f"The search space names {name!r}, which this architecture does not have.",
                f"names from: {', '.join(space)}",
                "Remove it or pick the architecture that has it.",
            )
        space[name] = entry if isinstance(entry, dict) else {"type": "fixed", "value": entry}
        validate_entry(name, space[name])
    return space


def validate_entry(name: str, entry: dict) -> None:
    kind = entry.get("type")
    needs = {
        "int": ("min", "max"),
        "float": ("min", "max"),
        "choice": ("values",),
        "bool": (),
        "fixed": ("value",),
    }
    if kind not in needs or any(k not in entry for k in needs[kind]):
        raise DlstudioError(
            f"The search-space entry {name!r} is {entry!r}.",
            'e.g. {"type": "int", "min": 1, "max": 3} or {"type": "choice", "values": [...]}',
            "Fix the entry (types: int, float, choice, bool, fixed).",
        )
    if kind in ("int", "float") and entry["min"] > entry["max"]:
        raise DlstudioError(
            f"The range of {name!r} runs from {entry['min']} down to {entry['max']}.",
            "min ≤ max",
            "Swap the two numbers.",
        )


def grid_ready(space: dict) -> dict:
    """Grid search needs finite choices: continuous floats become 3 points across the range."""
    ready = {}
    for name, entry in space.items():
        if isinstance(entry, dict) and entry["type"] == "float" and not entry.get("step"):
            low, high = entry["min"], entry["max"]
            if entry.get("log"):
                points = [low * (high / low) ** (i / 2) for i in range(3)]
            else:
                points = [low + (high - low) * i / 2 for i in range(3)]
            values = sorted({float(f"{p:.3g}") for p in points})
            ready[name] = {"type": "choice", "values": values, "default": values[len(values) // 2]}
        else:
            ready[name] = entry
    return ready


def register(hp, name: str, entry):
    """Declare one entry on a keras-tuner HyperParameters object and return its value."""
    if not isinstance(entry, dict):
        return hp.Fixed(name, entry)
    kind = entry["type"]
    if kind == "fixed":
        return hp.Fixed(name, entry["value"])
    if kind == "int":
        return hp.Int(
            name,
            entry["min"],
            entry["max"],
            step=entry.get("step", 1),
            default=entry.get("default"),
        )
    if kind == "float":
        return hp.Float(
            name,
            entry["min"],
            entry["max"],
            step=entry.get("step"),
            sampling="log" if entry.get("log") else "linear",
            default=entry.get("default"),
        )
    if kind == "choice":
        return hp.Choice(name, entry["values"], default=entry.get("default"))
    return hp.Boolean(name, default=entry.get("default", False))
