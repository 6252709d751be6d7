"""A comparison: variants trained side by side, batched into one computation when they allow
it and it pays, and saved as one group of runs."""

from __future__ import annotations

from collections.abc import Iterator

from nntui.core.events import Event
from nntui.core.records import RunRecord
from nntui.core.variants import Variant
from nntui.engine.batched import BatchedRun, batch_problem, batching_pays
from nntui.engine.loop import Observe, RunControl
from nntui.engine.trainer import Trainer
from nntui.storage.runs import RunRecorder, RunStore


class Comparison:
    """Variants trained side by side and saved as one group of runs: `batched` True or False
    forces the way; None batches when the variants allow it and it pays (`batching_pays`). A
    sweep trains its grid as several comparisons of one `group`."""

    def __init__(
        self,
        variants: list[Variant],
        store: RunStore,
        control: RunControl | None = None,
        batched: bool | None = None,
        observe: Observe | None = None,
        group: str | None = None,
        kind: str = "compared",
    ) -> None:
        self.variants = variants
        self.control = control or RunControl()
        self.observe = observe or Observe()
        self.trainers = [Trainer(variant.config, self.control, self.observe) for variant in variants]
        problem = batch_problem([variant.config for variant in variants])
        if batched is False:
            problem = "as asked"
        elif problem is None and batched is None and not batching_pays(self.trainers):
            problem = "batching would be slower for networks this large on this device"
        self.batched = problem is None
        self.why_sequential = problem
        self.group = group or store.new_id()
        how = f"batched with {len(variants)} variants" if self.batched else "one after another"
        self.recorders = [
            RunRecorder(
                trainer,
                store,
                group=self.group,
                message=f"{kind}: {variant.label}; trained {how}",
                save_every_s=None if self.batched else 60.0,
            )
            for trainer, variant in zip(self.trainers, variants)
        ]

    def events(self) -> Iterator[tuple[int, Event]]:
        """(variant index, event) pairs, each variant's events in its own order."""
        if self.batched:
            source = BatchedRun(self.trainers, self.control, self.observe).events()
        else:
            source = self._one_after_another()
        for index, event in source:
            self.recorders[index].record(event)
            yield index, event

    def _one_after_another(self) -> Iterator[tuple[int, Event]]:
        for index, trainer in enumerate(self.trainers):
            if self.control.stop_requested:
                break
            for event in trainer.events():
                yield index, event

    def save(self) -> list[RunRecord]:
        """Every variant that started, as a saved run of this comparison's group."""
        return [recorder.save() for recorder in self.recorders if recorder.started is not None]
