import pytest

from nntui.core.choices import REPLAYS
from nntui.core.config import DataConfig, RunConfig
from nntui.core.events import EpochEnd, Finished, Snapshot
from nntui.engine.presets import PRESETS
from nntui.engine.printed import compare, run_values
from nntui.engine.trainer import Trainer
from nntui.engine.tutorial import replay

TRAINING = [name for name, preset in PRESETS.items() if preset.config is not None]


def epochs_of(config, epochs: int) -> list:
    return list(Trainer(config.updated([f"training.epochs={epochs}"])).events())


def agreeing_digits(a: float, b: float) -> float:
    import math

    return math.inf if a == b else -math.log10(abs(a - b) / abs(a))


@pytest.mark.parametrize("name", TRAINING)
def test_every_training_preset_runs_a_few_epochs(name):
    events = epochs_of(PRESETS.get(name).config, 3 if PRESETS.get(name).config.training.epochs else 0)
    assert isinstance(events[-1], Finished) and events[-1].status == "finished"


@pytest.mark.parametrize("name", [n for n in TRAINING if PRESETS.get(n).exact and PRESETS.get(n).figures])
def test_tutorial_presets_match_the_first_printed_figure(name):
    preset = PRESETS.get(name)
    first = next(e for e in epochs_of(preset.config, 1) if isinstance(e, EpochEnd))
    train, val = preset.figures[0]
    assert agreeing_digits(train, first.batch_loss) >= 6
    if val is not None:
        assert agreeing_digits(val, first.val_loss) >= 6


@pytest.mark.slow
def test_manual_relu_reproduces_every_printed_figure_of_the_tutorial():
    preset = PRESETS.get("manual-relu")
    history = {e.epoch: e.batch_loss for e in Trainer(preset.config).events() if isinstance(e, EpochEnd)}
    for epoch, (printed, _) in preset.figures.items():
        assert agreeing_digits(printed, history[epoch]) >= 6, (epoch, printed, history[epoch])


def test_random_network_presets_show_linear_and_bent_outputs():
    def predictions(name):
        events = list(Trainer(PRESETS.get(name).config).events())
        snapshot = next(e for e in events if isinstance(e, Snapshot))
        return snapshot.points[:, 0], snapshot.predictions

    import numpy as np

    for name, linear in [("random-identity", True), ("random-relu", False)]:
        x, y = predictions(name)
        slope, intercept = np.polyfit(x, y, 1)
        residual = np.abs(y - (slope * x + intercept)).max()
        assert (residual < 1e-3) == linear, (name, residual)


def test_replayed_data_matches_the_notebook_sizes():
    for cell in REPLAYS.values():
        _, data = replay(cell.name)
        assert len(data.x_train) + len(data.x_val) == cell.size and len(data.x_val) == cell.n_val


def test_every_replay_a_config_accepts_trains():
    for cell in REPLAYS.values():
        data = DataConfig(dataset=cell.dataset, size=cell.size, val_share=cell.n_val / cell.size)
        config = RunConfig(replay=cell.name, data=data).updated(["training.epochs=1"])
        assert isinstance(list(Trainer(config).events())[-1], Finished), cell.name


def test_first_step_prints_both_losses_to_the_tutorials_digits():
    preset = PRESETS.get("first-step")
    events = list(Trainer(preset.config).events())
    first = next(e for e in events if isinstance(e, EpochEnd))
    before, after = compare(preset.printed, run_values(first.batch_loss, events[-1]))
    assert (before.ours, after.ours) == ("tensor(2.9038)", "tensor(2.7102)")
    assert before.same and after.same
    assert abs(first.batch_loss - 2.9038) < 5e-5 and abs(events[-1].train_loss - 2.7102) < 5e-5


def test_for_loop_demo_shows_the_tutorials_tensors_and_times_like_timeit():
    text = "\n".join(PRESETS.get("for-loop-vs-matmul").demo(repeat=2))
    assert text.count("✓ same") == 4 and "✗" not in text
    assert "0.8823 0.9150 0.3829 … 0.2181 0.9120 0.4111" in text and "-0.8311" in text
    assert "best of 2 repeats" in text and "171.0 ms" in text and "584.0 µs" in text
    assert "same output: yes" in text and "cold call" in text
