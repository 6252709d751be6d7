"""Whatever points a user lists or draws end in a drawn set that trains or in one message for
data.points, never another exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nntui.core.config import ConfigError, RunConfig
from nntui.core.drawn import format_points, parse_points, point
from nntui.core.share import from_share_string, to_share_string
from nntui.engine.trainer import load_data

SETTINGS = settings(max_examples=150, deadline=None)
coordinates = st.one_of(
    st.floats(min_value=-1, max_value=1), st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 3)
)
labels = st.one_of(st.integers(0, 3), st.integers(-5, 10))
point_lists = st.lists(st.tuples(coordinates, coordinates, labels), max_size=40)


def drawn(text: str) -> RunConfig | None:
    try:
        config = RunConfig().with_changes(data={"dataset": "drawn", "points": text, "val_share": 0.2})
    except ConfigError as error:
        assert len(error.problems) == 1 and error.problems[0].startswith("data.points ")
        return None
    return config


@SETTINGS
@given(point_lists)
def test_any_list_of_points_trains_or_is_one_message(points):
    config = drawn(";".join(f"{x1},{x2},{label}" for x1, x2, label in points))
    if config is None:
        return
    data, _ = load_data(config)
    assert len(data.x_train) + len(data.x_val) == len(points) == config.n_points
    assert data.x_train.abs().max() <= 1 and data.n_classes == max(label for *_, label in points) + 1
    assert from_share_string(to_share_string(config)) == config


@SETTINGS
@given(st.text(alphabet=st.sampled_from("0123456789.,;- e+nanif\n\t"), max_size=120) | st.text(max_size=80))
def test_any_text_for_the_points_is_a_drawn_set_or_one_message(text):
    config = drawn(text)
    if config is not None:
        assert config.n_points == len(parse_points(text))


@SETTINGS
@given(
    st.lists(
        st.tuples(st.floats(allow_nan=False), st.floats(allow_nan=False), st.integers(0, 3)), max_size=30
    )
)
def test_a_point_drawn_anywhere_is_kept_inside_the_plane_and_reads_back_as_written(raw):
    points = [point(x1, x2, label) for x1, x2, label in raw]
    assert all(-1 <= p.x1 <= 1 and -1 <= p.x2 <= 1 for p in points)
    assert parse_points(format_points(points)) == points
