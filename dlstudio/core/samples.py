"""The sample datasets bundled in resources/samples (see its README for licences)."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
SAMPLES = {
    "penguins": ("tabular/palmer_penguins.csv", "species"),
    "breast_cancer": ("tabular/breast_cancer_wisconsin.csv", "diagnosis"),
    "sms_spam": ("text/sms_spam.csv", "label"),
    "digits": ("image/sklearn_digits", None),
}


def sample_path(name: str) -> Path:
    """The path of a bundled sample by its short name (see `SAMPLES`)."""
    return RESOURCES / "samples" / SAMPLES[name][0]
