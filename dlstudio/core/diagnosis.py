"""A plain-words reading of the learning curves: overfitting, underfitting, divergence.

Written for someone who knows their data but not deep learning: what the curves show, from
which epoch, and what to try. Rules, not magic; each names the evidence it used, and says
nothing it cannot back:

- divergence: a NaN or infinite loss, or a training loss that exploded;
- overfitting: the validation loss rose for several epochs while the training loss kept falling;
- underfitting: both losses are barely better than the trivial model's (`baseline_loss`: the
  loss of always predicting the class shares, or the mean), and close to each other. A loss
  level alone says nothing: 0.33 is poor for one table and the best possible for another, so
  without a baseline no underfitting is ever claimed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_EPOCHS = 4  # fewer epochs than this say too little to judge
RISING_EPOCHS = 2  # the validation loss must have risen over at least this many epochs
RISE = 0.10  # ... and by at least this share of its lowest value
BARELY_BETTER = 0.90  # a loss above 90 % of the baseline's has learnt little
CLOSE = 0.15  # training and validation within 15 % of the baseline's loss of each other


@dataclass(frozen=True)
class Diagnosis:
    kind: str  # "divergence", "overfitting", "underfitting", "healthy"
    message: str


def diagnose(
    history: dict[str, list[float]], baseline_loss: float | None = None
) -> Diagnosis | None:
    """Judge one trial's per-epoch history (Keras names: loss, val_loss, …).

    Args:
        history: Per-epoch values; "loss" and "val_loss" are read.
        baseline_loss: The loss of the trivial model that ignores the inputs, in the same
            loss as training (see `baseline_loss`). Without it, underfitting is never claimed.

    Returns:
        None while there are too few epochs to judge.
    """
    loss = list(history.get("loss", []))
    val = list(history.get("val_loss", []))
    bad = _first_bad(loss, val)
    if bad is not None:
        return Diagnosis(
            "divergence",
            f"Training diverged: the loss became NaN or infinite at "
            f"epoch {bad}. Lower the learning rate (e.g. ÷10), turn on gradient "
            "clipping, or try the Adam optimiser.",
        )
    if len(loss) >= 2 and loss[-1] > 10 * min(loss) and loss[-1] > loss[0]:
        return Diagnosis(
            "divergence",
            f"The training loss exploded (from {min(loss):.3g} to "
            f"{loss[-1]:.3g}). Lower the learning rate or turn on gradient clipping.",
        )
    if len(loss) < MIN_EPOCHS or len(val) < MIN_EPOCHS:
        return None
    best = min(range(len(val)), key=val.__getitem__)
    after = len(val) - 1 - best
    rose = val[-1] - val[best] > RISE * abs(val[best]) and val[-1] >= val[-2]
    if after >= RISING_EPOCHS and rose and loss[-1] < loss[best]:
        return Diagnosis(
            "overfitting",
            f"Overfitting from epoch {best + 2}: the validation loss "
            f"rose from {val[best]:.3g} to {val[-1]:.3g} while the training loss kept "
            "falling, so the model is memorising the training rows. Try more dropout "
            "or L2, a smaller network, data augmentation, or more data. Early stopping "
            f"keeps the weights of epoch {best + 1}.",
        )
    if baseline_loss is not None and math.isfinite(baseline_loss) and baseline_loss > 0:
        learnt = min(loss[-1], val[-1])
        close = abs(val[-1] - loss[-1]) <= CLOSE * baseline_loss
        if learnt > BARELY_BETTER * baseline_loss and close:
            gain = max(0.0, 1 - learnt / baseline_loss)
            return Diagnosis(
                "underfitting",
                f"Barely better than guessing: the loss is {learnt:.3g}, and a model that "
                f"ignores the inputs (always the same answer) gets {baseline_loss:.3g} "
                f"({gain:.0%} better). Either the columns say little about the target, or "
                "the model learns too slowly: try a higher learning rate, more epochs, or "
                "more units or layers.",
            )
    if best == len(val) - 1 and val[0] - val[-1] > 0.01 * abs(val[0]):
        return Diagnosis(
            "healthy",
            f"Learning well: the validation loss is still falling at epoch "
            f"{best + 1} ({val[best]:.3g}); more epochs may help.",
        )
    return Diagnosis(
        "healthy",
        f"Learning well: the validation loss is lowest at epoch {best + 1} "
        f"({val[best]:.3g}) and has not risen much since.",
    )


def _first_bad(loss: list[float], val: list[float]) -> int | None:
    """The first epoch (from 1) whose training or validation loss is NaN or infinite."""
    epochs = [i + 1 for series in (loss, val) for i, v in enumerate(series) if not math.isfinite(v)]
    return min(epochs) if epochs else None


def baseline_loss(
    class_counts: Sequence[float] | dict | None = None,
    targets: Sequence[float] | None = None,
    loss: str = "mse",
    target_std: float | None = None,
) -> float | None:
    """The training loss of the trivial model that ignores the inputs.

    Classification (binary or multiclass cross-entropy): always predicting the class shares of
    the training rows gives a log loss equal to their entropy, -Σ p·ln p.
    Regression: always predicting the mean gives an MSE equal to the variance of the target
    (the median: an MAE equal to the mean absolute deviation). Pass `target_std` when the model
    trains on standardised targets (dlstudio does for regression), so the baseline is in the
    same units as the loss the curves show.

    Args:
        class_counts: Rows per class in the training set (a list, or {class: rows}).
        targets: Regression target values of the training rows.
        loss: The regression loss: "mse", "mae" or "huber".
        target_std: The standard deviation the targets were divided by, if any.

    Returns:
        None when neither counts nor targets are given (or they are empty).
    """
    if class_counts is not None:
        counts = list(class_counts.values()) if isinstance(class_counts, dict) else class_counts
        counts = [float(c) for c in counts if c and c > 0]
        total = sum(counts)
        if not total:
            return None
        return float(-sum(c / total * math.log(c / total) for c in counts))
    if targets is None:
        return None
    values = [float(v) for v in targets if v is not None and math.isfinite(float(v))]
    if not values:
        return None
    scale = target_std if target_std and target_std > 0 else 1.0
    values = [v / scale for v in values]
    if loss == "mae":
        middle = sorted(values)[len(values) // 2]
        return sum(abs(v - middle) for v in values) / len(values)
    mean = sum(values) / len(values)
    if loss == "huber":  # Keras' Huber, delta 1
        errors = [abs(v - mean) for v in values]
        return sum(0.5 * e * e if e <= 1 else e - 0.5 for e in errors) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)
