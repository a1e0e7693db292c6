"""Looking across trials and runs: one table of every trial, and which hyperparameters mattered.

Importance method (shown in the app and the docs): for each hyperparameter, the share of the
variance of the score across finished trials that its value alone explains — one-way ANOVA's
η² (eta squared). Numeric values are grouped into up to 4 quantile bins first (on a log scale
where the search space is logarithmic). It measures main effects only, not interactions, and
with few trials it is a hint, not a verdict; the app says how many trials it rests on.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dlstudio.core.config import objective_direction
from dlstudio.core.events import TrialStatus
from dlstudio.core.models.space import TEMPLATES
from dlstudio.core.project import RunFolder

IMPORTANCE_METHOD = (
    "Share of the score's variance across finished trials explained by each hyperparameter "
    "alone (one-way ANOVA, η²; numbers in up to 4 quantile bins, log-scaled where the space "
    "is). Main effects only, no interactions."
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
    card = run.read("model_card.json") or {}
    return {
        "run": run.id,
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


def importance(frame: pd.DataFrame, log_names: set[str] = frozenset()) -> dict[str, float]:
    """η² of the score per hyperparameter, over completed trials; {} with fewer than 3."""
    done = frame[(frame["status"] == TrialStatus.COMPLETED.value) & frame["score"].notna()]
    if len(done) < 3:
        return {}
    score = done["score"].astype(float).to_numpy()
    total = float(((score - score.mean()) ** 2).sum())
    if total == 0:
        return {}
    result = {}
    for column in hyperparameter_columns(done):
        values = done[column]
        if values.nunique(dropna=False) < 2:
            continue
        groups = _groups(values, column.removeprefix("hp:") in log_names)
        means = pd.Series(score, index=done.index).groupby(groups).transform("mean").to_numpy()
        result[column.removeprefix("hp:")] = float(((means - score.mean()) ** 2).sum() / total)
    return dict(sorted(result.items(), key=lambda item: -item[1]))


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
