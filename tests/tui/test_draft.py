"""The config being edited: one field at a time, each problem kept with its field."""

from __future__ import annotations

from nntui.engine.presets import PRESETS
from nntui.tui.draft import Draft, describe
from nntui.tui.history import RunHistory, downsample


def test_a_valid_edit_updates_the_config():
    draft = Draft()
    draft.set("training.lr", 0.05)
    assert draft.valid and draft.config.training.lr == 0.05


def test_a_problem_is_kept_under_its_field_path():
    draft = Draft()
    draft.set("training.lr", -1.0)
    draft.set("model.hidden[0].units", 0)
    assert set(draft.problems) == {"training.lr", "model.hidden[0].units"}
    assert draft.config.training.lr == 0.001


def test_unreadable_text_is_a_problem_until_replaced():
    draft = Draft()
    draft.set("data.size", "12x", problem="data.size must be a whole number, got '12x'")
    assert not draft.valid
    draft.set("data.size", 500)
    assert draft.valid and draft.config.data.size == 500


def test_changing_the_data_of_a_tutorial_preset_drops_its_replay():
    draft = Draft.of(PRESETS.get("validation").config)
    assert not draft.set("data.val_share", draft.config.data.val_share)
    assert draft.config.replay == "validation"
    assert draft.set("data.size", 5000)
    assert draft.valid and draft.config.replay == ""


def test_layers_are_added_and_removed():
    draft = Draft()
    draft.add_layer()
    draft.set("model.hidden[1].activation", "tanh")
    assert str(draft.config.architecture()) == "in → 100 relu → 100 tanh → out"
    draft.remove_layer(0)
    draft.remove_layer()
    assert draft.config.model.hidden == ()


def test_the_drawing_and_parameter_count_use_the_dataset_sizes():
    assert describe(Draft()) == ("1 → 100 relu → 1", "301 parameters")
    rings = Draft.of(PRESETS.get("classification").config)
    expected = 2 * 100 + 100 + 100 * 100 + 100 + 100 * 3 + 3
    assert describe(rings) == ("2 → 100 relu → 100 relu → 3", f"{expected:,} parameters")


def test_the_drawing_follows_the_fields_even_while_one_is_refused():
    draft = Draft()
    draft.set("model.hidden[0].units", 7)
    draft.set("training.lr", -1.0)
    assert describe(draft) == ("1 → 7 relu → 1", "22 parameters")
    draft.set("model.hidden[0].units", "7x", "model.hidden[0].units must be a whole number, got '7x'")
    assert describe(draft) == ("1 → ? relu → 1", "parameters: counted once the units are fixed")
    draft.set("model.hidden[0].units", 0)
    draft.set("data.dataset", "rings")
    assert describe(draft) == ("2 → ? relu → 3", "parameters: counted once the units are fixed")


def test_downsampling_keeps_the_ends_and_at_most_the_points_asked():
    xs = list(range(1000))
    thin_x, thin_y = downsample(xs, xs, 50)
    assert len(thin_x) == 50 and thin_x[0] == 0 and thin_x[-1] == 999 and thin_y == thin_x


def test_a_fresh_history_is_ready_and_not_live():
    history = RunHistory()
    assert history.status == "ready" and not history.live and not history.exists
