"""Which devices torch sees, and turning a config's device string into a torch.device."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch

from nntui.core.errors import ConfigError


@dataclass(frozen=True)
class DeviceInfo:
    name: str
    description: str
    memory_bytes: int | None = None

    def __str__(self) -> str:
        memory = f", {self.memory_bytes / 2**30:.1f} GiB" if self.memory_bytes else ""
        return f"{self.name}: {self.description}{memory}"


def available_devices() -> list[DeviceInfo]:
    """Every device this torch can train on, cpu first."""
    import platform

    threads = torch.get_num_threads()
    cpu = f"{platform.processor() or platform.machine()}, {threads} thread{'s' * (threads != 1)}"
    devices = [DeviceInfo("cpu", cpu)]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            devices.append(DeviceInfo(f"cuda:{index}", props.name, props.total_memory))
    if _mps_available():
        devices.append(DeviceInfo("mps", "Apple Metal"))
    return devices


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def auto_device() -> str:
    """The first accelerator that works (a tensor made and computed on it), else cpu."""
    if torch.cuda.is_available() and device_failure("cuda:0") is None:
        return "cuda:0"
    if _mps_available() and device_failure("mps") is None:
        return "mps"
    return "cpu"


@functools.cache
def device_failure(name: str) -> str | None:
    """Why a device torch lists fails its first computation (a GPU this torch build has no kernels
    for, one held in exclusive mode, a broken driver); None when it works. Asked once a process."""
    try:
        probe = torch.ones(2, device=name) * 2
        probe.sum().item()
    except Exception as error:  # noqa: BLE001 - any failure means auto must not pick it
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}".rstrip(": ")
    return None


def device_problem(name: str) -> str | None:
    """Why `name` cannot be used here, naming the devices that exist; None when it can."""
    if name in ("auto", "cpu"):
        return None
    names = [info.name for info in available_devices()]
    wanted = "cuda:0" if name == "cuda" else name
    if wanted in names:
        return None
    return f"device {name} is not available here; available: {', '.join(names)}"


def resolve_device(name: str) -> torch.device:
    problem = device_problem(name)
    if problem:
        raise ConfigError([problem])
    return torch.device({"auto": auto_device(), "cuda": "cuda:0"}.get(name, name))


def memory_in_use(device: torch.device) -> int | None:
    """Bytes the run's tensors hold on a CUDA device; None elsewhere."""
    if device.type == "cuda":
        return torch.cuda.memory_allocated(device)
    return None
