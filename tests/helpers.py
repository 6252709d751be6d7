"""Helpers several test modules share (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

from nntui.config import RunConfig
from nntui.events import EpochEnd
from nntui.runs import RunRecord, RunRecorder, RunStore
from nntui.trainer import Trainer


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
