"""Steady memory across trials: a 30-trial search of small models on the bundled penguins table,
the process's resident memory (RSS) read at the end of every trial, and how much it grows.

The search runs in this process, through the same `start_run` the CLI calls; a sink reads
VmRSS from /proc/self/status when each TrialStarted arrives, that is after the previous trial
has ended and given its memory back, as the new trial finds it (one more trial than measured
is started for the last reading). The slope is a least-squares fit over trials 3..30: the
first trials grow memory legitimately (TensorFlow's kernels, tf.data's thread pools, the
allocator's arenas warming up), a leak keeps growing after them.

    python -m bench.memory [--quick] [--trials N] [--objects] [--trace] [--without-fix]

--objects counts the live Keras models and layers, traced TensorFlow graphs and dlstudio
callbacks after trial 3 and the last (a leak of objects shows there: a graph from trial 1 still
alive at trial 30); --trace adds tracemalloc's biggest Python-side growths between those two
trials (slow); --without-fix measures the search as it ran before engine/memory.py forgot each
trial's custom gradients (the leak it fixed), for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from bench.common import ROOT  # noqa: E402

DATA = ROOT / "dlstudio" / "resources" / "samples" / "tabular" / "palmer_penguins.csv"
FIRST_COUNTED = 3  # trials before this one warm up the runtime; the slope starts here


def rss_mib() -> float:
    """This process's resident memory now, in MiB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (the memory benchmark needs Linux)")


def slope(values: list[float]) -> float:
    """Least-squares growth per step of `values` (MiB per trial)."""
    n = len(values)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    return num / sum((i - mean_x) ** 2 for i in range(n))


def live_objects() -> dict:
    """How many Keras models and layers, traced graphs and dlstudio callbacks are alive now."""
    import gc

    import keras

    from dlstudio.core.engine import callbacks

    graph = type(None)
    if keras.backend.backend() == "tensorflow":
        from tensorflow.python.framework.func_graph import FuncGraph as graph
    gc.collect()
    counts = {"models": 0, "layers": 0, "graphs": 0, "callbacks": 0}
    ours = (callbacks.EventCallback, callbacks.BestEpoch, callbacks.StopCallback)
    for obj in gc.get_objects():
        if isinstance(obj, keras.Model):
            counts["models"] += 1
        elif isinstance(obj, keras.layers.Layer):
            counts["layers"] += 1
        elif isinstance(obj, graph):
            counts["graphs"] += 1
        elif isinstance(obj, ours):
            counts["callbacks"] += 1
    return counts


def measure(
    quick: bool = False,
    trials: int | None = None,
    objects: bool = False,
    trace: bool = False,
    without_fix: bool = False,
) -> dict:
    """Run the search; returns RSS after each trial, the slope over trials 3.., the end points
    and, when asked, the live objects and the Python-side growth."""
    import tracemalloc

    from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, SearchSpec, TrainSpec
    from dlstudio.core.engine import memory
    from dlstudio.core.engine.run import start_run
    from dlstudio.core.events import TrialStarted

    if without_fix:
        memory.forget_custom_gradients = lambda before: 0

    trials = trials or (12 if quick else 30)
    rss: list[float] = []
    counted: dict[int, dict] = {}
    snapshots: dict[int, object] = {}

    def sink(event):
        if not isinstance(event, TrialStarted) or event.number == 1:
            return
        number = len(rss) + 1  # the trial that has just ended
        if objects and number in (FIRST_COUNTED, trials):
            counted[number] = live_objects()
        if trace and number in (FIRST_COUNTED, trials):
            snapshots[number] = tracemalloc.take_snapshot()
        rss.append(rss_mib())  # after the counting: gc.get_objects() itself costs memory

    if trace:
        tracemalloc.start(10)
    spec = RunSpec(
        DataSpec(str(DATA), "species"),
        # Small models and few epochs: the trials' own work is not what is measured.
        ModelSpec("mlp"),
        TrainSpec(epochs=2, patience=2, seed=0),
        SearchSpec(tuner="random", max_trials=trials + 1, seed=0),
    )
    with tempfile.TemporaryDirectory(prefix="dlstudio-memory-") as project:
        start_run(spec, project, sink)
    rss = rss[:trials]
    steady = rss[FIRST_COUNTED - 1 :]
    result = {
        "memory_trials": len(rss),
        "memory_fix": not without_fix,
        "memory_rss_mib": [round(v, 1) for v in rss],
        "memory_slope_mib_per_trial": round(slope(steady), 3),
        f"memory_rss_trial{FIRST_COUNTED}_mib": round(rss[FIRST_COUNTED - 1], 1),
        "memory_rss_last_mib": round(rss[-1], 1),
    }
    if counted:
        result["memory_live_objects"] = {str(k): v for k, v in counted.items()}
    if len(snapshots) == 2:
        growth = snapshots[trials].compare_to(snapshots[FIRST_COUNTED], "traceback")
        result["memory_python_growth"] = [
            f"{stat.size_diff / 1024:+.0f} KiB in {stat.count_diff:+d} blocks: "
            + " <- ".join(
                f"{f.filename.split('site-packages/')[-1]}:{f.lineno}" for f in stat.traceback[:4]
            )
            for stat in growth[:8]
        ]
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="12 trials instead of 30")
    parser.add_argument("--trials", type=int, help="this many trials")
    parser.add_argument("--objects", action="store_true", help="count live models and layers")
    parser.add_argument("--trace", action="store_true", help="tracemalloc's biggest growths")
    parser.add_argument("--without-fix", action="store_true", help="keep the gradient leak")
    args = parser.parse_args()
    result = measure(args.quick, args.trials, args.objects, args.trace, args.without_fix)
    print(json.dumps(result, indent=1))
