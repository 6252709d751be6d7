"""Each activation of nntui.core.choices as a torch module and as a plain function (scratch style)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from nntui.core.choices import ACTIVATIONS
from nntui.core.registry import Implementations


@dataclass(frozen=True)
class Activation:
    module: Callable[[], nn.Module]
    scratch: Callable[[torch.Tensor], torch.Tensor]


ACTIVATION_FUNCTIONS: Implementations[Activation] = Implementations(ACTIVATIONS)
for _name, _module, _scratch in [
    ("relu", nn.ReLU, lambda x: x.clamp(0)),
    ("tanh", nn.Tanh, torch.tanh),
    ("sigmoid", nn.Sigmoid, torch.sigmoid),
    ("identity", nn.Identity, lambda x: x),
    ("leaky_relu", nn.LeakyReLU, torch.nn.functional.leaky_relu),
    ("gelu", nn.GELU, torch.nn.functional.gelu),
]:
    ACTIVATION_FUNCTIONS.add(_name, Activation(_module, _scratch))
