"""Sweeps in the one batched computation: per-variant learning rates in the stacked update and
widths padded to the widest layer give each variant the figures of its own run."""

import pytest
import torch

from nntui.core.config import RunConfig
from nntui.core.events import EpochEnd, Finished
from nntui.core.variants import make_variants
from nntui.engine.batched import BatchedRun
from nntui.engine.trainer import Trainer
from nntui.storage.comparison import Comparison
from nntui.storage.runs import RunStore


def base(**changes) -> RunConfig:
    config = RunConfig().with_changes(
        name="base",
        data={"size": 300, "val_share": 0.2},
        model={"hidden": "10 tanh"},
        training={"epochs": 5, "lr": 0.05, "batch_size": 60, "shuffle": True},
    )
    return config.with_changes(**changes) if changes else config


def figures(source) -> dict[int, list[float]]:
    """Every variant's per-epoch figures (lr included) and final ones, flattened in order."""
    out: dict[int, list[float]] = {}
    for index, event in source:
        if isinstance(event, EpochEnd):
            row = (event.train_loss, event.batch_loss, event.val_loss, event.grad_norm, event.lr)
        elif isinstance(event, Finished):
            row = (event.train_loss, event.val_loss, event.train_accuracy, event.val_accuracy)
        else:
            continue
        out.setdefault(index, []).extend(v for v in row if v is not None)
    return out


def agree(variants) -> tuple[dict, dict]:
    batched = Comparison(variants, RunStore(), batched=True)
    alone = Comparison(variants, RunStore(), batched=False)
    assert batched.batched
    together, apart = figures(batched.events()), figures(alone.events())
    assert sorted(together) == sorted(apart) == list(range(len(variants)))
    for index in together:
        assert together[index] == pytest.approx(apart[index], rel=2e-5), variants[index].label
    return batched, alone


@pytest.mark.parametrize(
    "changes",
    [
        {"training": {"optimizer": "sgd"}},
        {"training": {"optimizer": "sgd", "weight_decay": 0.01}},
        {"training": {"optimizer": "momentum", "momentum": 0.8}},
        {"training": {"optimizer": "adam", "weight_decay": 0.001}},
        {"style": "scratch", "model": {"init": "uniform"}, "training": {"weight_decay": 0.01}},
    ],
    ids=["sgd", "sgd-decay", "momentum", "adam", "scratch"],
)
def test_each_variant_of_a_learning_rate_sweep_trains_as_its_own_run(changes):
    agree(make_variants(base(**changes), ["training.lr=0.003,0.03,0.3"]))


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_narrower_layers_padded_to_the_widest_train_as_their_own_runs(activation):
    config = base(training={"optimizer": "adam", "lr": 0.01, "weight_decay": 0.01})
    hidden = "|".join(f"{a} {activation}, {b} {activation}" for a, b in [(3, 9), (12, 2), (7, 7)])
    agree(make_variants(config, [f"model.hidden={hidden}"]))


def test_a_grid_of_widths_and_rates_on_classification_trains_as_its_runs():
    config = base(
        data={"dataset": "rings"},
        model={"hidden": "8 relu, 5 sigmoid"},
        training={"optimizer": "momentum", "loader": "dataloader", "val_every": 2},
    )
    agree(make_variants(config, ["model.hidden=4 relu, 5 sigmoid|8 relu, 2 sigmoid", "training.lr=0.02,0.2"]))


def test_the_padding_stays_zero_and_each_run_gets_its_own_weights_and_state_back():
    variants = make_variants(base(training={"optimizer": "adam"}), ["model.hidden=3 sigmoid|10 sigmoid"])
    trainers = [Trainer(v.config) for v in variants]
    run = BatchedRun(trainers)
    list(run.events())
    first_layer = run.params[0]  # nn style: (K, out, in)
    assert first_layer.shape == (2, 10, 1)
    assert torch.count_nonzero(first_layer[0, 3:]) == 0 and torch.count_nonzero(run.params[2][0, :, 3:]) == 0
    narrow = trainers[0]
    assert [tuple(p.shape) for p in narrow.model.parameters()] == [(3, 1), (3,), (1, 3), (1,)]
    state = narrow.optimizer.state_dict()["state"]
    assert state[0]["exp_avg"].shape == (3, 1) and float(state[0]["step"]) == 5 * 4


def test_a_learning_rate_set_live_applies_to_every_variant_and_is_what_each_run_keeps():
    variants = make_variants(base(), ["training.lr=0.01,0.1"])
    run = BatchedRun([Trainer(v.config) for v in variants])
    assert run.lrs() == [0.01, 0.1]
    run.set_lr(0.2)
    run.finish()
    assert [t.optimizer.param_groups[0]["lr"] for t in run.trainers] == [0.2, 0.2]
