import torch

from nntui.core.config import RunConfig
from nntui.core.events import EpochEnd
from nntui.engine.model import MLP, ScratchMLP, initial_weights, parameter_count
from nntui.engine.trainer import Trainer


def small(style: str, **training) -> RunConfig:
    return RunConfig(style=style).with_changes(
        data={"size": 400, "val_share": 0.25},
        model={"hidden": "16 relu, 8 tanh"},
        training={"epochs": 15, "lr": 0.05, **training},
    )


def losses(config: RunConfig) -> list[float]:
    return [e.train_loss for e in Trainer(config).events() if isinstance(e, EpochEnd)]


def test_both_styles_start_from_the_same_weights():
    config = small("nn")
    weights = initial_weights(config, [1, 16, 8, 1], torch.Generator().manual_seed(3))
    x = torch.linspace(-1, 1, 50).unsqueeze(1)
    nn_out = MLP(config, weights)(x)
    scratch_out = ScratchMLP(config, weights)(x)
    torch.testing.assert_close(nn_out, scratch_out, rtol=1e-5, atol=1e-6)


def test_both_styles_give_the_same_losses_from_the_same_weights():
    full = losses(small("nn")), losses(small("scratch"))
    torch.testing.assert_close(torch.tensor(full[0]), torch.tensor(full[1]), rtol=1e-4, atol=1e-7)
    batched = losses(small("nn", batch_size=100)), losses(small("scratch", batch_size=100))
    torch.testing.assert_close(torch.tensor(batched[0]), torch.tensor(batched[1]), rtol=1e-4, atol=1e-7)
    assert full[0][-1] < full[0][0]


def test_default_init_matches_torch_linear_drawn_from_the_same_seed():
    torch.manual_seed(11)
    reference = torch.nn.Linear(1, 100), torch.nn.Linear(100, 1)
    weights = initial_weights(RunConfig(), [1, 100, 1], torch.Generator().manual_seed(11))
    for linear, (w, b) in zip(reference, weights):
        assert torch.equal(linear.weight, w.T) and torch.equal(linear.bias, b)


def test_parameter_count_matches_the_model():
    trainer = Trainer(small("nn"))
    assert trainer.parameters == sum(p.numel() for p in trainer.model.parameters())
    assert parameter_count([2, 100, 100, 3]) == 10703
    assert parameter_count([1, 100, 1], bias=False) == 200


def test_scratch_state_dict_uses_the_tutorial_names_and_loads_back():
    trainer = Trainer(small("scratch"))
    state = trainer.model.state_dict()
    assert sorted(state) == ["B1", "B2", "B3", "W1", "W2", "W3"]
    assert state["W1"].shape == (1, 16)
    fresh = Trainer(small("scratch").updated(["training.seed=9"]))
    fresh.model.load_state_dict(state)
    assert torch.equal(fresh.model.state_dict()["W2"], state["W2"])


def test_no_bias_network_has_no_bias_tensors():
    trainer = Trainer(small("nn").updated(["model.bias=false"]))
    assert all("bias" not in name for name in trainer.model.state_dict())
