"""From a profiled dataset to model-ready arrays: split, encoded targets, raw-ish inputs.

Inputs stay raw on purpose (numbers with NaN, category strings, texts, uint8 pixels): the
models do their own preprocessing, so the exported model takes the same raw data.

A regression target is the exception: a network fits a standardised number far more easily
than prices in the hundreds of thousands, so it trains on a scaled target (and on its
logarithm when the numbers are positive and skewed), and the exported model scales its output
back, so it predicts in the user's units.

A weight column (role weight, core/data/weights.py) is carried per split, never as an input:
`sample_weights` is what the loss weighs each row by, `weights` what the scores do.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dlstudio.core.data import ColumnRole, Dataset, SplitSpec, Task, split_rows
from dlstudio.core.data.images import load_image
from dlstudio.core.data.profile import IMBALANCE_RATIO, WarningKind
from dlstudio.core.data.schema import label_text, parse_datetimes
from dlstudio.core.data.unworkable import check_trainable
from dlstudio.core.data.weights import (
    check_split_weights,
    missing_weights_words,
    row_weights,
    weight_column,
)
from dlstudio.core.errors import DlstudioError
from dlstudio.core.wording import readable

SPLITS = ("train", "validation", "test")
# Images are resized to at most this many pixels a side: enough to tell most things apart, and
# on a CPU a small CNN's epoch on 64-pixel photos takes a quarter of one on 128 (1.3 s vs
# 4.7 s for 700 clothing photos; test accuracy after 30 s 21 % vs 11 %). Pretrained backbones
# were trained on larger images, and get more.
MAX_IMAGE_SIDE = 64
MAX_IMAGE_SIDE_PRETRAINED = 128
MIN_IMAGE_SIDE = 32
MAX_SEQUENCE_LENGTH = 200
EMBED_ABOVE_CARDINALITY = 10  # categoricals with more values get an embedding, not one-hot
# Profile warnings that change what a run trains on, repeated when it starts (the CLI's train
# and the window's run log show a run's notes, not the profile).
_SAID_AGAIN = (WarningKind.INFINITE, WarningKind.MIXED_TARGET, WarningKind.TOO_WIDE)


@dataclass
class FeatureInput:
    """One model input: which column feeds it and how the model treats it."""

    column: str
    name: str  # a safe Keras input name
    kind: str  # "numeric", "categorical", "datetime", "text", "image"
    stats: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"column": self.column, "name": self.name, "kind": self.kind, "stats": self.stats}


@dataclass(frozen=True)
class TargetScaling:
    """How a regression target is scaled for training: z = (f(y) - mean) / std, where f is
    log1p when `log`, else the identity. Bounds (in f's units) keep exp() finite."""

    log: bool
    mean: float
    std: float
    low: float
    high: float

    @classmethod
    def fit(cls, y: np.ndarray) -> TargetScaling:
        y = y[np.isfinite(y)].astype("float64")
        log = bool(len(y) > 2 and y.min() >= 0 and _skewness(y) > SKEWED_ABOVE)
        f = np.log1p(y) if log else y
        std = float(f.std()) if len(f) > 1 and f.std() > 0 else 1.0
        mean = float(f.mean()) if len(f) else 0.0
        span = float(f.max() - f.min()) if len(f) else 1.0
        # Predictions may leave the training range, but not by more than its own width.
        low, high = (float(f.min() - span), float(f.max() + span)) if len(f) else (-1e30, 1e30)
        return cls(log, mean, std, low, high)

    def scale(self, y: np.ndarray) -> np.ndarray:
        f = np.log1p(np.maximum(y, 0)) if self.log else y
        return ((f - self.mean) / self.std).astype("float32")

    def unscale(self, z: np.ndarray) -> np.ndarray:
        f = np.asarray(z, dtype="float64") * self.std + self.mean
        return np.exp(np.clip(f, self.low, self.high)) - 1.0 if self.log else f

    def describe(self) -> str:
        how = "the logarithm of the target (skewed, positive)" if self.log else "the target"
        return f"trained on {how}, standardised; predictions come back in the target's units"

    def to_dict(self) -> dict:
        return dict(self.__dict__)


SKEWED_ABOVE = 1.0  # sample skewness; a log helps prices, counts, incomes and the like


def _skewness(y: np.ndarray) -> float:
    std = y.std()
    return float(np.mean(((y - y.mean()) / std) ** 3)) if std > 0 else 0.0


@dataclass
class PreparedData:
    """Arrays per split plus everything the model builder and the exporter need to know."""

    kind: str  # "table", "images", "text"
    task: Task
    target: str
    inputs: list[FeatureInput]
    class_names: list[str] | None
    x: dict[str, dict[str, np.ndarray]]  # split -> input name -> array
    y: dict[str, np.ndarray]
    class_weight: dict[int, float] | None
    notes: list[str] = field(default_factory=list)
    target_scaling: TargetScaling | None = None  # regression only
    # The test split's rows as loaded (index: the row's position in the data), so each test
    # prediction can be traced back to its row, image file or text.
    test_frame: pd.DataFrame | None = None
    # Vocabularies learned from the training texts, by input and vectoriser settings: every
    # trial of a search and every rebuild for an average reuses one adapt (2.8 s per build on
    # 3,441 newsgroup posts, a fifth of a 141 s search spent learning the same words again).
    vocabularies: dict = field(default_factory=dict, repr=False, compare=False)
    # The weight column, and its weights per split and row as the user gave them (a missing
    # one as 0); None when every row counts once.
    weight_column: str | None = None
    row_weights: dict[str, np.ndarray] | None = None

    def rows(self, split: str) -> int:
        return len(self.y[split])

    def weights(self, split: str) -> np.ndarray | None:
        """How much each row of `split` counts in the scores (None: each row once)."""
        return None if self.row_weights is None else self.row_weights[split]

    def sample_weights(self, split: str, with_classes: bool = True) -> np.ndarray | None:
        """What the loss weighs each row of `split` by, or None without a weight column (the
        class weights, if any, then go to Keras as `class_weight`). The row's weight, times
        its class's weight on the training rows (`with_classes`: Keras takes a class weight
        and a sample weight together on no backend, so they are multiplied into one), scaled
        to a mean of 1 over the split: Keras averages weighted losses over a batch's rows, so
        weights in the hundreds of thousands (fnlwgt) would scale the loss and the steps."""
        if self.row_weights is None:
            return None
        weights = np.asarray(self.row_weights[split], dtype="float64")
        if with_classes and split == "train" and self.class_weight:
            per_class = np.array([self.class_weight[i] for i in sorted(self.class_weight)])
            weights = weights * per_class[np.asarray(self.y[split], dtype="int64")]
        mean = float(weights.mean()) if len(weights) else 0.0
        return (weights / mean if mean > 0 else weights).astype("float32")

    @property
    def fit_class_weight(self) -> dict[int, float] | None:
        """The class weights as Keras' `class_weight`: None with a weight column, whose
        sample weights already carry them."""
        return None if self.row_weights is not None else self.class_weight

    def baseline_mean(self) -> float:
        """What the trivial baseline guesses for numbers: the training rows' mean (weighted
        when rows carry weights); 0 for classes, which it does not use."""
        if self.class_names is not None or not len(self.y["train"]):
            return 0.0
        weights = self.weights("train")
        return float(np.average(self.y["train"], weights=weights))

    def fit_target(self, split: str) -> np.ndarray:
        """The target as the network learns it: scaled for regression, codes otherwise."""
        if self.target_scaling is None:
            return self.y[split]
        return self.target_scaling.scale(self.y[split])

    @property
    def needs_tensorflow(self) -> bool:
        """String inputs go through layers that only the TensorFlow backend can run."""
        return any(i.kind in ("categorical", "text") for i in self.inputs)


def prepare(
    dataset: Dataset,
    split: SplitSpec,
    use_class_weights: bool = True,
    max_image_side: int = MAX_IMAGE_SIDE,
) -> PreparedData:
    """Split the labelled rows and build the inputs for the dataset's modality.

    Raises:
        DataError: Classes too small to split, or a table far wider than it is long.
    """
    check_trainable(dataset, split)  # as the run's check did; for callers that skip it
    profile = dataset.profile
    frame = dataset.labelled.reset_index(drop=True)
    task, target = profile.task, profile.target
    labels = frame[target]
    class_names = (
        sorted({label_text(v) for v in labels}, key=_natural) if task.is_classification else None
    )
    times = frame[split.time_column] if split.time_column else None
    parts = split_rows(
        len(frame), split, labels=labels if task.is_classification else None, times=times
    )
    y_all = _encode_target(labels, task, class_names)
    if profile.kind.value == "table":
        inputs = _table_inputs(frame, profile, parts.train)
    elif profile.kind.value == "images":
        inputs = [_image_input(profile, max_image_side)]
    else:
        column = profile.features[0]
        inputs = [_text_input(frame, column, parts.train, _input_name(column, set()))]
    x = {name: {} for name in SPLITS}
    for spec in inputs:
        column = frame[spec.column]
        for name, rows in zip(SPLITS, (parts.train, parts.validation, parts.test), strict=True):
            x[name][spec.name] = _raw_values(column.iloc[rows], spec)
    y = {
        name: y_all[rows]
        for name, rows in zip(SPLITS, (parts.train, parts.validation, parts.test), strict=True)
    }
    weighted_by = weight_column(profile.columns)
    split_weights = None
    if weighted_by is not None:
        every_row = row_weights(frame[weighted_by])
        split_weights = {
            name: every_row[rows]
            for name, rows in zip(SPLITS, (parts.train, parts.validation, parts.test), strict=True)
        }
        check_split_weights(split_weights, weighted_by)
    weights = (
        _class_weights(y["train"], class_names, split_weights["train"] if split_weights else None)
        if use_class_weights and class_names
        else None
    )
    # How the file was read (lines skipped, delimiters dropped, encodings) comes first: the
    # user of `train` never saw `inspect`'s profile.
    notes = list(profile.notes)
    notes += [w.message for w in profile.warnings if w.kind in _SAID_AGAIN] + parts.notes
    if weighted_by is not None:
        notes.append(_weights_note(weighted_by, frame[weighted_by]))
    if weights:
        by = " by weight" if weighted_by is not None else ""
        notes.append(f"classes are imbalanced{by}: rarer classes weigh more in the loss")
    scaling = None
    if task is Task.REGRESSION:
        scaling = TargetScaling.fit(y["train"])
        notes.append(f"regression target: {scaling.describe()}")
    prepared = PreparedData(
        profile.kind.value, task, target, inputs, class_names, x, y, weights, notes, scaling
    )
    prepared.test_frame = dataset.labelled.iloc[parts.test]
    prepared.weight_column, prepared.row_weights = weighted_by, split_weights
    return prepared


def _weights_note(name: str, values: pd.Series) -> str:
    """What the weight column does to the run, in a sentence."""
    weights = row_weights(values)
    given = weights[values.notna().to_numpy()]
    spread = f" (from {readable(given.min())} to {readable(given.max())})" if len(given) else ""
    return (
        f"rows are weighted by {name!r}{spread}: the loss, the choice of the best epoch and "
        "trial, the classical reference and the test scores count each row that many "
        f"times.{missing_weights_words(int(values.isna().sum()))}"
    )


def _natural(label: str):
    """Sort '2' before '10', and numbers before words."""
    try:
        return (0, float(label), "")
    except ValueError:
        return (1, 0.0, label)


def _encode_target(labels: pd.Series, task: Task, class_names: list[str] | None) -> np.ndarray:
    if class_names is None:
        return labels.to_numpy(dtype="float32")
    index = {name: i for i, name in enumerate(class_names)}
    codes = labels.map(lambda v: index[label_text(v)]).to_numpy(dtype="int64")
    return codes.astype("float32") if task is Task.BINARY else codes


def _class_weights(
    y: np.ndarray, class_names: list[str], row_weights: np.ndarray | None = None
) -> dict[int, float] | None:
    """Weights that give every class the same share of the loss, when the classes are
    imbalanced. With row weights, the classes' shares are their total weights: the imbalance
    the loss sees."""
    counts = np.bincount(y.astype("int64"), weights=row_weights, minlength=len(class_names))
    if counts.min() == 0 or counts.min() / counts.max() >= IMBALANCE_RATIO:
        return None  # balanced enough (the profile warns below the same ratio)
    weights = counts.sum() / (len(class_names) * counts)
    return {i: float(w) for i, w in enumerate(weights)}


# ---------------------------------------------------------------- tables


def _table_inputs(frame: pd.DataFrame, profile, train_rows: np.ndarray) -> list[FeatureInput]:
    used = set()
    inputs = []
    roles = {c.name: c.role for c in profile.columns}
    for column in profile.features:
        role = roles[column]
        name = _input_name(column, used)
        train = frame[column].iloc[train_rows]
        if role is ColumnRole.NUMERIC or (role is ColumnRole.BOOLEAN and _is_numeric(train)):
            inputs.append(FeatureInput(column, name, "numeric", _numeric_stats(train)))
        elif role in (ColumnRole.CATEGORICAL, ColumnRole.BOOLEAN):
            values = train.dropna().map(label_text)
            vocabulary = sorted(values.unique().tolist())
            encoding = "embedding" if len(vocabulary) > EMBED_ABOVE_CARDINALITY else "one_hot"
            inputs.append(
                FeatureInput(
                    column, name, "categorical", {"vocabulary": vocabulary, "encoding": encoding}
                )
            )
        elif role is ColumnRole.DATETIME:
            seconds = _seconds(train)
            inputs.append(
                FeatureInput(column, name, "datetime", _numeric_stats(pd.Series(seconds)))
            )
        elif role is ColumnRole.TEXT:
            inputs.append(_text_input(frame.iloc[train_rows], column, None, name))
    return inputs


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def _numeric_stats(train: pd.Series) -> dict:
    values = _finite(pd.to_numeric(train, errors="coerce").astype("float64"))
    mean = float(values.mean()) if values.notna().any() else 0.0
    variance = float(values.var(ddof=0)) if values.notna().sum() > 1 else 1.0
    return {
        "mean": mean,
        "variance": variance if variance > 0 else 1.0,
        "missing": bool(values.isna().any()),
    }


def _seconds(series: pd.Series) -> np.ndarray:
    parsed = parse_datetimes(series)
    seconds = parsed.astype("datetime64[ns]").astype("int64").astype("float64") / 1e9
    seconds[parsed.isna().to_numpy()] = np.nan
    return np.asarray(seconds, dtype="float64")


# Names the models give their own layers; an input may not take one (Keras needs them unique).
RESERVED_NAMES = {"features", "output", "probabilities", "label", "value", "unscale", "image"}


def _input_name(column: str, used: set[str]) -> str:
    """The model input for `column`, named as the column wherever TensorFlow's rules for
    names allow (letters, digits, _ . -, starting with a letter), so that exported models
    take the user's own column names; otherwise the nearest such name."""
    text = str(column).strip()
    base = text if _VALID_NAME.fullmatch(text) else re.sub(r"[^A-Za-z0-9_.\-]+", "_", text)
    base = base.strip("_.-") or "column"
    if not base[0].isalpha():
        base = f"c_{base}"
    if base.lower() in RESERVED_NAMES or keyword.iskeyword(base):
        base = f"{base}_column"  # a Python keyword cannot name a SavedModel's argument
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name.lower())
    return name


_VALID_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")


def raw_column_values(column: pd.Series, spec: FeatureInput) -> np.ndarray:
    """A column as the model's input of kind `spec.kind` takes it (shape: rows × 1)."""
    return _raw_values(column, spec)


def _raw_values(column: pd.Series, spec: FeatureInput) -> np.ndarray:
    if spec.kind == "numeric":
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float32", na_value=np.nan)
        infinite = np.isinf(values)
        if infinite.any():  # a new array: `values` may share memory with the caller's table
            values = np.where(infinite, np.float32(np.nan), values)  # see _finite
        return values.reshape(-1, 1)
    if spec.kind == "datetime":
        return _seconds(column).astype("float32").reshape(-1, 1)
    if spec.kind in ("categorical", "text"):
        strings = column.map(lambda v: "" if _missing(v) else label_text(v))
        return strings.to_numpy(dtype=object).reshape(-1, 1)
    if spec.kind == "image":
        size, channels = spec.stats["size"], spec.stats["channels"]
        return np.stack([load_image(p, tuple(size), channels) for p in column])
    raise ValueError(spec.kind)


def _finite(values: pd.Series) -> pd.Series:
    """±inf as missing: the model fills and flags missing numbers, but an infinite one would
    make its normalisation, and every loss after it, infinite or NaN. The profile already
    did this to the training table; this catches the rows given to predict."""
    return values.astype("float64").replace([np.inf, -np.inf], np.nan)


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


# ---------------------------------------------------------------- images and text


def _image_input(profile, max_side: int) -> FeatureInput:
    width, height = profile.details["image_size_most_common"]
    scale = min(1.0, max_side / max(width, height))
    size = [max(MIN_IMAGE_SIDE, round(width * scale)), max(MIN_IMAGE_SIDE, round(height * scale))]
    stats = {"size": size, "channels": profile.details["channels"]}
    return FeatureInput(profile.features[0], "image", "image", stats)


def _text_input(frame: pd.DataFrame, column: str, train_rows, name: str = "text") -> FeatureInput:
    texts = frame[column] if train_rows is None else frame[column].iloc[train_rows]
    words = texts.dropna().astype(str).str.split().str.len()
    length = int(min(MAX_SEQUENCE_LENGTH, max(16, np.percentile(words, 95)))) if len(words) else 64
    return FeatureInput(column, name, "text", {"sequence_length": length})


def check_backend(prepared: PreparedData, backend: str) -> None:
    """Refuse, in plain words, string inputs on a backend that cannot run string layers."""
    if prepared.needs_tensorflow and backend != "tensorflow":
        kinds = sorted({i.kind for i in prepared.inputs if i.kind in ("categorical", "text")})
        raise DlstudioError(
            f"This data has {' and '.join(kinds)} inputs, and the Keras backend is {backend!r}.",
            "the TensorFlow backend for text and category columns (their lookup layers run on "
            "TensorFlow); numeric tables and images train on JAX and PyTorch too",
            "Run with KERAS_BACKEND=tensorflow, or change those columns' roles.",
        )
