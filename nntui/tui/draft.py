"""The config being edited in the panels: raw field values, validated into a RunConfig on each edit."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from nntui.core.choices import CLASSIFICATION, DATASETS
from nntui.core.config import Layer, RunConfig, draw_network, feature_names, resolve_task
from nntui.core.drawn import classes_of
from nntui.core.errors import ConfigError
from nntui.core.expression import parse_expression
from nntui.engine.model import parameter_count

DEFAULT_LAYER = {"units": 100, "activation": "relu"}
_PATH = re.compile(r"^(?P<path>[a-z_]+(\.[a-z_]+)?(\[\d+\]\.[a-z_]+)?)\b")
_LAYER_PATH = re.compile(r"^model\.hidden\[(\d+)\]\.(\w+)$")


@dataclass
class Draft:
    """Edits one field at a time; `config` is the last valid RunConfig, `problems` maps a field's
    path (e.g. `training.lr`) to why its value is refused ("" for problems of no single field)."""

    raw: dict[str, Any] = field(default_factory=lambda: RunConfig().to_dict())
    config: RunConfig = field(default_factory=RunConfig)
    problems: dict[str, str] = field(default_factory=dict)
    unparsed: dict[str, tuple[str, str]] = field(default_factory=dict)  # path: (text, problem)

    @classmethod
    def of(cls, config: RunConfig) -> Draft:
        return cls(raw=config.to_dict(), config=config)

    @property
    def valid(self) -> bool:
        return not self.problems

    def get(self, path: str) -> Any:
        """The field's last readable value (text that is not a number is kept aside in `unparsed`)."""
        layer = _LAYER_PATH.match(path)
        if layer:
            return self.raw["model"]["hidden"][int(layer[1])][layer[2]]
        *sections, name = path.split(".")
        target = self.raw
        for section in sections:
            target = target[section]
        return target[name]

    def set(self, path: str, value: Any, problem: str = "") -> bool:
        """Store one field's value (or, with `problem`, its unreadable text); True if data changed
        and so the tutorial replay was dropped."""
        if problem:
            self.unparsed[path] = (value, problem)
            self._validate()
            return False
        self.unparsed.pop(path, None)
        changed = value != self.get(path)
        layer = _LAYER_PATH.match(path)
        if layer:
            self.raw["model"]["hidden"][int(layer[1])][layer[2]] = value
        else:
            *sections, name = path.split(".")
            target = self.raw
            for section in sections:
                target = target[section]
            target[name] = value
        dropped_replay = changed and path.startswith("data.") and bool(self.raw.get("replay"))
        if dropped_replay:
            self.raw["replay"] = ""
        self._validate()
        return dropped_replay

    def add_layer(self) -> None:
        hidden = self.raw["model"]["hidden"]
        hidden.append(dict(hidden[-1]) if hidden else dict(DEFAULT_LAYER))
        self._validate()

    def remove_layer(self, index: int | None = None) -> None:
        hidden = self.raw["model"]["hidden"]
        if hidden:
            hidden.pop(len(hidden) - 1 if index is None else index)
            self.unparsed = {k: v for k, v in self.unparsed.items() if not k.startswith("model.hidden")}
            self._validate()

    def _validate(self) -> None:
        problems = {path: problem for path, (_, problem) in self.unparsed.items()}
        try:
            self.config = RunConfig.from_dict(copy.deepcopy(self.raw))
        except ConfigError as error:
            for problem in error.problems:
                match = _PATH.match(problem)
                problems.setdefault(match["path"] if match else "", problem)
        self.problems = problems

    @property
    def layers(self) -> list[Layer]:
        return [Layer(**layer) for layer in self.raw["model"]["hidden"]]


def dims(raw: dict[str, Any]) -> tuple[int | None, int | None]:
    """Input and output sizes the data, features and output layer give the network; None where
    only the data can tell."""
    dataset, model = raw["data"]["dataset"], raw["model"]
    spec = DATASETS.get(dataset)
    inputs = len(feature_names(model.get("features", ""))) or spec.input_dim
    if dataset == "expression":
        try:
            inputs = inputs or parse_expression(raw["data"].get("expression", "")).input_dim
        except ValueError:
            return None, None
    if resolve_task(raw["task"], dataset, raw["data"].get("expression", "")) != CLASSIFICATION:
        return inputs, 1
    classes = classes_of(raw["data"].get("points", "")) if dataset == "drawn" else spec.classes
    return inputs, 1 if model.get("output") == "playground" else classes


def describe(draft: Draft) -> tuple[str, str]:
    """The network as the fields say now, drawn compactly (`1 → 100 relu → 1`), and its
    parameter count; a layer whose units are refused is drawn `? relu`."""
    raw = draft.raw
    inputs, outputs = dims(raw)
    layers = draft.layers
    refused = {index for index in range(len(layers)) if f"model.hidden[{index}].units" in draft.problems}
    drawn = [f"? {layer.activation}" if index in refused else layer for index, layer in enumerate(layers)]
    drawing = draw_network(inputs or "in", drawn, outputs or "out")
    if refused:
        return drawing, "parameters: counted once the units are fixed"
    if inputs is None or outputs is None:
        return drawing, "parameters: counted once the data is read"
    count = parameter_count([inputs, *(layer.units for layer in layers), outputs], raw["model"]["bias"])
    return drawing, f"{count:,} parameters"
