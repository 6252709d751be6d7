"""Helpers several test modules share (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

from nntui.core.config import RunConfig
from nntui.core.events import EpochEnd
from nntui.engine.trainer import Trainer
from nntui.storage.runs import RunRecord, RunRecorder, RunStore


def train_and_save(store: RunStore, config: RunConfig, control=None) -> tuple[RunRecord, list[float]]:
    """Train `config` headless as `nntui train` does, save it in `store`; the record and its losses."""
    trainer = Trainer(config, control)
    recorder = RunRecorder(trainer, store)
    losses = []
    for event in trainer.events():
        recorder.record(event)
        if isinstance(event, EpochEnd):
            losses.append(event.train_loss)
    return recorder.save(), losses
