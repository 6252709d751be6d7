"""Apps under test train in a thread of the test process, on tiny configs, with fixed seeds."""

from __future__ import annotations

import dataclasses
import platform

import pytest

from nntui.core.config import DataConfig, Layer, ModelConfig, RunConfig, TrainingConfig
from nntui.core.events import EpochEnd, Finished
from nntui.engine.trainer import Observe, Trainer
from nntui.tui.app import NntuiApp
from nntui.tui.runner import ThreadRunner

TINY = RunConfig(
    data=DataConfig(dataset="x2", size=300, val_share=0.2),
    model=ModelConfig(hidden=(Layer(16, "relu"),)),
    training=TrainingConfig(lr=0.05, epochs=30),
)
TINY_RINGS = RunConfig(
    data=DataConfig(dataset="rings", size=600, val_share=0.25),
    model=ModelConfig(hidden=(Layer(32, "relu"), Layer(32, "relu"))),
    training=TrainingConfig(optimizer="adam", lr=0.01, epochs=40, batch_size=100, shuffle=True),
)


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch):
    """No colour or theme from the environment, and the same cpu name on every machine."""
    monkeypatch.setattr(platform, "processor", lambda: "x86_64")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)


def make_app(**options) -> NntuiApp:
    return NntuiApp(runner=ThreadRunner, **options)


async def loaded(pilot) -> None:
    """Wait until the engine is in and the setup panels are mounted."""
    app = pilot.app
    for _ in range(200):
        if app.runner is not None:
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def use(pilot, config: RunConfig) -> None:
    """Load a config into the panels as a preset would."""
    from nntui.tui.draft import Draft

    pilot.app.draft = Draft.of(config)
    await pilot.app._mount_setup()
    await pilot.pause()


async def until(pilot, condition, timeout_s: float = 20.0) -> None:
    for _ in range(int(timeout_s / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


def recorded_events(config: RunConfig, epochs: int | None = None) -> list:
    """A real seeded run's events with the clock figures fixed, so that screens are repeatable."""
    if epochs is not None:
        config = config.with_changes(training={"epochs": epochs})
    events = []
    for event in Trainer(config, observe=Observe(flush_every_s=0.0)).events():
        if isinstance(event, EpochEnd):
            event = event.timed(123456.0, 0.01 * (event.epoch + 1))
        elif isinstance(event, Finished):
            event = dataclasses.replace(event, duration_s=1.5)
        events.append(event)
    return events
