import pytest

from nntui.core.config import RunConfig
from nntui.core.errors import UserError
from nntui.core.sweep import make_grid, parse_axis, spaced


def base() -> RunConfig:
    return RunConfig().with_changes(name="base", model={"hidden": "8 relu, 4 tanh"})


def test_a_range_over_decades_is_log_spaced_and_a_narrow_one_linear():
    assert parse_axis("training.lr=1e-4..1,5", base()).values == (1e-4, 1e-3, 0.01, 0.1, 1.0)
    assert parse_axis("model.hidden[0].units=2..128,7", base()).values == (2, 4, 8, 16, 32, 64, 128)
    assert parse_axis("training.momentum=0.5..0.9,5", base()).values == (0.5, 0.6, 0.7, 0.8, 0.9)
    linear = parse_axis("training.lr=1e-4..1,3", base(), "linear")
    assert linear.values == (1e-4, 0.5, 1.0)  # 0.50005 kept to 4 significant digits
    assert spaced(1, 100, 3, "log") == pytest.approx([1, 10, 100])


def test_whole_number_fields_round_and_drop_repeats_and_lists_are_taken_as_given():
    assert parse_axis("model.hidden[1].units=1..3,5", base()).values == (1, 2, 3)
    assert parse_axis("training.seed=3,1,2", base()).values == (3, 1, 2)
    assert parse_axis("training.optimizer=sgd|adam", base()).values == ("sgd", "adam")
    assert parse_axis("training.lr=1,0.5", base()).values == (1.0, 0.5)


def test_a_grid_is_rows_of_the_first_field_by_columns_of_the_second_each_cell_a_valid_variant():
    grid = make_grid(base(), ["training.lr=0.01,0.1", "model.hidden[].units=2,4,6"])
    assert grid.shape == (2, 3) and grid.cell(4) == (1, 1)
    cell = grid.variants[4].config
    assert cell.training.lr == 0.1 and [layer.units for layer in cell.model.hidden] == [4, 4]
    assert grid.variants[4].label == "lr=0.1, hidden[].units=4"
    assert cell.name == "base [lr=0.1, hidden[].units=4]"
    one = make_grid(base(), ["model.hidden[1].units=1..3,3"])
    assert one.shape == (3, 1) and [c.config.model.hidden[1].units for c in one.variants] == [1, 2, 3]
    assert [c.config.model.hidden[0].units for c in one.variants] == [8, 8, 8]


@pytest.mark.parametrize(
    "grid, message",
    [
        (["training.lr"], "must look like"),
        (["training.speed=1..2,3"], "unknown field training.speed"),
        (["model.hidden[5].units=1..2,2"], "has 2 hidden layers"),
        (["training.lr=0..1,3"], None),
        (["training.lr=-1..1,3"], "training.lr must be > 0"),
        (["training.lr=1e-3..x,3"], "'x' is not a number"),
        (["training.lr=1e-3..1,1"], "at least 2 values"),
        (["training.seed=1,2,1"], "repeats a value"),
        (["training.lr=1e-3..1,40", "training.momentum=0.1..0.5,30"], "1,200 cells"),
        (["training.lr=1,2", "training.lr=3,4"], "swept twice"),
        (["training.lr=1,2", "training.seed=1,2", "model.init=default|uniform"], "one or two"),
    ],
)
def test_a_bad_grid_is_refused_with_what_to_change(grid, message):
    if message is None:  # 0 is a valid end of a linear range; the cell at 0 is then refused
        with pytest.raises(UserError, match="training.lr must be > 0"):
            make_grid(base(), grid)
        return
    with pytest.raises(UserError, match=message):
        make_grid(base(), grid)
