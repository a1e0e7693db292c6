"""GPU memory and utilisation while training, when an NVIDIA GPU and driver are present.

nvidia-ml-py talks to the driver directly (no TensorFlow needed). Where it cannot, there is no
NVIDIA GPU to show and the widget stays hidden.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot

from dlstudio.gui.plots import pg as _configured  # noqa: F401
from dlstudio.gui.plots.buffers import GrowingSeries

SAMPLE_MS = 1000


def nvidia_handle():
    """The first NVIDIA GPU's NVML handle, or None where there is none."""
    try:
        import pynvml

        pynvml.nvmlInit()
        return pynvml.nvmlDeviceGetHandleByIndex(0) if pynvml.nvmlDeviceGetCount() else None
    except Exception:  # no package, no driver, no device: nothing to monitor
        return None


class GpuMonitor(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, title="GPU")
        self.setLabel("left", "%")
        self.setLabel("bottom", "seconds")
        self.setYRange(0, 100)
        self.setMaximumHeight(160)
        self.addLegend(offset=(5, 5))
        self.handle = nvidia_handle()
        self.utilisation = GrowingSeries()
        self.memory = GrowingSeries()
        self._util_curve = self.plot(pen=pg.mkPen("#d62728", width=2), name="utilisation")
        self._memory_curve = self.plot(pen=pg.mkPen("#9467bd", width=2), name="memory used")
        self._seconds = 0
        self._timer = QTimer(self)
        self._timer.setInterval(SAMPLE_MS)
        self._timer.timeout.connect(self.sample)
        self.setVisible(self.handle is not None)

    def start(self) -> None:
        if self.handle is not None:
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def sample(self) -> None:
        import pynvml

        rates = pynvml.nvmlDeviceGetUtilizationRates(self.handle)
        memory = pynvml.nvmlDeviceGetMemoryInfo(self.handle)
        self._seconds += SAMPLE_MS / 1000
        self.utilisation.append(self._seconds, rates.gpu)
        self.memory.append(self._seconds, 100.0 * memory.used / memory.total)
        self._util_curve.setData(*self.utilisation.view())
        self._memory_curve.setData(*self.memory.view())
