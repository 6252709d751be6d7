"""Each NVIDIA GPU's name, utilisation, memory, temperature and power through NVML (nvidia-ml-py,
the optional extra `nntui[gpu]`), as nvitop reads them; and, where NVML is missing or sees
nothing, why. Never raises: a figure NVML cannot give is None and the report says so."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

INSTALL_HINT = "pip install 'nntui[gpu]'"


@dataclass(frozen=True)
class GpuReading:
    """One GPU as NVML saw it; None for a figure it does not report on this GPU."""

    index: int
    name: str
    utilisation_pct: int | None = None
    memory_used: int | None = None
    memory_total: int | None = None
    temperature_c: int | None = None
    power_w: float | None = None


@dataclass(frozen=True)
class DeviceReport:
    gpus: list[GpuReading] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why figures are missing
    process_memory: dict[int, int] = field(default_factory=dict)  # this process's CUDA bytes by GPU


def load_nvml() -> Any | None:
    """The pynvml module of nvidia-ml-py; None when it is not installed."""
    try:
        import pynvml
    except ImportError:
        return None
    return pynvml


class GpuMonitor:
    """NVML opened once and each GPU's handle fetched once (fetching handles on every refresh
    costs a core); `read()` then asks only for the figures, cheap enough once a second."""

    def __init__(self, nvml: Any | None = None) -> None:
        self.nvml = nvml if nvml is not None else load_nvml()
        self.handles: list[tuple[int, Any, str]] = []
        self.notes: list[str] = []
        self.open = False
        if self.nvml is None:
            self.notes.append(f"nvidia-ml-py is not installed ({INSTALL_HINT}): no GPU utilisation here")
            return
        try:
            self.nvml.nvmlInit()
            self.open = True
            count = self.nvml.nvmlDeviceGetCount()
            for index in range(count):
                handle = self.nvml.nvmlDeviceGetHandleByIndex(index)
                self.handles.append((index, handle, _text(self.nvml.nvmlDeviceGetName(handle))))
        except Exception as error:  # noqa: BLE001 - NVMLError and its many kinds: reported, never raised
            self.notes.append(f"NVML cannot read the GPUs ({_reason(error)}): no NVIDIA driver here?")
            return
        if not self.handles:
            self.notes.append("NVML sees no GPU (a container without GPUs passed through?)")

    def read(self) -> DeviceReport:
        gpus = [self._reading(index, handle, name) for index, handle, name in self.handles]
        return DeviceReport(gpus, list(self.notes), process_memory())

    def _reading(self, index: int, handle: Any, name: str) -> GpuReading:
        nvml = self.nvml
        utilisation = _ask(lambda: nvml.nvmlDeviceGetUtilizationRates(handle).gpu)
        memory = _ask(lambda: nvml.nvmlDeviceGetMemoryInfo(handle))
        temperature = _ask(lambda: nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU))
        power = _ask(lambda: nvml.nvmlDeviceGetPowerUsage(handle))
        return GpuReading(
            index,
            name,
            utilisation,
            None if memory is None else memory.used,
            None if memory is None else memory.total,
            temperature,
            None if power is None else power / 1000,
        )

    def close(self) -> None:
        if self.open:
            _ask(self.nvml.nvmlShutdown)
            self.open = False


def process_memory() -> dict[int, int]:
    """CUDA bytes this process's tensors hold, by GPU; asked only of a torch that has already
    started CUDA here (asking would otherwise start it, taking hundreds of MiB of the GPU)."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_initialized():
        return {}
    return {index: torch.cuda.memory_allocated(index) for index in range(torch.cuda.device_count())}


def report_lines(report: DeviceReport, run_memory: int | None = None) -> list[str]:
    """The report as `nntui devices` prints it and the app's devices screen shows it; a figure
    NVML did not give reads n/a. `run_memory`: what the app's training process holds on CUDA."""
    lines = []
    for gpu in report.gpus:
        memory = (
            f"{_mib(gpu.memory_used)} / {_mib(gpu.memory_total)} MiB"
            if gpu.memory_used is not None and gpu.memory_total is not None
            else "memory n/a"
        )
        figures = [
            f"{gpu.utilisation_pct}% busy" if gpu.utilisation_pct is not None else "busy n/a",
            memory,
            f"{gpu.temperature_c}°C" if gpu.temperature_c is not None else "temperature n/a",
            f"{gpu.power_w:.0f} W" if gpu.power_w is not None else "power n/a",
        ]
        lines.append(f"cuda:{gpu.index} {gpu.name}: {', '.join(figures)}")
        if gpu.index in report.process_memory:
            lines.append(f"  this process: {_mib(report.process_memory[gpu.index])} MiB allocated by torch")
    if run_memory is not None:
        lines.append(f"the run: {_mib(run_memory)} MiB allocated by torch")
    lines.extend(report.notes)
    return lines


def _mib(count: int) -> str:
    return f"{count / 2**20:,.0f}"


def _ask(question):
    """NVML's answer, or None where this GPU does not support it (or the call fails)."""
    try:
        return question()
    except Exception:  # noqa: BLE001 - NVMLError_NotSupported and friends
        return None


def _text(name: Any) -> str:
    return name.decode() if isinstance(name, bytes) else str(name)


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__
