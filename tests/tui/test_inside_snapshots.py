"""The inside views and the class map's toggles as SVG snapshots, from recorded seeded runs."""

from __future__ import annotations

import os

import pytest

from nntui.tui.inside_screen import InsideScreen

from .conftest import TINY, TINY_RINGS, make_app, recorded_events, until
from .test_snapshots import showing

WIDE, SMALL = (120, 40), (80, 24)


@pytest.fixture(autouse=True)
def two_cores(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def inside(config, keys: tuple[str, ...]):
    async def run_before(pilot) -> None:
        await showing(config, recorded_events(config))(pilot)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(pilot.app.screen, InsideScreen))
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


def test_units_view_of_x2(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=inside(TINY, ("1",)))


def test_units_view_at_80x24(snap_compare):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=inside(TINY, ("1",)))


def test_neurons_view_of_rings_at_80x24(snap_compare):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=inside(TINY_RINGS, ("2", "down")))


def test_neuron_large(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=inside(TINY_RINGS, ("2", "down", "enter")))


def test_network_view(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=inside(TINY_RINGS, ("3", "down")))


def test_class_map_with_validation_points_and_probability_shading(snap_compare):
    async def run_before(pilot) -> None:
        await showing(TINY_RINGS, recorded_events(TINY_RINGS))(pilot)
        await pilot.press("T", "k")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run_before)
