"""Pilot tests of Playground's controls: feature toggles (keys and mouse), regularization,
new data from one key, and reset with or without new initial weights."""

from __future__ import annotations

from textual.widgets import Input

from nntui.core.share import from_share_string
from nntui.engine.presets import PRESETS
from nntui.tui.history import FINISHED, READY
from nntui.tui.widgets.features import FeatureToggle, FeatureToggles
from nntui.tui.widgets.fields import Field
from nntui.tui.widgets.panels import ArchitecturePanel

from .conftest import TINY, loaded, make_app, until, use

PLAYGROUND = PRESETS.get("playground-xor").config.with_changes(data={"size": 100}, training={"epochs": 2})


def field(app, path: str) -> Field:
    return next(f for f in app.query(Field) if f.path == path)


def toggle(app, name: str) -> FeatureToggle:
    return app.query_one(f"#feature-{name}", FeatureToggle)


async def test_features_toggle_by_keyboard_and_mouse_and_the_network_follows():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, PLAYGROUND)
        assert "2 → 4 tanh → 2 tanh → 1\n25 parameters" in app.query_one(ArchitecturePanel).drawing
        toggle(app, "x1sq").focus()
        await pilot.press("space")
        await pilot.pause()
        assert app.draft.config.model.features == "x1,x2,x1sq" and toggle(app, "x1sq").on
        assert "3 → 4 tanh" in app.query_one(ArchitecturePanel).drawing
        toggle(app, "sinx2").scroll_visible(animate=False)
        await pilot.pause()
        await pilot.click("#feature-sinx2")
        await pilot.pause()
        assert app.draft.config.model.features == "x1,x2,x1sq,sinx2"
        assert "4 → 4 tanh → 2 tanh → 1\n33 parameters" in app.query_one(ArchitecturePanel).drawing
        for name in ("x1", "x2", "x1sq"):
            await pilot.click(f"#feature-{name}")
        await pilot.pause()
        assert app.draft.config.model.features == "sinx2"
        await pilot.click("#feature-sinx2")  # the last one stays on
        await pilot.pause()
        assert app.draft.config.model.features == "sinx2" and toggle(app, "sinx2").on
        app.action_start()
        await until(pilot, lambda: app.history.status == FINISHED)
        assert app.history.started.architecture == "1 → 4 tanh → 2 tanh → 1"


async def test_features_are_hidden_and_cleared_for_one_dimensional_data():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY.with_changes(data={"dataset": "xor"}, model={"features": "x1x2"}))
        assert app.query_one(FeatureToggles).display
        dataset = field(app, "data.dataset")
        dataset.post_message(Field.Edited(dataset, "x2", final=True))
        await pilot.pause()
        assert not app.query_one(FeatureToggles).display
        assert app.draft.valid and app.draft.config.model.features == ""


async def test_regularization_is_chosen_in_the_hyperparameters_and_a_bad_rate_is_marked():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, PLAYGROUND)
        choice = field(app, "training.regularization")
        choice.post_message(Field.Edited(choice, "l2", final=True))
        rate = field(app, "training.reg_rate").query_one(Input)
        rate.focus()
        rate.value = ""
        await pilot.press(*"-1")
        await pilot.pause()
        assert "must be >= 0" in field(app, "training.reg_rate").problem and not app.draft.valid
        await pilot.press("s")  # typed into the field, not a start
        assert app.history.status == READY
        rate.value = ""
        await pilot.press(*"0.01", "enter")
        await pilot.pause()
        assert app.draft.valid
        assert (app.draft.config.training.regularization, app.draft.config.training.reg_rate) == ("l2", 0.01)


async def test_g_draws_new_data_and_capital_r_new_initial_weights_while_r_keeps_them():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, PLAYGROUND)
        app.action_start()
        await until(pilot, lambda: app.history.status == FINISHED)
        first = app.history.last.train_loss
        await pilot.press("r")
        await pilot.pause()
        assert app.history.status == READY and app.draft.config.training.seed == 42
        await pilot.press("g")
        await pilot.pause()
        seed = app.draft.config.data.seed
        assert seed != 42 and field(app, "data.seed").query_one(Input).value == str(seed)
        await pilot.press("R")
        await pilot.pause()
        assert app.draft.config.training.seed != 42 and app.draft.config.data.seed == seed
        app.action_start()
        await until(pilot, lambda: app.history.status == FINISHED)
        assert app.history.last.train_loss != first


async def test_y_shows_the_setup_as_a_share_string_that_reads_back():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, PLAYGROUND)
        await pilot.press("y")
        await pilot.pause()
        shown = str(app.query_one("#message").render())
        line = shown.splitlines()[-1]
        assert "share string" in shown and from_share_string(line) == PLAYGROUND


async def test_the_app_opens_on_a_given_config():
    async with make_app(config=PLAYGROUND).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert pilot.app.draft.config == PLAYGROUND
        assert "2 → 4 tanh → 2 tanh → 1" in pilot.app.query_one(ArchitecturePanel).drawing


async def test_a_typed_target_is_a_field_of_the_data_panel_and_a_bad_one_is_marked():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await use(pilot, TINY)
        dataset = field(app, "data.dataset")
        dataset.post_message(Field.Edited(dataset, "expression", final=True))
        await pilot.pause()
        target = field(app, "data.expression")
        assert target.display and "is empty" in target.problem
        box = target.query_one(Input)
        box.focus()
        await pilot.press(*"__import__('os')")
        await pilot.pause()
        assert "calls '__import__', which is not allowed" in target.problem and not app.draft.valid
        box.value = ""
        await pilot.press(*"x1*x2 > 0", "enter")
        await pilot.pause()
        assert target.problem == "" and app.draft.valid
        assert "2 → 16 relu → 2" in app.query_one(ArchitecturePanel).drawing
        app.action_start()
        await until(pilot, lambda: app.history.status == FINISHED)
        assert app.history.started.architecture == "2 → 16 relu → 2"
