"""What a network computes inside, as plain data (numpy, no torch): each layer's weights and
biases, each neuron's state and activation map, each hidden unit's share of a 1-d prediction,
hand edits of a weight, and the per-layer diagnostics rows of the metrics table. The engine
fills these at snapshot time (engine/inside.py); the app, `nntui inspect` and `runs show` read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nntui.core.metrics import LAYER_METRICS, METRICS, layer_column, parse_layer_column

SATURATED = 0.97  # a tanh output beyond ±0.97 (a sigmoid's beyond 0.03 or 0.97) is saturated
SATURATED_SHARE = 0.9  # a neuron saturated on this share of the data or more reads "saturated"
STATES = ("dead", "linear", "active", "saturated")
STATE_MEANING = {
    "dead": "never active on the training data (ReLU output 0 everywhere: it learns nothing)",
    "linear": "active on all the training data (a straight line there: no kink inside)",
    "active": "bends inside the data",
    "saturated": f"|output| > {SATURATED} on {SATURATED_SHARE:.0%} or more of the data",
}


@dataclass(frozen=True)
class Edit:
    """A weight or bias set by hand while the run is paused. `layer` counts weight matrices from 1
    (the last is the output layer's); `neuron` is a unit of that layer and `input` the unit of the
    layer before whose weight it is (both from 0), None for the bias."""

    layer: int
    neuron: int
    input: int | None
    value: float

    def what(self) -> str:
        """As the app and the history say it: layer 1 neuron 3 w2 (neurons and weights from 1)."""
        weight = "bias" if self.input is None else f"w{self.input + 1}"
        return f"layer {self.layer} neuron {self.neuron + 1} {weight}"

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "neuron": self.neuron, "input": self.input, "value": self.value}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Edit:
        inputs = raw.get("input")
        return cls(
            int(raw["layer"]),
            int(raw["neuron"]),
            None if inputs is None else int(inputs),
            float(raw["value"]),
        )


def edit_text(raw: dict[str, Any]) -> str:
    """A saved edit (Edited.to_record) as a line: before epoch 4: layer 2 neuron 1 bias 0.1 → 0.75."""
    try:
        edit = Edit(
            int(raw["layer"]), int(raw["neuron"]), None if raw["input"] is None else int(raw["input"]), 0.0
        )
        change = f"{float(raw['old']):.4g} → {float(raw['new']):.4g}"
        return f"before epoch {int(raw['epoch'])}: {edit.what()} {change}"
    except (KeyError, TypeError, ValueError):
        return f"an edit saved in a form this nntui cannot read: {raw}"


def parse_edit(text: str, layer: int, neuron: int, fan_in: int) -> Edit:
    """`w2=0.5` or `b=-1` (also `bias = -1`) for the given neuron; ValueError says what is wrong."""
    name, equals, value = text.partition("=")
    name = name.strip().lower()
    if not equals:
        raise ValueError("type w<number>=<value> (a weight) or b=<value> (the bias), e.g. w1=0.5")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{value.strip()!r} is not a number") from None
    if not np.isfinite(number):
        raise ValueError("the value must be a finite number")
    if name in ("b", "bias"):
        return Edit(layer, neuron, None, number)
    if name.startswith("w") and name[1:].isdigit() and 1 <= int(name[1:]) <= fan_in:
        return Edit(layer, neuron, int(name[1:]) - 1, number)
    raise ValueError(f"{name or 'nothing'} is no weight of this neuron: w1 … w{fan_in}, or b")


@dataclass(frozen=True)
class LayerView:
    """One weight matrix and the units after it. Of a wide layer only some units are `shown`
    (their indices; `chosen` says how they were picked); `inputs_shown` are the previous layer's
    units that `weights` (len(shown), len(inputs_shown)) connect. `maps` holds each shown unit's
    activation over the plane (n, rows, cols) or along the 1-d input (n, points)."""

    number: int
    activation: str
    units: int
    shown: np.ndarray
    inputs_shown: np.ndarray
    weights: np.ndarray
    biases: np.ndarray | None
    states: tuple[str, ...]
    maps: np.ndarray | None
    chosen: str

    @property
    def output(self) -> bool:
        return self.activation == "output"

    def state_counts(self) -> dict[str, int]:
        """How many of the shown units are in each state."""
        return {state: self.states.count(state) for state in STATES if state in self.states}


@dataclass(frozen=True)
class Units:
    """A 1-d regression's prediction as the sum of the last hidden layer's units:
    prediction(x) = Σ_j w_out[j] · act(h_j(x)) + output_bias. `contributions` are the shown
    units' terms along `x`; `sum_error` the largest gap between the sum over all units (plus the
    bias) and the prediction. `kinks` are the first layer's ReLU hinges x = −b/w; the counts are
    of the last hidden layer's units on the training data."""

    layer: int
    x: np.ndarray
    prediction: np.ndarray
    contributions: np.ndarray
    shown: np.ndarray
    units: int
    output_bias: float
    sum_error: float
    kinks: np.ndarray
    data_range: tuple[float, float]
    dead: int
    linear: int
    kinks_in_range: int
    chosen: str


@dataclass(frozen=True)
class Inside:
    """A network's inside at one snapshot: its inputs' names, each weight matrix with its units,
    and for a 1-d regression the units' sum."""

    inputs: tuple[str, ...]
    layers: tuple[LayerView, ...]
    units: Units | None = None

    def layer(self, number: int) -> LayerView:
        return self.layers[number - 1]

    @property
    def hidden(self) -> tuple[LayerView, ...]:
        return tuple(layer for layer in self.layers if not layer.output)


def unit_name(layer: int, unit: int) -> str:
    """`x1` for an input (layer 0), `h1.3` for a hidden unit, as the formulas write them."""
    return f"x{unit + 1}" if layer == 0 else f"h{layer}.{unit + 1}"


def formula(inside: Inside, layer: LayerView, row: int) -> str:
    """The shown unit's computation with its current numbers, e.g.
    h1.2 = relu(0.53·x1 − 1.2·x2 + 0.1); a wide layer's terms past the shown inputs are left out."""
    before = layer.number - 1
    terms = []
    for column, unit in enumerate(layer.inputs_shown.tolist()):
        name = inside.inputs[unit] if before == 0 and unit < len(inside.inputs) else unit_name(before, unit)
        weight = float(layer.weights[row, column])
        sign = "−" if weight < 0 else "+"
        terms.append(f"{sign} {abs(weight):.3g}·{name}")
    if layer.biases is not None:
        bias = float(layer.biases[row])
        terms.append(f"{'−' if bias < 0 else '+'} {abs(bias):.3g}")
    body = " ".join(terms).removeprefix("+ ") or "0"
    if body.startswith("− "):
        body = "−" + body[2:]
    fan_in = inside.layers[before - 1].units if before else len(inside.inputs)
    more = (
        f" + … ({fan_in - len(layer.inputs_shown)} more inputs)" if fan_in > len(layer.inputs_shown) else ""
    )
    unit = int(layer.shown[row])
    name = f"out{unit + 1}" if layer.output else unit_name(layer.number, unit)
    inner = body + more
    return (
        f"{name} = {inner}"
        if layer.output or layer.activation == "identity"
        else f"{name} = {layer.activation}({inner})"
    )


@dataclass(frozen=True)
class LayerDiagnostics:
    """One layer's per-layer metrics at one epoch (None where not measured)."""

    layer: int
    figures: dict[str, float | None]

    def text(self, metric: str) -> str:
        value = self.figures.get(metric)
        if value is None:
            return "-"
        if metric in ("dead_fraction", "saturated_fraction"):
            return f"{value:.0%}"
        return f"{value:.3g}"


def layer_diagnostics(values: dict[str, Any]) -> list[LayerDiagnostics]:
    """The per-layer figures of an epoch's values (an EpochEnd's, or a history row), by layer."""
    layers: dict[int, dict[str, float | None]] = {}
    for column, value in values.items():
        parsed = parse_layer_column(column)
        if parsed is not None and value is not None:
            metric, layer = parsed
            layers.setdefault(layer, {})[metric] = value
    return [LayerDiagnostics(layer, layers[layer]) for layer in sorted(layers)]


def diagnostics_lines(rows: list[LayerDiagnostics], hidden: int | None = None) -> list[str]:
    """A table of the rows, one line per layer; `hidden` layers are named hidden, the next output."""
    if not rows:
        return []
    labels = [METRICS.get(metric).label for metric in LAYER_METRICS]
    widths = [max(len(label), 9) for label in labels]
    head = "layer     " + "  ".join(label.ljust(width) for label, width in zip(labels, widths))
    lines = [head.rstrip()]
    for row in rows:
        name = f"{row.layer}" + (" (out)" if hidden is not None and row.layer > hidden else "")
        cells = [row.text(metric).ljust(width) for metric, width in zip(LAYER_METRICS, widths)]
        lines.append(f"{name:<10}" + "  ".join(cells).rstrip())
    return lines


def last_diagnostics(rows: list[dict[str, Any]]) -> tuple[int, list[LayerDiagnostics]] | None:
    """The last history row that has per-layer figures: its epoch and rows."""
    for row in reversed(rows):
        found = layer_diagnostics(row)
        if found:
            return int(row["epoch"]), found
    return None


__all__ = [
    "Edit",
    "Inside",
    "LayerDiagnostics",
    "LayerView",
    "Units",
    "diagnostics_lines",
    "edit_text",
    "formula",
    "last_diagnostics",
    "layer_column",
    "layer_diagnostics",
    "parse_edit",
]
