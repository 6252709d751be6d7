"""Playground's input features: what the network sees of a 2-d point (X1, X2, X1², X2², X1·X2,
sin X1, sin X2), computed in the model so that the class map and saved points stay 2-d."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from nntui.core.choices import FEATURES
from nntui.core.registry import Implementations

Feature = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
FEATURE_FUNCTIONS: Implementations[Feature] = Implementations(FEATURES)
for _name, _function in [
    ("x1", lambda x1, x2: x1),
    ("x2", lambda x1, x2: x2),
    ("x1sq", lambda x1, x2: x1 * x1),
    ("x2sq", lambda x1, x2: x2 * x2),
    ("x1x2", lambda x1, x2: x1 * x2),
    ("sinx1", lambda x1, x2: torch.sin(x1)),
    ("sinx2", lambda x1, x2: torch.sin(x2)),
]:
    FEATURE_FUNCTIONS.add(_name, _function)


class Features(nn.Module):
    """(…, 2) points to (…, len(names)) features, in the order named; no parameters."""

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = list(names)
        self.functions = [FEATURE_FUNCTIONS.get(name) for name in names]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1, x2 = x[..., 0], x[..., 1]
        return torch.stack([function(x1, x2) for function in self.functions], dim=-1)

    def extra_repr(self) -> str:
        return ", ".join(self.names)
