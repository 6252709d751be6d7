"""The share string: a whole config as one line that reads back exactly, and refuses garbage
with messages."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntui.cli import main
from nntui.core.config import RULES, ConfigError, Layer, RunConfig, UserError
from nntui.core.share import SHORT, from_share_string, to_share_string
from nntui.engine.presets import PRESETS

# A valid value other than the default, for every field of the field table.
OTHER = {
    "name": "a & b = c % d",
    "task": "classification",
    "style": "scratch",
    "device": "cpu",
    "replay": "classification",
    "data.dataset": "csv",
    "data.size": 1234,
    "data.val_share": 1 / 3,
    "data.noise": 0.1 + 0.2,
    "data.extent": 6.0,
    "data.seed": 2**62,
    "data.path": "/tmp/my data/points & more.csv",
    "data.expression": "y = x1**2 + 0.5*x2 > -1 and abs(x1) <= 0.3",
    "data.points": "0,0,0;0.5,-0.25,0;-1,1,0;0.125,0.5,1;1,1,1;-0.999,0.001,1",
    "model.hidden": (Layer(7, "tanh"), Layer(3, "gelu")),
    "model.bias": False,
    "model.init": "playground",
    "model.features": "x1,x1x2",
    "model.output": "playground",
    "training.optimizer": "adam",
    "training.lr": 1e-7,
    "training.momentum": 0.5,
    "training.weight_decay": 0.25,
    "training.regularization": "l1",
    "training.reg_rate": 0.003,
    "training.epochs": 7,
    "training.batch_size": 3,
    "training.shuffle": True,
    "training.seed": 0,
    "training.val_every": 5,
    "training.loader": "dataloader",
}


def changed(path: str, value) -> RunConfig:
    section, _, field = path.rpartition(".")
    base = RunConfig().with_changes(data={"dataset": "circle"})
    if path == "model.hidden":
        value = [{"units": layer.units, "activation": layer.activation} for layer in value]
    if path == "data.dataset":
        return base.with_changes(data={"dataset": "csv", "path": "points.csv"})
    if path == "data.expression":
        return base.with_changes(data={"dataset": "expression", "expression": value})
    if path == "data.points":
        return base.with_changes(data={"dataset": "drawn", "points": value, "val_share": 0.0})
    if path == "replay":
        return base.with_changes(replay=value, data={"dataset": "rings", "size": 15000, "val_share": 1 / 3})
    return base.with_changes(**({section: {field: value}} if section else {field: value}))


def test_every_field_of_the_field_table_has_another_value_to_try():
    assert set(OTHER) == set(RULES)


@pytest.mark.parametrize("path", list(RULES))
def test_every_field_round_trips_exactly(path):
    config = changed(path, OTHER[path])
    line = to_share_string(config)
    assert SHORT[path] in line
    assert "\n" not in line and from_share_string(line) == config


def test_the_defaults_are_an_empty_string_and_each_preset_a_short_line():
    assert to_share_string(RunConfig()) == "" and from_share_string("") == RunConfig()
    for preset in PRESETS.values():
        if preset.config is not None:
            line = to_share_string(preset.config)
            assert from_share_string(line) == preset.config and len(line) < 250


def test_a_playground_preset_reads_like_playgrounds_hash():
    line = to_share_string(PRESETS.get("playground-xor").config)
    assert "dataset=xor&size=500" in line and "hidden=4:tanh,2:tanh" in line and "lr=0.03" in line


def test_names_are_short_except_where_two_fields_share_one():
    assert SHORT["training.lr"] == "lr" and SHORT["data.seed"] == "data.seed"
    assert from_share_string("training.lr=0.5&data.seed=3").training.lr == 0.5


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("lr", "config string: 'lr' must look like name=value"),
        ("learning=0.1", "config string: unknown field 'learning'; known: name, task"),
        ("lr=fast", "config string: training.lr must be a number, got 'fast'"),
        ("size=1.5", "config string: data.size must be a whole number, got '1.5'"),
        ("shuffle=yes", "config string: training.shuffle must be true or false, got 'yes'"),
        ("lr=0.1&lr=0.2", "config string: lr is given twice"),
        ("hidden=4:tanh,x", "config string: model.hidden layer 'x' must look like '100 relu'"),
        ("lr=-1", "training.lr must be > 0, got -1"),
        ("lr=nan", "training.lr must be a finite number"),
        ("size=" + "9" * 5000, "config string: data.size must be a whole number"),
    ],
)
def test_bad_share_strings_are_messages_naming_the_part(line, message):
    with pytest.raises(ConfigError) as error:
        from_share_string(line)
    assert any(message in problem for problem in error.value.problems), error.value.problems


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(name=TEXT, path=TEXT, lr=st.floats(min_value=1e-300, max_value=1e300), seed=st.integers(0, 2**63 - 1))
def test_any_name_path_rate_and_seed_round_trip(name, path, lr, seed):
    config = RunConfig().with_changes(
        name=name, data={"dataset": "csv", "path": path or "x.csv", "seed": seed}, training={"lr": lr}
    )
    assert from_share_string(to_share_string(config)) == config


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_a_config_or_a_message(text):
    try:
        from_share_string(text)
    except (ConfigError, UserError):
        pass


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_train_takes_a_share_string_and_runs_show_prints_it(tmp_path, capsys):
    line = to_share_string(PRESETS.get("playground-circle").config.with_changes(data={"size": 60}))
    code, text = run("train", "--config-string", line, "--epochs", "2", "--runs-dir", str(tmp_path))
    assert code == 0 and "2 → 4 tanh → 2 tanh → 1" in text
    run_id = text.split("saved run ")[1].split()[0]
    code, shown = run("runs", "show", run_id, "--runs-dir", str(tmp_path))
    expected = line.replace("epochs=300", "epochs=2")
    assert code == 0 and f"share: {expected!r}" in shown


def test_a_bad_share_string_exits_2_with_one_line_each(capsys):
    assert run("train", "--config-string", "lr=fast&size=-3")[0] == 2
    assert run("--config-string", "lr=fast")[0] == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors[0] == "nntui: config string: training.lr must be a number, got 'fast'"
    assert errors[-1] == "nntui: config string: training.lr must be a number, got 'fast'"


def test_the_app_opens_on_a_share_string(monkeypatch):
    opened = {}
    monkeypatch.setattr(
        "nntui.tui.app.run_app", lambda runs_dir, slow_link, config: opened.setdefault("config", config)
    )
    assert run("--config-string", "dataset=xor&lr=0.5")[0] is not None
    assert opened["config"] == RunConfig().with_changes(data={"dataset": "xor"}, training={"lr": 0.5})
