import io

import pytest

from nntui.cli import main
from nntui.core.config import RunConfig
from nntui.core.events import Finished
from nntui.core.sweep import make_grid
from nntui.storage.runs import RunStore
from nntui.storage.sweep import Sweep


def base() -> RunConfig:
    return RunConfig().with_changes(
        name="base",
        data={"size": 200, "val_share": 0.25},
        model={"hidden": "6 relu"},
        training={"epochs": 3, "lr": 0.05, "batch_size": 50},
    )


def finals(sweep: Sweep) -> dict[int, float]:
    return {cell: e.val_loss for cell, e in sweep.events() if isinstance(e, Finished)}


def test_a_sweep_in_chunks_gives_each_cell_what_one_batch_or_one_by_one_gives(tmp_path):
    grid = make_grid(base(), ["training.lr=0.01..0.3,3", "model.hidden[0].units=2,5"])
    whole = Sweep(grid, RunStore(tmp_path / "a"), chunk=6)
    chunks = Sweep(grid, RunStore(tmp_path / "b"), chunk=4)
    alone = Sweep(grid, RunStore(tmp_path / "c"), chunk=6, batched=False)
    together = finals(whole)
    assert whole.ways == ["6 batched"] and chunks.ways == [] and alone.ways == []
    assert list(finals(chunks).values()) == pytest.approx(list(together.values()), rel=1e-5)
    assert chunks.ways == ["4 batched", "2 batched"]
    assert list(finals(alone).values()) == pytest.approx(list(together.values()), rel=1e-5)
    assert alone.ways == ["6 one by one"]
    assert sorted(together) == list(range(6))
    assert whole.figures.final == pytest.approx([together[i] for i in range(6)])
    assert all(b <= f for b, f in zip(whole.figures.best, whole.figures.final))


def test_a_sweep_is_saved_as_one_group_and_its_best_cell_is_the_lowest_loss(tmp_path):
    store = RunStore(tmp_path)
    sweep = Sweep(make_grid(base(), ["training.lr=1e-5,0.05,1e9"]), store, chunk=2)
    list(sweep.events())
    assert sweep.figures.outcome == ["finished", "finished", "diverged"]
    final = sweep.figures.final
    assert sweep.figures.best_cell() == min((0, 1), key=final.__getitem__)
    records = [store.find(record.id) for record in sweep.records]
    assert {record.group for record in records} == {sweep.group}
    assert "swept: lr=0.05;" in records[1].message


def test_nntui_sweep_prints_the_grid_with_the_best_cell_marked_and_saves_it(tmp_path):
    out = io.StringIO()
    code = main(
        [
            "sweep",
            "--runs-dir",
            str(tmp_path),
            "--preset",
            "validation",
            "--set",
            "data.size=140",
            "--set",
            "replay=''",
            "--set",
            "training.batch_size=20",
            "--epochs",
            "2",
            "--grid",
            "training.lr=1e-3..1e-1,3",
            "--grid",
            "model.hidden[0].units=2..8,3",
        ],
        out=out,
    )
    text = out.getvalue()
    assert code == 0, text
    assert "9 cells of validation (3 × 3)" in text
    table = text.split("\n\n")[1].splitlines()
    assert table[0].split() == ["lr", "\\", "hidden[0].units", "2", "5", "8"]
    assert [line.split()[0] for line in table[1:4]] == ["0.001", "0.01", "0.1"]
    assert sum(line.count(" *") for line in table) == 1
    assert "final validation loss" in text and "saved 9 runs" in text


def test_nntui_sweep_refuses_a_bad_grid_with_one_line(tmp_path, capsys):
    code = main(["sweep", "--runs-dir", str(tmp_path), "--preset", "optim", "--grid", "training.lrr=1..2,2"])
    assert code == 2 and "unknown field training.lrr" in capsys.readouterr().err
