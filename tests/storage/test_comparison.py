import io

import pytest

from nntui.cli import main
from nntui.core.config import RunConfig
from nntui.core.errors import UserError
from nntui.core.events import EpochEnd, Failed, Finished
from nntui.core.variants import make_variants, parse_vary
from nntui.engine.batched import batch_problem
from nntui.storage.comparison import Comparison
from nntui.storage.runs import RunStore


def base(**changes) -> RunConfig:
    config = RunConfig().with_changes(
        name="base",
        data={"size": 400, "val_share": 0.25},
        model={"hidden": "12 relu"},
        training={"epochs": 4, "lr": 0.05, "batch_size": 50, "shuffle": True},
    )
    return config.with_changes(**changes) if changes else config


def figures(comparison: Comparison) -> dict[int, list]:
    """Every variant's per-epoch figures and its final ones."""
    out: dict[int, list] = {}
    for index, event in comparison.events():
        if isinstance(event, EpochEnd):
            out.setdefault(index, []).append(
                (
                    event.train_loss,
                    event.batch_loss,
                    event.val_loss,
                    event.train_accuracy,
                    event.val_accuracy,
                    event.grad_norm,
                )
            )
        elif isinstance(event, Finished):
            out.setdefault(index, []).append(
                (event.train_loss, event.val_loss, event.train_accuracy, event.val_accuracy)
            )
    return out


def flat(values: dict[int, list]) -> list[float]:
    return [v for index in sorted(values) for row in values[index] for v in row if v is not None]


def test_vary_reads_bars_or_commas_and_every_combination_is_a_variant():
    assert parse_vary("model.hidden=100 relu, 50 tanh|100 identity") == (
        "model.hidden",
        ["100 relu, 50 tanh", "100 identity"],
    )
    assert parse_vary("training.seed=1,2,3") == ("training.seed", ["1", "2", "3"])
    variants = make_variants(base(), ["training.seed=1,2", "training.lr=0.1|0.01"])
    assert [v.label for v in variants] == [
        "seed=1, lr=0.1",
        "seed=1, lr=0.01",
        "seed=2, lr=0.1",
        "seed=2, lr=0.01",
    ]
    assert variants[3].config.training.lr == 0.01 and variants[3].config.name == "base [seed=2, lr=0.01]"
    with pytest.raises(UserError, match="must look like"):
        parse_vary("training.seed")
    with pytest.raises(UserError, match="training.lr must be > 0"):
        make_variants(base(), ["training.lr=1|-1"])
    with pytest.raises(UserError, match="training.seed is varied twice"):
        make_variants(base(), ["training.seed=1,2", "training.seed=3,4"])
    with pytest.raises(UserError, match="training.seed repeats a value"):
        make_variants(base(), ["training.seed=1,2,1"])


def test_only_variants_with_the_same_layer_count_and_optimizer_batch():
    seeds = [v.config for v in make_variants(base(), ["training.seed=1,2"])]
    activations = [v.config for v in make_variants(base(), ["model.hidden=12 relu|12 identity"])]
    widths = [v.config for v in make_variants(base(), ["model.hidden=12 relu|6 relu"])]
    rates = [v.config for v in make_variants(base(), ["training.lr=0.1,0.2"])]
    depths = [v.config for v in make_variants(base(), ["model.hidden=12 relu|6 relu, 6 relu"])]
    optimizers = [v.config for v in make_variants(base(), ["training.optimizer=sgd|adam"])]
    assert all(batch_problem(c) is None for c in (seeds, activations, widths, rates))
    assert "model.hidden" in batch_problem(depths)
    assert "training.optimizer" in batch_problem(optimizers)


CASES = {
    "seeds, shuffled mini-batches": (base(), "training.seed=1,2,3"),
    "activations, full batch": (
        base(training={"batch_size": 0, "shuffle": False}),
        "model.hidden=12 relu|12 identity",
    ),
    "classification, adam, DataLoader draws": (
        base(
            data={"dataset": "rings"},
            model={"hidden": "12 relu, 8 tanh"},
            training={"optimizer": "adam", "lr": 0.01, "loader": "dataloader", "val_every": 2},
        ),
        "training.seed=1,2",
    ),
    "scratch style": (base(style="scratch", model={"init": "uniform"}), "model.init=uniform|default"),
    "playground's output, features and L2": (
        base(
            data={"dataset": "xor"},
            model={"hidden": "4 tanh, 2 tanh", "features": "x1,x2,x1x2", "output": "playground"},
            training={"regularization": "l2", "reg_rate": 0.01},
        ),
        "model.init=playground|default",
    ),
    "L1 in the scratch style, regression": (
        base(
            style="scratch",
            data={"dataset": "plane"},
            model={"output": "playground", "features": "x1,sinx2"},
            training={"regularization": "l1", "reg_rate": 0.01},
        ),
        "training.seed=1,2",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_batched_training_gives_what_one_after_another_gives(name):
    config, vary = CASES[name]
    variants = make_variants(config, [vary])
    batched = Comparison(variants, RunStore(), batched=True)
    sequential = Comparison(variants, RunStore(), batched=False)
    assert batched.batched and not sequential.batched
    together, alone = figures(batched), figures(sequential)
    assert [len(together[i]) for i in together] == [len(alone[i]) for i in alone] == [5] * len(variants)
    assert flat(together) == pytest.approx(flat(alone), rel=1e-5)


def test_batched_runs_are_saved_and_continue_like_any_run():
    store = RunStore()
    comparison = Comparison(
        make_variants(base(training={"optimizer": "momentum"}), ["training.seed=1,2"]), store
    )
    list(comparison.events())
    records = comparison.save()
    assert [r.status for r in records] == ["finished", "finished"] and records[0].group == records[1].group
    alone = Comparison(
        make_variants(base(training={"optimizer": "momentum"}), ["training.seed=1,2"]), store, batched=False
    )
    list(alone.events())
    assert store.history(records[1].id).columns["train_loss"] == pytest.approx(
        alone.recorders[1].history.columns["train_loss"], rel=1e-5
    )
    state = store.saved_state(records[1].id).checkpoint
    assert state.epochs_done == 4 and state.optimizer_state["state"][0]["momentum_buffer"].shape == (12, 1)


def outcomes_of(comparison: Comparison) -> dict[int, str]:
    return {
        index: type(event).__name__
        for index, event in comparison.events()
        if isinstance(event, Finished | Failed)
    }


def test_a_diverging_variant_fails_alone_while_the_others_finish():
    variants = make_variants(base(), ["training.lr=0.05|1e9"])
    assert outcomes_of(Comparison(variants, RunStore())) == {0: "Finished", 1: "Failed"}


def test_diverged_batched_variants_are_saved_as_diverged():
    store = RunStore()
    comparison = Comparison(make_variants(base(training={"lr": 1e9}), ["training.seed=1,2"]), store)
    assert comparison.batched
    assert outcomes_of(comparison) == {0: "Failed", 1: "Failed"}
    assert [record.status for record in comparison.save()] == ["diverged", "diverged"]


def test_cli_compare_prints_a_table_saves_a_group_and_draws_the_overlay():
    out = io.StringIO()
    code = main(
        ["compare", "--preset", "playground-xor", "--epochs", "3", "--vary", "training.seed=1,2", "--plot"],
        out=out,
    )
    text = out.getvalue()
    assert code == 0
    assert "2 variants of playground-xor, trained batched into one computation" in text
    assert "seed=1" in text and "seed=2" in text and "saved 2 runs" in text and "train loss" in text
    assert len(RunStore().list().runs) == 2


def test_cli_compare_with_one_value_or_a_demo_preset_exits_2(capsys):
    assert (
        main(["compare", "--preset", "playground-xor", "--vary", "training.seed=1"], out=io.StringIO()) == 2
    )
    assert "only one variant" in capsys.readouterr().err
    assert main(["compare", "--preset", "for-loop-vs-matmul", "--vary", "training.seed=1,2"]) == 2


def test_a_huge_comparison_is_refused_with_its_count_before_any_variant_is_built():
    vary = [
        "training.seed=" + ",".join(map(str, range(100))),
        "training.lr=" + ",".join(f"0.{i + 1}" for i in range(9)),
        "model.init=default,uniform",
    ]
    with pytest.raises(UserError, match="that makes 1,800 variants; nntui trains at most 1,000"):
        make_variants(base(), vary)
