import textwrap
from pathlib import Path

import pytest

from nntui.engine.presets import PRESETS
from nntui.engine.printed import OUTPUT_SHAPE, compare, initial_values, numbers, short, torch_text
from nntui.engine.trainer import Trainer

TUTORIAL = Path("/work/shared/seed/neural-network-basics-tutorial.md")
PRINTING = [name for name, preset in PRESETS.items() if preset.printed]


@pytest.mark.skipif(not TUTORIAL.exists(), reason="the tutorial's text is not on this machine")
@pytest.mark.parametrize("name", PRINTING)
def test_printed_texts_are_the_tutorials_own(name):
    text = TUTORIAL.read_text()
    for item in PRESETS.get(name).printed:
        if numbers(item.text):
            indented = textwrap.indent(item.text, "    ")  # as the notebook's output is indented
            assert indented in text or item.text in text, (name, item.label)


@pytest.mark.parametrize("name", ["random-identity", "random-relu"])
def test_random_network_tensors_print_as_the_tutorial_printed_them(name):
    preset = PRESETS.get(name)
    rows = compare(preset.printed, initial_values(Trainer(preset.config)))
    for row in rows:
        assert row.same, (row.printed.label, row.ours)
        if row.printed.source != OUTPUT_SHAPE:
            assert row.ours == row.printed.text  # torch's own text, character for character


def test_output_shape_says_linear_only_without_an_activation():
    shapes = {}
    for name in ("random-identity", "random-relu"):
        shapes[name] = initial_values(Trainer(PRESETS.get(name).config))[OUTPUT_SHAPE]
    assert shapes["random-identity"].startswith("linear:")
    assert shapes["random-relu"].startswith("non-linear:")


def test_short_form_keeps_the_first_and_last_rows():
    x1 = next(p.text for p in PRESETS.get("random-identity").printed if p.source == "Input")
    assert short(x1) == "-0.6009 -0.5854 0.5283 … 0.7124 0.3041 -0.7577"
    assert short(torch_text(__import__("torch").Size([10000, 1]))) == "[10000, 1]"


def test_random_network_notes_say_what_the_train_loss_is():
    for name, loss in [("random-identity", 46.6), ("random-relu", 1717)]:
        preset = PRESETS.get(name)
        final = list(Trainer(preset.config).events())[-1]
        assert f"({loss:g})" in preset.notes and round(final.train_loss, 1 if loss < 100 else 0) == loss
        assert "computes no loss" in preset.notes


def test_tutorials_validation_loss_is_a_mean_of_unequal_batch_means():
    import torch

    from nntui.engine.printed import batch_mean_loss

    class MeanOfTargets:
        def evaluate(self, x, y):
            return y.float().mean(), None

    y = torch.cat([torch.zeros(4000), torch.ones(1000)])  # the last, smaller batch is all ones
    loss, sizes = batch_mean_loss(MeanOfTargets(), y[:, None], y, 2000)
    assert sizes == [2000, 2000, 1000]
    assert abs(loss - 1 / 3) < 1e-6 and abs(y.mean().item() - 0.2) < 1e-6  # not the mean over every point
