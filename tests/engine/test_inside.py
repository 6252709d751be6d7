"""The network's inside: unit contributions, states and kinks, per-layer diagnostics, hand edits."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import train_and_save

from nntui.core.config import RunConfig
from nntui.core.events import Edited, EpochEnd, Paused, Snapshot
from nntui.core.inside import Edit, formula
from nntui.engine.inside import MOST_SHOWN, layers_of, look_inside
from nntui.engine.trainer import Observe, RunControl, Trainer
from nntui.storage.runs import RunRecorder, RunStore

X2 = RunConfig().with_changes(
    data={"size": 300, "val_share": 0.2},
    model={"hidden": "16 relu"},
    training={"epochs": 20, "lr": 0.05},
)


def last_snapshot(config: RunConfig) -> Snapshot:
    return [e for e in Trainer(config).events() if isinstance(e, Snapshot)][-1]


@pytest.mark.parametrize("style", ["nn", "scratch"])
def test_the_units_contributions_and_the_output_bias_sum_to_the_prediction(style):
    inside = last_snapshot(X2.with_changes(style=style)).inside
    units = inside.units
    assert units.units == 16 and len(units.shown) == 16
    total = units.contributions.sum(0) + units.output_bias
    np.testing.assert_allclose(total, units.prediction, atol=1e-5)
    assert units.sum_error < 1e-5


def test_a_wide_layer_ships_its_largest_units_and_says_how_it_chose_them():
    inside = last_snapshot(X2.with_changes(model={"hidden": "100 relu"}, training={"epochs": 1})).inside
    units, hidden = inside.units, inside.layers[0]
    assert len(units.shown) == MOST_SHOWN and units.chosen == f"{MOST_SHOWN} of 100, by largest |w_out|"
    w_out = inside.layers[1].weights  # the output's weights from the shown hidden units
    assert len(hidden.shown) == MOST_SHOWN and hidden.maps.shape[0] == MOST_SHOWN
    assert w_out.shape == (1, MOST_SHOWN)
    assert units.sum_error < 1e-5  # checked over all 100 units, not only the shown


def constructed() -> Trainer:
    """1-4-1 ReLU on x in about [-1, 1]: unit 1 dead (x − 100), 2 linear (x + 100), 3 bends at
    x = 0.25, 4 dead (−x − 100)."""
    config = X2.with_changes(model={"hidden": "4 relu"}, training={"epochs": 1})
    trainer = Trainer(config, observe=Observe())
    (w1, b1), (w2, b2) = layers_of(trainer.model)
    with torch.no_grad():
        w1[:, 0] = torch.tensor([1.0, 1.0, 4.0, -1.0])
        b1.copy_(torch.tensor([-100.0, 100.0, -1.0, -100.0]))
    return trainer


def test_dead_linear_and_kinks_in_range_are_counted_on_a_constructed_network():
    trainer = constructed()
    data = trainer.data
    inside = look_inside(trainer.model, trainer.config, data.x_train, data.task)
    units = inside.units
    assert (units.dead, units.linear, units.kinks_in_range) == (2, 1, 1)
    np.testing.assert_allclose(units.kinks, [100.0, -100.0, 0.25, -100.0])
    assert inside.layers[0].states == ("dead", "linear", "active", "dead")
    figures = {k: float(v) for k, v in trainer.diagnostics().items()}
    assert figures["dead_fraction.1"] == 0.5
    assert figures["weight_norm.1"] == pytest.approx(float(np.sqrt(1 + 1 + 16 + 1)))
    assert formula(inside, inside.layers[0], 2) == "h1.3 = relu(4·x − 1)"


def hand_loss(trainer: Trainer) -> float:
    """The MSE of the model's weights, computed here without the model."""
    (w1, b1), (w2, b2) = [(w.detach(), b.detach()) for w, b in layers_of(trainer.model)]
    x, y = trainer.data.x_train, trainer.data.y_train
    return float(F.mse_loss(torch.relu(x @ w1.T + b1) @ w2.T + b2, y))


def test_an_edited_weight_changes_the_next_loss_as_computed_by_hand_and_training_goes_on_from_it():
    control = RunControl()
    control.step(3)
    trainer = Trainer(X2, control)
    edited, losses, pauses = [], [], 0
    for event in trainer.events():
        if isinstance(event, Paused):
            pauses += 1
            if pauses == 1:
                before = hand_loss(trainer)
                states = look_inside(trainer.model, X2, trainer.data.x_train, "regression").layers[0].states
                edit = Edit(layer=2, neuron=0, input=states.index("active"), value=1.5)
                control.edit(edit)
            else:
                control.resume()
        elif isinstance(event, Edited):
            edited.append(event)
        elif isinstance(event, EpochEnd):
            losses.append(event.train_loss)
    assert len(edited) == 1 and edited[0].epoch == 3 and edited[0].new == 1.5
    assert edited[0].train_loss == pytest.approx(hand_loss_with(X2, 3, edit), rel=1e-6)
    assert edited[0].train_loss != pytest.approx(before, rel=1e-3)
    assert len(losses) == 20
    # the same weight set by hand after 3 epochs, without the app's machinery: the same run
    control = RunControl()
    control.step(3)
    again = Trainer(X2, control)
    same = []
    for event in again.events():
        if isinstance(event, Paused):
            with torch.no_grad():
                layers_of(again.model)[1][0][0, edit.input] = 1.5
            control.resume()
        elif isinstance(event, EpochEnd):
            same.append(event.train_loss)
    assert same == losses


def hand_loss_with(config: RunConfig, epochs: int, edit: Edit) -> float:
    trainer = Trainer(config.with_changes(training={"epochs": epochs}))
    list(trainer.events())
    with torch.no_grad():
        layers_of(trainer.model)[edit.layer - 1][0][edit.neuron, edit.input] = edit.value
    return hand_loss(trainer)


def test_diagnostics_and_edits_are_saved_in_the_history(tmp_path):
    store = RunStore(tmp_path)
    record, _ = train_and_save(store, X2.with_changes(model={"hidden": "8 tanh, 8 relu"}))
    history = store.history(record.id)
    columns = history.layer_columns()
    assert {"weight_norm.1", "weight_norm.3", "layer_grad_norm.2", "update_ratio.3"} <= set(columns)
    assert "saturated_fraction.1" in columns and "dead_fraction.2" in columns
    assert history.last("weight_norm.3") > 0 and 0 <= history.last("saturated_fraction.1") <= 1
    control = RunControl()
    control.step(2)
    trainer = Trainer(X2, control)
    recorder = RunRecorder(trainer, store)
    for event in trainer.events():
        recorder.record(event)
        if isinstance(event, Paused):
            if not recorder.history.edits:
                control.edit(Edit(1, 3, None, -0.5))
            else:
                control.resume()
    saved = store.history(recorder.save().id)
    assert saved.edits == [
        {"epoch": 2, "layer": 1, "neuron": 3, "input": None, "old": saved.edits[0]["old"], "new": -0.5}
    ]


def test_a_snapshot_without_the_inside_leaves_it_out():
    snapshot = [e for e in Trainer(X2, observe=Observe(inside=False)).events() if isinstance(e, Snapshot)][-1]
    assert snapshot.inside is None
