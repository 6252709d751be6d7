import pytest
import torch

from nntui.core.choices import CLASSIFICATION, DATASETS, REGRESSION
from nntui.core.config import RunConfig
from nntui.core.errors import UserError
from nntui.engine.datasets import GENERATORS, rings_labels
from nntui.engine.trainer import load_data

GENERATED = [name for name in DATASETS if name not in ("csv", "expression", "drawn")]  # these read a source


@pytest.mark.parametrize("name", GENERATED)
def test_each_dataset_has_the_promised_shapes_and_labels(name):
    spec = DATASETS.get(name)
    x, y = GENERATORS.get(name)(500, 0.1, torch.Generator().manual_seed(0), "")
    assert x.shape == (500, spec.input_dim)
    assert y.shape == (500,)
    assert torch.isfinite(x).all() and torch.isfinite(y).all()
    if spec.task == CLASSIFICATION:
        assert y.dtype == torch.long
        assert set(y.unique().tolist()) == set(range(int(y.max()) + 1))
        assert len(y.unique()) >= 2
    else:
        assert spec.task == REGRESSION and y.dtype == torch.float32


@pytest.mark.parametrize("name", GENERATED)
def test_each_dataset_is_deterministic_in_its_seed(name):
    make = GENERATORS.get(name)
    first = make(300, 0.1, torch.Generator().manual_seed(5), "")
    again = make(300, 0.1, torch.Generator().manual_seed(5), "")
    other = make(300, 0.1, torch.Generator().manual_seed(6), "")
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not torch.equal(first[0], other[0])


def test_rings_labels_follow_the_tutorial_radii():
    x = torch.tensor([[0.1, 0.1], [0.6, 0.0], [0.8, 0.8], [0.5, 0.0]])
    assert rings_labels(x).tolist() == [2, 0, 1, 0]


def test_x2_targets_are_the_square_of_the_input_without_noise():
    x, y = GENERATORS.get("x2")(100, 0.0, torch.Generator().manual_seed(1), "")
    assert torch.equal(y, x.squeeze(1).pow(2))
    assert x.min() >= -1 and x.max() < 1


def test_split_holds_out_the_last_share_for_validation():
    config = RunConfig().with_changes(data={"dataset": "xor", "size": 1000, "val_share": 0.25})
    data, _ = load_data(config)
    assert (len(data.x_train), len(data.x_val)) == (750, 250)
    assert data.task == CLASSIFICATION and data.output_dim == 2


def csv_config(path) -> RunConfig:
    return RunConfig().with_changes(data={"dataset": "csv", "path": str(path), "val_share": 0.25})


def test_csv_reads_numeric_columns_with_the_last_as_target(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{2 * i},{i % 3}\n" for i in range(8)))
    data, _ = load_data(csv_config(path))
    assert data.x_train.shape == (6, 2) and data.y_train.shape == (6, 1)
    assert data.y_val.reshape(-1).tolist() == [0.0, 1.0]


def test_csv_classification_task_makes_class_targets(tmp_path):
    path = tmp_path / "classes.csv"
    path.write_text("".join(f"{i},{i % 3}\n" for i in range(9)))
    config = csv_config(path).with_changes(task="classification")
    data, _ = load_data(config)
    assert data.n_classes == 3 and data.y_train.dtype == torch.long


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,b\n1,2\n3,x\n", "data row 2 has a non-numeric cell 'x'"),
        ("1,2\n3,4,5\n", "data row 2 has 3 columns, expected 2"),
        ("1\n2\n", "needs at least 2 columns"),
        ("a,b\n1,2\n", "needs at least 2 data rows"),
    ],
)
def test_bad_csv_files_get_clear_messages(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(UserError, match=message):
        load_data(csv_config(path))


def test_missing_csv_file_is_reported(tmp_path):
    with pytest.raises(UserError, match="CSV file not found"):
        load_data(csv_config(tmp_path / "absent.csv"))


@pytest.mark.parametrize("name", GENERATED)
def test_each_dataset_has_the_class_count_the_core_table_says(name):
    spec = DATASETS.get(name)
    _, y = GENERATORS.get(name)(2000, 0.0, torch.Generator().manual_seed(0), "")
    if spec.task == CLASSIFICATION:
        assert int(y.max()) + 1 == spec.classes
