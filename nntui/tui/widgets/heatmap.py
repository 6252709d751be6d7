"""A sweep's heatmap: one cell per grid point, its loss told by a shade glyph (░ low … █ high, in
log steps between the grid's lowest and highest) and, where the screen is wide enough, by its
number; the best cell marked, a cursor to move, enter to open a cell. Legible without colour."""

from __future__ import annotations

import math

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from nntui.core.sweep import BEST, SHADES, Grid, shade

UNTRAINED, FAILED = "·", "×"


class Heatmap(Widget, can_focus=True):
    """`show(values, outcomes)` draws the figures (one per cell, None untrained, NaN failed);
    the arrows move the cursor, enter posts `Heatmap.Opened` with the cell's index."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "up", show=False),
        Binding("down", "move(1, 0)", "down", show=False),
        Binding("left", "move(0, -1)", "left", show=False),
        Binding("right", "move(0, 1)", "right", show=False),
        Binding("enter", "open", "open the cell as a run"),
    ]
    DEFAULT_CSS = """
    Heatmap { width: auto; height: auto; padding: 0 1; }
    """

    cursor: reactive[tuple[int, int]] = reactive((0, 0))

    class Opened(Message):
        def __init__(self, cell: int) -> None:
            super().__init__()
            self.cell = cell

    class Moved(Message):
        def __init__(self, cell: int) -> None:
            super().__init__()
            self.cell = cell

    def __init__(self, grid: Grid, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid = grid
        self.values: list[float | None] = [None] * len(grid.variants)
        self.outcomes: list[str] = [""] * len(grid.variants)
        self.numbers_fit_in: int | None = None  # columns the table with numbers needs

    def show(self, values: list[float | None], outcomes: list[str]) -> None:
        self.values, self.outcomes = list(values), list(outcomes)
        self.refresh(layout=True)

    @property
    def cell(self) -> int:
        """The index of the cell under the cursor."""
        row, column = self.cursor
        return row * self.grid.shape[1] + column

    @property
    def best(self) -> int | None:
        finite = [(v, i) for i, v in enumerate(self.values) if v is not None and math.isfinite(v)]
        return min(finite)[1] if finite else None

    def range(self) -> tuple[float, float] | None:
        finite = [v for v in self.values if v is not None and math.isfinite(v)]
        return (min(finite), max(finite)) if finite else None

    def action_move(self, rows: int, columns: int) -> None:
        height, width = self.grid.shape
        row, column = self.cursor
        self.cursor = (min(max(row + rows, 0), height - 1), min(max(column + columns, 0), width - 1))

    def watch_cursor(self) -> None:
        self.post_message(self.Moved(self.cell))

    def action_open(self) -> None:
        self.post_message(self.Opened(self.cell))

    def render(self) -> Text:
        """As wide as the space around it allows (its own width follows its content)."""
        around = self.parent.size.width if isinstance(self.parent, Widget) else self.app.size.width
        return self.table(max(around - 2, 1) if around else 200)

    def table(self, width: int) -> Text:
        """The grid as lines of text: the first field's values down, the second's across; with
        numbers when they fit in `width` columns, else two shade glyphs a cell."""
        grid, span = self.grid, self.range()
        first = grid.axes[0]
        second = grid.axes[1] if len(grid.axes) > 1 else None
        rows, columns = grid.shape
        numbers = [self._number(index) for index in range(len(self.values))]
        number_width = max(map(len, numbers))
        heads = [second.label(value) for value in second.values] if second else ["loss"]
        row_labels = [first.label(value) for value in first.values]
        corner = f"{first.name} ↓ {second.name} →" if second else f"{first.name} ↓"
        label_width = max(len(corner) if not second else 0, *map(len, row_labels))
        with_numbers = max(number_width + 4, *map(len, heads))
        self.numbers_fit_in = label_width + 2 + columns * (with_numbers + 1)
        cell_width = with_numbers if self.numbers_fit_in <= width else max(4, *map(len, heads))
        best, cursor = self.best, self.cell
        text = Text(no_wrap=True, overflow="crop")
        if second:
            text.append(corner + "\n", "bold")
            text.append(" " * (label_width + 2))
        else:
            text.append(corner.ljust(label_width + 2), "bold")
        for head in heads:
            text.append(head.center(cell_width) + " ", "bold")
        for row in range(rows):
            text.append("\n" + row_labels[row].rjust(label_width) + "  ", "bold")
            for column in range(columns):
                index = row * columns + column
                glyphs = self._glyphs(index, span)
                body = f"{glyphs} {numbers[index]}" if cell_width == with_numbers else glyphs
                body = (body + (BEST if index == best else "")).ljust(cell_width - 2)
                if index == cursor:
                    text.append(f"[{body}]", "reverse bold")
                else:
                    text.append(f" {body} ", "bold" if index == best else "")
                text.append(" ")
        return text

    def _glyphs(self, index: int, span: tuple[float, float] | None) -> str:
        value, outcome = self.values[index], self.outcomes[index]
        if outcome and outcome not in ("finished", "stopped"):
            return FAILED * 2
        if value is None or not math.isfinite(value) or span is None:
            return UNTRAINED * 2
        return SHADES[shade(value, *span)] * 2

    def _number(self, index: int) -> str:
        value, outcome = self.values[index], self.outcomes[index]
        if outcome and outcome not in ("finished", "stopped"):
            return outcome[:7]
        if value is None or not math.isfinite(value):
            return ""
        return f"{value:.2g}"


def legend(span: tuple[float, float] | None, figure: str, metric: str) -> str:
    """What the shades stand for: each glyph's loss range, and the marks."""
    what = "validation" if metric == "val_loss" else "train (no validation set)"
    marks = f"{BEST} best · [ ] cursor · {UNTRAINED * 2} not trained yet · {FAILED * 2} failed"
    if span is None:
        return f"{figure} {what} loss: shades once a cell has one · {marks}"
    low, high = span
    if high <= low or low <= 0:
        return f"{figure} {what} loss: {SHADES[1]} {low:.2g} · {marks}"
    steps = [low * (high / low) ** (quarter / 4) for quarter in range(5)]
    ranges = "  ".join(f"{SHADES[q + 1]} {steps[q]:.2g}–{steps[q + 1]:.2g}" for q in range(4))
    return f"{figure} {what} loss, lowest to highest: {ranges} · {marks}"
