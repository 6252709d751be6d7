"""Modal screens: the key help, and a yes/no question before discarding a run."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

MORE_KEYS = [
    ("tab / shift+tab", "move between fields"),
    ("enter / ↑ / ↓", "open a choice; pick with ↑ ↓ and enter"),
    ("type", "edit a field; enter or esc leaves it, so letters act"),
]


class HelpScreen(ModalScreen[None]):
    """Every key, generated from the app's bindings, and a note under them (how the screen
    is budgeted)."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 76; max-width: 100%; height: auto; max-height: 100%;
                            border: round $accent; padding: 0 1; background: $surface; }
    HelpScreen .help-note { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, keys: list[tuple[str, str]], note: str = "") -> None:
        super().__init__()
        self.keys, self.note = keys, note

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(style="bold")
        table.add_column(ratio=1)
        for key, description in [*self.keys, *MORE_KEYS]:
            table.add_row(key, description)
        with Vertical() as box:
            box.border_title = "nntui keys"
            box.border_subtitle = "escape closes"
            yield Static(table)
            if self.note:
                yield Static(Text(self.note), classes="help-note")


class AnsweredOnce:
    """A dialog that takes its first answer only: a second enter typed ahead (fast typists, keys
    sent in one read over SSH) would dismiss it twice, and the second pop has no screen."""

    _answered = False

    def answer_once(self, value: object) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(value)


class ConfirmScreen(AnsweredOnce, ModalScreen[bool]):
    """A question answered with y or n (escape is no)."""

    BINDINGS = [Binding("y", "answer(True)", "yes"), Binding("n,escape", "answer(False)", "no")]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Static { width: auto; max-width: 70; border: round $warning; padding: 1 2;
                             background: $surface; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        text = Text(f"{self.question}\n\n")  # questions name runs, e.g. "x2 [seed=3]": not markup
        text.append("y", "bold")
        text.append(" yes   ")
        text.append("n", "bold")
        text.append(" no")
        yield Static(text)

    def action_answer(self, yes: bool) -> None:
        self.answer_once(yes)
