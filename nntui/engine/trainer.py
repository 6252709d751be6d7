"""One run: its data, model and optimizer, trained by the one loop (engine/loop.py) as a `Steps`
of one model. Runs headless, streams events, and obeys a RunControl from another thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from nntui.core.choices import CLASSIFICATION, DATASETS
from nntui.core.config import RunConfig
from nntui.core.errors import UserError
from nntui.core.events import Event, Snapshot, Started
from nntui.core.inside import Edit
from nntui.engine.datasets import GENERATORS, Data, as_data
from nntui.engine.devices import available_devices, resolve_device
from nntui.engine.inside import LayerWatch, apply_edit, look_inside
from nntui.engine.loop import Figures, Observe, RunControl, Steps, train
from nntui.engine.model import (
    ScratchSGD,
    build_model,
    classes_of,
    input_units,
    loss_function,
    output_units,
    parameter_count,
    weight_penalty,
)
from nntui.engine.optimizers import OPTIMIZER_BUILDERS
from nntui.engine.tutorial import draw_loop_start, replay

__all__ = ["Checkpoint", "Observe", "RunControl", "Trainer", "load_data"]


@dataclass
class Checkpoint:
    """What a run needs to continue: model and optimizer state and the epochs already done."""

    model_state: dict
    optimizer_state: dict
    epochs_done: int


def load_data(config: RunConfig) -> tuple[Data, torch.Generator]:
    """The run's data and the generator that draws its initial weights and shuffles."""
    if config.replay:
        generator, data = replay(config.replay)
        return data, generator
    spec = DATASETS.get(config.data.dataset)
    data_generator = torch.Generator().manual_seed(config.data.seed)
    x, y = GENERATORS.get(config.data.dataset)(
        config.data.size, config.data.noise, data_generator, data_source(config)
    )
    if spec.playground:
        x = x * config.data.extent
    n_val = round(len(x) * config.data.val_share) if spec.task is None else config.n_val
    data = as_data(config.resolved_task, x, y, n_val)
    return data, torch.Generator().manual_seed(config.training.seed)


def data_source(config: RunConfig) -> str:
    """What a dataset reads besides its seed: a CSV's path, the typed target expression, or the
    drawn points."""
    data = config.data
    return {"expression": data.expression, "drawn": data.points}.get(data.dataset, data.path)


class Trainer(Steps):
    """One run: built from a validated config, trained by iterating `events()`."""

    count = 1

    def __init__(
        self,
        config: RunConfig,
        control: RunControl | None = None,
        observe: Observe | None = None,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        config.validate(check_device=True)
        self.config = config
        self.control = control or RunControl()
        self.observe = observe or Observe()
        self.device = resolve_device(config.device)
        data, self.generator = load_data(config)
        try:
            self.data = data.to(self.device)
        except torch.OutOfMemoryError:
            message = f"out of memory on {self.device}: the data does not fit; try a smaller data.size"
            raise UserError(message) from None
        if config.model.feature_names and self.data.input_dim != 2:
            raise UserError(
                f"model.features needs 2-d inputs (x1, x2); this data has {self.data.input_dim} input columns"
            )
        self.dims = [
            input_units(config, self.data.input_dim),
            *(layer.units for layer in config.model.hidden),
            output_units(config, self.data.task, self.data.n_classes),
        ]
        self.model = build_model(config, self.dims, self.generator, self.device)
        training = config.training
        if config.style == "scratch":
            self.optimizer = ScratchSGD(self.model.parameters(), training.lr, training.weight_decay)
        else:
            build = OPTIMIZER_BUILDERS.get(training.optimizer)
            self.optimizer = build(
                self.model.parameters(), training.lr, training.momentum, training.weight_decay
            )
        self.loss = loss_function(self.data.task, config.style, config.model.output)
        self.penalty = self._penalty()
        self.epochs_done = 0
        if checkpoint:
            self.model.load_state_dict(checkpoint.model_state)
            self.optimizer.load_state_dict(checkpoint.optimizer_state)
            self.epochs_done = checkpoint.epochs_done
        self.watch = LayerWatch(self.model, config, list(self.model.parameters()))

    @property
    def parameters(self) -> int:
        return parameter_count(self.dims, self.config.model.bias)

    @property
    def architecture(self) -> str:
        return self.config.architecture(self.dims[0], self.dims[-1])

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.model.state_dict(), self.optimizer.state_dict(), self.epochs_done)

    def events(self) -> Iterator[Event]:
        """Train to `training.epochs`, yielding events; never raises for a failing run."""
        for _, event in train(self, self.control, self.observe):
            yield event

    def started(self) -> list[Started]:
        return [self.started_event()]

    def started_event(self, config: RunConfig | None = None) -> Started:
        name = str(self.device)
        description = next((d.description for d in available_devices() if d.name == name), name)
        data = self.data
        return Started(
            config or self.config,
            name,
            description,
            self.architecture,
            self.parameters,
            len(data.x_train),
            len(data.x_val),
            self.epochs_done,
        )

    @property
    def train_size(self) -> int:
        return len(self.data.x_train)

    def lr(self) -> float:
        return self.optimizer.param_groups[0]["lr"]

    def set_lr(self, lr: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def _batches(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The epoch's training data, permuted when shuffling, drawing as the config says."""
        data, training = self.data, self.config.training
        if training.loader == "dataloader":
            draw_loop_start(self.generator)
        if not training.shuffle:
            return data.x_train, data.y_train
        if training.loader == "dataloader":
            sampler = torch.Generator().manual_seed(draw_loop_start(self.generator))
            order = torch.randperm(len(data.x_train), generator=sampler)
        else:
            order = torch.randperm(len(data.x_train), generator=self.generator)
        order = order.to(self.device, non_blocking=True)
        return data.x_train[order], data.y_train[order]

    def epoch(self, evaluated: bool, control: RunControl) -> tuple[int, Figures] | None:
        x, y = self._batches()
        model, optimizer, loss_of = self.model, self.optimizer, self.loss
        classify = evaluated and self.data.task == CLASSIFICATION
        batch_size = self.config.training.batch_size or len(x)
        losses: list[torch.Tensor] = []
        correct: list[torch.Tensor] = []
        plain = self._plain_sgd()
        model.train()
        last = len(x) - 1
        for begin in range(0, len(x), batch_size):
            if control.stop_requested:
                return None
            xb, yb = x[begin : begin + batch_size], y[begin : begin + batch_size]
            predicted = model(xb)
            loss = loss_of(predicted, yb)
            (loss if self.penalty is None else loss + self.penalty()).backward()
            if begin + batch_size > last:
                grad_norm = self._grad_norm()
            if plain is not None:
                plain()
            else:
                optimizer.step()
                optimizer.zero_grad()
            losses.append(loss.detach())
            if classify:
                correct.append(classes_of(predicted.detach()).eq(yb).sum())
        return len(losses), self.epoch_figures(losses, correct, grad_norm, evaluated)

    def _grad_norm(self) -> torch.Tensor:
        """The L2 norm of all gradients together, on the device (no host sync); each parameter's
        norm goes to the per-layer diagnostics."""
        grads = [p.grad for p in self.model.parameters()]
        if any(grad is None for grad in grads):
            return _grad_norm(self.model.parameters())
        norms = torch.stack(torch._foreach_norm(grads))
        self.watch.add_gradients(norms)
        return torch.linalg.vector_norm(norms)

    def diagnostics(self) -> Figures:
        return self.watch.read(self.data.x_train)

    def apply_edit(self, edit: Edit) -> float:
        return apply_edit(self.model, edit)

    def before_validation(self) -> None:
        if self.config.training.loader == "dataloader":
            draw_loop_start(self.generator)

    def _penalty(self) -> Callable[[], torch.Tensor] | None:
        """rate · the regularization's penalty on the weights, added to the loss that is minimised."""
        kind, rate = self.config.training.regularization, self.config.training.reg_rate
        if kind == "none" or rate == 0:
            return None
        weights = self.model.weight_matrices()
        return lambda: rate * weight_penalty(kind, weights)

    def _plain_sgd(self) -> Callable[[], None] | None:
        """For torch.optim.SGD without momentum or weight decay, its update without its wrapper:
        `p -= lr * grad` as SGD computes it (the same numbers), but Optimizer.step's bookkeeping
        costs ~0.1 ms a call, a third of a small network's step in mini-batches."""
        optimizer = self.optimizer
        if type(optimizer) is not torch.optim.SGD or len(optimizer.param_groups) != 1:
            return None
        group = optimizer.param_groups[0]
        if group["momentum"] or group["weight_decay"] or group["maximize"] or group["nesterov"]:
            return None
        params = list(group["params"])
        lr = -group["lr"]

        def step() -> None:
            with torch.no_grad():
                for param in params:
                    param.add_(param.grad, alpha=lr)
                    param.grad = None

        return step

    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        self.model.eval()
        with torch.no_grad():
            predicted = self.model(x)
            loss = self.loss(predicted, y)
            accuracy = (
                classes_of(predicted).eq(y).float().mean() if self.data.task == CLASSIFICATION else None
            )
        return loss, accuracy

    def snapshots(self) -> list[Snapshot]:
        return [self.snapshot()]

    def snapshot(self) -> Snapshot:
        """Predictions on up to `snapshot_points` training inputs, and over a grid for 2-d inputs."""
        data = self.data
        count = min(self.observe.snapshot_points, len(data.x_train))
        index = torch.linspace(0, len(data.x_train) - 1, count, device=self.device).long()
        points, targets = data.x_train[index], data.y_train[index]
        classify = data.task == CLASSIFICATION
        self.model.eval()
        with torch.no_grad():
            predicted = self.model(points)
            predicted = classes_of(predicted) if classify else predicted.squeeze(1)
            grid = extent = confidence = None
            if data.input_dim == 2:
                grid, extent, confidence = self._grid()
        inside = (
            look_inside(self.model, self.config, data.x_train, data.task) if self.observe.inside else None
        )
        val_count = min(count, len(data.x_val))
        val_index = torch.linspace(0, len(data.x_val) - 1, val_count, device=self.device).long()
        return Snapshot(
            self.epochs_done,
            data.task,
            points.cpu().numpy(),
            targets.reshape(-1).cpu().numpy(),
            predicted.cpu().numpy(),
            grid,
            extent,
            inside,
            data.x_val[val_index].cpu().numpy(),
            data.y_val[val_index].reshape(-1).cpu().numpy(),
            confidence,
        )

    def _grid(self) -> tuple[np.ndarray, tuple[float, float, float, float], np.ndarray | None]:
        """The prediction over the plane, its extent and, classifying, the winning class's
        probability (softmax, or (1 ± out) / 2 for Playground's one tanh unit)."""
        rows, cols = self.observe.grid
        low = self.data.x_train.min(0).values.tolist()
        high = self.data.x_train.max(0).values.tolist()
        if self.config.data.dataset == "drawn":  # the whole plane the points were drawn on
            low, high = [min(v, -1.0) for v in low], [max(v, 1.0) for v in high]
        xs = torch.linspace(low[0], high[0], cols, device=self.device)
        ys = torch.linspace(high[1], low[1], rows, device=self.device)
        grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
        out = self.model(torch.stack([grid_x.reshape(-1), grid_y.reshape(-1)], dim=1))
        confidence = None
        if self.data.task == CLASSIFICATION:
            if out.shape[1] > 1:
                confidence = out.softmax(1).max(1).values
            else:
                confidence = (1 + out[:, 0].abs().clamp(max=1)) / 2
            confidence = confidence.reshape(rows, cols).cpu().numpy()
        out = classes_of(out) if self.data.task == CLASSIFICATION else out.squeeze(1)
        return out.reshape(rows, cols).cpu().numpy(), (low[0], high[0], low[1], high[1]), confidence


def _grad_norm(parameters) -> torch.Tensor:
    """The L2 norm of all gradients together, on the device (no host sync)."""
    grads = [p.grad for p in parameters if p.grad is not None]
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads))) if grads else torch.zeros(())
