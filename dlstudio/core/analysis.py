"""Looking across trials and runs: one table of every trial, and which hyperparameters mattered.

Importance method (shown in the app and the docs): for each hyperparameter, the share of the
variance of the score across finished trials that its value alone explains — one-way ANOVA's
η², corrected for chance (ε²: with few trials, any grouping "explains" some variance by luck,
and ε² subtracts what luck alone would give). Numeric values are grouped into up to 4 quantile
bins first (on a log scale where the search space is logarithmic). It measures main effects
only, not interactions. It is shown only from MIN_IMPORTANCE_TRIALS finished trials on, with
an interval from resampling the trials (bootstrap), so a hint never looks like a verdict.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dlstudio.core.config import objective_direction
from dlstudio.core.events import TrialStatus
from dlstudio.core.models.space import TEMPLATES
from dlstudio.core.project import RunFolder
from dlstudio.core.run_names import run_name

MIN_IMPORTANCE_TRIALS = 8
RESAMPLES = 200
IMPORTANCE_METHOD = (
    "How much of the spread of the score across finished trials each hyperparameter explains "
    "on its own (one-way ANOVA, η² corrected for chance; numbers in up to 4 groups, "
    "log-scaled where the search was). The whiskers show the range it takes in 8 of 10 "
    "resamplings of the trials: wide whiskers mean more trials are needed to tell. Main "
    "effects only, no interactions."
)
FIXED_COLUMNS = ["run", "trial", "status", "score", "duration_s", "epochs", "parameters"]


def run_summary(run: RunFolder) -> dict:
    """One line about a run for the side-by-side view."""
    state, trials = run.state(), run.trials()
    try:
        spec = run.spec()
    except Exception:  # a folder from a newer or broken dlstudio: still list it
        spec = None
    finished = [t for t in trials if t.status is TrialStatus.COMPLETED]
    card = run.card() or {}
    return {
        "run": run.id,
        "name": run_name(run.path),
        "status": state.get("status", "unknown"),
        "mode": spec.mode if spec else "?",
        "tuner": spec.search.tuner if spec and spec.search else "—",
        "template": card.get("template") or (spec.model.template if spec else None) or "default",
        "objective": objective_of(run, spec),
        "trials": len(trials),
        "completed": len(finished),
        "best_score": state.get("best_score"),
        "duration_s": state.get("elapsed_s"),
        "test_metrics": (run.evaluation() or {}).get("metrics", {}),
    }


def trials_frame(runs: list[RunFolder]) -> pd.DataFrame:
    """Every trial of `runs`: fixed columns, then one column per hyperparameter."""
    rows = []
    for run in runs:
        for record in run.trials():
            row = {
                "run": run.id,
                "trial": record.trial_id,
                "status": record.status.value,
                "score": record.score,
                "duration_s": record.duration_s,
                "epochs": record.epochs,
                "parameters": record.parameters,
            }
            row.update({f"hp:{k}": v for k, v in record.hyperparameters.items()})
            rows.append(row)
    frame = pd.DataFrame(rows, columns=FIXED_COLUMNS) if not rows else pd.DataFrame(rows)
    return frame


def hyperparameter_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("hp:")]


def log_scaled(runs: list[RunFolder]) -> set[str]:
    """Hyperparameters whose search space is logarithmic in any of `runs`."""
    names = set()
    for run in runs:
        try:
            search = run.spec().search
        except Exception:
            continue
        space = (search.space or {}) if search else {}
        names |= {n for n, e in space.items() if isinstance(e, dict) and e.get("log")}
    for template in TEMPLATES.values():  # the defaults' log entries (learning_rate)
        names |= {n for n, e in template.items() if isinstance(e, dict) and e.get("log")}
    return names


def finished_trials(frame: pd.DataFrame) -> pd.DataFrame:
    """The trials that completed with a score."""
    if frame.empty or "status" not in frame:
        return frame.iloc[0:0]
    return frame[(frame["status"] == TrialStatus.COMPLETED.value) & frame["score"].notna()]


def importance_shortfall(frame: pd.DataFrame, runs: int = 1) -> str | None:
    """Why importance cannot be shown yet, in one sentence; None when it can."""
    done = finished_trials(frame)
    have = "this run has" if runs <= 1 else "these runs have"
    if len(done) < MIN_IMPORTANCE_TRIALS:
        return (
            f"Importance needs at least {MIN_IMPORTANCE_TRIALS} finished trials; "
            f"{have} {len(done)}. Run a search with more trials to see which "
            "settings matter."
        )
    if done["score"].astype(float).nunique() < 2:
        return "Every finished trial has the same score, so no setting made a difference."
    if not _varied_columns(done):
        return (
            "No setting took two different values in the finished trials, so there is "
            "nothing to compare."
        )
    return None


def importance(frame: pd.DataFrame, log_names: set[str] = frozenset()) -> dict[str, float]:
    """ε² (chance-corrected η²) of the score per hyperparameter, largest first; {} with fewer
    than MIN_IMPORTANCE_TRIALS finished trials (`importance_shortfall` says why)."""
    return {name: value for name, (value, _, _) in importance_interval(frame, log_names).items()}


def importance_interval(
    frame: pd.DataFrame,
    log_names: set[str] = frozenset(),
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> dict[str, tuple[float, float, float]]:
    """Per hyperparameter: (ε² on all finished trials, 10th and 90th percentile of ε² over
    bootstrap resamples of the trials), largest first; {} when `importance_shortfall`."""
    if importance_shortfall(frame) is not None:
        return {}
    done = finished_trials(frame)
    score = done["score"].astype(float).to_numpy()
    rng = np.random.default_rng(seed)
    samples = rng.integers(0, len(score), size=(resamples, len(score)))
    result = {}
    for column in _varied_columns(done):
        name = column.removeprefix("hp:")
        codes = np.unique(
            _groups(done[column], name in log_names).astype(str), return_inverse=True
        )[1].reshape(-1)
        value = _epsilon_squared(score, codes)
        spread = [_epsilon_squared(score[rows], codes[rows]) for rows in samples]
        low, high = np.percentile(spread, [10, 90])
        result[name] = (value, float(min(low, value)), float(max(high, value)))
    return dict(sorted(result.items(), key=lambda item: -item[1][0]))


def _varied_columns(done: pd.DataFrame) -> list[str]:
    return [
        c for c in hyperparameter_columns(done) if done[c].astype(str).nunique(dropna=False) >= 2
    ]


def _epsilon_squared(score: np.ndarray, codes: np.ndarray) -> float:
    """(SS between − (k−1)·MS within) / SS total, clipped to 0..1; 0 without spread."""
    n = len(score)
    total = float(((score - score.mean()) ** 2).sum())
    codes = np.unique(codes, return_inverse=True)[1].reshape(-1)
    k = int(codes.max()) + 1 if n else 0
    if total <= 0 or k < 2 or n <= k:
        return 0.0
    counts = np.bincount(codes, minlength=k)
    sums = np.bincount(codes, weights=score, minlength=k)
    means = sums / np.maximum(counts, 1)
    between = float((counts * (means - score.mean()) ** 2).sum())
    within = total - between
    value = (between - (k - 1) * within / (n - k)) / total
    return float(min(max(value, 0.0), 1.0))


def _groups(values: pd.Series, log: bool) -> np.ndarray:
    numeric = pd.to_numeric(values, errors="coerce")
    if (
        numeric.notna().all()
        and values.nunique() > 4
        and not values.map(lambda v: isinstance(v, bool)).any()
    ):
        data = np.log10(numeric.clip(lower=1e-12)) if log else numeric
        return pd.qcut(data, 4, labels=False, duplicates="drop").to_numpy()
    return values.astype(str).to_numpy()


def objective_of(run: RunFolder, spec) -> str:
    """The objective a run used: as it recorded it (the task's default when the user named
    none), else as its spec named it."""
    named = spec.search.objective if spec and spec.search else None
    return run.state().get("objective") or named or "val_loss"


def objective_of_runs(runs: list[RunFolder]) -> str:
    """The objective of the first readable run (the score the views plot), else val_loss."""
    for run in runs:
        try:
            spec = run.spec()
        except Exception:
            continue
        return objective_of(run, spec)
    return "val_loss"


def direction_of(runs: list[RunFolder]) -> str:
    for run in runs:
        try:
            spec = run.spec()
        except Exception:
            continue
        return objective_direction(objective_of(run, spec))
    return "min"


def is_better(a: float | None, b: float | None, direction: str) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return False
    if b is None:
        return True
    return a > b if direction == "max" else a < b
