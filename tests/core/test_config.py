import pytest

from nntui.core.config import Layer, RunConfig, apply_overrides, parse_hidden
from nntui.core.errors import ConfigError, UserError


def problems_of(raw: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        RunConfig.from_dict(raw)
    return caught.value.problems


def test_default_config_is_valid_and_round_trips_through_toml(tmp_path):
    config = RunConfig()
    path = tmp_path / "run.toml"
    config.save(path)
    assert RunConfig.load(path) == config


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"training": {"lr": -1}}, "training.lr must be > 0, got -1"),
        ({"training": {"lr": 0}}, "training.lr must be > 0, got 0"),
        ({"training": {"epochs": -3}}, "training.epochs must be >= 0, got -3"),
        ({"training": {"epochs": "ten"}}, "training.epochs must be a whole number, got 'ten'"),
        ({"training": {"batch_size": -1}}, "training.batch_size must be >= 0, got -1"),
        (
            {"training": {"batch_size": 99999}},
            "training.batch_size must be at most the 10000 training points",
        ),
        (
            {"training": {"optimizer": "rmsprop"}},
            "training.optimizer must be one of sgd, momentum, adam; got 'rmsprop'",
        ),
        ({"training": {"momentum": 1.5}}, "training.momentum must be < 1, got 1.5"),
        ({"training": {"lr": float("inf")}}, "training.lr must be a finite number, got inf"),
        ({"data": {"noise": float("nan")}}, "data.noise must be a finite number, got nan"),
        ({"training": {"weight_decay": -0.1}}, "training.weight_decay must be >= 0, got -0.1"),
        ({"training": {"shuffle": "yes"}}, "training.shuffle must be true or false, got 'yes'"),
        ({"training": {"val_every": 0}}, "training.val_every must be >= 1, got 0"),
        ({"training": {"loader": "torch"}}, "training.loader must be one of index, dataloader; got 'torch'"),
        ({"data": {"dataset": "mnist"}}, "data.dataset must be one of"),
        ({"data": {"size": 1}}, "data.size must be >= 2, got 1"),
        ({"data": {"noise": -1}}, "data.noise must be >= 0, got -1"),
        ({"data": {"val_share": 1.0}}, "data.val_share must be < 1, got 1"),
        ({"data": {"dataset": "csv"}}, "data.path must name a CSV file when data.dataset is csv"),
        ({"model": {"hidden": [{"units": 0}]}}, "model.hidden[0].units must be >= 1, got 0"),
        ({"model": {"hidden": "100 swish"}}, "model.hidden[0].activation must be one of"),
        ({"model": {"hidden": "ten relu"}}, "model.hidden: layer 'ten relu' must look like '100 relu'"),
        (
            {"model": {"init": "xavier"}},
            "model.init must be one of default, uniform, demo, playground; got 'xavier'",
        ),
        ({"style": "keras"}, "style must be one of nn, scratch; got 'keras'"),
        (
            {"style": "scratch", "training": {"optimizer": "adam"}},
            "training.optimizer must be sgd when style is scratch",
        ),
        ({"device": "gpu"}, "device must be auto, cpu, cuda, cuda:N or mps; got 'gpu'"),
        ({"task": "classification"}, "task must be regression (or auto) for dataset x2"),
        ({"replay": "chapter-9"}, "replay must be one of"),
        ({"training": {"lrr": 1}}, "unknown field training.lrr"),
    ],
)
def test_each_invalid_field_is_named_with_its_value(raw, expected):
    problems = problems_of(raw)
    assert any(expected in problem for problem in problems), problems


def test_all_invalid_fields_are_reported_at_once():
    problems = problems_of({"training": {"lr": -1, "epochs": -1}, "data": {"noise": -2}})
    assert len(problems) == 3


def test_overrides_parse_toml_values_and_fall_back_to_strings():
    raw = apply_overrides({}, ["training.lr=0.01", "training.shuffle=true", "data.dataset=xor"])
    assert raw == {"training": {"lr": 0.01, "shuffle": True}, "data": {"dataset": "xor"}}


def test_updated_applies_overrides_and_validates():
    config = RunConfig().updated(["training.lr=0.5", "model.hidden=8 tanh, 4 relu"])
    assert config.training.lr == 0.5
    assert config.model.hidden == (Layer(8, "tanh"), Layer(4, "relu"))
    with pytest.raises(ConfigError, match="training.lr must be > 0"):
        RunConfig().updated(["training.lr=-2"])


def test_malformed_override_is_a_config_error():
    with pytest.raises(ConfigError, match="section.field=value"):
        RunConfig().updated(["training.lr"])
    with pytest.raises(
        ConfigError, match="unknown section trainin in trainin.lr; known: data, model, training"
    ):
        RunConfig().updated(["trainin.lr=0.1"])


def test_hidden_layers_parse_compact_forms():
    assert parse_hidden("100 relu, 50:tanh,10") == (Layer(100, "relu"), Layer(50, "tanh"), Layer(10, "relu"))
    assert parse_hidden("") == ()


def test_architecture_is_drawn_compactly():
    assert RunConfig().architecture(1, 1) == "1 → 100 relu → 1"


def test_missing_and_broken_config_files_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="config file not found"):
        RunConfig.load(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[training\nlr = 1")
    with pytest.raises(UserError, match="not valid TOML"):
        RunConfig.load(broken)


def test_missing_device_names_the_devices_that_exist():
    with pytest.raises(ConfigError, match=r"device cuda:7 is not available here; available: cpu"):
        RunConfig(device="cuda:7").validate(check_device=True)


def test_a_validation_share_that_leaves_no_training_data_is_one_problem_not_a_cascade():
    with pytest.raises(ConfigError) as caught:
        RunConfig.from_dict({"data": {"val_share": 1.5}, "training": {"batch_size": 50}})
    problems = caught.value.problems
    assert any(p.startswith("data.val_share") for p in problems)
    assert not any("training.batch_size" in p for p in problems)
