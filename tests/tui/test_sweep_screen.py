"""The sweep screen (w): a grid trained in the training process, its loss as a live heatmap with
the best cell marked, a cursor, and enter opening a trained cell as a saved run."""

from __future__ import annotations

import math

import pytest

from nntui.core.config import DataConfig, Layer, ModelConfig, RunConfig, TrainingConfig
from nntui.core.events import Finished, Snapshot
from nntui.core.sweep import BEST, SHADES, make_grid
from nntui.storage.runs import RunStore
from nntui.storage.sweep import Sweep
from nntui.tui.history import FINISHED, STOPPED
from nntui.tui.runner import Batch
from nntui.tui.runs_screen import AskScreen
from nntui.tui.sweep_screen import SweepScreen, split_grids
from nntui.tui.widgets.heatmap import Heatmap, legend

from .conftest import loaded, make_app, until, use
from .test_contrast import too_faint, written

SMALL_SWEEP = RunConfig(
    name="small",
    data=DataConfig(dataset="x2", size=200, val_share=0.25),
    model=ModelConfig(hidden=(Layer(6, "relu"),)),
    training=TrainingConfig(lr=0.05, epochs=5, batch_size=50),
)
GRID = "training.lr=0.01..0.3,3 model.units=2,4,8"


def recorded_sweep(tmp_path, config=SMALL_SWEEP, texts=GRID):
    """A real seeded sweep's grid, its (cell, event) pairs less snapshots, and its group."""
    grid = make_grid(config, split_grids(texts))
    sweep = Sweep(grid, RunStore(tmp_path / "recorded"))
    pairs = [pair for pair in sweep.events() if not isinstance(pair[1], Snapshot)]
    return grid, pairs, sweep


async def sweep_typed(pilot, text: str) -> None:
    await pilot.press("w")
    await pilot.pause()
    assert isinstance(pilot.app.screen, AskScreen)
    pilot.app.screen.query_one("Input").value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_w_trains_the_grid_and_maps_each_cells_final_validation_loss(tmp_path):
    grid, pairs, _ = recorded_sweep(tmp_path)
    expected = {cell: event.val_loss for cell, event in pairs if isinstance(event, Finished)}
    app = make_app(runs_dir=str(tmp_path / "runs"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, SMALL_SWEEP)
        await sweep_typed(pilot, GRID)
        screen = app.screen
        assert isinstance(screen, SweepScreen)
        await until(pilot, lambda: screen.status == FINISHED)
        await pilot.pause(0.6)  # a throttled redraw
        heatmap = screen.query_one(Heatmap)
        assert heatmap.values == pytest.approx([expected[cell] for cell in range(9)], rel=1e-5)
        best = min(range(9), key=lambda cell: expected[cell])
        assert heatmap.best == best
        table = heatmap.table(200).plain
        assert f"{expected[best]:.2g}{BEST}" in table
        assert "lr ↓ units →" in table and "0.0548" in table  # the rows' and columns' values
        status = screen.query_one("#sweep-status").render().plain
        assert f"best: {grid.variants[best].label}" in status and "9 cells saved as group" in status
        runs = [run for run in RunStore(tmp_path / "runs").list().runs if run.group == screen.group]
        assert sorted(run.config.name for run in runs) == sorted(v.config.name for v in grid.variants)


async def test_the_cursor_moves_over_the_cells_and_enter_opens_one_as_a_run(tmp_path):
    app = make_app(runs_dir=str(tmp_path / "runs"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, SMALL_SWEEP)
        await sweep_typed(pilot, GRID)
        screen = app.screen
        await until(pilot, lambda: screen.status == FINISHED)
        await pilot.press("down", "right", "right", "right")  # the last column holds the cursor
        assert screen.query_one(Heatmap).cursor == (1, 2)
        cell_line = screen.query_one("#sweep-cell").render().plain
        assert (
            cell_line.startswith("lr=0.0548, units=8: final validation loss") and "enter opens" in cell_line
        )
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is not screen and app.history.started is not None)
        assert app.sweep is None
        assert app.history.started.config.name == "small [lr=0.0548, units=8]"
        assert app.history.started.config.model.hidden[0].units == 8
        assert app.history.epochs == [0, 1, 2, 3, 4]
        await until(pilot, lambda: app.history.snapshot is not None)  # its predictions, from its model


async def test_a_bad_grid_is_a_message_and_nothing_starts(tmp_path):
    app = make_app(runs_dir=str(tmp_path / "runs"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, SMALL_SWEEP)
        for text, message in [
            ("training.lr", "must look like training.lr=1e-4..1,12"),
            ("training.lr=1..", "training.lr must be a number, got '1..'"),
            ("training.lrate=1e-3..1,4", "unknown field training.lrate"),
            (
                "training.lr=0.001..0.002,40 training.momentum=0.1..0.9,30",
                "that grid has 1,200 cells; nntui trains at most",
            ),
        ]:
            await sweep_typed(pilot, text)
            assert isinstance(app.screen, AskScreen)
            assert message in app.screen.query_one("#ask-problem").render().plain
            await pilot.press("escape")
            await pilot.pause()
        assert app.sweep is None and app.runner.run_id == 0 and not app.history.exists


async def test_x_stops_the_sweep_and_what_trained_is_saved_as_stopped(tmp_path):
    long = SMALL_SWEEP.with_changes(training={"epochs": 100_000})
    app = make_app(runs_dir=str(tmp_path / "runs"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, long)
        await sweep_typed(pilot, "training.lr=0.01,0.1 model.units=2,4")
        screen = app.screen
        await until(pilot, lambda: any(value is not None for value in screen.figures.final))
        assert app.history.live
        await pilot.press("escape", "enter")  # leaving, or opening a cell, while it trains: refused
        assert app.screen is screen
        await pilot.press("x")
        await until(pilot, lambda: screen.status == STOPPED)
        assert not app.history.live
        runs = [run for run in RunStore(tmp_path / "runs").list().runs if run.group == screen.group]
        assert runs and {run.status for run in runs} == {"stopped"}
        assert all(run.epochs_done < 100_000 for run in runs)
        await pilot.press("escape")
        assert app.screen is not screen and app.sweep is None


async def test_quitting_during_a_sweep_saves_it_as_stopped(tmp_path):
    long = SMALL_SWEEP.with_changes(training={"epochs": 100_000})
    app = make_app(runs_dir=str(tmp_path / "runs"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, long)
        await sweep_typed(pilot, "training.lr=0.01,0.1")
        screen = app.screen
        await until(pilot, lambda: any(value is not None for value in screen.figures.final))
        group = screen.group
        await pilot.press("q")
    runs = [run for run in RunStore(tmp_path / "runs").list().runs if run.group == group]
    assert len(runs) == 2 and {run.status for run in runs} == {"stopped"}


def test_the_heatmap_tells_each_loss_by_shade_and_drops_numbers_where_they_do_not_fit(tmp_path):
    grid = make_grid(SMALL_SWEEP, split_grids(GRID))
    heatmap = Heatmap(grid)
    values = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, math.nan]
    heatmap.show(values, ["finished"] * 8 + ["diverged"])
    wide, narrow = heatmap.table(200).plain, heatmap.table(30).plain
    assert "[░░ 0.001*]" in wide  # the cursor's cell, the lowest, the best
    assert "█ 0.13" in wide and "×× diverge" in wide
    assert "0.001" not in narrow and "░░*" in narrow and "██" in narrow
    line = legend(heatmap.range(), "final", "val_loss")
    assert line.startswith("final validation loss, lowest to highest: ░ 0.001–0.0034  ▒ 0.0034–0.011")
    assert all(glyph in line for glyph in SHADES[1:])


def test_grids_are_split_on_spaces_or_semicolons_and_model_units_is_every_layers_width():
    assert split_grids("training.lr=1e-4..1,12 model.units=2..128,7") == [
        "training.lr=1e-4..1,12",
        "model.units=2..128,7",
    ]
    assert split_grids(" a=1,2;b=3 ") == ["a=1,2", "b=3"]
    two_layers = SMALL_SWEEP.with_changes(model={"hidden": "6 relu, 6 relu"})
    grid = make_grid(two_layers, ["model.units=2..128,7"])
    assert grid.axes[0].name == "units" and grid.axes[0].values == (2, 4, 8, 16, 32, 64, 128)
    assert [layer.units for layer in grid.variants[2].config.model.hidden] == [8, 8]


async def shown_sweep(pilot, tmp_path):
    grid, pairs, sweep = recorded_sweep(tmp_path)
    app = pilot.app
    await loaded(pilot)
    await use(pilot, SMALL_SWEEP)
    screen = SweepScreen(grid, "20260101-000000-abcd", str(tmp_path / "runs"), lambda: None)
    app.sweep = screen
    app.push_screen(screen)
    await pilot.pause()
    screen.take(Batch(1, pairs))
    screen.take(Batch(1, [], saved=screen.group))
    screen.redraw()
    await pilot.press("down", "right")
    await pilot.pause()
    return screen


@pytest.mark.parametrize(
    "no_color, systems", [(False, ("truecolor", "256", "16")), (True, ("256",))], ids=["colour", "NO_COLOR"]
)
async def test_the_sweep_screen_stands_out_in_every_colour_mode(no_color, systems, monkeypatch, tmp_path):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    async with make_app().run_test(size=(120, 40)) as pilot:
        await shown_sweep(pilot, tmp_path)
        faint = [f"[{system}] {pair}" for system in systems for pair in too_faint(written(pilot.app, system))]
    assert not faint, "\n".join(faint)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["wide", "small"])
def test_sweep_screen_snapshot(snap_compare, tmp_path, size):
    async def run_before(pilot) -> None:
        await shown_sweep(pilot, tmp_path)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
