"""The metrics table: every figure an epoch reports, and the history of a run keyed by it.

Adding a measurement is one row here plus computing it in the training step (engine/trainer.py):
the event, the saved history, `--jsonl`, the CSV export and the app's charts read the rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nntui.core.choices import CLASSIFICATION
from nntui.core.registry import Registry

FORMAT = 1


@dataclass(frozen=True)
class Metric:
    """`chart` names the app's chart that draws it ("" for none); `evaluated`: measured only on
    the epochs that validate (TrainingConfig.val_every); `task`: only for that task."""

    name: str
    label: str
    chart: str = ""
    evaluated: bool = False
    task: str | None = None


METRICS: Registry[Metric] = Registry("metric")
for _metric in [
    Metric("train_loss", "train", chart="loss"),
    Metric("batch_loss", "last batch"),
    Metric("val_loss", "validation", chart="loss", evaluated=True),
    Metric("train_accuracy", "train", chart="accuracy", evaluated=True, task=CLASSIFICATION),
    Metric("val_accuracy", "validation", chart="accuracy", evaluated=True, task=CLASSIFICATION),
    # the last step's gradient norm over all weights: a run about to diverge shows it first
    Metric("grad_norm", "gradient norm", chart="gradient"),
    Metric("lr", "learning rate"),
    Metric("elapsed_s", "elapsed s"),
]:
    METRICS.add(_metric.name, _metric)


def chart_metrics(chart: str, task: str | None = None) -> list[Metric]:
    """The rows a chart draws, for a run of `task`."""
    return [m for m in METRICS.values() if m.chart == chart and m.task in (None, task)]


@dataclass(frozen=True)
class Series:
    """One labelled curve for a chart."""

    label: str
    epochs: list[int]
    values: list[float]


@dataclass
class History:
    """Every recorded epoch's figures, by metric; None where an epoch did not measure it."""

    epochs: list[int] = field(default_factory=list)
    columns: dict[str, list[float | None]] = field(default_factory=lambda: {m: [] for m in METRICS})

    def add(self, epoch: int, values: dict[str, float | None], elapsed_offset_s: float = 0.0) -> None:
        self.epochs.append(epoch)
        for metric in METRICS:
            value = values.get(metric)
            if metric == "elapsed_s" and value is not None:
                value += elapsed_offset_s
            self.columns[metric].append(value)

    def series(self, metric: str = "train_loss") -> tuple[list[int], list[float]]:
        """The epochs that have `metric`, and its values there."""
        pairs = [(e, v) for e, v in zip(self.epochs, self.columns[metric]) if v is not None]
        return [e for e, _ in pairs], [v for _, v in pairs]

    def rows(self) -> list[dict[str, float | int | None]]:
        return [
            {"epoch": epoch, **{metric: self.columns[metric][index] for metric in METRICS}}
            for index, epoch in enumerate(self.epochs)
        ]

    def last(self, metric: str) -> float | None:
        return next((v for v in reversed(self.columns[metric]) if v is not None), None)

    def __len__(self) -> int:
        return len(self.epochs)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "epoch": self.epochs, **self.columns}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> History:
        """A saved history; a metric it lacks (saved before that row existed) reads as None."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError("not an nntui history")
        epochs = raw.get("epoch")
        if not isinstance(epochs, list) or not all(_whole(e) for e in epochs):
            raise ValueError("its epochs are not a list of whole numbers")
        columns = {}
        for metric in METRICS:
            column = raw.get(metric)
            column = [None] * len(epochs) if column is None else column
            if not isinstance(column, list) or len(column) != len(epochs):
                raise ValueError(f"its {metric} column is not a list of {len(epochs)} figures")
            if not all(value is None or _number(value) for value in column):
                raise ValueError(f"its {metric} column holds something other than numbers")
            columns[metric] = [None if value is None else float(value) for value in column]
        return cls([int(e) for e in epochs], columns)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
