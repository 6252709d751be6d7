"""The predictions panel on its own: what its title says about the picture's age."""

from __future__ import annotations

import numpy as np
from textual.app import App, ComposeResult

from nntui.core.events import Snapshot
from nntui.tui.widgets.predictions import Predictions

from .conftest import TINY, TINY_RINGS, recorded_events


class OnePanel(App):
    def compose(self) -> ComposeResult:
        yield Predictions(id="predictions")


def last_snapshot(config) -> Snapshot:
    return [event for event in recorded_events(config) if isinstance(event, Snapshot)][-1]


async def test_while_training_the_title_says_how_often_the_picture_is_redrawn():
    for config, title in ((TINY_RINGS, "class map at epoch 40"), (TINY, "predictions at epoch 30")):
        async with OnePanel().run_test(size=(80, 20)) as pilot:
            panel = pilot.app.query_one(Predictions)
            panel.show(last_snapshot(config), redrawn_every_s=2.0)
            await pilot.pause()
            assert f"{title} (redrawn every 2 s)" in str(panel.render())
            panel.show(last_snapshot(config))  # a run that has ended: the picture is its last
            await pilot.pause()
            assert f"{title} " in str(panel.render()) and "redrawn" not in str(panel.render())


async def test_the_1d_legend_sits_under_the_plot():
    async with OnePanel().run_test(size=(80, 20)) as pilot:
        panel = pilot.app.query_one(Predictions)
        panel.show(last_snapshot(TINY))
        await pilot.pause()
        rows = str(panel.render()).splitlines()
        bottom = next(index for index, row in enumerate(rows) if "└" in row)
        assert "target" not in "\n".join(rows[:bottom]) and "▄ prediction" in rows[-1]
        assert rows[-1].rstrip().endswith("input x")


async def test_predictions_are_placed_to_half_a_row(monkeypatch):
    """A ramp of predictions fills both halves of cells: a dot per cell would step by whole rows."""
    monkeypatch.delenv("TERM", raising=False)
    x = np.linspace(-1, 1, 200, dtype=np.float32)[:, None]
    ramp = Snapshot(epoch=1, task="regression", points=x, targets=np.zeros(200), predictions=x[:, 0] * 1.0)
    async with OnePanel().run_test(size=(80, 20)) as pilot:
        panel = pilot.app.query_one(Predictions)
        panel.show(ramp)
        await pilot.pause()
        drawn = set(str(panel.render()))
        assert drawn & set("▀▘▝") and drawn & set("▄▖▗"), "the prediction marks use both half rows"
        monkeypatch.setenv("TERM", "linux")
        panel.show(ramp)
        await pilot.pause()
        assert not set(str(panel.render())) & set("▀▘▝▖▗"), "the Linux console gets whole-cell dots"
