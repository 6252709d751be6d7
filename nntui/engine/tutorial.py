"""Replaying the tutorial notebook's random draws, so its printed figures can be reproduced.

The notebook calls `torch.manual_seed(42)` once and then every cell draws from the global
generator in turn (see shared/seed/RNG-FACTS.md). `replay(cell)` makes those draws, in order, on a
`torch.Generator`, and returns it positioned where that cell starts, with the data the cell uses.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from nntui.core.choices import CLASSIFICATION, REGRESSION
from nntui.core.config import RunConfig
from nntui.engine.datasets import Data, rings_labels

SEED = 42


def _rand(g: torch.Generator, *shape: int) -> torch.Tensor:
    return torch.rand(*shape, generator=g)


def draw_loop_start(g: torch.Generator) -> int:
    """What each `for ... in DataLoader` start draws: one int64 base seed."""
    return int(torch.empty((), dtype=torch.int64).random_(generator=g))


class _Notebook:
    """The notebook's state as it is replayed: the generator and the current Input/Target."""

    def __init__(self) -> None:
        self.g = torch.Generator().manual_seed(SEED)
        self.x: torch.Tensor | None = None
        self.y: torch.Tensor | None = None
        self.x_val: torch.Tensor | None = None
        self.y_val: torch.Tensor | None = None
        self.task = REGRESSION


def _x2_data(nb: _Notebook) -> None:
    nb.x = 2 * _rand(nb.g, 10000, 1) - 1
    nb.y = nb.x.pow(2)


def _validation_data(nb: _Notebook) -> None:
    nb.x_val = 2 * _rand(nb.g, 4000, 1) - 1
    nb.y_val = nb.x_val.pow(2)


def _rings_data(nb: _Notebook) -> None:
    x = 2 * _rand(nb.g, 15000, 2) - 1
    y = rings_labels(x)
    nb.x, nb.y, nb.x_val, nb.y_val = x[:10000], y[:10000], x[10000:], y[10000:]
    nb.task = CLASSIFICATION


def _random_network_data(nb: _Notebook) -> None:
    nb.x = 2 * _rand(nb.g, 10000, 1) - 1
    nb.y = nb.x.pow(2)


def _nothing(nb: _Notebook) -> None:
    pass


def _loader_draws(count: int) -> Callable[[_Notebook], None]:
    def draw(nb: _Notebook) -> None:
        for _ in range(count):
            draw_loop_start(nb.g)

    return draw


def _sequence(*steps: Callable[[_Notebook], None]) -> Callable[[_Notebook], None]:
    def run(nb: _Notebook) -> None:
        for step in steps:
            step(nb)

    return run


def _single_neuron(nb: _Notebook) -> None:
    _rand(nb.g, 10000, 1)
    _rand(nb.g, 1, 1)
    _rand(nb.g, 1)


def _random_network_init(nb: _Notebook) -> None:
    _rand(nb.g, 1, 100)
    _rand(nb.g, 100)
    torch.randn(100, 1, generator=nb.g)
    torch.randn(1, generator=nb.g)


def _uniform_inits(nb: _Notebook) -> None:
    for shape in [(1, 100), (100,), (100, 1), (1,)]:
        torch.empty(shape).uniform_(-1, 1, generator=nb.g)


def _net_1_100_1(nb: _Notebook) -> None:
    from nntui.engine.model import initial_weights

    initial_weights(RunConfig(), [1, 100, 1], nb.g)


# cell: (draws that make the cell's data, draws the rest of the cell makes)
_CELLS: dict[str, tuple[Callable[[_Notebook], None], Callable[[_Notebook], None]]] = {
    "single-neuron": (_nothing, _single_neuron),
    "random-network": (_random_network_data, _random_network_init),
    "x2-demo": (_x2_data, _nothing),
    "first-step": (_nothing, _uniform_inits),
    "manual-relu": (_x2_data, _uniform_inits),
    "no-activation": (_nothing, _uniform_inits),
    "sequential": (_nothing, _net_1_100_1),
    "module": (_nothing, _net_1_100_1),
    "optim": (_nothing, _net_1_100_1),
    "minibatch": (_nothing, _net_1_100_1),
    "tensordataset": (_nothing, _net_1_100_1),
    "dataloader": (_nothing, _sequence(_net_1_100_1, _loader_draws(1000))),
    "validation": (_validation_data, _sequence(_net_1_100_1, _loader_draws(1000 + 11))),
    "classification": (_rings_data, _nothing),
}
CELLS = tuple(_CELLS)


def replay(cell: str) -> tuple[torch.Generator, Data]:
    """The generator as it stands where `cell`'s model is built, and the data that cell uses."""
    if cell not in _CELLS:
        raise KeyError(f"unknown tutorial cell {cell!r}; choose one of: {', '.join(CELLS)}")
    nb = _Notebook()
    for name, (make_data, rest) in _CELLS.items():
        make_data(nb)
        if name == cell:
            break
        rest(nb)
    if nb.x is None:
        raise KeyError(f"tutorial cell {cell!r} trains no network")
    x_val = nb.x_val if nb.x_val is not None else nb.x[:0]
    y_val = nb.y_val if nb.y_val is not None else nb.y[:0]
    n_classes = 3 if nb.task == CLASSIFICATION else 0
    return nb.g, Data(nb.task, nb.x, nb.y, x_val, y_val, n_classes)
