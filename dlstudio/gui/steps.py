"""The window's five steps, in order, and their indices."""

from __future__ import annotations

STEPS = ["Data", "Model", "Train", "Results", "Export"]
DATA, MODEL, TRAIN, RESULTS, EXPORT = range(5)
