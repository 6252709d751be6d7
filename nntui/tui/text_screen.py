"""A page of text over the app, scrolled with the arrows: the timing demo's report."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class TextScreen(ModalScreen[None]):
    """`lines` as plain text (never markup: they quote tensors), under a title; escape closes."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "close")]
    DEFAULT_CSS = """
    TextScreen { align: center middle; }
    TextScreen > VerticalScroll { width: 100; max-width: 100%; height: auto; max-height: 100%;
                                  border: round $accent; padding: 0 1; background: $surface; }
    TextScreen Static { height: auto; }
    """

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.title, self.lines = title, lines

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = self.title
            box.border_subtitle = "↑ ↓ scroll · escape closes"
            yield Static(Text("\n".join(self.lines)), id="text")
