"""The setup panels follow the field table: each shows the fields whose row names it, labelled
as the row says."""

from nntui.core.config import RULES, rule_of
from nntui.tui.widgets.features import FeatureToggles
from nntui.tui.widgets.fields import Field

from .conftest import loaded, make_app

# composed their own way: the hidden layers as rows of a list, the features as toggles
OWN_WIDGETS = {"model.hidden", "model.features"}


async def test_every_panel_shows_the_fields_the_table_puts_in_it_with_the_tables_labels():
    async with make_app().run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        for panel in ("data", "architecture", "hyperparameters", "device"):
            fields = [
                field
                for field in pilot.app.query_one(f"#{panel}").query(Field)
                if field.path != "preset" and not isinstance(field, FeatureToggles)
                if not field.path.startswith("model.hidden[")
            ]
            wanted = {path for path, rule in RULES.items() if rule.panel == panel} - OWN_WIDGETS
            assert {field.path for field in fields} == wanted, panel
            for field in fields:
                assert field.label == rule_of(field.path).label
                assert field.choices is not None or field.kind is rule_of(field.path).kind
