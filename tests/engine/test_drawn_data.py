"""The drawn dataset: its points as drawn, shuffled by the data seed, and a set that trains."""

import torch

from nntui.core.config import RunConfig
from nntui.core.events import Finished
from nntui.engine.datasets import GENERATORS
from nntui.engine.trainer import Trainer, load_data

# Two classes a line apart: class 1 right of x1 = x2, 20 points each.
POINTS = ";".join(
    f"{x / 10:g},{y / 10:g},{int(x > y)}"
    for x, y in [(i % 9 - 4, (i * 7) % 9 - 4) for i in range(60)]
    if x != y
)


def drawn(**changes) -> RunConfig:
    data = {"dataset": "drawn", "points": POINTS, "val_share": 0.25, **changes.pop("data", {})}
    return RunConfig().with_changes(data=data, **changes)


def test_the_points_come_back_as_drawn_in_an_order_the_data_seed_gives():
    make = GENERATORS.get("drawn")
    x, y = make(0, 0.0, torch.Generator().manual_seed(1), "0.5,-0.25,1;0,0,0;-1,1,3")
    assert sorted(zip(x.tolist(), y.tolist())) == [([-1.0, 1.0], 3), ([0.0, 0.0], 0), ([0.5, -0.25], 1)]
    again = make(0, 0.0, torch.Generator().manual_seed(1), POINTS)
    other = make(0, 0.0, torch.Generator().manual_seed(2), POINTS)
    assert torch.equal(again[0], make(0, 0.0, torch.Generator().manual_seed(1), POINTS)[0])
    assert not torch.equal(again[0], other[0]) and sorted(again[1].tolist()) == sorted(other[1].tolist())


def test_noise_jitters_the_positions_and_keeps_the_classes():
    make = GENERATORS.get("drawn")
    still = make(0, 0.0, torch.Generator().manual_seed(3), POINTS)
    moved = make(0, 0.05, torch.Generator().manual_seed(3), POINTS)
    assert torch.equal(still[1], moved[1])
    assert 0.02 < (moved[0] - still[0]).std() < 0.08


def test_validation_holds_out_a_share_of_the_points_drawn():
    data, _ = load_data(drawn())
    points = POINTS.count(";") + 1
    assert len(data.x_train) + len(data.x_val) == points and len(data.x_val) == round(points * 0.25)
    assert data.n_classes == 2 and data.input_dim == 2


def test_a_drawn_set_trains_to_tell_its_classes_apart_the_same_each_time():
    config = drawn(model={"hidden": "8 tanh"}, training={"optimizer": "adam", "lr": 0.05, "epochs": 150})
    first = [e for e in Trainer(config).events() if isinstance(e, Finished)][0]
    again = [e for e in Trainer(config).events() if isinstance(e, Finished)][0]
    assert first.train_accuracy >= 0.95 and first.train_loss < 0.2
    assert (first.train_loss, first.val_loss) == (again.train_loss, again.val_loss)
    snapshot = Trainer(config).snapshot()
    assert snapshot.grid is not None and snapshot.points.shape[1] == 2
