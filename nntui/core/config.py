"""One run, described by one immutable config: loaded from TOML, overridden, validated at the edge."""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

from nntui.core.errors import ConfigError, UserError
from nntui.engine.activations import ACTIVATIONS
from nntui.engine.datasets import DATASETS, TASKS
from nntui.engine.optimizers import OPTIMIZERS

STYLES = ("nn", "scratch")
LOADERS = ("index", "dataloader")
INITS = ("default", "uniform", "demo")
_DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


@dataclass(frozen=True)
class Layer:
    units: int = 100
    activation: str = "relu"

    def __str__(self) -> str:
        return f"{self.units} {self.activation}"


def draw_network(input_dim: int | str, hidden: Iterable[Layer | str], output_dim: int | str) -> str:
    """`1 → 100 relu → 1`; a layer may be drawn as text of its own (`? relu` while unreadable)."""
    return " → ".join([str(input_dim), *map(str, hidden), str(output_dim)])


def resolve_task(task: str, dataset: str) -> str:
    """`auto` is the dataset's own task (regression for one that does not say)."""
    if task != "auto":
        return task
    return DATASETS.get(dataset).task or "regression"


@dataclass(frozen=True)
class DataConfig:
    dataset: str = "x2"
    size: int = 14000
    val_share: float = 2 / 7
    noise: float = 0.0
    seed: int = 42
    path: str = ""


@dataclass(frozen=True)
class ModelConfig:
    hidden: tuple[Layer, ...] = (Layer(),)
    bias: bool = True
    init: str = "default"


@dataclass(frozen=True)
class TrainingConfig:
    optimizer: str = "sgd"
    lr: float = 0.001
    momentum: float = 0.9
    weight_decay: float = 0.0
    epochs: int = 1000
    batch_size: int = 0
    shuffle: bool = False
    seed: int = 42
    val_every: int = 1
    loader: str = "index"

    @property
    def full_batch(self) -> bool:
        return self.batch_size == 0


@dataclass(frozen=True)
class RunConfig:
    """`replay` names a tutorial cell whose random state (data and draws) the run starts from."""

    name: str = "custom"
    task: str = "auto"
    style: str = "nn"
    device: str = "auto"
    replay: str = ""
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)

    @property
    def resolved_task(self) -> str:
        return resolve_task(self.task, self.data.dataset)

    @property
    def n_val(self) -> int:
        return round(self.data.size * self.data.val_share)

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
    except tomllib.TOMLDecodeError:
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


def _problems(config: RunConfig):
    def choice(where: str, value: str, allowed) -> str | None:
        if value not in allowed:
            return f"{where} must be one of {', '.join(allowed)}; got {value!r}"
        return None

    def at_least(where: str, value: float, low: float, strict: bool = False) -> str | None:
        if not math.isfinite(value):
            return f"{where} must be a finite number, got {value:g}"
        if value <= low if strict else value < low:
            return f"{where} must be {'>' if strict else '>='} {low:g}, got {value:g}"
        return None

    data, model, training = config.data, config.model, config.training
    from nntui.engine.tutorial import CELLS

    checks = [
        choice("task", config.task, ("auto", *TASKS)),
        choice("style", config.style, STYLES),
        None
        if _DEVICE_PATTERN.match(config.device)
        else f"device must be auto, cpu, cuda, cuda:N or mps; got {config.device!r}",
        choice("replay", config.replay, ("", *CELLS)),
        choice("data.dataset", data.dataset, DATASETS.names()),
        at_least("data.size", data.size, 2),
        at_least("data.noise", data.noise, 0),
        None if 0 <= data.val_share < 1 else f"data.val_share must be in [0, 1), got {data.val_share:g}",
        None
        if data.dataset != "csv" or data.path
        else "data.path must name a CSV file when data.dataset is csv",
        choice("model.init", model.init, INITS),
        choice("training.optimizer", training.optimizer, OPTIMIZERS.names()),
        at_least("training.lr", training.lr, 0, strict=True),
        at_least("training.momentum", training.momentum, 0),
        at_least("training.weight_decay", training.weight_decay, 0),
        at_least("training.epochs", training.epochs, 0),
        at_least("training.batch_size", training.batch_size, 0),
        at_least("training.val_every", training.val_every, 1),
        choice("training.loader", training.loader, LOADERS),
    ]
    yield from filter(None, checks)
    for index, layer in enumerate(model.hidden):
        yield from filter(
            None,
            [
                at_least(f"model.hidden[{index}].units", layer.units, 1),
                choice(f"model.hidden[{index}].activation", layer.activation, ACTIVATIONS.names()),
            ],
        )
    if training.momentum >= 1:
        yield f"training.momentum must be < 1, got {training.momentum:g}"
    if config.style == "scratch" and training.optimizer != "sgd":
        yield f"training.optimizer must be sgd when style is scratch, got {training.optimizer!r}"
    task = DATASETS.get(data.dataset).task if data.dataset in DATASETS else None
    if task and config.task not in ("auto", task):
        yield f"task must be {task} (or auto) for dataset {data.dataset}, got {config.task!r}"
    n_val = config.n_val
    if data.size - n_val < 1 and data.dataset != "csv":
        yield f"data.val_share leaves no training data: {data.size} points, {n_val} for validation"
    elif training.batch_size > data.size - n_val and data.dataset != "csv":
        yield (
            f"training.batch_size must be at most the {data.size - n_val} training points "
            f"(0 = full batch), got {training.batch_size}"
        )
