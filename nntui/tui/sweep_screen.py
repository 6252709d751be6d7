"""The sweep screen (`w`): a grid of one or two fields trained in the training process (batched
where it fits, in chunks where it does not: storage/sweep.py), its loss drawn as a heatmap while
it trains, the best cell marked, and any trained cell opened as a saved run."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widgets import Footer, Static

from nntui.core.errors import UserError
from nntui.core.events import Failed, Started
from nntui.core.sweep import FIGURES, Grid, SweepFigures
from nntui.tui.history import FAILED, FINISHED, STARTING, STOPPED, TRAINING
from nntui.tui.runs_screen import AskScreen, RunChoice
from nntui.tui.widgets.heatmap import Heatmap, legend

REDRAW_EVERY_S = 0.5
GRID_HINT = (
    "one or two fields, each a range LOW..HIGH,N (log-spaced over a decade or more) or values A,B,C;\n"
    "two fields separated by a space or ';' (rows × columns):\n"
    "  training.lr=1e-4..1,12 model.units=2..128,7\n"
    "  model.hidden[0].units=2..64,6; training.seed=1,2,3"
)


def split_grids(text: str) -> list[str]:
    """`a=… b=…` or `a=…; b=…` into the fields' texts."""
    return [part.strip() for part in text.replace(";", " ").split() if part.strip()]


def ask_grid(make_grid: Callable[[list[str]], Grid]) -> AskScreen:
    """The question a sweep starts with; answers the grid's texts, once `make_grid` accepts them."""

    def check(text: str) -> list[str]:
        texts = split_grids(text)
        if not texts:
            raise UserError("give a field and its values, e.g. training.lr=1e-4..1,12")
        make_grid(texts)
        return texts

    return AskScreen(
        "sweep a grid of this config", GRID_HINT, check, "training.lr=1e-4..1,12 model.units=2..128,7"
    )


class SweepScreen(Screen[RunChoice | None]):
    """A live sweep of `grid`, saved as the runs of `group`. The app hands each batch of the
    training process's (cell, event) pairs to `take`; the heatmap is redrawn at most every
    REDRAW_EVERY_S. `stop` asks the training process to stop the sweep."""

    BINDINGS = [
        Binding("x", "stop", "stop"),
        Binding("f", "figure", "final / best loss"),
        Binding("escape", "back", "back"),
    ]
    DEFAULT_CSS = """
    SweepScreen { layout: vertical; }
    SweepScreen #sweep-status { height: auto; padding: 0 1; }
    SweepScreen #sweep-map { height: 1fr; }
    SweepScreen #sweep-cell { height: auto; padding: 0 1; }
    SweepScreen #sweep-legend { height: auto; padding: 0 1; }
    """

    def __init__(self, grid: Grid, group: str, runs_dir: str | None, stop: Callable[[], None]) -> None:
        super().__init__()
        self.grid, self.group, self.runs_dir, self.stop = grid, group, runs_dir, stop
        self.figures = SweepFigures.of(grid)
        self.figure = FIGURES[0]
        self.status = STARTING
        self.started: set[int] = set()
        self.stopping = False
        self.failure = ""
        self.stale = True

    def compose(self) -> ComposeResult:
        yield Static(id="sweep-status")
        with ScrollableContainer(id="sweep-map"):
            yield Heatmap(self.grid, id="heatmap")
        yield Static(id="sweep-cell")
        yield Static(id="sweep-legend")
        yield Footer(compact=True)

    def heatmap(self) -> Heatmap:
        return self.query_one(Heatmap)

    def on_mount(self) -> None:
        self.heatmap().focus()
        self.redraw()
        self.set_interval(REDRAW_EVERY_S, self.redraw_if_stale)

    @property
    def live(self) -> bool:
        return self.status in (STARTING, TRAINING)

    def take(self, batch) -> None:
        """Fold a batch in: (cell, event) pairs; a lone event is the sweep failing to start."""
        for item in batch.events:
            if not isinstance(item, tuple):
                if isinstance(item, Failed):
                    self.status, self.failure = FAILED, item.message
                continue
            cell, event = item
            if isinstance(event, Started):
                self.started.add(cell)
            self.figures.add(cell, event)
            if self.status == STARTING:
                self.status = TRAINING
        if batch.saved:
            self.status = STOPPED if self.stopping else FINISHED
        elif batch.note:
            self.status, self.failure = FAILED, batch.note
        self.stale = True
        if not self.live and self.is_mounted:  # the end is shown at once, not at the next tick
            self.redraw()

    def redraw_if_stale(self) -> None:
        if self.stale:
            self.redraw()

    def redraw(self) -> None:
        self.stale = False
        heatmap = self.heatmap()
        heatmap.show(self.figures.values(self.figure), self.figures.outcome)
        self.query_one("#sweep-status", Static).update(self.status_text())
        self.query_one("#sweep-legend", Static).update(
            legend(heatmap.range(), self.figure, self.figures.metric)
        )
        self.show_cell(heatmap.cell)

    def status_text(self) -> Text:
        rows, columns = self.grid.shape
        cells = len(self.grid.variants)
        trained = sum(1 for outcome in self.figures.outcome if outcome)
        training = len(self.started) - trained
        text = Text(f"sweep of {cells} cells ({rows} × {columns}) · ", "bold")
        if self.status == STARTING:
            text.append("starting…")
        elif self.status == TRAINING:
            text.append(f"{trained} trained, {training} training" + (" · stopping…" if self.stopping else ""))
        elif self.status == FAILED:
            text.append(f"failed: {self.failure}")
        else:
            how = "stopped" if self.status == STOPPED else "done"
            text.append(f"{how}: {trained} cells saved as group {self.group} (h lists them)")
        best = self.figures.best_cell(self.figure)
        if best is not None:
            value = self.figures.values(self.figure)[best]
            text.append(f"\nbest: {self.grid.variants[best].label}: {value:.4g}")
        return text

    @on(Heatmap.Moved)
    def moved(self, event: Heatmap.Moved) -> None:
        self.show_cell(event.cell)

    def show_cell(self, cell: int) -> None:
        value = self.figures.values(self.figure)[cell]
        outcome = self.figures.outcome[cell]
        what = "validation" if self.figures.metric == "val_loss" else "train"
        label = self.grid.variants[cell].label
        if outcome and outcome not in ("finished", "stopped"):
            line = f"{label}: failed ({outcome})"
        elif value is None:
            line = f"{label}: not trained yet"
        else:
            line = f"{label}: {self.figure} {what} loss {value:.4g}" + (f" ({outcome})" if outcome else "")
        if not self.live and cell in self.started:
            line += " · enter opens it as a run"
        self.query_one("#sweep-cell", Static).update(Text(line))

    @on(Heatmap.Opened)
    def opened(self, event: Heatmap.Opened) -> None:
        if self.live:
            self.notify("The sweep is still training: a cell opens once it ends (x stops it).")
            return
        record = self.saved_run(event.cell)
        if record is None:
            self.notify("That cell was not trained: the sweep stopped before it.")
            return
        self.dismiss(RunChoice("open", record))

    def saved_run(self, cell: int):
        """The saved run of `cell`: of this sweep's group, named after the cell's values."""
        from nntui.storage.runs import RunStore

        name = self.grid.variants[cell].config.name
        runs = RunStore(self.runs_dir).list().runs
        return next((run for run in runs if run.group == self.group and run.config.name == name), None)

    def action_stop(self) -> None:
        if self.live and not self.stopping:
            self.stopping = True
            self.stop()
            self.stale = True

    def action_figure(self) -> None:
        self.figure = FIGURES[(FIGURES.index(self.figure) + 1) % len(FIGURES)]
        self.redraw()

    def action_back(self) -> None:
        if self.live:
            self.notify("The sweep is training: x stops it (what is trained is saved), then escape.")
            return
        self.dismiss(None)
