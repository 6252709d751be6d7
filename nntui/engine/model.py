"""The multilayer perceptron, in two styles that share one initialisation."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from nntui.core.config import RunConfig
from nntui.engine.activations import ACTIVATION_FUNCTIONS
from nntui.engine.features import Features

Weights = list[tuple[torch.Tensor, torch.Tensor | None]]


def initial_weights(config: RunConfig, dims: list[int], generator: torch.Generator) -> Weights:
    """Per layer, W as (in, out) and B as (out,), drawn from `generator` in the order torch draws them.

    default: torch.nn.Linear's own init (weight, then bias); uniform: U[-1, 1) as the tutorial's
    from-scratch cells; demo: the tutorial's untrained network (2·rand−1, output layer 2·randn−1);
    playground: Playground's U(-0.5, 0.5) weights and biases of 0.1.
    """
    init, bias = config.model.init, config.model.bias
    weights: Weights = []
    for index, (fan_in, fan_out) in enumerate(zip(dims, dims[1:])):
        last = index == len(dims) - 2
        if init == "default":
            w = torch.empty(fan_out, fan_in)
            nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=generator)
            w = w.T.contiguous()
            bound = 1 / math.sqrt(fan_in)
            b = torch.empty(fan_out).uniform_(-bound, bound, generator=generator) if bias else None
        elif init == "uniform":
            w = torch.empty(fan_in, fan_out).uniform_(-1, 1, generator=generator)
            b = torch.empty(fan_out).uniform_(-1, 1, generator=generator) if bias else None
        elif init == "playground":
            w = torch.rand(fan_in, fan_out, generator=generator) - 0.5
            b = torch.full((fan_out,), 0.1) if bias else None
        else:
            draw = torch.randn if last else torch.rand
            w = 2 * draw(fan_in, fan_out, generator=generator) - 1
            b = 2 * draw(fan_out, generator=generator) - 1 if bias else None
        weights.append((w, b))
    return weights


class MLP(nn.Module):
    """torch.nn style: Linear layers with activations between, trained by torch.optim."""

    def __init__(self, config: RunConfig, weights: Weights) -> None:
        super().__init__()
        modules: list[nn.Module] = []
        activations = [layer.activation for layer in config.model.hidden]
        for index, (w, b) in enumerate(weights):
            linear = nn.Linear(w.shape[0], w.shape[1], bias=b is not None, device="meta")
            linear = linear.to_empty(device=w.device)
            with torch.no_grad():
                linear.weight.copy_(w.T)
                if b is not None:
                    linear.bias.copy_(b)
            modules.append(linear)
            if index < len(activations):
                modules.append(ACTIVATION_FUNCTIONS.get(activations[index]).module())
        if tanh_output(config):
            modules.append(nn.Tanh())
        self.layers = nn.Sequential(*modules)
        # outside `layers`: no parameters, and the layers' state_dict keys stay as without it
        self.features = Features(config.model.feature_names) if config.model.feature_names else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x if self.features is None else self.features(x))

    def weight_matrices(self) -> list[torch.Tensor]:
        return [module.weight for module in self.layers if isinstance(module, nn.Linear)]


class ScratchMLP:
    """From scratch, as the tutorial: weight and bias tensors with requires_grad, `X @ W + B`."""

    def __init__(self, config: RunConfig, weights: Weights) -> None:
        self.weights = [w.clone().requires_grad_(True) for w, _ in weights]
        self.biases = [None if b is None else b.clone().requires_grad_(True) for _, b in weights]
        self.activations = [
            ACTIVATION_FUNCTIONS.get(layer.activation).scratch for layer in config.model.hidden
        ]
        self.tanh_output = tanh_output(config)
        self.features = Features(config.model.feature_names) if config.model.feature_names else None

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.features is not None:
            x = self.features(x)
        for index, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = x @ w if b is None else x @ w + b
            if index < len(self.activations):
                x = self.activations[index](x)
        return torch.tanh(x) if self.tanh_output else x

    def weight_matrices(self) -> list[torch.Tensor]:
        return self.weights

    def parameters(self) -> list[torch.Tensor]:
        return [t for pair in zip(self.weights, self.biases) for t in pair if t is not None]

    def train(self, mode: bool = True) -> ScratchMLP:
        return self

    def eval(self) -> ScratchMLP:
        return self

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Keys W1, B1, W2, … as the tutorial names them."""
        state = {}
        for index, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
            state[f"W{index}"] = w.detach().clone()
            if b is not None:
                state[f"B{index}"] = b.detach().clone()
        return state

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        with torch.no_grad():
            for index, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
                w.copy_(state[f"W{index}"])
                if b is not None:
                    b.copy_(state[f"B{index}"])


class ScratchSGD:
    """Plain gradient descent under no_grad, as the tutorial writes it by hand."""

    def __init__(self, params: list[torch.Tensor], lr: float, weight_decay: float = 0.0) -> None:
        self.params = params
        self.param_groups = [{"lr": lr, "weight_decay": weight_decay}]

    def step(self) -> None:
        lr, decay = self.param_groups[0]["lr"], self.param_groups[0]["weight_decay"]
        with torch.no_grad():
            for p in self.params:
                if decay:
                    p.grad.add_(p, alpha=decay)
                p -= lr * p.grad

    def zero_grad(self, set_to_none: bool = False) -> None:
        for p in self.params:
            p.grad.zero_()

    def state_dict(self) -> dict:
        return {"param_groups": [dict(group) for group in self.param_groups]}

    def load_state_dict(self, state: dict) -> None:
        self.param_groups[0].update(state["param_groups"][0])


def build_model(config: RunConfig, dims: list[int], generator: torch.Generator, device: torch.device):
    weights = [
        (w.to(device), None if b is None else b.to(device))
        for w, b in initial_weights(config, dims, generator)
    ]
    return ScratchMLP(config, weights) if config.style == "scratch" else MLP(config, weights)


def parameter_count(dims: list[int], bias: bool = True) -> int:
    return sum(fan_in * fan_out + (fan_out if bias else 0) for fan_in, fan_out in zip(dims, dims[1:]))


def loss_function(task: str, style: str, output: str = "auto"):
    """MSE for regression (written out for the scratch style), cross-entropy for classification;
    Playground's output: ½(out−y)², with classes 0 and 1 as labels −1 and +1."""
    if output == "playground":
        return playground_loss if task == "classification" else half_squared_error
    if task == "classification":
        return F.cross_entropy
    if style == "scratch":
        return lambda predicted, target: (target - predicted).pow(2).mean()
    return F.mse_loss


def half_squared_error(predicted: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return 0.5 * (predicted - target).pow(2).mean()


def playground_loss(predicted: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """½(out−y)² of one tanh unit against labels −1 (class 0) and +1 (class 1)."""
    return 0.5 * (predicted.squeeze(-1) - (2 * classes - 1)).pow(2).mean()


def tanh_output(config: RunConfig) -> bool:
    return config.model.output == "playground" and config.resolved_task == "classification"


def output_units(config: RunConfig, task: str, n_classes: int) -> int:
    """One per class, except Playground's one tanh unit for two classes; 1 for regression."""
    if task != "classification":
        return 1
    return 1 if config.model.output == "playground" else n_classes


def input_units(config: RunConfig, data_inputs: int) -> int:
    return len(config.model.feature_names) or data_inputs


def classes_of(predicted: torch.Tensor) -> torch.Tensor:
    """The class each output row predicts: the largest logit, or a single unit's sign."""
    return predicted.argmax(-1) if predicted.shape[-1] > 1 else (predicted[..., 0] > 0).long()


def weight_penalty(kind: str, weights: list[torch.Tensor], runs: bool = False) -> torch.Tensor | None:
    """Σ|w| (l1) or ½Σw² (l2) over the weight matrices, per run of a stack when `runs`; None for none."""
    if kind == "none":
        return None
    terms = [w.abs() if kind == "l1" else 0.5 * w.pow(2) for w in weights]
    if runs:
        return torch.stack([term.flatten(1).sum(1) for term in terms]).sum(0)
    return torch.stack([term.sum() for term in terms]).sum()
