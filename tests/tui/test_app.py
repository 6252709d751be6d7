"""Pilot tests: every interaction from the keyboard, bad input, failures and quitting mid-run."""

from __future__ import annotations

import time

from textual import events
from textual.widgets import Input, Select

from nntui.storage.runs import RunStore
from nntui.tui.history import DIVERGED, FAILED, FINISHED, PAUSED, READY, STOPPED, TRAINING
from nntui.tui.screens import ConfirmScreen, HelpScreen
from nntui.tui.text_screen import TextScreen
from nntui.tui.widgets.charts import EpochChart
from nntui.tui.widgets.fields import Field
from nntui.tui.widgets.panels import ArchitecturePanel, DevicePanel, LayerRow

from .conftest import TINY, TINY_RINGS, loaded, make_app, until, use


def field(app, path: str) -> Field:
    return next(f for f in app.query(Field) if f.path == path)


async def type_into(pilot, path: str, text: str) -> None:
    control = field(pilot.app, path).query_one(Input)
    control.focus()
    control.value = ""
    await pilot.press(*text)
    await pilot.pause()


def arrive_together(app, *keys: tuple[str, str | None]) -> None:
    """Queue key presses at once, with no pause for the app to handle each one first."""
    for key, character in keys:
        event = events.Key(key, character)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_start_screen_shows_the_default_config_ready_to_start():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        assert app.history.status == READY
        assert "1 → 100 relu → 1" in str(app.query_one(ArchitecturePanel).drawing)
        assert "301 parameters" in str(app.query_one(ArchitecturePanel).drawing)
        assert field(app, "training.lr").query_one(Input).value == "0.001"


async def test_an_invalid_field_is_marked_with_its_reason_and_blocks_start():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await type_into(pilot, "training.lr", "-1")
        assert "training.lr must be > 0" in field(app, "training.lr").problem
        await pilot.press("escape", "s")
        await pilot.pause()
        assert app.history.status == READY
        await type_into(pilot, "training.lr", "0.01")
        assert field(app, "training.lr").problem == ""
        assert app.draft.valid


async def test_the_focused_field_is_marked_and_the_footer_says_keys_go_into_it():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        field(app, "training.lr").query_one(Input).focus()
        await pilot.pause()
        label = str(field(app, "training.lr").query_one(".field-label").render())
        assert label.startswith("▶ learning rate") and field(app, "training.lr").has_class("-focused")
        assert not str(field(app, "training.epochs").query_one(".field-label").render()).startswith("▶")
        assert "typing into learning rate" in str(app.query_one("#typing").render())
        assert app.query_one("#typing").display and not app.query_one("Footer").display
        await pilot.press("tab")  # the next field's box: still typing, into it
        await pilot.pause()
        assert "typing into epochs" in str(app.query_one("#typing").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.query_one("Footer").display and not app.query_one("#typing").display
        assert not any(f.has_class("-focused") for f in app.query(Field))
        field(app, "training.optimizer").query_one(Select).focus()  # a choice: keys stay commands
        await pilot.pause()
        assert field(app, "training.optimizer").has_class("-focused") and app.query_one("Footer").display


async def test_the_device_panel_says_the_app_leaves_a_core_to_the_screen(monkeypatch):
    import os

    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        text = str(pilot.app.query_one("#devices").render())
        assert "cpu: x86_64, 3 training threads\n(1 core left to the screen)" in text


async def test_letters_typed_into_a_field_stay_in_it_until_enter_or_escape_leaves_it():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await type_into(pilot, "model.hidden[0].units", "5a")
        assert "must be a whole number, got '5a'" in field(app, "model.hidden[0].units").problem
        assert len(app.draft.layers) == 1 and not app.draft.valid
        assert "1 → ? relu → 1" in app.query_one(ArchitecturePanel).drawing
        await pilot.press("backspace")
        await pilot.pause()
        assert field(app, "model.hidden[0].units").problem == "" and app.draft.layers[0].units == 5
        assert "1 → 5 relu → 1\n16 parameters" in app.query_one(ArchitecturePanel).drawing
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("question_mark", "s")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen) and app.history.status == READY
        await pilot.press("escape", "a")
        await pilot.pause()
        assert len(app.draft.layers) == 2
        await type_into(pilot, "training.lr", "0.01")
        arrive_together(app, ("enter", None), ("question_mark", "?"))  # as over a slow SSH link
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen) and app.draft.config.training.lr == 0.01
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_keys_typed_ahead_of_enter_start_the_run_with_the_typed_value():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY)
        await type_into(pilot, "training.epochs", "")
        arrive_together(app, ("5", "5"), ("enter", None), ("s", "s"))
        await until(pilot, lambda: app.history.status == FINISHED)
        assert len(app.history.epochs) == 5 and app.draft.config.training.epochs == 5


async def test_a_data_edit_overtaken_by_its_start_key_asks_nothing_afterwards():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(training={"epochs": 100000}))
        await type_into(pilot, "data.size", "")
        arrive_together(app, ("6", "6"), ("0", "0"), ("enter", None), ("s", "s"))
        await until(pilot, lambda: app.history.status == TRAINING)
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmScreen) and app.history.live
        assert app.history.started.config.data.size == 60


async def test_start_trains_to_the_end_and_draws_charts_and_predictions():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY)
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == FINISHED)
        assert len(app.history.epochs) == 30
        assert app.history.snapshot is not None and app.history.snapshot.epoch == 30
        await pilot.pause(0.3)
        assert app.query_one("#loss", EpochChart).lines[0].epochs == list(range(30))
        assert "finished" in str(app.query_one("#status").render())


async def test_pause_resume_step_and_stop_from_the_keyboard():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(training={"epochs": 100000}))
        await pilot.press("n")
        await until(pilot, lambda: app.history.status == PAUSED)
        assert app.history.epochs_done == 1
        await pilot.press("n")
        await until(pilot, lambda: app.history.epochs_done == 2)
        await pilot.press("space")
        await until(pilot, lambda: app.history.status == TRAINING)
        await pilot.press("space")
        await until(pilot, lambda: app.history.status == PAUSED)
        await pilot.press("x")
        await until(pilot, lambda: app.history.status == STOPPED)


async def test_reset_clears_the_run():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(training={"epochs": 100000}))
        await pilot.press("n")
        await until(pilot, lambda: app.history.status == PAUSED)
        assert app.query_one(DevicePanel).live.startswith("in use: cpu")
        await pilot.press("r")
        await pilot.pause(0.5)
        assert app.history.status == READY and not app.history.epochs
        assert app.query_one(DevicePanel).live == ""  # no run, so nothing in use


async def test_the_learning_rate_may_change_during_training_once_it_is_entered():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(training={"epochs": 100000}))
        await pilot.press("n")
        await until(pilot, lambda: app.history.status == PAUSED)
        await type_into(pilot, "training.lr", "5")  # on the way to 5e-4: not for the run yet
        assert app.in_run.config.training.lr == 0.05
        await pilot.press(*"e-4", "enter", "n")
        await until(pilot, lambda: app.history.epochs_done == 2)
        assert app.history.last.lr == 0.0005 and not isinstance(app.screen, ConfirmScreen)


async def test_changing_the_data_during_a_run_asks_once_entered_and_keeps_the_run_as_stopped(runs_dir):
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(training={"epochs": 100000}))
        await pilot.press("n")
        await until(pilot, lambda: app.history.status == PAUSED)
        await type_into(pilot, "data.size", "15")
        assert not isinstance(app.screen, ConfirmScreen)  # still typing
        await pilot.press("0", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "data.size" in app.screen.question
        await pilot.press("x", "s")  # the main keys wait for the answer
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConfirmScreen) and app.history.status == PAUSED
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)  # one question, answered once
        assert app.history.live and app.draft.config.data.size == 300
        assert field(app, "data.size").query_one(Input).value == "300"
        await type_into(pilot, "data.size", "90")
        await pilot.press("tab")  # leaving the box is done too
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause(0.3)
        assert app.history.status == READY and app.draft.config.data.size == 90
        await type_into(pilot, "data.size", "95")  # no run now: no question
        assert not isinstance(app.screen, ConfirmScreen) and app.draft.config.data.size == 95
        store = RunStore(runs_dir)
        await until(pilot, lambda: len(store.list().runs) == 1)
        assert store.list().runs[0].status == "stopped"


async def test_changing_the_data_after_a_run_ended_asks_nothing():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(training={"epochs": 3}))
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == FINISHED)
        await type_into(pilot, "data.noise", "0.2")
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.history.status == READY and app.draft.config.data.noise == 0.2
        await pilot.press("escape", "a")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and len(app.draft.layers) == 2


async def test_layers_are_added_and_removed_with_a_and_d():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await pilot.press("a")
        await pilot.pause()
        assert len(app.query(LayerRow)) == 2
        assert "1 → 100 relu → 100 relu → 1" in app.query_one(ArchitecturePanel).drawing
        assert "10,401 parameters" in app.query_one(ArchitecturePanel).drawing
        await type_into(pilot, "model.hidden[1].units", "7")
        assert "100 relu → 7 relu" in app.query_one(ArchitecturePanel).drawing
        field(app, "model.hidden[1].activation").query_one(Select).focus()
        await pilot.press("d")
        await pilot.pause()
        assert [layer.units for layer in app.draft.layers] == [100]
        await pilot.press("escape", "d")
        await pilot.pause()
        assert app.draft.layers == [] and "1 → 1" in app.query_one(ArchitecturePanel).drawing


async def test_a_preset_loads_its_config_and_keeps_the_tutorial_replay():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        app.choose_preset("classification")
        await pilot.pause(0.2)
        assert app.draft.config.replay == "classification"
        assert field(app, "data.dataset").current == "rings"
        assert "2 → 100 relu → 100 relu → 3" in app.query_one(ArchitecturePanel).drawing
        assert app.query_one("#charts").has_class("-classification")
        await type_into(pilot, "data.noise", "0.1")
        assert app.draft.config.replay == ""


async def test_the_preset_picker_opens_from_p_and_loads_with_enter():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await pilot.press("p", "down", "down", "down", "enter")
        await pilot.pause(0.2)
        assert app.preset == "random-relu"
        assert app.draft.config.training.epochs == 0


async def test_loading_a_preset_keeps_the_panels_mounted_and_shows_its_values():
    async with make_app().run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app = pilot.app
        panels = list(app.query("#setup Panel"))
        fields = list(app.query(Field))
        await pilot.press("p", *["down"] * preset_position("classification"), "enter")
        await until(pilot, lambda: app.preset == "classification")
        await pilot.pause()
        assert list(app.query("#setup Panel")) == panels and all(panel.is_mounted for panel in panels)
        assert [f for f in app.query(Field) if not f.path.startswith("model.hidden[1]")] == fields
        assert field(app, "data.dataset").query_one(Select).value == "rings"
        assert field(app, "training.lr").query_one(Input).value == "0.01"
        assert field(app, "model.hidden[1].units").query_one(Input).value == "100"  # a row added
        assert "3 classes by radius" in str(app.query_one("#preset-summary").render())
        app.choose_preset("manual-relu")
        await until(pilot, lambda: len(app.query(LayerRow)) == 1)
        assert list(app.query("#setup Panel")) == panels
        assert field(app, "style").query_one(Select).value == "scratch"


def preset_position(name: str) -> int:
    """How many times `down` moves the preset picker from custom to `name`."""
    from nntui.engine.presets import PRESETS

    return 1 + PRESETS.names().index(name)


async def test_the_timing_preset_shows_its_result_under_the_picker_and_s_times_it_again():
    async with make_app().run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await pilot.press("p", *["down"] * preset_position("for-loop-vs-matmul"), "enter")
        summary = app.query_one("#preset-summary")
        await until(pilot, lambda: "faster" in str(summary.render()))
        await pilot.press("escape")  # the whole report opened as a page; under it, the summary
        await pilot.pause()
        assert app.view == "setup" and app.screen.region.contains_region(summary.region)
        assert app.preset == "for-loop-vs-matmul" == field(app, "preset").query_one(Select).value
        app.show_message("")
        await pilot.press("s")
        await until(pilot, lambda: "faster" in str(app.query_one("#message").render()))
        assert app.history.status == READY  # s times it again: nothing trains


async def test_the_timing_preset_shows_every_line_in_the_monitor_too():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        app.choose_preset("for-loop-vs-matmul")
        await until(pilot, lambda: "faster" in str(app.query_one("#message").render()))
        assert app.preset == "for-loop-vs-matmul"
        await pilot.pause()
        text = str(app.screen.query_one("#text").render())
        assert "matmul faster by" in text and "✓ same" in text and "cold call" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, TextScreen)


async def test_over_ssh_the_status_line_and_the_help_say_the_screen_keeps_to_a_slow_links_budget():
    from nntui.tui.budget import link_limits

    limits = link_limits(None, {"SSH_CONNECTION": "10.0.0.2 50022 10.0.0.1 22"})
    async with make_app(limits=limits).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        assert "slow link" in str(app.query_one("#status").render())
        await pilot.press("question_mark")
        await pilot.pause()
        assert "SSH_CONNECTION is set" in app.screen.note and "--fast-link" in app.screen.note


async def test_a_diverging_run_says_at_which_epoch_and_the_app_stays():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(training={"lr": 1e12}))
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == DIVERGED)
        assert "diverged at epoch" in str(app.query_one("#message").render())
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == DIVERGED)


async def test_a_missing_device_is_a_message():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(device="cuda:7"))
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == FAILED)
        assert "cuda:7 is not available" in str(app.query_one("#message").render())


async def test_a_runs_folder_that_is_a_file_is_a_message_and_nothing_trains(tmp_path):
    runs_file = tmp_path / "runs"
    runs_file.write_text("not a folder")
    async with make_app(runs_dir=str(runs_file)).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY)
        for key in ("s", "n"):
            await pilot.press(key)
            await pilot.pause()
            assert app.history.status == READY and app.runner.run_id == 0
        message = str(app.query_one("#message").render())
        assert f"cannot save runs in {runs_file}: it is a file, not a folder" in message


async def test_classification_draws_accuracy_and_a_class_map():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY_RINGS)
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == FINISHED)
        await pilot.pause(0.3)
        assert app.history.latest("train_accuracy") is not None and app.query_one("#accuracy").display
        assert "class map" in str(app.query_one("#predictions").render())


async def test_accuracy_measured_every_few_epochs_charts_without_breaking():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY_RINGS.with_changes(training={"val_every": 7}))
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == FINISHED)
        await pilot.pause(0.3)
        chart = app.query_one("#accuracy", EpochChart)
        train, validation = chart.lines
        assert train.epochs == [0, 7, 14, 21, 28, 35, 39] == validation.epochs
        assert len(train.values) == len(train.epochs)
        assert "cannot draw" not in str(chart.render())


async def test_log_y_toggles_and_help_lists_every_key():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await pilot.press("l")
        assert app.query_one("#loss", EpochChart).log_y
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(f"{key} {description}" for key, description in app.screen.keys)
        for word in ("start", "pause", "step", "stop", "reset", "log-y", "preset", "add layer", "quit"):
            assert word in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_at_80x24_the_view_switches_and_starting_shows_the_charts():
    async with make_app().run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app = pilot.app
        assert app.screen.has_class("-compact")
        assert not app.query_one("#monitor").display or app.view == "setup"
        await use(pilot, TINY)
        await pilot.press("s")
        await pilot.pause()
        assert app.view == "monitor"
        await pilot.press("v")
        assert app.view == "setup"
        await until(pilot, lambda: app.history.status == FINISHED)
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert not app.screen.has_class("-compact")


async def test_quitting_while_training_in_a_process_ends_it_within_a_second_and_saves_it(runs_dir):
    from nntui.tui.app import NntuiApp

    app = NntuiApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, TINY.with_changes(training={"epochs": 10**7}))
        process = app.runner._process
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == TRAINING, timeout_s=60)
        began = time.perf_counter()
        await pilot.press("q")
    assert not process.is_alive()
    assert time.perf_counter() - began < 1.5
    (record,) = RunStore(runs_dir).list().runs
    assert record.status == "stopped" and record.epochs_done >= 1


async def test_quitting_a_comparison_says_how_many_of_its_variants_were_saved(runs_dir):
    """Variants trained one after another that had not started when q came are not runs: the
    message says so, and its count is the runs saved."""
    from nntui.tui.app import NntuiApp

    app = NntuiApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, TINY.with_changes(training={"epochs": 10**7}))
        app.session.begin(paused=False, vary=["training.seed=1,2,3", "training.optimizer=sgd,adam"])
        await until(pilot, lambda: app.compare is not None and app.compare.epochs_done > 0, timeout_s=60)
        message = app._end_run_for_quit()
    saved = RunStore(runs_dir).list().runs
    assert saved and all(run.status == "stopped" for run in saved)
    assert f": {len(saved)} of 6 variants" in message
    assert ("had not started" in message) == (len(saved) < 6)


async def test_a_killed_training_process_is_a_message_and_the_next_run_gets_a_new_one():
    from nntui.tui.app import NntuiApp

    app = NntuiApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, TINY.with_changes(training={"epochs": 10**7}))
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == TRAINING, timeout_s=60)
        app.runner._process.kill()
        await until(pilot, lambda: app.history.status == FAILED)
        assert "ended unexpectedly" in str(app.query_one("#message").render())
        await use(pilot, TINY)
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == FINISHED, timeout_s=60)
        assert len(app.history.epochs) == TINY.training.epochs
