"""Each optimizer of nntui.core.choices, built as a torch.optim optimizer from the training config."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from nntui.core.choices import OPTIMIZERS
from nntui.core.registry import Implementations

Build = Callable[[Iterable[torch.Tensor], float, float, float], torch.optim.Optimizer]

OPTIMIZER_BUILDERS: Implementations[Build] = Implementations(OPTIMIZERS)
OPTIMIZER_BUILDERS.add(
    "sgd", lambda params, lr, momentum, wd: torch.optim.SGD(params, lr=lr, weight_decay=wd)
)
OPTIMIZER_BUILDERS.add(
    "momentum",
    lambda params, lr, momentum, wd: torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=wd),
)
OPTIMIZER_BUILDERS.add(
    "adam", lambda params, lr, momentum, wd: torch.optim.Adam(params, lr=lr, weight_decay=wd)
)
