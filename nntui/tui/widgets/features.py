"""Playground's input features as toggles: tab to one, space or enter (or a click) turns it on or
off; the field's value is the names that are on, e.g. `x1,x2,x1sq`."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Label, Static

from nntui.core.choices import FEATURES
from nntui.core.config import feature_names
from nntui.tui.widgets.fields import Field

RAW_INPUTS = ["x1", "x2"]  # what an empty features field means for 2-d data


class FeatureToggle(Static):
    """One feature: `■ X1` when on, `□ X1` when off (a glyph, not only a colour)."""

    can_focus = True
    BINDINGS = [Binding("space,enter", "toggle", "toggle the feature", show=False)]
    DEFAULT_CSS = """
    FeatureToggle { width: 1fr; height: 1; }
    FeatureToggle:focus { text-style: reverse; }
    FeatureToggle.-on { text-style: bold; }
    """

    class Toggled(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, name: str, on: bool) -> None:
        super().__init__(id=f"feature-{name}")
        self.feature = name
        self.on = on
        self.set_class(on, "-on")

    def render(self) -> str:
        return f"{'■' if self.on else '□'} {FEATURES.get(self.feature).description}"

    def set_on(self, on: bool) -> None:
        self.on = on
        self.set_class(on, "-on")
        self.refresh()

    def action_toggle(self) -> None:
        self.post_message(self.Toggled(self.feature))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Toggled(self.feature))


class FeatureToggles(Field):
    """The `model.features` field as seven toggles; at least one stays on."""

    DEFAULT_CSS = """
    FeatureToggles Grid { grid-size: 4; grid-rows: 1; height: auto; }
    FeatureToggles .field-label { width: 1fr; }
    """

    def __init__(self, value: str) -> None:
        super().__init__("features", "model.features", value, kind=str, id="features")

    def compose(self) -> ComposeResult:
        yield Label("features  tab to one, space toggles", classes="field-label hint")
        on = self.names_on(self.current)
        with Grid():
            for name in FEATURES:
                yield FeatureToggle(name, name in on)
        yield Static("", classes="field-problem")

    @staticmethod
    def names_on(value: Any) -> list[str]:
        return feature_names(str(value)) or RAW_INPUTS

    def on_feature_toggle_toggled(self, message: FeatureToggle.Toggled) -> None:
        message.stop()
        on = self.names_on(self.current)
        on = [name for name in on if name != message.name] if message.name in on else [*on, message.name]
        if not on:
            self.app.notify("At least one feature stays on: the network needs an input.")
            return
        value = ",".join(name for name in FEATURES if name in on)
        self.show(value)
        self.post_message(self.Edited(self, value, final=True))

    def show(self, value: Any) -> None:
        self.current = value
        on = self.names_on(value)
        for toggle in self.query(FeatureToggle):
            toggle.set_on(toggle.feature in on)

    def edit(self, final: bool = False) -> Field.Edited | None:
        return None  # every toggle is an edit of its own, posted at once
