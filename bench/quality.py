"""Quality at equal wall-clock time (issue 14): what the model dlstudio returns is worth, beside
AutoKeras and beside the classical model a user would otherwise reach for.

For each dataset of ../shared/datasets (the bundled samples stand in where it is absent):

1. AutoKeras 3 runs its default 3-trial search (20 epochs at most per trial) and its wall clock
   is measured: that time, T, is the budget everyone else gets;
2. the classical reference gets T too: scikit-learn's HistGradientBoosting for tables and
   TF-IDF + logistic regression for texts, each a random search over its hyperparameters picked
   on the validation rows until T is spent; a small Keras CNN for images, trained until T;
3. dlstudio runs as a user would run it, `dlstudio tune DATA --time-limit T` (then 2T and 4T),
   in a fresh process, and its test score is read from the run's evaluation.json.

Everyone sees dlstudio's seeded train / validation / test split of the same rows and is scored
on the test rows: accuracy for classes, mean absolute error for numbers. This is done on
REPEATS splits (seeds 0, 1, 2: the same seed seeds each contender's training), and a row gives
each contender's mean over them, its range, and on how many splits dlstudio was level or ahead.
Each contender runs in an interpreter of its own, one after the other, so what one loads never
slows the next; the machine's load average is recorded with each row, because a busy machine
slows all of them (AutoKeras took 95 s on breast cancer at a load of 5-8, 12-14 s alone).

`python -m bench --only quality` runs every dataset at T, 2T and 4T on three splits (hours on
2 cores); `DLSTUDIO_BENCH_QUALITY=penguins,titanic` runs some (their rows replace the stored
ones), `--quick` runs two small ones at 1× on one split; see `measure` for the rest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.common import CACHE, ROOT, run_child

SHARED = ROOT.parent / "shared" / "datasets"
MULTIPLES = (1, 2, 4)
RESULTS = ROOT / "bench" / "results.json"
AUTOKERAS_TRIALS, AUTOKERAS_EPOCHS = 3, 20
# Each dataset is measured on this many seeded splits (0, 1, ...), every contender on the same
# ones: test sets of 50-150 rows move every score by 1-3 points between splits and seeds
# (AutoKeras on penguins: 0.902-0.980 over five runs on one split), so one split cannot tell
# two contenders apart.
REPEATS = 3
# AutoKeras's image search on 2 CPU cores ran past 24 minutes on 1,797 digits: it is stopped
# at this cap, and everyone else then gets FALLBACK_BUDGET_S (the row says so).
AUTOKERAS_CAP_S, FALLBACK_BUDGET_S = 900.0, 60.0
ROWS_SO_FAR = CACHE / "quality-rows.jsonl"  # each dataset's row as it ends (a long run's log)


@dataclass(frozen=True)
class Benchmark:
    """One dataset as every contender reads it."""

    path: str  # under ../shared/datasets
    target: str
    kind: str  # "table", "text", "images"
    regression: bool = False
    # Columns every contender leaves out: leaks of the target and row identifiers.
    leave_out: tuple[str, ...] = ()
    sample_rows: int | None = None  # a seeded sample of a table too large for a short budget
    why: str = ""
    roles: dict = field(default_factory=dict)


DATASETS = {
    "penguins": Benchmark("tabular/palmer_penguins.csv", "species", "table"),
    "breast_cancer": Benchmark("tabular/breast_cancer_wisconsin.csv", "diagnosis", "table"),
    "titanic": Benchmark(
        "tabular/titanic.csv", "survived", "table", leave_out=("alive",), why="alive leaks"
    ),
    "mushrooms": Benchmark("tabular/mushrooms.csv", "class", "table"),
    "auto_mpg": Benchmark(
        "tabular/auto_mpg.csv", "mpg", "table", regression=True, leave_out=("name",)
    ),
    "diamonds": Benchmark(
        "tabular/diamonds.csv", "price", "table", regression=True, sample_rows=10_000
    ),
    "sms_spam": Benchmark("text/sms_spam.csv", "label", "text"),
    "newsgroups": Benchmark(
        "text/twenty_newsgroups_5topics.csv",
        "topic",
        "text",
        leave_out=("split", "doc_id"),
    ),
    "digits": Benchmark("image/sklearn_digits", "label", "images"),
    "clothing": Benchmark("image/clothing_small", "label", "images"),
}
QUICK = ("penguins", "sms_spam")
BUNDLED = {  # where ../shared is absent, the bundled copies of the same files
    "tabular/palmer_penguins.csv": "dlstudio/resources/samples/tabular/palmer_penguins.csv",
    "tabular/breast_cancer_wisconsin.csv": (
        "dlstudio/resources/samples/tabular/breast_cancer_wisconsin.csv"
    ),
    "text/sms_spam.csv": "dlstudio/resources/samples/text/sms_spam.csv",
}


def data_path(name: str) -> Path:
    """The file or folder every contender reads (a cached sample where the table is cut)."""
    bench = DATASETS[name]
    source = SHARED / bench.path
    if not source.exists() and bench.path in BUNDLED:
        source = ROOT / BUNDLED[bench.path]
    if bench.sample_rows is None:
        return source
    import pandas as pd

    cut = CACHE / "quality" / f"{name}-{bench.sample_rows}.csv"
    if not cut.exists():
        cut.parent.mkdir(parents=True, exist_ok=True)
        frame = pd.read_csv(source)
        frame.sample(n=bench.sample_rows, random_state=0).to_csv(cut, index=False)
    return cut


def roles(name: str) -> dict[str, str]:
    return {column: "identifier" for column in DATASETS[name].leave_out}


def prepared(name: str, seed: int = 0):
    """dlstudio's own reading and seeded split of the dataset: the rows everyone is given."""
    from dlstudio.core.config import SplitSpec
    from dlstudio.core.data import load_dataset
    from dlstudio.core.data.prepare import prepare

    bench = DATASETS[name]
    target = None if bench.kind == "images" else bench.target
    dataset = load_dataset(data_path(name), target=target, roles=roles(name))
    return prepare(dataset, SplitSpec(seed=seed))


def score(data, predicted) -> float:
    """Test accuracy, or mean absolute error in the target's units."""
    truth = np.asarray(data.y["test"]).ravel()
    predicted = np.asarray(predicted).ravel()
    if data.task.value == "regression":
        return float(np.mean(np.abs(predicted.astype(float) - truth.astype(float))))
    return float(np.mean(predicted.astype(str) == truth.astype(str)))


def trivial(name: str, seed: int = 0) -> dict:
    """The score of a model that learned nothing: the commonest class, or the median."""
    data = prepared(name, seed)
    train = np.asarray(data.y["train"]).ravel()
    if data.task.value == "regression":
        constant = np.median(train.astype(float))
    else:
        values, counts = np.unique(train.astype(str), return_counts=True)
        constant = values[np.argmax(counts)]
    return {"score": score(data, np.full(len(data.y["test"]), constant))}


def _frame(data, split: str):
    import pandas as pd

    frame = pd.DataFrame({k: v.reshape(len(v), -1)[:, 0] for k, v in data.x[split].items()})
    for name in frame.columns:
        if frame[name].dtype == object or str(frame[name].dtype).startswith("str"):
            frame[name] = frame[name].astype("category")
    return frame


def _texts(data, split: str) -> list[str]:
    (name,) = data.x[split]
    return [str(t) for t in data.x[split][name].ravel()]


def _images(data, split: str) -> np.ndarray:
    (name,) = data.x[split]
    return data.x[split][name]


def _random_search(make, candidates, fit_and_score, budget: float, seed: int = 0):
    """Random search until the budget is spent; returns the best model on validation."""
    rng = np.random.default_rng(seed)
    deadline = time.monotonic() + budget
    best, best_score, tried = None, -np.inf, 0
    while time.monotonic() < deadline and tried < 1000:
        values = {k: v[rng.integers(len(v))] for k, v in candidates.items()}
        model, value = fit_and_score(make(values))
        tried += 1
        if value > best_score:
            best, best_score = model, value
    return best, tried


def gradient_boosting(name: str, budget: float, seed: int = 0) -> dict:
    """HistGradientBoosting, random search on validation for `budget` seconds."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.metrics import mean_absolute_error

    data = prepared(name, seed)
    x = {s: _frame(data, s) for s in ("train", "validation", "test")}
    categories = {c: x["train"][c].cat.categories for c in x["train"].select_dtypes("category")}
    for split in ("validation", "test"):
        for c, cats in categories.items():
            x[split][c] = x[split][c].cat.set_categories(cats)
    regression = data.task.value == "regression"
    estimator = HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier

    def fit_and_score(model):
        model.fit(x["train"], data.y["train"])
        if regression:
            return model, -mean_absolute_error(data.y["validation"], model.predict(x["validation"]))
        return model, model.score(x["validation"], data.y["validation"])

    started = time.monotonic()
    model, tried = _random_search(
        lambda v: estimator(categorical_features="from_dtype", random_state=seed, **v),
        {
            "learning_rate": [0.03, 0.1, 0.3],
            "max_leaf_nodes": [7, 15, 31, 63],
            "min_samples_leaf": [5, 10, 20, 40],
            "l2_regularization": [0.0, 0.1, 1.0],
            "max_iter": [100, 200, 400],
        },
        fit_and_score,
        budget,
        seed,
    )
    return {
        "score": score(data, model.predict(x["test"])),
        "seconds": time.monotonic() - started,
        "name": f"gradient boosting ({tried} configurations)",
    }


def tfidf_logistic(name: str, budget: float, seed: int = 0) -> dict:
    """TF-IDF + logistic regression, random search on validation for `budget` seconds."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    data = prepared(name, seed)
    texts = {s: _texts(data, s) for s in data.x}

    def fit_and_score(model):
        model.fit(texts["train"], data.y["train"])
        return model, model.score(texts["validation"], data.y["validation"])

    started = time.monotonic()
    model, tried = _random_search(
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
        seed,
    )
    return {
        "score": score(data, model.predict(texts["test"])),
        "seconds": time.monotonic() - started,
        "name": f"TF-IDF + logistic regression ({tried} configurations)",
    }


def small_cnn(name: str, budget: float, seed: int = 0) -> dict:
    """Two convolution blocks and a dense head, Adam, the best validation epoch, until
    `budget` seconds: the CNN a tutorial writes."""
    import keras

    data = prepared(name, seed)
    x = {s: _images(data, s).astype("float32") / 255.0 for s in data.x}
    classes = len(data.class_names)
    started = time.monotonic()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(x["train"].shape[1:]),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(classes, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    class Deadline(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if time.monotonic() - started > budget:
                self.model.stop_training = True

    model.fit(
        x["train"],
        data.y["train"],
        validation_data=(x["validation"], data.y["validation"]),
        epochs=1000,
        batch_size=32,
        verbose=0,
        callbacks=[
            Deadline(),
            keras.callbacks.EarlyStopping(
                monitor="val_accuracy", patience=8, restore_best_weights=True
            ),
        ],
    )
    predicted = np.argmax(model.predict(x["test"], verbose=0), axis=1)
    return {
        "score": score(data, predicted),
        "seconds": time.monotonic() - started,
        "name": "small CNN",
    }


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


def autokeras(name: str, seed: int = 0) -> dict:
    """AutoKeras's own model for the modality: its default search, 3 trials; its time is T."""
    import autokeras as ak

    _autokeras_shim()
    data = prepared(name, seed)
    regression = data.task.value == "regression"
    started = time.monotonic()
    common = {"max_trials": AUTOKERAS_TRIALS, "overwrite": True, "seed": seed}
    with tempfile.TemporaryDirectory() as folder:
        if data.kind == "text":
            x = {s: np.array(_texts(data, s)) for s in data.x}
            model = ak.TextClassifier(directory=folder, **common)
        elif data.kind == "images":
            x = {s: _images(data, s) for s in data.x}
            model = ak.ImageClassifier(directory=folder, **common)
        else:
            frames = {s: _frame(data, s) for s in data.x}
            x = {s: frames[s].astype(str).to_numpy() for s in frames}  # AutoKeras encodes them
            kind = ak.StructuredDataRegressor if regression else ak.StructuredDataClassifier
            model = kind(directory=folder, **common)
        y = {s: np.asarray(data.y[s]) for s in data.y}
        if not regression:
            y = {s: v.astype(str) for s, v in y.items()}
        model.fit(
            x["train"],
            y["train"],
            validation_data=(x["validation"], y["validation"]),
            epochs=AUTOKERAS_EPOCHS,
            verbose=0,
        )
        predicted = np.asarray(model.predict(x["test"], verbose=0)).ravel()
    return {"score": score(data, predicted), "seconds": time.monotonic() - started}


def dlstudio(name: str, budget: float, seed: int = 0) -> dict:
    """`dlstudio tune` as a user runs it, in a fresh process; the test score of its model.
    `--seed` sets the split (the same as everyone's) and the training's seeds."""
    bench = DATASETS[name]
    command = [sys.executable, "-m", "dlstudio", "tune", str(data_path(name))]
    if bench.kind != "images":
        command += ["--target", bench.target]
    for column, role in roles(name).items():
        command += ["--role", f"{column}={role}"]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as project:
        command += ["--time-limit", f"{budget:.0f}", "--max-trials", "200", "--seed", str(seed)]
        command += ["--project", project]
        out = subprocess.run(
            command,
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
            timeout=budget * 3 + 300,
        )
        seconds = time.monotonic() - started
        evaluations = sorted(Path(project).glob("runs/*/evaluation.json"))
        if not evaluations:
            tail = (out.stdout + out.stderr)[-400:].strip()
            return {"score": None, "seconds": seconds, "note": f"no model: {tail}"}
        evaluation = json.loads(evaluations[-1].read_text())
        trials = (evaluations[-1].parent / "trials.jsonl").read_text().count("\n")
    key = "mae" if bench.regression else "accuracy"
    return {
        "score": evaluation["metrics"].get(key),
        "seconds": seconds,
        "trials": trials,
        "model": _described(evaluation),
    }


def _described(evaluation: dict) -> str:
    ensemble = evaluation.get("ensemble") or {}
    if ensemble.get("members"):
        return f"ensemble of {len(ensemble['members'])}"
    return str(evaluation.get("template") or "")


def _child(call: str, timeout: float) -> dict:
    try:
        return run_child(f"from bench.quality import *\nresult = {call}", timeout=timeout)
    except Exception as error:  # one contender failing is a row's note, not the end of the bench
        return {"score": None, "note": f"{type(error).__name__}: {str(error)[-300:]}"}


def measure_one(
    name: str,
    multiples=MULTIPLES,
    stored: dict | None = None,
    repeats: int = REPEATS,
    add_splits: bool = False,
) -> dict:
    """One dataset's row: on each of `repeats` seeded splits, AutoKeras's time T, then the
    reference and dlstudio at T, 2T, 4T; the row's scores are their means over the splits
    (each split's results are kept under "splits"). With a `stored` row, its AutoKeras,
    reference and trivial results are kept and only dlstudio runs again (to measure a change
    to dlstudio without AutoKeras), at `multiples` only, on the first `repeats` splits (the
    others are kept as they are); with `add_splits`, the stored splits are kept whole and only
    the missing ones, up to `repeats`, are measured."""
    bench = DATASETS[name]
    load = os.getloadavg()[0]
    before = _splits(stored) if stored else []
    splits = []
    for seed in range(max(repeats, len(before))):
        kept = before[seed] if seed < len(before) else None
        if kept is not None and (add_splits or seed >= repeats):
            splits.append(kept)
            continue
        # The first failure is the one AutoKeras ran into: a later split only says "not run".
        failures = (s["autokeras"] for s in splits if s["autokeras"].get("score") is None)
        autokeras_failed = next(failures, None)
        splits.append(_measure_split(name, seed, multiples, kept, autokeras_failed))
    row = {
        "dataset": name,
        "kind": bench.kind,
        "metric": "MAE" if bench.regression else "accuracy",
        "splits": splits,
        "budget_s": round(float(np.mean([s["budget_s"] for s in splits])), 1),
        **{k: _summary([s.get(k) for s in splits]) for k in ("trivial", "autokeras", "reference")},
        "load_average": [round(load, 1), round(os.getloadavg()[0], 1)],
    }
    for key in ("dlstudio", "dlstudio_before"):
        done = sorted({m for s in splits for m in (s.get(key) or {})})
        if done:
            row[key] = {m: _summary([(s.get(key) or {}).get(m) for s in splits]) for m in done}
    ROWS_SO_FAR.parent.mkdir(parents=True, exist_ok=True)
    with ROWS_SO_FAR.open("a", encoding="utf-8") as log:
        log.write(json.dumps(row) + "\n")
    return row


def _measure_split(name, seed, multiples, stored, autokeras_failed) -> dict:
    """Every contender on the split of `seed`. AutoKeras is not run again on another split
    where it already failed on one (its image search runs into the 15-minute cap each time)."""
    bench = DATASETS[name]
    if stored:
        split = {k: v for k, v in stored.items() if k != "dlstudio"}
        if 1 in multiples:
            split["dlstudio_before"] = stored.get("dlstudio")
    else:
        split = {"seed": seed, "trivial": _child(f"trivial({name!r}, {seed})", 600)}
        split["autokeras"] = (
            {"score": None, "note": f"not run again: {autokeras_failed.get('note', '')}"}
            if autokeras_failed
            else _child(f"autokeras({name!r}, {seed})", AUTOKERAS_CAP_S)
        )
    budget = split["autokeras"].get("seconds") or FALLBACK_BUDGET_S
    split["budget_s"] = round(budget, 1)
    if not stored:
        reference = {"table": "gradient_boosting", "text": "tfidf_logistic", "images": "small_cnn"}
        call = f"{reference[bench.kind]}({name!r}, {budget}, {seed})"
        split["reference"] = _child(call, budget * 3 + 600)
    # The multiples not run again keep their stored results (2T and 4T can be added later).
    split["dlstudio"] = {**(stored or {}).get("dlstudio", {})}
    split["dlstudio"].update({str(m): dlstudio(name, budget * m, seed) for m in multiples})
    return split


def _splits(row: dict) -> list[dict]:
    """A stored row's results per split (a row from before repeats is one split, seed 0)."""
    if "splits" in row:
        return row["splits"]
    keys = ("trivial", "autokeras", "budget_s", "reference", "dlstudio")
    return [{"seed": 0, **{k: row[k] for k in keys if k in row}}]


def _summary(results: list[dict | None]) -> dict:
    """A contender's results over the splits: the mean score (of the splits where it gave
    one), every score, and the mean time; a failure's note when it gave none."""
    given = [r for r in results if r]
    scores = [r.get("score") for r in given]
    counted = [v for v in scores if v is not None]
    summary = {"score": float(np.mean(counted)) if counted else None, "scores": scores}
    seconds = [r["seconds"] for r in given if r.get("seconds") is not None]
    if seconds:
        summary["seconds"] = float(np.mean(seconds))
    names = [r["name"].split(" (")[0] for r in given if r.get("name")]
    if names:
        summary["name"] = names[0]
    if not counted and given:
        summary["note"] = given[0].get("note", "")
    models = [r.get("model", "") for r in given if "model" in r]
    if models:
        summary["models"] = models
    return summary


def measure(quick: bool = False) -> dict:
    """Environment: DLSTUDIO_BENCH_QUALITY (datasets, comma-separated), _MULTIPLES (e.g. "1"),
    _REPEATS (splits per dataset, default REPEATS), _REUSE=1 (keep the stored AutoKeras and
    reference results, run dlstudio again), _ADD_SPLITS=1 (keep the stored splits, measure
    the missing ones)."""
    chosen = os.environ.get("DLSTUDIO_BENCH_QUALITY")
    names = chosen.split(",") if chosen else list(QUICK if quick else DATASETS)
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        raise SystemExit(f"unknown quality datasets {unknown}; known: {', '.join(DATASETS)}")
    multiples = (1,) if quick else MULTIPLES
    if os.environ.get("DLSTUDIO_BENCH_QUALITY_MULTIPLES"):
        multiples = tuple(int(m) for m in os.environ["DLSTUDIO_BENCH_QUALITY_MULTIPLES"].split(","))
    repeats = 1 if quick else int(os.environ.get("DLSTUDIO_BENCH_QUALITY_REPEATS", REPEATS))
    add_splits = bool(os.environ.get("DLSTUDIO_BENCH_QUALITY_ADD_SPLITS"))
    stored = {}
    if (add_splits or os.environ.get("DLSTUDIO_BENCH_QUALITY_REUSE")) and RESULTS.exists():
        rows = json.loads(RESULTS.read_text()).get("quality", [])
        stored = {r["dataset"]: r for r in rows if "metric" in r}
    rows = [measure_one(n, multiples, stored.get(n), repeats, add_splits) for n in names]
    return {"quality": rows}


def gap(row: dict, multiple: str = "1") -> str:
    """How far dlstudio is from the best of AutoKeras and the reference, in the row's metric."""
    ours = (row.get("dlstudio") or {}).get(multiple, {}).get("score")
    if ours is None:
        return "no model"
    others = [row[k].get("score") for k in ("autokeras", "reference")]
    others = [v for v in others if v is not None]
    if not others:
        return ""
    if row["metric"] == "MAE":
        best = min(others)
        return f"{(ours - best) / best * 100:+.0f} % MAE"
    return f"{(ours - max(others)) * 100:+.1f} points"


def level_or_ahead(row: dict, other: str, multiple: str = "1") -> str:
    """On how many splits dlstudio at `multiple` × T scored at least as well as `other`."""
    pairs = [
        (
            (s.get("dlstudio") or {}).get(multiple, {}).get("score"),
            (s.get(other) or {}).get("score"),
        )
        for s in _splits(row)
    ]
    pairs = [(ours, theirs) for ours, theirs in pairs if ours is not None and theirs is not None]
    if not pairs:
        return ""
    lower = row["metric"] == "MAE"
    won = sum((ours <= theirs) if lower else (ours >= theirs) for ours, theirs in pairs)
    return f"{won}/{len(pairs)}"


def table(rows: list[dict]) -> list[str]:
    """The quality rows as the README shows them: means over the splits, with their range."""
    lines = [
        "| data | metric | trivial | AutoKeras 3 (T) | reference at T | dlstudio at T | 2T | 4T "
        "| gap at T | splits level or ahead (AutoKeras · reference) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def number(value: float) -> str:
        return f"{value:,.1f}" if value >= 100 else f"{value:.3f}"

    def cell(result: dict | None) -> str:
        if not result or result.get("score") is None:
            return "failed" if result and result.get("note") else ""
        scores = [v for v in result.get("scores", []) if v is not None]
        varied = len(scores) > 1 and min(scores) != max(scores)
        spread = f" ({number(min(scores))}–{number(max(scores))})" if varied else ""
        return number(result["score"]) + spread

    for row in (r for r in rows if "metric" in r):  # rows of an older layout are skipped
        ours = row.get("dlstudio") or {}
        lines.append(
            f"| {row['dataset']} | {row['metric']} | {cell(row.get('trivial'))} "
            f"| {cell(row.get('autokeras'))} ({row.get('budget_s', 0):.0f} s) "
            f"| {cell(row.get('reference'))} {row.get('reference', {}).get('name', '')} "
            f"| {cell(ours.get('1'))} | {cell(ours.get('2'))} | {cell(ours.get('4'))} "
            f"| {gap(row)} | {level_or_ahead(row, 'autokeras')} · "
            f"{level_or_ahead(row, 'reference')} |"
        )
    return lines


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    print(json.dumps(measure(quick=True), indent=1))
