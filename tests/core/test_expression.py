"""Typed targets: what they compute, and that anything outside the whitelist is a message naming
the bad token (never eval)."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nntui.core.config import ConfigError, RunConfig, UserError
from nntui.core.expression import parse_expression
from nntui.engine.datasets import GENERATORS
from nntui.engine.trainer import Trainer, load_data


def expression_config(text: str, **data) -> RunConfig:
    return RunConfig().with_changes(
        data={"dataset": "expression", "expression": text, "size": 400, "val_share": 0.25, **data},
        model={"hidden": "8 tanh"},
        training={"epochs": 2},
    )


def test_a_regression_target_of_x_is_computed_on_one_input():
    data, _ = load_data(expression_config("y = sin(3*x)"))
    assert data.task == "regression" and data.input_dim == 1
    assert torch.allclose(data.y_train[:, 0], torch.sin(3 * data.x_train[:, 0]))
    assert data.x_train.min() >= -1 and data.x_train.max() < 1


def test_a_condition_of_x1_and_x2_is_two_classes_on_the_plane():
    config = expression_config("x1**2 + x2**2 < 0.5")
    assert config.resolved_task == "classification"
    data, _ = load_data(config)
    x = data.x_train
    assert data.n_classes == 2 and torch.equal(data.y_train, (x.pow(2).sum(1) < 0.5).long())
    trainer = Trainer(config)
    assert trainer.architecture == "2 → 8 tanh → 2"


def test_conditions_join_with_and_or_and_chain():
    x, y = GENERATORS.get("expression")(
        500, 0.0, torch.Generator().manual_seed(0), "x1 > 0 and -0.5 < x2 < 0.5"
    )
    assert torch.equal(y, ((x[:, 0] > 0) & (x[:, 1] > -0.5) & (x[:, 1] < 0.5)).long())


def test_noise_flips_labels_near_the_boundary_and_jitters_regression_targets():
    x, y = GENERATORS.get("expression")(2000, 0.2, torch.Generator().manual_seed(0), "x1*x2 > 0")
    flipped = y != (x[:, 0] * x[:, 1] > 0).long()
    assert flipped.any() and x[flipped].abs().min(1).values.max() <= 0.2
    x, y = GENERATORS.get("expression")(2000, 0.1, torch.Generator().manual_seed(0), "x**3 - x")
    assert 0.05 < (y - (x[:, 0] ** 3 - x[:, 0])).std() < 0.15


def test_a_typed_target_trains_and_its_script_reproduces_it(tmp_path):
    import subprocess
    import sys

    from nntui.storage.export import script
    from nntui.storage.runs import RunStore
    from tests.helpers import train_and_save

    record, losses = train_and_save(RunStore(tmp_path), expression_config("y = x**3 - x"))
    path = tmp_path / "run.py"
    path.write_text(script(record))
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True)
    printed = [
        float(line.split("train loss ")[1].split(",")[0])
        for line in done.stdout.splitlines()
        if line.startswith("epoch ")
    ]
    assert printed == pytest.approx(losses, rel=1e-5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "calls '__import__', which is not allowed"),
        ("x.__class__", "uses '.__class__' (in 'x.__class__'), which is not allowed"),
        ("().__class__.__bases__[0]", "which is not allowed"),
        ("y", "uses 'y', which is not one of x, x1, x2"),
        ("open('/etc/passwd')", "calls 'open', which is not allowed"),
        ("sin(x, 2)", "calls sin with 'sin(x, 2)': it takes one argument"),
        ("x if x > 0 else 0", "uses 'x if x > 0 else 0', which is not allowed"),
        ("(x > 0) * 2", "has a comparison inside arithmetic ('x > 0')"),
        ("x == 0", "compares with 'x == 0': use <, <=, > or >="),
        ("x1 + x", "mixes x with x1/x2"),
        ("lambda: 1", "uses 'lambda: 1', which is not allowed"),
        ("x +", "is not an expression nntui reads"),
        ("", "is empty"),
        ("x" + "+x" * 5000, "is 10,001 characters long; nntui reads at most 500"),
        ("'text'", "uses \"'text'\", which is not allowed"),
        ("x // 2", "uses 'x // 2', which is not allowed"),
    ],
)
def test_anything_outside_the_whitelist_is_a_message_naming_it(text, message):
    with pytest.raises(ConfigError) as error:
        expression_config(text)
    assert any(message in problem for problem in error.value.problems), error.value.problems
    assert all(problem.startswith(("data.expression ", "task ")) for problem in error.value.problems)


@pytest.mark.parametrize("text", ["1/0", "log(-1)", "log(x)", "x**0.5", "exp(exp(exp(10)))"])
def test_nan_or_infinite_targets_are_a_message_not_a_run(text):
    with pytest.raises(UserError, match="data.expression gives NaN or infinite targets at"):
        load_data(expression_config(f"y = {text}"))


def test_a_task_against_the_expression_is_refused():
    with pytest.raises(ConfigError, match="task must be regression .or auto. for data.expression"):
        expression_config("sin(x)").with_changes(task="classification")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="x12+-*/() .<>=sinolgexpabtc_[]'\"0,", max_size=60))
def test_any_text_is_an_expression_or_a_message(text):
    try:
        parse_expression(text)
    except ValueError as error:
        assert str(error)
