"""The setup panels and the draft they edit: mounted for a draft, shown in place for the next
one, every edit folded into the draft (and a live run's learning rate), presets and new seeds."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from nntui.core.choices import DATASETS
from nntui.core.config import rule_of
from nntui.tui.screens import ConfirmScreen
from nntui.tui.text_screen import TextScreen
from nntui.tui.widgets.fields import Field, as_text, typing_into
from nntui.tui.widgets.panels import ArchitecturePanel, DataPanel, DevicePanel, HyperparametersPanel, LayerRow
from nntui.tui.widgets.status import typing_text

if TYPE_CHECKING:
    from nntui.tui.app import NntuiApp


class SetupEditor:
    """Keeps the setup panels and `app.draft` in step, both ways."""

    def __init__(self, app: NntuiApp) -> None:
        self.app = app

    # -- the panels ---------------------------------------------------------------------------

    async def mount_setup(self) -> None:
        """The setup panels for the draft: mounted once, then shown in place (a preset, a saved
        run), so that the panels never blank while they are remade."""
        app = self.app
        setup = app.setup
        if setup.query("#setup-columns"):
            await self.show_draft()
            return
        await setup.remove_children()
        raw = app.draft.raw
        data = DataPanel(app.engine, raw, app.preset)
        data.summary = self.preset_summary()
        await setup.mount(
            Horizontal(
                Vertical(
                    data,
                    ArchitecturePanel(app.engine, app.draft.layers, raw["model"]["features"]),
                    DevicePanel(app.engine, raw["device"]),
                    classes="column",
                ),
                Vertical(HyperparametersPanel(app.engine, raw), Static(id="problems"), classes="column"),
                id="setup-columns",
            )
        )
        self.features_follow(raw["data"]["dataset"])
        self.after_edit()

    async def show_draft(self) -> None:
        """Every field shows the draft's value (and the preset its name), in the widgets there are."""
        app = self.app
        for field in app.query(Field):
            if field.path == "preset":
                field.show(app.preset)
            elif field.path != "device" and not field.path.startswith("model.hidden["):
                field.show(app.draft.get(field.path))
        app.query_one(DevicePanel).show(app.draft.get("device"))
        app.query_one("#csv-path").display = app.draft.get("data.dataset") == "csv"
        app.query_one("#expression").display = app.draft.get("data.dataset") == "expression"
        app.query_one("#points").display = app.draft.get("data.dataset") == "drawn"
        app.data_panel.summary = self.preset_summary()
        await app.architecture_panel.show_layers(app.draft.layers)
        self.features_follow(app.draft.get("data.dataset"))
        self.after_edit()

    def preset_summary(self) -> str:
        summaries = dict(self.app.engine.presets)
        return summaries.get(self.app.preset, "your own experiment")

    def after_edit(self) -> None:
        """The problems, the network's drawing and the charts' kind follow the draft."""
        from nntui.tui.draft import describe  # torch

        app = self.app
        problems = app.draft.problems
        for field in app.query(Field):
            field.problem = problems.get(field.path, "")
        box = app.query_one("#problems", Static)
        box.set_class(bool(problems), "-shown")
        # problems quote values and ranges such as "[0, 1)": text, never markup
        message = Text("\n".join(problems.values()) + "\n")
        message.append("fix these to start", "bold")
        box.update(message if problems else "")
        drawing, parameters = describe(app.draft)
        app.architecture_panel.drawing = f"{drawing}\n{parameters}"
        classify = app.draft.config.resolved_task == "classification"
        app.query_one("#charts").set_class(classify, "-classification")
        app.drawing.show_status()

    def features_follow(self, dataset: str) -> None:
        """Features are of 2-d points: data of another shape takes its inputs as they are."""
        app = self.app
        two_d = DATASETS.get(dataset).input_dim in (2, None)
        app.query_one("#features").display = two_d
        if not two_d and app.draft.get("model.features"):
            app.draft.set("model.features", "")
            app.query_one("#features", Field).show("")

    # -- edits --------------------------------------------------------------------------------

    def field_edited(self, event: Field.Edited) -> None:
        """Every keystroke updates the setup; a value the person is done with (enter, leaving
        the box, a choice) also reaches a live run: see `_apply_to_live_run`."""
        app = self.app
        if event.path == "preset":
            app.choose_preset(event.value, event.field)
            return
        edit = event.field.edit(event.final) or event  # the box now, not an edit overtaken by keys
        if not self._changes_nothing(edit):
            if app.history.exists and not app.history.live and restarts(edit.path):
                app.action_reset()  # the ended run is saved; its charts no longer match the setup
            self._apply(edit)
        if edit.final and app.history.live:
            self._apply_to_live_run(edit)

    def typing(self) -> None:
        """While keys go into a box the footer's keys do not act: the footer says so instead."""
        app = self.app
        if not app.screen_stack:
            return
        screen = app.screen_stack[0]  # the fields' screen, under any question or the runs screen
        field = typing_into(screen)
        screen.set_class(field is not None, "-typing")
        if field is not None:
            app.typing_line.update(typing_text(field.label))

    def take_pending_edits(self) -> None:
        """Apply what the fields hold before a command acts: keys typed ahead of enter (`5`,
        enter, `s`) reach the app before the field's own messages do."""
        for field in self.app.query(Field):
            edit = field.edit(final=True)
            if edit is not None:
                self.app.field_edited(edit)

    def _changes_nothing(self, edit: Field.Edited) -> bool:
        draft = self.app.draft
        if edit.problem:
            return draft.unparsed.get(edit.path, (None, ""))[0] == edit.value
        shown = as_text(draft.get(edit.path))  # 0.285714 in the box for 2/7 is no change
        return edit.path not in draft.unparsed and shown == as_text(edit.value)

    def _apply(self, edit: Field.Edited) -> None:
        app = self.app
        if edit.problem:
            app.draft.set(edit.path, edit.value, edit.problem)
        elif app.draft.set(edit.path, edit.value):
            app.notify("Tutorial replay is off: the data no longer matches the tutorial's.")
        if edit.path == "data.dataset":
            app.query_one("#csv-path").display = edit.value == "csv"
            app.query_one("#expression").display = edit.value == "expression"
            app.query_one("#points").display = edit.value == "drawn"
            self.features_follow(edit.value)
        self.after_edit()

    def _apply_to_live_run(self, edit: Field.Edited) -> None:
        """A new learning rate goes to the run at once; a change of the data or the network
        stops the run if the person agrees, else the field goes back to the run's value."""
        app, session = self.app, self.app.session
        if edit.problem or edit.path in app.draft.problems or session.in_run is None:
            return
        in_run = session.in_run.get(edit.path)
        if as_text(in_run) == as_text(edit.value):
            return
        if edit.path == "training.lr":
            session.set_lr(edit.value)
        elif restarts(edit.path) and not isinstance(app.screen, ConfirmScreen):

            def answer(go_on: bool) -> None:
                if not go_on:
                    app.draft.set(edit.path, in_run)
                    edit.field.show(in_run)
                    self.after_edit()

            session.end_run_then(f"Changing {edit.path}", answer)

    # -- presets, seeds, layers ---------------------------------------------------------------

    def choose_preset(
        self, name: str, field: Field | None = None, then: Callable[[bool], Any] | None = None
    ) -> None:
        """Load preset `name` (a demo runs instead); `then(loaded)` once it is, or is not."""
        from nntui.engine.presets import PRESETS  # torch

        app = self.app
        if name == "custom" or name not in PRESETS:
            app.preset = "custom"  # the fields keep their values: they are the custom experiment
            app.data_panel.summary = self.preset_summary()
            return
        preset = PRESETS.get(name)
        if preset.config is None:
            if app.history.live:
                if field is not None:
                    field.show(app.preset)
                app.notify(f"{name} times this machine: stop the run first (x), so that it times fairly.")
                return
            app.preset = name
            self.time_demo(preset)
            return

        def load(go_on: bool) -> None:
            if then is not None:
                then(go_on)
            if not go_on:
                if field is not None:
                    field.show(app.preset)
                return
            from nntui.tui.draft import Draft

            app.preset = name
            app.draft = Draft.of(preset.config)
            app.show_message("")
            app.call_later(self.mount_setup)

        app.session.end_run_then(f"Loading preset {name}", load)

    def selected_demo(self):
        """The preset selected, if it is a demo that times this machine rather than a run."""
        if self.app.preset == "custom":
            return None
        from nntui.engine.presets import PRESETS  # torch

        preset = PRESETS.get(self.app.preset)
        return preset if preset.config is None else None

    def time_demo(self, preset) -> None:
        """Run the demo, its lines shown under the preset field (where the person picked it) and
        in the monitor's message box."""
        self.app.data_panel.summary = f"{preset.summary}\ntiming…"
        self.app.show_message(f"{preset.name}: timing…")
        self.app._run_demo(preset)

    def demo_done(self, preset, lines: list[str]) -> None:
        app = self.app
        if app.preset == preset.name:
            app.data_panel.summary = "\n".join(
                [preset.summary, *_headline(lines), "s times it again · custom or a preset trains"]
            )
        app.show_message("\n".join([f"[b]{preset.name}[/b]: {preset.summary}", *lines]))
        app.push_screen(TextScreen(preset.name, [preset.summary, "", *lines]))

    def reseed(self, path: str, seed: int, what: str) -> None:
        """Set the seed at `path`, once a live run is stopped (if the person agrees)."""
        app = self.app

        def reseed(go_on: bool) -> None:
            if go_on:
                app.draft.set(path, seed)
                for field in app.query(Field):
                    if field.path == path:
                        field.show(seed)
                self.after_edit()
                app.notify(f"{what}: {path} is now {seed}")

        app.session.end_run_then(f"Drawing {what}", reseed)

    def focused_layer(self) -> int | None:
        """The index of the layer whose row has the focus, if one has."""
        focused = self.app.focused
        row = next((w for w in focused.ancestors if isinstance(w, LayerRow)), None) if focused else None
        return row.index if row else None

    def change_layers(self, change: Callable[[], None]) -> None:
        app = self.app
        if app.draft is None:
            return

        async def apply() -> None:
            change()
            await app.architecture_panel.show_layers(app.draft.layers)
            self.after_edit()

        app.session.end_run_then(
            "Changing the layers", lambda go_on: app.call_later(apply) if go_on else None
        )


def restarts(path: str) -> bool:
    """Whether changing this field ends a live run (its data or network change); the field
    table says, for fields the app edits (a preset is not one)."""
    try:
        return rule_of(path).restarts
    except KeyError:
        return False


def _headline(lines: list[str]) -> list[str]:
    """The timing demo's result in a line or two, for the panel; the page shows all of it."""
    return [line for line in lines if "faster" in line][:2] or lines[:2]
