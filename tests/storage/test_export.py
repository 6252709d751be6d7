import csv
import io
import json
import os
import stat
import subprocess
import sys

import pytest
import torch
from helpers import train_and_save

from nntui.cli import main
from nntui.core.config import RunConfig
from nntui.core.events import EpochEnd, Paused
from nntui.engine.presets import PRESETS
from nntui.engine.trainer import RunControl, Trainer
from nntui.storage.export import export_run, script
from nntui.storage.runs import RunRecorder, RunStore


def trained(config: RunConfig):
    store = RunStore()
    record, losses = train_and_save(store, config)
    return store, record, losses


def script_losses(path, *args: str) -> list[float]:
    """Run an exported script in a fresh interpreter, as a learner would, and read its losses."""
    done = subprocess.run(
        [sys.executable, str(path), *args], capture_output=True, text=True, timeout=120, check=True
    )
    return [
        float(line.split("train loss ")[1].split(",")[0])
        for line in done.stdout.splitlines()
        if line.startswith("epoch ")
    ]


CONFIGS = {
    "x2 regression, shuffled batches": RunConfig().with_changes(
        data={"size": 500, "val_share": 0.2, "noise": 0.05},
        model={"hidden": "16 relu, 8 tanh"},
        training={"epochs": 5, "lr": 0.05, "batch_size": 50, "shuffle": True},
    ),
    "rings classification, adam, DataLoader draws": RunConfig().with_changes(
        data={"dataset": "rings", "size": 500, "val_share": 0.2},
        model={"hidden": "16 relu"},
        training={
            "epochs": 5,
            "lr": 0.01,
            "optimizer": "adam",
            "batch_size": 100,
            "shuffle": True,
            "loader": "dataloader",
            "val_every": 2,
        },
    ),
    "scratch style, uniform init, no bias, weight decay": RunConfig().with_changes(
        style="scratch",
        data={"dataset": "multi-gauss", "size": 400, "val_share": 0.25},
        model={"hidden": "12 tanh", "init": "uniform", "bias": False},
        training={"epochs": 5, "lr": 0.05, "weight_decay": 0.01},
    ),
    "playground's setup with features and L1": PRESETS.get("playground-circle").config.with_changes(
        data={"size": 200},
        model={"features": "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2"},
        training={"epochs": 4, "regularization": "l1", "reg_rate": 0.003},
    ),
    "playground regression, scratch, L2": PRESETS.get("playground-plane").config.with_changes(
        style="scratch",
        data={"size": 200},
        model={"features": "x1,sinx2"},
        training={"epochs": 4, "regularization": "l2", "reg_rate": 0.01},
    ),
    "the tutorial's classification preset, replayed": PRESETS.get("classification").config.with_changes(
        training={"epochs": 3}
    ),
    "drawn points, three classes, jittered, shuffled": RunConfig().with_changes(
        data={
            "dataset": "drawn",
            "points": ";".join(f"{(i % 9 - 4) / 10:g},{(i % 7 - 3) / 10:g},{i % 3}" for i in range(60)),
            "val_share": 0.25,
            "noise": 0.02,
        },
        model={"hidden": "8 tanh"},
        training={"epochs": 6, "lr": 0.05, "optimizer": "adam", "batch_size": 15, "shuffle": True},
    ),
}


@pytest.mark.parametrize("name", CONFIGS)
def test_an_exported_script_reproduces_the_runs_losses(name, tmp_path):
    store, record, losses = trained(CONFIGS[name])
    path = tmp_path / "run.py"
    path.write_text(script(record))
    assert "nntui" not in "".join(line for line in path.read_text().splitlines() if "import" in line)
    assert script_losses(path) == pytest.approx(losses, rel=1e-5)


def test_an_exported_script_takes_an_epochs_override_and_saves_a_loadable_model(tmp_path):
    store, record, losses = trained(CONFIGS["x2 regression, shuffled batches"])
    path = tmp_path / "run.py"
    path.write_text(script(record))
    assert script_losses(path, "--epochs", "2", "--save", str(tmp_path / "m.pt")) == pytest.approx(
        losses[:2], rel=1e-5
    )
    assert (
        torch.load(tmp_path / "m.pt", weights_only=True).keys()
        == store.saved_state(record.id).checkpoint.model_state.keys()
    )


def test_csv_and_json_hold_every_epoch(tmp_path):
    store, record, losses = trained(CONFIGS["x2 regression, shuffled batches"])
    rows = list(csv.DictReader(open(export_run(store, record, "csv", str(tmp_path / "m.csv")))))
    assert [float(row["train_loss"]) for row in rows] == losses and rows[0]["epoch"] == "0"
    exported = json.loads(open(export_run(store, record, "json", str(tmp_path / "m.json"))).read())
    assert exported["run"]["id"] == record.id and len(exported["history"]) == 5


def test_pt_is_a_state_dict_plain_pytorch_loads(tmp_path):
    store, record, _ = trained(CONFIGS["x2 regression, shuffled batches"])
    state = torch.load(export_run(store, record, "pt", str(tmp_path / "m.pt")), weights_only=True)
    model = torch.nn.Sequential(
        torch.nn.Linear(1, 16),
        torch.nn.ReLU(),
        torch.nn.Linear(16, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 1),
    )
    model.load_state_dict({key.removeprefix("layers."): value for key, value in state.items()})


def test_cli_export_writes_each_format_as_an_ordinary_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert main(["train", "--preset", "playground-xor", "--epochs", "2"], out=out) == 0
    run_id = out.getvalue().split("saved run ")[1].split()[0]
    umask = os.umask(0o027)
    try:
        for fmt in ("csv", "json", "pt", "py"):
            out = io.StringIO()
            assert main(["runs", "export", run_id[:-1], "--format", fmt], out=out) == 0
            written = tmp_path / f"nntui-{run_id}.{fmt}"
            assert written.is_file() and "wrote" in out.getvalue()
            assert stat.S_IMODE(written.stat().st_mode) == 0o640  # 0666 less the umask, not 0600
        assert main(["runs", "export", run_id, "--format", "csv", "-o", "new/folder/f.csv"], out=out) == 0
    finally:
        os.umask(umask)
    assert (tmp_path / "new" / "folder" / "f.csv").is_file()


@pytest.mark.parametrize("style", ["nn", "scratch"])
def test_a_learning_rate_set_during_the_run_is_set_at_the_same_epoch_in_the_script(style, tmp_path):
    config = CONFIGS["x2 regression, shuffled batches"].with_changes(style=style)
    control = RunControl()
    control.step(2)  # two epochs, then paused: the learning rate changes there, as from the app
    trainer = Trainer(config, control)
    store = RunStore()
    recorder = RunRecorder(trainer, store)
    losses = []
    for event in trainer.events():
        recorder.record(event)
        if isinstance(event, Paused):
            control.set_lr(0.2)
            control.resume()
        elif isinstance(event, EpochEnd):
            losses.append(event.train_loss)
    record = recorder.save()
    path = tmp_path / "run.py"
    export_run(store, record, "py", str(path))
    assert "LR_CHANGES = {2: 0.2}" in path.read_text()
    assert script_losses(path) == pytest.approx(losses, rel=1e-5)
