"""The devices screen, with NVML faked at its boundary (tests/engine/test_gpu_monitor.py)."""

from __future__ import annotations

from fake_nvml import FakeNvml
from textual.widgets import Static

from nntui.engine import gpu_monitor
from nntui.tui.devices_screen import DevicesScreen

from .conftest import loaded, make_app, until


async def test_g_shows_each_gpu_refreshed_and_escape_closes_it(monkeypatch):
    nvml = FakeNvml()
    monkeypatch.setattr(gpu_monitor, "load_nvml", lambda: nvml)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("G")
        await until(pilot, lambda: isinstance(app.screen, DevicesScreen))
        gpus = app.screen.query_one("#gpus", Static)
        assert "cuda:0 NVIDIA H200: 87% busy" in str(gpus.render())
        assert "cpu: x86_64" in str(app.screen.query_one("#torch-devices", Static).render())
        nvml.nvmlDeviceGetUtilizationRates = lambda handle: type("U", (), {"gpu": 5})()
        await until(pilot, lambda: "cuda:0 NVIDIA H200: 5% busy" in str(gpus.render()), timeout_s=3)
        assert nvml.handle_calls == 2
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DevicesScreen))
        assert nvml.shut


async def test_without_nvml_the_devices_screen_says_why(monkeypatch):
    monkeypatch.setattr(gpu_monitor, "load_nvml", lambda: None)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("G")
        await until(pilot, lambda: isinstance(app.screen, DevicesScreen))
        text = str(app.screen.query_one("#gpus", Static).render())
        assert "nvidia-ml-py is not installed" in text
