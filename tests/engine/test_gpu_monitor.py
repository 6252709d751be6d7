"""The device report with NVML faked at its boundary: the pynvml calls nntui makes."""

import io

import pytest
import torch
from fake_nvml import FakeNvml

from nntui.cli import main
from nntui.engine import devices, gpu_monitor
from nntui.engine.gpu_monitor import GpuMonitor, report_lines


def test_each_gpu_reads_its_figures_and_a_figure_nvml_lacks_reads_n_a():
    nvml = FakeNvml()
    monitor = GpuMonitor(nvml)
    for _ in range(3):
        report = monitor.read()
    assert nvml.handle_calls == 2  # handles fetched once, not on every refresh
    assert report_lines(report) == [
        "cuda:0 NVIDIA H200: 87% busy, 3,072 / 144,384 MiB, 61°C, 312 W",
        "cuda:1 Tesla T4: 0% busy, 0 / 15,360 MiB, temperature n/a, power n/a",
    ]
    monitor.close()
    assert nvml.shut


@pytest.mark.parametrize(
    "nvml, note",
    [
        (None, "nvidia-ml-py is not installed (pip install 'nntui[gpu]')"),
        (FakeNvml(init_error="Driver Not Loaded"), "NVML cannot read the GPUs (Driver Not Loaded)"),
        (FakeNvml(count=0), "NVML sees no GPU"),
    ],
)
def test_without_nvml_or_gpus_the_report_says_why_and_never_raises(monkeypatch, nvml, note):
    monkeypatch.setattr(gpu_monitor, "load_nvml", lambda: nvml)
    monitor = GpuMonitor()
    lines = report_lines(monitor.read(), run_memory=5 * 2**20)
    monitor.close()
    assert lines[0] == "the run: 5 MiB allocated by torch" and lines[1].startswith(note)


def test_nntui_devices_prints_the_gpus_as_nvml_reads_them(monkeypatch):
    monkeypatch.setattr(gpu_monitor, "load_nvml", FakeNvml)
    out = io.StringIO()
    assert main(["devices"], out=out) == 0
    text = out.getvalue()
    assert "* cpu" in text and "cuda:0 NVIDIA H200: 87% busy" in text


def test_auto_passes_over_a_gpu_whose_first_computation_fails(monkeypatch):
    devices.device_failure.cache_clear()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    real_ones = torch.ones

    def ones(*size, device=None, **kwargs):
        if device is not None and str(device).startswith("cuda"):
            raise RuntimeError("CUDA error: no kernel image is available for execution on the device")
        return real_ones(*size, device=device, **kwargs)

    monkeypatch.setattr(torch, "ones", ones)
    try:
        assert devices.auto_device() == "cpu"
        assert "no kernel image" in devices.device_failure("cuda:0")
    finally:
        devices.device_failure.cache_clear()
