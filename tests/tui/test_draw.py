"""Draw mode: points of your own by keyboard cursor (for SSH without a mouse) and by mouse
clicks, which become the drawn dataset; a drawn run saved, reopened and trained again."""

from __future__ import annotations

from nntui.core.config import RunConfig
from nntui.core.drawn import format_points, parse_points, point
from nntui.storage.runs import RunStore
from nntui.tui.draw import KEYS, DrawCanvas
from nntui.tui.history import FINISHED
from nntui.tui.widgets.fields import Field
from nntui.tui.widgets.predictions import Predictions

from .conftest import loaded, make_app, until, use
from .test_runs_screen import saved_run

SMALL_DRAWN = RunConfig().with_changes(
    data={
        "dataset": "drawn",
        "points": "-0.5,-0.5,0;-0.5,-0.25,0;-0.25,-0.5,0;0.5,0.5,1;0.5,0.25,1;0.25,0.5,1",
        "val_share": 0.0,
    },
    model={"hidden": "4 tanh"},
    training={"optimizer": "adam", "lr": 0.05, "epochs": 20},
)


def canvas(app) -> DrawCanvas:
    return app.query_one(DrawCanvas)


def points_field(app) -> Field:
    return next(f for f in app.query(Field) if f.path == "data.points")


async def test_o_opens_draw_mode_where_keys_draw_a_set_the_setup_takes(runs_dir):
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await loaded(pilot)
        await pilot.press("o")
        await pilot.pause()
        drawing = canvas(app)
        assert app.focused is drawing and not app.query_one(Predictions).display
        assert app.screen.has_class("-drawing") and str(app.query_one("#typing").render()) == KEYS
        assert drawing.points == [] and drawing.label == 0  # x2 regression: nothing to start from
        # three of class 0 going right from the middle, three of class 1 going up-left
        await pilot.press("enter", "right", "enter", "right", "space")
        assert "has 3 points of class 0" not in drawing.problem
        assert "data.points has points of class 0 only" in drawing.problem
        await pilot.press("1", "up", "up", "left", "left", "left", "enter", "up", "enter", "up", "enter")
        await pilot.pause()
        points = parse_points(app.draft.get("data.points"))
        assert [p.label for p in points] == [0, 0, 0, 1, 1, 1]
        assert points[0].x1 < points[1].x1 < points[2].x1 and points[3].x2 < points[4].x2 < points[5].x2
        assert app.draft.get("data.dataset") == "drawn" and app.draft.valid and drawing.problem == ""
        assert points_field(app).display and app.draft.config.n_points == 6
        await pilot.press("backspace")  # the point nearest the cursor: the last one drawn
        await pilot.pause()
        assert [p.label for p in parse_points(app.draft.get("data.points"))] == [0, 0, 0, 1, 1]
        assert "has 2 points of class 1: each class needs 3 or more" in drawing.problem
        assert "has 2 points of class 1" in app.draft.problems["data.points"]
        await pilot.press("escape")
        await pilot.pause()
        assert not app.query(DrawCanvas) and app.query_one(Predictions).display
        assert not app.screen.has_class("-drawing")


async def test_mouse_clicks_add_remove_and_pick_the_class_from_the_legend(runs_dir):
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await loaded(pilot)
        await pilot.press("o")
        await pilot.pause()
        drawing = canvas(app)
        cols, rows = drawing.plane
        await pilot.click(DrawCanvas, offset=(2, 1))  # the plane's top-left corner (row 0 is the title)
        await pilot.click(DrawCanvas, offset=(cols - 1, rows))  # its bottom-right
        await pilot.pause()
        assert format_points(drawing.points) == f"{point(*drawing.place_of(2, 0), 0)};1,-1,0"
        assert drawing.points[0].x1 < -0.9 and drawing.points[0].x2 == 1
        await pilot.click(DrawCanvas, offset=(3, 1))  # next to the first: removes it
        await pilot.pause()
        assert format_points(drawing.points) == "1,-1,0"
        legend = str(drawing.render()).splitlines()[-1]
        await pilot.click(DrawCanvas, offset=(legend.index("class 3"), rows + 1))
        await pilot.click(DrawCanvas, offset=(cols // 2, rows // 2 + 1))
        await pilot.pause()
        assert drawing.label == 3 and drawing.points[-1].label == 3
        assert "[* class 3]" in str(drawing.render()).splitlines()[-1]
        await pilot.click(DrawCanvas, offset=(0, rows), button=3)  # a right click: the nearest goes
        await pilot.pause()
        assert format_points(drawing.points) == format_points([drawing.points[-1]])
        assert app.draft.get("data.points") == format_points(drawing.points)


async def test_draw_mode_starts_from_the_datasets_points_over_the_last_class_map(runs_dir):
    circle = RunConfig().with_changes(
        data={"dataset": "circle", "size": 200, "val_share": 0.25}, model={"hidden": "8 tanh"}
    )
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await loaded(pilot)
        await use(pilot, circle.with_changes(training={"epochs": 5, "optimizer": "adam", "lr": 0.05}))
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == FINISHED and app.history.snapshot is not None)
        await pilot.press("o")
        await pilot.pause()
        drawing = canvas(app)
        assert len(drawing.points) == 200 and drawing.backdrop is app.history.snapshot
        assert "from circle's 200 points" in str(drawing.render()).splitlines()[0]
        assert app.draft.get("data.dataset") == "circle"  # nothing changes until a point does
        await pilot.press("c", "0", "enter")
        await pilot.pause()
        assert app.draft.get("data.dataset") == "drawn" and len(drawing.points) == 1
        assert not app.history.exists  # the ended run's charts went with its data
        assert drawing.backdrop is not None  # its class map stays behind the drawing


async def test_a_drawn_run_reopens_with_its_points_and_trains_again_the_same(runs_dir):
    saved = saved_run(RunStore(runs_dir), "20261128-120000-dddd", SMALL_DRAWN, epochs=20)
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await loaded(pilot)
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: app.history.snapshot is not None)
        assert app.draft.get("data.points") == SMALL_DRAWN.data.points and points_field(app).display
        await pilot.press("o")
        await pilot.pause()
        assert format_points(canvas(app).points) == SMALL_DRAWN.data.points
        assert canvas(app).backdrop is app.history.snapshot
        await pilot.press("s")  # leaves draw mode and trains the same points again
        await until(pilot, lambda: app.history.status == FINISHED)
        assert not app.query(DrawCanvas)
        assert app.history.outcome.train_loss == saved.train_loss


async def test_w_writes_the_points_as_a_csv_the_csv_dataset_reads_back(runs_dir, tmp_path, monkeypatch):
    from nntui.engine.trainer import load_data

    monkeypatch.chdir(tmp_path)
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, SMALL_DRAWN)
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("w", "w")
        await pilot.pause()
    assert (tmp_path / "drawn-points.csv").is_file() and (tmp_path / "drawn-points-2.csv").is_file()
    back = RunConfig().with_changes(
        task="classification", data={"dataset": "csv", "path": "drawn-points.csv", "val_share": 0}
    )
    data, _ = load_data(back)
    assert len(data.x_train) == 6 and data.y_train.tolist() == [0, 0, 0, 1, 1, 1]


# Three classes in three corners of the plane, eight points each: a set someone might draw.
THREE_CORNERS = RunConfig().with_changes(
    data={
        "dataset": "drawn",
        "points": ";".join(
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
        "val_share": 0.25,
    },
    model={"hidden": "8 tanh"},
    training={"optimizer": "adam", "lr": 0.05, "epochs": 60},
)


def test_draw_mode_over_a_drawn_runs_class_map(snap_compare, monkeypatch):
    import os

    from .conftest import recorded_events
    from .test_snapshots import showing

    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # the device panel counts cores
    events = recorded_events(THREE_CORNERS)
    assert snap_compare(
        make_app(),
        terminal_size=(120, 40),
        run_before=showing(THREE_CORNERS, events),
        press=["o", "2", "down", "down", "right", "enter"],
    )
