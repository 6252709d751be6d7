"""pynvml faked at its boundary: the calls nntui makes, for tests without a GPU."""

from types import SimpleNamespace


class NVMLError(Exception):
    pass


class FakeNvml:
    """pynvml as nntui calls it: two GPUs, the second without power or temperature readings."""

    NVML_TEMPERATURE_GPU = 0

    def __init__(self, count: int = 2, init_error: str | None = None) -> None:
        self.count, self.init_error = count, init_error
        self.handle_calls = 0
        self.shut = False

    def nvmlInit(self):
        if self.init_error:
            raise NVMLError(self.init_error)

    def nvmlDeviceGetCount(self):
        return self.count

    def nvmlDeviceGetHandleByIndex(self, index):
        self.handle_calls += 1
        return index

    def nvmlDeviceGetName(self, handle):
        return [b"NVIDIA H200", "Tesla T4"][handle]

    def nvmlDeviceGetUtilizationRates(self, handle):
        return SimpleNamespace(gpu=[87, 0][handle], memory=10)

    def nvmlDeviceGetMemoryInfo(self, handle):
        return SimpleNamespace(used=[3 * 2**30, 0][handle], total=[141 * 2**30, 15 * 2**30][handle])

    def nvmlDeviceGetTemperature(self, handle, sensor):
        if handle == 1:
            raise NVMLError("Not Supported")
        return 61

    def nvmlDeviceGetPowerUsage(self, handle):
        if handle == 1:
            raise NVMLError("Not Supported")
        return 312_500  # milliwatts

    def nvmlShutdown(self):
        self.shut = True
