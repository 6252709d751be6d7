"""What a run reports, in order: Started, then EpochEnd and Snapshot (with Paused/Resumed), then
Finished or Failed. The app renders these, the CLI prints them, tests assert on them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


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
    """`train_loss` is the mean over the epoch's batches; `batch_loss` the last batch's, which is
    what the tutorial prints. Validation figures are None on epochs that were not evaluated;
    `device_memory_bytes` is what the run holds on a CUDA device (None elsewhere)."""

    epoch: int
    epochs: int
    steps: int
    train_loss: float
    batch_loss: float
    val_loss: float | None
    train_accuracy: float | None
    val_accuracy: float | None
    samples_per_s: float
    elapsed_s: float
    lr: float
    device_memory_bytes: int | None = None


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


@dataclass(frozen=True)
class Paused:
    epoch: int


@dataclass(frozen=True)
class Resumed:
    epoch: int


@dataclass(frozen=True)
class Finished:
    """`status` is finished or stopped; the figures are the final model's on the whole sets."""

    status: str
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

    @classmethod
    def diverged(cls, epoch: int, loss: float) -> Failed:
        """`epoch` counts from 0 as EpochEnd's does; the message counts from 1 as the status does."""
        message = f"diverged at epoch {epoch + 1} (loss = {loss}): try a smaller learning rate"
        return cls("diverged", message, epoch)


def epoch_event(
    epoch: int,
    epochs: int,
    steps: int,
    figures: tuple[float | None, ...],
    samples_per_s: float,
    elapsed_s: float,
    lr: float,
    memory_bytes: int | None = None,
) -> EpochEnd | Failed:
    """An epoch's figures (train loss, last batch loss, val loss, train and val accuracy) as its
    EpochEnd, or as Failed.diverged when a loss is NaN or infinite."""
    train_loss, batch_loss, val_loss, train_acc, val_acc = figures
    bad = next((v for v in (train_loss, val_loss) if v is not None and not math.isfinite(v)), None)
    if bad is not None:
        return Failed.diverged(epoch, bad)
    return EpochEnd(
        epoch, epochs, steps, train_loss, batch_loss, val_loss, train_acc, val_acc,
        samples_per_s, elapsed_s, lr, memory_bytes,
    )  # fmt: skip


Event = Started | EpochEnd | Snapshot | Paused | Resumed | Finished | Failed
