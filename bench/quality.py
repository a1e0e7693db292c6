"""Quality at an equal wall-clock budget on the bundled samples: dlstudio's tuned model vs what
a user would otherwise reach for — scikit-learn's HistGradientBoosting for tables, TF-IDF +
logistic regression for text — and AutoKeras where it is installed (`pip install -e .[bench]`).

All see the same train / validation / test rows (dlstudio's seeded split) and are scored by test
accuracy. "Equal budget": dlstudio searches with `--time-limit` set to it; each scikit-learn
baseline runs a random search over its own hyperparameters, picked on the validation rows,
until the same time is spent (it fits in well under a second, so it tries many). AutoKeras has
no time limit of its own: it gets a few trials, and its entry records the time it took.
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from bench.common import ROOT

SAMPLES = {
    "penguins": ("dlstudio/resources/samples/tabular/palmer_penguins.csv", "species"),
    "breast_cancer": (
        "dlstudio/resources/samples/tabular/breast_cancer_wisconsin.csv",
        "diagnosis",
    ),
    "sms_spam": ("dlstudio/resources/samples/text/sms_spam.csv", "label"),
}


def _prepared(path: str, target: str):
    from dlstudio.core.config import SplitSpec
    from dlstudio.core.data import load_dataset
    from dlstudio.core.engine.prepare import prepare

    return prepare(load_dataset(ROOT / path, target=target), SplitSpec())


def dlstudio_accuracy(path: str, target: str, budget: float) -> float:
    from dlstudio.core.config import DataSpec, RunSpec, SearchSpec, TrainSpec
    from dlstudio.core.engine.run import start_run
    from dlstudio.core.events import RunFinished

    finished = []
    spec = RunSpec(
        DataSpec(str(ROOT / path), target),
        train=TrainSpec(epochs=40, patience=6, seed=0),
        search=SearchSpec("bayesian", max_trials=500, time_limit_s=budget, objective="val_loss"),
    )
    with tempfile.TemporaryDirectory() as project:
        start_run(spec, project, lambda e: isinstance(e, RunFinished) and finished.append(e))
    return finished[0].test_metrics["accuracy"]


def _frame(data, split: str):
    import pandas as pd

    frame = pd.DataFrame({k: v.reshape(len(v), -1)[:, 0] for k, v in data.x[split].items()})
    for name in frame.columns:
        if frame[name].dtype == object or str(frame[name].dtype).startswith("str"):
            frame[name] = frame[name].astype("category")
    return frame


def _search(make, candidates, fit_and_score, budget: float, seed: int = 0):
    """Random search until the budget is spent; returns the best model on validation."""
    rng = np.random.default_rng(seed)
    deadline = time.monotonic() + budget
    best, best_score, tried = None, -np.inf, 0
    while time.monotonic() < deadline and tried < 500:
        values = {k: v[rng.integers(len(v))] for k, v in candidates.items()}
        model, score = fit_and_score(make(values))
        tried += 1
        if score > best_score:
            best, best_score = model, score
    return best, tried


def gradient_boosting_accuracy(data, budget: float) -> tuple[float, int]:
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = {s: _frame(data, s) for s in ("train", "validation", "test")}
    categories = {c: x["train"][c].cat.categories for c in x["train"].select_dtypes("category")}
    for split in ("validation", "test"):
        for c, cats in categories.items():
            x[split][c] = x[split][c].cat.set_categories(cats)

    def fit_and_score(model):
        model.fit(x["train"], data.y["train"])
        return model, model.score(x["validation"], data.y["validation"])

    model, tried = _search(
        lambda v: HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=0, **v
        ),
        {
            "learning_rate": [0.03, 0.1, 0.3],
            "max_leaf_nodes": [7, 15, 31, 63],
            "min_samples_leaf": [5, 10, 20, 40],
            "l2_regularization": [0.0, 0.1, 1.0],
            "max_iter": [100, 200, 400],
        },
        fit_and_score,
        budget,
    )
    return float(model.score(x["test"], data.y["test"])), tried


def tfidf_logistic_accuracy(data, budget: float) -> tuple[float, int]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    (name,) = data.x["train"]
    texts = {s: [str(t) for t in data.x[s][name].ravel()] for s in data.x}

    def fit_and_score(model):
        model.fit(texts["train"], data.y["train"])
        return model, model.score(texts["validation"], data.y["validation"])

    model, tried = _search(
        lambda v: make_pipeline(
            TfidfVectorizer(ngram_range=v["ngram_range"], min_df=v["min_df"], sublinear_tf=True),
            LogisticRegression(C=v["C"], max_iter=2000, class_weight=v["class_weight"]),
        ),
        {
            "ngram_range": [(1, 1), (1, 2)],
            "min_df": [1, 2, 3],
            "C": [0.3, 1.0, 3.0, 10.0, 30.0],
            "class_weight": [None, "balanced"],
        },
        fit_and_score,
        budget,
    )
    return float(model.score(texts["test"], data.y["test"])), tried


def _autokeras_shim():
    """AutoKeras 3.0 sizes its output layers with numpy integers, which Keras ≥ 3.11's Dense
    refuses ("expected a positive integer"); its heads get a Dense that takes them."""
    import types

    import keras
    from autokeras.blocks import heads

    class Dense(keras.layers.Dense):
        def __init__(self, units, *args, **kwargs):
            super().__init__(int(units), *args, **kwargs)

    shimmed = types.ModuleType("keras_layers_for_autokeras")
    shimmed.__dict__.update(vars(keras.layers))
    shimmed.Dense = Dense
    heads.layers = shimmed


def autokeras_accuracy(data) -> tuple[float, float]:
    """AutoKeras's own classifier for the modality, 3 trials; returns accuracy and seconds."""
    import autokeras as ak

    _autokeras_shim()
    start = time.monotonic()
    classes = int(len(np.unique(data.y["train"])))
    with tempfile.TemporaryDirectory() as folder:
        if data.kind == "text":
            (name,) = data.x["train"]
            x = {s: np.array([str(t) for t in data.x[s][name].ravel()]) for s in data.x}
            model = ak.TextClassifier(
                num_classes=classes, max_trials=3, directory=folder, overwrite=True, seed=0
            )
        else:
            frames = {s: _frame(data, s) for s in data.x}
            x = {s: frames[s].astype(str).to_numpy() for s in frames}  # AutoKeras encodes them
            model = ak.StructuredDataClassifier(
                num_classes=classes, max_trials=3, directory=folder, overwrite=True, seed=0
            )
        model.fit(
            x["train"],
            data.y["train"],
            validation_data=(x["validation"], data.y["validation"]),
            epochs=20,
            verbose=0,
        )
        predicted = np.asarray(model.predict(x["test"], verbose=0)).ravel()
    truth = np.asarray(data.y["test"]).ravel()
    predicted = predicted.astype(truth.dtype) if predicted.dtype != object else predicted
    return float(np.mean(predicted.astype(str) == truth.astype(str))), time.monotonic() - start


def measure(quick: bool = False, budget: float | None = None) -> dict:
    budget = budget or (20.0 if quick else 60.0)
    names = ["penguins", "sms_spam"] if quick else list(SAMPLES)
    quality, notes = [], []
    for name in names:
        path, target = SAMPLES[name]
        data = _prepared(path, target)
        ours = dlstudio_accuracy(path, target, budget)
        if data.kind == "text":
            baseline, tried = tfidf_logistic_accuracy(data, budget)
            baseline_name = "TF-IDF + logistic regression (scikit-learn)"
        else:
            baseline, tried = gradient_boosting_accuracy(data, budget)
            baseline_name = "HistGradientBoosting (scikit-learn)"
        quality.append(
            {
                "dataset": name,
                "dlstudio": ours,
                "baseline": baseline,
                "baseline_name": f"{baseline_name}, {tried} configurations",
                "budget_s": budget,
            }
        )
        try:
            accuracy, seconds = autokeras_accuracy(data)
            quality.append(
                {
                    "dataset": name,
                    "dlstudio": ours,
                    "baseline": accuracy,
                    "baseline_name": "AutoKeras 3 (3 trials × 20 epochs)",
                    "budget_s": round(seconds, 1),
                }
            )
        except ImportError:
            notes.append("AutoKeras is not installed (pip install -e .[bench]); skipped")
        except Exception as error:  # AutoKeras 3 with a newer Keras may break: say how
            notes.append(f"AutoKeras failed on {name}: {type(error).__name__}: {error}"[:300])
    return {"quality": quality, "quality_notes": sorted(set(notes))}


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import json

    print(json.dumps(measure(quick=True), indent=1))
