"""Giving memory back between trials, so that a long search runs in steady memory.

`keras.backend.clear_session()` and a garbage collection free a finished trial's model, but not
its traced training step on TensorFlow: Keras's optimizer sums the gradients through the
distribution strategy's `all_reduce`, which is a `tf.custom_gradient`, and every trace of it
registers its gradient function under a fresh name ("CustomGradient-<n>") in TensorFlow's
global gradient registry, for good. That function's closure holds tensors of the traced graph,
so every trial's FuncGraphs (and the C++ graphs behind them) stayed alive: 8.8 MiB more per
trial of a small table model, 938 → 1,185 MiB from trial 3 to 30 (bench/memory.py; with this
module 0.5 MiB per trial, 928 → 954 MiB). TensorFlow's issue #97697 describes the leak, which
TensorFlow 2.21 still has.

A trial's gradient functions are needed only while its step is traced; a later trial traces
its own. So the search notes the registered names when a trial begins and, once the trial has
ended, forgets the ones registered since. TensorFlow's internals reached here are checked by
tests/core/engine/test_memory.py; if they move, nothing is forgotten (and that test fails).
"""

from __future__ import annotations

import gc
import sys
import threading

import keras

_CUSTOM_GRADIENT = "CustomGradient-"


def release_memory(gradients_before: frozenset[str] | None = None) -> None:
    """Drop the previous model's graph and memory between trials.

    Args:
        gradients_before: The custom gradients registered before the trial began (from
            `custom_gradients()`); those registered since are forgotten. None keeps them all.

    Garbage is collected only on the main thread: a collection on a thread of a Qt app can
    destroy its Qt objects on the wrong thread, which deadlocks (seen in the wizard's tests;
    the app collects on its own thread, see dlstudio.gui.app.GuiThreadGarbageCollector). The
    CLI and the app's training process (engine/child.py) run the engine on their main thread.
    """
    keras.backend.clear_session(free_memory=False)
    if gradients_before is not None:
        forget_custom_gradients(gradients_before)
    if threading.current_thread() is threading.main_thread():
        gc.collect()


def custom_gradients() -> frozenset[str]:
    """The names of the custom gradients TensorFlow has registered so far (none on the other
    backends, or before TensorFlow is loaded)."""
    registry = _gradient_registry()
    if registry is None:
        return frozenset()
    return frozenset(name for name in list(registry) if name.startswith(_CUSTOM_GRADIENT))


def forget_custom_gradients(before: frozenset[str]) -> int:
    """Unregister the custom gradients registered since `before` was taken; returns how many.

    Only names TensorFlow made up for one trace are touched (each is used once, never reused),
    so a gradient that some op type registered for good stays."""
    registry = _gradient_registry()
    if registry is None:
        return 0
    stale = [n for n in list(registry) if n.startswith(_CUSTOM_GRADIENT) and n not in before]
    for name in stale:
        registry.pop(name, None)
    return len(stale)


def _gradient_registry() -> dict | None:
    """TensorFlow's gradient registry (name → entry), if TensorFlow is the backend and loaded."""
    if keras.backend.backend() != "tensorflow" or "tensorflow" not in sys.modules:
        return None
    from tensorflow.python.framework import ops

    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    return registry if isinstance(registry, dict) else None
