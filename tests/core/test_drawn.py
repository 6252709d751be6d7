"""Drawn points as a config field: what data.points accepts, what it refuses with a message, and
that a drawn set survives a config file, JSON and a share string exactly."""

import json
import tomllib

import pytest

from nntui.core.config import ConfigError, RunConfig, UserError
from nntui.core.drawn import (
    MAX_POINTS,
    SHARE_MAX_POINTS,
    count_points,
    format_points,
    parse_points,
    point,
)
from nntui.core.share import from_share_string, to_share_string

# Three classes, four points each, in the three corners of the plane they are drawn in.
POINTS = ";".join(
    f"{x1},{x2},{label}"
    for label, (cx, cy) in enumerate([(-0.5, -0.5), (0.5, 0.5), (0.5, -0.5)])
    for x1, x2 in [(cx - 0.1, cy), (cx + 0.1, cy), (cx, cy - 0.1), (cx, cy + 0.125)]
)


def drawn(points: str = POINTS, model=None, training=None, **data) -> RunConfig:
    return RunConfig().with_changes(
        data={"dataset": "drawn", "points": points, **data}, model=model or {}, training=training or {}
    )


def test_a_drawn_set_has_as_many_points_as_it_lists_whatever_data_size_says():
    config = drawn(size=5000, val_share=0.25)
    assert config.n_points == 12 and config.n_val == 3 and config.resolved_task == "classification"
    assert [p.label for p in parse_points(POINTS)] == [0] * 4 + [1] * 4 + [2] * 4


def test_points_are_kept_rounded_inside_the_plane_and_written_short():
    assert str(point(0.12345, -1.5, 1)) == "0.123,-1,1"
    assert str(point(-0.0001, 0.5, 0)) == "0,0.5,0"
    assert format_points([point(0, 0, 0), point(1, -1, 3)]) == "0,0,0;1,-1,3"
    assert count_points(" 0,0,0 ; ;1,1,1;") == 2


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("", "data.points is empty: draw points on the class map (o)"),
        ("0,0,0;0.1,0,0;0.2,0,0", "data.points has points of class 0 only"),
        (";".join(POINTS.split(";")[:-2]), "data.points has 2 points of class 2: each class needs 3 or more"),
        (POINTS.replace(",2", ",3", 1), "data.points has 1 point of class 3: each class needs 3 or more"),
        ("0,0,0;0,0,0;0,0,0;0,0,2;0,0,2;0,0,2", "has 0 points of class 1 (the classes are 0 to 2)"),
        ("1.5,0,0", "data.points point 1 ('1.5,0,0') lies outside the plane: x1 and x2 must be in [-1, 1]"),
        ("0,0,0;nan,0,1", "point 2 ('nan,0,1') lies outside the plane"),
        ("0,0,0;0,0", "point 2 ('0,0') must be x1,x2,class (three values), got 2"),
        ("0,zero,0", "point 1 ('0,zero,0'): x1 and x2 must be numbers"),
        ("0,0,4", "point 1 ('0,0,4'): the class must be a whole number 0 to 3"),
        ("0,0,-1", "the class must be a whole number 0 to 3"),
        ("0,0,0.5", "the class must be a whole number 0 to 3"),
        (
            ";".join(["0,0,0"] * (MAX_POINTS + 1)),
            f"lists 1,001 points; a drawn set holds at most {MAX_POINTS:,}",
        ),
        ("0" * 50_000, "is 50,000 characters long; nntui reads at most 40,000"),
    ],
)
def test_bad_points_are_one_message_naming_the_point(points, message):
    with pytest.raises(ConfigError) as error:
        drawn(points)
    assert any(message in problem for problem in error.value.problems), error.value.problems


def test_points_are_checked_only_while_the_drawn_set_is_the_data():
    assert RunConfig().with_changes(data={"dataset": "circle", "points": "0,0,0"}).data.points == "0,0,0"


def test_two_classes_of_a_tanh_output_and_batches_within_the_training_points():
    with pytest.raises(ConfigError, match="model.output playground is one tanh unit for two classes"):
        drawn(model={"output": "playground"})
    with pytest.raises(ConfigError, match="training.batch_size must be at most the 9 training points"):
        drawn(val_share=0.25, training={"batch_size": 10})


def test_a_drawn_set_round_trips_through_toml_json_and_a_share_string(tmp_path):
    config = drawn(noise=0.01, seed=7)
    path = tmp_path / "run.toml"
    config.save(path)
    assert 'points = "-0.6,-0.5,0;' in path.read_text()
    assert RunConfig.load(path) == config
    assert RunConfig.from_dict(tomllib.loads(config.to_toml())) == config
    assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    line = to_share_string(config)
    assert "dataset=drawn" in line and f"points={POINTS}" in line
    assert from_share_string(line) == config


def test_a_share_string_refuses_a_set_too_large_to_paste_with_a_message():
    many = format_points(point(i / 1000, 0, i % 2) for i in range(SHARE_MAX_POINTS + 1))
    with pytest.raises(UserError, match=f"at most {SHARE_MAX_POINTS} drawn points and this set has 251"):
        to_share_string(drawn(many))
    assert from_share_string(to_share_string(drawn(many.rsplit(";", 1)[0]))).n_points == SHARE_MAX_POINTS
