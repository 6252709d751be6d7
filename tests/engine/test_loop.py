"""The one loop drives a single run and K batched runs alike: pause, step, live lr, failures."""

import pytest
import torch

from nntui.core.config import RunConfig
from nntui.core.events import EpochEnd, Failed, Finished, Paused, Resumed
from nntui.engine.batched import BatchedRun
from nntui.engine.loop import Observe, RunControl
from nntui.engine.trainer import Trainer


def seeds(count: int = 3, **training) -> list[RunConfig]:
    base = RunConfig().with_changes(
        data={"dataset": "circle", "size": 200, "val_share": 0.25},
        model={"hidden": "8 tanh"},
        training={
            "optimizer": "adam",
            "lr": 0.01,
            "epochs": 6,
            "batch_size": 50,
            "shuffle": True,
            **training,
        },
    )
    return [base.with_changes(training={"seed": seed}) for seed in range(1, count + 1)]


def test_a_batched_comparison_pauses_steps_resumes_and_takes_a_new_learning_rate():
    control = RunControl()
    control.step(2)  # two epochs, then paused
    batched = BatchedRun([Trainer(c) for c in seeds()], control, Observe(flush_every_s=0.0))
    events: list[tuple[int, object]] = []
    for index, event in batched.events():
        events.append((index, event))
        if isinstance(event, Paused) and index == 2:
            if event.epoch == 2:
                control.step(1)  # `n`: one more epoch, paused again
            else:
                control.set_lr(0.5)
                control.resume()
    paused = [(i, e.epoch) for i, e in events if isinstance(e, Paused)]
    resumed = [(i, e.epoch) for i, e in events if isinstance(e, Resumed)]
    assert paused == [(i, 2) for i in range(3)] + [(i, 3) for i in range(3)]
    assert resumed == paused
    for index in range(3):
        rates = [e.lr for i, e in events if i == index and isinstance(e, EpochEnd)]
        assert rates == [0.01, 0.01, 0.01, 0.5, 0.5, 0.5]
        assert [e for i, e in events if i == index and isinstance(e, Finished)][0].epochs_done == 6
    assert batched.trainers[0].optimizer.param_groups[0]["lr"] == 0.5  # handed back, saved as trained


def test_a_batched_run_changes_lr_as_the_same_runs_would_one_by_one():
    configs = seeds(2)
    alone = []
    for config in configs:
        control = RunControl()
        losses = []
        for event in Trainer(config, control, Observe(flush_every_s=0.0)).events():
            if isinstance(event, EpochEnd):
                losses.append(event.train_loss)
                if event.epoch == 1:
                    control.set_lr(0.1)
        alone.append(losses)
    control = RunControl()
    batched: dict[int, list[float]] = {0: [], 1: []}
    for index, event in BatchedRun(
        [Trainer(c) for c in configs], control, Observe(flush_every_s=0.0)
    ).events():
        if isinstance(event, EpochEnd):
            batched[index].append(event.train_loss)
            if event.epoch == 1 and index == 1:
                control.set_lr(0.1)
    for index in range(2):
        assert batched[index] == pytest.approx(alone[index], rel=1e-4)


def test_running_out_of_memory_in_a_batched_run_fails_every_variant_with_the_message(monkeypatch):
    batched = BatchedRun([Trainer(c) for c in seeds()], RunControl())

    def no_memory(x):
        raise torch.OutOfMemoryError("CUDA out of memory")

    monkeypatch.setattr(batched, "forward", no_memory)
    failed = [(i, e) for i, e in batched.events() if isinstance(e, Failed)]
    assert [i for i, _ in failed] == [0, 1, 2]
    assert all(e.reason == "out-of-memory" and "smaller batch size" in e.message for _, e in failed)


def test_the_gradient_norm_is_the_last_steps_norm_over_all_weights():
    config = RunConfig().with_changes(
        data={"size": 100, "val_share": 0.0},
        model={"hidden": "5 relu"},
        training={"epochs": 1, "lr": 0.1},
    )
    trainer = Trainer(config)
    model = trainer.model
    loss = trainer.loss(model(trainer.data.x_train), trainer.data.y_train)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    by_hand = torch.cat([g.flatten() for g in grads]).norm().item()
    epoch = next(e for e in trainer.events() if isinstance(e, EpochEnd))
    assert epoch.grad_norm == pytest.approx(by_hand, rel=1e-5)
