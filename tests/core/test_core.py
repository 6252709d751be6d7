"""The core is torch-free, its choices are all implemented, and its field table drives the rules."""

import dataclasses
import subprocess
import sys

from nntui.core.choices import ACTIVATIONS, DATASETS, OPTIMIZERS
from nntui.core.config import RULES, DataConfig, Layer, ModelConfig, RunConfig, TrainingConfig, paths_where
from nntui.core.errors import ConfigError


def test_the_core_and_the_faces_import_without_torch():
    modules = "nntui.core.config, nntui.core.events, nntui.core.metrics, nntui.core.records"
    modules += ", nntui.cli, nntui.tui.app"
    code = f"import sys, {modules}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_choice_has_its_implementation_in_the_engine():
    from nntui.engine.activations import ACTIVATION_FUNCTIONS
    from nntui.engine.datasets import GENERATORS
    from nntui.engine.features import FEATURE_FUNCTIONS
    from nntui.engine.optimizers import OPTIMIZER_BUILDERS

    assert GENERATORS.missing() == [] and len(DATASETS) == 11
    assert FEATURE_FUNCTIONS.missing() == []
    assert ACTIVATION_FUNCTIONS.missing() == [] and "relu" in ACTIVATIONS
    assert OPTIMIZER_BUILDERS.missing() == [] and "adam" in OPTIMIZERS


def test_every_config_field_is_one_row_of_the_field_table():
    for prefix, cls in [
        ("", RunConfig),
        ("data.", DataConfig),
        ("model.", ModelConfig),
        ("training.", TrainingConfig),
    ]:
        for item in dataclasses.fields(cls):
            if item.name not in ("data", "model", "training"):
                assert f"{prefix}{item.name}" in RULES
    assert all("rule" in item.metadata for item in dataclasses.fields(Layer))
    assert paths_where("resumable") == [
        "name",
        "device",
        "training.lr",
        "training.epochs",
        "training.val_every",
    ]
    assert paths_where("live") == ["training.lr"]
    assert set(paths_where("batchable")) == {
        "name",
        "model.init",
        "training.seed",
        "training.lr",
        "model.hidden[].units",
        "model.hidden[].activation",
    }


def test_a_number_too_large_for_memory_or_int64_is_refused_with_the_field_and_the_bound():
    cases = {
        "training.seed": (
            "training.seed=9223372036854775808",
            "training.seed must be <= 9223372036854775807",
        ),
        "data.size": (
            "data.size=9223372036854775807",
            "data.size must be <= 100000000, got 9223372036854775807",
        ),
        "training.epochs": (
            f"training.epochs={'9' * 400}",
            "training.epochs must be <= 1000000000, got a 400-digit",
        ),
        "data.val_share": ("data.val_share=inf", "data.val_share must be a finite number, got inf"),
    }
    for override, message in cases.values():
        try:
            RunConfig().updated([override])
        except ConfigError as error:
            assert any(message in problem for problem in error.problems), error.problems
        else:
            raise AssertionError(f"{override} was accepted")
    try:
        RunConfig().updated(["model.hidden=100000 relu, 100000 relu", "data.size=100000000"])
    except ConfigError as error:
        assert any("GiB" in problem and "refuses" in problem for problem in error.problems)


def test_history_rows_last_gives_the_same_rows_as_the_tail_of_all_rows():
    from nntui.core.metrics import History

    history = History()
    for epoch in range(5):
        history.add(epoch, {"train_loss": 1.0 / (epoch + 1), "weight_norm.1": float(epoch)})
    assert history.rows(last=2) == history.rows()[-2:] and history.rows(last=2)[-1]["weight_norm.1"] == 4.0
    assert history.rows(last=9) == history.rows() and History().rows(last=1) == []
