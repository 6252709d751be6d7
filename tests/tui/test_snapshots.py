"""Screens as SVG snapshots, from recorded seeded runs with the clock figures fixed.
Update them with `pytest tests/tui --snapshot-update` and look at each one before keeping it."""

from __future__ import annotations

import os

import pytest
from textual.widgets import Input

from nntui.core.events import EpochEnd, Finished, Paused, Snapshot
from nntui.core.variants import make_variants
from nntui.tui.draft import Draft
from nntui.tui.widgets.fields import Field

from .conftest import TINY, TINY_RINGS, loaded, make_app, recorded_events

WIDE = (120, 40)
SMALL = (80, 24)


@pytest.fixture(autouse=True)
def two_cores(monkeypatch):
    """The device panel counts cores: the same count on every machine."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def showing(config, events=(), edits=(), view=None, focus=None):
    """A `run_before` that loads `config` into the panels, types `edits`, feeds `events` and
    leaves the focus in the box of the field `focus` names."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await loaded(pilot)
        app.draft = Draft.of(config)
        await app._mount_setup()
        await pilot.pause()
        for path, text in edits:
            field = next(f for f in app.query(Field) if f.path == path)
            field.query_one("Input").value = text
            await pilot.pause()
        if events:
            app.consume(list(events))
        if view:
            app.view = view
        app.screen.set_focus(None)
        if focus:
            next(f for f in app.query(Field) if f.path == focus).query_one(Input).focus()
        await pilot.pause()

    return run_before


def test_start_screen(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=showing(TINY))


def test_regression_run_after_seeded_epochs(snap_compare):
    events = recorded_events(TINY)
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=showing(TINY, events))


def test_classification_run_after_seeded_epochs(snap_compare):
    events = recorded_events(TINY_RINGS)
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=showing(TINY_RINGS, events))


def test_paused_run(snap_compare):
    events = recorded_events(TINY, epochs=12)
    events = [e for e in events if type(e).__name__ not in ("Finished",)][:-1] + [Paused(12)]
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=showing(TINY, events))


def test_invalid_fields_are_marked(snap_compare):
    edits = [("training.lr", "-1"), ("data.size", "12x")]
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=showing(TINY, edits=edits))


def test_diverged_run(snap_compare):
    config = TINY.with_changes(training={"lr": 1e12})
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=showing(config, recorded_events(config)))


def test_small_terminal_setup_view(snap_compare):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=showing(TINY))


def test_small_terminal_monitor_view(snap_compare):
    events = recorded_events(TINY_RINGS)
    assert snap_compare(
        make_app(), terminal_size=SMALL, run_before=showing(TINY_RINGS, events, view="monitor")
    )


def test_focused_field_is_marked_and_the_footer_says_keys_go_into_it(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=showing(TINY, focus="training.lr"))


def test_one_validation_point_sits_on_the_loss_charts_epoch_axis(snap_compare):
    """Validated every 100 epochs, paused after 12: accuracy has only epoch 1's point."""
    config = TINY_RINGS.with_changes(training={"val_every": 100})
    events = [
        event
        for event in recorded_events(config)
        if not isinstance(event, Finished)
        and not (isinstance(event, (EpochEnd, Snapshot)) and event.epoch >= 12)
    ]
    events.append(Paused(12))
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=showing(config, events))


def test_linux_console_gets_ascii_marks_and_square_corners(snap_compare, monkeypatch):
    monkeypatch.setenv("TERM", "linux")
    events = recorded_events(TINY)
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=showing(TINY, events, focus="training.lr"))


def test_help_screen(snap_compare):
    assert snap_compare(make_app(), terminal_size=WIDE, press=["question_mark"], run_before=showing(TINY))


def test_runs_screen_with_two_runs_overlaid(snap_compare, tmp_path, monkeypatch):
    from .test_runs_screen import two_runs

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NNTUI_RUNS_DIR", "runs")  # shown as typed: the same on every machine
    two_runs(tmp_path / "runs")
    assert snap_compare(make_app(), terminal_size=WIDE, press=["h", "space", "down", "space"])


def test_comparison_of_three_seeds(snap_compare):
    import dataclasses

    from nntui.storage.comparison import Comparison
    from nntui.storage.runs import RunStore

    variants = make_variants(TINY, ["training.seed=1,2,3"])
    pairs = []
    for index, event in Comparison(variants, RunStore(), batched=False).events():
        if isinstance(event, EpochEnd):
            event = event.timed(1000.0, 0.01 * (event.epoch + 1))
        elif isinstance(event, Finished):
            event = dataclasses.replace(event, duration_s=0.3)
        pairs.append((index, event))

    async def run_before(pilot) -> None:
        await showing(TINY)(pilot)
        pilot.app.show_comparison(variants, pairs, group="20261128-120000-cccc")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run_before)


def test_lesson_mode_small_terminal(snap_compare):
    """80x30: at 80x24 the predictions get one row, whose single tick flips with float rounding."""
    from nntui.engine.presets import PRESETS

    events = recorded_events(PRESETS.get("first-step").config)

    async def run_before(pilot) -> None:
        app = pilot.app
        await loaded(pilot)
        for _ in range(200):
            if app.preset == "first-step" and app.draft is not None:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        app.consume(events)
        app.screen.set_focus(None)
        await pilot.pause()

    assert snap_compare(make_app(lesson=3), terminal_size=(80, 30), run_before=run_before)


def test_playground_setup_after_a_run(snap_compare):
    from nntui.engine.presets import PRESETS

    config = PRESETS.get("playground-circle").config.with_changes(
        data={"size": 300}, model={"features": "x1,x2,x1sq"}, training={"epochs": 30}
    )
    events = recorded_events(config)
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=showing(config, events))


def test_typed_target_at_80_by_24(snap_compare):
    config = TINY.with_changes(data={"dataset": "expression", "expression": "x1*x2 > 0"})
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=showing(config, view="setup"))
