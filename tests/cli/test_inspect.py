"""`nntui inspect`, `nntui runs show --layers` and the per-layer figures in `--jsonl`."""

import io
import json

import pytest
import torch

from nntui.cli import main
from nntui.core.config import RunConfig
from nntui.core.events import EpochEnd, Paused
from nntui.core.inside import Edit
from nntui.engine.inside import layers_of
from nntui.engine.trainer import RunControl, Trainer
from nntui.storage.export import export_run
from nntui.storage.runs import RunRecorder, RunStore

CONFIG = RunConfig().with_changes(
    data={"size": 300, "val_share": 0.2},
    model={"hidden": "6 relu, 3 tanh"},
    training={"epochs": 12, "lr": 0.05, "batch_size": 50, "shuffle": True},
)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def edited_run(config: RunConfig = CONFIG) -> tuple[str, list[float]]:
    """The run paused after 4 epochs, its layer-2 neuron 1 bias and w2 set by hand, trained on."""
    control = RunControl()
    control.step(4)
    trainer = Trainer(config, control)
    recorder = RunRecorder(trainer, RunStore())
    losses = []
    for event in trainer.events():
        recorder.record(event)
        if isinstance(event, Paused):
            if recorder.history.edits:
                control.resume()
            else:
                control.edit(Edit(2, 0, None, 0.75))
                control.edit(Edit(2, 0, 1, -1.25))
        elif isinstance(event, EpochEnd):
            losses.append(event.train_loss)
    return recorder.save().id, losses


def test_inspect_prints_each_neurons_weights_bias_and_state():
    run_id, _ = edited_run()
    code, text = run("inspect", run_id)
    assert code == 0
    lines = text.splitlines()
    assert "layer 1 (hidden layer, relu): 6 units" in text and "layer 3 (output layer): 1 units" in text
    trainer_state = RunStore().saved_state(run_id).checkpoint.model_state
    bias = float(trainer_state["layers.2.bias"][0])
    w2 = float(trainer_state["layers.2.weight"][0, 1])
    section = lines[next(i for i, line in enumerate(lines) if line.startswith("layer 2 (")) :]
    row = next(line for line in section if line.split()[:1] == ["1"]).split()
    assert row[2] == f"{bias:.4g}" and row[4] == f"{w2:.4g}"
    assert any(line.startswith("dead:") or line.startswith("active:") for line in lines)


def test_inspect_layer_shows_one_layer_and_refuses_one_it_lacks(capsys):
    run_id, _ = edited_run()
    code, text = run("inspect", run_id, "--layer", "2")
    assert code == 0 and "layer 2 (hidden layer, tanh)" in text and "layer 1 (" not in text
    assert text.count("\n     ") >= 3  # three neurons
    assert run("inspect", run_id, "--layer", "4")[0] == 2
    assert "has layers 1 to 3" in capsys.readouterr().err


def test_runs_show_layers_prints_the_last_diagnostics_and_the_edits():
    run_id, _ = edited_run()
    code, text = run("runs", "show", run_id, "--layers")
    assert code == 0
    assert "per-layer diagnostics at epoch 11:" in text
    assert "weight norm" in text and "dead units" in text and "saturated outputs" in text
    assert "3 (out)" in text
    assert "before epoch 4: layer 2 neuron 1 bias" in text and "→ 0.75" in text
    assert "before epoch 4: layer 2 neuron 1 w2" in text and "→ -1.25" in text


def test_jsonl_carries_the_per_layer_figures():
    code, text = run("train", "--preset", "minibatch", "--epochs", "2", "--jsonl")
    epochs = [json.loads(line) for line in text.splitlines() if '"epochend"' in line]
    assert code == 0
    assert epochs[-1]["weight_norm.1"] > 0 and epochs[-1]["weight_norm.2"] > 0
    assert 0 <= epochs[-1]["dead_fraction.1"] <= 1 and epochs[-1]["layer_grad_norm.2"] > 0


@pytest.mark.parametrize("style", ["nn", "scratch"])
def test_an_exported_script_sets_the_hand_edits_at_the_same_epoch(style, tmp_path):
    from tests.storage.test_export import script_losses

    config = CONFIG.with_changes(style=style)
    run_id, losses = edited_run(config)
    path = tmp_path / "run.py"
    export_run(RunStore(), RunStore().find(run_id), "py", str(path))
    text = path.read_text()
    assert "EDITS = {4: [(2, 0, None, 0.75), (2, 0, 1, -1.25)]}" in text
    assert script_losses(path) == pytest.approx(losses, rel=1e-5)


def test_an_edit_that_names_no_weight_changes_nothing():
    control = RunControl()
    control.step(1)
    trainer = Trainer(CONFIG, control)
    before, checked = None, False
    for event in trainer.events():
        if isinstance(event, Paused):
            if before is None:
                before = [w.detach().clone() for w, _ in layers_of(trainer.model)]
                control.edit(Edit(7, 0, 0, 1.0))
                control.edit(Edit(1, 99, 0, 1.0))
                control.step(0)
            else:
                assert all(torch.equal(a, w) for a, (w, _) in zip(before, layers_of(trainer.model)))
                checked = True
                control.stop()
    assert checked
