"""A drawn set is part of its run: saved with it, trained again from it, written out as CSV
that the csv dataset reads back equal."""

import io

import pytest
import torch
from helpers import train_and_save

from nntui.cli import main
from nntui.core.config import RunConfig
from nntui.core.drawn import format_points, point
from nntui.engine.trainer import load_data
from nntui.storage.export import data_csv, export_run, write_csv
from nntui.storage.runs import RunStore, restore_trainer

POINTS = "0.5,-0.25,1;-0.75,0.125,0;0,0,0;0.9,0.9,1;-1,1,0;0.25,0.5,1;1,-1,2;0.75,-1,2;0.5,-0.75,2"


def drawn(points: str = POINTS) -> RunConfig:
    return RunConfig().with_changes(
        data={"dataset": "drawn", "points": points, "val_share": 0.0},
        model={"hidden": "4 tanh"},
        training={"epochs": 3, "lr": 0.1},
    )


def test_a_saved_run_keeps_its_points_and_shows_its_class_map_again():
    store = RunStore()
    record, _ = train_and_save(store, drawn())
    saved = store.find(record.id)
    assert saved.config.data.points == POINTS and saved.config == drawn()
    assert saved.dataset == "drawn"
    snapshot = restore_trainer(store, saved).snapshot()
    assert snapshot.grid is not None and sorted(set(snapshot.targets.tolist())) == [0, 1, 2]


def test_the_points_written_as_csv_read_back_as_the_same_points(tmp_path):
    path = write_csv(data_csv(drawn()), tmp_path / "new" / "points.csv")
    lines = (tmp_path / "new" / "points.csv").read_text().splitlines()
    assert path.endswith("points.csv") and lines[0] == "x1,x2,class" and lines[1] == "0.5,-0.25,1"
    back = RunConfig().with_changes(
        task="classification", data={"dataset": "csv", "path": path, "val_share": 0}
    )
    data, _ = load_data(back)
    x, y = data.x_train, data.y_train
    assert format_points(point(a, b, c) for (a, b), c in zip(x.tolist(), y.tolist())) == POINTS


def test_any_runs_data_as_csv_reads_back_equal_with_the_same_validation(tmp_path):
    config = RunConfig().with_changes(data={"dataset": "spiral", "size": 300, "val_share": 0.2, "noise": 0.1})
    path = tmp_path / "spiral.csv"
    path.write_text(data_csv(config))
    original, _ = load_data(config)
    back, _ = load_data(
        config.with_changes(task="classification", data={"dataset": "csv", "path": str(path)})
    )
    for name in ("x_train", "y_train", "x_val", "y_val"):
        assert torch.equal(getattr(original, name), getattr(back, name)), name


def test_the_data_export_writes_a_drawn_runs_points_from_the_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = RunStore()
    record, _ = train_and_save(store, drawn())
    out = io.StringIO()
    assert main(["runs", "export", record.id, "--format", "data"], out=out) == 0
    written = tmp_path / f"nntui-{record.id}-data.csv"
    assert f"wrote {written.name}" in out.getvalue()
    assert written.read_text() == data_csv(drawn())
    assert export_run(store, record, "data", "-") == "-"


def test_runs_show_says_why_a_large_drawn_set_has_no_share_string():
    many = format_points(point(i / 300 - 1, (i % 10) / 10, i % 2) for i in range(300))
    store = RunStore()
    record, _ = train_and_save(store, drawn(many))
    out = io.StringIO()
    assert main(["runs", "show", record.id], out=out) == 0
    assert (
        "share: none: a share string carries at most 250 drawn points and this set has 300" in out.getvalue()
    )
    assert f'points = "{many}"' in out.getvalue()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("dataset=drawn", "data.points is empty"),
        ("dataset=drawn&points=0,0,0;1,1,1;2,2,2", "point 3 ('2,2,2') lies outside the plane"),
    ],
)
def test_a_bad_drawn_set_is_one_line_from_the_cli_and_no_run(line, message, capsys):
    assert main(["train", "--config-string", line]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and RunStore().list().runs == []
