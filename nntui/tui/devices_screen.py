"""The devices screen: what torch can train on and, through NVML, each GPU's utilisation, memory,
temperature and power, refreshed once a second; where NVML is missing, why."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from nntui.engine.gpu_monitor import GpuMonitor, report_lines

REFRESH_S = 1.0


class DevicesScreen(ModalScreen[None]):
    """`devices`: the torch devices' descriptions; `run_memory` says what the app's training
    process holds on CUDA (None when no run trains there)."""

    BINDINGS = [Binding("escape,g,q", "dismiss", "close")]
    DEFAULT_CSS = """
    DevicesScreen { align: center middle; }
    DevicesScreen > Vertical { width: 90; max-width: 100%; height: auto; max-height: 100%;
                               border: round $accent; padding: 0 1; background: $surface; }
    """

    def __init__(self, devices: list[str], run_memory: Callable[[], int | None]) -> None:
        super().__init__()
        self.devices = devices
        self.run_memory = run_memory
        self.monitor: GpuMonitor | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "devices"
            box.border_subtitle = f"GPUs refreshed every {REFRESH_S:g} s · escape closes"
            yield Static("\n".join(self.devices), id="torch-devices")
            yield Static("", id="gpus")

    def on_mount(self) -> None:
        self.monitor = GpuMonitor()
        self.refresh_gpus()
        self.set_interval(REFRESH_S, self.refresh_gpus)

    def refresh_gpus(self) -> None:
        if self.monitor is not None:
            lines = report_lines(self.monitor.read(), self.run_memory())
            self.query_one("#gpus", Static).update("\n".join(lines))

    def on_unmount(self) -> None:
        if self.monitor is not None:
            self.monitor.close()
