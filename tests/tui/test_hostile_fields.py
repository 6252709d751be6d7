"""Hostile numbers typed into the app's fields are marked with their reason; the app stays."""

import pytest
from textual.widgets import Input

from .conftest import loaded, make_app

HOSTILE = {
    "training.batch_size": ["9" * 400, "9" * 5000, "-5", "1e3"],
    "model.hidden[0].units": ["9" * 400, "9223372036854775808", "0"],
    "data.size": ["9" * 400, "9223372036854775807"],
    "training.epochs": ["9" * 400, "inf"],
    "data.val_share": ["inf", "nan", "1e309", "-1e309", "9" * 400],
    "training.lr": ["1e309", "nan", "0", "9" * 400],
    "training.seed": ["9223372036854775808", "-1", "9" * 400],
}


def field(app, path: str):
    return next(f for f in app.query("Field") if f.path == path)


@pytest.mark.parametrize("path", list(HOSTILE))
async def test_a_hostile_number_in_a_field_is_marked_and_the_app_stays(path):
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        for text in HOSTILE[path]:
            box = field(app, path).query_one(Input)
            box.focus()
            box.value = text
            await pilot.press("enter")
            await pilot.pause()
            problem = field(app, path).problem
            assert path in problem or "whole number" in problem or "number" in problem, (text, problem)
            assert len(problem) < 200  # a 400-digit value is shortened, not echoed
            assert app.is_running and not app.draft.valid
        box = field(app, path).query_one(Input)
        box.focus()
        box.value = "1" if path not in ("data.val_share", "training.lr") else "0.1"
        if path == "data.size":
            box.value = "300"
        await pilot.press("enter")
        await pilot.pause()
        assert field(app, path).problem == ""


async def test_a_blank_field_is_marked_and_blocks_start():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        for path in ("training.epochs", "training.lr", "data.size"):
            box = field(app, path).query_one(Input)
            box.focus()
            box.value = "   "
            await pilot.press("enter")
            await pilot.pause()
            assert f"{path} is blank" in field(app, path).problem
        await pilot.press("s")
        await pilot.pause()
        assert app.history.status == "ready"
