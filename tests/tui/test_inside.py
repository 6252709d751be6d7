"""The inside screen (i): its three views and keys, hand edits while paused, and the class map's
T (validation points) and k (probability shading)."""

from textual.widgets import Input

from nntui.tui.history import PAUSED
from nntui.tui.inside_screen import EditScreen, InsideBody, InsideScreen
from nntui.tui.widgets.predictions import Predictions

from .conftest import TINY, TINY_RINGS, loaded, make_app, recorded_events, until, use


def body(app) -> str:
    return str(app.screen.query_one(InsideBody).render())


async def inside_of(pilot, config, events=None):
    app = pilot.app
    await loaded(pilot)
    await use(pilot, config)
    app.consume(events or recorded_events(config))
    await pilot.press("i")
    await until(pilot, lambda: isinstance(app.screen, InsideScreen))
    await pilot.pause()


async def test_the_units_view_draws_the_units_their_sum_kinks_and_counts():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await inside_of(pilot, TINY)
        text = body(app)
        assert "units of layer 1: w_out·act(h(x)) each (all)" in text
        assert "Σ of all 16 units + output bias" in text and "float rounding" in text
        units = app.history.snapshot.inside.units
        assert f"{units.dead} dead (never active) · {units.linear} linear" in text
        assert "▲" in text


async def test_the_neurons_view_pages_a_layers_thumbnails_and_enlarges_the_selected_one():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await inside_of(pilot, TINY_RINGS)
        await pilot.press("2")
        text = body(app)
        assert "layer 1 (relu): units 1–" in text and "page 1/" in text
        pages = int(text.split("page 1/")[1].split()[0])
        assert pages > 1  # 32 units at 80x24 do not fit one page
        for _ in range(31):
            await pilot.press("down")
        assert f"page {pages}/{pages}" in body(app) and "selected: h1.32" in body(app)
        await pilot.press("enter")
        assert body(app).startswith("h1.32 = relu(")
        await pilot.press("right", "enter")
        assert "layer 2 (relu)" in body(app) and "selected: h2.32" in body(app)


async def test_the_network_view_shows_links_as_glyphs_and_the_selected_neurons_numbers():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await inside_of(pilot, TINY_RINGS)
        await pilot.press("3", "down")
        text = body(app)
        assert "L1 relu 32" in text and "L3 out 3" in text and "links: #" in text
        layer = app.history.snapshot.inside.layer(1)
        assert f"w1={float(layer.weights[1, 0]):.4g}  w2={float(layer.weights[1, 1]):.4g}" in text
        assert "weight norm" in text and "3 (out)" in text  # the layers' diagnostics
        await pilot.press("escape")
        assert not isinstance(app.screen, InsideScreen)


async def test_e_edits_the_selected_weight_while_paused_and_the_run_trains_on_from_it():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, TINY)
        await pilot.press("n")  # one epoch, then paused
        await until(pilot, lambda: app.history.status == PAUSED and app.history.snapshot is not None)
        await pilot.press("i", "3", "right")  # the output layer: its w1 weighs hidden unit 1
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditScreen))
        app.screen.query_one(Input).value = "w9=oops"
        await pilot.press("enter")
        assert "'oops' is not a number" in str(app.screen.query_one("#edit-problem").render())
        app.screen.query_one(Input).value = "w1=2.5"
        await pilot.press("enter")
        await until(pilot, lambda: app.history.edited is not None)
        edited = app.history.edited
        assert (edited.layer, edited.neuron, edited.input, edited.new) == (2, 0, 0, 2.5)
        await until(pilot, lambda: app.history.snapshot.inside.layer(2).weights[0, 0] == 2.5)
        head = app.screen.query_one("#inside-head")
        await until(pilot, lambda: "edited layer 2 neuron 1 w1: train loss now" in str(head.render()))
        await pilot.press("space")
        await until(pilot, lambda: not app.history.live)
        assert app.history.edited is None and len(app.history.epochs) == TINY.training.epochs


async def test_e_while_training_or_without_a_run_says_why_and_opens_nothing():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("i", "e")
        assert isinstance(app.screen, InsideScreen) and "no run yet" in body(app)


async def test_t_shows_the_validation_points_and_k_shades_the_class_map_by_probability():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, TINY_RINGS)
        app.consume(recorded_events(TINY_RINGS))
        await pilot.pause()
        predictions = app.query_one(Predictions)
        crisp = str(predictions.render())
        assert "O" not in crisp.split("\n", 1)[1] and "under 75% sure" not in crisp
        await pilot.press("T")
        shown = str(predictions.render())
        assert "(OX#%: validation)" in shown and sum(shown.count(c) for c in "OX") > 10
        await pilot.press("k")
        shaded = str(predictions.render())
        assert "under 75% sure" in shaded and "·" in shaded.split("\n", 1)[1]
        await pilot.press("k", "T")
        assert str(predictions.render()) == crisp


def cells(strip) -> list[tuple]:
    """A drawn line cell by cell: the glyph and what the eye sees of its style."""
    return [
        (char, style.color, style.bgcolor, style.bold, style.dim, style.reverse)
        for text, style, _ in strip
        for char in text
    ]


async def test_the_body_draws_each_view_cell_for_cell_as_textual_draws_its_text():
    from textual.visual import Visual, visualize

    app = make_app()

    def same_as_textual(keys) -> None:
        drawn = app.screen.query_one(InsideBody)
        textual = Visual.to_strips(drawn, visualize(drawn, drawn.render()), *drawn.size, drawn.visual_style)
        assert [cells(line) for line in drawn.lines()] == [cells(line) for line in textual], keys

    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InsideScreen))
        same_as_textual("no run yet")  # a dim note
        await pilot.press("escape")
        for config in (TINY, TINY_RINGS):  # a 1-d and a 2-d run: each view, wrapped lines, large maps
            await use(pilot, config)
            app.consume(recorded_events(config, epochs=3))
            await pilot.press("i")
            for keys in (("1",), ("2", "down"), ("enter",), ("right",), ("3", "down"), ("left",)):
                await pilot.press(*keys)
                same_as_textual(keys)
            await pilot.press("escape")
