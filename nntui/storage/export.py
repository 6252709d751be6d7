"""Taking a run home: its metrics as CSV or JSON, its model as a plain `.pt` state_dict, and the
whole experiment as a standalone PyTorch script that reproduces it."""

from __future__ import annotations

import csv
import inspect
import io
import json
import math
import pprint
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from nntui.core.choices import CLASSIFICATION, DATASETS, FEATURES
from nntui.core.config import RunConfig
from nntui.core.errors import UserError
from nntui.core.metrics import History
from nntui.core.records import EXPORT_FORMATS as FORMATS
from nntui.core.records import RunRecord
from nntui.engine.datasets import GENERATORS
from nntui.engine.model import input_units, output_units, tanh_output
from nntui.engine.optimizers import OPTIMIZER_BUILDERS
from nntui.storage.runs import RunStore, write_atomic


def metrics_csv(history: History) -> str:
    """One row per epoch; empty cells where an epoch was not evaluated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["epoch", *history.column_names()])
    for row in history.rows():
        writer.writerow(["" if value is None else value for value in row.values()])
    return buffer.getvalue()


def run_json(record: RunRecord, history: History) -> str:
    from nntui.storage.runs import _json_safe

    return json.dumps(_json_safe({"run": record.to_dict(), "history": history.rows()}), indent=1) + "\n"


def data_csv(config: RunConfig) -> str:
    """The run's data as a CSV that the csv dataset reads back: the input columns, then the
    target. A drawn set is written as listed (no noise, in drawing order); other data as the run
    trains on it, training points first, so the same data.val_share holds out the same points."""
    if config.data.dataset == "drawn":
        return points_csv(config.data.points)
    from nntui.engine.trainer import load_data

    data, _ = load_data(config)
    x = torch.cat([data.x_train, data.x_val]).cpu().numpy()
    y = torch.cat([data.y_train, data.y_val]).reshape(len(x), -1).cpu().numpy()
    inputs = ["x"] if x.shape[1] == 1 else [f"x{i + 1}" for i in range(x.shape[1])]
    target = "class" if data.task == CLASSIFICATION else "y"
    return _csv_text([*inputs, target], (row for row in zip(*x.T, y[:, 0])))


def points_csv(points: str) -> str:
    """Drawn points (`x1,x2,class;…`) as CSV rows under an `x1,x2,class` header."""
    from nntui.core.drawn import parse_points

    return _csv_text(["x1", "x2", "class"], [(p.x1, p.x2, p.label) for p in parse_points(points)])


def _csv_text(header: list[str], rows) -> str:
    """Rows whose numbers are written in their shortest exact form (float32 as float32)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([str(value) for value in row] for row in rows)
    return buffer.getvalue()


def write_csv(content: str, destination: str | Path) -> str:
    """A CSV file written whole or not at all (missing folders made); where it went."""
    target = Path(destination).expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, lambda file: file.write(content.encode()))
    except OSError as error:
        raise UserError(f"cannot write {target}: {error.strerror or error}") from None
    return str(target)


def export_name(record: RunRecord, format: str) -> str:
    return f"nntui-{record.id}-data.csv" if format == "data" else f"nntui-{record.id}.{format}"


def export_run(store: RunStore, record: RunRecord, format: str, destination: str | None = None) -> str:
    """Write the run in `format` to `destination` (default ./nntui-<id>.<format>; `-` is stdout for
    the text formats; missing folders are made) and return where it went."""
    if format not in FORMATS:
        raise UserError(f"unknown export format {format!r}; choose one of: {', '.join(FORMATS)}")
    if format == "pt":
        state = store.saved_state(record.id).checkpoint.model_state
        content = None
    elif format == "py":
        content = script(record, store.history(record.id))
    elif format == "csv":
        content = metrics_csv(store.history(record.id))
    elif format == "data":
        content = data_csv(record.config)
    else:
        content = run_json(record, store.history(record.id))
    if destination == "-":
        if content is None:
            raise UserError("a .pt file is binary: give --output a file name, not -")
        sys.stdout.write(content)
        return "-"
    target = Path(destination or export_name(record, format)).expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            write_atomic(target, lambda file: torch.save(state, file))
        else:
            write_atomic(target, lambda file: file.write(content.encode()))
    except OSError as error:
        raise UserError(f"cannot write {target}: {error.strerror or error}") from None
    return str(target)


def script(record: RunRecord, history: History | None = None) -> str:
    """A readable PyTorch script, importing only torch and the standard library, that rebuilds the
    run's data, initial weights, batches and updates and prints each epoch's mean training loss.
    With the run's `history`, learning rates set while it trained, and weights edited by hand
    while it was paused, are set at the same epochs."""
    from nntui.engine.trainer import load_data

    config = record.config
    data, _ = load_data(config)
    dims = [
        input_units(config, data.input_dim),
        *(layer.units for layer in config.model.hidden),
        output_units(config, data.task, data.n_classes),
    ]
    lr_changes = lr_changes_of(config, history) if history is not None else {}
    constants = _constants(record, config, dims, len(data.x_val))
    if lr_changes:
        constants += (
            f"\nLR_CHANGES = {lr_changes!r}  # epoch: the learning rate set from it on, as in the run"
        )
    edits, cannot = edits_of(history, dims) if history is not None else ({}, "")
    if edits:
        constants += (
            f"\nEDITS = {edits!r}  # epoch: (layer, neuron, input or None for the bias, value) set by hand"
        )
    parts = [_data_source(config), _model_source(config, dims), _loss_source(config, data.task)]
    if edits:
        parts.append(_edit_source(config))
    parts.append(_train_source(config, data.task, len(data.x_val) > 0, bool(lr_changes), bool(edits)))
    code = "\n\n\n".join(parts)
    imports = _imports(config, constants + code)
    header = _header(record, config)
    if cannot:
        header += f"\n# NOTE: {cannot}"
    return f"{header}\n\n{imports}\n\n{constants}\n\n\n{code}\n"


def edits_of(history: History, dims: list[int]) -> tuple[dict[int, list[tuple]], str]:
    """The hand edits by epoch, as the script applies them, and why some cannot be ("" if none)."""
    edits: dict[int, list[tuple]] = {}
    for raw in history.edits:
        try:
            epoch, layer, neuron = int(raw["epoch"]), int(raw["layer"]), int(raw["neuron"])
            inputs = None if raw["input"] is None else int(raw["input"])
            value = float(raw["new"])
        except (KeyError, TypeError, ValueError):
            return (
                {},
                "this run's history records hand edits it cannot read: the script does not reproduce them",
            )
        if (
            not 1 <= layer < len(dims)
            or not 0 <= neuron < dims[layer]
            or (inputs is not None and not 0 <= inputs < dims[layer - 1])
        ):
            return (
                {},
                f"an edit of layer {layer} neuron {neuron + 1} does not fit this network: "
                "the script does not reproduce the run's edits",
            )
        edits.setdefault(epoch, []).append((layer, neuron, inputs, value))
    return edits, ""


def _edit_source(config: RunConfig) -> str:
    if config.style == "scratch":
        lines = [
            "        if inputs is None:",
            "            model.biases[layer - 1][neuron] = value",
            "        else:",
            "            model.weights[layer - 1][inputs, neuron] = value",
        ]
    else:
        lines = [
            "        linear = [m for m in model.layers if isinstance(m, nn.Linear)][layer - 1]",
            "        if inputs is None:",
            "            linear.bias[neuron] = value",
            "        else:",
            "            linear.weight[neuron, inputs] = value",
        ]
    body = "\n".join(lines)
    return f'''def set_weight(model, layer, neuron, inputs, value):
    """A weight (from unit `inputs` of the layer before) or, where `inputs` is None, a bias, set by
    hand as in the run while it was paused; layers count from 1, neurons and inputs from 0."""
    with torch.no_grad():
{body}'''


def lr_changes_of(config: RunConfig, history: History) -> dict[int, float]:
    """The epochs from which a learning rate set during the run (the app's lr field) applied."""
    changes, current = {}, config.training.lr
    for row in history.rows():
        if row["lr"] is not None and row["lr"] != current:
            current = changes[int(row["epoch"])] = row["lr"]
    return changes


def _header(record: RunRecord, config: RunConfig) -> str:
    training = config.training
    batches = "full batch" if training.full_batch else f"batches of {training.batch_size}"
    if config.replay:
        data_note = (
            f"The data and the random state come from replaying the tutorial notebook up to its\n"
            f"{config.replay!r} cell: torch.manual_seed(42), then every random draw its earlier cells made,\n"
            f"so this reproduces the tutorial's figures as nntui's {config.name!r} preset does."
        )
    else:
        data_note = (
            f"The data is drawn from data seed {config.data.seed}; the initial weights and each epoch's\n"
            f"shuffle from training seed {config.training.seed}, in the order nntui draws them."
        )
    return f'''"""nntui run {record.id}: {config.name}, {record.architecture}, {record.dataset} data.

{training.optimizer} lr {training.lr:g}, {batches}{", shuffled" if training.shuffle else ""}, \
{training.epochs} epochs, {config.style} style.
A standalone PyTorch script exported by nntui: it needs only torch. It rebuilds the run's data,
initial weights, batches and updates and prints each epoch's mean training loss (nntui's
train_loss), so its figures match the run's on the same device to float rounding.
{data_note}

    python {f"nntui-{record.id}.py"} [--epochs N] [--save model.pt]
"""'''


def _imports(config: RunConfig, code: str) -> str:
    """The imports the script's code uses: standard library first, then torch."""
    standard = {"import argparse", *_helper_imports(config)}
    if "math." in code:
        standard.add("import math")
    torch_imports = ["import torch"]
    if "F." in code:
        torch_imports.append("import torch.nn.functional as F")
    if "nn." in code:
        torch_imports.append("from torch import nn")
    return "\n".join([*sorted(standard), "", *torch_imports])


def _constants(record: RunRecord, config: RunConfig, dims: list[int], n_val: int) -> str:
    training = config.training
    device_note = f"  # the run trained on {record.device}" if record.device not in ("", "cpu") else ""
    lines = [
        f'DEVICE = torch.device("cpu"){device_note}',
        f"DIMS = {dims}  # inputs, hidden units, outputs",
        f"EPOCHS = {training.epochs}",
        f"BATCH_SIZE = {training.batch_size or 'None'}  # None: the whole training set at once",
        f"LR = {training.lr!r}",
    ]
    if not config.replay:
        data = config.data
        lines[1:1] = [
            f"DATA_SEED = {data.seed}",
            f"SIZE = {data.size}",
            f"NOISE = {data.noise!r}",
            f"VAL_POINTS = {n_val}  # the last points, held out for validation",
            f"TRAINING_SEED = {training.seed}",
        ]
        if data.path and data.dataset not in ("expression", "drawn"):
            lines.insert(1, f"CSV_PATH = {data.path!r}")
        if data.dataset == "expression":
            lines.insert(1, f"EXPRESSION = {data.expression!r}  # the target, y = …, or a condition")
        if data.dataset == "drawn":
            lines.insert(1, _points_constant(data.points))
    if n_val:
        lines.append(f"VAL_EVERY = {training.val_every}  # and on the last epoch")
    return "\n".join(lines)


def _points_constant(points: str, width: int = 88) -> str:
    """The drawn points, embedded: one string literal split over lines at whole points."""
    lines, line = [], ""
    for part in filter(None, (p.strip() for p in points.split(";"))):
        if line and len(line) + len(part) + 1 > width:
            lines.append(line + ";")
            line = ""
        line = f"{line};{part}" if line else part
    lines.append(line)
    body = "\n".join(f"    {text!r}" for text in lines)
    return f"POINTS = (  # the drawn set: x1,x2,class;… on [-1, 1]²\n{body}\n)"


# --- the data ---------------------------------------------------------------------------------


def _data_source(config: RunConfig) -> str:
    if config.replay:
        return _replay_source(config)
    make = GENERATORS.get(config.data.dataset)
    functions: dict[str, str] = {}
    _collect_source(make, functions)
    task = config.resolved_task
    shape = "y.long()" if task == CLASSIFICATION else "y.float().reshape(-1, 1)"
    path = "CSV_PATH" if config.data.path else '""'
    if config.data.dataset == "expression":
        path = "EXPRESSION"
    if config.data.dataset == "drawn":
        path = "POINTS"
    extent = config.data.extent
    extent = (
        f"\n    x = x * {extent!r}  # data.extent"
        if DATASETS.get(config.data.dataset).playground and extent != 1
        else ""
    )
    functions = [*functions.values()]
    functions[0] = f"# The dataset, generated as nntui generates it.\n{functions[0]}"
    return "\n\n\n".join(
        [
            *functions,
            f'''def load_data():
    """The whole set from DATA_SEED; the last VAL_POINTS points are held out for validation."""
    x, y = {make.__name__}(SIZE, NOISE, torch.Generator().manual_seed(DATA_SEED), {path}){extent}
    x, y = x.float(), {shape}
    n_train = len(x) - VAL_POINTS
    g = torch.Generator().manual_seed(TRAINING_SEED)  # draws the initial weights and the shuffles
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:], g''',
        ]
    )


def _collect_source(function: Callable, found: dict[str, str]) -> None:
    """The source of `function` and of the module-level helpers and constants it uses, helpers
    first; imports and names from outside nntui are left to `_helper_imports`."""
    for name in function.__code__.co_names:
        value = function.__globals__.get(name)
        if name in found or value is None or value is function or name.startswith("__"):
            continue  # a recursive helper names itself; `type(x).__name__` is no module constant
        if isinstance(value, types.FunctionType) and value.__module__ == function.__module__:
            _collect_source(value, found)
        elif (
            isinstance(value, type) and issubclass(value, Exception) and value.__module__.startswith("nntui")
        ):
            found[name] = f"class {name}(Exception):\n    pass"
        elif isinstance(value, list | tuple | int | float | str):
            found[name] = f"{name} = {pprint.pformat(value, width=80)}"
    found[function.__name__] = inspect.getsource(function).strip()


def _helper_imports(config: RunConfig) -> set[str]:
    if config.replay:
        return set()
    make = GENERATORS.get(config.data.dataset)
    imports: set[str] = set()
    for function in _functions_used(make):
        for name in function.__code__.co_names:
            value = function.__globals__.get(name)
            if isinstance(value, types.ModuleType) and value.__name__ not in ("torch", "math"):
                imports.add(f"import {value.__name__}")
            elif isinstance(value, type) and not value.__module__.startswith(("nntui", "builtins", "torch")):
                imports.add(f"from {value.__module__.split('._')[0]} import {name}")
    return imports


def _functions_used(function: Callable) -> list[Callable]:
    found = [function]
    for name in function.__code__.co_names:
        value = function.__globals__.get(name)
        if (
            isinstance(value, types.FunctionType)
            and value.__module__ == function.__module__
            and value is not function
        ):
            found += _functions_used(value)
    return found


class _DrawLog(TorchFunctionMode):
    """Every torch call that draws from an explicit generator, in order, with its result."""

    def __init__(self) -> None:
        super().__init__()
        self.draws: list[tuple[str, tuple, dict, Any]] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        if kwargs.get("generator") is not None:
            rest = {key: value for key, value in kwargs.items() if key != "generator"}
            self.draws.append((func.__name__, args, rest, result))
        return result


def _draw_code(name: str, args: tuple, kwargs: dict) -> str:
    """The line of code that makes the same draw from `g`."""
    if name in ("rand", "randn"):
        shape = [int(n) for arg in args for n in (arg if isinstance(arg, tuple | list) else [arg])]
        return f"torch.{name}({', '.join(map(str, shape))}, generator=g)"
    tensor = args[0] if args else kwargs["tensor"]
    empty = (
        f"torch.empty({tuple(tensor.shape)!r}{', dtype=torch.int64' if tensor.dtype == torch.int64 else ''})"
    )
    if name == "uniform_":
        return f"{empty}.uniform_({args[1]!r}, {args[2]!r}, generator=g)"
    if name == "random_":
        return f"{empty}.random_(generator=g)"
    if name == "kaiming_uniform_":
        a = kwargs.get("a", 0)
        a_code = "math.sqrt(5)" if a == math.sqrt(5) else repr(a)
        return f"nn.init.kaiming_uniform_({empty}, a={a_code}, generator=g)"
    raise ValueError(f"cannot write the draw {name} as code")


_REPLAY_TARGETS = {"x2": "{x}.pow(2)", "rings": "rings_labels({x})"}


def _replay_source(config: RunConfig) -> str:
    """The notebook's draws up to the cell, found by replaying them under a `_DrawLog`."""
    from nntui.engine.datasets import rings_labels
    from nntui.engine.tutorial import SEED, replay

    with _DrawLog() as log:
        _, data = replay(config.replay)
    inputs = {"x_train": data.x_train, "x_val": data.x_val}
    found: dict[str, tuple[int, str]] = {}
    for index, (name, _, _, result) in enumerate(log.draws):
        drawn = 2 * result - 1 if name == "rand" else None
        for role, x in inputs.items():
            if drawn is None or not len(x) or len(drawn) < len(x):
                continue
            start = 0 if role == "x_train" else len(drawn) - len(x)
            if torch.equal(drawn[start : start + len(x)], x):
                part = "" if len(drawn) == len(x) else f"[:{len(x)}]" if start == 0 else f"[{start}:]"
                found[role] = (index, f"{role} = x{part}")
    lines: list[str] = []
    for index, (name, args, kwargs, _) in enumerate(log.draws):
        code = _draw_code(name, args, kwargs)
        assignments = [line for at, line in found.values() if at == index]
        lines += [f"x = 2 * {code} - 1", *assignments] if assignments else [code]
    if "x_val" not in found:
        lines.append("x_val = x_train[:0]")
    target = _REPLAY_TARGETS[config.data.dataset]
    helpers: dict[str, str] = {}
    if config.data.dataset == "rings":
        _collect_source(rings_labels, helpers)
    body = "\n".join(f"    {line}" for line in _loops(lines))
    load = f'''def load_data():
    """The tutorial notebook's data and random state where its {config.replay!r} cell builds its model:
    torch.manual_seed({SEED}), then every random draw the notebook made before, in order."""
    g = torch.Generator().manual_seed({SEED})
{body}
    y_train, y_val = {target.format(x="x_train")}, {target.format(x="x_val")}
    return x_train, y_train, x_val, y_val, g'''
    return "\n\n\n".join([*helpers.values(), load])


def _loops(lines: list[str], longest_block: int = 8) -> list[str]:
    """Runs of a repeated line, or block of lines, as a for loop."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        best_size, best_count = 1, 1
        for size in range(1, longest_block + 1):
            block = lines[index : index + size]
            count = 1
            while lines[index + count * size : index + (count + 1) * size] == block:
                count += 1
            if count > 1 and size * count > best_size * best_count and (size > 1 or count > 2):
                best_size, best_count = size, count
        block = lines[index : index + best_size]
        if best_count > 1:
            out += [f"for _ in range({best_count}):", *(f"    {line}" for line in block)]
        else:
            out += block
        index += best_size * best_count
    return out


# --- the model --------------------------------------------------------------------------------


def _activation(name: str) -> str:
    from nntui.engine.activations import ACTIVATION_FUNCTIONS

    return f"nn.{ACTIVATION_FUNCTIONS.get(name).module.__name__}()"


# What each of Playground's input features computes, as nntui.engine.features does.
FEATURE_CODE = {
    "x1": "x1",
    "x2": "x2",
    "x1sq": "x1 * x1",
    "x2sq": "x2 * x2",
    "x1x2": "x1 * x2",
    "sinx1": "torch.sin(x1)",
    "sinx2": "torch.sin(x2)",
}


def _features_source(config: RunConfig) -> str:
    names = config.model.feature_names
    if not names:
        return ""
    shown = ", ".join(FEATURES.get(name).description for name in names)
    return f'''def features(x):
    """What the network sees of each point: {shown}."""
    x1, x2 = x[..., 0], x[..., 1]
    return torch.stack([{", ".join(FEATURE_CODE[name] for name in names)}], dim=-1)


'''


def _model_source(config: RunConfig, dims: list[int]) -> str:
    init = config.model.init
    bias = config.model.bias
    activations = [_activation(layer.activation) for layer in config.model.hidden]
    featured = bool(config.model.feature_names)
    if config.style == "scratch":
        return _features_source(config) + _scratch_model(
            init, bias, activations, featured, tanh_output(config)
        )
    lines = []
    for index, (fan_in, fan_out) in enumerate(zip(dims, dims[1:])):
        lines.append(f"nn.Linear({fan_in}, {fan_out}{'' if bias else ', bias=False'}),")
        if index < len(activations):
            lines.append(f"{activations[index]},")
    if tanh_output(config):
        lines.append("nn.Tanh(),  # Playground's output unit")
    layers = "\n".join(f"            {line}" for line in lines)
    inputs = "features(x)" if featured else "x"
    return (
        _features_source(config)
        + f'''class MLP(nn.Module):
    """The network; its state_dict has the keys of the run's model.pt."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
{layers}
        )

    def forward(self, x):
        return self.layers({inputs})


{_nn_init(init, bias)}


def build_model(g):
    model = MLP()
    initialise(model, g)
    return model.to(DEVICE)'''
    )


def _nn_init(init: str, bias: bool) -> str:
    loop = "for layer in linears:"
    if init == "default":
        doc = "torch.nn.Linear's own initialisation, drawn from `g` layer by layer: weight, then bias."
        draws = ["nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=g)"]
        if bias:
            draws += [
                "bound = 1 / math.sqrt(layer.in_features)",
                "layer.bias.uniform_(-bound, bound, generator=g)",
            ]
    elif init == "uniform":
        doc = "U[-1, 1), as the tutorial's from-scratch cells: W drawn as (in, out), then B."
        draws = [
            "w = torch.empty(layer.in_features, layer.out_features).uniform_(-1, 1, generator=g)",
            "layer.weight.copy_(w.T)",
        ]
        if bias:
            draws.append("layer.bias.uniform_(-1, 1, generator=g)")
    elif init == "playground":
        doc = "Playground's: weights from U(-0.5, 0.5), drawn as (in, out); biases 0.1."
        draws = [
            "w = torch.rand(layer.in_features, layer.out_features, generator=g) - 0.5",
            "layer.weight.copy_(w.T)",
        ]
        if bias:
            draws.append("layer.bias.fill_(0.1)")
    else:
        doc = "The tutorial's untrained network: 2·rand − 1, and 2·randn − 1 for the output layer."
        loop = "for index, layer in enumerate(linears):"
        draws = [
            "draw = torch.randn if index == len(linears) - 1 else torch.rand",
            "layer.weight.copy_((2 * draw(layer.in_features, layer.out_features, generator=g) - 1).T)",
        ]
        if bias:
            draws.append("layer.bias.copy_(2 * draw(layer.out_features, generator=g) - 1)")
    lines = [
        "def initialise(model, g):",
        f'    """{doc}"""',
        "    linears = [layer for layer in model.layers if isinstance(layer, nn.Linear)]",
        "    with torch.no_grad():",
        f"        {loop}",
        *(f"            {line}" for line in draws),
    ]
    return "\n".join(lines)


def _scratch_model(init: str, bias: bool, activations: list[str], featured: bool, tanh: bool) -> str:
    loop = "for fan_in, fan_out in zip(DIMS, DIMS[1:]):"
    if init == "default":
        weight_lines = [
            "w = torch.empty(fan_out, fan_in)",
            "nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=g)",
            "w = w.T.contiguous()",
        ]
        bias_lines = [
            "bound = 1 / math.sqrt(fan_in)",
            "b = torch.empty(fan_out).uniform_(-bound, bound, generator=g)",
        ]
    elif init == "uniform":
        weight_lines = ["w = torch.empty(fan_in, fan_out).uniform_(-1, 1, generator=g)"]
        bias_lines = ["b = torch.empty(fan_out).uniform_(-1, 1, generator=g)"]
    elif init == "playground":
        weight_lines = ["w = torch.rand(fan_in, fan_out, generator=g) - 0.5"]
        bias_lines = ["b = torch.full((fan_out,), 0.1)"]
    else:
        loop = "for index, (fan_in, fan_out) in enumerate(zip(DIMS, DIMS[1:])):"
        weight_lines = [
            "draw = torch.randn if index == len(DIMS) - 2 else torch.rand",
            "w = 2 * draw(fan_in, fan_out, generator=g) - 1",
        ]
        bias_lines = ["b = 2 * draw(fan_out, generator=g) - 1"]
    lines = [*weight_lines, "self.weights.append(w.to(DEVICE).requires_grad_())"]
    if bias:
        lines += [*bias_lines, "self.biases.append(b.to(DEVICE).requires_grad_())"]
    draws = "\n".join(f"            {line}" for line in lines)
    first = "        x = features(x)\n" if featured else ""
    last = "torch.tanh(x)  # Playground's output unit" if tanh else "x"
    return f'''ACTIVATIONS = [{", ".join(activations)}]


class ScratchMLP:
    """From scratch, as the tutorial: weight and bias tensors with requires_grad, `X @ W + B`."""

    def __init__(self, g):
        self.weights, self.biases = [], []
        {loop}
{draws}

    def __call__(self, x):
{first}        for index, w in enumerate(self.weights):
            x = x @ w + self.biases[index] if self.biases else x @ w
            if index < len(ACTIVATIONS):
                x = ACTIVATIONS[index](x)
        return {last}

    def parameters(self):
        return self.weights + self.biases

    def state_dict(self):
        """Keys W1, B1, W2, … as the tutorial names them (and the run's model.pt)."""
        state = {{}}
        for index, w in enumerate(self.weights, start=1):
            state[f"W{{index}}"] = w.detach()
            if self.biases:
                state[f"B{{index}}"] = self.biases[index - 1].detach()
        return state


def build_model(g):
    return ScratchMLP(g)'''


def _loss_source(config: RunConfig, task: str) -> str:
    if config.model.output == "playground" and task == CLASSIFICATION:
        body = "0.5 * (predicted.squeeze(-1) - (2 * target - 1)).pow(2).mean()"
        doc = "Playground's ½(out − y)², classes 0 and 1 as labels −1 and +1."
    elif config.model.output == "playground":
        body, doc = "0.5 * (predicted - target).pow(2).mean()", "Playground's ½(out − y)²."
    elif task == CLASSIFICATION:
        body, doc = "F.cross_entropy(predicted, target)", "Cross-entropy over the classes."
    elif config.style == "scratch":
        body, doc = "(target - predicted).pow(2).mean()", "Mean squared error, written out as the tutorial."
    else:
        body, doc = "F.mse_loss(predicted, target)", "Mean squared error."
    source = f'''def loss_of(predicted, target):
    """{doc}"""
    return {body}'''
    training = config.training
    if training.regularization == "none" or not training.reg_rate:
        return source
    term = "w.abs()" if training.regularization == "l1" else "0.5 * w.pow(2)"
    weights = (
        "model.weights"
        if config.style == "scratch"
        else "[layer.weight for layer in model.layers if isinstance(layer, nn.Linear)]"
    )
    return f'''{source}


def penalty(model):
    """{training.regularization.upper()} over the weights (not the biases), added to the loss minimised."""
    terms = [({term}).sum() for w in {weights}]
    return {training.reg_rate!r} * torch.stack(terms).sum()'''


# --- the training loop ------------------------------------------------------------------------


def _optimizer_source(config: RunConfig) -> str:
    training = config.training
    if config.style == "scratch":
        decay = training.weight_decay
        decay = f"                p.grad.add_(p, alpha={decay!r})\n" if decay else ""
        return f'''class GradientDescent:
    """Plain gradient descent under no_grad, as the tutorial writes it by hand."""

    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    def step(self):
        with torch.no_grad():
            for p in self.params:
{decay}                p -= self.lr * p.grad

    def zero_grad(self):
        for p in self.params:
            p.grad.zero_()


def build_optimizer(model):
    return GradientDescent(model.parameters(), LR)'''
    probe = OPTIMIZER_BUILDERS.get(training.optimizer)(
        [torch.zeros(1, requires_grad=True)], training.lr, training.momentum, training.weight_decay
    )
    kind = type(probe)
    signature = inspect.signature(kind.__init__).parameters
    arguments = ["model.parameters()", "lr=LR"]
    for name, value in probe.defaults.items():
        if name != "lr" and name in signature and signature[name].default != value:
            arguments.append(f"{name}={value!r}")
    return f"""def build_optimizer(model):
    return torch.optim.{kind.__name__}({", ".join(arguments)})"""


def _train_source(
    config: RunConfig, task: str, has_validation: bool, lr_changes: bool = False, edits: bool = False
) -> str:
    training = config.training
    loader = training.loader == "dataloader"
    classify = task == CLASSIFICATION
    parts = [_optimizer_source(config)]
    penalised = training.regularization != "none" and bool(training.reg_rate)
    if loader:
        parts.append('''def draw_loop_start(g):
    """What each `for ... in DataLoader` start draws from its generator: one int64 base seed."""
    return int(torch.empty((), dtype=torch.int64).random_(generator=g))''')
    classes = "(predicted[:, 0] > 0).long()" if tanh_output(config) else "predicted.argmax(1)"
    accuracy = f"{classes}.eq(y).float().mean().item()" if classify else "None"
    parts.append(f'''def evaluate(model, x, y):
    """Loss (and accuracy) on a whole set, without training."""
    with torch.no_grad():
        predicted = model(x)
        return loss_of(predicted, y).item(), {accuracy}''')
    epoch_lines = ["draw_loop_start(g)"] if loader else []
    if edits:
        epoch_lines += [
            "for layer, neuron, inputs, value in EDITS.get(epoch, ()):",
            "    set_weight(model, layer, neuron, inputs, value)",
        ]
    if lr_changes:
        epoch_lines.append("if epoch in LR_CHANGES:")
        if config.style == "scratch":
            epoch_lines.append("    optimizer.lr = LR_CHANGES[epoch]")
        else:
            epoch_lines += [
                "    for group in optimizer.param_groups:",
                '        group["lr"] = LR_CHANGES[epoch]',
            ]
    if training.shuffle:
        if loader:
            epoch_lines += [
                "sampler = torch.Generator().manual_seed(draw_loop_start(g))",
                "order = torch.randperm(len(x_train), generator=sampler).to(DEVICE)",
            ]
        else:
            epoch_lines.append("order = torch.randperm(len(x_train), generator=g).to(DEVICE)")
        epoch_lines.append("x, y = x_train[order], y_train[order]")
    else:
        epoch_lines.append("x, y = x_train, y_train")
    epoch_lines += [
        "losses = []",
        "for begin in range(0, len(x), batch_size):",
        "    xb, yb = x[begin : begin + batch_size], y[begin : begin + batch_size]",
        "    loss = loss_of(model(xb), yb)",
        "    (loss + penalty(model)).backward()" if penalised else "    loss.backward()",
        "    optimizer.step()",
        "    optimizer.zero_grad()",
        "    losses.append(loss.detach())",
        'line = f"epoch {epoch}: train loss {torch.stack(losses).mean().item():.9g}"',
    ]
    if has_validation:
        measured = ["draw_loop_start(g)"] if loader else []
        measured += [
            "val_loss, val_accuracy = evaluate(model, x_val, y_val)",
            'line += f", val loss {val_loss:.9g}"',
        ]
        if classify:
            measured.append('line += f", val accuracy {val_accuracy:.4f}"')
        epoch_lines.append("if epoch % VAL_EVERY == 0 or epoch == epochs - 1:")
        epoch_lines += [f"    {line}" for line in measured]
    epoch_lines.append("print(line)")
    body = "\n".join(f"        {line}" for line in epoch_lines)
    final = ["train_loss, train_accuracy = evaluate(model, x_train, y_train)"]
    final.append('summary = f"after {epochs} epochs: train loss {train_loss:.9g}"')
    if classify:
        final.append('summary += f", train accuracy {train_accuracy:.4f}"')
    if has_validation:
        final += [
            "val_loss, val_accuracy = evaluate(model, x_val, y_val)",
            'summary += f", val loss {val_loss:.9g}"',
        ]
        if classify:
            final.append('summary += f", val accuracy {val_accuracy:.4f}"')
    final.append("print(summary)")
    final_body = "\n".join(f"    {line}" for line in final)
    parts.append(f"""def train(epochs):
    x_train, y_train, x_val, y_val, g = load_data()
    x_train, y_train, x_val, y_val = (t.to(DEVICE) for t in (x_train, y_train, x_val, y_val))
    model = build_model(g)
    optimizer = build_optimizer(model)
    batch_size = BATCH_SIZE or len(x_train)
    for epoch in range(epochs):
{body}
{final_body}
    return model


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--save", metavar="PATH", help="write the trained state_dict to PATH")
    args = parser.parse_args()
    trained = train(args.epochs)
    if args.save:
        torch.save(trained.state_dict(), args.save)""")
    return "\n\n\n".join(parts)
