"""Draw mode: your own points on the plane [-1, 1]², by mouse or by keys (for SSH without a
mouse), which become the drawn dataset (data.points). `o` enters it; the canvas stands in for
the predictions while it is open, over the class map of the last run when there is one."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from nntui.core.drawn import CLASSES, MAX_POINTS, Point, format_points, parse_points, point
from nntui.tui.widgets.predictions import POINT_CHARS, POINT_STYLES, REGION_CHARS, REGION_STYLES

CURSOR_CHAR, CURSOR_STYLE = "@", "bold #121212 on #ffffff"
KEYS = "drawing: arrows move · 0-3 class · enter add · del remove nearest · c clear · w csv · esc"
NEAR = 1  # a click this many cells or fewer from a point removes it (the nearest) instead of adding


class DrawCanvas(Widget, can_focus=True):
    """The points being drawn, the selected class and a cursor, drawn one character a cell; a
    change is posted as `DrawCanvas.Changed`. `backdrop`: a Snapshot whose class map is shown
    under the points; `problem`: why the set cannot train yet, shown under the plane."""

    DEFAULT_CSS = """
    DrawCanvas { height: 1fr; min-height: 6; background: $surface; text-wrap: nowrap; text-overflow: clip; }
    """
    BINDINGS = [
        Binding("up", "move(0, -1)", "up", show=False),
        Binding("down", "move(0, 1)", "down", show=False),
        Binding("left", "move(-1, 0)", "left", show=False),
        Binding("right", "move(1, 0)", "right", show=False),
        Binding("shift+up", "move(0, -4)", show=False),
        Binding("shift+down", "move(0, 4)", show=False),
        Binding("shift+left", "move(-8, 0)", show=False),
        Binding("shift+right", "move(8, 0)", show=False),
        *(Binding(str(label), f"pick({label})", f"class {label}", show=False) for label in range(CLASSES)),
        Binding("enter,space", "add", "add a point at the cursor", show=False),
        Binding("backspace,delete", "remove", "remove the point nearest the cursor", show=False),
        Binding("c", "clear", "clear every point", show=False),
        Binding("w", "write", "write the points as CSV", show=False),
        Binding("escape,o", "leave", "leave draw mode", show=False),
    ]

    problem: reactive[str] = reactive("")

    class Changed(Message):
        def __init__(self, canvas: DrawCanvas) -> None:
            super().__init__()
            self.canvas, self.points = canvas, format_points(canvas.points)

    class Write(Message):
        """The points are to be written as CSV."""

    class Leave(Message):
        """Draw mode is to end."""

    def __init__(self, points: list[Point], origin: str = "", backdrop: Any = None, id: str | None = None):
        super().__init__(id=id)
        self.points, self.origin, self.backdrop = list(points), origin, backdrop
        self.label = 0  # the class a point gets: 0 to 3 (digits) or a click on the legend
        self.cursor: tuple[int, int] | None = None  # column, row of the plane; the middle at first

    # -- the plane, in cells ---------------------------------------------------------------------

    @property
    def plane(self) -> tuple[int, int]:
        """Columns and rows of the plane: every row but the title above and the legend below."""
        return max(self.size.width, 2), max(self.size.height - 2, 2)

    def cell_of(self, x1: float, x2: float) -> tuple[int, int]:
        cols, rows = self.plane
        return round((x1 + 1) / 2 * (cols - 1)), round((1 - x2) / 2 * (rows - 1))

    def place_of(self, col: int, row: int) -> tuple[float, float]:
        cols, rows = self.plane
        return -1 + 2 * col / (cols - 1), 1 - 2 * row / (rows - 1)

    def at_cursor(self) -> tuple[int, int]:
        cols, rows = self.plane
        col, row = self.cursor if self.cursor is not None else (cols // 2, rows // 2)
        return min(max(col, 0), cols - 1), min(max(row, 0), rows - 1)

    def nearest(self, col: int, row: int) -> tuple[int, float] | None:
        """The index of the point nearest a cell and its distance in cells (rows count double:
        a terminal cell is about twice as tall as it is wide)."""
        if not self.points:
            return None
        distances = []
        for index, p in enumerate(self.points):
            pc, pr = self.cell_of(p.x1, p.x2)
            distances.append((((pc - col) ** 2 + (2 * (pr - row)) ** 2) ** 0.5, index))
        distance, index = min(distances)
        return index, distance

    # -- changes ---------------------------------------------------------------------------------

    def add_at(self, col: int, row: int) -> None:
        if len(self.points) >= MAX_POINTS:
            self.notify(f"A drawn set holds at most {MAX_POINTS:,} points.", severity="warning")
            return
        self.points.append(point(*self.place_of(col, row), self.label))
        self._changed()

    def remove_near(self, col: int, row: int) -> bool:
        found = self.nearest(col, row)
        if found is None:
            return False
        self.points.pop(found[0])
        self._changed()
        return True

    def _changed(self) -> None:
        self.origin = ""
        self.refresh()
        self.post_message(self.Changed(self))

    def action_move(self, dx: int, dy: int) -> None:
        col, row = self.at_cursor()
        self.cursor = (col + dx, row + dy)
        self.cursor = self.at_cursor()
        self.refresh()

    def action_pick(self, label: int) -> None:
        self.label = label
        self.refresh()

    def action_add(self) -> None:
        self.add_at(*self.at_cursor())

    def action_remove(self) -> None:
        if not self.remove_near(*self.at_cursor()):
            self.notify("No point to remove: the set is empty.")

    def action_clear(self) -> None:
        if self.points:
            self.points.clear()
            self._changed()

    def action_write(self) -> None:
        self.post_message(self.Write())

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def on_click(self, event: events.Click) -> None:
        """A click on the plane adds a point of the selected class there, or removes the point
        under (or next to) it; a right click removes the nearest; a click on the legend picks
        a class. The cursor follows the click, so keys go on from there."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        cols, rows = self.plane
        if offset.y == rows + 1:
            label = legend_label(offset.x, self.label)
            if label is not None:
                self.action_pick(label)
            return
        if not 1 <= offset.y <= rows:
            return
        col, row = offset.x, offset.y - 1
        self.cursor = (col, row)
        found = self.nearest(col, row)
        near = found is not None and found[1] <= NEAR * 2
        if event.button == 3 or near:
            self.remove_near(col, row)
        else:
            self.add_at(col, row)
        self.refresh()

    def on_focus(self) -> None:
        self.screen.set_class(True, "-drawing")
        self.app.query_one("#typing").update(KEYS)
        self.refresh()

    def on_blur(self) -> None:
        self.screen.set_class(False, "-drawing")
        self.refresh()

    def watch_problem(self) -> None:
        self.refresh()

    # -- drawing ---------------------------------------------------------------------------------

    def render(self) -> Text:
        cols, rows = self.plane
        regions = self._regions(cols, rows)
        placed: dict[tuple[int, int], int] = {}
        for p in self.points:
            placed[self.cell_of(p.x1, p.x2)] = p.label
        cursor = self.at_cursor()
        text = Text(no_wrap=True, overflow="crop")
        text.append(self._title(cursor) + "\n")
        for row in range(rows):
            for col in range(cols):
                region = None if regions is None else regions[row][col]
                background = REGION_STYLES[region] if region is not None else ""
                label = placed.get((col, row))
                if (col, row) == cursor:
                    text.append(CURSOR_CHAR, CURSOR_STYLE)
                elif label is not None:
                    text.append(POINT_CHARS[label], f"{background} {POINT_STYLES[label]}".strip())
                elif region is not None:
                    text.append(REGION_CHARS[region], background)
                else:
                    text.append(" ")
            text.append("\n")
        text.append_text(legend(self.label, self.problem))
        return text

    def _title(self, cursor: tuple[int, int]) -> str:
        counts = Counter(p.label for p in self.points)
        shown = " ".join(f"{POINT_CHARS[k]} {counts[k]}" for k in sorted(counts))
        x1, x2 = self.place_of(*cursor)
        parts = [
            f"drawing class {self.label} ({POINT_CHARS[self.label]})",
            f"{len(self.points)} points" + (f": {shown}" if shown else ""),
            f"cursor {x1:.2f}, {x2:.2f}",
            self.origin,
            "the last run's class map behind" if self.backdrop is not None else "",
        ]
        return " · ".join(part for part in parts if part)

    def _regions(self, cols: int, rows: int) -> list[list[int | None]] | None:
        """The backdrop's class in each cell of the plane; None outside the area it covers."""
        snapshot = self.backdrop
        if snapshot is None or snapshot.grid is None or snapshot.extent is None:
            return None
        grid, (x0, x1, y0, y1) = snapshot.grid, snapshot.extent
        height, width = grid.shape
        regions = []
        for row in range(rows):
            line = []
            for col in range(cols):
                x, y = self.place_of(col, row)
                if x0 <= x <= x1 and y0 <= y <= y1 and x1 > x0 and y1 > y0:
                    gc = round((x - x0) / (x1 - x0) * (width - 1))
                    gr = round((y1 - y) / (y1 - y0) * (height - 1))
                    line.append(int(grid[gr, gc]) % len(REGION_CHARS))
                else:
                    line.append(None)
            regions.append(line)
        return regions


def legend(selected: int, problem: str = "") -> Text:
    """Each class's glyph, the selected one in brackets (told by shape, not colour alone), and
    why the set cannot train yet."""
    text = Text(no_wrap=True, overflow="crop")
    for label in range(CLASSES):
        mark = "[" if label == selected else " "
        text.append(mark)
        text.append(POINT_CHARS[label], POINT_STYLES[label])
        text.append(f" class {label}{']' if label == selected else ' '} ")
    if problem:
        text.append(" " + problem.removeprefix("data.points "), "bold")
    return text


def legend_label(x: int, selected: int) -> int | None:
    """The class whose legend entry is at column `x`."""
    width = len(legend(selected).plain) // CLASSES
    label = x // width
    return label if 0 <= label < CLASSES else None


def starting_points(app) -> tuple[list[Point], str]:
    """What a drawing starts from: the drawn set, else the points of the dataset in use when it
    is 2-d classes (so that a generated set can be edited), else nothing."""
    raw = app.draft.raw["data"]
    if raw["dataset"] == "drawn":
        try:
            return parse_points(raw["points"]), ""
        except ValueError:
            return [], ""
    config = app.draft.config
    if not app.draft.valid or config.resolved_task != "classification":
        return [], ""
    from nntui.engine.trainer import load_data

    try:
        data, _ = load_data(config)
    except Exception:  # noqa: BLE001 - data that cannot load (a moved CSV): start empty
        return [], ""
    import torch

    x = torch.cat([data.x_train, data.x_val])
    y = torch.cat([data.y_train, data.y_val])
    if x.shape[1] != 2 or int(y.max()) >= CLASSES:
        return [], ""
    keep = torch.linspace(0, len(x) - 1, min(len(x), MAX_POINTS)).long()
    scale = max(1.0, float(x.abs().max()))
    points = [point(a / scale, b / scale, c) for (a, b), c in zip(x[keep].tolist(), y[keep].tolist())]
    scaled = f", scaled by 1/{scale:.3g}" if scale > 1 else ""
    return points, f"from {raw['dataset']}'s {len(points)} points{scaled}: a change makes them the data"


def canvas_of(app) -> DrawCanvas | None:
    found = app.query(DrawCanvas)
    return found.first() if found else None


def enter_draw(app) -> None:
    """Open draw mode (ending a live run if the person agrees), or focus it if it is open."""
    if app.draft is None or app.engine is None:
        app.notify("Still loading torch…")
        return
    canvas = canvas_of(app)
    if canvas is not None:
        canvas.focus()
        return
    if not app.history.live:
        app.call_later(_open, app, app.history.snapshot)
        return

    def go(yes: bool) -> None:
        if yes:
            app.call_later(_open, app, None)

    app.end_run_then("Drawing points", go)


async def _open(app, snapshot) -> None:
    """The canvas in the predictions' place, over `snapshot`'s class map if it has one."""
    from nntui.tui.widgets.predictions import Predictions

    app.take_pending_edits()
    points, origin = starting_points(app)
    backdrop = snapshot if snapshot is not None and snapshot.task == "classification" else None
    canvas = DrawCanvas(points, origin, backdrop, id="draw")
    canvas.problem = (
        app.draft.problems.get("data.points", "") if app.draft.raw["data"]["dataset"] == "drawn" else ""
    )
    predictions = app.query_one(Predictions)
    await app.query_one("#monitor").mount(canvas, after=predictions)
    predictions.display = False
    app.view = "monitor"
    canvas.focus()


def leave_draw(app) -> None:
    """Close draw mode; the predictions come back."""
    from nntui.tui.widgets.predictions import Predictions

    canvas = canvas_of(app)
    if canvas is None:
        return
    app.screen.set_class(False, "-drawing")
    canvas.remove()
    app.query_one(Predictions).display = True
    app.screen.set_focus(None)


def apply_points(app, canvas: DrawCanvas, points: str) -> None:
    """The drawing as the data: the dataset becomes `drawn` with these points, through the
    fields as an edit there would go (so an ended run's charts clear, problems show)."""
    from nntui.tui.widgets.fields import Field

    for path, value in (("data.dataset", "drawn"), ("data.points", points)):
        field = next(f for f in app.query(Field) if f.path == path)
        if app.draft.get(path) != value or path in app.draft.unparsed:
            field.show(value)
            app.field_edited(Field.Edited(field, value, final=True))
    canvas.problem = app.draft.problems.get("data.points", "")


def write_points(app, canvas: DrawCanvas) -> None:
    """The points as a CSV file in the working directory, which the csv dataset reads back."""
    from pathlib import Path

    from nntui.core.errors import UserError
    from nntui.storage.export import points_csv, write_csv

    if not canvas.points:
        app.notify("No points to write yet.")
        return
    target, number = Path.cwd() / "drawn-points.csv", 1
    while target.exists():
        number += 1
        target = Path.cwd() / f"drawn-points-{number}.csv"
    try:
        where = write_csv(points_csv(format_points(canvas.points)), target)
    except UserError as error:
        app.notify(str(error), severity="error")
        return
    app.notify(f"wrote {where} ({len(canvas.points)} points; the csv dataset reads it back)")


def handle(app, message: Message) -> None:
    """What the app does for the canvas's messages."""
    canvas = canvas_of(app)
    if canvas is None:
        return
    if isinstance(message, DrawCanvas.Changed):
        apply_points(app, canvas, message.points)
    elif isinstance(message, DrawCanvas.Write):
        write_points(app, canvas)
    elif isinstance(message, DrawCanvas.Leave):
        leave_draw(app)
