"""Playground's setup as config fields: its initialisation, its tanh output and loss, input
features and L1/L2 regularization, and the presets that put them together."""

import pytest
import torch

from nntui.core.config import RunConfig
from nntui.core.errors import ConfigError, UserError
from nntui.core.events import Finished
from nntui.engine.batched import batch_problem
from nntui.engine.presets import PRESETS
from nntui.engine.trainer import Trainer

PLAYGROUND = ["circle", "xor", "gauss", "spiral", "plane", "multi-gauss"]


def small(**changes) -> RunConfig:
    config = PRESETS.get("playground-circle").config.with_changes(data={"size": 200}, training={"epochs": 3})
    return config.with_changes(**changes) if changes else config


def finished(trainer: Trainer) -> Finished:
    return next(event for event in trainer.events() if isinstance(event, Finished))


@pytest.mark.parametrize("name", PLAYGROUND)
def test_each_playground_preset_has_playgrounds_own_defaults(name):
    config = PRESETS.get(f"playground-{name}").config
    regression = name in ("plane", "multi-gauss")
    assert config.data.size == (1200 if regression else 500)
    assert (config.data.val_share, config.data.noise, config.data.extent) == (0.5, 0.0, 6.0)
    assert (config.training.optimizer, config.training.lr, config.training.batch_size) == ("sgd", 0.03, 10)
    assert not config.training.shuffle and config.training.regularization == "none"
    assert [str(layer) for layer in config.model.hidden] == ["4 tanh", "2 tanh"]
    assert (config.model.output, config.model.init, config.model.features) == (
        "playground",
        "playground",
        "x1,x2",
    )


def test_the_better_defaults_variant_keeps_cross_entropy_and_adam():
    config = PRESETS.get("better-xor").config
    assert (config.model.output, config.training.optimizer) == ("auto", "adam")
    assert Trainer(config.with_changes(training={"epochs": 0})).architecture == "2 → 8 tanh → 8 tanh → 2"


def test_playground_init_draws_weights_in_a_half_unit_interval_and_biases_of_0_1():
    trainer = Trainer(small(model={"hidden": "50 tanh"}))
    layers = [m for m in trainer.model.layers if isinstance(m, torch.nn.Linear)]
    assert all(layer.weight.abs().max() < 0.5 for layer in layers)
    assert layers[0].weight.min() < -0.45 and layers[0].weight.max() > 0.45
    assert all(torch.all(layer.bias == 0.1) for layer in layers)


def test_playground_output_is_one_tanh_unit_trained_on_half_squared_error_against_plus_minus_1():
    trainer = Trainer(small())
    assert trainer.architecture == "2 → 4 tanh → 2 tanh → 1" and trainer.parameters == 25
    x, y = trainer.data.x_train, trainer.data.y_train
    out = trainer.model(x)
    assert out.shape == (len(x), 1) and out.abs().max() < 1
    loss, accuracy = trainer.evaluate(x, y)
    labels = 2 * y.float() - 1
    assert loss.item() == pytest.approx((0.5 * (out[:, 0] - labels).pow(2)).mean().item())
    assert accuracy.item() == pytest.approx(((out[:, 0] > 0).long() == y).float().mean().item())


def test_playground_regression_output_is_linear_with_half_squared_error():
    trainer = Trainer(PRESETS.get("playground-plane").config.with_changes(data={"size": 200}))
    out = trainer.model(trainer.data.x_train)
    loss, accuracy = trainer.evaluate(trainer.data.x_train, trainer.data.y_train)
    assert accuracy is None and isinstance(trainer.model.layers[-1], torch.nn.Linear)
    assert loss.item() == pytest.approx((0.5 * (out - trainer.data.y_train).pow(2)).mean().item())


def test_playground_output_needs_two_classes():
    with pytest.raises(ConfigError, match="one tanh unit for two classes; dataset rings has 3"):
        RunConfig().with_changes(data={"dataset": "rings"}, model={"output": "playground"})


def test_features_set_the_input_layer_and_reach_the_class_map():
    trainer = Trainer(small(model={"features": "x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2"}))
    assert trainer.architecture.startswith("7 → 4 tanh") and trainer.parameters == 7 * 4 + 4 + 10 + 3
    point = torch.tensor([[0.5, -2.0]])
    seen = trainer.model.features(point)
    expected = [
        0.5,
        -2.0,
        0.25,
        4.0,
        -1.0,
        torch.sin(torch.tensor(0.5)).item(),
        torch.sin(torch.tensor(-2.0)).item(),
    ]
    assert seen[0].tolist() == pytest.approx(expected)
    snapshot = trainer.snapshot()
    assert snapshot.grid is not None and snapshot.points.shape[1] == 2  # the map stays 2-d


def test_one_feature_alone_makes_a_one_input_network():
    trainer = Trainer(small(model={"features": "x1sq"}))
    assert trainer.dims[0] == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model": {"features": "x1,x3"}}, "model.features: unknown feature 'x3'; choose from x1, x2"),
        ({"model": {"features": "x1,x1"}}, "model.features names a feature twice"),
        ({"model": {"features": ", ,"}}, "model.features must name at least one feature"),
        ({"data": {"dataset": "x2"}, "model": {"features": "x1"}}, "model.features needs 2-d inputs"),
        ({"training": {"regularization": "l3"}}, "training.regularization must be one of none, l1, l2"),
        ({"training": {"reg_rate": -0.1}}, "training.reg_rate must be >= 0"),
        ({"data": {"extent": 0}}, "data.extent must be > 0"),
        ({"model": {"output": "softmax"}}, "model.output must be one of auto, playground"),
    ],
)
def test_bad_values_of_the_new_fields_are_messages(changes, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        RunConfig().with_changes(**changes)


def test_features_of_a_csv_that_is_not_2_d_are_refused_when_read(tmp_path):
    path = tmp_path / "three.csv"
    path.write_text("".join(f"{i},{i},{i},{i % 2}\n" for i in range(10)))
    config = RunConfig().with_changes(data={"dataset": "csv", "path": str(path)}, model={"features": "x1"})
    with pytest.raises(UserError, match="model.features needs 2-d inputs .* 3 input columns"):
        Trainer(config)


def weight_size(trainer: Trainer) -> float:
    return sum(w.abs().sum().item() for w in trainer.model.weight_matrices())


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_regularization_shrinks_the_weights_and_leaves_the_reported_loss_without_its_penalty(kind):
    plain = Trainer(small(training={"epochs": 20}))
    penalised = Trainer(small(training={"epochs": 20, "regularization": kind, "reg_rate": 0.05}))
    finished(plain), finished(penalised)
    assert weight_size(penalised) < 0.8 * weight_size(plain)
    loss, _ = penalised.evaluate(penalised.data.x_train, penalised.data.y_train)
    assert penalised.loss(penalised.model(penalised.data.x_train), penalised.data.y_train) == loss


def test_a_zero_rate_trains_exactly_as_no_regularization():
    plain = finished(Trainer(small()))
    zero = finished(Trainer(small(training={"regularization": "l1", "reg_rate": 0.0})))
    assert plain.train_loss == zero.train_loss


def test_variants_differing_in_regularization_are_not_batched():
    configs = [small(), small(training={"regularization": "l2", "reg_rate": 0.01})]
    assert "training.reg_rate, training.regularization" in batch_problem(configs)
