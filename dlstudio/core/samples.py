"""The sample datasets bundled in dlstudio/resources/samples (see its README for licences)."""

from __future__ import annotations

from pathlib import Path

from dlstudio.core.errors import DlstudioError
from dlstudio.core.resources import resource_path

SAMPLES = {
    "penguins": ("tabular/palmer_penguins.csv", "species"),
    "breast_cancer": ("tabular/breast_cancer_wisconsin.csv", "diagnosis"),
    "sms_spam": ("text/sms_spam.csv", "label"),
    "digits": ("image/sklearn_digits", None),
}


def sample_path(name: str) -> Path:
    """The path of a bundled sample by its short name (see `SAMPLES`)."""
    return resource_path("samples", *SAMPLES[name][0].split("/"))


def open_sample(name: str, target: str | None = None) -> tuple[str, str | None]:
    """The data path and target column for `--sample NAME` (an explicit `target` wins).

    Raises:
        DlstudioError: there is no bundled sample of that name.
    """
    if name not in SAMPLES:
        raise DlstudioError(
            f"There is no bundled sample called {name!r}.",
            f"one of {', '.join(SAMPLES)}",
            "Pick one of those, or give the path of your own data instead.",
        )
    return str(sample_path(name)), target or SAMPLES[name][1]
