"""Steady memory across trials: what one trial traced is gone once the next one starts.

On TensorFlow, every traced training step registered a custom gradient (the optimizer's
all-reduce) in a global registry that kept the step's graph alive for good: ~9 MiB per trial
(bench/memory.py measures the whole search's memory)."""

from __future__ import annotations

import gc
import weakref

import keras
import pytest

from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SearchSpec, TrainSpec
from dlstudio.core.engine.memory import custom_gradients, forget_custom_gradients
from dlstudio.core.engine.run import start_run

tensorflow_only = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the leak is TensorFlow's gradient registry"
)


def _live_graphs() -> list:
    from tensorflow.python.framework.func_graph import FuncGraph

    gc.collect()
    return [obj for obj in gc.get_objects() if isinstance(obj, FuncGraph)]


@tensorflow_only
def test_a_trials_traced_graphs_are_freed_before_the_next_trial(penguins_csv, tmp_path):
    before_run: set[int] = set()
    first_trial: list[weakref.ref] = []

    def sink(event):
        kind = type(event).__name__
        if kind == "RunStarted":
            before_run.update(id(g) for g in _live_graphs())
        elif kind == "EpochEnded" and event.trial_id == "0" and not first_trial:
            # Alive here (the trial is training); what it traced must go with it.
            first_trial.extend(weakref.ref(g) for g in _live_graphs() if id(g) not in before_run)

    spec = RunSpec(
        DataSpec(str(penguins_csv), "species"),
        ModelSpec("mlp", {"depth": 1, "units": 16}),
        TrainSpec(epochs=1, patience=1, seed=0),
        SearchSpec("random", max_trials=2, seed=0),
    )
    run = start_run(spec, tmp_path / "p", sink)

    assert len(run.trials()) == 2 and run.model_path.exists()
    assert first_trial, "the first trial traced its training step"
    gc.collect()
    alive = sorted(ref().name for ref in first_trial if ref() is not None)
    assert alive == [], f"graphs traced by trial 1 still alive after the search: {alive}"


@tensorflow_only
def test_tensorflows_gradient_registry_is_where_dlstudio_reaches_it():
    """The TensorFlow internals engine/memory.py relies on, checked on the installed version:
    a traced custom gradient registers a name there, and forgetting it unregisters it."""
    import tensorflow as tf

    @tf.custom_gradient
    def doubled(x):
        return 2 * x, lambda dy: 2 * dy

    @tf.function
    def slope(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = doubled(x)
        return tape.gradient(y, x)

    before = custom_gradients()
    assert float(slope(tf.constant(1.0))) == 2.0
    assert len(custom_gradients() - before) == 1
    assert forget_custom_gradients(before) == 1
    assert custom_gradients() == before
