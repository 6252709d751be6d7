"""What a terminal receives. Contrast: each screen is written as escapes for 256 colours, 16 colours
and truecolor (and with NO_COLOR=1), read back cell by cell, and every character's foreground is
measured against its background: WCAG's 4.5:1 for text, 3:1 for marks (chart lines, borders,
shading, arrows), with the palettes Rich downgrades to. Glyphs: the Linux console gets ASCII chart
marks and square corners, which its fonts have."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pytest
from rich._palettes import EIGHT_BIT_PALETTE, STANDARD_PALETTE
from rich.ansi import AnsiDecoder
from rich.color import Color, ColorSystem, ColorType
from rich.style import Style
from textual.geometry import Region
from textual.widgets import Input

from nntui.tui.screens import ConfirmScreen, HelpScreen
from nntui.tui.widgets.fields import Field

from .conftest import TINY, TINY_RINGS, loaded, make_app, recorded_events, use

TEXT, MARKS = 4.5, 3.0
SYSTEMS = {"truecolor": ColorSystem.TRUECOLOR, "256": ColorSystem.EIGHT_BIT, "16": ColorSystem.STANDARD}


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    char: str
    fg: tuple[int, int, int] | None
    bg: tuple[int, int, int] | None


def luminance(rgb: tuple[int, int, int]) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = rgb
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def is_mark(char: str) -> bool:
    """Box drawing, blocks, shapes, arrows and braille: graphics, held to 3:1."""
    code = ord(char)
    return 0x2190 <= code <= 0x21FF or 0x2500 <= code <= 0x25FF or 0x2800 <= code <= 0x28FF


def as_rgb(color: Color | None) -> tuple[int, int, int] | None:
    """None for the terminal's own colour, which the app should never leave a character to."""
    if color is None or color.type == ColorType.DEFAULT:
        return None
    if color.type == ColorType.EIGHT_BIT:
        return tuple(EIGHT_BIT_PALETTE[color.number])
    if color.type == ColorType.STANDARD:
        return tuple(STANDARD_PALETTE[color.number])
    return tuple(color.triplet)


def fresh(style: Style) -> Style:
    """An equal style that has not been written yet: Rich keeps a style's escapes for the first
    colour system it was written in."""
    return Style(
        color=style.color, bgcolor=style.bgcolor, bold=style.bold, dim=style.dim, reverse=style.reverse
    )


def written(app, system: str, region: Region | None = None) -> list[Cell]:
    """The screen's cells (those in `region`) as the escapes of `system` give them."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    escapes = "\n".join(
        "".join(
            fresh(style).render(text, color_system=SYSTEMS[system]) if style else text
            for strip in line
            for text, style, control in strip
            if not control
        )
        for line in update.strips
    )
    cells = []
    for y, line in enumerate(AnsiDecoder().decode(escapes)):
        for x, char in enumerate(line.plain):
            if region is not None and not region.contains(x, y):
                continue
            style = line.get_style_at_offset(app.console, x)
            fg, bg = as_rgb(style.color), as_rgb(style.bgcolor)
            if style.reverse:
                fg, bg = bg, fg
            cells.append(Cell(x, y, char, fg, bg))
    return cells


def too_faint(cells: list[Cell]) -> list[str]:
    """Each colour pair below its minimum, with where it is and what it writes."""
    faint: dict[tuple, list[Cell]] = {}
    for cell in cells:
        if cell.char.isspace() or cell.char == "\u2800":
            continue
        ratio = contrast(cell.fg, cell.bg) if cell.fg and cell.bg else 0.0
        if ratio < (MARKS if is_mark(cell.char) else TEXT):
            faint.setdefault((round(ratio, 2), cell.fg, cell.bg), []).append(cell)
    return [
        f"{ratio}:1 {fg} on {bg} at ({where[0].x}, {where[0].y}): {''.join(c.char for c in where[:24])!r}"
        for (ratio, fg, bg), where in sorted(faint.items())
    ]


@functools.cache
def events_of(config) -> list:
    return recorded_events(config)


async def screens(pilot, runs_dir):
    """Yield (name, region to measure) as the app shows each screen worth measuring."""
    from .test_runs_screen import two_runs

    app = pilot.app
    app.runs_dir = str(runs_dir)
    two_runs(runs_dir)
    await loaded(pilot)
    await use(pilot, TINY_RINGS)
    next(f for f in app.query(Field) if f.path == "training.lr").query_one(Input).focus()
    await pilot.pause()
    yield "setup, typing into a field", None
    await pilot.press("ctrl+a", "minus", "1", "escape", "s")
    await pilot.pause()
    yield "an invalid field, refused", None
    await use(pilot, TINY_RINGS)
    app.consume(events_of(TINY_RINGS))
    await pilot.pause()
    yield "a classification run", None
    await pilot.press("o")
    await pilot.pause()
    yield "draw mode over the run's class map", None
    await pilot.press("escape")
    await use(pilot, TINY_RINGS)
    app.consume(events_of(TINY_RINGS))
    await pilot.pause()
    await pilot.press("T", "k")
    await pilot.pause()
    yield "the class map with validation points, shaded by probability", None
    await pilot.press("T", "k", "i", "2")
    await pilot.pause()
    yield "the inside: neurons", None
    await pilot.press("3", "down")
    await pilot.pause()
    yield "the inside: network", None
    await pilot.press("escape")
    app.push_screen(ConfirmScreen("Changing data.size stops the current run. Go on?"))
    await pilot.pause()
    yield "a question", app.screen.query_one("ConfirmScreen > Static").region
    await pilot.press("n", "question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    yield "the keys", app.screen.query_one("HelpScreen > Vertical").region
    await pilot.press("escape", "h", "space", "down", "space")
    await pilot.pause()
    yield "two saved runs overlaid", None
    await pilot.press("c")
    await pilot.pause()
    yield "the continue dialog", app.screen.query_one("AskScreen > Vertical").region
    await pilot.press("escape", "escape")
    await pilot.resize_terminal(80, 24)
    await use(pilot, TINY)
    app.consume(events_of(TINY))
    app.view = "monitor"
    app.screen.set_focus(None)
    await pilot.pause()
    yield "a regression run at 80x24", None
    await pilot.press("i", "1")
    await pilot.pause()
    yield "the inside: units at 80x24", None


@pytest.mark.parametrize(
    "no_color, systems", [(False, ("truecolor", "256", "16")), (True, ("256",))], ids=["colour", "NO_COLOR"]
)
async def test_text_and_marks_stand_out_in_every_colour_mode(no_color, systems, monkeypatch, tmp_path):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    faint = []
    async with make_app().run_test(size=(120, 40)) as pilot:
        async for name, region in screens(pilot, tmp_path / "runs"):
            for system in systems:
                faint += [
                    f"{name} [{system}]: {pair}" for pair in too_faint(written(pilot.app, system, region))
                ]
    assert not faint, "\n".join(faint)


async def test_the_linux_console_gets_ascii_chart_marks_and_square_corners(monkeypatch):
    monkeypatch.setenv("TERM", "linux")  # its fonts have neither braille nor rounded corners
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, TINY)
        pilot.app.consume(events_of(TINY))
        next(f for f in pilot.app.query(Field) if f.path == "training.lr").query_one(Input).focus()
        await pilot.pause()
        shown = "".join(cell.char for cell in written(pilot.app, "16"))
    assert not [char for char in shown if 0x2800 <= ord(char) <= 0x28FF or char in "╭╮╰╯▶"]
    assert "┌" in shown and "> learning rate" in shown
