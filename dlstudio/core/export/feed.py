"""Batches for `fit`, `evaluate` and `predict` on whichever backend is active: how training
and a saved model's predictions are fed (so it sits with the saved model, below the engine).

On TensorFlow a tf.data pipeline carries string inputs (texts, categories) that numpy arrays
cannot; on JAX and PyTorch, whose models take numbers only, a PyDataset serves numpy batches.
With a weight column (core/data/weights.py) each batch carries the rows' sample weights too,
as Keras takes them: (inputs, target, weights).
"""

from __future__ import annotations

import math

import keras
import numpy as np

from dlstudio.core.data.prepare import PreparedData


def batches(data: PreparedData, split: str, batch_size: int, shuffle: bool = False, seed: int = 0):
    """(inputs, target) batches of one split, the target as the network learns it; (inputs,
    target, weights) when the rows carry weights (PreparedData.sample_weights)."""
    return make_batches(
        data.x[split],
        data.fit_target(split),
        batch_size,
        shuffle,
        seed,
        weights=data.sample_weights(split),
    )


def make_batches(
    x: dict,
    y: np.ndarray | None,
    batch_size: int,
    shuffle: bool = False,
    seed: int = 0,
    weights: np.ndarray | None = None,
):
    """Batches of `x` (and `y`, and each row's sample `weights`, when given)."""
    if weights is not None and y is None:
        raise ValueError("sample weights need a target")
    if keras.backend.backend() == "tensorflow":
        return _tf_batches(x, y, batch_size, shuffle, seed, weights)
    return ArrayBatches(x, y, batch_size, shuffle, seed, weights)


def _tf_batches(x: dict, y, batch_size: int, shuffle: bool, seed: int, weights=None):
    """Batches gathered from the whole arrays, as Keras does for numpy inputs: each epoch one
    permutation of the row positions, cut into batches, each batch gathered in one vectorised
    step. Shuffling rows one by one (`from_tensor_slices(...).shuffle`) cost a quarter of the
    training speed of a small model, and shuffling positions one by one still 10 %
    (bench/overhead.py)."""
    import tensorflow as tf

    inputs = {k: tf.constant(v) for k, v in x.items()}
    target = None if y is None else tf.constant(y)
    weight = None if weights is None else tf.constant(np.asarray(weights, dtype="float32"))
    rows = len(next(iter(x.values())))
    full, rest = divmod(rows, batch_size)

    def order(draw):
        positions = tf.range(rows, dtype=tf.int64)
        if not shuffle:
            return positions
        return tf.random.experimental.stateless_shuffle(positions, seed=tf.stack([draw, 0]))

    def cut(positions):
        batches = tf.data.Dataset.from_tensor_slices(
            tf.reshape(positions[: full * batch_size], [full, batch_size])
        )
        if rest:
            batches = batches.concatenate(
                tf.data.Dataset.from_tensors(positions[full * batch_size :])
            )
        return batches

    def gather(positions):
        batch = {k: tf.gather(v, positions) for k, v in inputs.items()}
        if target is None:
            return batch
        if weight is None:
            return batch, tf.gather(target, positions)
        return batch, tf.gather(target, positions), tf.gather(weight, positions)

    # One random draw per iteration of the dataset (per epoch): a new order each epoch, the
    # same orders for the same seed.
    draws = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
    return (
        draws.map(order)
        .flat_map(cut)
        # flat_map hides the batch count; Keras needs it for its steps (and the live curves)
        .apply(tf.data.experimental.assert_cardinality(full + bool(rest)))
        .map(gather, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )


class ArrayBatches(keras.utils.PyDataset):
    """Numpy batches for the JAX and PyTorch backends, reshuffled each epoch."""

    def __init__(self, x: dict, y, batch_size: int, shuffle: bool, seed: int, weights=None) -> None:
        super().__init__()
        self.x, self.y, self.batch_size, self.shuffle = x, y, batch_size, shuffle
        self.weights = None if weights is None else np.asarray(weights, dtype="float32")
        self.rows = len(next(iter(x.values())))
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(self.rows) if shuffle else np.arange(self.rows)

    def __len__(self) -> int:
        return math.ceil(self.rows / self.batch_size)

    def __getitem__(self, index: int):
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        inputs = {k: v[rows] for k, v in self.x.items()}
        if self.y is None:
            return inputs
        if self.weights is None:
            return inputs, self.y[rows]
        return inputs, self.y[rows], self.weights[rows]

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self.order = self.rng.permutation(self.rows)
