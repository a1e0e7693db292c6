"""Plot redraw: the Train page's live curves holding 4 curves × 100,000 points (a long run's
per-batch history), one new point per curve, then `redraw` and a full render of the widget —
what one GUI tick costs while a run streams in. Rendered offscreen into an image, 20 times."""

from __future__ import annotations

import os
import time

from bench.common import median

POINTS = 100_000


def measure(quick: bool = False) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from dlstudio.gui.plots.live_curves import LiveCurves

    app = QApplication.instance() or QApplication([])
    curves = LiveCurves()
    curves.resize(1300, 320)
    curves.show()
    rng = np.random.default_rng(0)
    noisy = np.exp(-np.arange(POINTS) / 30_000) + rng.normal(0, 0.02, (4, POINTS))

    def add(epoch: int) -> None:
        loss, val_loss, accuracy, val_accuracy = noisy[:, epoch % POINTS]
        curves.add_epoch(
            epoch,
            {"loss": loss, "val_loss": val_loss, "accuracy": 1 - accuracy, "val_accuracy": 0.9},
        )

    for epoch in range(POINTS):
        add(epoch)  # 4 curves (loss, val_loss, accuracy, val_accuracy) of 100,000 points
    curves.redraw()
    app.processEvents()
    times = []
    for step in range(10 if quick else 20):
        add(POINTS + step)
        start = time.perf_counter()
        curves.redraw()
        curves.grab()  # paints every plot now, as the next screen refresh would
        times.append((time.perf_counter() - start) * 1000)
    curves.close()
    return {"plot_redraw_ms": median(times), "plot_redraw_max_ms": max(times)}


if __name__ == "__main__":
    print(measure())
