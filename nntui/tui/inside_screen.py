"""The inside screen (i): the network's units, neurons and links, redrawn as snapshots come;
while paused, e sets the selected neuron's weight or bias, and the run trains on from it."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from nntui.core.inside import Edit, formula, last_diagnostics, parse_edit
from nntui.tui.history import PAUSED
from nntui.tui.screens import AnsweredOnce
from nntui.tui.widgets.inside import Selection, network_text, neurons_text, units_text

VIEWS = {"units": "1", "neurons": "2", "network": "3"}
CHECK_EVERY_S = 0.25  # how often the screen looks for a new snapshot (it redraws only then)
PICTURES_KEPT = 8  # views (and selections) of one snapshot whose lines are kept for a switch back


def picture_lines(text: Text, width: int, height: int, base: RichStyle, console) -> list[Strip]:
    """`text`'s first `height` lines as Textual draws a Text over the widget's colours (a line too
    long wrapped at its words, the space at each break left out), but through Rich's renderer: no
    Content built, no style made per cell."""
    lines: list[Strip] = []
    for line in text.split("\n", allow_blank=True):
        if len(lines) >= height:
            break
        fits = line.cell_len <= width
        parts = [line] if fits else line.wrap(console, width, overflow="fold", no_wrap=False)
        for part in parts[:-1]:
            part.rstrip()
        style = base + console.get_style(line.style)  # Text.render leaves it out of a line with no spans
        lines += [Strip(Segment.apply_style(part.render(console), style)) for part in parts]
    return lines[:height]


class InsideBody(Widget):
    """The view's picture, drawn at the widget's size from the app's latest snapshot. The lines
    of each picture drawn are kept until the snapshot changes: switching back to a view (2 ↔ 3)
    then costs the compositor's work only, none of drawing and styling the picture again."""

    DEFAULT_CSS = "InsideBody { height: 1fr; background: $surface; padding: 0 1; }"
    ALLOW_SELECT = False  # its lines carry no cell offsets (what a mouse selection reads)

    def __init__(self, screen: InsideScreen) -> None:
        super().__init__(id="inside-body")
        self.owner = screen
        self.drawn: dict[tuple, list[Strip]] = {}
        self.drawn_for = None  # the snapshot the kept lines show

    def render(self):
        return self.owner.picture(self.content_size.width, self.content_size.height)

    def render_line(self, y: int) -> Strip:
        lines = self.lines()
        return lines[y] if y < len(lines) else Strip.blank(self.size.width, self.visual_style.rich_style)

    def lines(self) -> list[Strip]:
        """The picture's lines (`render()` drawn), from those kept where they can be."""
        snapshot = self.owner.snapshot
        if snapshot is not self.drawn_for:
            self.drawn, self.drawn_for = {}, snapshot
        key = (*self.owner.picture_key(), self.size, self.visual_style)
        lines = self.drawn.get(key)
        if lines is None:
            base = self.visual_style.rich_style
            lines = picture_lines(self.render(), *self.size, base, self.app.console)
            if len(self.drawn) >= PICTURES_KEPT:
                del self.drawn[next(iter(self.drawn))]
            self.drawn[key] = lines
        return lines


class InsideScreen(Screen[None]):
    """`view` is units, neurons or network; `selection` the layer and unit the keys move. While
    it is up the app leaves the monitor under it undrawn (`covers_monitor`): it is not seen."""

    covers_monitor = True

    BINDINGS = [
        Binding("1", "view('units')", "units"),
        Binding("2", "view('neurons')", "neurons"),
        Binding("3", "view('network')", "network"),
        Binding("up,k", "move(-1)", "↑ unit", show=False),
        Binding("down,j", "move(1)", "↓ unit", show=False),
        Binding("left,h", "layer(-1)", "← layer", show=False),
        Binding("right,l", "layer(1)", "→ layer", show=False),
        Binding("pageup", "move(-12)", "page up", show=False),
        Binding("pagedown", "move(12)", "page down", show=False),
        Binding("enter", "large", "large"),
        Binding("e", "edit", "edit weight"),
        Binding("space", "pause", "pause"),
        Binding("n", "step", "step"),
        Binding("escape,i", "close", "back"),
    ]
    DEFAULT_CSS = """
    InsideScreen { layout: vertical; }
    InsideScreen #inside-head { height: auto; background: $panel; padding: 0 1; }
    """

    def __init__(self, view: str = "units") -> None:
        super().__init__()
        self.view = view
        self.selection = Selection()
        self.large = False
        self.shown_snapshot = None
        self.head_shown = ""

    def compose(self) -> ComposeResult:
        yield Static(id="inside-head")
        yield InsideBody(self)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.redraw()
        self.set_interval(CHECK_EVERY_S, self.check_snapshot)

    @property
    def snapshot(self):
        return self.app.history.snapshot

    def check_snapshot(self) -> None:
        if self.snapshot is not self.shown_snapshot:
            self.redraw()

    def redraw(self) -> None:
        self.shown_snapshot = self.snapshot
        inside = self.inside
        if inside is not None:
            self.selection.clamp(inside)
        head, text = self.query_one("#inside-head", Static), self.head()
        # a head of the same words takes the same rows: no new layout (a switch only moves the highlight)
        head.update(text, layout=text.plain != self.head_shown)
        self.head_shown = text.plain
        self.query_one(InsideBody).refresh()

    @property
    def inside(self):
        snapshot = self.snapshot
        return None if snapshot is None else snapshot.inside

    def head(self) -> Text:
        history = self.app.history
        text = Text()
        for name, key in VIEWS.items():
            text.append(f" {key} {name} ", "reverse bold" if name == self.view else "bold")
        text.append(f"  {history.status}")
        if self.snapshot is not None:
            text.append(f" · at epoch {self.snapshot.epoch}")
        edited = history.edited
        if edited is not None:
            text.append(f" · edited {edited.what()}: train loss now {edited.train_loss:.4g}")
        elif history.status == PAUSED:
            text.append(" · e edits the selected weight")
        return text

    def picture_key(self) -> tuple:
        """What the body's picture depends on besides the snapshot and its size: the same key, the
        same picture. The network view's diagnostics are the latest epoch's when first drawn."""
        return self.view, self.selection.layer, self.selection.row, self.large

    def picture(self, width: int, height: int):
        inside = self.inside
        if inside is None:
            why = "no run yet: s starts one" if self.snapshot is None else "this run has no inside view"
            return Text(f"inside the network\n\n{why}", "dim")
        if self.view == "units":
            return units_text(inside, width, height)
        if self.view == "neurons":
            return neurons_text(inside, self.selection, width, height, self.large)
        last = last_diagnostics(self.app.history.figures.rows(last=1))
        return network_text(inside, self.selection, width, height, last[1] if last else [])

    def action_view(self, view: str) -> None:
        self.view = view
        if view == "neurons" and self.inside is not None and self.inside.layer(self.selection.layer).output:
            self.selection.layer = 1
        self.redraw()

    def action_move(self, step: int) -> None:
        self.selection.row += step
        self.redraw()

    def action_layer(self, step: int) -> None:
        self.selection.layer += step
        self.redraw()

    def action_large(self) -> None:
        self.large = not self.large
        if self.view != "neurons":
            self.view, self.large = "neurons", True
        self.redraw()

    def action_pause(self) -> None:
        self.app.action_pause()

    def action_step(self) -> None:
        self.app.action_step()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        inside = self.inside
        if inside is None:
            self.notify("No network to edit yet: s starts a run.")
            return
        if self.app.history.status != PAUSED:
            self.notify("Pause first (space): an edit applies between epochs.")
            return
        layer = inside.layer(self.selection.layer)
        row = self.selection.row
        unit = int(layer.shown[row])
        fan_in = inside.layers[layer.number - 2].units if layer.number > 1 else len(inside.inputs)

        def send(edit: Edit | None) -> None:
            if edit is not None:
                self.app.runner.send("edit", edit)
                self.notify(f"{edit.what()} set to {edit.value:g}")

        self.app.push_screen(EditScreen(formula(inside, layer, row), layer.number, unit, fan_in), send)


class EditScreen(AnsweredOnce, ModalScreen[Edit | None]):
    """Asks for `w<n>=<value>` or `b=<value>`; a wrong answer is explained in place."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]
    DEFAULT_CSS = """
    EditScreen { align: center middle; }
    EditScreen > Vertical { width: 76; max-width: 100%; height: auto; border: round $warning;
                            padding: 0 1; background: $surface; }
    EditScreen #edit-problem { color: $text-error; height: auto; }
    """

    def __init__(self, formula_text: str, layer: int, neuron: int, fan_in: int) -> None:
        super().__init__()
        self.formula_text, self.fan_in = formula_text, fan_in
        self.target = (layer, neuron)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "edit a weight"
            box.border_subtitle = "enter sets it · escape cancels"
            yield Static(Text(self.formula_text))
            yield Static(Text(f"type w1 … w{self.fan_in} or b, =, the new value (e.g. w1=0.5, b=-1)"))
            yield Input(placeholder="w1=0.5", id="edit-input")
            yield Static(id="edit-problem")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            edit = parse_edit(event.value, *self.target, self.fan_in)
        except ValueError as error:
            self.query_one("#edit-problem", Static).update(Text(str(error)))
            return
        self.answer_once(edit)

    def action_cancel(self) -> None:
        self.answer_once(None)
