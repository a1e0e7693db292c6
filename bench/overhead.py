"""Training overhead: samples/s of `dlstudio train` (the engine, its callbacks and the live event
stream) vs a bare Keras script fitting the same model on the same data with the same batch size
and backend, alternated in one process.

Both sides are timed the same way: from the end of the first epoch (compilation and tracing
done) to the end of the last, validation included. The bare side builds the model with
dlstudio's own template (so the layers are identical) and calls `model.fit` on numpy arrays
with no callbacks but a timestamp at each epoch's end.

Run alone: `python -m bench.overhead [--gpu]`; --gpu sizes it for a GPU machine (1M rows × 50,
batch 1024) and is meant for the JAX backend (see ../shared/gpu/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from bench.common import CACHE, median  # noqa: E402

# Timed from the end of epoch 1. At the quick size (~1 s epochs) 2 timed epochs still held
# tf.data's autotuning warm-up and read 0.78; 5 timed epochs read 1.05–1.08.
SIZES = {
    "quick": {"rows": 50_000, "features": 20, "batch": 256, "epochs": 6, "repeats": 2},
    "full": {"rows": 200_000, "features": 20, "batch": 256, "epochs": 4, "repeats": 3},
    "gpu": {"rows": 1_000_000, "features": 50, "batch": 1024, "epochs": 4, "repeats": 3},
}


def hyperparameters(size: dict) -> dict:
    """The one configuration both sides train."""
    return {"depth": 2, "units": 256, "dropout": 0.0, "batch_size": size["batch"]}


def make_table(rows: int, features: int):
    """A numeric table with a 0/1 target that depends on a few columns (npz-free: plain CSV,
    since `dlstudio train` reads files)."""
    path = CACHE / f"numeric_{rows}x{features}.csv"
    if path.exists():
        return path
    import pandas as pd

    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, features)).astype("float32").round(4)
    y = (x[:, 0] + 0.5 * x[:, 1] * x[:, 2] + rng.normal(size=rows) > 0).astype(int)
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(features)])
    frame["label"] = y
    CACHE.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path.with_suffix(".part"), index=False)
    path.with_suffix(".part").rename(path)
    return path


def epoch_rate(stamps: list[float], rows: int) -> float:
    """Training samples per second between the first and the last epoch's end."""
    return rows * (len(stamps) - 1) / (stamps[-1] - stamps[0])


def dlstudio_rate(path, size: dict, project: str) -> tuple[float, int]:
    from dlstudio.core.config import DataSpec, ModelSpec, RunSpec, TrainSpec
    from dlstudio.core.engine.run import start_run
    from dlstudio.core.events import EpochEnded, RunStarted

    stamps, rows, events = [], [], []

    def sink(event):
        events.append(event)  # the live event stream, kept as the GUI's queue would
        if isinstance(event, EpochEnded):
            stamps.append(time.perf_counter())
        elif isinstance(event, RunStarted):
            rows.append(event.train_rows)

    spec = RunSpec(
        DataSpec(str(path), "label"),
        ModelSpec("mlp", hyperparameters(size)),
        TrainSpec(epochs=size["epochs"], patience=size["epochs"], seed=0),
    )
    start_run(spec, project, sink)
    return epoch_rate(stamps, rows[0]), len(events)


def bare_rate(data, size: dict) -> float:
    import keras
    import keras_tuner as kt

    from dlstudio.core.models.hypermodel import TemplateHyperModel
    from dlstudio.core.models.space import default_space, fixed_space

    space = fixed_space(default_space("mlp", data.task.value), hyperparameters(size))
    keras.utils.set_random_seed(0)
    model = TemplateHyperModel(data, "mlp", space).build(kt.HyperParameters())
    stamps: list[float] = []
    stamp = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda *_: stamps.append(time.perf_counter())
    )
    model.fit(
        data.x["train"],
        data.y["train"],
        batch_size=size["batch"],
        epochs=size["epochs"],
        validation_data=(data.x["validation"], data.y["validation"]),
        class_weight=data.class_weight,  # as dlstudio trains by default
        shuffle=True,
        verbose=0,
        callbacks=[stamp],
    )
    return epoch_rate(stamps, len(data.y["train"]))


def measure(quick: bool = False, gpu: bool = False) -> dict:
    import keras

    from dlstudio.core.config import SplitSpec
    from dlstudio.core.data import load_dataset
    from dlstudio.core.data.prepare import prepare

    size = SIZES["gpu" if gpu else "quick" if quick else "full"]
    path = make_table(size["rows"], size["features"])
    data = prepare(load_dataset(path, target="label"), SplitSpec())
    bare, ours, events = [], [], 0
    with tempfile.TemporaryDirectory() as project:
        for _ in range(size["repeats"]):
            bare.append(bare_rate(data, size))
            rate, events = dlstudio_rate(path, size, project)
            ours.append(rate)
    return {
        "overhead_ratio": median(ours) / median(bare),
        "overhead_bare_samples_s": median(bare),
        "overhead_dlstudio_samples_s": median(ours),
        "overhead_backend": keras.backend.backend(),
        "overhead_events": events,
        "overhead_setup": f"MLP 2×256 on {size['rows']:,} rows × {size['features']}, "
        f"batch {size['batch']}, {size['epochs']} epochs",
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--gpu", action="store_true")
    args = parser.parse_args()
    print(json.dumps(measure(args.quick, args.gpu), indent=1))
