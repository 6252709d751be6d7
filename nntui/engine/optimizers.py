"""Optimizers: each entry builds a torch.optim optimizer from the training config."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch

from nntui.core.registry import Registry


@dataclass(frozen=True)
class Optimizer:
    name: str
    build: Callable[[Iterable[torch.Tensor], float, float, float], torch.optim.Optimizer]
    description: str


OPTIMIZERS: Registry[Optimizer] = Registry("optimizer")


def _add(name: str, build, description: str) -> None:
    OPTIMIZERS.add(name, Optimizer(name, build, description))


_add(
    "sgd",
    lambda params, lr, momentum, wd: torch.optim.SGD(params, lr=lr, weight_decay=wd),
    "plain gradient descent, as the tutorial",
)
_add(
    "momentum",
    lambda params, lr, momentum, wd: torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=wd),
    "SGD with momentum (training.momentum)",
)
_add(
    "adam",
    lambda params, lr, momentum, wd: torch.optim.Adam(params, lr=lr, weight_decay=wd),
    "Adam",
)
