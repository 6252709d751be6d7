"""Datasets: generated from a seed as tensors (or read from a CSV), split into train and validation."""

from __future__ import annotations

import ast
import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from nntui.core.choices import CLASSIFICATION, DATASETS
from nntui.core.errors import UserError
from nntui.core.registry import Implementations

Make = Callable[[int, float, torch.Generator, str], tuple[torch.Tensor, torch.Tensor]]
# `make(size, noise, generator, path)` returns inputs (n, d) and raw targets (n,).
GENERATORS: Implementations[Make] = Implementations(DATASETS)


def _uniform(n: int, d: int, g: torch.Generator) -> torch.Tensor:
    return 2 * torch.rand(n, d, generator=g) - 1


def _noisy(x: torch.Tensor, noise: float, g: torch.Generator) -> torch.Tensor:
    return x + noise * torch.randn(x.shape, generator=g) if noise > 0 else x


def make_x2(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    x = _uniform(n, 1, g)
    return x, _noisy(x.pow(2), noise, g).squeeze(1)


def rings_labels(x: torch.Tensor) -> torch.Tensor:
    """The tutorial's classes: 1 where r² >= 1, 2 where r² < 0.25, else 0."""
    r2 = x[:, 0].pow(2) + x[:, 1].pow(2)
    y = torch.zeros(len(x), dtype=torch.long)
    y[r2 >= 1] = 1
    y[r2 < 0.25] = 2
    return y


def make_rings(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    x = _uniform(n, 2, g)
    return _noisy(x, noise, g), rings_labels(x)


# Playground draws its data on a plane of [-6, 6]²; nntui's plane is [-1, 1]², so each of
# Playground's datasets is generated in Playground's units, exactly by its rules, then divided by
# this (data.extent multiplies it back out: 6 reproduces Playground's own coordinates).
PLAYGROUND_HALF_WIDTH = 6.0


def _uniform_between(n: int, low: float, high: float, g: torch.Generator) -> torch.Tensor:
    return low + (high - low) * torch.rand(n, generator=g)


def _label_noise(n: int, half_width: float, noise: float, g: torch.Generator) -> torch.Tensor:
    """Playground's noise: an offset of U(-w, w)·noise per coordinate, added to the point whose
    label is computed (not to the point drawn), so labels flip near the boundary."""
    return torch.stack([_uniform_between(n, -half_width, half_width, g) * noise for _ in range(2)], dim=1)


def _as_classes(signs: torch.Tensor) -> torch.Tensor:
    """Playground's labels +1 and -1 as nntui's classes 1 and 0."""
    return (signs > 0).long()


def _playground_points(x: torch.Tensor, y: torch.Tensor, g: torch.Generator) -> tuple:
    """Shuffled, as Playground shuffles before splitting, and scaled to nntui's plane."""
    order = torch.randperm(len(x), generator=g)
    return x[order] / PLAYGROUND_HALF_WIDTH, y[order]


def circle_label(points: torch.Tensor) -> torch.Tensor:
    """Class 1 inside radius 2.5 (Playground's units), else 0."""
    return (points.norm(dim=1) < 2.5).long()


def make_circle(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    """n/2 points at radius U(0, 2.5) and n/2 at U(3.5, 5); labels from the noisy point."""
    inside = n // 2
    r = torch.cat([_uniform_between(inside, 0, 2.5, g), _uniform_between(n - inside, 3.5, 5, g)])
    angle = _uniform_between(n, 0, 2 * math.pi, g)
    x = torch.stack([r * torch.sin(angle), r * torch.cos(angle)], dim=1)
    y = circle_label(x + _label_noise(n, 5, noise, g))
    return _playground_points(x, y, g)


def xor_label(points: torch.Tensor) -> torch.Tensor:
    """Class 1 where x1·x2 >= 0, else 0."""
    return (points[:, 0] * points[:, 1] >= 0).long()


def make_xor(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    """Coordinates U(-5, 5) pushed 0.3 away from the axes; labels from the noisy point."""
    x = _uniform_between(2 * n, -5, 5, g).reshape(2, n).T
    x = x + torch.where(x > 0, 0.3, -0.3)
    y = xor_label(x + _label_noise(n, 5, noise, g))
    return _playground_points(x, y, g)


def make_gauss(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    """n/2 points around (2, 2) in class 1, n/2 around (-2, -2) in class 0; noise widens both:
    variance 0.5 at noise 0 to 4 at noise 0.5 (Playground's linear scale)."""
    std = math.sqrt(0.5 + 7 * noise)
    positive = n // 2
    centre = torch.cat([torch.full((positive, 2), 2.0), torch.full((n - positive, 2), -2.0)])
    x = centre + std * torch.randn(n, 2, generator=g)
    y = torch.cat([torch.ones(positive, dtype=torch.long), torch.zeros(n - positive, dtype=torch.long)])
    return _playground_points(x, y, g)


def make_spiral(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    """Two arms of 1.75 turns out to radius 5, (r sin t, r cos t), the second turned by pi;
    noise moves each point by U(-1, 1)·noise per coordinate (its label stays)."""
    arm = n // 2
    parts = []
    for size, turn, label in [(arm, 0.0, 1), (n - arm, math.pi, 0)]:
        step = torch.arange(size, dtype=torch.float32) / max(arm, 1)
        r = 5 * step
        t = 1.75 * 2 * math.pi * step + turn
        jitter = torch.stack([_uniform_between(size, -1, 1, g) * noise for _ in range(2)], dim=1)
        x = torch.stack([r * torch.sin(t), r * torch.cos(t)], dim=1) + jitter
        parts.append((x, torch.full((size,), label, dtype=torch.long)))
    return _playground_points(torch.cat([x for x, _ in parts]), torch.cat([y for _, y in parts]), g)


def plane_target(points: torch.Tensor) -> torch.Tensor:
    """(x1 + x2) / 10 in Playground's units: from -1.2 to 1.2 over its plane."""
    return (points[:, 0] + points[:, 1]) / 10


def make_plane(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    x = _uniform_between(2 * n, -6, 6, g).reshape(2, n).T
    return _playground_points(x, plane_target(x + _label_noise(n, 6, noise, g)), g)


# Playground's six cones: centre and sign, in its units.
_CONES = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]


def cones_target(points: torch.Tensor) -> torch.Tensor:
    """Of the six signed cones (value 1 at the centre falling to 0 at distance 2), the one
    largest in absolute value; 0 beyond every cone."""
    target = torch.zeros(len(points))
    for cx, cy, sign in _CONES:
        distance = (points - torch.tensor([cx, cy], dtype=points.dtype)).norm(dim=1)
        value = sign * (1 - distance / 2).clamp(0, 1)
        target = torch.where(value.abs() > target.abs(), value, target)
    return target


def make_multi_gauss(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    x = _uniform_between(2 * n, -6, 6, g).reshape(2, n).T
    return _playground_points(x, cones_target(x + _label_noise(n, 6, noise, g)), g)


EXPRESSION_FUNCTIONS = ("abs", "sin", "cos", "exp", "log", "tanh")


def _expression_body(text: str) -> str:
    """The expression without a leading `y =`."""
    head, sep, rest = text.partition("=")
    if sep and head.strip() == "y" and not rest.startswith("="):
        return rest.strip()
    return text.strip()


def _evaluate(node, inputs: dict) -> torch.Tensor:
    """The value of a checked expression tree (nntui.core.expression), node by node: a small
    interpreter over a whitelist, never eval."""
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, inputs)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return torch.tensor(float(node.value))
    if isinstance(node, ast.Name) and node.id in inputs:
        return inputs[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _evaluate(node.operand, inputs)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        a, b = _evaluate(node.left, inputs), _evaluate(node.right, inputs)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b
        if isinstance(node.op, ast.Pow):
            return torch.pow(a, b)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in EXPRESSION_FUNCTIONS
    ):
        return getattr(torch, node.func.id)(_evaluate(node.args[0], inputs))
    if isinstance(node, ast.Compare):
        holds, left = None, _evaluate(node.left, inputs)
        for op, comparator in zip(node.ops, node.comparators):
            right = _evaluate(comparator, inputs)
            if isinstance(op, ast.Lt):
                step = left < right
            elif isinstance(op, ast.LtE):
                step = left <= right
            elif isinstance(op, ast.Gt):
                step = left > right
            elif isinstance(op, ast.GtE):
                step = left >= right
            else:
                raise UserError(f"data.expression: {type(op).__name__} is not a comparison nntui reads")
            holds, left = step if holds is None else holds & step, right
        return holds
    if isinstance(node, ast.BoolOp):
        values = [_evaluate(value, inputs) for value in node.values]
        combined = values[0]
        for value in values[1:]:
            combined = combined & value if isinstance(node.op, ast.And) else combined | value
        return combined
    raise UserError(f"data.expression: {type(node).__name__} is not something nntui evaluates")


def make_expression(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    """Inputs from U[-1, 1) (x alone, or x1 and x2) and the target the expression `path` gives:
    a number (regression, noise adds Gaussian jitter) or a condition (class 1 where it holds,
    judged at the noisy point as Playground labels)."""
    tree = ast.parse(_expression_body(path), mode="eval")
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    two = bool(names & {"x1", "x2"})
    x = _uniform(n, 2 if two else 1, g)
    condition = isinstance(tree.body, ast.Compare | ast.BoolOp)
    seen = x + noise * (2 * torch.rand(x.shape, generator=g) - 1) if condition and noise > 0 else x
    inputs = {"x1": seen[:, 0], "x2": seen[:, -1]} if two else {"x": seen[:, 0]}
    y = _evaluate(tree, inputs).expand(n)
    if condition:
        return x, y.long()
    bad = ~torch.isfinite(y)
    if bad.any():
        where = ", ".join(f"{value:.3g}" for value in x[bad.nonzero()[0, 0]].tolist())
        raise UserError(
            f"data.expression gives NaN or infinite targets at {int(bad.sum()):,} of {n:,} points "
            f"(first at ({where})): a log or a root of a negative number, or a division by 0?"
        )
    return x, _noisy(y.float(), noise, g)


def drawn_points(text: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The points of `x1,x2,class;…` (checked by the config first) as inputs and classes."""
    rows = [[float(value) for value in part.split(",")] for part in text.split(";") if part.strip()]
    table = torch.tensor(rows, dtype=torch.float32).reshape(-1, 3)
    return table[:, :2], table[:, 2].long()


def make_drawn(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    """The drawn points `path` lists (as many as it lists: n does not apply), shuffled so that
    validation takes points of every part of the drawing; noise jitters their positions."""
    x, y = drawn_points(path)
    order = torch.randperm(len(x), generator=g)
    return _noisy(x[order], noise, g), y[order]


def make_csv(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    """Numeric columns; the last one is the target. A header row is skipped if it is not numeric."""
    if not path:
        raise UserError("data.path is empty: the csv dataset needs a file")
    file = Path(path).expanduser()
    if not file.is_file():
        raise UserError(f"CSV file not found: {file}")
    rows = _csv_rows(file)
    if rows and not _is_numeric_row(rows[0]):
        rows = rows[1:]
    if len(rows) < 2:
        raise UserError(f"{file}: needs at least 2 data rows, found {len(rows)}")
    width = len(rows[0])
    if width < 2:
        raise UserError(f"{file}: needs at least 2 columns (inputs, then the target), found {width}")
    values = []
    for line, row in enumerate(rows, start=1):
        if len(row) != width:
            raise UserError(f"{file}: data row {line} has {len(row)} columns, expected {width}")
        try:
            values.append([float(cell) for cell in row])
        except ValueError:
            bad = next(cell for cell in row if not _is_number(cell))
            raise UserError(f"{file}: data row {line} has a non-numeric cell {bad!r}") from None
    table = torch.tensor(values, dtype=torch.float32)
    if not torch.isfinite(table).all():
        raise UserError(f"{file}: contains nan or inf values")
    return table[:, :-1], table[:, -1]


MAX_CSV_BYTES = 512 * 2**20
MAX_CLASSES = 1000


def _csv_rows(file: Path) -> list[list[str]]:
    """The file's non-blank rows, read as UTF-8 text; anything else is a message naming the file."""
    try:
        size = file.stat().st_size
        if size > MAX_CSV_BYTES:
            raise UserError(
                f"{file}: {size / 2**20:,.0f} MiB is larger than nntui reads ({MAX_CSV_BYTES // 2**20} MiB)"
            )
        raw = file.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read {file}: {error.strerror or error}") from None
    if b"\0" in raw:
        raise UserError(f"{file} is not a text file (it holds NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            f"{file} is not UTF-8 text (byte {raw[error.start]:#04x} at offset {error.start}): "
            "save it as UTF-8"
        ) from None
    try:
        return [
            row for row in csv.reader(io.StringIO(text, newline="")) if row and any(c.strip() for c in row)
        ]
    except csv.Error as error:
        raise UserError(f"{file} is not a CSV file nntui can read: {error}") from None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _is_numeric_row(row: list[str]) -> bool:
    return all(_is_number(cell) for cell in row)


for _name, _make in [
    ("x2", make_x2),
    ("rings", make_rings),
    ("circle", make_circle),
    ("xor", make_xor),
    ("gauss", make_gauss),
    ("spiral", make_spiral),
    ("plane", make_plane),
    ("multi-gauss", make_multi_gauss),
    ("expression", make_expression),
    ("drawn", make_drawn),
    ("csv", make_csv),
]:
    GENERATORS.add(_name, _make)


@dataclass(frozen=True)
class Data:
    """Train and validation tensors on the run's device; targets are (n, 1) floats or (n,) classes."""

    task: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    n_classes: int

    @property
    def input_dim(self) -> int:
        return self.x_train.shape[1]

    @property
    def output_dim(self) -> int:
        return self.n_classes if self.task == CLASSIFICATION else 1

    @property
    def has_validation(self) -> bool:
        return len(self.x_val) > 0

    def to(self, device: torch.device) -> Data:
        return Data(
            self.task,
            self.x_train.to(device),
            self.y_train.to(device),
            self.x_val.to(device),
            self.y_val.to(device),
            self.n_classes,
        )


def as_data(task: str, x: torch.Tensor, y: torch.Tensor, n_val: int) -> Data:
    """Shape raw targets for the task and hold the last `n_val` points out for validation."""
    x = x.to(torch.float32)
    if task == CLASSIFICATION:
        if torch.is_floating_point(y) and not torch.equal(y, y.round()):
            raise UserError("classification targets must be whole class numbers 0, 1, 2, …")
        y = y.long()
        if y.min() < 0:
            raise UserError("classification targets must be class numbers 0, 1, 2, …, got a negative one")
        n_classes = max(int(y.max()) + 1, 2)
        if n_classes > MAX_CLASSES:
            raise UserError(
                f"classification targets ask for {n_classes:,} classes (largest label {int(y.max()):,}); "
                f"nntui trains at most {MAX_CLASSES:,}"
            )
    else:
        y = y.to(torch.float32).reshape(-1, 1)
        n_classes = 0
    n_train = len(x) - n_val
    if n_train < 1:
        raise UserError(f"no training data left: {len(x)} points, {n_val} held out for validation")
    return Data(task, x[:n_train], y[:n_train], x[n_train:], y[n_train:], n_classes)
