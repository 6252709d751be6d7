"""One labelled config field: a number, a choice or a switch, with its problem shown under it."""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label, Select, Static

from nntui.core.config import shown
from nntui.tui.widgets.charts import plain_terminal


class FieldInput(Input):
    """Enter leaves the field, so that letter keys are commands again. Keys typed ahead of the
    enter (say, over a slow link) are already queued here: they go on to the app's bindings."""

    async def _on_key(self, event: events.Key) -> None:
        if self.screen.focused is not self:
            event.stop()
            event.prevent_default()
            key = events.Key(event.key, event.character)
            key.set_sender(self.app)
            self.app.post_message(key)
        elif event.key == "enter":
            event.stop()
            event.prevent_default()
            self.screen.set_focus(None)
        else:
            await super()._on_key(event)


class Field(Vertical):
    """`path` names the config field (`training.lr`); edits are posted as `Field.Edited`. The
    focused field's label gets a marker and turns bold, which tells it apart without colour."""

    DEFAULT_CSS = """
    Field { height: auto; }
    Field > Horizontal { height: 1; }
    Field .field-label { width: 16; color: $text-muted; }
    Field.-focused .field-label { color: $text; text-style: bold; }
    Field Input, Field Select { width: 1fr; }
    Field SelectCurrent .arrow { color: $foreground 70%; }
    Field .field-problem { color: $text-error; display: none; height: auto; width: 1fr; }
    Field.-invalid .field-problem { display: block; }
    Field.-invalid Input { text-style: reverse; }
    """

    problem: reactive[str] = reactive("")

    class Typing(Message):
        """Focus went into or out of `field`'s box: keys may now go into a box, or act as
        commands. Two fields' messages can arrive in either order: ask `typing_into`."""

        def __init__(self, field: Field) -> None:
            super().__init__()
            self.field = field

    class Edited(Message):
        """`value` is parsed; when the text is not a number, `problem` says so and `value` is the
        text. `final` once the person is done with it: a choice picked, or the box left."""

        def __init__(self, field: Field, value: Any, problem: str = "", final: bool = False) -> None:
            super().__init__()
            self.field, self.path, self.value, self.problem = field, field.path, value, problem
            self.final = final

    def __init__(
        self,
        label: str,
        path: str,
        value: Any,
        *,
        kind: type = float,
        choices: list[tuple[str, Any]] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        if kind is bool and choices is None:  # words, not a switch: legible with NO_COLOR=1
            choices, value = [("on", True), ("off", False)], bool(value)
        self.label, self.path, self.kind, self.choices = label, path, kind, choices
        self.current = value

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self._marked(False), classes="field-label")
            if self.choices is not None:
                yield Select(self.choices, value=self.current, allow_blank=False, compact=True)
            else:
                yield FieldInput(as_text(self.current), compact=True, select_on_focus=True)
        yield Static("", classes="field-problem")

    def _marked(self, focused: bool) -> str:
        marker = (">" if plain_terminal() else "▶") if focused else " "
        return f"{marker} {self.label}"

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.set_class(True, "-focused")
        self.query_one(".field-label", Label).update(self._marked(True))
        if isinstance(event.widget, Input):
            self.post_message(self.Typing(self))

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.set_class(False, "-focused")
        self.query_one(".field-label", Label).update(self._marked(False))
        if isinstance(event.widget, Input):
            self.post_message(self.Typing(self))

    def watch_problem(self, problem: str) -> None:
        self.set_class(bool(problem), "-invalid")
        if self.is_mounted:
            # under its own field, `training.lr must be > 0` says no more than `must be > 0`
            shown = problem.removeprefix(f"{self.path} ")
            self.query_one(".field-problem", Static).update(f"↳ {shown}")

    def show(self, value: Any) -> None:
        """Display a value set from outside (a preset, a reset) without posting an edit."""
        self.current = value
        if self.choices is not None:
            self.query_one(Select).value = value
        else:
            self.query_one(Input).value = as_text(value)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value.strip() == as_text(self.current):  # e.g. 0.285714 shown for 2/7: no edit
            return
        edit = self.edit()
        self.current = edit.value  # unreadable text too: going back to a good value posts it
        self.post_message(edit)

    @on(Input.Blurred)
    def _input_blurred(self, event: Input.Blurred) -> None:
        event.stop()
        self.post_message(self.edit(final=True))

    def edit(self, final: bool = False) -> Field.Edited | None:
        """The edit that the text now in the box makes (None for a choice, or once the box is gone
        with its layer row). The app also asks before a command: keys typed ahead (`5`, enter, `s`)
        can overtake this field's messages."""
        boxes = self.query(Input)
        if self.choices is not None or not boxes:
            return None
        text = boxes.first().value.strip()
        if not text and self.kind is not str:
            return self.Edited(self, text, f"{self.path} is blank: give a value", final)
        try:
            return self.Edited(self, self.kind(text), final=final)
        except ValueError:
            kind = "a whole number" if self.kind is int else "a number"
            return self.Edited(self, text, f"{self.path} must be {kind}, got {shown(text)}", final)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL and event.value != self.current:
            self.current = event.value
            self.post_message(self.Edited(self, event.value, final=True))


def typing_into(screen) -> Field | None:
    """The field whose box has the focus of `screen`, so that keys go into it, if any."""
    focused = screen.focused
    if not isinstance(focused, FieldInput):
        return None
    return next((node for node in focused.ancestors if isinstance(node, Field)), None)


def as_text(value: Any) -> str:
    """How a field shows a value: floats to 6 significant digits."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
