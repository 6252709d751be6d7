"""Looking inside a model, at snapshot time only: one forward pass over the input's range (1-d)
or over a grid of the plane (2-d) gives every neuron's activation, the last hidden layer's share
of the prediction and the first layer's ReLU kinks; the per-layer diagnostics (weight and
gradient norms, update ratio, dead and saturated units) are read when figures are flushed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from nntui.core.choices import CLASSIFICATION
from nntui.core.config import RunConfig
from nntui.core.inside import SATURATED, SATURATED_SHARE, Edit, Inside, LayerView, Units
from nntui.core.metrics import layer_column
from nntui.engine.activations import ACTIVATION_FUNCTIONS

MOST_SHOWN = 32  # a wider layer ships this many units' weights and maps, chosen by outgoing |w|
RANGE_POINTS = 200  # samples along a 1-d input
MAP_GRID = (30, 60)  # rows, columns of each neuron's map of the plane
SAMPLE_POINTS = 2000  # training points the states and dead fractions are measured on

Layer = tuple[torch.Tensor, torch.Tensor | None]  # W as (out, in), b as (out,)


def layers_of(model) -> list[Layer]:
    """Each weight matrix as (out, in) with its bias, for either style of model (views, no copies)."""
    if isinstance(model, nn.Module):
        linears = [module for module in model.layers if isinstance(module, nn.Linear)]
        return [(linear.weight, linear.bias) for linear in linears]
    return [(w.T, b) for w, b in zip(model.weights, model.biases)]


def _parameters_by_layer(model) -> list[list[torch.Tensor]]:
    """Each layer's own parameter tensors (not views), as `model.parameters()` lists them."""
    if isinstance(model, nn.Module):
        linears = [module for module in model.layers if isinstance(module, nn.Linear)]
        return [[linear.weight] + ([] if linear.bias is None else [linear.bias]) for linear in linears]
    return [[w] + ([] if b is None else [b]) for w, b in zip(model.weights, model.biases)]


def activations_of(config: RunConfig) -> list[Callable[[torch.Tensor], torch.Tensor]]:
    return [ACTIVATION_FUNCTIONS.get(layer.activation).scratch for layer in config.model.hidden]


def forward(model, config: RunConfig, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Every layer's pre-activation h and, for the hidden layers, activation act(h), as the
    model computes them (the output's own tanh, Playground's, is left out)."""
    a = x if model.features is None else model.features(x)
    pre, post = [], []
    functions = activations_of(config)
    for index, (w, b) in enumerate(layers_of(model)):
        h = a @ w.T if b is None else a @ w.T + b
        pre.append(h)
        if index < len(functions):
            a = functions[index](h)
            post.append(a)
    return pre, post


def sample(x: torch.Tensor, most: int = SAMPLE_POINTS) -> torch.Tensor:
    index = torch.linspace(0, len(x) - 1, min(most, len(x)), device=x.device).long()
    return x[index]


def apply_edit(model, edit: Edit) -> float:
    """Set the weight or bias `edit` names, in place; the value it had."""
    layers = layers_of(model)
    if not 1 <= edit.layer <= len(layers):
        raise IndexError(f"no layer {edit.layer}")
    w, b = layers[edit.layer - 1]
    with torch.no_grad():
        if edit.input is None:
            if b is None:
                raise IndexError("this network has no biases")
            old = float(b[edit.neuron])
            b[edit.neuron] = edit.value
        else:
            old = float(w[edit.neuron, edit.input])
            w[edit.neuron, edit.input] = edit.value
    return old


def input_names(config: RunConfig, inputs: int) -> tuple[str, ...]:
    if config.model.feature_names:
        return tuple(config.model.feature_names)
    return ("x",) if inputs == 1 else tuple(f"x{i + 1}" for i in range(inputs))


def _choose(importance: torch.Tensor, most: int | None, why: str) -> tuple[torch.Tensor, str]:
    """All units, or the `most` most important, in index order, and how they were chosen."""
    count = len(importance)
    if most is None or count <= most:
        return torch.arange(count, device=importance.device), "all"
    chosen = importance.topk(most).indices.sort().values
    return chosen, f"{most} of {count}, by {why}"


def _states(activation: str, h: torch.Tensor, a: torch.Tensor) -> list[str]:
    """Each unit's state over the sample (rows: points, columns: units)."""
    if activation == "relu":
        on = h > 0
        dead, linear = ~on.any(0), on.all(0)
        return [
            "dead" if d else "linear" if lin else "active" for d, lin in zip(dead.tolist(), linear.tolist())
        ]
    if activation in ("tanh", "sigmoid"):
        share = _saturated(activation, a).float().mean(0)
        return ["saturated" if s >= SATURATED_SHARE else "active" for s in share.tolist()]
    return ["active"] * h.shape[1]


def _saturated(activation: str, a: torch.Tensor) -> torch.Tensor:
    return a.abs() > SATURATED if activation == "tanh" else (a - 0.5).abs() > SATURATED - 0.5


def look_inside(
    model,
    config: RunConfig,
    x_train: torch.Tensor,
    task: str,
    most: int | None = MOST_SHOWN,
    maps: bool = True,
) -> Inside:
    """The model's inside now, from one forward pass on the range or grid (and one on a sample of
    the training data for the states). `most` caps the units a layer ships (None: all)."""
    inputs = x_train.shape[1]
    with torch.no_grad():
        layers = layers_of(model)
        points = _map_points(x_train) if maps and inputs in (1, 2) else None
        sample_pre, sample_post = forward(model, config, sample(x_train))
        map_post = forward(model, config, points)[1] if points is not None else []
        names = input_names(config, inputs)
        hidden = [layer.activation for layer in config.model.hidden]
        w_first = layers[0][0]
        shown_before, _ = _choose(w_first.norm(dim=0), most, "largest |w|")
        views = []
        for index, (w, b) in enumerate(layers):
            last = index == len(layers) - 1
            if last:
                shown, chosen = _choose(w.norm(dim=1), most, "largest |w|")
            else:
                shown, chosen = _choose(layers[index + 1][0].norm(dim=0), most, "largest outgoing |w|")
            activation = "output" if last else hidden[index]
            states = () if last else tuple(_states(activation, sample_pre[index], sample_post[index]))
            unit_maps = None
            if map_post and not last:
                unit_maps = map_post[index][:, shown].T.reshape(len(shown), *_map_shape(inputs)).cpu().numpy()
            views.append(
                LayerView(
                    number=index + 1,
                    activation=activation,
                    units=w.shape[0],
                    shown=shown.cpu().numpy(),
                    inputs_shown=shown_before.cpu().numpy(),
                    weights=w[shown][:, shown_before].cpu().numpy(),
                    biases=None if b is None else b[shown].cpu().numpy(),
                    states=tuple(states[i] for i in shown.tolist()) if states else (),
                    maps=unit_maps,
                    chosen=chosen,
                )
            )
            shown_before = shown
        units = None
        if (
            task != CLASSIFICATION
            and inputs == 1
            and hidden
            and layers[-1][0].shape[0] == 1
            and not config.model.feature_names
        ):
            units = _units(model, config, x_train, sample_pre, most)
    return Inside(names, tuple(views), units)


def _map_shape(inputs: int) -> tuple[int, ...]:
    return (RANGE_POINTS,) if inputs == 1 else MAP_GRID


def _map_points(x_train: torch.Tensor) -> torch.Tensor:
    """The 1-d range, or the plane's grid row by row from the top, as the class map draws it."""
    low, high = x_train.min(0).values.tolist(), x_train.max(0).values.tolist()
    device = x_train.device
    if x_train.shape[1] == 1:
        return torch.linspace(low[0], high[0], RANGE_POINTS, device=device).unsqueeze(1)
    rows, cols = MAP_GRID
    xs = torch.linspace(low[0], high[0], cols, device=device)
    ys = torch.linspace(high[1], low[1], rows, device=device)
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([grid_x.reshape(-1), grid_y.reshape(-1)], dim=1)


def _units(
    model, config: RunConfig, x_train: torch.Tensor, sample_pre: list[torch.Tensor], most: int | None
) -> Units:
    """The last hidden layer's terms w_out[j]·act(h_j(x)) along the input's range, their sum
    checked against the model's own prediction, the first layer's kinks and the unit counts."""
    low, high = float(x_train.min()), float(x_train.max())
    x = torch.linspace(low, high, RANGE_POINTS, device=x_train.device).unsqueeze(1)
    _, post = forward(model, config, x)
    w_out, b_out = layers_of(model)[-1]
    terms = post[-1] * w_out[0]  # (points, units)
    bias = float(b_out[0]) if b_out is not None else 0.0
    prediction = model(x)[:, 0]
    sum_error = float((terms.sum(1) + bias - prediction).abs().max())
    shown, chosen = _choose(w_out[0].abs(), most, "largest |w_out|")
    w_first, b_first = layers_of(model)[0]
    kinks = np.array([])
    if config.model.hidden[0].activation in ("relu", "leaky_relu") and b_first is not None:
        weights = w_first[:, 0]
        live = weights != 0
        kinks = (-b_first[live] / weights[live]).cpu().numpy()
    on = sample_pre[len(config.model.hidden) - 1] > 0
    dead, linear = int((~on.any(0)).sum()), int(on.all(0).sum())
    units = terms.shape[1]
    return Units(
        layer=len(config.model.hidden),
        x=x[:, 0].cpu().numpy(),
        prediction=prediction.cpu().numpy(),
        contributions=terms[:, shown].T.cpu().numpy(),
        shown=shown.cpu().numpy(),
        units=units,
        output_bias=bias,
        sum_error=sum_error,
        kinks=kinks,
        data_range=(low, high),
        dead=dead,
        linear=linear,
        kinks_in_range=units - dead - linear,
        chosen=chosen,
    )


class LayerWatch:
    """The per-layer diagnostics of one model: gradient norms gathered on the device as training
    goes (one add an epoch, no host sync), read with the weight norms, the update since the last
    reading and the dead or saturated share, as (1,) tensors for the loop's one flush."""

    def __init__(self, model, config: RunConfig, parameters: list[torch.Tensor]) -> None:
        self.model, self.config = model, config
        layers = layers_of(model)
        ids = {id(p): index for index, p in enumerate(parameters)}
        owner = [0] * len(parameters)
        for number, tensors in enumerate(_parameters_by_layer(model)):
            for tensor in tensors:
                owner[ids[id(tensor)]] = number
        device = layers[0][0].device
        self.owner = torch.tensor(owner, device=device)
        self.grad_squares = torch.zeros(len(parameters), device=device)
        self.epochs = 0
        self.previous = [w.detach().clone() for w, _ in layers]

    def add_gradients(self, norms: torch.Tensor) -> None:
        """One epoch's last-step gradient norm of each parameter (a (P,) tensor on the device)."""
        self.grad_squares.addcmul_(norms, norms)
        self.epochs += 1

    def read(self, x_train: torch.Tensor) -> dict[str, torch.Tensor]:
        layers = layers_of(self.model)
        figures: dict[str, torch.Tensor] = {}
        with torch.no_grad():
            weights = [w.detach() for w, _ in layers]
            norms = torch.stack(torch._foreach_norm(weights))
            previous = torch.stack(torch._foreach_norm(self.previous))
            moved = torch.stack(torch._foreach_norm(torch._foreach_sub(weights, self.previous)))
            ratio = moved / previous.clamp_min(1e-12) / max(self.epochs, 1)
            per_layer = torch.zeros(len(layers), device=norms.device).index_add_(
                0, self.owner, self.grad_squares
            )
            grads = (per_layer / max(self.epochs, 1)).sqrt()
            _, post = forward(self.model, self.config, sample(x_train))
            for number in range(len(layers)):
                figures[layer_column("weight_norm", number + 1)] = norms[number].reshape(1)
                if self.epochs:
                    figures[layer_column("layer_grad_norm", number + 1)] = grads[number].reshape(1)
                    figures[layer_column("update_ratio", number + 1)] = ratio[number].reshape(1)
            for number, (layer, a) in enumerate(zip(self.config.model.hidden, post), start=1):
                if layer.activation == "relu":
                    dead = ~(a > 0).any(0)
                    figures[layer_column("dead_fraction", number)] = dead.float().mean().reshape(1)
                elif layer.activation in ("tanh", "sigmoid"):
                    share = _saturated(layer.activation, a).float().mean()
                    figures[layer_column("saturated_fraction", number)] = share.reshape(1)
            self.previous = [w.clone() for w in weights]
            self.grad_squares.zero_()
            self.epochs = 0
        return figures
