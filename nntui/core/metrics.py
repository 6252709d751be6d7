"""The metrics table: every figure an epoch reports, and the history of a run keyed by it.

Adding a measurement is one row here plus computing it in the training step (engine/trainer.py):
the event, the saved history, `--jsonl`, the CSV export and the app's charts read the rows.
A per-layer row is measured once per layer: its columns are `name.1`, `name.2`, … (layer 1 is the
first weight matrix, the last is the output layer's)."""

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
    per_layer: bool = False


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
    # per layer, measured when figures are flushed (not every epoch): see engine/inside.py
    Metric("weight_norm", "weight norm", per_layer=True),
    Metric("layer_grad_norm", "gradient norm", per_layer=True),
    Metric("update_ratio", "update / weight", per_layer=True),
    Metric("dead_fraction", "dead units", per_layer=True),
    Metric("saturated_fraction", "saturated outputs", per_layer=True),
]:
    METRICS.add(_metric.name, _metric)


EPOCH_METRICS = [name for name, metric in METRICS.items() if not metric.per_layer]
LAYER_METRICS = [name for name, metric in METRICS.items() if metric.per_layer]


def layer_column(metric: str, layer: int) -> str:
    """The column of a per-layer metric for layer `layer` (from 1)."""
    return f"{metric}.{layer}"


def parse_layer_column(column: str) -> tuple[str, int] | None:
    """(metric, layer) of a per-layer column, None for any other name."""
    metric, dot, layer = column.rpartition(".")
    if not dot or metric not in LAYER_METRICS or not layer.isdigit() or int(layer) < 1:
        return None
    return metric, int(layer)


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
    """Every recorded epoch's figures, by metric (per-layer ones by column, added as they first
    come); None where an epoch did not measure it. `edits` are the weights set by hand while the
    run was paused (core.inside.Edit as dicts), in order."""

    epochs: list[int] = field(default_factory=list)
    columns: dict[str, list[float | None]] = field(default_factory=lambda: {m: [] for m in EPOCH_METRICS})
    edits: list[dict[str, Any]] = field(default_factory=list)

    def add(self, epoch: int, values: dict[str, float | None], elapsed_offset_s: float = 0.0) -> None:
        self.epochs.append(epoch)
        for metric in EPOCH_METRICS:
            value = values.get(metric)
            if metric == "elapsed_s" and value is not None:
                value += elapsed_offset_s
            self.columns[metric].append(value)
        for column in values:
            if column not in self.columns and parse_layer_column(column):
                self.columns[column] = [None] * (len(self.epochs) - 1)
        for column in self.layer_columns():
            self.columns[column].append(values.get(column))

    def layer_columns(self) -> list[str]:
        """The per-layer columns present, by metric row then layer."""
        parsed = {column: parse_layer_column(column) for column in self.columns}
        found = [(LAYER_METRICS.index(p[0]), p[1], column) for column, p in parsed.items() if p]
        return [column for *_, column in sorted(found)]

    def column_names(self) -> list[str]:
        return [*(m for m in EPOCH_METRICS if m in self.columns), *self.layer_columns()]

    def series(self, metric: str = "train_loss") -> tuple[list[int], list[float]]:
        """The epochs that have `metric`, and its values there."""
        pairs = [(e, v) for e, v in zip(self.epochs, self.columns[metric]) if v is not None]
        return [e for e, _ in pairs], [v for _, v in pairs]

    def rows(self, last: int | None = None) -> list[dict[str, float | int | None]]:
        """Each epoch's figures as a dict; only the `last` few epochs' if given (the screen's)."""
        names = self.column_names()
        first = 0 if last is None else max(len(self.epochs) - last, 0)
        return [
            {"epoch": self.epochs[index], **{column: self.columns[column][index] for column in names}}
            for index in range(first, len(self.epochs))
        ]

    def last(self, metric: str) -> float | None:
        return next((v for v in reversed(self.columns[metric]) if v is not None), None)

    def __len__(self) -> int:
        return len(self.epochs)

    def to_dict(self) -> dict[str, Any]:
        out = {"format": FORMAT, "epoch": self.epochs, **{c: self.columns[c] for c in self.column_names()}}
        return {**out, "edits": self.edits} if self.edits else out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> History:
        """A saved history; a metric it lacks (saved before that row existed) reads as None."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError("not an nntui history")
        epochs = raw.get("epoch")
        if not isinstance(epochs, list) or not all(_whole(e) for e in epochs):
            raise ValueError("its epochs are not a list of whole numbers")
        columns = {}
        for metric in [*EPOCH_METRICS, *(key for key in raw if parse_layer_column(key))]:
            column = raw.get(metric)
            column = [None] * len(epochs) if column is None else column
            if not isinstance(column, list) or len(column) != len(epochs):
                raise ValueError(f"its {metric} column is not a list of {len(epochs)} figures")
            if not all(value is None or _number(value) for value in column):
                raise ValueError(f"its {metric} column holds something other than numbers")
            columns[metric] = [None if value is None else float(value) for value in column]
        edits = raw.get("edits", [])
        if not isinstance(edits, list) or not all(isinstance(edit, dict) for edit in edits):
            raise ValueError("its edits are not a list of records")
        return cls([int(e) for e in epochs], columns, edits)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
