"""A plain-words reading of the learning curves: overfitting, underfitting, divergence.

Written for someone who knows their data but not deep learning: what the curves show, from
which epoch, and what to try. Rules, not magic; each names the evidence it used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_EPOCHS = 4  # fewer epochs than this say too little to judge


@dataclass(frozen=True)
class Diagnosis:
    kind: str  # "divergence", "overfitting", "underfitting", "healthy"
    message: str


def diagnose(history: dict[str, list[float]]) -> Diagnosis | None:
    """Judge one trial's per-epoch history (Keras names: loss, val_loss, …); None if too early."""
    loss = history.get("loss", [])
    val = history.get("val_loss", [])
    bad = next((i for i, v in enumerate(loss + val) if not math.isfinite(v)), None)
    if bad is not None:
        epoch = bad % max(len(loss), 1) + 1
        return Diagnosis(
            "divergence",
            f"Training diverged: the loss became NaN or infinite at "
            f"epoch {epoch}. Lower the learning rate (e.g. ÷10), turn on gradient "
            "clipping, or try the Adam optimiser.",
        )
    if len(loss) >= 2 and loss[-1] > 10 * min(loss):
        return Diagnosis(
            "divergence",
            f"The training loss exploded (from {min(loss):.3g} to "
            f"{loss[-1]:.3g}). Lower the learning rate or turn on gradient clipping.",
        )
    if len(loss) < MIN_EPOCHS or len(val) < MIN_EPOCHS:
        return None
    best = min(range(len(val)), key=val.__getitem__)
    after = len(val) - 1 - best
    if after >= 2 and val[-1] > 1.1 * val[best] and loss[-1] < loss[best]:
        return Diagnosis(
            "overfitting",
            f"Overfitting from epoch {best + 2}: the validation loss "
            f"rose from {val[best]:.3g} to {val[-1]:.3g} while the training loss kept "
            "falling, so the model is memorising the training rows. Try more dropout "
            "or L2, a smaller network, data augmentation, or more data. Early stopping "
            f"keeps the weights of epoch {best + 1}.",
        )
    recent = loss[-3:]
    flat = (max(recent) - min(recent)) <= 0.02 * max(abs(recent[0]), 1e-12)
    if flat and loss[-1] > 0.8 * loss[0] and val[-1] > 0.8 * val[0]:
        return Diagnosis(
            "underfitting",
            "Underfitting: training and validation loss both stay "
            f"high and flat (training {loss[0]:.3g} → {loss[-1]:.3g}). The model is too "
            "simple or learns too slowly: try more units or layers, a higher learning "
            "rate, or more epochs.",
        )
    if best == len(val) - 1:
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
