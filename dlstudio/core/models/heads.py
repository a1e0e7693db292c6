"""What every template shares: the output head, the loss, the metrics and the optimiser."""

from __future__ import annotations

import keras
from keras import layers, ops

from dlstudio.core.data import Task
from dlstudio.core.data.prepare import PreparedData, TargetScaling


def output_head(x, task: Task, n_classes: int | None, name: str = "output"):
    """Sigmoid for binary, softmax for several classes, linear for a number."""
    if task is Task.BINARY:
        return layers.Dense(1, activation="sigmoid", name=name)(x)
    if task is Task.MULTICLASS:
        return layers.Dense(n_classes, activation="softmax", name=name)(x)
    return layers.Dense(1, name=name)(x)


def single_input_model(data, input_tensor, x, values: dict, name: str):
    """Dropout, the task's head, and the model, its one input keyed by name in a dict (as the
    data arrives and as the model card documents it)."""
    if float(values.get("dropout", 0)) > 0:
        x = layers.Dropout(float(values["dropout"]), name="head_dropout")(x)
    n_classes = len(data.class_names) if data.class_names else None
    inputs = {data.inputs[0].name: input_tensor}
    return keras.Model(inputs, output_head(x, data.task, n_classes), name=name)


def loss_for(task: Task, values: dict):
    if task is Task.BINARY:
        return keras.losses.BinaryCrossentropy()
    if task is Task.MULTICLASS:
        return keras.losses.SparseCategoricalCrossentropy()
    return {
        "mse": keras.losses.MeanSquaredError(),
        "mae": keras.losses.MeanAbsoluteError(),
        "huber": keras.losses.Huber(),
    }[values.get("loss", "mse")]


def metrics_for(data: PreparedData) -> list:
    if data.task is Task.BINARY:
        return [keras.metrics.BinaryAccuracy(name="accuracy"), keras.metrics.AUC(name="auc")]
    if data.task is Task.MULTICLASS:
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
    scaling = data.target_scaling
    return [_UnscaledMAE(scaling, name="mae"), _UnscaledRMSE(scaling, name="rmse")]


def unscale(z, scaling: TargetScaling | None):
    """A scaled regression output (or target) back in the user's units, in keras.ops."""
    if scaling is None:
        return z
    f = z * scaling.std + scaling.mean
    return ops.exp(ops.clip(f, scaling.low, scaling.high)) - 1.0 if scaling.log else f


class _InTargetUnits:
    """A Keras metric read in the target's own units while the network learns a scaled
    target, so that the live curves, the objective and the user all read the same numbers.
    (Only for training: the exported model is not compiled, so it never needs these.)"""

    def __init__(self, scaling: TargetScaling | None, name: str) -> None:
        super().__init__(name=name)
        self.scaling = scaling

    def update_state(self, y_true, y_pred, sample_weight=None):
        return super().update_state(
            unscale(y_true, self.scaling), unscale(y_pred, self.scaling), sample_weight
        )


class _UnscaledMAE(_InTargetUnits, keras.metrics.MeanAbsoluteError):
    pass


class _UnscaledRMSE(_InTargetUnits, keras.metrics.RootMeanSquaredError):
    pass


def optimizer(values: dict, clip_norm: float | None):
    name = values.get("optimizer", "adam")
    lr = float(values.get("learning_rate", 1e-3))
    clip = {"clipnorm": clip_norm} if clip_norm else {}
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=0.9, nesterov=True, **clip)
    if name == "adamw":
        return keras.optimizers.AdamW(learning_rate=lr, weight_decay=1e-4, **clip)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr, **clip)
    return keras.optimizers.Adam(learning_rate=lr, **clip)


def compile_model(model, data: PreparedData, values: dict, clip_norm: float | None):
    metrics = metrics_for(data)
    # Keras weighs only `weighted_metrics` by the batches' sample weights: with a weight column
    # the scores (val_mae, val_accuracy: the objective) weigh rows as the loss does.
    weighted = getattr(data, "row_weights", None) is not None
    model.compile(
        optimizer=optimizer(values, clip_norm),
        loss=loss_for(data.task, values),
        metrics=None if weighted else metrics,
        weighted_metrics=metrics if weighted else None,
    )
    return model


def regularizer(values: dict):
    l1, l2 = float(values.get("l1", 0.0)), float(values.get("l2", 0.0))
    return keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None


def dense_stack(x, values: dict, depth_key: str = "depth"):
    """Hidden Dense layers with the shared knobs (activation, dropout, L1/L2, batch norm)."""
    for i in range(int(values.get(depth_key, 1))):
        x = layers.Dense(
            int(values.get("units", 64)),
            kernel_regularizer=regularizer(values),
            name=f"hidden_{i + 1}",
        )(x)
        if values.get("batch_norm"):
            x = layers.BatchNormalization(name=f"batch_norm_{i + 1}")(x)
        x = layers.Activation(values.get("activation", "relu"), name=f"activation_{i + 1}")(x)
        if float(values.get("dropout", 0.0)) > 0:
            x = layers.Dropout(float(values["dropout"]), name=f"dropout_{i + 1}")(x)
    return x
