"""The four setup panels: data, architecture, hyperparameters and device. Each composes `Field`s
in its own order, each labelled and typed by its row of the field table (core/config.py), whose
`panel` says where it goes; the app validates their edits and sends back each field's problem."""

from __future__ import annotations

import os
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Label, Select, Static

from nntui.core.config import rule_of
from nntui.tui.engine import Engine
from nntui.tui.widgets.features import FeatureToggles
from nntui.tui.widgets.fields import Field
from nntui.tui.widgets.status import SteadyStatic

STYLE_CHOICES = [("torch.nn", "nn"), ("from scratch", "scratch")]


class Panel(Vertical):
    """A bordered group of fields."""

    DEFAULT_CSS = """
    Panel { height: auto; border: round $primary; border-title-color: $text-primary; padding: 0 1; }
    Panel .hint { padding-left: 2; }
    Panel:focus-within { border: round $accent; border-title-color: $accent; }
    """

    def __init__(self, title: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title


class DataPanel(Panel):
    summary: reactive[str] = reactive("")

    def __init__(self, engine: Engine, raw: dict, preset: str) -> None:
        super().__init__("Data", id="data")
        self.engine, self.raw, self.preset = engine, raw, preset

    def compose(self) -> ComposeResult:
        presets = [("custom", "custom"), *((name, name) for name, _ in self.engine.presets)]
        yield Field("preset", "preset", self.preset, choices=presets, id="preset")
        yield Static(self.summary, id="preset-summary", classes="hint")
        datasets = [(name, name) for name, _ in self.engine.datasets]
        yield config_field(self.raw, "data.dataset", choices=datasets)
        yield config_field(self.raw, "data.size")
        yield config_field(self.raw, "data.noise")
        yield Static("Playground's %/100: 0.5 = 50 %", classes="hint", id="noise-hint")
        yield config_field(self.raw, "data.seed")
        path = config_field(self.raw, "data.path", id="csv-path")
        path.display = self.raw["data"]["dataset"] == "csv"
        yield path
        expression = config_field(self.raw, "data.expression", id="expression")
        expression.display = self.raw["data"]["dataset"] == "expression"
        yield expression
        points = config_field(self.raw, "data.points", id="points")
        points.display = self.raw["data"]["dataset"] == "drawn"
        yield points

    def watch_summary(self, summary: str) -> None:
        if self.is_mounted:
            self.query_one("#preset-summary", Static).update(summary)


class LayerRow(Horizontal):
    DEFAULT_CSS = """
    LayerRow { height: auto; }
    LayerRow Field { width: 1fr; }
    LayerRow Field .field-label { width: 10; }
    LayerRow Field.activation .field-label { width: 1; }
    """

    def __init__(self, index: int, units: int, activation: str, activations: list[str]) -> None:
        super().__init__()
        self.index, self.units, self.activation, self.activations = index, units, activation, activations

    def compose(self) -> ComposeResult:
        yield Field(f"layer {self.index + 1}", f"model.hidden[{self.index}].units", self.units, kind=int)
        activation = Field(
            " ",
            f"model.hidden[{self.index}].activation",
            self.activation,
            choices=[(name, name) for name in self.activations],
        )
        activation.add_class("activation")
        yield activation

    def show(self, units: int, activation: str) -> None:
        self.units, self.activation = units, activation
        units_field, activation_field = self.query(Field)
        units_field.show(units)
        activation_field.show(activation)


class ArchitecturePanel(Panel):
    """Hidden layers as a list; input and output sizes come from the dataset."""

    drawing: reactive[str] = reactive("")

    def __init__(self, engine: Engine, layers: list, features: str = "") -> None:
        super().__init__("Architecture  a add · d remove", id="architecture")
        self.engine, self.hidden_layers, self.features = engine, layers, features

    def compose(self) -> ComposeResult:
        yield Static(self.drawing, id="drawing")
        yield FeatureToggles(self.features)
        with Vertical(id="layers"):
            yield from self._rows(self.hidden_layers)

    def _rows(self, layers: list, start: int = 0) -> list[LayerRow | Label]:
        if not layers:
            return [Label("no hidden layer: a linear model", classes="hint")]
        return [
            LayerRow(i, layer.units, layer.activation, self.engine.activations)
            for i, layer in enumerate(layers)
            if i >= start
        ]

    async def show_layers(self, layers: list) -> None:
        """Show `layers` in the rows there are, adding or removing rows only for the difference:
        the panel never blanks while its rows are remade."""
        container = self.query_one("#layers", Vertical)
        rows = list(container.query_children(LayerRow))
        for row, layer in zip(rows, layers):
            row.show(layer.units, layer.activation)
        old = [*rows[len(layers) :], *container.query_children(Label)] if layers else rows
        new = self._rows(layers, start=len(rows)) if layers or rows else []
        if new:
            await container.mount_all(new)
        if old:
            await container.remove_children(old)

    def watch_drawing(self, drawing: str) -> None:
        if self.is_mounted:
            self.query_one("#drawing", Static).update(drawing)


class HyperparametersPanel(Panel):
    def __init__(self, engine: Engine, raw: dict) -> None:
        super().__init__("Hyperparameters", id="hyperparameters")
        self.engine, self.raw = engine, raw

    def compose(self) -> ComposeResult:
        yield config_field(self.raw, "training.lr")
        yield config_field(self.raw, "training.epochs")
        yield config_field(self.raw, "training.batch_size")
        yield Static("0 = full batch", classes="hint", id="batch-hint")
        yield config_field(self.raw, "training.optimizer", choices=[(n, n) for n in self.engine.optimizers])
        yield config_field(self.raw, "training.shuffle")
        yield config_field(self.raw, "training.seed")
        yield config_field(self.raw, "training.regularization")
        yield config_field(self.raw, "training.reg_rate")
        yield config_field(self.raw, "data.val_share")
        yield config_field(self.raw, "style", choices=STYLE_CHOICES)


class DevicePanel(Panel):
    """What torch sees, the device chosen, and while training its speed and CUDA memory."""

    live: reactive[str] = reactive("", repaint=False)  # the line repaints itself, not the panel

    def __init__(self, engine: Engine, device: str) -> None:
        super().__init__("Device", id="device")
        self.engine, self.device = engine, device

    def compose(self) -> ComposeResult:
        yield Field(rule_of("device").label, "device", self.device, choices=self._choices(self.device))
        descriptions = [cpu_line(text) if name == "cpu" else text for name, text in self.engine.devices]
        yield Static("\n".join(descriptions), id="devices", classes="hint")
        yield SteadyStatic(self.live, id="device-live")

    def _choices(self, device: str) -> list[tuple[str, str]]:
        choices = [("auto", "auto"), *((name, name) for name, _ in self.engine.devices)]
        if device not in dict(choices).values():
            choices.append((f"{device} (not here)", device))
        return choices

    def show(self, device: str) -> None:
        """Show a device set from outside (a preset, a saved run trained elsewhere)."""
        field = self.query_one(Field)
        choices = self._choices(device)
        if choices != field.choices:
            field.choices = choices
            field.query_one(Select).set_options(choices)
        field.show(device)

    def watch_live(self, live: str) -> None:
        if self.is_mounted:
            self.query_one("#device-live", SteadyStatic).update(live)


def config_field(
    raw: dict, path: str, choices: list[tuple[str, Any]] | None = None, id: str | None = None
) -> Field:
    """The box or choice for the config field at `path` (such as `training.lr`), showing its
    value in `raw` (a draft's raw dict), labelled and typed by its row of the field table; its
    choices are the row's unless given (the engine's, or names to show)."""
    rule = rule_of(path)
    value = raw
    for part in path.split("."):
        value = value[part]
    if choices is None and rule.choices is not None:
        choices = [(name, name) for name in rule.names()]
    return Field(rule.label, path, value, kind=rule.kind, choices=choices, id=id)


def cpu_line(description: str) -> str:
    """`cpu: x86_64, 2 threads` as the app uses it: all cores but one train, one draws the screen."""
    from nntui.tui.runner import child_threads

    threads, cores = child_threads(), os.cpu_count() or 1
    left = cores - threads
    spare = f"{left} core{'s' * (left > 1)} left to the screen" if left > 0 else "the screen shares its core"
    where = description.rsplit(", ", 1)[0]
    return f"{where}, {threads} training thread{'s' * (threads > 1)}\n({spare})"
