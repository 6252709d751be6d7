"""Saved runs in the app: every run is saved; the runs screen sorts, overlays, opens, trains
again and deletes; `c` compares variants side by side."""

from __future__ import annotations

import dataclasses
import io

import pytest
from rich.console import Console
from textual.widgets import DataTable, Input, Static

from nntui.core.events import EpochEnd
from nntui.engine.trainer import Trainer
from nntui.storage.runs import RunRecord, RunRecorder, RunStore, SavedState
from nntui.tui.history import FINISHED
from nntui.tui.runs_screen import AskScreen, RunsScreen
from nntui.tui.screens import ConfirmScreen
from nntui.tui.widgets.charts import EpochChart
from nntui.tui.widgets.panels import DevicePanel
from nntui.tui.widgets.predictions import Predictions

from .conftest import TINY, loaded, make_app, until, use


def saved_run(store: RunStore, run_id: str, config=TINY, epochs: int = 8) -> RunRecord:
    """A real seeded run saved as the app would, with its id, date and timings fixed."""
    trainer = Trainer(config.with_changes(training={"epochs": epochs}))
    recorder = RunRecorder(trainer, store, save_every_s=None)
    for event in trainer.events():
        if isinstance(event, EpochEnd):
            event = event.timed(1000.0, 0.1 * (event.epoch + 1))
        recorder.record(event)
    record = dataclasses.replace(
        recorder.record_now(), id=run_id, created="2026-11-28T12:00:00", duration_s=1.5
    )
    store.save(record, recorder.history, SavedState(trainer.checkpoint(), trainer.generator.get_state()))
    return record


def two_runs(runs_dir) -> tuple[RunRecord, RunRecord]:
    store = RunStore(runs_dir)
    fast = saved_run(store, "20261128-120000-aaaa", TINY.with_changes(name="fast", training={"lr": 0.1}))
    slow = saved_run(store, "20261128-120100-bbbb", TINY.with_changes(name="slow", training={"lr": 0.01}))
    return fast, slow


async def open_runs(pilot) -> None:
    await loaded(pilot)
    await pilot.press("h")
    await pilot.pause()


async def answer(pilot, text: str) -> str:
    """Type `text` into the open question and press enter; the problem it shows, if any."""
    pilot.app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()
    if not isinstance(pilot.app.screen, AskScreen):
        return ""
    return str(pilot.app.screen.query_one("#ask-problem").render())


def table_ids(screen: RunsScreen) -> list[str]:
    return [record.id for record in screen.records]


async def test_a_run_trained_in_the_app_is_saved_with_its_history(runs_dir):
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(training={"epochs": 5}))
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == FINISHED)
        store = RunStore(runs_dir)
        await until(pilot, lambda: len(store.list().runs) == 1)
    (record,) = store.list().runs
    assert record.status == "finished" and record.epochs_done == 5
    assert record.train_loss == app.history.outcome.train_loss
    assert store.history(record.id).epochs == [0, 1, 2, 3, 4]
    assert store.saved_state(record.id).checkpoint.epochs_done == 5


async def test_the_runs_screen_sorts_picks_and_overlays(runs_dir):
    fast, slow = two_runs(runs_dir)
    async with make_app().run_test(size=(120, 40)) as pilot:
        await open_runs(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, RunsScreen)
        assert table_ids(screen) == [slow.id, fast.id]  # newest first
        assert screen.query_one(DataTable).row_count == 2
        chart = screen.query_one("#overlay", EpochChart)
        assert [line.label for line in chart.lines] == [slow.label]  # the run under the cursor
        while screen.sort != "train_loss":
            await pilot.press("s")
        assert table_ids(screen) == [fast.id, slow.id]  # lr 0.1 ends lower than lr 0.01
        assert fast.train_loss < slow.train_loss
        assert screen.cursor_record().id == fast.id  # a new sort starts at its first run
        await pilot.press("space", "down", "space")
        await pilot.pause()
        assert screen.picked == [fast.id, slow.id]
        assert [line.label for line in chart.lines] == [fast.label, slow.label]
        assert len(chart.lines[0].epochs) == 8
        await pilot.press("m")
        assert chart.title == "validation loss"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, RunsScreen)


async def test_opening_a_run_shows_its_charts_and_predictions_again(runs_dir):
    fast, _ = two_runs(runs_dir)
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await open_runs(pilot)
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.history.snapshot is not None)
        assert app.history.status == FINISHED
        assert app.history.epochs == list(range(8))
        assert app.history.latest("train_loss") == RunStore(runs_dir).history(fast.id).last("train_loss")
        assert app.draft.config.training.lr == 0.1
        assert app.history.snapshot.epoch == 8
        assert fast.id in str(app.query_one("#message").render())
        assert app.query_one(DevicePanel).live == "trained on: cpu"


async def test_a_zero_epoch_preset_shows_the_untrained_network_live_and_when_opened(runs_dir):
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await loaded(pilot)
        app.choose_preset("random-relu")
        await pilot.pause(0.3)
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == FINISHED and app.history.snapshot is not None)
        untrained = app.history.outcome.train_loss
        assert f"the untrained network  MSE {untrained:.4g}" in str(app.query_one("#status").render())
        assert "the untrained network, no loss curve" in str(app.query_one("#loss", EpochChart).render())
        await until(pilot, lambda: len(RunStore(runs_dir).list().runs) == 1)
        await pilot.press("r", "h")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: app.history.snapshot is not None)
        assert app.history.snapshot.epoch == 0 and app.history.status == FINISHED
        assert "the untrained network" in str(app.query_one("#status").render())


async def test_train_again_trains_the_runs_config_as_a_new_run(runs_dir):
    fast, slow = two_runs(runs_dir)
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await open_runs(pilot)
        await pilot.press("t")  # the newest: slow
        await until(pilot, lambda: app.history.status == FINISHED)
        store = RunStore(runs_dir)
        await until(pilot, lambda: len(store.list().runs) == 3)
    again = store.list().runs[0]
    assert again.id not in (fast.id, slow.id)
    assert dataclasses.replace(again.config) == slow.config
    assert again.train_loss == slow.train_loss  # seeded: the same figures again


async def test_delete_asks_first_and_no_keeps_the_run(runs_dir):
    fast, slow = two_runs(runs_dir)
    store = RunStore(runs_dir)
    async with make_app().run_test(size=(120, 40)) as pilot:
        await open_runs(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert len(store.list().runs) == 2
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert [run.id for run in store.list().runs] == [fast.id]
        assert table_ids(pilot.app.screen) == [fast.id]


async def test_a_corrupt_entry_is_named_and_skipped(runs_dir):
    fast, _ = two_runs(runs_dir)
    (runs_dir / fast.id / "run.json").write_text("{not json")
    (runs_dir / "stray-file.txt").write_text("hello")
    async with make_app().run_test(size=(120, 40)) as pilot:
        await open_runs(pilot)
        screen = pilot.app.screen
        assert len(screen.records) == 1
        skipped = str(screen.query_one("#runs-skipped").render())
        assert "2 entries skipped" in skipped and fast.id in skipped


async def test_compare_trains_variants_side_by_side_and_saves_them_as_a_group(runs_dir):
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(training={"epochs": 6}))
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        assert "at least two values" in await answer(pilot, "training.seed=1")
        await answer(pilot, "training.seed=1,2,3")
        await until(pilot, lambda: app.compare is not None and app.compare.group is not None)
        await pilot.pause(0.3)
        chart = app.query_one("#loss", EpochChart)
        assert [line.label for line in chart.lines] == ["seed=1", "seed=2", "seed=3"]
        assert all(len(line.epochs) == 6 for line in chart.lines)
        assert chart.lines[0].values != chart.lines[1].values
        assert "3 variants" in str(app.query_one("#status").render())
    runs = RunStore(runs_dir).list().runs
    assert len(runs) == 3 and {run.group for run in runs} == {app.compare.group}


def table_text(app) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(app.query_one("#compare-table", Static).content)
    return console.export_text()


async def test_variants_trained_one_after_another_show_their_progress_while_they_train():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(training={"epochs": 10**6}))
        await pilot.press("c")
        await pilot.pause()
        await answer(pilot, "training.optimizer=sgd,adam")  # not batched: the optimizer differs
        assert "/2000000" in str(app.query_one("#status").render())  # both totals known at once
        await until(pilot, lambda: app.compare.runs[0].epochs_done > 0)
        await pilot.pause(2.5)
        lines = table_text(app).splitlines()
        first = next(line for line in lines if "optimizer=sgd" in line)  # the chart's marker for it
        assert "training" in first and "/1000000" in first and "starting" in lines[-1]
        await pilot.press("x")
        await until(pilot, lambda: app.compare.group is not None)


async def test_opening_a_run_without_its_model_says_so(runs_dir):
    fast, _ = two_runs(runs_dir)
    (runs_dir / fast.id / "model.pt").unlink()
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await open_runs(pilot)
        await pilot.press("down", "enter")
        await until(pilot, lambda: "predictions unavailable" in str(app.query_one("#message").render()))
        assert app.history.status == FINISHED and len(app.history.epochs) == 8
        assert "could not be loaded" in str(app.query_one(Predictions).render())


async def test_an_opened_run_says_its_model_is_loading_until_its_predictions_come(runs_dir, monkeypatch):
    fast, _ = two_runs(runs_dir)
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        monkeypatch.setattr(app, "_load_predictions", lambda store, record: None)  # still loading
        await open_runs(pilot)
        await pilot.press("down", "enter")
        await until(pilot, lambda: app.history.status == FINISHED)
        await pilot.pause()
        assert "loading the saved model" in str(app.query_one(Predictions).render())


async def test_sorting_shows_the_table_from_its_first_run(runs_dir):
    store = RunStore(runs_dir)
    for index in range(12):
        saved_run(
            store, f"20261128-1200{index:02d}-{index:04d}", TINY.with_changes(name=f"run {index:02d}"), 1
        )
    async with make_app().run_test(size=(80, 24)) as pilot:
        await open_runs(pilot)
        screen = pilot.app.screen
        table = screen.query_one(DataTable)
        await pilot.press(*["down"] * 11)
        await pilot.pause()
        assert table.cursor_row == 11 and table.scroll_y > 0
        await pilot.press("s")
        await pilot.pause()
        assert screen.sort == "name" and table_ids(screen)[0].endswith("0000")
        assert table.cursor_row == 0 and table.scroll_y == 0


async def test_the_table_shows_a_column_whole_or_leaves_it_out(runs_dir):
    fast, slow = two_runs(runs_dir)
    for size, id_shown in (((120, 40), False), ((220, 40), True)):
        async with make_app().run_test(size=size) as pilot:
            await open_runs(pilot)
            table = pilot.app.screen.query_one(DataTable)
            widths = [column.get_render_width(table) for column in table.columns.values()]
            assert sum(widths) <= table.size.width
            assert ("id" in table.columns) == id_shown
            if id_shown:
                assert str(table.get_cell(fast.id, "id")) == fast.id


async def test_on_the_runs_screen_help_lists_its_keys_and_training_keys_are_off(runs_dir):
    two_runs(runs_dir)
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await open_runs(pilot)
        assert not app.check_action("start", ()) and not app.check_action("compare", ())
        await pilot.press("question_mark")
        await pilot.pause()
        shown = " ".join(description for _, description in app.screen.keys)
        for words in ("pick", "open", "retrain", "continue", "export", "delete", "sort", "metric", "quit"):
            assert words in shown
        await pilot.press("escape", "c")  # a question over the runs screen: still no training keys
        await pilot.pause()
        assert isinstance(app.screen, AskScreen) and not app.check_action("step", ())


async def test_names_with_brackets_show_as_written(runs_dir):
    saved_run(RunStore(runs_dir), "20261128-120000-dddd", TINY.with_changes(name="x2 [seed=3]"))
    async with make_app().run_test(size=(120, 40)) as pilot:
        await open_runs(pilot)
        table = pilot.app.screen.query_one(DataTable)
        assert str(table.get_cell("20261128-120000-dddd", "name")) == "x2 [seed=3]"


async def test_continue_trains_a_saved_run_on_and_keeps_counting_epochs(runs_dir):
    fast, _ = two_runs(runs_dir)
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await open_runs(pilot)
        await pilot.press("down", "c")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        assert "give more than that" in await answer(pilot, "5")
        await answer(pilot, "12")
        await until(pilot, lambda: app.history.status == FINISHED)
        assert app.history.epochs == list(range(12))
        store = RunStore(runs_dir)
        await until(pilot, lambda: len(store.list().runs) == 3)
    continued = store.list().runs[0]
    assert continued.resumed_from == fast.id and continued.epochs_done == 12
    unbroken = Trainer(fast.config.with_changes(training={"epochs": 12}))
    final = [e for e in unbroken.events() if isinstance(e, EpochEnd)][-1]
    assert store.history(continued.id).last("train_loss") == final.train_loss


async def test_export_writes_a_script_that_plain_python_runs(runs_dir, tmp_path, monkeypatch):
    import os
    import stat
    import subprocess
    import sys

    fast, _ = two_runs(runs_dir)
    monkeypatch.chdir(tmp_path)
    umask = os.umask(0o022)
    try:
        async with make_app().run_test(size=(120, 40)) as pilot:
            app = pilot.app
            await open_runs(pilot)
            await pilot.press("down", "e")
            await pilot.pause()
            assert str(tmp_path) in str(app.screen.query_one(".hint").render())  # says where, in full
            assert "choose one of" in await answer(pilot, "docx")
            await answer(pilot, "py")
            assert isinstance(app.screen, RunsScreen)
            await pilot.press("e")
            await pilot.pause()
            await answer(pilot, "csv exports/today")
    finally:
        os.umask(umask)
    script = tmp_path / f"nntui-{fast.id}.py"
    figures = tmp_path / "exports" / "today" / f"nntui-{fast.id}.csv"
    for written in (script, figures):
        assert stat.S_IMODE(written.stat().st_mode) == 0o644  # an ordinary file, as the umask says
    assert not list(tmp_path.glob(".*.tmp"))
    out = subprocess.run([sys.executable, str(script), "--epochs", "2"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    text = script.read_text()
    assert "import nntui" not in text and "from nntui" not in text
    printed = [float(line.split("train loss ")[1].split(",")[0]) for line in out.stdout.splitlines()[:2]]
    saved = RunStore(runs_dir).history(fast.id).columns["train_loss"][:2]
    assert printed == pytest.approx(saved, rel=1e-6)  # the script reproduces the run


async def test_bracketed_names_and_problems_are_text_not_markup(runs_dir):
    saved_run(RunStore(runs_dir), "20261128-120000-eeee", TINY.with_changes(name="x [seed=1, epochs=300]"))
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await open_runs(pilot)
        for key in ("e", "c", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, RunsScreen)  # the question is shown, no crash
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        app.draft.set("data.val_share", 1.0, "data.val_share must be in [0, 1), got 1")
        app._after_edit()
        await pilot.pause()
        assert "[0, 1)" in str(app.query_one("#problems").render())


async def test_a_double_enter_in_a_question_answers_it_once(runs_dir):
    two_runs(runs_dir)
    async with make_app().run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await open_runs(pilot)
        await pilot.press("down", "c")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        app.screen.query_one(Input).value = "12"
        await pilot.press("enter", "enter", "enter")  # typed ahead: the dialog pops once
        await pilot.pause()
        await until(pilot, lambda: app.history.status == FINISHED)
        assert app.is_running and app.history.epochs == list(range(12))
