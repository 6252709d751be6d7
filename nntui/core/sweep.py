"""A sweep's grid: one or two fields, each over a range (`training.lr=1e-4..1,12`) or a list of
values, and every cell a variant of one config. Torch-free: the CLI and the app read it alike."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from nntui.core.config import RunConfig, parse_value, rule_of, shown
from nntui.core.errors import UserError
from nntui.core.events import EpochEnd, Failed, Finished
from nntui.core.variants import MAX_VARIANTS, Variant

SPACINGS = ("auto", "log", "linear")
FIGURES = ("final", "best")
SHADES = " ░▒▓█"  # low loss light, high loss dark: legible without colour
BEST = "*"
_RANGE = re.compile(r"^\s*([^.,|][^,|]*?)\s*\.\.\s*([^,|]+?)\s*,\s*(\d+)\s*$")
# model.units (model.activation) is every hidden layer's, as model.hidden[].units is
_LAYER = re.compile(r"^model\.(?:hidden\[(\d*)\]\.)?(units|activation)$")


@dataclass(frozen=True)
class Axis:
    """One swept field and the values it takes, in order."""

    path: str
    values: tuple[Any, ...]

    @property
    def name(self) -> str:
        """The field's short name for labels: `lr`, `hidden[0].units`."""
        return self.path.removeprefix("model.").removeprefix("training.").removeprefix("data.")

    def label(self, value: Any) -> str:
        return f"{value:.3g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Grid:
    """Rows are the first axis's values, columns the second's (one column for one axis); cell
    `row * columns + column` is `variants[row * columns + column]`."""

    axes: tuple[Axis, ...]
    variants: tuple[Variant, ...]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.axes[0].values), len(self.axes[1].values) if len(self.axes) > 1 else 1

    def cell(self, index: int) -> tuple[int, int]:
        return divmod(index, self.shape[1])


def spaced(low: float, high: float, count: int, spacing: str) -> list[float]:
    """`count` values from `low` to `high`: evenly in log space (`auto` does so for positive
    ranges spanning more than a decade) or linearly."""
    if count < 2:
        raise UserError(f"a range needs at least 2 values, got {count}")
    if spacing == "auto":
        spacing = "log" if 0 < low < high and high / low > 10 else "linear"
    if spacing == "log" and not (low > 0 and high > 0):
        raise UserError(f"log spacing needs a range above 0, got {shown(low)}..{shown(high)}")
    fractions = [index / (count - 1) for index in range(count)]
    if spacing == "log":
        return [low * (high / low) ** fraction for fraction in fractions]
    return [low + (high - low) * fraction for fraction in fractions]


def parse_axis(text: str, config: RunConfig, spacing: str = "auto") -> Axis:
    """`field=low..high,count` (a range; its values kept to 4 significant digits, whole numbers
    for a whole-number field) or `field=a,b,c` / `field=a|b` (values as given)."""
    path, sep, values_text = text.partition("=")
    path = path.strip()
    if not sep or not path or not values_text.strip():
        raise UserError(f"{text!r} must look like training.lr=1e-4..1,12 or training.seed=1,2,3")
    default = _value_at(config, path)
    kind = type(default)
    matched = _RANGE.match(values_text)
    if matched:
        low, high = (_number(part, path) for part in matched.group(1, 2))
        values: list[Any] = spaced(low, high, int(matched[3]), spacing)
        if kind is int:
            values = [round(value) for value in values]
        else:
            values = [float(f"{value:.4g}") for value in values]
    else:
        parts = [part.strip() for part in values_text.split("|" if "|" in values_text else ",")]
        values = [parse_value(part) for part in parts if part]
        if kind is float:
            values = [float(value) if isinstance(value, int | float) else value for value in values]
    unique = list(dict.fromkeys(values))
    if len(unique) < len(values) and not matched:
        raise UserError(f"{path} repeats a value: each cell must differ")
    return Axis(path, tuple(unique))


def _number(text: str, path: str) -> float:
    value = parse_value(text.strip())
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UserError(f"{path}: {text.strip()!r} is not a number")
    return float(value)


def _value_at(config: RunConfig, path: str) -> Any:
    """The value of `path` in `config`; an unknown path is refused, naming the form it takes."""
    layer = _LAYER.match(path)
    if layer:
        hidden = config.model.hidden
        if not hidden:
            raise UserError(f"{path}: the network has no hidden layer")
        index = int(layer[1] or 0)
        if index >= len(hidden):
            raise UserError(f"{path}: the network has {len(hidden)} hidden layers (0 to {len(hidden) - 1})")
        return getattr(hidden[index], layer[2])
    try:
        rule_of(path)
    except KeyError:
        raise UserError(
            f"unknown field {path}: give a config path such as training.lr, or model.hidden[0].units "
            "(model.units or model.hidden[].units for every layer)"
        ) from None
    value: Any = config
    for name in path.split("."):
        value = getattr(value, name)
    return value


def with_value(config: RunConfig, path: str, value: Any) -> RunConfig:
    """A validated copy of `config` with `path` set (a layer path sets that layer, `[]` all)."""
    raw = config.to_dict()
    layer = _LAYER.match(path)
    if layer:
        for index, item in enumerate(raw["model"]["hidden"]):
            if not layer[1] or int(layer[1]) == index:
                item[layer[2]] = value
    else:
        *sections, name = path.split(".")
        target = raw
        for section in sections:
            target = target[section]
        target[name] = value
    return RunConfig.from_dict(raw)


def make_grid(config: RunConfig, texts: list[str], spacing: str = "auto") -> Grid:
    """Every cell of the grid as a validated variant named after its values; more than
    MAX_VARIANTS cells are refused with the count before any is built."""
    if not 1 <= len(texts) <= 2:
        raise UserError("a sweep takes one or two --grid fields (nntui compare varies more)")
    axes = tuple(parse_axis(text, config, spacing) for text in texts)
    if len(axes) == 2 and axes[0].path == axes[1].path:
        raise UserError(f"{axes[0].path} is swept twice: give it one --grid")
    count = math.prod(len(axis.values) for axis in axes)
    if count > MAX_VARIANTS:
        raise UserError(f"that grid has {count:,} cells; nntui trains at most {MAX_VARIANTS:,}")
    cells = [[value] for value in axes[0].values]
    if len(axes) == 2:
        cells = [[first, second] for [first] in cells for second in axes[1].values]
    variants = []
    for values in cells:
        varied = config
        for axis, value in zip(axes, values):
            varied = with_value(varied, axis.path, value)
        label = ", ".join(f"{axis.name}={axis.label(value)}" for axis, value in zip(axes, values))
        variants.append(Variant(label, varied.with_changes(name=f"{config.name} [{label}]")))
    return Grid(axes, tuple(variants))


@dataclass
class SweepFigures:
    """Each cell's loss as it trains: the validation loss, or the train loss of a run without a
    validation set; `final` the latest (the finished model's at the end), `best` the lowest."""

    cells: int
    final: list[float | None] = field(default_factory=list)
    best: list[float | None] = field(default_factory=list)
    outcome: list[str] = field(default_factory=list)  # "", "finished", "stopped" or a failure
    metric: str = "val_loss"

    def __post_init__(self) -> None:
        self.final = self.final or [None] * self.cells
        self.best = self.best or [None] * self.cells
        self.outcome = self.outcome or [""] * self.cells

    @classmethod
    def of(cls, grid: Grid) -> SweepFigures:
        """Figures for `grid`'s cells: validation losses, or train losses where no cell validates."""
        validates = any(variant.config.n_val for variant in grid.variants)
        return cls(len(grid.variants), metric="val_loss" if validates else "train_loss")

    def add(self, cell: int, event) -> None:
        if isinstance(event, EpochEnd):
            loss = event.val_loss if self.metric == "val_loss" else event.train_loss
            if loss is not None:  # None between validations (`val_every`)
                self._set(cell, loss)
        elif isinstance(event, Finished):
            self._set(cell, event.val_loss if self.metric == "val_loss" else event.train_loss)
            self.outcome[cell] = event.status.value
        elif isinstance(event, Failed):
            self.outcome[cell] = event.reason
            self.final[cell] = math.nan

    def _set(self, cell: int, loss: float) -> None:
        self.final[cell] = loss
        if math.isfinite(loss) and (self.best[cell] is None or loss < self.best[cell]):
            self.best[cell] = loss

    def values(self, which: str = "final") -> list[float | None]:
        return self.best if which == "best" else self.final

    def best_cell(self, which: str = "final") -> int | None:
        """The cell with the lowest finite figure; None before any has one."""
        finite = [(v, i) for i, v in enumerate(self.values(which)) if v is not None and math.isfinite(v)]
        return min(finite)[1] if finite else None


def shade(value: float, low: float, high: float) -> int:
    """1 (lowest) to 4 (highest) by the value's place between `low` and `high`, in log space."""
    if high <= low or value <= 0 or low <= 0:
        return 1
    place = (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))
    return 1 + min(3, max(0, int(place * 4)))
