"""A sweep: a grid of variants trained in chunks, each chunk one batched computation where it
fits and pays (a Comparison), all saved as one group of runs; its figure per cell as it trains."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from nntui.core.events import EpochEnd, Failed, Finished
from nntui.core.records import RunRecord
from nntui.core.sweep import Grid
from nntui.engine.batched import chunk_size
from nntui.engine.devices import resolve_device
from nntui.engine.loop import Observe, RunControl
from nntui.storage.comparison import Comparison
from nntui.storage.runs import RunStore

FIGURES = ("final", "best")


@dataclass
class SweepFigures:
    """Each cell's loss as it trains: the validation loss, or the train loss of a run without a
    validation set; `final` the latest (the finished model's at the end), `best` the lowest."""

    cells: int
    final: list[float | None] = field(default_factory=list)
    best: list[float | None] = field(default_factory=list)
    outcome: list[str] = field(default_factory=list)  # "", "finished", "stopped" or a failure
    metric: str = "val_loss"

    def __post_init__(self) -> None:
        self.final = self.final or [None] * self.cells
        self.best = self.best or [None] * self.cells
        self.outcome = self.outcome or [""] * self.cells

    def add(self, cell: int, event) -> None:
        if isinstance(event, EpochEnd):
            loss = event.val_loss if self.metric == "val_loss" else event.train_loss
            if loss is not None:  # None between validations (`val_every`)
                self._set(cell, loss)
        elif isinstance(event, Finished):
            self._set(cell, event.val_loss if self.metric == "val_loss" else event.train_loss)
            self.outcome[cell] = event.status.value
        elif isinstance(event, Failed):
            self.outcome[cell] = event.reason
            self.final[cell] = math.nan

    def _set(self, cell: int, loss: float) -> None:
        self.final[cell] = loss
        if math.isfinite(loss) and (self.best[cell] is None or loss < self.best[cell]):
            self.best[cell] = loss

    def values(self, which: str = "final") -> list[float | None]:
        return self.best if which == "best" else self.final

    def best_cell(self, which: str = "final") -> int | None:
        """The cell with the lowest finite figure; None before any has one."""
        finite = [(v, i) for i, v in enumerate(self.values(which)) if v is not None and math.isfinite(v)]
        return min(finite)[1] if finite else None


class Sweep:
    """The grid's variants trained `chunk` at a time (by default as many as `chunk_size` allows:
    batching pays on a CPU, fits on a GPU) and saved as one group of runs."""

    def __init__(
        self,
        grid: Grid,
        store: RunStore,
        control: RunControl | None = None,
        observe: Observe | None = None,
        chunk: int | None = None,
        batched: bool | None = None,
    ) -> None:
        self.grid = grid
        self.store = store
        self.control = control or RunControl()
        self.observe = observe or Observe()
        self.batched = batched
        configs = [variant.config for variant in grid.variants]
        self.chunk = chunk or chunk_size(configs, resolve_device(configs[0].device))
        self.group = store.new_id()
        self.figures = SweepFigures(len(configs))
        if not any(config.n_val for config in configs):
            self.figures.metric = "train_loss"
        self.records: list[RunRecord | None] = [None] * len(configs)
        self.ways: list[str] = []

    def events(self) -> Iterator[tuple[int, object]]:
        """(cell index, event) pairs, chunk after chunk; each chunk is saved as it ends."""
        variants = self.grid.variants
        for begin in range(0, len(variants), self.chunk):
            if self.control.stop_requested:
                break
            part = list(variants[begin : begin + self.chunk])
            comparison = Comparison(
                part,
                self.store,
                self.control,
                batched=self.batched if len(part) > 1 else False,
                observe=self.observe,
                group=self.group,
                kind="swept",
            )
            self.ways.append(f"{len(part)} batched" if comparison.batched else f"{len(part)} one by one")
            try:
                for index, event in comparison.events():
                    self.figures.add(begin + index, event)
                    yield begin + index, event
            finally:
                for offset, recorder in enumerate(comparison.recorders):
                    if recorder.started is not None:
                        self.records[begin + offset] = recorder.save()
