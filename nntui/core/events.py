"""What a run reports, in order: Started, then EpochEnd and Snapshot (with Paused/Resumed), then
Finished or Failed. The app renders these, the CLI prints them, tests assert on them."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from nntui.core.metrics import METRICS

if TYPE_CHECKING:
    import numpy as np

    from nntui.core.inside import Inside


class Status(StrEnum):
    """A run's state, one vocabulary for the loop, the saved records and the app. A saved record
    reads RUNNING while its run trains; one whose process then ended reads INTERRUPTED."""

    READY = "ready"
    STARTING = "starting"
    TRAINING = "training"
    PAUSED = "paused"
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    DIVERGED = "diverged"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @property
    def live(self) -> bool:
        return self in (Status.STARTING, Status.TRAINING, Status.PAUSED)


@dataclass(frozen=True)
class Started:
    config: object
    device: str
    device_description: str
    architecture: str
    parameters: int
    train_size: int
    val_size: int
    start_epoch: int = 0


@dataclass(frozen=True)
class EpochEnd:
    """An epoch's figures by the metrics table (nntui.core.metrics): `event.train_loss` reads the
    row `train_loss`, None on epochs that did not measure it. `train_loss` is the mean over the
    epoch's batches; `batch_loss` the last batch's, which is what the tutorial prints.
    `device_memory_bytes` is what the run holds on a CUDA device (None elsewhere)."""

    epoch: int
    epochs: int
    steps: int
    values: dict[str, float | None]
    samples_per_s: float
    device_memory_bytes: int | None = None

    def __getattr__(self, name: str) -> Any:
        if name in METRICS:
            return self.values.get(name)
        raise AttributeError(name)

    def timed(self, samples_per_s: float, elapsed_s: float) -> EpochEnd:
        """A copy with other clock figures: screens made from recorded runs stay repeatable."""
        values = {**self.values, "elapsed_s": elapsed_s}
        return replace(self, samples_per_s=samples_per_s, values=values)

    def to_dict(self) -> dict[str, Any]:
        """Flat, as `--jsonl` prints it: the metrics beside the epoch's counts."""
        out = asdict(self)
        return {**{k: v for k, v in out.items() if k != "values"}, **out["values"]}


@dataclass(frozen=True)
class Snapshot:
    """Predictions for plotting. `points` (n, d) are sample inputs with their `targets` and
    `predictions`; for 2-d inputs `grid` holds the prediction (class or value) over `extent`."""

    epoch: int
    task: str
    points: np.ndarray
    targets: np.ndarray
    predictions: np.ndarray
    grid: np.ndarray | None = None
    extent: tuple[float, float, float, float] | None = None
    inside: Inside | None = None  # each layer's weights, states and maps (core/inside.py)
    val_points: np.ndarray | None = None  # validation inputs (n, d) with their targets
    val_targets: np.ndarray | None = None
    confidence: np.ndarray | None = None  # over the grid: the winning class's probability


@dataclass(frozen=True)
class Edited:
    """A weight (`input` from 0) or bias (`input` None) of `neuron` in weight matrix `layer` set by
    hand while paused, before epoch `epoch` trains; the losses are the edited model's, at once."""

    epoch: int
    layer: int
    neuron: int
    input: int | None
    old: float
    new: float
    train_loss: float
    val_loss: float | None = None
    train_accuracy: float | None = None
    val_accuracy: float | None = None

    def what(self) -> str:
        from nntui.core.inside import Edit

        return Edit(self.layer, self.neuron, self.input, self.new).what()

    def to_record(self) -> dict[str, Any]:
        """What the history keeps of it."""
        return {
            "epoch": self.epoch,
            "layer": self.layer,
            "neuron": self.neuron,
            "input": self.input,
            "old": self.old,
            "new": self.new,
        }


@dataclass(frozen=True)
class Paused:
    epoch: int


@dataclass(frozen=True)
class Resumed:
    epoch: int


@dataclass(frozen=True)
class Finished:
    """`status` is finished or stopped; the figures are the final model's on the whole sets."""

    status: Status
    epochs_done: int
    train_loss: float
    val_loss: float | None
    train_accuracy: float | None
    val_accuracy: float | None
    duration_s: float


@dataclass(frozen=True)
class Failed:
    """`reason` is diverged, out-of-memory or error; `message` is written for the user."""

    reason: str
    message: str
    epoch: int

    @property
    def status(self) -> Status:
        return Status.DIVERGED if self.reason == "diverged" else Status.FAILED

    @classmethod
    def diverged(cls, epoch: int, loss: float) -> Failed:
        """`epoch` counts from 0 as EpochEnd's does; the message counts from 1 as the status does."""
        message = f"diverged at epoch {epoch + 1} (loss = {loss}): try a smaller learning rate"
        return cls("diverged", message, epoch)


def epoch_event(
    epoch: int,
    epochs: int,
    steps: int,
    values: dict[str, float | None],
    samples_per_s: float,
    memory_bytes: int | None = None,
) -> EpochEnd | Failed:
    """An epoch's figures as its EpochEnd, or as Failed.diverged when a loss is NaN or infinite."""
    losses = (values.get("train_loss"), values.get("val_loss"))
    bad = next((v for v in losses if v is not None and not math.isfinite(v)), None)
    if bad is not None:
        return Failed.diverged(epoch, bad)
    return EpochEnd(epoch, epochs, steps, values, samples_per_s, memory_bytes)


Event = Started | EpochEnd | Snapshot | Edited | Paused | Resumed | Finished | Failed
