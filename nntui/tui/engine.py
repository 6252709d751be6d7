"""The engine, loaded after the first frame (importing torch takes seconds): what the panels list."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from functools import cache

from nntui.core.choices import ACTIVATIONS, DATASETS, OPTIMIZERS


@dataclass(frozen=True)
class Engine:
    """Names the panels offer, from the engine's registries, and the devices torch sees."""

    datasets: list[tuple[str, str]]
    activations: list[str]
    optimizers: list[str]
    presets: list[tuple[str, str]]
    devices: list[tuple[str, str]]


def load_engine() -> Engine:
    import torch

    from nntui.tui.runner import child_threads

    # The device panel describes the cpu as the training child sees it (all cores but one).
    torch.set_num_threads(min(torch.get_num_threads(), child_threads()))
    from nntui.engine.devices import available_devices
    from nntui.engine.presets import PRESETS
    from nntui.engine.trainer import Trainer  # noqa: F401 - imported now so that starting a run is quick

    engine = Engine(
        datasets=[(name, spec.description) for name, spec in DATASETS.items()],
        activations=ACTIVATIONS.names(),
        optimizers=OPTIMIZERS.names(),
        presets=[(name, preset.summary) for name, preset in PRESETS.items()],
        devices=[(info.name, str(info)) for info in available_devices()],
    )
    _freeze_what_is_loaded()
    return engine


@cache
def _freeze_what_is_loaded() -> None:
    """Torch's and the engine's objects (~150,000) live as long as the app: frozen, the garbage
    collector's full passes stop walking them. Each pass held the UI thread ~100 ms, a key's
    wait when it came. Once a process (a test session makes many apps: theirs are not frozen)."""
    gc.freeze()
