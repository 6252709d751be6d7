"""Writes the SVG screenshots shown in README.md: `.venv/bin/python screenshots/make_screenshots.py`
(`… make_screenshots.py inside`: only the inside screen's).

Each screen is the real app fed the events of a real seeded run (trained here, in-process), so the
pictures show what a user sees, without a clock in them."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
import tempfile
from pathlib import Path

import torch

from nntui.core.config import DataConfig, Layer, ModelConfig, RunConfig, TrainingConfig
from nntui.core.events import EpochEnd, Finished, Paused, Snapshot
from nntui.core.lessons import LESSONS
from nntui.core.sweep import make_grid
from nntui.core.variants import make_variants
from nntui.engine.presets import PRESETS
from nntui.engine.trainer import Observe, RunControl, Trainer
from nntui.storage.comparison import Comparison
from nntui.storage.runs import RunStore
from nntui.storage.sweep import Sweep
from nntui.tui.app import NntuiApp
from nntui.tui.draft import Draft
from nntui.tui.runner import Batch, ThreadRunner, child_threads
from nntui.tui.sweep_screen import SweepScreen

HERE = Path(__file__).resolve().parent
REGRESSION = RunConfig(
    name="x2",
    data=DataConfig(dataset="x2", size=2000, val_share=0.2),
    model=ModelConfig(hidden=(Layer(64, "relu"), Layer(64, "relu"))),
    training=TrainingConfig(optimizer="adam", lr=0.01, epochs=200, batch_size=200),
)
CLASSIFICATION = RunConfig(
    name="spiral",
    data=DataConfig(dataset="spiral", size=3000, val_share=0.2, noise=0.02),
    model=ModelConfig(hidden=(Layer(64, "tanh"), Layer(64, "tanh"))),
    training=TrainingConfig(optimizer="adam", lr=0.01, epochs=300, batch_size=200, shuffle=True),
)

# TensorFlow Playground's own setup on its circle, with X1² among the features
PLAYGROUND = PRESETS.get("playground-circle").config.with_changes(model={"features": "x1,x2,x1sq,x2sq"})

# Your own data: three clusters drawn in draw mode (o), eight points each
DRAWN = RunConfig(
    name="drawn",
    data=DataConfig(
        dataset="drawn",
        val_share=0.25,
        points=";".join(
            f"{cx + dx:g},{cy + dy:g},{label}"
            for label, (cx, cy) in enumerate([(-0.6, 0.5), (0.6, 0.5), (0, -0.6)])
            for dx, dy in [
                (-0.2, 0),
                (0.2, 0),
                (0, -0.2),
                (0, 0.2),
                (-0.1, 0.1),
                (0.1, -0.1),
                (0.1, 0.1),
                (0, 0),
            ]
        ),
    ),
    model=ModelConfig(hidden=(Layer(8, "tanh"),)),
    training=TrainingConfig(optimizer="adam", lr=0.05, epochs=60),
)


def events_of(config: RunConfig, pause_at: int | None = None) -> list:
    """A run's events with timing figures fixed; with `pause_at`, the run paused after that epoch."""
    control = RunControl()
    if pause_at is not None:
        control.step(pause_at)
    events = []
    for event in Trainer(config, control, Observe(flush_every_s=0.0)).events():
        if isinstance(event, EpochEnd):
            event = event.timed(250_000.0, 0.02 * (event.epoch + 1))
        if isinstance(event, Finished):
            event = dataclasses.replace(event, duration_s=0.02 * event.epochs_done)
        events.append(event)
        if isinstance(event, Paused) and event.epoch == pause_at:
            control.stop()
            break
    return events


async def shoot(
    name: str, size: tuple[int, int], config: RunConfig, events=(), view=None, keys=(), compare=None
) -> None:
    app = NntuiApp(runner=ThreadRunner)
    async with app.run_test(size=size) as pilot:
        while app.runner is None:
            await pilot.pause(0.05)
        app.draft = Draft.of(config)
        await app._mount_setup()
        if events:
            app.consume(list(events))
        if compare:
            app.show_comparison(*compare)
        if view:
            app.view = view
        app.screen.set_focus(None)
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.2)
        app.save_screenshot(str(HERE / f"{name}.svg"))
    print(f"wrote screenshots/{name}.svg")


async def shoot_lesson(name: str, size: tuple[int, int], lesson: int) -> None:
    """Lesson mode at lesson `lesson` (0 first), its preset trained to the end."""
    from nntui.engine.presets import PRESETS

    preset = LESSONS[lesson].preset
    events = events_of(PRESETS.get(preset).config)
    app = NntuiApp(runner=ThreadRunner, lesson=lesson)
    async with app.run_test(size=size) as pilot:
        while app.preset != preset:
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        app.consume(events)
        app.screen.set_focus(None)
        await pilot.pause(0.2)
        app.save_screenshot(str(HERE / f"{name}.svg"))
    print(f"wrote screenshots/{name}.svg")


SWEPT = RunConfig(
    name="x2",
    data=DataConfig(dataset="x2", size=1000, val_share=0.2),
    model=ModelConfig(hidden=(Layer(16, "relu"),)),
    training=TrainingConfig(optimizer="sgd", lr=0.01, epochs=150, batch_size=100),
)
SWEPT_GRID = ["training.lr=1e-3..1,8", "model.units=2..64,6"]


async def shoot_sweep(name: str, size: tuple[int, int], store: RunStore) -> None:
    """The sweep screen (w) over a learning rate × width grid of x², trained here as the app's
    training process trains it, the cursor moved off the corner."""
    grid = make_grid(SWEPT, SWEPT_GRID)
    sweep = Sweep(grid, store)
    pairs = [pair for pair in sweep.events() if not isinstance(pair[1], Snapshot)]
    app = NntuiApp(runner=ThreadRunner)
    async with app.run_test(size=size) as pilot:
        while app.runner is None:
            await pilot.pause(0.05)
        app.draft = Draft.of(SWEPT)
        await app._mount_setup()
        app.sweep = SweepScreen(grid, sweep.group, str(store.root), lambda: None)
        app.push_screen(app.sweep)
        await pilot.pause()
        app.sweep.take(Batch(1, pairs))
        app.sweep.take(Batch(1, [], saved=sweep.group))
        for key in ["down", "down", "right", "right", "right"]:
            await pilot.press(key)
        await pilot.pause(0.2)
        app.save_screenshot(str(HERE / f"{name}.svg"))
    print(f"wrote screenshots/{name}.svg")


async def inside_shots() -> None:
    """The inside screen's views (i, then 1, 2, enter, 3) and the class map's T and k."""
    x2 = PRESETS.get("optim").config.with_changes(training={"epochs": 300})
    await shoot("inside-units", (120, 40), x2, events_of(x2), keys=["i", "1"])
    classification = events_of(CLASSIFICATION)
    await shoot("inside-neurons", (120, 40), CLASSIFICATION, classification, keys=["i", "2"])
    await shoot("inside-neuron", (120, 40), CLASSIFICATION, classification, keys=["i", "2", "down", "enter"])
    await shoot("inside-network", (120, 40), PLAYGROUND, events_of(PLAYGROUND), keys=["i", "3", "right"])
    await shoot("inside-small", (80, 24), x2, events_of(x2), keys=["i", "1"])
    await shoot("class-map-options", (120, 40), CLASSIFICATION, classification, keys=["T", "k"])


def compare_seeds(store: RunStore) -> tuple[list, list, str]:
    """Five seeds of the spiral config, trained side by side and saved as one group of runs."""
    config = CLASSIFICATION.with_changes(training={"epochs": 120})
    comparison = Comparison(make_variants(config, ["training.seed=1,2,3,4,5"]), store)
    pairs = list(comparison.events())
    comparison.save()
    return comparison.variants, pairs, comparison.group


async def main() -> None:
    torch.set_num_threads(child_threads())  # as the app's training process does
    regression = events_of(REGRESSION)
    classification = events_of(CLASSIFICATION)
    await shoot("start", (120, 40), REGRESSION)
    await shoot("regression", (120, 40), REGRESSION, regression)
    await shoot("classification", (120, 40), CLASSIFICATION, classification)
    await shoot("paused", (120, 40), CLASSIFICATION, events_of(CLASSIFICATION, pause_at=40))
    await shoot("small-setup", (80, 24), CLASSIFICATION)
    await shoot("small-monitor", (80, 24), CLASSIFICATION, classification, view="monitor")
    await shoot("help", (120, 40), REGRESSION, keys=["question_mark"])
    await shoot("playground", (120, 40), PLAYGROUND, events_of(PLAYGROUND))
    await shoot("draw", (120, 40), DRAWN, events_of(DRAWN), keys=["o", "2", "down", "down", "right"])
    await shoot("large", (160, 48), CLASSIFICATION, classification)
    await shoot_lesson("lesson", (80, 24), 4)
    with tempfile.TemporaryDirectory() as where:
        os.chdir(where)
        os.environ["NNTUI_RUNS_DIR"] = "runs"
        comparison = compare_seeds(RunStore())
        await shoot("compare", (120, 40), CLASSIFICATION, compare=comparison)
        await shoot("runs", (120, 40), CLASSIFICATION, keys=["h", "space", "down", "space", "down", "space"])
        await shoot_sweep("sweep", (120, 40), RunStore())
    await inside_shots()


if __name__ == "__main__":
    torch.set_num_threads(child_threads())
    asyncio.run(inside_shots() if sys.argv[1:] == ["inside"] else main())
