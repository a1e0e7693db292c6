"""What dlstudio's training callbacks cost: samples/s of the same fit with and without them.

Run: .venv/bin/python bench/callback_overhead.py [--rows N] [--repeats R]
Bare and instrumented fits alternate, so drift in machine load hits both alike.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from dlstudio.core.engine.callbacks import EventCallback, StopCallback  # noqa: E402
from dlstudio.core.engine.cancel import CancelToken  # noqa: E402


def build(features: int) -> keras.Model:
    inputs = keras.Input((features,))
    x = keras.layers.Dense(256, activation="relu")(inputs)
    x = keras.layers.Dense(256, activation="relu")(x)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(x))
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


def timed_fit(x, y, batch: int, epochs: int, callbacks) -> float:
    keras.utils.set_random_seed(0)
    model = build(x.shape[1])
    model.fit(x[: batch * 4], y[: batch * 4], batch_size=batch, epochs=1, verbose=0)  # compile
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=callbacks())
    return len(x) * epochs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.rows, 50)).astype("float32")
    y = (x[:, 0] + rng.normal(size=args.rows) > 0).astype("float32")
    events = []
    ours = lambda: [EventCallback(events.append, "0", args.epochs), StopCallback(CancelToken())]  # noqa: E731
    bare, instrumented = [], []
    for _ in range(args.repeats):
        bare.append(timed_fit(x, y, args.batch, args.epochs, list))
        instrumented.append(timed_fit(x, y, args.batch, args.epochs, ours))
    b, i = np.median(bare), np.median(instrumented)
    print(f"backend {keras.backend.backend()}, {args.rows} rows × 50, batch {args.batch}")
    print(f"bare Keras      {b:12,.0f} samples/s  (runs: {', '.join(f'{v:,.0f}' for v in bare)})")
    print(
        f"with callbacks  {i:12,.0f} samples/s  (runs: {', '.join(f'{v:,.0f}' for v in instrumented)})"
    )
    print(
        f"ratio {i / b:.3f}  ({sum(type(e).__name__ == 'BatchEnded' for e in events)} batch events)"
    )


if __name__ == "__main__":
    main()
