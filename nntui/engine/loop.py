"""The one training loop: pause, step, stop, a live learning rate, metrics flushed in one host
sync, prediction snapshots, divergence, out-of-memory and the finish, for whatever `Steps` it
drives: one model (Trainer) or K stacked models trained as one computation (BatchedRun)."""

from __future__ import annotations

import math
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from nntui.core.config import RunConfig
from nntui.core.errors import UserError
from nntui.core.events import (
    Edited,
    Event,
    Failed,
    Finished,
    Paused,
    Resumed,
    Snapshot,
    Started,
    Status,
    epoch_event,
)
from nntui.core.inside import Edit
from nntui.engine.datasets import Data
from nntui.engine.devices import memory_in_use

Figures = dict[str, torch.Tensor | None]  # metric name: a (K,) tensor, or None when not measured


class RunControl:
    """Pause, resume, step, stop, change the learning rate and edit weights of a run, from any thread."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._paused = False
        self._steps_allowed = 0
        self._edits: list[Edit] = []
        self.stop_requested = False
        self.lr_request: float | None = None

    def edit(self, edit: Edit) -> None:
        """Set a weight or bias: applied between epochs (a paused run wakes for it, and stays paused)."""
        with self._condition:
            self._edits.append(edit)
            self._condition.notify_all()

    def take_edits(self) -> list[Edit]:
        with self._condition:
            edits, self._edits = self._edits, []
        return edits

    @property
    def has_edits(self) -> bool:
        return bool(self._edits)

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

    def take_lr_request(self) -> float | None:
        lr, self.lr_request = self.lr_request, None
        return lr

    @property
    def paused(self) -> bool:
        return self._paused and self._steps_allowed == 0

    def wait_if_paused(self) -> bool:
        """Block while paused; True if an epoch may run (or edits wait), False once stopped."""
        with self._condition:
            while self._paused and self._steps_allowed == 0 and not self.stop_requested and not self._edits:
                self._condition.wait()
            if self._edits:
                return not self.stop_requested
            if self._paused and self._steps_allowed:
                self._steps_allowed -= 1
            return not self.stop_requested


@dataclass(frozen=True)
class Observe:
    """How often a run reports: metrics (with the per-layer diagnostics) are flushed (one host
    sync) at most every `flush_every_s`; prediction snapshots come at start, end, and every
    `snapshot_every_s` if set."""

    flush_every_s: float = 0.1
    snapshot_every_s: float | None = None
    snapshot_points: int = 1500
    grid: tuple[int, int] = (40, 80)
    inside: bool = True  # snapshots carry the network's inside (engine/inside.py)


class Steps(ABC):
    """What the loop drives. `count` runs train together (1 for a Trainer); every figure is a
    (count,) tensor, and the loop reports each run's events under its index."""

    config: RunConfig
    data: Data
    device: torch.device
    count: int
    epochs_done: int

    @abstractmethod
    def started(self) -> list[Started]:
        """Each run's Started event."""

    @abstractmethod
    def epoch(self, evaluated: bool, control: RunControl) -> tuple[int, Figures] | None:
        """Train one epoch and measure it (validation when `evaluated`): its step count and its
        figures; None if stopped mid-way."""

    @abstractmethod
    def set_lr(self, lr: float) -> None: ...

    @abstractmethod
    def lr(self) -> float: ...

    def lrs(self) -> list[float]:
        """Each run's learning rate (a sweep's batched variants have one each)."""
        return [self.lr()] * self.count

    @property
    @abstractmethod
    def train_size(self) -> int: ...

    @abstractmethod
    def snapshots(self) -> list[Snapshot]:
        """Each run's predictions as they stand."""

    @abstractmethod
    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Each run's loss on (x, y), and its accuracy for classification (None otherwise)."""

    def final_figures(self) -> Figures:
        """train_loss, val_loss, train_accuracy, val_accuracy of each final model on the whole sets."""
        data = self.data
        figures: Figures = dict.fromkeys(("train_loss", "val_loss", "train_accuracy", "val_accuracy"))
        figures["train_loss"], figures["train_accuracy"] = self.evaluate(data.x_train, data.y_train)
        if data.has_validation:
            figures["val_loss"], figures["val_accuracy"] = self.evaluate(data.x_val, data.y_val)
        return figures

    def epoch_figures(
        self,
        losses: list[torch.Tensor],
        correct: list[torch.Tensor],
        grad_norm: torch.Tensor,
        evaluated: bool,
    ) -> Figures:
        """An epoch's figures from its steps' losses (and correct counts when classifying), with
        validation when the epoch is evaluated."""
        data = self.data
        figures: Figures = {
            "train_loss": torch.stack(losses).mean(0),
            "batch_loss": losses[-1],
            "val_loss": None,
            "train_accuracy": torch.stack(correct).sum(0) / len(data.x_train) if correct else None,
            "val_accuracy": None,
            "grad_norm": grad_norm,
        }
        if data.has_validation and evaluated:
            self.before_validation()
            figures["val_loss"], figures["val_accuracy"] = self.evaluate(data.x_val, data.y_val)
        return figures

    def diagnostics(self) -> Figures:
        """Per-layer figures (core.metrics per-layer rows) of the model as it stands, read when
        figures are flushed; none unless the Steps measures them."""
        return {}

    def apply_edit(self, edit: Edit) -> float:
        """Set the weight or bias `edit` names; returns the value it had."""
        raise UserError("weights can be edited in a single run, not in a comparison")

    @abstractmethod
    def before_validation(self) -> None:
        """What a validation pass draws from the runs' generators first (the DataLoader replay)."""

    def finish(self) -> None:  # noqa: B027 - optional: only a batched run has something to do
        """Called once training ends, before the final figures: a batched run hands back here."""


def evaluated(config: RunConfig, epoch: int) -> bool:
    """Validation, and accuracy, are measured every `val_every` epochs and on the last."""
    training = config.training
    return epoch % training.val_every == 0 or epoch == training.epochs - 1


@dataclass
class _Clock:
    """Epoch figures awaiting a flush, and the run's timing with paused time left out."""

    pending: list[tuple[int, int, list[float], Figures]] = field(default_factory=list)
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


def train(steps: Steps, control: RunControl, observe: Observe) -> Iterator[tuple[int, Event]]:
    """(run index, event) pairs until every run has finished, stopped or failed; never raises
    for a failing run. A run that diverges ends alone; the others train on."""
    alive = [True] * steps.count
    try:
        yield from _train(steps, control, observe, alive)
    except torch.OutOfMemoryError:
        message = f"out of memory on {steps.device}: try a smaller batch size or network"
        yield from _each(alive, lambda _: Failed("out-of-memory", message, steps.epochs_done))
    except Exception as error:  # noqa: BLE001 - a failing run is reported, never fatal
        message = f"{type(error).__name__}: {error}"
        yield from _each(alive, lambda _: Failed("error", message, steps.epochs_done))


def _each(alive: list[bool], make) -> Iterator[tuple[int, Event]]:
    for index, live in enumerate(alive):
        if live:
            alive[index] = False
            yield index, make(index)


def _train(steps: Steps, control: RunControl, observe: Observe, alive: list[bool]):
    config = steps.config
    yield from enumerate(steps.started())
    clock = _Clock()
    yield from _snapshots(steps, clock, alive)
    while steps.epochs_done < config.training.epochs and any(alive):
        if control.has_edits:
            yield from _edits(steps, control.take_edits(), clock, alive)
        if control.paused:
            yield from _flush(steps, clock, alive)
            if not any(alive):
                return
            if clock.snapshot_epoch != steps.epochs_done:  # a paused or stepped run shows where it is
                yield from _snapshots(steps, clock, alive)
            yield from _all(alive, Paused(steps.epochs_done))
            paused_at = time.perf_counter()
            if not control.wait_if_paused():
                break
            clock.resume(time.perf_counter() - paused_at)
            if control.has_edits:  # applied at the loop's top: the run stays paused
                continue
            yield from _all(alive, Resumed(steps.epochs_done))
        elif not control.wait_if_paused():
            break
        lr = control.take_lr_request()
        if lr is not None:
            steps.set_lr(lr)
        epoch = steps.epochs_done
        lr = steps.lrs()  # this epoch's: a new one waits for the next
        measured = steps.epoch(evaluated(config, epoch), control)
        if measured is None:
            break
        clock.samples += steps.train_size
        clock.pending.append((epoch, *measured[:1], lr, measured[1]))
        steps.epochs_done += 1
        now = time.perf_counter()
        if now - clock.last_flush >= observe.flush_every_s or control.paused:
            yield from _flush(steps, clock, alive)
        every = observe.snapshot_every_s
        if (
            every is not None
            and steps.epochs_done < config.training.epochs
            and now - clock.last_snapshot >= every
        ):
            yield from _snapshots(steps, clock, alive)
    yield from _flush(steps, clock, alive)
    steps.finish()
    if not any(alive):
        return
    if clock.snapshot_epoch != steps.epochs_done:
        yield from _snapshots(steps, clock, alive)
    status = Status.STOPPED if control.stop_requested else Status.FINISHED
    final = _host(steps.final_figures(), steps.count)
    duration = clock.active_s()
    yield from _each(
        alive,
        lambda k: Finished(
            status,
            steps.epochs_done,
            final["train_loss"][k],
            *(
                None if final[m] is None else final[m][k]
                for m in ("val_loss", "train_accuracy", "val_accuracy")
            ),
            duration,
        ),
    )


def _all(alive: list[bool], event: Event) -> Iterator[tuple[int, Event]]:
    for index, live in enumerate(alive):
        if live:
            yield index, event


def _snapshots(steps: Steps, clock: _Clock, alive: list[bool]) -> Iterator[tuple[int, Event]]:
    snapshots = steps.snapshots()
    clock.snapshot_epoch, clock.last_snapshot = steps.epochs_done, time.perf_counter()
    for index, snapshot in enumerate(snapshots):
        if alive[index]:
            yield index, snapshot


def _edits(steps: Steps, edits: list[Edit], clock: _Clock, alive: list[bool]) -> Iterator[tuple[int, Event]]:
    """Apply hand edits between epochs: each as an Edited event with the edited model's losses,
    then a snapshot of it. An edit that names no weight is left out (the app checks first)."""
    for edit in edits:
        try:
            old = steps.apply_edit(edit)
        except (UserError, IndexError):
            continue
        figures = _host(steps.final_figures(), steps.count)
        measured = [
            None if figures[m] is None else figures[m][0]
            for m in ("val_loss", "train_accuracy", "val_accuracy")
        ]
        event = Edited(
            steps.epochs_done,
            edit.layer,
            edit.neuron,
            edit.input,
            old,
            edit.value,
            figures["train_loss"][0],
            *measured,
        )
        yield from _all(alive, event)
    yield from _snapshots(steps, clock, alive)


def _host(figures: Figures, count: int) -> dict[str, list[float] | None]:
    """Figures brought to the host in one sync: each metric as a list of `count` floats."""
    present = [name for name, value in figures.items() if value is not None]
    values = (
        torch.stack([figures[name].float().reshape(count) for name in present]).tolist() if present else []
    )
    out: dict[str, list[float] | None] = dict.fromkeys(figures)
    out.update(zip(present, values))
    return out


def _flush(steps: Steps, clock: _Clock, alive: list[bool]) -> Iterator[tuple[int, Event]]:
    """The pending epochs' figures, brought to the host in one sync (a CPU–GPU sync point), as
    each live run's events; a run whose loss is NaN or infinite fails as diverged there."""
    pending, clock.pending = clock.pending, []
    if not pending:
        return
    count = steps.count
    pending[-1][3].update(steps.diagnostics())  # the model as it stands: the last epoch's
    stacked = {
        f"{row}:{name}": value for row, (*_, figures) in enumerate(pending) for name, value in figures.items()
    }
    host = _host(stacked, count)
    now = time.perf_counter()
    rate = clock.samples / max(now - clock.last_flush, 1e-9)
    clock.samples, clock.last_flush = 0, now
    memory = memory_in_use(steps.device)
    elapsed = clock.active_s()
    for row, (epoch, step_count, lr, figures) in enumerate(pending):
        for index in range(count):
            if not alive[index]:
                continue
            values = {
                name: None if host[f"{row}:{name}"] is None else host[f"{row}:{name}"][index]
                for name in figures
            }
            values.update(lr=lr[index], elapsed_s=elapsed)
            event = epoch_event(epoch, steps.config.training.epochs, step_count, values, rate, memory)
            if isinstance(event, Failed):
                alive[index] = False
            yield index, event
