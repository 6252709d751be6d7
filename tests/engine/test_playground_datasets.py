"""Each of Playground's datasets keeps the rule that defines it in tensorflow/playground's
src/dataset.ts, in Playground's units (nntui divides coordinates by 6)."""

import math

import pytest
import torch

from nntui.core.choices import DATASETS
from nntui.core.config import RunConfig
from nntui.engine.datasets import GENERATORS, PLAYGROUND_HALF_WIDTH, circle_label, cones_target, xor_label
from nntui.engine.trainer import load_data

PLAYGROUND = [name for name in DATASETS if DATASETS.get(name).playground]


def generate(name: str, n: int = 500, noise: float = 0.0, seed: int = 0):
    x, y = GENERATORS.get(name)(n, noise, torch.Generator().manual_seed(seed), "")
    return x * PLAYGROUND_HALF_WIDTH, y  # in Playground's units


def test_the_playground_datasets_are_the_six_of_playground_with_its_sizes():
    assert PLAYGROUND == ["circle", "xor", "gauss", "spiral", "plane", "multi-gauss"]
    sizes = {name: DATASETS.get(name).default_size for name in PLAYGROUND}
    assert sizes == {
        "circle": 500,
        "xor": 500,
        "gauss": 500,
        "spiral": 500,
        "plane": 1200,
        "multi-gauss": 1200,
    }


def test_circle_without_noise_is_half_inside_radius_2_5_and_half_in_the_ring():
    x, y = generate("circle")
    r = x.norm(dim=1)
    assert int(y.sum()) == 250 and torch.equal(y, circle_label(x))
    assert r[y == 1].max() < 2.5 and r[y == 0].min() >= 3.5 - 1e-5 and r.max() <= 5 + 1e-5


def test_circle_labels_come_from_the_noisy_point_so_some_flip_and_balance_shifts():
    x, y = generate("circle", 2000, noise=0.3)
    flipped = (y != circle_label(x)).float().mean()
    assert 0.02 < flipped < 0.5
    assert int(y.sum()) != 1000
    far = x.norm(dim=1) < 0.5  # offsets reach at most 5·0.3·√2 ≈ 2.1: a point this deep stays inside
    assert y[far].eq(1).all()


def test_xor_points_keep_0_3_from_the_axes_and_labels_follow_the_noisy_point():
    x, y = generate("xor")
    assert x.abs().min() >= 0.3 - 1e-6 and x.abs().max() <= 5.3 + 1e-5
    assert torch.equal(y, xor_label(x))
    x, y = generate("xor", 2000, noise=0.2)
    flipped = y != xor_label(x)
    assert flipped.any()
    assert x[flipped].abs().min(dim=1).values.max() <= 5 * 0.2 + 1e-5  # only near an axis


def test_gauss_has_exactly_half_per_class_and_noise_widens_the_spread():
    x, y = generate("gauss", 4000)
    assert int(y.sum()) == 2000
    assert torch.allclose(x[y == 1].mean(0), torch.tensor([2.0, 2.0]), atol=0.1)
    assert torch.allclose(x[y == 0].mean(0), torch.tensor([-2.0, -2.0]), atol=0.1)
    assert x[y == 1].var(0).mean() == pytest.approx(0.5, rel=0.1)  # Playground's variance at 0 noise
    wide, _ = generate("gauss", 4000, noise=0.5)
    assert wide[:2000].var(0).mean() > 2  # variance 4 at 50 %


def test_spiral_winds_as_playground_r_sin_t_r_cos_t():
    x, y = generate("spiral", 500)
    for label, turn in [(1, 0.0), (0, math.pi)]:
        arm = x[y == label]
        r = arm.norm(dim=1)
        order = r.argsort()
        step = r[order] / 5
        t = 1.75 * 2 * math.pi * step + turn
        expected = torch.stack([r[order] * torch.sin(t), r[order] * torch.cos(t)], dim=1)
        assert torch.allclose(arm[order], expected, atol=1e-4)
        assert torch.allclose(step, torch.arange(250) / 250, atol=1e-5)


def test_plane_targets_are_the_scaled_sum_and_noise_moves_the_labelled_point():
    x, y = generate("plane", 1200)
    assert x.abs().max() <= 6 and torch.allclose(y, (x[:, 0] + x[:, 1]) / 10)
    x, y = generate("plane", 1200, noise=0.5)
    assert not torch.allclose(y, (x[:, 0] + x[:, 1]) / 10)
    assert (y - (x[:, 0] + x[:, 1]) / 10).abs().max() <= 2 * 6 * 0.5 / 10 + 1e-5


def test_multi_gauss_is_six_signed_cones_and_zero_between_them():
    x, y = generate("multi-gauss", 1200)
    assert x.abs().max() <= 6 and torch.allclose(y, cones_target(x))
    assert 0.2 < (y == 0).float().mean() < 0.8  # much of the plane is exactly 0
    centres = torch.tensor([[-4, 2.5], [0, 2.5], [4, 2.5], [-4, -2.5], [0, -2.5], [4, -2.5]])
    assert cones_target(centres).tolist() == [1, -1, 1, -1, 1, -1]
    assert cones_target(torch.tensor([[-4.0, 1.5]])).item() == pytest.approx(0.5)


@pytest.mark.parametrize("name", PLAYGROUND)
def test_nntui_shows_playground_data_on_its_unit_plane_and_extent_scales_it_back(name):
    config = RunConfig().with_changes(data={"dataset": name, "size": 400, "val_share": 0.5})
    unit, _ = load_data(config)
    own, _ = load_data(config.with_changes(data={"extent": 6.0}))
    if name != "gauss":  # gaussian tails may leave any plane
        assert unit.x_train.abs().max() <= 1 + 1e-6
    assert torch.allclose(own.x_train, unit.x_train * 6)
