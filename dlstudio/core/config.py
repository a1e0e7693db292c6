"""What a run is asked to do, as plain frozen data that round-trips through JSON.

A `RunSpec` is what the GUI builds from its pages, what the CLI builds from its flags, and what
a run folder stores as spec.json so that a search can be resumed exactly as it was started.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

TUNERS = ("random", "bayesian", "hyperband", "grid")
OBJECTIVES = ("val_loss", "val_accuracy", "val_auc", "val_mae", "val_rmse")
# What each task's models report on the validation split (models/heads.py, metrics_for), the
# default first. For numbers the loss is itself a choice (MSE, MAE, Huber), so trials' losses
# differ in kind; the error in the target's units compares them fairly.
OBJECTIVES_BY_TASK = {
    "binary": ("val_loss", "val_accuracy", "val_auc"),
    "multiclass": ("val_loss", "val_accuracy"),
    "regression": ("val_mae", "val_rmse", "val_loss"),
}


def objective_direction(objective: str | None) -> str:
    """ "max" for scores where higher is better (accuracy, AUC), else "min" (every task's
    default objective, which None stands for, is a loss or an error)."""
    return "max" if any(word in (objective or "") for word in ("accuracy", "auc")) else "min"


def default_objective(task: str) -> str:
    """What "best" means when the user does not say, the first of OBJECTIVES_BY_TASK: the
    validation loss for classes (log loss, the same in every trial); for numbers the
    validation MAE, in the target's own units, since the loss itself is a hyperparameter there
    (MSE, MAE or Huber) and differs between trials. A family with objectives of its own says
    its own (core/families.py, Family.default_objective)."""
    return OBJECTIVES_BY_TASK.get(task, ("val_loss",))[0]


@dataclass(frozen=True)
class SplitSpec:
    """How to split rows. Ratios are of the labelled rows and must sum to 1."""

    train: float = 0.7
    validation: float = 0.15
    test: float = 0.15
    seed: int = 0
    stratify: bool = True
    time_column: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict) -> SplitSpec:
        return cls(**data)


@dataclass(frozen=True)
class DataSpec:
    """Where the data is and how to read it."""

    path: str
    target: str | None = None
    sheet: str | None = None
    task: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    split: SplitSpec = field(default_factory=SplitSpec)
    # Forecasting (task "forecast"): steps ahead and past values read; None: proposed.
    horizon: int | None = None
    context: int | None = None
    # Forecasting: other columns read beside the target, observed up to the forecast time
    # (covariates) or known over the horizon too (known_covariates); empty: the target alone.
    covariates: tuple[str, ...] = ()
    known_covariates: tuple[str, ...] = ()
    # Anomaly detection (task "anomaly"): AnomalySettings.to_dict() (core/data/anomaly_data.py).
    anomaly: dict | None = None


@dataclass(frozen=True)
class ModelSpec:
    """The architecture template and any fixed hyperparameter values.

    Attributes:
        template: e.g. "mlp", "small_cnn", "resnet", "mobilenet_v3_small", "tfidf_mlp",
            "cnn1d", "bilstm", "transformer"; None picks the modality's default.
        hyperparameters: Values that override the template's defaults (for "train") or that
            are held fixed during a search.
        weights: A local weights file for a keras.applications backbone (never downloaded).
    """

    template: str | None = None
    hyperparameters: dict = field(default_factory=dict)
    weights: str | None = None


@dataclass(frozen=True)
class SearchSpec:
    """How to search. `space` maps hyperparameter names to ranges (see models.space)."""

    tuner: str = "random"
    max_trials: int = 10
    time_limit_s: float | None = None
    objective: str | None = None  # None: the task's default (see default_objective)
    space: dict | None = None
    seed: int | None = None  # the oracle's; set when the run starts, so that a resume repeats it
    # Average the best few finished trials into one model when that validates better
    # (engine/ensemble.py); False keeps the single best trial.
    ensemble: bool = True


@dataclass(frozen=True)
class TrainSpec:
    """How each configuration trains."""

    epochs: int = 30
    patience: int = 5
    reduce_lr_patience: int = 3
    clip_norm: float | None = None
    seed: int = 0
    class_weights: bool = True


@dataclass(frozen=True)
class RunSpec:
    """One run: train a single configuration (`search` is None) or search many."""

    data: DataSpec
    model: ModelSpec = field(default_factory=ModelSpec)
    train: TrainSpec = field(default_factory=TrainSpec)
    search: SearchSpec | None = None

    @property
    def mode(self) -> str:
        return "train" if self.search is None else "tune"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RunSpec:
        data_spec = dict(data["data"])
        data_spec["split"] = SplitSpec(**data_spec.get("split", {}))
        for name in ("covariates", "known_covariates"):  # JSON gives lists; older files none
            data_spec[name] = tuple(data_spec.get(name) or ())
        return cls(
            data=DataSpec(**_known(DataSpec, data_spec)),
            model=ModelSpec(**_known(ModelSpec, data.get("model", {}))),
            train=TrainSpec(**_known(TrainSpec, data.get("train", {}))),
            search=SearchSpec(**_known(SearchSpec, data["search"])) if data.get("search") else None,
        )


def _known(cls, values: dict) -> dict:
    """Drop keys a newer or older dlstudio wrote that this one does not know."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in values.items() if k in names}
