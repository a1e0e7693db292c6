"""Is one model's lead over another on the test rows more than luck? A paired test on the rows
both predicted, so that "the deep model beats it" is only said when the test rows show it.

83.0 % against 80.3 % over 300 texts is 8 rows: which rows happened to land in the test split
can decide that. Both models answer the same rows, so the test looks only at the rows where
they differ: McNemar's exact test for right/wrong answers (a binomial test on the rows one model
gets right and the other wrong), the Wilcoxon signed-rank test for the sizes of numeric errors.

Used in the worker process when a run is evaluated; the window only reads the stored result
(scipy comes with scikit-learn).
"""

from __future__ import annotations

import numpy as np

SIGNIFICANT_BELOW = 0.05  # the usual line: a difference this likely by chance is "within noise"


def paired_classes(y_true: np.ndarray, ours: np.ndarray, theirs: np.ndarray) -> dict:
    """McNemar's exact test on the test rows' class predictions (integer codes).

    Returns {"test", "rows", "ours_only", "theirs_only", "p_value"}: the rows only our model
    gets right, the rows only theirs does, and the two-sided chance of a split at least this
    uneven if both were equally good.
    """
    right, their_right = np.asarray(ours) == y_true, np.asarray(theirs) == y_true
    ours_only = int(np.sum(right & ~their_right))
    theirs_only = int(np.sum(~right & their_right))
    differing = ours_only + theirs_only
    if differing == 0:
        p_value = 1.0
    else:
        from scipy.stats import binomtest

        p_value = float(binomtest(ours_only, differing, 0.5).pvalue)
    return {
        "test": "McNemar's exact test",
        "rows": int(len(y_true)),
        "ours_only": ours_only,
        "theirs_only": theirs_only,
        "p_value": p_value,
    }


def paired_errors(y_true: np.ndarray, ours: np.ndarray, theirs: np.ndarray) -> dict:
    """The Wilcoxon signed-rank test on the rows' absolute errors (numbers in the user's units).

    Returns {"test", "rows", "p_value"}; p is 1 when the two never differ.
    """
    y_true = np.asarray(y_true, dtype="float64").reshape(-1)
    ours_error = np.abs(np.asarray(ours, dtype="float64").reshape(-1) - y_true)
    theirs_error = np.abs(np.asarray(theirs, dtype="float64").reshape(-1) - y_true)
    return paired_losses(ours_error, theirs_error)


def paired_losses(ours: np.ndarray, theirs: np.ndarray, unit: str = "test rows") -> dict:
    """The Wilcoxon signed-rank test on two models' losses over the same units (rows, or a
    forecast's origins: "forecast origins"). With 5 units no difference can reach p < 0.05, and
    the words say so by themselves.

    Returns {"test", "rows", "unit", "p_value"}; p is 1 when the two never differ.
    """
    differences = np.asarray(ours, dtype="float64") - np.asarray(theirs, dtype="float64")
    finite = np.isfinite(differences)
    if not np.any(differences[finite] != 0):
        p_value = 1.0
    else:
        from scipy.stats import wilcoxon

        p_value = float(wilcoxon(differences[finite], zero_method="wilcox").pvalue)
    return {
        "test": "Wilcoxon signed-rank test",
        "rows": int(len(differences)),
        "unit": unit,
        "p_value": p_value,
    }


def within_noise(paired: dict | None) -> bool:
    """Whether a stored test says the difference could be luck (False when none is stored)."""
    if not isinstance(paired, dict) or paired.get("p_value") is None:
        return False
    return float(paired["p_value"]) >= SIGNIFICANT_BELOW


def noise_words(paired: dict) -> str:
    """ "(McNemar's exact test on the 300 test rows: p = 0.31)", for the end of a sentence."""
    p_value = float(paired["p_value"])
    shown = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2g}"
    unit = paired.get("unit", "test rows")
    return f"({paired['test']} on the {paired['rows']:,} {unit}: {shown})"
