"""What the app knows of the current run, folded from its events; no Textual, no torch."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nntui.core.events import (
    Edited,
    EpochEnd,
    Event,
    Failed,
    Finished,
    Paused,
    Resumed,
    Snapshot,
    Started,
    Status,
)
from nntui.core.metrics import History

READY, STARTING, TRAINING, PAUSED = Status.READY, Status.STARTING, Status.TRAINING, Status.PAUSED
FINISHED, STOPPED, DIVERGED, FAILED = Status.FINISHED, Status.STOPPED, Status.DIVERGED, Status.FAILED


@dataclass
class RunHistory:
    """Every epoch's figures by the metrics table (for the charts) and only the latest snapshot
    (for the predictions)."""

    status: Status = READY
    started: Started | None = None
    figures: History = field(default_factory=History)
    last: EpochEnd | None = None
    snapshot: Snapshot | None = None
    outcome: Finished | Failed | None = None
    memory_bytes: int | None = None
    total_epochs: int = 0
    edited: Edited | None = None  # the latest hand edit, until the next epoch

    @property
    def live(self) -> bool:
        return Status(self.status).live

    @property
    def epochs(self) -> list[int]:
        return self.figures.epochs

    def series(self, metric: str) -> tuple[list[int], list[float]]:
        return self.figures.series(metric)

    def latest(self, metric: str) -> float | None:
        """The metric's last measured value (None before it is measured)."""
        return self.figures.last(metric)

    @property
    def exists(self) -> bool:
        return self.status != READY

    @property
    def classification(self) -> bool:
        return self.snapshot is not None and self.snapshot.task == "classification"

    def consume(self, events: list[Event]) -> tuple[bool, bool]:
        """Fold events in; returns whether the charts and the predictions have something new."""
        charts = predictions = False
        for event in events:
            if isinstance(event, EpochEnd):
                self._epoch(event)
                self.edited = None
                charts = True
            elif isinstance(event, Edited):
                self.edited = event
                charts = True
            elif isinstance(event, Snapshot):
                self.snapshot = event
                predictions = True
            elif isinstance(event, Started):
                self.started = event
                self.total_epochs = event.config.training.epochs
                self.status = TRAINING if self.status == STARTING else self.status
            elif isinstance(event, Paused):
                self.status = PAUSED
            elif isinstance(event, Resumed):
                self.status = TRAINING
            elif isinstance(event, Finished):
                self.outcome, self.status = event, Status(event.status)
                charts = predictions = True
            elif isinstance(event, Failed):
                self.outcome, self.status = event, event.status
                charts = True
        return charts, predictions

    def _epoch(self, event: EpochEnd) -> None:
        self.last = event
        self.total_epochs = event.epochs
        self.figures.add(event.epoch, event.values)

    @property
    def epochs_done(self) -> int:
        return self.last.epoch + 1 if self.last else (self.started.start_epoch if self.started else 0)

    @property
    def eta_s(self) -> float | None:
        if self.status != TRAINING or not self.last or not self.last.elapsed_s:
            return None
        done = self.epochs_done - (self.started.start_epoch if self.started else 0)
        left = self.total_epochs - self.epochs_done
        return self.last.elapsed_s / max(done, 1) * left


@dataclass
class CompareHistory:
    """Variants trained side by side: one RunHistory each, and the group they are saved as."""

    labels: tuple[str, ...]
    runs: list[RunHistory] = field(default_factory=list)
    group: str | None = None
    stopping: bool = False

    def __post_init__(self) -> None:
        self.runs = [RunHistory(status=STARTING) for _ in self.labels]

    @classmethod
    def of(cls, variants: list) -> CompareHistory:
        """For compare.Variant's: their labels, and their epochs known before they start."""
        compare = cls(tuple(variant.label for variant in variants))
        for run, variant in zip(compare.runs, variants):
            run.total_epochs = variant.config.training.epochs
        return compare

    def consume(self, pairs: list[tuple[int, Event]]) -> None:
        for index, event in pairs:
            self.runs[index].consume([event])

    @property
    def status(self) -> str:
        if self.group is not None:
            return STOPPED if self.stopping else FINISHED
        if any(run.status == PAUSED for run in self.runs):
            return PAUSED
        return TRAINING

    @property
    def epochs_done(self) -> int:
        return sum(run.epochs_done for run in self.runs)

    @property
    def total_epochs(self) -> int:
        return sum(run.total_epochs for run in self.runs)

    def best(self) -> int | None:
        """The variant with the lowest last validation loss (train loss when there is none)."""
        scored = [
            (
                run.figures.last("val_loss")
                if run.figures.last("val_loss") is not None
                else run.figures.last("train_loss"),
                index,
            )
            for index, run in enumerate(self.runs)
            if run.epochs
        ]
        return min(scored)[1] if scored else None


def downsample(xs: list, ys: list, points: int) -> tuple[list, list]:
    """At most `points` samples, as many as a chart's columns can show: the first and the last,
    and between them, in `points // 2 - 1` equal stretches, each stretch's lowest and highest value
    in epoch order (so that a spike between two evenly spaced picks is still drawn)."""
    if len(xs) != len(ys):
        raise ValueError(f"a series has {len(xs)} epochs but {len(ys)} values")
    if len(xs) <= points or points < 4:
        return xs, ys
    values = np.asarray(ys, dtype=float)
    values = np.where(np.isnan(values), np.inf, values)  # a diverged epoch counts as the highest
    kept = {0, len(xs) - 1}
    for stretch in np.array_split(np.arange(1, len(xs) - 1), points // 2 - 1):
        if len(stretch):
            kept.update((int(stretch[values[stretch].argmin()]), int(stretch[values[stretch].argmax()])))
    index = sorted(kept)
    return [xs[i] for i in index], [ys[i] for i in index]
