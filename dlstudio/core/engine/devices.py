"""What the Keras backend will train on: a GPU's name and memory, or the CPU, said plainly."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass

import keras

from dlstudio.core.native_logs import hushed


@dataclass(frozen=True)
class DeviceInfo:
    backend: str
    kind: str  # "GPU" or "CPU"
    name: str
    memory_gb: float | None
    count: int
    notice: str

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        if self.kind == "CPU":
            return (
                f"CPU — no GPU found ({self.name}, {os.cpu_count()} cores; backend {self.backend})"
            )
        memory = f", {self.memory_gb:.0f} GB" if self.memory_gb else ""
        many = f" ×{self.count}" if self.count > 1 else ""
        return f"GPU: {self.name}{memory}{many} (backend {self.backend})"


def detect_device() -> DeviceInfo:
    """Ask the active backend which accelerators it sees."""
    backend = keras.backend.backend()
    with hushed():  # probing for CUDA logs errors on every machine without it
        found = {"tensorflow": _tensorflow, "jax": _jax, "torch": _torch}.get(
            backend, lambda: None
        )()
    if found:
        name, memory, count = found
        return DeviceInfo(backend, "GPU", name, memory, count, "")
    cpu = platform.processor() or platform.machine() or "CPU"
    return DeviceInfo(
        backend,
        "CPU",
        cpu,
        None,
        1,
        "No GPU found: training runs on the CPU, which is fine for tables and small models "
        "but slow for images and long texts.",
    )


def _tensorflow():
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    details = tf.config.experimental.get_device_details(gpus[0])
    return details.get("device_name", gpus[0].name), _nvml_memory_gb(), len(gpus)


def _jax():
    import jax

    gpus = [d for d in jax.devices() if d.platform in ("gpu", "cuda", "rocm")]
    if not gpus:
        return None
    stats = gpus[0].memory_stats() or {}
    limit = stats.get("bytes_limit")
    return gpus[0].device_kind, (limit / 1e9 if limit else _nvml_memory_gb()), len(gpus)


def _torch():
    import torch

    if not torch.cuda.is_available():
        return None
    props = torch.cuda.get_device_properties(0)
    return props.name, props.total_memory / 1e9, torch.cuda.device_count()


def _nvml_memory_gb() -> float | None:
    try:
        import pynvml

        pynvml.nvmlInit()
        handle = pynvml.nvmlDeviceGetHandleByIndex(0)
        return pynvml.nvmlDeviceGetMemoryInfo(handle).total / 1e9
    except Exception:  # no NVIDIA driver or no nvidia-ml-py: memory stays unknown
        return None
