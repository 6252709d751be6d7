"""Activation functions: one entry each, used by both model styles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from nntui.core.registry import Registry


@dataclass(frozen=True)
class Activation:
    name: str
    module: Callable[[], nn.Module]
    scratch: Callable[[torch.Tensor], torch.Tensor]
    description: str


ACTIVATIONS: Registry[Activation] = Registry("activation")


def _add(name: str, module: Callable[[], nn.Module], scratch, description: str) -> None:
    ACTIVATIONS.add(name, Activation(name, module, scratch, description))


_add("relu", nn.ReLU, lambda x: x.clamp(0), "max(0, x)")
_add("tanh", nn.Tanh, torch.tanh, "hyperbolic tangent")
_add("sigmoid", nn.Sigmoid, torch.sigmoid, "1 / (1 + e^-x)")
_add("identity", nn.Identity, lambda x: x, "no activation: the network stays linear")
_add("leaky_relu", nn.LeakyReLU, torch.nn.functional.leaky_relu, "max(0.01 x, x)")
_add("gelu", nn.GELU, torch.nn.functional.gelu, "Gaussian error linear unit")
