"""A sweep: a grid of variants trained in chunks, each chunk one batched computation where it
fits and pays (a Comparison), all saved as one group of runs; its figure per cell as it trains."""

from __future__ import annotations

from collections.abc import Iterator

from nntui.core.records import RunRecord
from nntui.core.sweep import Grid, SweepFigures
from nntui.engine.batched import chunk_size
from nntui.engine.devices import resolve_device
from nntui.engine.loop import Observe, RunControl
from nntui.storage.comparison import Comparison
from nntui.storage.runs import RunStore


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
        group: str | None = None,
    ) -> None:
        self.grid = grid
        self.store = store
        self.control = control or RunControl()
        self.observe = observe or Observe()
        self.batched = batched
        configs = [variant.config for variant in grid.variants]
        self.chunk = chunk or chunk_size(configs, resolve_device(configs[0].device))
        self.group = group or store.new_id()
        self.figures = SweepFigures.of(grid)
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
