"""Keep another flagging threshold for an anomaly run: `dlstudio threshold RUN VALUE --keep`,
which the window's Results step runs in a process of its own ("Keep this threshold").

The exported model's `is_anomaly` output compares the score with the threshold inside the
graph, so keeping a threshold rebuilds model.keras (the same layers and weights, a new
comparison on top) rather than writing a number beside it: `dlstudio predict`, exports and
anyone loading model.keras then flag with it. evaluation.json, the model card and
scores.csv's flags are updated to match; the rule that first set the threshold is kept in
words ("was: ...").
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np

from dlstudio.core import anomaly_metrics
from dlstudio.core.errors import DlstudioError
from dlstudio.core.paths import MODEL_CARD_TEXT
from dlstudio.core.project import RunFolder, atomic_write_text
from dlstudio.core.series_results import SCORES_FILE, read_anomaly_scores, write_csv


def rethresholded(model: keras.Model, value: float) -> keras.Model:
    """The scoring model (models/autoencoder.scoring_model) flagging above `value`."""
    score = model.output["score"]
    flag = keras.ops.greater(score, float(value))
    return keras.Model(model.input, {"score": score, "is_anomaly": flag}, name=model.name)


def keep_anomaly_threshold(run: RunFolder, value: float) -> dict:
    """Rebuild the run's model with `value` as its threshold and update what describes it;
    returns the new evaluation.json.

    Raises:
        DlstudioError: Not a finished anomaly run, or a threshold that is not a finite number.
    """
    from dlstudio.core.engine.anomaly import card_markdown

    if not np.isfinite(value):
        raise DlstudioError(f"A threshold of {value}.", "a finite number", "Give a number.")
    evaluation = run.evaluation() or {}
    frame = read_anomaly_scores(run.path)
    if evaluation.get("task") != "anomaly" or not run.model_path.is_file() or frame is None:
        raise DlstudioError(
            f"The run {run.id!r} is not a finished anomaly run with its scores kept.",
            "a run of `dlstudio tune --task anomaly` by this dlstudio",
            "Choose an anomaly run (train again if it is from an earlier version).",
        )
    model = keras.saving.load_model(run.model_path, safe_mode=True)
    partial = run.path / "model.partial.keras"  # then renamed: never half a model.keras
    rethresholded(model, value).save(partial)
    os.replace(partial, run.model_path)
    old = evaluation.get("threshold") or {}
    first_rule = old.get("first_rule") or old.get("rule", "")
    threshold = {
        "value": float(value),
        "rule": "kept by hand in the Results step or with `dlstudio threshold --keep`",
        "first_value": old.get("first_value", old.get("value")),
        "first_rule": first_rule,
    }
    evaluation["threshold"] = threshold
    scores = frame.scores
    labels = frame.labels
    if labels is not None:
        kept = anomaly_metrics.point_metrics(scores, labels, value)
        evaluation["metrics"] = {**evaluation.get("metrics", {}), **kept}
    else:
        evaluation.setdefault("metrics", {})["flagged"] = int((scores > value).sum())
    evaluation["verdict"] = anomaly_metrics.verdict(evaluation)
    run.write_evaluation(evaluation)
    table = frame.frame.copy()
    if "time" in table:
        table["time"] = table["time"].astype(str)
    table["is_anomaly"] = (scores > value).astype(int)
    write_csv(run.path, SCORES_FILE, table)
    card = run.card() or {}
    if card:
        card["threshold"] = threshold
        card["verdict"] = evaluation["verdict"]
        card["metrics"] = evaluation["metrics"]
        run.write_card(card)
        atomic_write_text(Path(run.path) / MODEL_CARD_TEXT, card_markdown(card))
    return evaluation
