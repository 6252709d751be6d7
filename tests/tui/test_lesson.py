"""Lesson mode: the tutorial's experiments in order, keys to move, the printed figures shown."""

from __future__ import annotations

from nntui.core.lessons import LESSONS
from nntui.engine.presets import PRESETS
from nntui.tui.history import FINISHED
from nntui.tui.widgets.lesson import LessonPanel

from .conftest import loaded, make_app, until


def lesson_text(app) -> str:
    return str(app.query_one("#lesson-text").render())


def test_lessons_follow_the_tutorial_and_are_ordinary_presets():
    names = [lesson.preset for lesson in LESSONS]
    in_preset_order = [name for name in PRESETS if name in names]
    assert names == in_preset_order  # the presets are listed in the tutorial's order
    assert names[0] == "for-loop-vs-matmul" and names[-1] == "classification"
    assert {"first-step", "random-relu", "minibatch", "validation"} <= set(names)


async def test_t_opens_the_lesson_and_brackets_move_through_the_presets():
    async with make_app().run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await pilot.press("right_square_bracket")
        assert app.lesson is None  # no lesson, no lesson keys
        await pilot.press("t")
        await until(pilot, lambda: app.lesson is not None)
        assert "One neuron, two ways" in lesson_text(app)
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: app.preset == "random-identity")
        assert app.lesson.border_title == "lesson 2/14 · random-identity"
        await pilot.press("right_square_bracket", "right_square_bracket")
        await until(pilot, lambda: app.preset == "first-step")
        await pilot.press("left_square_bracket")
        await until(pilot, lambda: app.preset == "random-relu")
        assert "ReLU sets every negative value to 0" in lesson_text(app)
        await pilot.press("t")
        await pilot.pause()
        assert app.lesson is None and not app.query(LessonPanel)


async def test_a_lesson_shows_the_tutorials_figures_beside_the_run():
    async with make_app(lesson=3).run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await until(pilot, lambda: app.preset == "first-step")
        assert "Loss of the random weights: 2.9038  this run: …" in lesson_text(app)
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == FINISHED)
        await until(pilot, lambda: lesson_text(app).count("✓ same") == 2)
        assert "Loss after one update: 2.7102  this run ✓ same" in lesson_text(app)


async def test_a_random_network_lesson_shows_its_printed_tensors():
    async with make_app(lesson=2).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await until(pilot, lambda: "X1.clamp(0), ReLU: 0.9557" in lesson_text(app))
        await until(pilot, lambda: lesson_text(app).count("✓ same") == 3)
        assert "non-linear" in lesson_text(app) and "computes no loss" in lesson_text(app)


async def test_the_demo_lesson_runs_its_timing_with_s():
    from nntui.tui.text_screen import TextScreen

    async with make_app(lesson=0).run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app = pilot.app
        await until(pilot, lambda: app.lesson is not None)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, TextScreen), timeout_s=30)
        assert "best of 5 repeats" in str(app.screen.query_one("#text").render())
