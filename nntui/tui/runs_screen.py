"""The saved runs: a sortable table, the loss curves of the runs picked overlaid below it, and
keys to open a run, train it again or delete it. Also the question a comparison starts with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Static

from nntui.core.errors import UserError
from nntui.core.records import (
    EXPORT_FORMATS,
    RUN_COLUMNS,
    SORT_NAMES,
    cut_middle,
    fit_columns,
    sorted_runs,
    table_row,
)
from nntui.tui.screens import AnsweredOnce, ConfirmScreen
from nntui.tui.widgets.charts import EpochChart, Line

# The CLI's columns with the figures right after the name and the long id last, so that 80
# columns show how each run did: also the order in which columns are left out, from the end, when
# the screen is too narrow for all of them (a column is shown whole or not at all).
SHOWN = (
    "name", "status", "epochs", "train loss", "val loss", "accuracy", "dataset", "architecture",
    "optimizer", "lr", "duration", "device", "id",
)  # fmt: skip
ORDER = [RUN_COLUMNS.index(column) for column in SHOWN]
TABLE_FRAME = 7  # the picked mark's column, each column's padding and the scrollbar
# What the overlay chart shows, in the order `m` steps through them.
METRICS = [("train_loss", "train loss"), ("val_loss", "validation loss"), ("val_accuracy", "val accuracy")]


@dataclass(frozen=True)
class RunChoice:
    """What the runs screen hands back: `action` is open, train or continue (to `epochs`)."""

    action: str
    record: object
    epochs: int = 0


class RunsScreen(Screen[RunChoice | None]):
    """Every saved run of a `RunStore`; unreadable entries are named, not fatal."""

    BINDINGS = [
        Binding("escape,h", "back", "back"),
        Binding("space", "pick", "pick"),
        Binding("enter", "open", "open"),
        Binding("t", "train_again", "retrain"),
        Binding("c", "continue_run", "continue"),
        Binding("e", "export", "export"),
        Binding("d", "delete", "delete"),
        Binding("s", "sort", "sort"),
        Binding("m", "metric", "metric", show=False),
        Binding("l", "log_y", "log-y", show=False),
    ]
    DEFAULT_CSS = """
    RunsScreen { layout: vertical; }
    RunsScreen #runs-title { height: auto; padding: 0 1; background: $panel; }
    RunsScreen #runs-skipped { height: auto; max-height: 3; padding: 0 1; color: $text-warning;
                               display: none; }
    RunsScreen #runs-skipped.-shown { display: block; }
    RunsScreen DataTable { height: 1fr; min-height: 4; }
    RunsScreen #overlay { height: 1fr; min-height: 8; }
    RunsScreen DataTable:focus > .datatable--cursor { background: $secondary; color: $text; }
    """

    def __init__(self, store) -> None:
        super().__init__()
        self.store = store
        self.records: list = []
        self.picked: list[str] = []
        self.sort = "created"
        self.metric = 0
        self.histories: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="runs-title")
        yield Static(id="runs-skipped")
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield EpochChart("train loss", "", id="overlay")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        if self.records:
            self.fill()

    def reload(self) -> None:
        listing = self.store.list()
        self.records = listing.runs
        self.picked = [run_id for run_id in self.picked if any(r.id == run_id for r in self.records)]
        skipped = self.query_one("#runs-skipped", Static)
        skipped.set_class(bool(listing.skipped), "-shown")
        count = len(listing.skipped)
        lines = f"{count} entr{'ies' if count > 1 else 'y'} skipped: " + "; ".join(listing.skipped)
        skipped.update(Text(lines if listing.skipped else ""))
        self.fill()

    def fill(self, top: bool = False) -> None:
        """The table in the sort order, in the columns the screen's width holds; the cursor on
        the run it was on, or with `top` (a new sort) on the first run, scrolled to it."""
        table = self.query_one(DataTable)
        cursor = self.cursor_record()
        self.records = sorted_runs(self.records, self.sort)
        rows = [tuple(table_row(record)[index] for index in ORDER) for record in self.records]
        width = self.size.width - TABLE_FRAME
        columns = fit_columns([SHOWN, *rows], width if width > 0 else None, SHOWN)
        table.clear(columns=True)
        table.add_column("", key="picked", width=1)
        for column, column_width in columns.items():
            table.add_column(column, key=column, width=column_width)
        for record, cells in zip(self.records, rows):
            mark = "●" if record.id in self.picked else " "
            # Text, not str: a DataTable reads str cells as markup, and names hold [brackets]
            shown = (cut_middle(cells[SHOWN.index(column)], size) for column, size in columns.items())
            table.add_row(mark, *map(Text, shown), key=record.id)
        if top:
            table.move_cursor(row=0)
            table.scroll_home(animate=False)
        elif cursor is not None and any(r.id == cursor.id for r in self.records):
            table.move_cursor(row=table.get_row_index(cursor.id))
        self.show_title()
        self.draw_overlay()

    def show_title(self) -> None:
        where = self.store.root
        if not self.records:
            text = f"no runs saved in {where} yet: every run you train (here or with `nntui train`) is saved"
        else:
            text = (
                f"[b]{len(self.records)} saved run{'s' * (len(self.records) != 1)}[/b] in {where} · "
                f"sorted by {self.sort} · "
                f"{len(self.picked)} picked · space picks runs to overlay, m the metric, enter opens one"
            )
        self.query_one("#runs-title", Static).update(text)

    def cursor_record(self):
        table = self.query_one(DataTable)
        if not self.records or table.cursor_row is None or table.cursor_row >= len(self.records):
            return None
        return self.records[table.cursor_row]

    def _history(self, run_id: str):
        if run_id not in self.histories:
            self.histories[run_id] = self.store.history(run_id)
        return self.histories[run_id]

    def draw_overlay(self) -> None:
        """The picked runs' curves, each labelled; with none picked, the run under the cursor."""
        metric, name = METRICS[self.metric]
        cursor = self.cursor_record()
        ids = self.picked or ([cursor.id] if cursor else [])
        by_id = {record.id: record for record in self.records}
        lines, problems = [], []
        for run_id in ids:
            try:
                epochs, values = self._history(run_id).series(metric)
            except UserError as error:
                problems.append(str(error))
                continue
            lines.append(Line(by_id[run_id].label, epochs, values))
        y_range = (0.0, 1.0) if "accuracy" in metric else None
        empty = "; ".join(problems) or f"no {name} recorded for this run"
        chart = self.query_one("#overlay", EpochChart)
        chart.empty = empty if ids else "pick runs with space to overlay them"
        chart.show(name, lines, y_range)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        if not self.picked:
            self.draw_overlay()

    def action_pick(self) -> None:
        record = self.cursor_record()
        if record is None:
            return
        if record.id in self.picked:
            self.picked.remove(record.id)
        else:
            self.picked.append(record.id)
        table = self.query_one(DataTable)
        table.update_cell(record.id, "picked", "●" if record.id in self.picked else " ")
        self.show_title()
        self.draw_overlay()

    def action_sort(self) -> None:
        self.sort = SORT_NAMES[(SORT_NAMES.index(self.sort) + 1) % len(SORT_NAMES)]
        self.fill(top=True)

    def action_metric(self) -> None:
        self.metric = (self.metric + 1) % len(METRICS)
        self.draw_overlay()

    def action_log_y(self) -> None:
        chart = self.query_one("#overlay", EpochChart)
        chart.log_y = not chart.log_y

    def action_open(self) -> None:
        record = self.cursor_record()
        if record is not None:
            self.dismiss(RunChoice("open", record))

    def action_train_again(self) -> None:
        record = self.cursor_record()
        if record is not None:
            self.dismiss(RunChoice("train", record))

    def action_continue_run(self) -> None:
        record = self.cursor_record()
        if record is None:
            return
        if not record.has_model:
            self.notify(f"run {record.id} has no saved model to continue", severity="error")
            return

        def chosen(epochs: int | None) -> None:
            if epochs:
                self.dismiss(RunChoice("continue", record, epochs))

        self.app.push_screen(ask_epochs(record), chosen)

    def action_export(self) -> None:
        """Write the run as csv, json, pt, data or a standalone PyTorch script: in the current directory
        (named in the question, in full), or in the folder typed after the format."""
        record = self.cursor_record()
        if record is None:
            return
        from nntui.storage.export import export_name, export_run

        here = Path.cwd()

        def check(text: str) -> str:
            fmt, _, folder = text.strip().partition(" ")
            fmt = fmt.lstrip(".").lower()
            if fmt not in EXPORT_FORMATS:
                raise UserError(f"choose one of: {', '.join(EXPORT_FORMATS)}, then a folder if not this one")
            target = here / Path(folder.strip() or ".").expanduser() / export_name(record, fmt)
            return export_run(self.store, record, fmt, str(target.resolve()))

        def written(where: str | None) -> None:
            if where and self.app.is_web:  # nntui serve: the browser downloads it too
                self.app.deliver_binary(where, save_filename=Path(where).name)
                self.notify(f"wrote {where} on the server; your browser downloads it")
            elif where:
                self.notify(f"wrote {where}")

        hint = (
            "py: a standalone PyTorch script that reproduces the run · pt: its state_dict\n"
            "csv, json: its figures · data: its points as CSV.\n"
            f"Written to {here / export_name(record, 'FORMAT')};\n"
            "a folder after the format writes there instead (made if missing): py ~/exports"
        )
        self.app.push_screen(AskScreen(f"export {record.name}", hint, check, "py"), written)

    def action_delete(self) -> None:
        record = self.cursor_record()
        if record is None:
            return

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.store.delete(record.id)
            except (UserError, OSError) as error:
                self.notify(f"could not delete {record.id}: {error}", severity="error")
                return
            self.histories.pop(record.id, None)
            self.notify(f"deleted run {record.id}")
            self.reload()

        self.app.push_screen(
            ConfirmScreen(f"Delete run {record.id} ({record.name}, {record.status})? This cannot be undone."),
            answer,
        )

    def action_back(self) -> None:
        self.dismiss(None)


class AskScreen(AnsweredOnce, ModalScreen[object]):
    """One question answered in a line of text. `check` turns the text into the answer or raises
    UserError, whose message is shown under the line; escape answers None."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]
    DEFAULT_CSS = """
    AskScreen { align: center middle; }
    AskScreen > Vertical { width: 76; max-width: 100%; height: auto; border: round $accent;
                           padding: 0 1; background: $surface; }
    AskScreen .hint { color: $text-muted; height: auto; }
    AskScreen #ask-problem { color: $text-error; height: auto; }
    AskScreen Input:focus { border: tall $accent; }
    """

    def __init__(self, title: str, hint: str, check: Callable[[str], object], value: str = "") -> None:
        super().__init__()
        self.title_text, self.hint, self.check, self.value = title, hint, check, value

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = escape(self.title_text)
            box.border_subtitle = "enter to go · escape cancels"
            yield Static(self.hint, classes="hint")
            yield Input(self.value, id="ask")
            yield Static(id="ask-problem")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        try:
            answer = self.check(event.value)
        except UserError as error:
            self.query_one("#ask-problem", Static).update(Text(str(error)))
            return
        self.answer_once(answer)

    def action_cancel(self) -> None:
        self.answer_once(None)


VARY_HINT = (
    "field=values, several fields separated by ';' (every combination trains):\n"
    "  training.seed=1,2,3,4,5\n"
    "  model.hidden=16 relu|16 identity\n"
    "  training.lr=0.1,0.01; training.optimizer=sgd|adam"
)


def ask_vary(make_variants: Callable[[list[str]], object]) -> AskScreen:
    """The question a comparison starts with; answers the list of `field=values`."""

    def check(text: str) -> list[str]:
        vary = [part.strip() for part in text.split(";") if part.strip()]
        make_variants(vary)
        return vary

    return AskScreen("compare variants of this config", VARY_HINT, check)


def ask_epochs(record) -> AskScreen:
    """How far to continue a saved run; answers the new total of epochs."""

    def check(text: str) -> int:
        try:
            epochs = int(text.strip())
        except ValueError:
            raise UserError(f"epochs must be a whole number, got {text.strip()!r}") from None
        if epochs <= record.epochs_done:
            raise UserError(f"the run has done {record.epochs_done} epochs: give more than that")
        return epochs

    hint = (
        f"run {record.id} has done {record.epochs_done} epochs. Train on to epoch (its model, "
        "optimizer and random state continue; saved as a new run):"
    )
    return AskScreen(f"continue {record.name}", hint, check, str(2 * max(record.epochs_done, 1)))
