"""The training loop: runs headless, streams events, and obeys a control from another thread."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from nntui.core.config import RunConfig
from nntui.core.errors import UserError
from nntui.core.events import Event, Failed, Finished, Paused, Resumed, Snapshot, Started, epoch_event
from nntui.engine.datasets import CLASSIFICATION, DATASETS, Data, as_data
from nntui.engine.devices import available_devices, memory_in_use, resolve_device
from nntui.engine.model import ScratchSGD, build_model, loss_function, parameter_count
from nntui.engine.optimizers import OPTIMIZERS
from nntui.engine.tutorial import CELL_DATA, draw_loop_start, replay


class RunControl:
    """Pause, resume, step, stop and change the learning rate of a run, from any thread."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._paused = False
        self._steps_allowed = 0
        self.stop_requested = False
        self.lr_request: float | None = None

    def pause(self) -> None:
        with self._condition:
            self._paused = True

    def resume(self) -> None:
        with self._condition:
            self._paused = False
            self._condition.notify_all()

    def step(self, epochs: int = 1) -> None:
        """Run `epochs` more epochs, then pause again."""
        with self._condition:
            self._paused = True
            self._steps_allowed += epochs
            self._condition.notify_all()

    def stop(self) -> None:
        with self._condition:
            self.stop_requested = True
            self._condition.notify_all()

    def set_lr(self, lr: float) -> None:
        if not lr > 0 or not math.isfinite(lr):
            raise UserError(f"learning rate must be > 0, got {lr}")
        self.lr_request = lr

    @property
    def paused(self) -> bool:
        return self._paused and self._steps_allowed == 0

    def wait_if_paused(self) -> bool:
        """Block while paused; True if an epoch may run, False once stopped."""
        with self._condition:
            while self._paused and self._steps_allowed == 0 and not self.stop_requested:
                self._condition.wait()
            if self._paused and self._steps_allowed:
                self._steps_allowed -= 1
            return not self.stop_requested


@dataclass(frozen=True)
class Observe:
    """How often a run reports: metrics are flushed (one host sync) at most every `flush_every_s`;
    prediction snapshots come at start, end, and every `snapshot_every_s` if set."""

    flush_every_s: float = 0.1
    snapshot_every_s: float | None = None
    snapshot_points: int = 1500
    grid: tuple[int, int] = (40, 80)


@dataclass
class _Clock:
    """Epoch figures awaiting a flush, and the run's timing with paused time left out."""

    pending: list[tuple] = field(default_factory=list)
    samples: int = 0
    start: float = field(default_factory=time.perf_counter)
    last_flush: float = field(default_factory=time.perf_counter)
    last_snapshot: float = field(default_factory=time.perf_counter)
    snapshot_epoch: int = -1
    paused_s: float = 0.0

    def resume(self, paused_s: float) -> None:
        self.paused_s += paused_s
        self.last_flush = time.perf_counter()

    def active_s(self) -> float:
        return time.perf_counter() - self.start - self.paused_s


@dataclass
class Checkpoint:
    """What a run needs to continue: model and optimizer state and the epochs already done."""

    model_state: dict
    optimizer_state: dict
    epochs_done: int


def load_data(config: RunConfig) -> tuple[Data, torch.Generator]:
    """The run's data and the generator that draws its initial weights and shuffles."""
    if config.replay:
        dataset, size, n_val = CELL_DATA[config.replay]
        if (config.data.dataset, config.data.size, config.n_val) != (dataset, size, n_val):
            raise UserError(
                f"replay {config.replay!r} trains on the tutorial's own data ({dataset}, {size} points, "
                f'{n_val} for validation); set replay = "" to choose other data'
            )
        generator, data = replay(config.replay)
        return data, generator
    spec = DATASETS.get(config.data.dataset)
    data_generator = torch.Generator().manual_seed(config.data.seed)
    x, y = spec.make(config.data.size, config.data.noise, data_generator, config.data.path)
    n_val = round(len(x) * config.data.val_share) if spec.task is None else config.n_val
    data = as_data(config.resolved_task, x, y, n_val)
    return data, torch.Generator().manual_seed(config.training.seed)


class Trainer:
    """One run: built from a validated config, trained by iterating `events()`."""

    def __init__(
        self,
        config: RunConfig,
        control: RunControl | None = None,
        observe: Observe = Observe(),
        checkpoint: Checkpoint | None = None,
    ) -> None:
        config.validate(check_device=True)
        self.config = config
        self.control = control or RunControl()
        self.observe = observe
        self.device = resolve_device(config.device)
        data, self.generator = load_data(config)
        try:
            self.data = data.to(self.device)
        except torch.OutOfMemoryError:
            message = f"out of memory on {self.device}: the data does not fit; try a smaller data.size"
            raise UserError(message) from None
        self.dims = [
            self.data.input_dim,
            *(layer.units for layer in config.model.hidden),
            self.data.output_dim,
        ]
        self.model = build_model(config, self.dims, self.generator, self.device)
        training = config.training
        if config.style == "scratch":
            self.optimizer = ScratchSGD(self.model.parameters(), training.lr, training.weight_decay)
        else:
            build = OPTIMIZERS.get(training.optimizer).build
            self.optimizer = build(
                self.model.parameters(), training.lr, training.momentum, training.weight_decay
            )
        self.loss = loss_function(self.data.task, config.style)
        self.epochs_done = 0
        if checkpoint:
            self.model.load_state_dict(checkpoint.model_state)
            self.optimizer.load_state_dict(checkpoint.optimizer_state)
            self.epochs_done = checkpoint.epochs_done
        self.status = "ready"

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
        self.status = "training"
        try:
            yield from self._train()
        except torch.OutOfMemoryError:
            self.status = "failed"
            yield Failed(
                "out-of-memory",
                f"out of memory on {self.device}: try a smaller batch size or network",
                self.epochs_done,
            )
        except Exception as error:  # noqa: BLE001 - a failing run is reported, never fatal
            self.status = "failed"
            yield Failed("error", f"{type(error).__name__}: {error}", self.epochs_done)

    def _train(self) -> Iterator[Event]:
        config, data, training = self.config, self.data, self.config.training
        device_name = str(self.device)
        description = next((d.description for d in available_devices() if d.name == device_name), device_name)
        yield Started(
            config,
            device_name,
            description,
            self.architecture,
            self.parameters,
            len(data.x_train),
            len(data.x_val),
            self.epochs_done,
        )
        clock = _Clock()
        yield self._snapshot(clock)
        batch_size = training.batch_size or len(data.x_train)
        while self.epochs_done < training.epochs:
            if self.control.paused:
                yield from self._flush(clock)
                if self.status == "diverged":
                    return
                if clock.snapshot_epoch != self.epochs_done:  # a paused or stepped run shows where it is
                    yield self._snapshot(clock)
                yield Paused(self.epochs_done)
                paused_at = time.perf_counter()
                if not self.control.wait_if_paused():
                    break
                clock.resume(time.perf_counter() - paused_at)
                yield Resumed(self.epochs_done)
            elif not self.control.wait_if_paused():
                break
            self._apply_lr_request()
            epoch = self.epochs_done
            losses, correct, stopped = self._epoch(batch_size, self._evaluated(epoch))
            if stopped:
                break
            clock.samples += len(data.x_train)
            clock.pending.append(self._epoch_figures(epoch, losses, correct))
            self.epochs_done += 1
            now = time.perf_counter()
            if now - clock.last_flush >= self.observe.flush_every_s or self.control.paused:
                yield from self._flush(clock)
                if self.status == "diverged":
                    return
            every = self.observe.snapshot_every_s
            if (
                every is not None
                and self.epochs_done < training.epochs
                and now - clock.last_snapshot >= every
            ):
                yield self._snapshot(clock)
        yield from self._flush(clock)
        if self.status == "diverged":
            return
        if clock.snapshot_epoch != self.epochs_done:
            yield self._snapshot(clock)
        self.status = "stopped" if self.control.stop_requested else "finished"
        yield self._finished(clock.active_s())

    def _apply_lr_request(self) -> None:
        lr = self.control.lr_request
        if lr is not None:
            self.control.lr_request = None
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

    def _evaluated(self, epoch: int) -> bool:
        """Validation, and accuracy, are measured every `val_every` epochs and on the last."""
        training = self.config.training
        return epoch % training.val_every == 0 or epoch == training.epochs - 1

    def _epoch(self, batch_size: int, measure_accuracy: bool) -> tuple[list, list, bool]:
        x, y = self._batches()
        model, optimizer, loss_of = self.model, self.optimizer, self.loss
        classify = measure_accuracy and self.data.task == CLASSIFICATION
        losses: list[torch.Tensor] = []
        correct: list[torch.Tensor] = []
        plain = self._plain_sgd()
        model.train()
        for begin in range(0, len(x), batch_size):
            if self.control.stop_requested:
                return losses, correct, True
            xb, yb = x[begin : begin + batch_size], y[begin : begin + batch_size]
            predicted = model(xb)
            loss = loss_of(predicted, yb)
            loss.backward()
            if plain is not None:
                plain()
            else:
                optimizer.step()
                optimizer.zero_grad()
            losses.append(loss.detach())
            if classify:
                correct.append(predicted.detach().argmax(1).eq(yb).sum())
        return losses, correct, False

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

    def _epoch_figures(self, epoch: int, losses: list, correct: list) -> tuple:
        mean_loss = torch.stack(losses).mean()
        train_accuracy = torch.stack(correct).sum() / len(self.data.x_train) if correct else None
        val_loss = val_accuracy = None
        if self.data.has_validation and self._evaluated(epoch):
            if self.config.training.loader == "dataloader":
                draw_loop_start(self.generator)
            val_loss, val_accuracy = self._evaluate(self.data.x_val, self.data.y_val)
        lr = self.optimizer.param_groups[0]["lr"]  # this epoch's: a new one waits for the next
        return epoch, len(losses), lr, mean_loss, losses[-1], val_loss, train_accuracy, val_accuracy

    def _evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        self.model.eval()
        with torch.no_grad():
            predicted = self.model(x)
            loss = self.loss(predicted, y)
            accuracy = predicted.argmax(1).eq(y).float().mean() if self.data.task == CLASSIFICATION else None
        return loss, accuracy

    def _flush(self, clock: _Clock) -> list[Event]:
        """The pending epochs' figures, brought to the host in one sync; stops at divergence."""
        pending, clock.pending = clock.pending, []
        if not pending:
            return []
        figures = [row[3:] for row in pending]
        tensors = [t.float() for row in figures for t in row if t is not None]
        values = iter(torch.stack(tensors).tolist())
        now = time.perf_counter()
        rate = clock.samples / max(now - clock.last_flush, 1e-9)
        clock.samples, clock.last_flush = 0, now
        memory = memory_in_use(self.device)
        events: list[Event] = []
        for (epoch, steps, lr, *_), row in zip(pending, figures):
            values_of_row = tuple(None if t is None else next(values) for t in row)
            event = epoch_event(
                epoch, self.config.training.epochs, steps, values_of_row, rate, clock.active_s(), lr, memory
            )
            events.append(event)
            if isinstance(event, Failed):
                self.status = "diverged"
                break
        return events

    def _finished(self, duration: float) -> Finished:
        train_loss, train_acc = self._evaluate(self.data.x_train, self.data.y_train)
        val_loss = val_acc = None
        if self.data.has_validation:
            val_loss, val_acc = self._evaluate(self.data.x_val, self.data.y_val)

        def value(t):
            return None if t is None else float(t)

        return Finished(
            self.status,
            self.epochs_done,
            float(train_loss),
            value(val_loss),
            value(train_acc),
            value(val_acc),
            duration,
        )

    def _snapshot(self, clock: _Clock) -> Snapshot:
        snapshot = self.snapshot()
        clock.snapshot_epoch, clock.last_snapshot = self.epochs_done, time.perf_counter()
        return snapshot

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
            predicted = predicted.argmax(1) if classify else predicted.squeeze(1)
            grid = extent = None
            if data.input_dim == 2:
                grid, extent = self._grid()
        return Snapshot(
            self.epochs_done,
            data.task,
            points.cpu().numpy(),
            targets.reshape(-1).cpu().numpy(),
            predicted.cpu().numpy(),
            grid,
            extent,
        )

    def _grid(self) -> tuple[np.ndarray, tuple[float, float, float, float]]:
        rows, cols = self.observe.grid
        low = self.data.x_train.min(0).values.tolist()
        high = self.data.x_train.max(0).values.tolist()
        xs = torch.linspace(low[0], high[0], cols, device=self.device)
        ys = torch.linspace(high[1], low[1], rows, device=self.device)
        grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
        out = self.model(torch.stack([grid_x.reshape(-1), grid_y.reshape(-1)], dim=1))
        out = out.argmax(1) if self.data.task == CLASSIFICATION else out.squeeze(1)
        return out.reshape(rows, cols).cpu().numpy(), (low[0], high[0], low[1], high[1])
