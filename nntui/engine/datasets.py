"""Datasets: generated from a seed as tensors (or read from a CSV), split into train and validation."""

from __future__ import annotations

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


def _polar(r: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    return torch.stack([r * torch.cos(angle), r * torch.sin(angle)], dim=1)


def make_circle(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    inner = n // 2
    y = torch.cat([torch.zeros(inner, dtype=torch.long), torch.ones(n - inner, dtype=torch.long)])
    low = torch.where(y == 0, 0.0, 0.7)
    high = torch.where(y == 0, 0.5, 1.0)
    r = low + (high - low) * torch.rand(n, generator=g)
    x = _polar(r, 2 * math.pi * torch.rand(n, generator=g))
    order = torch.randperm(n, generator=g)
    return _noisy(x, noise, g)[order], y[order]


def make_xor(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    x = _uniform(n, 2, g)
    x = torch.sign(x) * (0.05 + 0.95 * x.abs())
    y = (x[:, 0] * x[:, 1] > 0).long()
    return _noisy(x, noise, g), y


def make_gauss(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    y = (torch.rand(n, generator=g) < 0.5).long()
    centre = torch.where(y == 1, 0.4, -0.4).unsqueeze(1).expand(n, 2)
    x = centre + (0.2 + noise) * torch.randn(n, 2, generator=g)
    return x, y


def make_spiral(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    y = torch.arange(n) % 2
    t = torch.rand(n, generator=g)
    angle = 1.75 * 2 * math.pi * t + math.pi * y
    return _noisy(_polar(t, angle), noise, g), y


def make_plane(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    x = _uniform(n, 2, g)
    return x, _noisy((x[:, 0] + x[:, 1]) / 2, noise, g)


_GAUSS_CENTRES = [
    (-0.8, 0.5, 1),
    (0, 0.5, -1),
    (0.8, 0.5, 1),
    (-0.8, -0.5, -1),
    (0, -0.5, 1),
    (0.8, -0.5, -1),
]


def make_multi_gauss(n: int, noise: float, g: torch.Generator, path: str = "") -> tuple:
    x = _uniform(n, 2, g)
    y = torch.zeros(n)
    for cx, cy, sign in _GAUSS_CENTRES:
        d2 = (x[:, 0] - cx).pow(2) + (x[:, 1] - cy).pow(2)
        y += sign * torch.exp(-d2 / (2 * 0.2**2))
    return x, _noisy(y, noise, g)


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
