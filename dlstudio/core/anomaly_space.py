"""The autoencoders' templates and search spaces, and the plan of a search's trials.

No Keras here, so the CLI can check --arch and --set before anything heavy loads.
"""

from __future__ import annotations

from dlstudio.core.errors import DlstudioError
from dlstudio.core.families import NO_BACKBONE, NO_CLIPPING, SHEET, Family, Unread, own_space

# Each template's search space: name -> candidate values (the first is the default).
TEMPLATES: dict[str, dict[str, list]] = {
    "dense_autoencoder": {
        "units": [32, 64, 16],
        "bottleneck": [4, 2, 8],
        "dropout": [0.0, 0.1],
        "learning_rate": [0.003, 0.001, 0.01],
    },
    "lstm_autoencoder": {
        "units": [32, 16, 64],
        "bottleneck": [8, 4, 16],
        "learning_rate": [0.003, 0.001, 0.01],
    },
    "conv_autoencoder": {
        "filters": [32, 16, 64],
        "kernel_size": [5, 3, 7],
        "bottleneck": [8, 4, 16],
        "learning_rate": [0.003, 0.001, 0.01],
    },
}
TEMPLATE_WORDS = {
    "dense_autoencoder": "dense autoencoder (rows of a table)",
    "lstm_autoencoder": "LSTM autoencoder (windows of readings)",
    "conv_autoencoder": "1-D convolutional autoencoder (windows of readings)",
}
TEMPLATES_BY_KIND = {
    "table": ("dense_autoencoder",),
    "series": ("conv_autoencoder", "lstm_autoencoder"),
}


def check_model_choice(kind: str, template: str | None, values: dict) -> None:
    """--arch and --set against the templates for this kind of data (a table or a series)."""
    names = TEMPLATES_BY_KIND[kind]
    if template is not None and template not in names:
        raise DlstudioError(
            f"--arch {template!r} for anomaly detection on a {kind}.",
            f"one of {', '.join(names)}",
            f"Give e.g. --arch {names[0]}, or leave --arch out to try each.",
        )
    known = {k for name in ((template,) if template else names) for k in TEMPLATES[name]}
    unknown = sorted(set(values) - known)
    if unknown:
        raise DlstudioError(
            f"--set {unknown[0]}, which these autoencoders do not have.",
            f"one of {', '.join(sorted(known))}",
            "Fix the name, or leave that --set out.",
        )


def check_anomaly(spec) -> None:
    """A RunSpec of task "anomaly" (settings in spec.data.anomaly): the data reads with them,
    and --arch / --set fit the kind of data. Raises DlstudioError."""
    from dlstudio.core.data.anomaly_data import AnomalySettings, load_anomaly_data

    settings = AnomalySettings.from_dict(spec.data.anomaly or {})
    data = load_anomaly_data(spec.data.path, settings)
    check_model_choice(data.kind, spec.model.template, spec.model.hyperparameters)


def templates(kind: str | None = None) -> dict[str, tuple[str, dict[str, list]]]:
    """The autoencoders for a table's rows or a series' windows, in words, with their values."""
    names = TEMPLATES_BY_KIND["table" if kind == "table" else "series"]
    return {name: (TEMPLATE_WORDS[name], TEMPLATES[name]) for name in names}


def tested_words(evaluation: dict, card: dict) -> str:
    """ "scored 4,032 windows; trained on the first 2,016 readings, assumed normal." """
    metrics = evaluation.get("metrics", {})
    series = evaluation.get("kind") == "series"
    trained = (
        f"trained on the first {evaluation.get('train_rows', 0):,} readings, assumed normal"
        if series
        else f"trained on {evaluation.get('train_rows', 0):,} rows, labels never used"
    )
    return f"scored {metrics.get('rows_scored', 0):,} {'windows' if series else 'rows'}; {trained}."


def check_against_view(spec, dataset) -> None:
    """--arch and --set against the kind of data the window's Data step read (a SeriesView)."""
    check_model_choice(dataset.kind.value, spec.model.template, spec.model.hyperparameters)


def keras_code(card: dict, model_path: str) -> str:
    """Python that scores readings with the exported .keras file (the Export step shows it)."""
    features = len(card.get("features") or [])
    shape = (
        f"(n, {card.get('window')}, {features})"
        if card.get("data_kind") == "series"
        else f"(n, {features})"
    )
    return (
        "import keras, numpy as np\n"
        f'model = keras.saving.load_model("{model_path}")\n'
        f"readings = np.array(..., dtype='float32')  # shape {shape}, raw numbers\n"
        'out = model({"values": readings})\n'
        'out["score"], out["is_anomaly"]\n'
    )


# ------------------------------------------------------------------ the family's record

FAMILY = Family(
    "anomaly",
    ("anomaly",),
    "anomaly detection",
    "dlstudio.core.engine.anomaly:execute_anomaly",
    "dlstudio.core.engine.anomaly:export_anomaly",
    "dlstudio.core.engine.anomaly:predict_anomaly",
    check="dlstudio.core.anomaly_space:check_anomaly",
    templates="dlstudio.core.anomaly_space:templates",
    best_words="how well it rebuilds normal readings",
    view_check="dlstudio.core.anomaly_space:check_against_view",
    printer="dlstudio.cli.tasks.anomaly",
    results_view="dlstudio.gui.wizard.anomaly_view:AnomalyView",
    verdict="dlstudio.core.verdict:describe",
    tested_words="dlstudio.core.anomaly_space:tested_words",
    keras_use="for Python with Keras 3: raw readings in, anomaly score and flag out",
    keras_code="dlstudio.core.anomaly_space:keras_code",
    predict_use="A table with the columns the model was trained on; every row (or window) "
    "gets an anomaly score and a flag",
    # Autoencoders are compared by how well they rebuild normal readings (their MSE loss):
    # labels, when there are any, only evaluate the winner, so no AUC can choose it.
    objectives=("val_loss",),
    search_words="compares trials by how well they rebuild the normal validation readings "
    "(labels only evaluate the winner)",
    reads=(
        "--label-column",
        "--label-windows",
        "--window",
        "--normal-share",
        "--contamination",
        "--judge-on",
        "--inputs",
    ),
    unread={
        "--target": Unread(
            "anomaly detection has no target: it watches its inputs",
            "Leave --target out; name the columns to watch with --inputs, a column of labels "
            "with --label-column.",
        ),
        "--sheet": SHEET,
        "--role": Unread(
            "anomaly detection reads the columns named with --inputs (or every column of numbers)",
            "Leave --role out; name the columns to watch with --inputs, a column of labels with "
            "--label-column, the time with --time-column.",
        ),
        "--weights": NO_BACKBONE,
        "--clip-norm": NO_CLIPPING,
        "--space": own_space("core/anomaly_space.py"),
    },
)
