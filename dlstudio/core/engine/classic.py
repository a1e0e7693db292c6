"""A strong classical model on the same split: did deep learning earn its keep?

Beside the trivial baseline (engine/evaluate.py), a run reports what a well-known classical
model scores on exactly the same train, validation and test rows: gradient boosting for tables
(scikit-learn's HistGradientBoosting, which takes missing numbers natively; categories are
codes by training frequency, read as numbers, since skl2onnx cannot write categorical splits)
and TF-IDF word and word-pair counts with logistic regression for texts. These are the references
people compare deep learning against, and the bar of the quality benchmark (issue 14).

It runs after the search, in the run's own reserve, and never pushes a run past its budget by
more than a few seconds: boosting grows in chunks with a time check between them, and a second
candidate is only tried when the first one's time says it fits. Its metrics come from
`evaluate_predictions`, the code that scores the network, so the numbers are comparable.

scikit-learn is imported inside the functions that fit, and a machine without it gets a
reason instead of a reference. With a weight column it fits with the rows' weights (scaled to
a mean of 1, as the network's loss takes them) and is scored weighted, as the network is. In a
run, the trained reference is kept as an ONNX file
(export/classic_onnx.py), so that the user can choose it when it validates better
(core/model_choice.py); it is never pickled. The sentence comparing the model with the
reference is the verdict's (core/verdict.py `classic_sentence`).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dlstudio.core.config import default_objective, objective_direction
from dlstudio.core.data import Task
from dlstudio.core.engine.evaluate import class_probabilities, evaluate_predictions
from dlstudio.core.errors import error_summary
from dlstudio.core.paired_test import paired_classes, paired_errors
from dlstudio.core.search.budget import reserve_for

GRADIENT_BOOSTING = "Gradient boosting"
TFIDF_LOGISTIC = "TF-IDF + logistic regression"
TFIDF_RIDGE = "TF-IDF + ridge regression"

# What saving the model and its card takes after the reference (measured: under a second for
# the bundled samples); the reference may run this much past the budget's end, no more.
SAVE_S = 1.0
GRACE_S = 2.0
# Less than this is not worth starting (a fit would be cut before it learned anything).
MIN_S = 1.0
# A run without a budget still gets a reference in bounded time.
NO_BUDGET_S = 30.0

# Gradient boosting: iterations grown per chunk (a time check after each) and at most.
CHUNK = 25
MAX_ITER = 1000
# Early stopping: a validation loss still falling by less than this is not worth the time.
# Diamonds (38k rows): 1e-4 stops at 82 iterations (test MAE 278, 2.5 s), 1e-5 at 201 (MAE
# 269, 8 s with both learning rates), 1e-7 runs to the cap (MAE 261, 36 s); penguins'
# separable validation rows kept 1e-7 going for 550 iterations.
TOL = 1e-5
LEARNING_RATES = (0.1, 0.05)  # the second halves the step: better on larger data, when it fits
MAX_CATEGORIES = 254  # the most frequent categories get codes; the rest share "other"
# Texts: regularisation strengths tried, the usual best first.
C_VALUES = (10.0, 100.0, 1.0)
ALPHAS = (1.0, 0.1, 10.0)
MAX_TFIDF_FEATURES = 200_000
# Counting words and word pairs reads 2.5-3 million characters a second on one core (20
# newsgroups, 8 MB: 3.3 s); below that rate, with a margin for a busy machine.
TEXT_CHARS_PER_S = 2_000_000


def reference_for_run(
    data,
    token,
    spec,
    model_test_output: np.ndarray | None = None,
    folder: Path | None = None,
    network_validation: dict | None = None,
) -> dict:
    """The classical reference for a run whose search has ended, inside what is left of its
    budget; skipped with a reason when the user stopped the run. With the run's model's test
    output, it also says whether the two differ by more than luck (see classic_reference).

    With the run's `folder`, the trained reference is kept there as an ONNX file a user can
    run (export/classic_onnx.py; "onnx" says where, or why not), and with the network's
    `network_validation` metrics, "versus" says which of the two validated better on the
    run's objective (the Results step offers the classical model when it did)."""
    if token is not None and token.cancelled:
        return _none(STOPPED)
    search = getattr(spec, "search", None)
    limit = None if search is None else search.time_limit_s
    stop = None if token is None else (lambda: token.cancelled)
    result = classic_reference(
        data, reference_seconds(token, limit), stop, model_test_output, keep_fitted=True
    )
    fitted = result.pop("fitted", None)
    if not result.get("name"):
        return result
    if network_validation is not None:
        objective = getattr(search, "objective", None) or default_objective(data.task.value)
        result["versus"] = versus(data, objective, result["validation"], network_validation)
    if folder is not None and fitted is not None:
        from dlstudio.core.export.classic_onnx import save_classic_model

        result["onnx"] = save_classic_model(Path(folder), data, fitted)
    return result


def versus(data, objective: str, classic: dict, network: dict) -> dict:
    """The two models' validation scores on the run's objective ("val_loss" is the log loss
    for classes; for numbers the loss is a hyperparameter in scaled units, so the MAE, as
    the verdict's, stands for it): {"metric", "classic", "network", "higher_is_better",
    "classic_better"}."""
    metric = objective.removeprefix("val_")
    if metric == "loss":
        metric = "mae" if data.task is Task.REGRESSION else "log_loss"
    higher = objective_direction(objective) == "max"
    ours, theirs = classic.get(metric), network.get(metric)
    better = (
        ours is not None
        and theirs is not None
        and np.isfinite(ours)
        and np.isfinite(theirs)
        and (ours > theirs if higher else ours < theirs)
    )
    return {
        "metric": metric,
        "classic": ours,
        "network": theirs,
        "higher_is_better": higher,
        "classic_better": bool(better),
    }


def reference_seconds(token, time_limit_s: float | None) -> float | None:
    """Seconds the reference may take: what is left until the budget's end (the search's
    deadline plus the reserve held back for the end of the run), less the time to save the
    model, plus a small grace. None without a budget."""
    if token is None or token.deadline is None or time_limit_s is None:
        return None
    return token.deadline + seconds_after_search(time_limit_s) - time.monotonic()


def seconds_after_search(time_limit_s: float) -> float:
    """What the closing steps (an average, the reference) have after the search's deadline:
    the budget's reserve, less the time to save the model, plus a small grace."""
    return reserve_for(time_limit_s) - SAVE_S + GRACE_S


def classic_reference(
    data,
    time_left_s: float | None,
    stop=None,
    model_test_output: np.ndarray | None = None,
    keep_fitted: bool = False,
) -> dict:
    """Train the classical model for `data` on its train rows, pick its settings on the
    validation rows, and score it on the test rows.

    Args:
        data: The run's PreparedData (the same split the network trained on).
        time_left_s: Seconds it may take; None for no budget (then at most NO_BUDGET_S).
        stop: Called between steps; True when the user stopped the run (it then ends there).
        model_test_output: The network's test output (as evaluate_predictions takes it), to
            compare row by row with the reference's.
        keep_fitted: Keep the trained reference under "fitted" (a Fitted, in memory only:
            export/classic_onnx.py writes it as ONNX, never as a pickle).

    Returns:
        {"name", "metrics", "validation", "seconds", "settings"} with the metrics named and
        computed as evaluate_predictions' for the task (and "cut_short": True when the budget
        ended the boosting before it stopped improving; "paired": the paired test of the
        network against it on the test rows, core/paired_test.py, when its output was given),
        or {"name": None, "reason"} when no reference fits this data or this budget. Never
        raises: a reference that fails says why.
    """
    started = time.monotonic()
    kinds = {i.kind for i in data.inputs}
    if data.kind == "images" or "image" in kinds:
        return _none(
            "No classical reference for images: the fair one would be a small CNN, which is "
            "what the search itself tries first."
        )
    if "text" in kinds and len(data.inputs) > 1:
        return _none(
            "No classical reference for a table with a text column: it covers tables of "
            "numbers, categories and dates, and texts on their own."
        )
    budget = NO_BUDGET_S if time_left_s is None else min(NO_BUDGET_S, time_left_s)
    if budget < MIN_S:
        return _none(
            "Not trained: the time budget was used up by the search "
            f"({max(0.0, budget):.1f} s left for it). Give a longer budget to see it."
        )
    deadline = started + budget
    try:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn

        # One OpenMP thread: on a busy machine (2 cores, load 8) boosting with 2 threads took
        # 34 s where one took 1.1 s (penguins) and 8 s (diamonds, 38k rows); unloaded, one
        # thread is within a factor of the core count, which the time checks absorb.
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="openmp"):
            warnings.simplefilter("ignore")  # convergence notes are not the user's concern here
            fit = _texts if "text" in kinds else _table
            result = fit(data, deadline, stop or (lambda: False))
    except _Stopped:
        return _none(STOPPED)
    except ImportError:
        return _none(
            "Not trained: scikit-learn is not installed here "
            "(`pip install scikit-learn` brings the classical reference back)."
        )
    except Exception as error:  # noqa: BLE001  (a reference is never worth a run)
        return _none(f"The classical reference failed ({error_summary(error)}).")
    test_output = result.pop("test_output", None)
    fitted = result.pop("fitted", None)
    if keep_fitted and fitted is not None:
        result["fitted"] = fitted
    if result.get("name"):
        result["seconds"] = round(time.monotonic() - started, 2)
        if model_test_output is not None and test_output is not None:
            result["paired"] = _paired(data, model_test_output, test_output)
    return result


def _paired(data, ours: np.ndarray, theirs: np.ndarray) -> dict:
    """The network against the reference on the same test rows: more than luck?"""
    if data.task is Task.REGRESSION:
        return paired_errors(data.y["test"], ours, theirs)
    chosen = [class_probabilities(data.task, output).argmax(axis=1) for output in (ours, theirs)]
    return paired_classes(np.asarray(data.y["test"]).astype(int), *chosen)


class _Stopped(Exception):
    """The user stopped the run while the reference trained."""


STOPPED = "Not trained: the run was stopped before it ended."


def _none(reason: str) -> dict:
    return {"name": None, "reason": reason}


def _scores(data, split: str, output: np.ndarray) -> dict:
    """evaluate_predictions' metrics for `output` on `split`: the network's own yardstick
    (weighted as the network's scores are, when the rows carry weights)."""
    scored = evaluate_predictions(
        data.task,
        data.y[split],
        output,
        data.class_names,
        data.baseline_mean(),
        weights=data.weights(split),
    )
    return scored["metrics"]


def _pick_score(data, metrics: dict) -> float:
    """What candidates are compared on, lower is better: the log loss for classes (the
    network's validation loss), the mean absolute error (the verdict's) for numbers."""
    return metrics["mae"] if data.task is Task.REGRESSION else metrics["log_loss"]


def _estimator_output(fitted, x) -> np.ndarray:
    """The estimator's predictions in the form evaluate_predictions takes (the network's)."""
    estimator = fitted.estimator
    if fitted.task is Task.REGRESSION:
        predicted = np.asarray(estimator.predict(x), dtype="float64").reshape(-1)
        return fitted.scaling.unscale(predicted) if fitted.scaling is not None else predicted
    probabilities = np.zeros((x.shape[0], len(fitted.class_names)))
    probabilities[:, estimator.classes_.astype(int)] = estimator.predict_proba(x)
    return probabilities[:, 1] if fitted.task is Task.BINARY else probabilities


def _fitted(data, estimator, **parts) -> Fitted:
    return Fitted(
        data.task, list(data.inputs), data.class_names, estimator, data.target_scaling, **parts
    )


def _texts_of(values) -> list[str]:
    return [str(t) for t in np.asarray(values).reshape(-1)]


def _fit_target(data, split: str) -> np.ndarray:
    """Classes as integer codes; numbers as the network learns them (scaled, maybe logged),
    turned back into the user's units by `_output`."""
    if data.task is Task.REGRESSION:
        return np.asarray(data.fit_target(split), dtype="float64")
    return np.asarray(data.y[split]).astype("int64")


def _best(candidates: list[dict]) -> dict:
    best = min(candidates, key=lambda c: c["pick"])
    result = {
        "name": best["name"],
        "metrics": best["metrics"],
        "validation": best["validation"],
        "settings": best["settings"],
        "test_output": best["test_output"],  # for the paired test; never saved
        "fitted": best["fitted"],  # the trained model, in memory (classic_onnx.py saves it)
    }
    if best.get("cut_short"):
        result["cut_short"] = True
    return result


# ---------------------------------------------------------------- tables


@dataclass
class Fitted:
    """A trained reference with what it needs to predict from the model's raw inputs (numbers,
    category strings, dates as seconds, texts: as data.x and model_card.json's inputs hold
    them). Kept in memory only: export/classic_onnx.py writes it as ONNX."""

    task: Task
    inputs: list  # FeatureInput, in the order the features are laid out
    class_names: list[str] | None
    estimator: object
    scaling: object = None  # TargetScaling of a regression target, or None
    codes: dict[str, dict[str, int]] = field(default_factory=dict)  # categories, by input
    vectorizer: object = None  # texts: the fitted TfidfVectorizer

    def features(self, x: dict[str, np.ndarray]):
        """The estimator's input for raw inputs `x` (input name -> array)."""
        if self.vectorizer is not None:
            return self.vectorizer.transform(_texts_of(x[self.inputs[0].name]))
        return table_matrix(self.inputs, x, self.codes)

    def outputs(self, x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Predictions as the exported file names them: "probabilities" (one column per class,
        in class_names' order) and "label", or "value" in the target's own units."""
        output = _estimator_output(self, self.features(x))
        if self.task is Task.REGRESSION:
            return {"value": output.reshape(-1, 1)}
        if self.task is Task.BINARY:
            output = np.column_stack([1.0 - output, output])
        names = np.asarray(self.class_names, dtype=object)
        return {"probabilities": output, "label": names[output.argmax(axis=1)].reshape(-1, 1)}


def table_features(data) -> tuple[dict[str, np.ndarray], dict[str, dict[str, int]]]:
    """One float matrix per split, and the codes of each categorical input (by input name):
    numbers as they are (NaN stays missing), categories as codes by training frequency (read
    as numbers: skl2onnx cannot write HistGradientBoosting's categorical splits), dates as
    their parts."""
    codes = {
        spec.name: _category_codes(data.x["train"][spec.name])
        for spec in data.inputs
        if spec.kind == "categorical"
    }
    matrices = {split: table_matrix(data.inputs, data.x[split], codes) for split in data.x}
    return matrices, codes


def table_matrix(inputs, x: dict[str, np.ndarray], codes: dict) -> np.ndarray:
    """The feature matrix of raw inputs `x`, laid out as export/classic_onnx.py's graph does."""
    rows = len(next(iter(x.values()))) if x else 0
    parts = []
    for spec in inputs:
        values = x[spec.name]
        if spec.kind == "numeric":
            parts.append(np.asarray(values, dtype="float64").reshape(-1, 1))
        elif spec.kind == "datetime":
            parts.append(_date_parts(values))
        elif spec.kind == "categorical":
            parts.append(_encode_categories(values, codes[spec.name]))
        else:
            raise ValueError(f"no classical encoding for {spec.kind} inputs")
    return np.hstack(parts) if parts else np.zeros((rows, 0))


def _date_parts(seconds: np.ndarray) -> np.ndarray:
    """Seconds since 1970 (the trend), year, month, day of week and hour (the cycles)."""
    import pandas as pd

    flat = np.asarray(seconds, dtype="float64").reshape(-1)
    when = pd.to_datetime(pd.Series(flat), unit="s", errors="coerce")
    parts = [flat, when.dt.year, when.dt.month, when.dt.day_of_week, when.dt.hour]
    return np.column_stack([np.asarray(p, dtype="float64") for p in parts])


def _category_codes(train: np.ndarray) -> dict[str, int]:
    """The most frequent training values get codes 0, 1, …; missing ("") gets none."""
    values, counts = np.unique(np.asarray(train, dtype=object).reshape(-1), return_counts=True)
    order = np.argsort(-counts, kind="stable")
    kept = [values[i] for i in order if values[i] != ""][:MAX_CATEGORIES]
    return {value: code for code, value in enumerate(kept)}


def _encode_categories(values: np.ndarray, codes: dict[str, int]) -> np.ndarray:
    other = float(len(codes))  # rarer and unseen values share one code; "" stays missing
    flat = np.asarray(values, dtype=object).reshape(-1)
    encoded = [np.nan if v == "" else float(codes.get(v, other)) for v in flat]
    return np.asarray(encoded, dtype="float64").reshape(-1, 1)


def _table(data, deadline: float, stop) -> dict:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    x, codes = table_features(data)
    if x["train"].shape[1] == 0:
        return _none("No classical reference: the table has no feature columns it can use.")
    regression = data.task is Task.REGRESSION
    y_train, y_val = _fit_target(data, "train"), _fit_target(data, "validation")
    has_validation = len(y_val) > 0
    candidates, last_s = [], 0.0
    for rate in LEARNING_RATES:
        # Another candidate only when one as long as the last still fits (a halved step
        # needs about twice the iterations).
        if candidates and time.monotonic() + 2 * last_s > deadline:
            break
        began = time.monotonic()
        estimator = (
            HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
        )(
            learning_rate=rate,
            max_iter=CHUNK,
            early_stopping=True,
            n_iter_no_change=10,
            tol=TOL,
            warm_start=True,
            random_state=0,
        )
        cut_short = _grow(
            estimator,
            x["train"],
            y_train,
            x["validation"] if has_validation else None,
            y_val,
            deadline,
            stop,
            _row_weights(data, "train"),
            _row_weights(data, "validation") if has_validation else None,
        )
        last_s = time.monotonic() - began
        fitted = _fitted(data, estimator, codes=codes)
        validation = _scores(data, "validation", _estimator_output(fitted, x["validation"]))
        test_output = _estimator_output(fitted, x["test"])
        candidates.append(
            {
                "name": GRADIENT_BOOSTING,
                "fitted": fitted,
                "pick": _pick_score(data, validation) if has_validation else 0.0,
                "validation": validation,
                "metrics": _scores(data, "test", test_output),
                "test_output": test_output,
                "settings": {"learning_rate": rate, "iterations": int(estimator.n_iter_)},
                "cut_short": cut_short,
            }
        )
    return _best(candidates)


def _row_weights(data, split: str) -> np.ndarray | None:
    """The rows' weights as the reference fits with them: the weight column's, scaled to a
    mean of 1 (None without one). Class weights are not added: the reference never balanced
    classes."""
    weights = data.sample_weights(split, with_classes=False)
    return None if weights is None else weights.astype("float64")


def _grow(
    estimator,
    x,
    y,
    x_val,
    y_val,
    deadline: float,
    stop,
    weights=None,
    weights_val=None,
) -> bool:
    """Fit CHUNK iterations at a time until early stopping ends it, MAX_ITER is reached or
    another chunk would pass the deadline (the first chunk always runs). True when the
    deadline ended it while it was still improving. `weights`: the training rows' sample
    weights (and `weights_val` the validation rows', for early stopping), or None."""
    options = {"X_val": x_val, "y_val": y_val} if x_val is not None else {}
    if x_val is not None and weights_val is not None:
        options["sample_weight_val"] = weights_val
    if weights is not None:
        options["sample_weight"] = weights
    began = time.monotonic()
    while True:
        estimator.fit(x, y, **options)
        if stop():
            raise _Stopped
        if estimator.n_iter_ < estimator.max_iter or estimator.max_iter >= MAX_ITER:
            return False  # early stopping ended it, or it reached the cap
        per_iteration = (time.monotonic() - began) / max(1, estimator.n_iter_)
        if time.monotonic() + per_iteration * CHUNK > deadline:
            return True
        estimator.set_params(max_iter=min(MAX_ITER, estimator.max_iter + CHUNK))


# ---------------------------------------------------------------- texts


def _texts(data, deadline: float, stop) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, Ridge

    name = data.inputs[0].name
    texts = {split: _texts_of(data.x[split][name]) for split in data.x}
    reading_s = sum(len(t) for split in texts.values() for t in split) / TEXT_CHARS_PER_S
    if time.monotonic() + reading_s > deadline:
        return _none(
            f"Not trained: reading these texts takes about {reading_s:.0f} s, more than was "
            f"left of the time budget ({max(0.0, deadline - time.monotonic()):.0f} s). Give "
            "a longer budget to see it."
        )
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        max_features=MAX_TFIDF_FEATURES,
        dtype=np.float32,
    )
    x = {"train": vectorizer.fit_transform(texts["train"])}
    for split in ("validation", "test"):
        x[split] = vectorizer.transform(texts[split])
    regression = data.task is Task.REGRESSION
    y_train = _fit_target(data, "train")
    has_validation = len(data.y["validation"]) > 0
    candidates, last_s = [], 0.0
    for strength in ALPHAS if regression else C_VALUES:
        if candidates and (not has_validation or time.monotonic() + last_s > deadline):
            break  # without validation rows there is nothing to pick on: the first one stays
        began = time.monotonic()
        if regression:
            estimator = Ridge(alpha=strength)
            settings = {"alpha": strength}
        else:
            # saga: 4-8 times faster than lbfgs on TF-IDF rows (20 newsgroups, 5 topics: 1.8 s
            # vs 6-14 s on 2 cores), same test accuracy.
            estimator = LogisticRegression(C=strength, solver="saga", max_iter=100, random_state=0)
            settings = {"C": strength}
        estimator.fit(x["train"], y_train, sample_weight=_row_weights(data, "train"))
        if stop():
            raise _Stopped
        last_s = time.monotonic() - began
        fitted = _fitted(data, estimator, vectorizer=vectorizer)
        validation = _scores(data, "validation", _estimator_output(fitted, x["validation"]))
        test_output = _estimator_output(fitted, x["test"])
        candidates.append(
            {
                "name": TFIDF_RIDGE if regression else TFIDF_LOGISTIC,
                "fitted": fitted,
                "pick": _pick_score(data, validation) if has_validation else 0.0,
                "validation": validation,
                "metrics": _scores(data, "test", test_output),
                "test_output": test_output,
                "settings": {**settings, "vocabulary": len(vectorizer.vocabulary_)},
            }
        )
    return _best(candidates)
