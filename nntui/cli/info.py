"""`nntui presets` and `nntui devices`: what there is to train, and where."""

from __future__ import annotations

from typing import TextIO


def add_info_commands(commands) -> None:
    commands.add_parser("presets", help="list the tutorial's experiments")
    commands.add_parser(
        "devices", help="list the devices torch can train on, and each GPU's load, memory, heat and power"
    )


def list_presets(out: TextIO) -> int:
    from nntui.engine.presets import PRESETS  # torch

    width = max(map(len, PRESETS))
    for name, preset in PRESETS.items():
        print(f"{name:<{width}}  {preset.summary}", file=out)
    return 0


def list_devices(out: TextIO) -> int:
    from nntui.engine.devices import auto_device, available_devices, device_failure  # torch
    from nntui.engine.gpu_monitor import GpuMonitor, report_lines

    default = auto_device()
    for info in available_devices():
        failure = device_failure(info.name) if info.name != "cpu" else None
        print(f"{'*' if info.name == default else ' '} {info}", file=out)
        if failure:
            print(f"    fails its first computation, so auto passes it over: {failure}", file=out)
    monitor = GpuMonitor()
    try:
        for line in report_lines(monitor.read()):
            print(f"  {line}", file=out)
    finally:
        monitor.close()
    return 0
