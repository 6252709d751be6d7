"""The app: setup panels on the left, charts and predictions on the right, a status line below.
Training runs in a child process (see runner.py); the app only renders the events it sends."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import random
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Footer, Select, Static

from nntui.core.config import rule_of
from nntui.core.errors import UserError
from nntui.tui.budget import FAST_LINK, Limits, Part, ScreenBudget, link_limits
from nntui.tui.history import (
    DIVERGED,
    FAILED,
    FINISHED,
    PAUSED,
    READY,
    STARTING,
    TRAINING,
    CompareHistory,
    RunHistory,
)
from nntui.tui.runs_screen import RunChoice, RunsScreen, ask_vary
from nntui.tui.screens import ConfirmScreen, HelpScreen
from nntui.tui.widgets.charts import EpochChart, Line, epoch_span, plain_terminal, train_and_validation
from nntui.tui.widgets.fields import Field, as_text, typing_into
from nntui.tui.widgets.predictions import Predictions
from nntui.tui.widgets.status import StatusLine, compare_table, compare_text, status_text, typing_text

POLL_EVERY_S = 0.2
CHARTS_EVERY_S = 1.0
PREDICTIONS_EVERY_S = 2.0
# The live parts of the screen (see budget.py; the status part is the status line and the
# device's speed): the least seconds between two of their frames, their share of the screen
# budget, and the bytes a cell of theirs is guessed to cost until measured.
LIVE_PARTS = {
    "status": (POLL_EVERY_S, 0.15, 2.0),
    "charts": (CHARTS_EVERY_S, 0.45, 3.0),
    "predictions": (PREDICTIONS_EVERY_S, 0.40, 6.0),
}
COMPACT_BELOW = (110, 32)
QUIT_SAVE_WITHIN_S = 0.6
# Ended as q ends the app, with the shell's exit code for the signal. SIGHUP comes when the
# terminal goes away (an ssh client killed); SIGINT only from `kill`: Ctrl-C is a key in the app.
QUIT_SIGNALS = (signal.SIGHUP, signal.SIGINT, signal.SIGTERM)


class NntuiApp(App[int]):
    """`runner` makes the training backend once the engine is loaded (a child process by default);
    `load_engine` imports torch and the registries, in a thread, after the first frame."""

    CSS_PATH = "app.tcss"
    TITLE = "nntui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("s", "start", "start"),
        Binding("space", "pause", "pause"),
        Binding("n", "step", "step"),
        Binding("x", "stop", "stop"),
        Binding("r", "reset", "reset", show=False),
        Binding("R", "reset_new_weights", "reset with new initial weights", show=False),
        Binding("g", "regenerate", "new data (a new data seed)", show=False),
        Binding("y", "share", "share string: the setup as one line", show=False),
        Binding("l", "log_y", "log-y", show=False),
        Binding("p", "presets", "preset"),
        Binding("c", "compare", "compare"),
        Binding("h", "runs", "runs"),
        Binding("a", "add_layer", "add layer", show=False),
        Binding("d", "remove_layer", "remove the focused layer, or the last", show=False),
        Binding("v", "switch_view", "view"),
        Binding("t", "lesson", "lesson: the tutorial step by step", show=False),
        Binding("right_square_bracket", "lesson_step(1)", "next lesson", key_display="]"),
        Binding("left_square_bracket", "lesson_step(-1)", "previous lesson", key_display="["),
        Binding("escape", "leave_field", "leave a field", show=False),
        Binding("G", "devices", "devices: GPU load, memory, heat, power", show=False),
        Binding("i", "inside", "inside: units, neurons, network", show=False),
        Binding("T", "validation_points", "class map: show the validation points", show=False),
        Binding("k", "discretize", "class map: crisp classes or shaded by probability", show=False),
        Binding("question_mark", "help", "help"),
        Binding("q", "quit", "quit"),
    ]

    view: reactive[str] = reactive("setup")

    def __init__(
        self,
        runner: Callable[[], Any] | None = None,
        load_engine: Callable[[], Any] | None = None,
        poll: bool = True,
        runs_dir: str | None = None,
        limits: Limits = FAST_LINK,
        config=None,
        lesson: int | None = None,
    ) -> None:
        super().__init__()
        self.initial_config = config  # a RunConfig to open on (nntui --config-string)
        self.lesson_at = lesson  # the lesson to open once the engine is loaded (nntui lesson)
        self.make_runner, self.load_engine, self.poll = runner, load_engine, poll
        self.runs_dir = runs_dir
        self.compare: CompareHistory | None = None
        self.in_run = None  # the live run's config as a Draft, read field by field as the fields are
        self.runner = None
        self.engine = None
        self.draft = None
        self.preset = "custom"
        self.history = RunHistory()
        self.budget = ScreenBudget(limits, {name: Part(*part) for name, part in LIVE_PARTS.items()})
        self.stale = {"charts": False, "predictions": False, "status": False}
        self.status_shown = ""
        self.quitting = False
        self.set_class(plain_terminal(), "-plain")  # square corners: see app.tcss

    def get_driver_class(self):
        """The platform's driver, counting the bytes it sends the terminal for the screen budget."""
        driver = super().get_driver_class()
        app = self

        class CountingDriver(driver):
            def write(self, data: str) -> None:
                app.budget.written += len(data.encode())
                super().write(data)

        return CountingDriver

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with VerticalScroll(id="setup"):
                yield Static("loading torch…", id="loading")
            with Vertical(id="monitor"):
                with Horizontal(id="charts"):
                    yield EpochChart("loss", "press s to start training", id="loss")
                    yield EpochChart("accuracy", "", id="accuracy")
                yield Predictions(id="predictions")
                yield Static(id="compare-table")
                yield Static(id="message")
        yield StatusLine(id="status")
        yield Static(id="typing")
        yield Footer(compact=True)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not self.is_running:
            return  # a key still queued while the app closes its screens: nothing to act on
        await super().on_event(event)

    def on_mount(self) -> None:
        if not self.is_headless:  # a real terminal, not a test's
            loop = asyncio.get_running_loop()
            for signum in QUIT_SIGNALS:
                loop.add_signal_handler(signum, self.quit_on_signal, signum)
        self.call_after_refresh(self._load)

    @work(thread=True, exclusive=True, group="engine")
    def _load(self) -> None:
        if self.load_engine is None:
            from nntui.tui.engine import load_engine

            self.load_engine = load_engine
        engine = self.load_engine()
        self.call_from_thread(self._engine_ready, engine)

    async def _engine_ready(self, engine) -> None:
        from nntui.tui.draft import Draft

        self.engine = engine
        if self.initial_config is not None:
            self.draft = Draft.of(self.initial_config)
        else:
            self.draft = Draft()
            self.draft.set("name", "custom")
        await self._mount_setup()
        if self.make_runner is None:
            from nntui.tui.runner import ProcessRunner

            self.make_runner = ProcessRunner
        self.runner = self.make_runner(runs_dir=self.runs_dir)
        if self.poll:
            self.set_interval(POLL_EVERY_S, self.poll_runner)
        self._show_status()
        if self.lesson_at is not None:
            await self.open_lesson(self.lesson_at)

    async def _mount_setup(self) -> None:
        """The setup panels for the draft: mounted once, then shown in place (a preset, a saved
        run), so that the panels never blank while they are remade."""
        from nntui.tui.widgets.panels import ArchitecturePanel, DataPanel, DevicePanel, HyperparametersPanel

        setup = self.query_one("#setup", VerticalScroll)
        if setup.query("#setup-columns"):
            await self._show_draft()
            return
        await setup.remove_children()
        raw = self.draft.raw
        data = DataPanel(self.engine, raw, self.preset)
        data.summary = self._preset_summary()
        await setup.mount(
            Horizontal(
                Vertical(
                    data,
                    ArchitecturePanel(self.engine, self.draft.layers, raw["model"]["features"]),
                    DevicePanel(self.engine, raw["device"]),
                    classes="column",
                ),
                Vertical(HyperparametersPanel(self.engine, raw), Static(id="problems"), classes="column"),
                id="setup-columns",
            )
        )
        self._features_follow(raw["data"]["dataset"])
        self._after_edit()

    async def _show_draft(self) -> None:
        """Every field shows the draft's value (and the preset its name), in the widgets there are."""
        from nntui.tui.widgets.panels import ArchitecturePanel, DataPanel, DevicePanel

        for field in self.query(Field):
            if field.path == "preset":
                field.show(self.preset)
            elif field.path != "device" and not field.path.startswith("model.hidden["):
                field.show(self.draft.get(field.path))
        self.query_one(DevicePanel).show(self.draft.get("device"))
        self.query_one("#csv-path").display = self.draft.get("data.dataset") == "csv"
        self.query_one(DataPanel).summary = self._preset_summary()
        await self.query_one(ArchitecturePanel).show_layers(self.draft.layers)
        self._features_follow(self.draft.get("data.dataset"))
        self._after_edit()

    def _preset_summary(self) -> str:
        summaries = dict(self.engine.presets)
        return summaries.get(self.preset, "your own experiment")

    # -- editing -----------------------------------------------------------------------------

    @on(Field.Edited)
    def field_edited(self, event: Field.Edited) -> None:
        """Every keystroke updates the setup; a value the person is done with (enter, leaving
        the box, a choice) also reaches a live run: see `_apply_to_live_run`."""
        if event.path == "preset":
            self.choose_preset(event.value, event.field)
            return
        edit = event.field.edit(event.final) or event  # the box now, not an edit overtaken by keys
        if not self._changes_nothing(edit):
            if self.history.exists and not self.history.live and _restarts(edit.path):
                self.action_reset()  # the ended run is saved; its charts no longer match the setup
            self._apply(edit)
        if edit.final and self.history.live:
            self._apply_to_live_run(edit)

    @on(Field.Typing)
    def typing(self, event: Field.Typing) -> None:
        """While keys go into a box the footer's keys do not act: the footer says so instead."""
        if not self.screen_stack:
            return
        screen = self.screen_stack[0]  # the fields' screen, under any question or the runs screen
        field = typing_into(screen)
        screen.set_class(field is not None, "-typing")
        if field is not None:
            self.query_one("#typing", Static).update(typing_text(field.label))

    def take_pending_edits(self) -> None:
        """Apply what the fields hold before a command acts: keys typed ahead of enter (`5`,
        enter, `s`) reach the app before the field's own messages do."""
        for field in self.query(Field):
            edit = field.edit(final=True)
            if edit is not None:
                self.field_edited(edit)

    def _changes_nothing(self, edit: Field.Edited) -> bool:
        if edit.problem:
            return self.draft.unparsed.get(edit.path, (None, ""))[0] == edit.value
        shown = as_text(self.draft.get(edit.path))  # 0.285714 in the box for 2/7 is no change
        return edit.path not in self.draft.unparsed and shown == as_text(edit.value)

    def _apply(self, edit: Field.Edited) -> None:
        if edit.problem:
            self.draft.set(edit.path, edit.value, edit.problem)
        elif self.draft.set(edit.path, edit.value):
            self.notify("Tutorial replay is off: the data no longer matches the tutorial's.")
        if edit.path == "data.dataset":
            self.query_one("#csv-path").display = edit.value == "csv"
            self.query_one("#expression").display = edit.value == "expression"
            self._features_follow(edit.value)
        self._after_edit()

    def _features_follow(self, dataset: str) -> None:
        """Features are of 2-d points: data of another shape takes its inputs as they are."""
        from nntui.core.choices import DATASETS

        two_d = DATASETS.get(dataset).input_dim in (2, None)
        self.query_one("#features").display = two_d
        if not two_d and self.draft.get("model.features"):
            self.draft.set("model.features", "")
            self.query_one("#features", Field).show("")

    def _apply_to_live_run(self, edit: Field.Edited) -> None:
        """A new learning rate goes to the run at once; a change of the data or the network
        stops the run if the person agrees, else the field goes back to the run's value."""
        if edit.problem or edit.path in self.draft.problems or self.in_run is None:
            return
        in_run = self.in_run.get(edit.path)
        if as_text(in_run) == as_text(edit.value):
            return
        if edit.path == "training.lr":
            self.runner.send("set_lr", edit.value)
            self.in_run.set(edit.path, edit.value)
            self.notify(f"learning rate is now {edit.value:g}")
        elif _restarts(edit.path) and not isinstance(self.screen, ConfirmScreen):

            def answer(go_on: bool) -> None:
                if not go_on:
                    self.draft.set(edit.path, in_run)
                    edit.field.show(in_run)
                    self._after_edit()

            self.end_run_then(f"Changing {edit.path}", answer)

    def _after_edit(self) -> None:
        from nntui.tui.draft import describe
        from nntui.tui.widgets.panels import ArchitecturePanel

        problems = self.draft.problems
        for field in self.query(Field):
            field.problem = problems.get(field.path, "")
        box = self.query_one("#problems", Static)
        box.set_class(bool(problems), "-shown")
        # problems quote values and ranges such as "[0, 1)": text, never markup
        message = Text("\n".join(problems.values()) + "\n")
        message.append("fix these to start", "bold")
        box.update(message if problems else "")
        drawing, parameters = describe(self.draft)
        self.query_one(ArchitecturePanel).drawing = f"{drawing}\n{parameters}"
        classify = self.draft.config.resolved_task == "classification"
        self.query_one("#charts").set_class(classify, "-classification")
        self._show_status()

    def choose_preset(
        self, name: str, field: Field | None = None, then: Callable[[bool], Any] | None = None
    ) -> None:
        """Load preset `name` (a demo runs instead); `then(loaded)` once it is, or is not."""
        from nntui.engine.presets import PRESETS
        from nntui.tui.widgets.panels import DataPanel

        if name == "custom" or name not in PRESETS:
            self.preset = "custom"  # the fields keep their values: they are the custom experiment
            self.query_one(DataPanel).summary = self._preset_summary()
            return
        preset = PRESETS.get(name)
        if preset.config is None:
            if self.history.live:
                if field is not None:
                    field.show(self.preset)
                self.notify(f"{name} times this machine: stop the run first (x), so that it times fairly.")
                return
            self.preset = name
            self._time_demo(preset)
            return

        def load(go_on: bool) -> None:
            if then is not None:
                then(go_on)
            if not go_on:
                if field is not None:
                    field.show(self.preset)
                return
            from nntui.tui.draft import Draft

            self.preset = name
            self.draft = Draft.of(preset.config)
            self.show_message("")
            self.call_later(self._mount_setup)

        self.end_run_then(f"Loading preset {name}", load)

    def end_run_then(self, change: str, go_on: Callable[[bool], Any]) -> None:
        """Clear the current run, then `go_on(True)`. A live run is stopped (and saved as stopped)
        only if the person agrees, else `go_on(False)`; a run that has ended is saved already,
        so nothing is asked."""

        def answer(yes: bool) -> None:
            if yes:
                self.action_reset()
            go_on(yes)

        if self.history.live:
            question = f"{change} stops the current run; it is kept as a stopped run (h lists runs). Go on?"
            self.push_screen(ConfirmScreen(question), answer)
        else:
            answer(True)

    def _selected_demo(self):
        """The preset selected, if it is a demo that times this machine rather than a run."""
        if self.preset == "custom":
            return None
        from nntui.engine.presets import PRESETS

        preset = PRESETS.get(self.preset)
        return preset if preset.config is None else None

    def _time_demo(self, preset) -> None:
        """Run the demo, its lines shown under the preset field (where the person picked it) and
        in the monitor's message box."""
        from nntui.tui.widgets.panels import DataPanel

        self.query_one(DataPanel).summary = f"{preset.summary}\ntiming…"
        self.show_message(f"{preset.name}: timing…")
        self._run_demo(preset)

    @work(thread=True, exclusive=True, group="demo")
    def _run_demo(self, preset) -> None:
        lines = preset.demo()
        self.call_from_thread(self._demo_done, preset, lines)

    def _demo_done(self, preset, lines: list[str]) -> None:
        from nntui.tui.widgets.panels import DataPanel

        if self.preset == preset.name:
            self.query_one(DataPanel).summary = "\n".join(
                [preset.summary, *_headline(lines), "s times it again · custom or a preset trains"]
            )
        self.show_message("\n".join([f"[b]{preset.name}[/b]: {preset.summary}", *lines]))
        from nntui.tui.text_screen import TextScreen

        self.push_screen(TextScreen(preset.name, [preset.summary, "", *lines]))

    def show_message(self, text: str | Text, error: bool = False) -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_class(bool(text), "-shown")
        message.set_class(error, "-error")

    # -- running -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if len(self.screen_stack) > 1:  # the runs screen or a question: keys of their own
            return action in ("help", "quit")
        if action == "switch_view":
            return self.screen.has_class("-compact")
        if action == "lesson_step":
            return self.lesson is not None
        return True

    def _ready_to_run(self) -> bool:
        if self.runner is None:
            self.notify("Still loading torch…")
            return False
        if not self.draft.valid:
            self.notify("Fix the marked fields first.", severity="error")
            return False
        return self._runs_folder_usable()

    def _runs_folder_usable(self) -> bool:
        """Every run is saved when it ends: one that could not be is not started."""
        from nntui.storage.runs import RunStore

        try:
            RunStore(self.runs_dir).ensure_writable()
        except UserError as error:
            message = f"{error}; --runs-dir or NNTUI_RUNS_DIR chooses another"
            self.show_message(message, error=True)
            self.notify(message, severity="error")
            return False
        return True

    def action_start(self) -> None:
        self.take_pending_edits()
        if self.lesson is not None and self.lesson.demo:
            self.choose_preset(self.lesson.lesson.preset)  # a demo's lesson: s runs the demo
        elif self.history.live:
            self.notify("A run is in progress: x stops it, r resets it.")
        elif self._selected_demo() is not None:
            self._time_demo(self._selected_demo())
        elif self._ready_to_run():
            self._begin(paused=False)

    def _begin(self, paused: bool, vary: list[str] | None = None) -> None:
        from nntui.core.variants import make_variants
        from nntui.tui.draft import Draft
        from nntui.tui.runner import Job

        self.history = RunHistory(status=STARTING)
        self.compare = None
        config = self.draft.config
        self.query_one("#monitor").set_class(False, "-comparing")
        if vary:
            self.show_comparison(make_variants(config, vary))
        self.show_message("")
        self.runner.start(Job(config, tuple(vary or ())), paused=paused)
        self.in_run = Draft.of(config)
        self._redraw(charts=True, predictions=True)
        self._show_status()
        self.view = "monitor"
        self.screen.set_focus(None)

    def action_pause(self) -> None:
        self.take_pending_edits()
        if self.history.status == TRAINING:
            self.runner.send("pause")
        elif self.history.status == PAUSED:
            self.runner.send("resume")
        else:
            self.notify("Nothing is training: s starts a run.")

    def action_step(self) -> None:
        self.take_pending_edits()
        if self.history.live:
            self.runner.send("step")
        elif self._ready_to_run():
            self._begin(paused=True)

    def action_stop(self) -> None:
        if self.history.live:
            self.runner.send("stop")
            if self.compare is not None:
                self.compare.stopping = True

    def action_reset(self) -> None:
        if self.runner is not None and self.history.live:
            self.runner.discard()
            self.notify("The run was stopped; it is kept as a stopped run (h lists runs).")
        self.history = RunHistory()
        self.compare = None
        self.query_one("#monitor").set_class(False, "-comparing")
        self._redraw(charts=True, predictions=True)
        self._show_status()

    def action_share(self) -> None:
        """The setup as one line (Playground's URL hash), shown and copied to the clipboard."""
        if self.draft is None:
            return
        from nntui.core.share import to_share_string

        self.take_pending_edits()
        if not self.draft.valid:
            self.notify("Fix the marked fields first: a share string holds a valid setup.", severity="error")
            return
        line = to_share_string(self.draft.config)
        self.copy_to_clipboard(line)
        self.show_message(Text(f"share string (copied; nntui --config-string '…' opens it):\n{line}"))

    def action_regenerate(self) -> None:
        """Playground's regenerate: the same dataset drawn again from a new data seed."""
        self._reseed("data.seed", "new data")

    def action_reset_new_weights(self) -> None:
        """Playground's reset: new initial weights, from a new training seed (r keeps them)."""
        self._reseed("training.seed", "new initial weights")

    def _reseed(self, path: str, what: str) -> None:
        if self.draft is None:
            return
        seed = new_seed(self.draft.get(path))

        def reseed(go_on: bool) -> None:
            if go_on:
                self.draft.set(path, seed)
                for field in self.query(Field):
                    if field.path == path:
                        field.show(seed)
                self._after_edit()
                self.notify(f"{what}: {path} is now {seed}")

        self.end_run_then(f"Drawing {what}", reseed)

    # -- comparing and saved runs --------------------------------------------------------------

    def action_compare(self) -> None:
        self.take_pending_edits()
        if self.history.live:
            self.notify("A run is in progress: x stops it, r resets it.")
            return
        if not self._ready_to_run():
            return
        from nntui.core.variants import make_variants

        config = self.draft.config

        def begin(vary: list[str] | None) -> None:
            if vary:
                self._begin(paused=False, vary=vary)

        self.push_screen(ask_vary(lambda vary: make_variants(config, vary)), begin)

    def action_runs(self) -> None:
        if self.engine is None:
            self.notify("Still loading torch…")
            return
        from nntui.storage.runs import RunStore

        self.push_screen(RunsScreen(RunStore(self.runs_dir)), self._run_chosen)

    def _run_chosen(self, choice: RunChoice | None) -> None:
        if choice is None:
            return
        if self.history.live:
            self.notify("A run is in progress: x stops it, r resets it, then pick the run again.")
            return
        from nntui.tui.draft import Draft

        record = choice.record
        self.action_reset()
        self.preset = "custom"
        config = record.config
        if choice.action == "continue":
            config = config.with_changes(training={"epochs": choice.epochs})
        self.draft = Draft.of(config)

        async def show() -> None:
            await self._mount_setup()
            if choice.action == "train":
                self.action_start()
            elif choice.action == "continue":
                self.continue_run(record)
            else:
                self.open_run(record)

        self.call_later(show)

    def open_run(self, record) -> None:
        """Show a saved run's charts, then its predictions once its model is loaded."""
        from nntui.storage.runs import RunStore, saved_events

        store = RunStore(self.runs_dir)
        try:
            events = saved_events(record, store.history(record.id))
        except UserError as error:
            self.show_message(str(error), error=True)
            return
        self.history = RunHistory()
        self.consume(events)
        self.query_one(Predictions).show(None, "loading the saved model…")
        self.show_message(f"saved run {record.id} ({record.status}) · s trains this config again")
        self._load_predictions(store, record)

    def continue_run(self, record) -> None:
        """Train a saved run on from where it ended; its earlier epochs stay on the charts."""
        from nntui.storage.runs import RunStore, saved_events
        from nntui.tui.draft import Draft
        from nntui.tui.runner import Job

        try:
            earlier = saved_events(record, RunStore(self.runs_dir).history(record.id))
        except UserError as error:
            self.show_message(str(error), error=True)
            return
        if not self._runs_folder_usable():
            return
        self.history = RunHistory(status=STARTING)
        self.history.consume(earlier[:-1])  # its epochs, not how it ended
        self.show_message("")
        self.runner.start(Job(self.draft.config, resume=record.id))
        self.in_run = Draft.of(self.draft.config)
        self._redraw(charts=True, predictions=True)
        self.view = "monitor"
        self.screen.set_focus(None)

    @work(thread=True, exclusive=True, group="saved")
    def _load_predictions(self, store, record) -> None:
        from nntui.storage.runs import restore_trainer

        try:
            snapshot = restore_trainer(store, record).snapshot()
        except Exception as error:  # noqa: BLE001 - e.g. a CSV that moved: a message, not a crash
            self.call_from_thread(self._saved_snapshot_failed, str(error))
            return
        self.call_from_thread(self._show_saved_snapshot, record.id, snapshot)

    def _show_saved_snapshot(self, run_id: str, snapshot) -> None:
        if not self.history.live and self.history.started is not None:
            self.history.snapshot = snapshot
            self._redraw(charts=False, predictions=True)

    def _saved_snapshot_failed(self, error: str) -> None:
        if not self.history.live and self.history.started is not None:
            self.query_one(Predictions).show(None, "unavailable: the saved model could not be loaded")
            self.show_message(f"predictions unavailable: {error}", error=True)

    def action_log_y(self) -> None:
        chart = self.query_one("#loss", EpochChart)
        chart.log_y = not chart.log_y

    def action_presets(self) -> None:
        if self.engine is None:
            return
        self.view = "setup"
        select = self.query_one("#preset Select", Select)
        select.focus()
        select.action_show_overlay()

    def action_add_layer(self) -> None:
        self._change_layers(lambda: self.draft.add_layer())

    def action_remove_layer(self) -> None:
        from nntui.tui.widgets.panels import LayerRow

        if self.draft is None or not self.draft.layers:
            return
        row = (
            next((w for w in self.focused.ancestors if isinstance(w, LayerRow)), None)
            if self.focused
            else None
        )
        self._change_layers(lambda: self.draft.remove_layer(row.index if row else None))

    def _change_layers(self, change: Callable[[], None]) -> None:
        from nntui.tui.widgets.panels import ArchitecturePanel

        if self.draft is None:
            return

        async def apply() -> None:
            change()
            await self.query_one(ArchitecturePanel).show_layers(self.draft.layers)
            self._after_edit()

        self.end_run_then("Changing the layers", lambda go_on: self.call_later(apply) if go_on else None)

    # -- the lesson ----------------------------------------------------------------------------

    @property
    def lesson(self):
        from nntui.tui.widgets.lesson import LessonPanel

        panels = self.query(LessonPanel)
        return panels.first() if panels else None

    async def open_lesson(self, index: int = 0) -> None:
        """Lesson mode: the lesson panel above the charts, at lesson `index`, its preset loaded."""
        from nntui.tui.widgets.lesson import LessonPanel

        if self.lesson is None:
            await self.query_one("#monitor").mount(LessonPanel(index), before=0)
        self.action_lesson_step(index - self.lesson.index)
        self.view = "monitor"
        self.refresh_bindings()

    async def action_lesson(self) -> None:
        if self.engine is None:
            self.notify("Still loading torch…")
        elif self.lesson is None:
            await self.open_lesson(0)
        else:
            await self.lesson.remove()
            self.refresh_bindings()

    def action_lesson_step(self, step: int) -> None:
        """The next (1) or previous (-1) experiment; 0 shows the lesson's own again."""
        from nntui.core.lessons import LESSONS

        panel = self.lesson
        index = min(max(panel.index + step, 0), len(LESSONS) - 1)
        name = LESSONS[index].preset
        if step and index == panel.index:
            self.notify("That was the last lesson." if step > 0 else "This is the first lesson.")
            return
        if self.preset == name and self.draft is not None:
            panel.go(index)
            return
        if LESSONS[index].demo:  # its lesson says to press s
            panel.go(index)
            return
        self.choose_preset(name, then=lambda loaded: panel.go(index) if loaded else None)

    def action_switch_view(self) -> None:
        self.view = "monitor" if self.view == "setup" else "setup"

    def watch_view(self, view: str) -> None:
        self.screen.set_class(view == "setup", "-view-setup")
        self.screen.set_class(view == "monitor", "-view-monitor")

    def action_leave_field(self) -> None:
        self.screen.set_focus(None)

    def action_devices(self) -> None:
        if self.engine is None:
            self.notify("Still loading torch…")
            return
        from nntui.tui.devices_screen import DevicesScreen

        def run_memory() -> int | None:
            return self.history.memory_bytes if self.history.live else None

        self.push_screen(DevicesScreen([text for _, text in self.engine.devices], run_memory))

    def action_inside(self) -> None:
        """The inside screen (tui/inside_screen.py), on the latest snapshot."""
        if self.engine is None:
            self.notify("Still loading torch…")
            return
        from nntui.tui.inside_screen import InsideScreen

        self.push_screen(InsideScreen())

    def action_validation_points(self) -> None:
        self.notify(self.query_one(Predictions).toggle_validation())

    def action_discretize(self) -> None:
        self.notify(self.query_one(Predictions).toggle_crisp())

    def action_help(self) -> None:
        bindings = (
            [*self.screen.BINDINGS, *self.BINDINGS[-2:]]
            if isinstance(self.screen, RunsScreen)
            else self.BINDINGS
        )
        keys = [(self.get_key_display(binding), binding.description) for binding in bindings]
        limits = self.budget.limits
        note = (
            f"{limits.name} ({limits.why}): the screen redraws within about "
            f"{limits.bytes_per_s / 1000:g} KB/s, its charts less often"
            if limits.why
            else ""
        )
        self.push_screen(HelpScreen(keys, note))

    async def action_quit(self) -> None:
        """Quit within a second; a run in progress is stopped and, if it can be in time, saved."""
        self.quit_saving_run()

    def quit_saving_run(self, return_code: int = 0) -> None:
        if self.quitting:  # q, then SIGTERM while the run is being saved: one quit
            return
        self.quitting = True
        self.exit(0, return_code, message=self._end_run_for_quit())

    def quit_on_signal(self, signum: int) -> None:
        """SIGTERM, SIGHUP or SIGINT: quit as q does. Where the terminal hung up, Textual's
        teardown would write to it (and, once its writer thread has died of EIO, block on that
        thread's full queue): the run is saved and the process ends without it."""
        code = 128 + signum
        if any(os.isatty(fd) for fd in (0, 2)):
            self.quit_saving_run(code)
            return
        message = None if self.quitting else self._end_run_for_quit()
        if message:
            with contextlib.suppress(OSError):
                print(message, file=sys.__stderr__)
        exit_now(code)

    def _end_run_for_quit(self) -> str | None:
        """Stop the runner, waiting a moment for a live run to be saved; what to say about it."""
        live, what = self.history.live, "comparison" if self.compare is not None else "run"
        saved = self.close_runner(save_within_s=QUIT_SAVE_WITHIN_S if live else 0.0)
        if saved:
            return f"nntui: the {what} in progress was stopped and saved as {saved} (nntui runs lists it)"
        if live:
            return f"nntui: the {what} in progress was stopped before it could be saved"
        return None

    def close_runner(self, save_within_s: float = 0.0) -> str | None:
        saved = None
        if self.runner is not None:
            saved = self.runner.close(save_within_s)
            self.runner = None
        return saved

    def on_unmount(self) -> None:
        self.close_runner()

    def on_resize(self, event: events.Resize) -> None:
        width, height = event.size
        compact = width < COMPACT_BELOW[0] or height < COMPACT_BELOW[1]
        self.screen.set_class(compact, "-compact")
        self.watch_view(self.view)
        self.refresh_bindings()

    # -- rendering events ----------------------------------------------------------------------

    def poll_runner(self) -> None:
        if self.runner is None or not self.is_running:  # not while the app is closing its screens
            return
        batches = self.runner.drain()
        for batch in batches:
            if self.compare is not None:
                self._consume_comparison(batch)
            else:
                self.consume(batch.events, redraw=False)
            if batch.memory_bytes is not None:
                self.history.memory_bytes = batch.memory_bytes
            if batch.note:
                self.show_message(batch.note, error=True)
            if batch.saved and self.compare is None:
                self.notify(f"saved as run {batch.saved} · h lists the runs", timeout=4)
        budget, now, done = self.budget, time.monotonic(), not self.history.live
        charts = self.stale["charts"] and (done or budget.due("charts", now))
        # one big part a frame: the bytes go out evenly, and each part's cost is measured on its own
        predictions = self.stale["predictions"] and (done or (budget.due("predictions", now) and not charts))
        self.stale["status"] |= bool(batches)
        if getattr(self.screen, "covers_monitor", False):  # the inside screen: drawn once it is left
            return
        status = self.stale["status"] and (
            done or budget.due("status", now) or self.history.status != self.status_shown
        )
        if not (charts or predictions or status):
            return
        frame = budget.begin(time.thread_time())  # the UI thread's: a ThreadRunner trains apart
        self._redraw(charts=charts, predictions=predictions)
        if status:
            self._show_status()
        self.call_after_refresh(self._painted, frame)

    def _painted(self, frame: int) -> None:
        self.budget.painted(frame, time.thread_time(), learn=self.history.live)

    def show_comparison(self, variants: list, pairs: list = (), group: str | None = None) -> None:
        """Show a comparison of `variants` (core.variants.Variant) and its (index, event) pairs
        so far, as a live one is shown; `group` once it is saved. The screenshot script and the
        tests show recorded comparisons through this, as the app shows its own."""
        self.compare = CompareHistory.of(variants)
        self.query_one("#monitor").set_class(True, "-comparing")
        self.compare.consume(list(pairs))
        self.compare.group = group
        self.history.status = self.compare.status
        self._redraw(charts=True, predictions=True)
        self._show_status()

    def _consume_comparison(self, batch) -> None:
        compare = self.compare
        failed = [event for event in batch.events if not isinstance(event, tuple)]
        compare.consume([item for item in batch.events if isinstance(item, tuple)])
        if batch.saved:
            compare.group = batch.saved
            self.notify(f"saved as group {batch.saved} · h lists the runs", timeout=4)
        if failed:  # the comparison could not start
            self.compare = None
            self.query_one("#monitor").set_class(False, "-comparing")
            self.consume(failed, redraw=False)
            return
        self.history.status = compare.status
        self.stale["charts"] = self.stale["predictions"] = True

    def consume(self, events: list, redraw: bool = True) -> None:
        """Fold a run's events into the view; tests call this with events of their own."""
        was = self.history.status
        charts, predictions = self.history.consume(events)
        self.stale["charts"] |= charts
        self.stale["predictions"] |= predictions
        if self.history.status != was and self.history.status in (DIVERGED, FAILED):
            self.show_message(self.history.outcome.message, error=True)
        if redraw:
            self._redraw(charts=True, predictions=True)
            self._show_status()

    def _redraw(self, charts: bool, predictions: bool) -> None:
        history, now = self.history, time.monotonic()
        if self.compare is not None:
            self._redraw_comparison(charts, predictions, now)
            return
        if charts:
            loss_name = self._loss_name()
            untrained = history.status == FINISHED and not history.epochs
            self.query_one("#loss", EpochChart).empty = (
                "0 epochs: the untrained network, no loss curve" if untrained else "press s to start training"
            )
            loss = train_and_validation(*history.series("train_loss"), *history.series("val_loss"))
            self.query_one("#loss", EpochChart).show(f"{loss_name} loss", loss)
            every = history.started.config.training.val_every if history.started else 1
            self.query_one("#accuracy", EpochChart).show(
                "accuracy" if every == 1 else f"accuracy · every {every} epochs",
                train_and_validation(*history.series("train_accuracy"), *history.series("val_accuracy")),
                y_range=(0, 1),
                x_range=epoch_span(loss),  # the loss chart's epochs: both charts end at the same one
            )
            self._drawn("charts", now, self.query_one("#loss"), self.query_one("#accuracy"))
            if self.lesson is not None:
                self.lesson.show(history)
        if predictions:
            from nntui.tui.runner import SNAPSHOT_EVERY_S

            every_s = max(SNAPSHOT_EVERY_S, PREDICTIONS_EVERY_S) if history.status == TRAINING else None
            self.query_one(Predictions).show(history.snapshot, redrawn_every_s=every_s)
            self._drawn("predictions", now, self.query_one(Predictions))

    def _redraw_comparison(self, charts: bool, predictions: bool, now: float) -> None:
        """Each variant's validation loss (train loss without a validation set) on one chart."""
        compare = self.compare
        if charts:
            validation = any(run.latest("val_loss") is not None for run in compare.runs)
            which = "val" if validation else "train"
            lines = [
                Line(label, *run.series(f"{which}_loss")) for label, run in zip(compare.labels, compare.runs)
            ]
            self.query_one("#loss", EpochChart).show(f"{which} loss per variant", lines)
            accuracy = [
                Line(label, *run.series("val_accuracy")) for label, run in zip(compare.labels, compare.runs)
            ]
            self.query_one("#accuracy", EpochChart).show(
                "val accuracy per variant", accuracy, y_range=(0, 1), x_range=epoch_span(lines)
            )
            self._drawn("charts", now, self.query_one("#loss"), self.query_one("#accuracy"))
        if predictions:
            self.query_one("#compare-table", Static).update(compare_table(compare))
            self._drawn("predictions", now, self.query_one("#compare-table"))

    def _drawn(self, part: str, now: float, *widgets) -> None:
        """Tell the budget that `part`, made of `widgets`, was redrawn."""
        self.stale[part] = False
        self.budget.drawn(part, now, sum(widget.size.area for widget in widgets if widget is not None))

    def _device_panel(self):
        """The device panel, once the setup is mounted: query_one is cached, where a query() walks
        the whole DOM (which took longer than the rest of the status line's update)."""
        from nntui.tui.widgets.panels import DevicePanel

        try:
            return self.query_one(DevicePanel)
        except NoMatches:
            return None

    def _loss_name(self) -> str:
        config = (
            self.history.started.config if self.history.started else self.draft.config if self.draft else None
        )
        if config and config.model.output == "playground":
            return "½(out−y)²"
        return "cross-entropy" if config and config.resolved_task == "classification" else "MSE"

    def _show_status(self) -> None:
        problems = len(self.draft.problems) if self.draft else 0
        if self.compare is not None:
            self.query_one(StatusLine).show(compare_text(self.compare, self._loss_name()))
        else:
            phrases = status_text(self.history, self._loss_name(), problems)
            if self.budget.limits.why and self.history.status == READY:
                phrases.append(Text(f"{self.budget.limits.name}: charts redraw less often", "dim"))
            self.query_one(StatusLine).show(phrases)
        panel = self._device_panel()
        if panel is not None:
            panel.live = self._device_text()
        self.status_shown = self.history.status
        live = panel.query_one("#device-live") if panel is not None else None
        self._drawn("status", time.monotonic(), self.query_one(StatusLine), live)

    def _device_text(self) -> str:
        """Where the run shown trains or trained, how fast and, on CUDA, with how much memory."""
        started, last = self.history.started, self.history.last
        if self.compare is not None or (started is None and not self.history.live):
            return ""
        if started is None:  # as many lines as the run will show: the panel does not move
            return "in use: starting…\nspeed: after an epoch"
        device = started.device
        if started.device_description != device:  # a saved run keeps only the device's name
            device = f"{device} ({started.device_description})"
        lines = [f"in use: {device}" if self.history.live else f"trained on: {device}"]
        if self.history.live:  # a line from the start: the first epoch's speed moves no panel
            lines.append(f"{last.samples_per_s:,.0f} samples/s" if last else "speed: after an epoch")
        if self.history.memory_bytes is not None:
            lines.append(f"memory in use: {self.history.memory_bytes / 2**20:,.0f} MiB")
        return "\n".join(lines)


def run_app(
    runs_dir: str | None = None, slow_link: bool | None = None, config=None, lesson: int | None = None
) -> NoReturn:
    """Run the app on this terminal, then end the process with its code: 1 after a crash."""
    limits = link_limits(slow_link, os.environ)
    app = NntuiApp(runs_dir=runs_dir, limits=limits, config=config, lesson=lesson)
    result = app.run()
    exit_now(app.return_code or result or 0)


def exit_now(code: int) -> NoReturn:
    """End the process without tearing the interpreter down: with torch imported, that took
    1.6-2.2 s on a loaded 2-core machine, after the app had gone and the run was saved. The exit
    handlers still run (multiprocessing unlinks the queues' semaphores)."""
    with contextlib.suppress(Exception):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def new_seed(old: int) -> int:
    """A seed other than `old`, as Playground draws one for new data."""
    seed = old
    while seed == old:
        seed = random.randrange(1, 2**31)
    return seed


def _restarts(path: str) -> bool:
    """Whether changing this field ends a live run (its data or network change); the field
    table says, for fields the app edits (a preset is not one)."""
    try:
        return rule_of(path).restarts
    except KeyError:
        return False


def _headline(lines: list[str]) -> list[str]:
    """The timing demo's result in a line or two, for the panel; the page shows all of it."""
    return [line for line in lines if "faster" in line][:2] or lines[:2]
