"""One run, described by one immutable config: loaded from TOML, overridden, validated at the edge."""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

from nntui.core.choices import (
    ACTIVATIONS,
    DATASETS,
    FEATURES,
    INITS,
    LOADERS,
    OPTIMIZERS,
    OUTPUTS,
    REGULARIZATIONS,
    REPLAYS,
    STYLES,
    TASKS,
)
from nntui.core.errors import ConfigError, UserError
from nntui.core.expression import parse_expression

_DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
INT64 = 2**63 - 1
MAX_POINTS = 10**8  # 400 MB a float column: more than a run can train on in a session
MAX_UNITS = 100_000
MAX_EPOCHS = 10**9


@dataclass(frozen=True)
class Rule:
    """What one config field is: its label and panel in the app, its bounds and choices, and how
    it may change. `live`: takes effect in a running run; `resumable`: a resumed run may change
    it; `batchable`: variants that differ in it can still train as one batched computation;
    `restarts`: changing it while a run is live ends that run (the data or the network change)."""

    label: str  # as the panel labels the field
    panel: str = ""  # data, architecture, hyperparameters, device; "" for TOML and --set only
    kind: type = str  # the type of its value: how the panel's box reads what is typed
    low: float | None = None
    high: float | None = None
    above: bool = False  # strictly greater than `low`
    below: bool = False  # strictly less than `high`
    choices: Any = None  # a registry of nntui.core.choices, or a tuple of names
    live: bool = False
    resumable: bool = False
    batchable: bool = False
    restarts: bool = False

    def names(self) -> list[str]:
        return list(self.choices) if self.choices is not None else []


def rule(default: Any, label: str, **rule: Any) -> Any:
    """A dataclass field with its Rule, the one row that describes the field everywhere."""
    return field(default=default, metadata={"rule": Rule(label, kind=type(default), **rule)})


@dataclass(frozen=True)
class Layer:
    units: int = rule(
        100, "units", panel="architecture", low=1, high=MAX_UNITS, batchable=True, restarts=True
    )
    activation: str = rule(
        "relu", "activation", panel="architecture", choices=ACTIVATIONS, batchable=True, restarts=True
    )

    def __str__(self) -> str:
        return f"{self.units} {self.activation}"


def draw_network(input_dim: int | str, hidden: Iterable[Layer | str], output_dim: int | str) -> str:
    """`1 → 100 relu → 1`; a layer may be drawn as text of its own (`? relu` while unreadable)."""
    return " → ".join([str(input_dim), *map(str, hidden), str(output_dim)])


def feature_names(text: str) -> list[str]:
    """`x1, x2,x1sq` as its names; "" is none (the inputs as they are)."""
    return [name.strip() for name in text.split(",") if name.strip()]


def resolve_task(task: str, dataset: str, expression: str = "") -> str:
    """`auto` is the dataset's own task (a typed target's: classification for a condition;
    regression for data that does not say)."""
    if task != "auto":
        return task
    if dataset == "expression":
        try:
            return parse_expression(expression).task
        except ValueError:
            return "regression"
    return DATASETS.get(dataset).task or "regression"


@dataclass(frozen=True)
class DataConfig:
    dataset: str = rule("x2", "dataset", panel="data", choices=DATASETS, restarts=True)
    size: int = rule(14000, "size", panel="data", low=2, high=MAX_POINTS, restarts=True)
    # the share of points held out to measure generalisation; 0 trains on all
    val_share: float = rule(
        2 / 7, "validation", panel="hyperparameters", low=0, high=1, below=True, restarts=True
    )
    # Playground's datasets: its noise slider / 100 (0.1 = 10 %, its most 0.5 = 50 %); x2 and
    # rings: the standard deviation of Gaussian jitter
    noise: float = rule(0.0, "noise", panel="data", low=0, high=1e6, restarts=True)
    # Playground's datasets span [-extent, extent]²: 1 is nntui's plane, 6 Playground's own units
    extent: float = rule(1.0, "plane half-width", low=0, above=True, high=1e6, restarts=True)
    seed: int = rule(42, "data seed", panel="data", low=0, high=INT64, restarts=True)
    path: str = rule("", "csv file", panel="data", restarts=True)
    # the expression dataset's target, e.g. "y = sin(3*x)" or "x1*x2 > 0" (nntui.core.expression)
    expression: str = rule("", "target", panel="data", restarts=True)
    # the drawn dataset's points, "x1,x2,class;…" on [-1, 1]² (nntui.core.drawn); data.size does
    # not apply to them: a drawn set has as many points as it lists
    points: str = rule("", "points (o)", panel="data", restarts=True)


@dataclass(frozen=True)
class ModelConfig:
    hidden: tuple[Layer, ...] = rule((Layer(),), "hidden layers", panel="architecture", restarts=True)
    bias: bool = rule(True, "bias", restarts=True)
    init: str = rule("default", "initialisation", choices=INITS, batchable=True, restarts=True)
    # what the network sees of a 2-d point, e.g. "x1,x2,x1sq" (nntui.core.choices.FEATURES);
    # "" the inputs as they are
    features: str = rule("", "features", panel="architecture", restarts=True)
    # the last layer and the loss it is trained with (nntui.core.choices.OUTPUTS)
    output: str = rule("auto", "output", choices=OUTPUTS, restarts=True)

    @property
    def feature_names(self) -> list[str]:
        return feature_names(self.features)


@dataclass(frozen=True)
class TrainingConfig:
    optimizer: str = rule("sgd", "optimizer", panel="hyperparameters", choices=OPTIMIZERS)
    # too large diverges, too small crawls; the one field a live run takes as it trains
    lr: float = rule(
        0.001,
        "learning rate",
        panel="hyperparameters",
        low=0,
        above=True,
        live=True,
        resumable=True,
        batchable=True,
    )
    momentum: float = rule(0.9, "momentum", low=0, high=1, below=True)
    weight_decay: float = rule(0.0, "weight decay", low=0, high=1e6)
    # a penalty on the weights added to the loss being minimised (the loss reported leaves it out)
    regularization: str = rule("none", "regularize", panel="hyperparameters", choices=REGULARIZATIONS)
    reg_rate: float = rule(0.0, "reg. rate", panel="hyperparameters", low=0, high=1e6)
    epochs: int = rule(1000, "epochs", panel="hyperparameters", low=0, high=MAX_EPOCHS, resumable=True)
    # 0 = full batch: one step an epoch; smaller batches take more, noisier steps
    batch_size: int = rule(0, "batch size", panel="hyperparameters", low=0, high=MAX_POINTS)
    shuffle: bool = rule(False, "shuffle", panel="hyperparameters")
    seed: int = rule(42, "seed", panel="hyperparameters", low=0, high=INT64, batchable=True)
    # validation costs a forward pass over the held-out set: every Nth epoch (and the last)
    val_every: int = rule(1, "validate every", low=1, high=MAX_EPOCHS, resumable=True)
    loader: str = rule("index", "loader", choices=LOADERS)

    @property
    def full_batch(self) -> bool:
        return self.batch_size == 0


@dataclass(frozen=True)
class RunConfig:
    """`replay` names a tutorial cell whose random state (data and draws) the run starts from."""

    name: str = rule("custom", "name", resumable=True, batchable=True)
    task: str = rule("auto", "task", choices=("auto", *TASKS), restarts=True)
    style: str = rule("nn", "style", panel="hyperparameters", choices=STYLES, restarts=True)
    device: str = rule("auto", "device", panel="device", resumable=True)
    replay: str = rule("", "tutorial replay", choices=("", *REPLAYS), restarts=True)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)

    @property
    def resolved_task(self) -> str:
        return resolve_task(self.task, self.data.dataset, self.data.expression)

    @property
    def n_points(self) -> int:
        """How many points the data has: data.size, or as many as a drawn set lists."""
        if self.data.dataset == "drawn":
            from nntui.core.drawn import count_points

            return count_points(self.data.points)
        return self.data.size

    @property
    def n_val(self) -> int:
        share, size = self.data.val_share, self.n_points
        return round(size * share) if 0 <= share < 1 and 0 <= size <= MAX_POINTS else 0

    def architecture(self, input_dim: int | str = "in", output_dim: int | str = "out") -> str:
        """A compact drawing of the network, e.g. `1 → 100 relu → 1`."""
        return draw_network(input_dim, self.model.hidden, output_dim)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["model"]["hidden"] = [dataclasses.asdict(layer) for layer in self.model.hidden]
        return out

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_toml())

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunConfig:
        problems: list[str] = []
        config = _build(cls, raw, "", problems)
        problems += _problems(config)
        if problems:
            raise ConfigError(problems)
        return config

    @classmethod
    def load(cls, path: str | Path, overrides: list[str] = ()) -> RunConfig:
        return cls.from_dict(apply_overrides(read_toml(path), overrides))

    def updated(self, overrides: list[str]) -> RunConfig:
        """A copy with `section.field=value` overrides applied and validated."""
        return RunConfig.from_dict(apply_overrides(self.to_dict(), overrides))

    def with_changes(self, **changes: Any) -> RunConfig:
        """A validated copy; `data={"size": 100}` changes one field of a section."""
        raw = self.to_dict()
        for name, value in changes.items():
            if isinstance(value, dict) and isinstance(raw.get(name), dict):
                raw[name] = {**raw[name], **value}
            else:
                raw[name] = value
        return RunConfig.from_dict(raw)

    def validate(self, check_device: bool = False) -> None:
        problems = list(_problems(self))
        if check_device and not problems:
            from nntui.engine.devices import device_problem

            problem = device_problem(self.device)
            if problem:
                problems.append(problem)
        if problems:
            raise ConfigError(problems)


def read_toml(path: str | Path) -> dict[str, Any]:
    file = Path(path).expanduser()
    if not file.is_file():
        raise UserError(f"config file not found: {file}")
    try:
        return tomllib.loads(file.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"{file} is not valid TOML: {error}") from None
    except RecursionError:
        raise UserError(f"{file} is not a run config: its tables nest too deep") from None
    except OSError as error:
        raise UserError(f"cannot read {file}: {error.strerror or error}") from None


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply `section.field=value` strings; the value is read as TOML, else taken as a string."""
    raw = {key: dict(value) if isinstance(value, dict) else value for key, value in raw.items()}
    for override in overrides:
        key, sep, text = override.partition("=")
        if not sep or not key.strip():
            raise ConfigError([f"override {override!r} must look like section.field=value"])
        *sections, name = key.strip().split(".")
        if sections and sections[0] not in _SECTIONS:
            known = ", ".join(_SECTIONS)
            raise ConfigError([f"unknown section {sections[0]} in {key.strip()}; known: {known}"])
        target = raw
        for section in sections:
            target = target.setdefault(section, {})
            if not isinstance(target, dict):
                raise ConfigError([f"override {override!r}: {section} is not a section"])
        target[name] = parse_value(text.strip())
    return raw


def parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text


def parse_hidden(text: str) -> tuple[Layer, ...]:
    """Read `100 relu, 50 tanh` (or `100:relu,50:tanh`); an empty string is no hidden layer."""
    layers = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        words = part.replace(":", " ").split()
        if len(words) == 1:
            words.append("relu")
        if len(words) != 2 or not words[0].isdigit():
            raise ValueError(f"layer {part!r} must look like '100 relu'")
        layers.append(Layer(int(words[0]), words[1]))
    return tuple(layers)


_SECTIONS = {"data": DataConfig, "model": ModelConfig, "training": TrainingConfig}
_LAYER_PATH = re.compile(r"^model\.hidden\[(\d+)\]\.(\w+)$")


def _rules_of(cls: type, prefix: str = "") -> dict[str, Rule]:
    return {f"{prefix}{item.name}": item.metadata["rule"] for item in fields(cls) if "rule" in item.metadata}


# The field table: every field's path and rule, in the order the config lists them.
RULES: dict[str, Rule] = {
    **_rules_of(RunConfig),
    **{path: rule for name, cls in _SECTIONS.items() for path, rule in _rules_of(cls, f"{name}.").items()},
}
LAYER_RULES: dict[str, Rule] = _rules_of(Layer)
# A network or dataset larger than this is refused before any memory is taken (the estimate is
# what its weights and one batch's activations, with their gradients, take in float32).
MAX_BYTES = 64 * 2**30


def estimated_bytes(config: RunConfig) -> int:
    """Float32 bytes the run needs at least: data, weights (with gradient and Adam's two buffers)
    and one batch's activations forward and back."""
    widths = [layer.units for layer in config.model.hidden]
    inputs = (
        2
        if DATASETS.get(config.data.dataset).input_dim is None
        else DATASETS.get(config.data.dataset).input_dim
    )
    dims = [inputs, *widths, 16]
    weights = sum((a + 1) * b for a, b in zip(dims, dims[1:]))
    rows = config.training.batch_size or config.data.size
    activations = rows * sum(dims) * 2
    return 4 * (config.data.size * (inputs + 1) + 4 * weights + activations)


def _memory_problems(config: RunConfig) -> Iterator[str]:
    sizes = [config.data.size, config.training.batch_size, *(layer.units for layer in config.model.hidden)]
    if config.data.dataset not in DATASETS or max(sizes) > MAX_POINTS:
        return  # a field out of its own bounds says so itself
    needed = estimated_bytes(config)
    if needed > MAX_BYTES:
        yield (
            f"model.hidden and data.size need about {needed / 2**30:,.0f} GiB (weights, data and one "
            f"batch's activations); nntui refuses runs over {MAX_BYTES / 2**30:.0f} GiB"
        )


def _build(cls: type, raw: Any, prefix: str, problems: list[str]) -> Any:
    if not isinstance(raw, dict):
        problems.append(f"{prefix.rstrip('.')} must be a table of fields, got {raw!r}")
        return cls()
    known = [f.name for f in fields(cls)]
    for key in raw:
        if key not in known:
            problems.append(f"unknown field {prefix}{key}; known: {', '.join(known)}")
    values = {}
    for name in known:
        if name not in raw:
            continue
        where = f"{prefix}{name}"
        value = raw[name]
        if name in _SECTIONS and cls is RunConfig:
            values[name] = _build(_SECTIONS[name], value, f"{where}.", problems)
        elif name == "hidden":
            values[name] = _hidden(value, where, problems)
        else:
            checked = _typed(value, type(getattr(cls(), name)), where, problems)
            if checked is not None:
                values[name] = checked
    return cls(**values)


def _typed(value: Any, kind: type, where: str, problems: list[str]) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > 1e308:
            problems.append(f"{where} must be a finite number, got {shown(value)}")
            return None
        return float(value)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    problems.append(f"{where} must be {_TYPE_NAMES[kind]}, got {value!r}")
    return None


_TYPE_NAMES = {int: "a whole number", float: "a number", bool: "true or false", str: "a string"}


def _hidden(value: Any, where: str, problems: list[str]) -> tuple[Layer, ...]:
    if isinstance(value, str):
        try:
            return parse_hidden(value)
        except ValueError as error:
            problems.append(f"{where}: {error}")
            return ()
    if not isinstance(value, list | tuple):
        problems.append(f"{where} must be a list of layers, got {value!r}")
        return ()
    layers = []
    for index, item in enumerate(value):
        if isinstance(item, Layer):
            layers.append(item)
        else:
            layers.append(_build(Layer, item, f"{where}[{index}].", problems))
    return tuple(layers)


def rules(config: RunConfig) -> Iterator[tuple[str, Any, Rule]]:
    """Every field of `config` as (path, value, rule), hidden layers' fields included."""
    for path, value in _values(config):
        layer = _LAYER_PATH.match(path)
        yield path, value, (LAYER_RULES[layer[2]] if layer else RULES[path])


def _values(config: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for item in fields(config):
        value = getattr(config, item.name)
        if dataclasses.is_dataclass(value):
            yield from _values(value, f"{prefix}{item.name}.")
        elif item.name == "hidden":
            yield f"{prefix}hidden", value
            for index, layer in enumerate(value):
                yield from _values(layer, f"{prefix}hidden[{index}].")
        else:
            yield f"{prefix}{item.name}", value


def changed_fields(before: RunConfig, after: RunConfig) -> list[str]:
    """The paths whose values differ, a hidden layer's fields one by one (`model.hidden` itself
    when the number of layers differs)."""
    old, new = dict(_values(before)), dict(_values(after))
    changed = [path for path in old.keys() | new.keys() if old.get(path) != new.get(path)]
    if len(before.model.hidden) == len(after.model.hidden):
        changed = [path for path in changed if path != "model.hidden"]
    else:
        changed = [path for path in changed if not _LAYER_PATH.match(path)]
    return sorted(changed)


def paths_where(flag: str) -> list[str]:
    """The field paths whose rule has `flag` set (live, resumable, batchable, restarts)."""
    rows = [*RULES.items(), *((f"model.hidden[].{name}", rule) for name, rule in LAYER_RULES.items())]
    return [path for path, rule in rows if getattr(rule, flag)]


def rule_of(path: str) -> Rule:
    """The rule of a field path such as `training.lr` or `model.hidden[2].units`."""
    layer = _LAYER_PATH.match(path)
    return LAYER_RULES[layer[2]] if layer else RULES[path]


def shown(value: Any, limit: int = 24) -> str:
    """A value as a message quotes it: numbers in short form, long text cut."""
    if isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, int) and not isinstance(value, bool):
        digits = len(str(abs(value))) if abs(value) < 10**limit else None
        text = str(value) if digits is not None else f"a {len(str(value))}-digit number"
    else:
        text = repr(value)
    return text if len(text) <= limit + 2 else text[:limit] + "…"


def _bound(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def field_problem(where: str, value: Any, rule: Rule) -> str | None:
    """Why `value` breaks the field's rule (its choices, finiteness, bounds); None when it keeps it."""
    if rule.choices is not None:
        names = rule.names()
        if value not in names:
            allowed = ", ".join(name or '""' for name in names)
            return f"{where} must be one of {allowed}; got {shown(value)}"
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{where} must be a finite number, got {value:g}"
    if rule.low is not None and (value <= rule.low if rule.above else value < rule.low):
        return f"{where} must be {'>' if rule.above else '>='} {_bound(rule.low)}, got {shown(value)}"
    if rule.high is not None and (value >= rule.high if rule.below else value > rule.high):
        return f"{where} must be {'<' if rule.below else '<='} {_bound(rule.high)}, got {shown(value)}"
    return None


def _problems(config: RunConfig) -> Iterator[str]:
    for where, value, rule in rules(config):
        problem = field_problem(where, value, rule)
        if problem:
            yield problem
    data, training = config.data, config.training
    if not _DEVICE_PATTERN.match(config.device):
        yield f"device must be auto, cpu, cuda, cuda:N or mps; got {shown(config.device)}"
    if data.dataset == "csv" and not data.path:
        yield "data.path must name a CSV file when data.dataset is csv"
    if data.dataset == "expression":
        yield from _expression_problems(config)
    if data.dataset == "drawn":
        yield from _drawn_problems(config)
    if config.replay in REPLAYS:
        cell = REPLAYS.get(config.replay)
        if (data.dataset, data.size, config.n_val) != (cell.dataset, cell.size, cell.n_val):
            yield (
                f"replay {config.replay!r} trains on the tutorial's own data ({cell.dataset}, {cell.size} "
                f'points, {cell.n_val} for validation); set replay = "" to choose other data'
            )
    yield from _memory_problems(config)
    yield from _model_problems(config)
    if config.style == "scratch" and training.optimizer != "sgd":
        yield f"training.optimizer must be sgd when style is scratch, got {training.optimizer!r}"
    task = DATASETS.get(data.dataset).task if data.dataset in DATASETS else None
    if task and config.task not in ("auto", task):
        yield f"task must be {task} (or auto) for dataset {data.dataset}, got {config.task!r}"
    n_val, size = (config.n_val if math.isfinite(data.val_share) else 0), config.n_points
    if size - n_val < 1 and data.dataset != "csv" and size != 0:  # no drawn points: said above
        yield f"data.val_share leaves no training data: {size} points, {n_val} for validation"
    elif training.batch_size > size - n_val and data.dataset != "csv":
        yield (
            f"training.batch_size must be at most the {size - n_val} training points "
            f"(0 = full batch), got {training.batch_size}"
        )


def _model_problems(config: RunConfig) -> Iterator[str]:
    model, spec = config.model, DATASETS.get(config.data.dataset) if config.data.dataset in DATASETS else None
    names = model.feature_names
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        yield (
            f"model.features: unknown feature {shown(unknown[0])}; choose from {', '.join(FEATURES)} "
            "(comma-separated; empty for the inputs as they are)"
        )
    elif len(set(names)) < len(names):
        yield f"model.features names a feature twice: {shown(model.features)}"
    elif model.features.strip() and not names:
        yield "model.features must name at least one feature, or be empty for the inputs as they are"
    elif names and spec is not None and spec.input_dim not in (None, 2):
        yield f"model.features needs 2-d inputs (x1, x2); dataset {config.data.dataset} has {spec.input_dim}"
    if model.output == "playground" and spec is not None and config.resolved_task == "classification":
        if spec.classes not in (None, 2):
            yield (
                f"model.output playground is one tanh unit for two classes; dataset "
                f"{config.data.dataset} has {spec.classes}"
            )


def _expression_problems(config: RunConfig) -> Iterator[str]:
    try:
        expression = parse_expression(config.data.expression)
    except ValueError as error:
        yield f"data.expression {error}"
        return
    if config.task not in ("auto", expression.task):
        yield (
            f"task must be {expression.task} (or auto) for data.expression {shown(config.data.expression)}, "
            f"got {config.task!r}"
        )
    if config.model.feature_names and expression.input_dim != 2:
        yield "model.features needs 2-d inputs (x1, x2); this expression reads x alone"


def _drawn_problems(config: RunConfig) -> Iterator[str]:
    from nntui.core.drawn import classes_of, points_problem

    problem = points_problem(config.data.points)
    if problem:
        yield problem
    elif config.model.output == "playground" and classes_of(config.data.points) != 2:
        yield (
            f"model.output playground is one tanh unit for two classes; the drawn points have "
            f"{classes_of(config.data.points)}"
        )
