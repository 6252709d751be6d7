import math
import threading

import pytest

from nntui.core.config import RunConfig
from nntui.core.errors import ConfigError, UserError
from nntui.core.events import EpochEnd, Failed, Finished, Paused, Resumed, Snapshot, Started
from nntui.engine.trainer import Observe, RunControl, Trainer


def config(**training) -> RunConfig:
    return RunConfig().with_changes(
        data={"size": 600, "val_share": 0.25},
        model={"hidden": "16 relu"},
        training={"epochs": 20, "lr": 0.05, **training},
    )


def events_of(run_config: RunConfig, control=None, observe=None) -> list:
    return list(Trainer(run_config, control, observe or Observe()).events())


def test_a_run_streams_started_epochs_snapshots_and_finished_in_order():
    events = events_of(config(batch_size=100))
    assert isinstance(events[0], Started) and isinstance(events[1], Snapshot)
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == list(range(20))
    assert all(e.steps == 5 and e.val_loss is not None and e.samples_per_s > 0 for e in epochs)
    assert isinstance(events[-2], Snapshot) and events[-2].epoch == 20
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.status == "finished"
    assert finished.epochs_done == 20 and epochs[-1].train_loss < epochs[0].train_loss


def test_seeded_runs_are_deterministic_and_seeds_matter():
    def losses(run_config):
        return [e.train_loss for e in events_of(run_config) if isinstance(e, EpochEnd)]

    first = losses(config(shuffle=True, batch_size=50))
    assert first == losses(config(shuffle=True, batch_size=50))
    assert first != losses(config(shuffle=True, batch_size=50, seed=7))


def test_classification_reports_accuracy_and_a_class_map():
    run_config = RunConfig().with_changes(
        data={"dataset": "xor", "size": 800, "val_share": 0.25},
        model={"hidden": "16 tanh"},
        training={"epochs": 30, "lr": 0.05, "optimizer": "adam", "batch_size": 100, "shuffle": True},
    )
    events = events_of(run_config, observe=Observe(grid=(10, 20)))
    last = [e for e in events if isinstance(e, EpochEnd)][-1]
    assert 0.8 < last.val_accuracy <= 1 and 0.8 < last.train_accuracy <= 1
    snapshot = [e for e in events if isinstance(e, Snapshot)][-1]
    assert snapshot.grid.shape == (10, 20) and set(snapshot.grid.ravel()) <= {0, 1}
    assert snapshot.points.shape[1] == 2 and len(snapshot.predictions) == len(snapshot.targets)


def test_validation_runs_only_every_val_every_epochs_and_at_the_end():
    epochs = [e for e in events_of(config(val_every=7)) if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs if e.val_loss is not None] == [0, 7, 14, 19]


def test_divergence_ends_the_run_with_a_message_not_an_exception():
    events = events_of(config(lr=1e6, optimizer="sgd"))
    failed = events[-1]
    finite = [e for e in events if isinstance(e, EpochEnd)]
    assert isinstance(failed, Failed) and failed.reason == "diverged"
    assert failed.epoch == len(finite)  # the first epoch whose loss is not finite
    bad_loss = failed.message.split("loss = ")[1].split(")")[0]
    assert bad_loss in ("nan", "inf", "-inf")
    expected = f"diverged at epoch {len(finite) + 1} (loss = {bad_loss}): try a smaller learning rate"
    assert failed.message == expected
    assert all(math.isfinite(e.train_loss) for e in finite)


def test_zero_epochs_gives_the_untrained_predictions():
    events = events_of(config(epochs=0))
    assert [type(e) for e in events] == [Started, Snapshot, Finished]
    assert events[-1].epochs_done == 0


def test_stop_from_another_thread_ends_the_run_and_keeps_the_model():
    control = RunControl()
    trainer = Trainer(config(epochs=100_000, batch_size=10), control)
    seen = []
    for event in trainer.events():
        seen.append(event)
        if isinstance(event, EpochEnd) and event.epoch == 2:
            threading.Thread(target=control.stop).start()
    finished = seen[-1]
    assert isinstance(finished, Finished) and finished.status == "stopped"
    assert 3 <= finished.epochs_done < 100_000
    assert trainer.model.state_dict()["layers.0.weight"].shape == (16, 1)


def test_pause_step_and_resume_from_another_thread():
    control = RunControl()
    control.pause()
    trainer = Trainer(config(epochs=6), control)
    stream = trainer.events()
    kinds = []
    for event in stream:
        kinds.append(type(event).__name__)
        if isinstance(event, Paused):
            break
    assert kinds == ["Started", "Snapshot", "Paused"] and trainer.epochs_done == 0
    threading.Timer(0.05, control.step).start()
    event = next(stream)
    assert isinstance(event, Resumed)
    after_step = [next(stream), next(stream), next(stream)]
    assert isinstance(after_step[0], EpochEnd) and after_step[0].epoch == 0
    # a stepped run shows its predictions after the step, then pauses
    assert isinstance(after_step[1], Snapshot) and after_step[1].epoch == 1
    assert isinstance(after_step[2], Paused) and trainer.epochs_done == 1
    threading.Timer(0.05, control.resume).start()
    rest = list(stream)
    assert isinstance(rest[-1], Finished) and rest[-1].epochs_done == 6


def test_learning_rate_changes_during_training():
    control = RunControl()
    lrs = []
    for event in Trainer(config(epochs=5), control, Observe(flush_every_s=0)).events():
        if isinstance(event, EpochEnd):
            lrs.append(event.lr)
            control.set_lr(0.01)
    assert lrs[0] == 0.05 and lrs[-1] == 0.01
    with pytest.raises(UserError):
        control.set_lr(-1)


def test_checkpoint_continues_counting_epochs():
    first = Trainer(config(epochs=5))
    list(first.events())
    resumed = Trainer(config(epochs=8), checkpoint=first.checkpoint())
    epochs = [e.epoch for e in resumed.events() if isinstance(e, EpochEnd)]
    assert epochs == [5, 6, 7]


def test_missing_device_is_a_config_error():
    with pytest.raises(ConfigError, match="not available here"):
        Trainer(config().with_changes(device="cuda:3"))


def test_replay_refuses_other_data_with_a_message():
    with pytest.raises(UserError, match="replay 'minibatch' trains on the tutorial's own data"):
        Trainer(config().with_changes(replay="minibatch"))


def test_plain_sgd_updates_exactly_as_torch_optim_sgd_does(monkeypatch):
    run = config(batch_size=100, shuffle=True, epochs=5)

    def losses() -> list[float]:
        return [e.train_loss for e in events_of(run) if isinstance(e, EpochEnd)]

    direct = losses()
    monkeypatch.setattr(Trainer, "_plain_sgd", lambda self: None)  # torch.optim.SGD.step() itself
    assert losses() == direct
    momentum = run.with_changes(training={"optimizer": "momentum"})
    assert Trainer(momentum)._plain_sgd() is None
