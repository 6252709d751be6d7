"""The app: setup panels on the left, charts and predictions on the right, a status line below.
Training runs in a child process (see runner.py); the app only renders the events it sends."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Footer, Select, Static

from nntui.errors import UserError
from nntui.tui.history import (
    DIVERGED,
    FAILED,
    FINISHED,
    PAUSED,
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
COMPACT_BELOW = (110, 32)
QUIT_SAVE_WITHIN_S = 0.6
DISCARDING_FIELDS = ("data.", "model.", "style")


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
        Binding("l", "log_y", "log-y", show=False),
        Binding("p", "presets", "preset"),
        Binding("c", "compare", "compare"),
        Binding("h", "runs", "runs"),
        Binding("a", "add_layer", "add layer", show=False),
        Binding("d", "remove_layer", "remove the focused layer, or the last", show=False),
        Binding("v", "switch_view", "view"),
        Binding("escape", "leave_field", "leave a field", show=False),
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
    ) -> None:
        super().__init__()
        self.make_runner, self.load_engine, self.poll = runner, load_engine, poll
        self.runs_dir = runs_dir
        self.compare: CompareHistory | None = None
        self.in_run = None  # the live run's config as a Draft, read field by field as the fields are
        self.runner = None
        self.engine = None
        self.draft = None
        self.preset = "custom"
        self.history = RunHistory()
        self.drawn_at = {"charts": 0.0, "predictions": 0.0}
        self.stale = {"charts": False, "predictions": False}
        self.set_class(plain_terminal(), "-plain")  # square corners: see app.tcss

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

    async def _mount_setup(self) -> None:
        from nntui.tui.widgets.panels import ArchitecturePanel, DataPanel, DevicePanel, HyperparametersPanel

        setup = self.query_one("#setup", VerticalScroll)
        await setup.remove_children()
        raw = self.draft.raw
        data = DataPanel(self.engine, raw, self.preset)
        data.summary = self._preset_summary()
        await setup.mount(
            Horizontal(
                Vertical(
                    data,
                    ArchitecturePanel(self.engine, self.draft.layers),
                    DevicePanel(self.engine, raw["device"]),
                    classes="column",
                ),
                Vertical(HyperparametersPanel(self.engine, raw), Static(id="problems"), classes="column"),
                id="setup-columns",
            )
        )
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
            if self.history.exists and not self.history.live and edit.path.startswith(DISCARDING_FIELDS):
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
            return self.draft.unparsed.get(edit.path, ("", ""))[0] == edit.value
        shown = as_text(self.draft.get(edit.path))  # 0.285714 in the box for 2/7 is no change
        return edit.path not in self.draft.unparsed and shown == as_text(edit.value)

    def _apply(self, edit: Field.Edited) -> None:
        if edit.problem:
            self.draft.set(edit.path, edit.value, edit.problem)
        elif self.draft.set(edit.path, edit.value):
            self.notify("Tutorial replay is off: the data no longer matches the tutorial's.")
        if edit.path == "data.dataset":
            self.query_one("#csv-path").display = edit.value == "csv"
        self._after_edit()

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
        elif edit.path.startswith(DISCARDING_FIELDS) and not isinstance(self.screen, ConfirmScreen):

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

    def choose_preset(self, name: str, field: Field | None = None) -> None:
        from nntui.presets import PRESETS

        if name == "custom" or name not in PRESETS:
            return
        preset = PRESETS.get(name)
        if preset.config is None:
            if field is not None:
                field.show(self.preset)
            if self.history.live:
                self.notify(f"{name} times this machine: stop the run first (x), so that it times fairly.")
                return
            self.show_message(f"{name}: timing…")
            self._run_demo(preset)
            return

        def load(go_on: bool) -> None:
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

    @work(thread=True, exclusive=True, group="demo")
    def _run_demo(self, preset) -> None:
        lines = preset.demo()
        self.call_from_thread(
            self.show_message, "\n".join([f"[b]{preset.name}[/b]: {preset.summary}", *lines])
        )

    def show_message(self, text: str, error: bool = False) -> None:
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
        return True

    def _ready_to_run(self) -> bool:
        if self.runner is None:
            self.notify("Still loading torch…")
            return False
        if not self.draft.valid:
            self.notify("Fix the marked fields first.", severity="error")
            return False
        return True

    def action_start(self) -> None:
        self.take_pending_edits()
        if self.history.live:
            self.notify("A run is in progress: x stops it, r resets it.")
        elif self._ready_to_run():
            self._begin(paused=False)

    def _begin(self, paused: bool, vary: list[str] | None = None) -> None:
        from nntui.compare import make_variants
        from nntui.tui.draft import Draft
        from nntui.tui.runner import Job

        self.history = RunHistory(status=STARTING)
        self.compare = None
        config = self.draft.config
        if vary:
            self.compare = CompareHistory.of(make_variants(config, vary))
        self.query_one("#monitor").set_class(bool(vary), "-comparing")
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

    # -- comparing and saved runs --------------------------------------------------------------

    def action_compare(self) -> None:
        self.take_pending_edits()
        if self.history.live:
            self.notify("A run is in progress: x stops it, r resets it.")
            return
        if not self._ready_to_run():
            return
        from nntui.compare import make_variants

        config = self.draft.config

        def begin(vary: list[str] | None) -> None:
            if vary:
                self._begin(paused=False, vary=vary)

        self.push_screen(ask_vary(lambda vary: make_variants(config, vary)), begin)

    def action_runs(self) -> None:
        if self.engine is None:
            self.notify("Still loading torch…")
            return
        from nntui.runs import RunStore

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
        from nntui.runs import RunStore, saved_events

        store = RunStore(self.runs_dir)
        try:
            events = saved_events(record, store.history(record.id))
        except UserError as error:
            self.show_message(str(error), error=True)
            return
        self.history = RunHistory()
        self.consume(events)
        self.show_message(f"saved run {record.id} ({record.status}) · s trains this config again")
        self._load_predictions(store, record)

    def continue_run(self, record) -> None:
        """Train a saved run on from where it ended; its earlier epochs stay on the charts."""
        from nntui.runs import RunStore, saved_events
        from nntui.tui.draft import Draft
        from nntui.tui.runner import Job

        try:
            earlier = saved_events(record, RunStore(self.runs_dir).history(record.id))
        except UserError as error:
            self.show_message(str(error), error=True)
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
        from nntui.runs import restore_trainer

        try:
            snapshot = restore_trainer(store, record).snapshot()
        except UserError as error:
            self.call_from_thread(self.show_message, f"predictions unavailable: {error}", True)
            return
        except Exception as error:  # noqa: BLE001 - e.g. a CSV that moved: a message, not a crash
            self.call_from_thread(self.show_message, f"predictions unavailable: {error}", True)
            return
        self.call_from_thread(self._show_saved_snapshot, record.id, snapshot)

    def _show_saved_snapshot(self, run_id: str, snapshot) -> None:
        if not self.history.live and self.history.started is not None:
            self.history.snapshot = snapshot
            self._redraw(charts=False, predictions=True)

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

    def action_switch_view(self) -> None:
        self.view = "monitor" if self.view == "setup" else "setup"

    def watch_view(self, view: str) -> None:
        self.screen.set_class(view == "setup", "-view-setup")
        self.screen.set_class(view == "monitor", "-view-monitor")

    def action_leave_field(self) -> None:
        self.screen.set_focus(None)

    def action_help(self) -> None:
        bindings = (
            [*self.screen.BINDINGS, *self.BINDINGS[-2:]]
            if isinstance(self.screen, RunsScreen)
            else self.BINDINGS
        )
        keys = [(self.get_key_display(binding), binding.description) for binding in bindings]
        self.push_screen(HelpScreen(keys))

    async def action_quit(self) -> None:
        """Quit within a second; a run in progress is stopped and, if it can be in time, saved."""
        live, what = self.history.live, "comparison" if self.compare is not None else "run"
        saved = self.close_runner(save_within_s=QUIT_SAVE_WITHIN_S if live else 0.0)
        message = None
        if saved:
            message = f"nntui: the {what} in progress was stopped and saved as {saved} (nntui runs lists it)"
        elif live:
            message = f"nntui: the {what} in progress was stopped before it could be saved"
        self.exit(0, message=message)

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
        now = time.monotonic()
        done = not self.history.live
        self._redraw(
            charts=self.stale["charts"] and (done or now - self.drawn_at["charts"] >= CHARTS_EVERY_S),
            predictions=self.stale["predictions"]
            and (done or now - self.drawn_at["predictions"] >= PREDICTIONS_EVERY_S),
        )
        if batches:
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
            loss = train_and_validation(
                history.epochs, history.train_loss, history.val_epochs, history.val_loss
            )
            self.query_one("#loss", EpochChart).show(f"{loss_name} loss", loss)
            every = history.started.config.training.val_every if history.started else 1
            self.query_one("#accuracy", EpochChart).show(
                "accuracy" if every == 1 else f"accuracy · every {every} epochs",
                train_and_validation(
                    history.train_accuracy_epochs,
                    history.train_accuracy,
                    history.val_accuracy_epochs,
                    history.val_accuracy,
                ),
                y_range=(0, 1),
                x_range=epoch_span(loss),  # the loss chart's epochs: both charts end at the same one
            )
            self.stale["charts"], self.drawn_at["charts"] = False, now
        if predictions:
            from nntui.tui.runner import SNAPSHOT_EVERY_S

            every_s = max(SNAPSHOT_EVERY_S, PREDICTIONS_EVERY_S) if history.status == TRAINING else None
            self.query_one(Predictions).show(history.snapshot, redrawn_every_s=every_s)
            self.stale["predictions"], self.drawn_at["predictions"] = False, now

    def _redraw_comparison(self, charts: bool, predictions: bool, now: float) -> None:
        """Each variant's validation loss (train loss without a validation set) on one chart."""
        compare = self.compare
        if charts:
            validation = any(run.val_loss for run in compare.runs)
            which = "val" if validation else "train"
            lines = [
                Line(label, run.val_epochs, run.val_loss)
                if validation
                else Line(label, run.epochs, run.train_loss)
                for label, run in zip(compare.labels, compare.runs)
            ]
            self.query_one("#loss", EpochChart).show(f"{which} loss per variant", lines)
            accuracy = [
                Line(label, run.val_accuracy_epochs, run.val_accuracy)
                for label, run in zip(compare.labels, compare.runs)
            ]
            self.query_one("#accuracy", EpochChart).show(
                "val accuracy per variant", accuracy, y_range=(0, 1), x_range=epoch_span(lines)
            )
            self.stale["charts"], self.drawn_at["charts"] = False, now
        if predictions:
            self.query_one("#compare-table", Static).update(compare_table(compare))
            self.stale["predictions"], self.drawn_at["predictions"] = False, now

    def _loss_name(self) -> str:
        config = (
            self.history.started.config if self.history.started else self.draft.config if self.draft else None
        )
        return "cross-entropy" if config and config.resolved_task == "classification" else "MSE"

    def _show_status(self) -> None:
        from nntui.tui.widgets.panels import DevicePanel

        problems = len(self.draft.problems) if self.draft else 0
        if self.compare is not None:
            self.query_one(StatusLine).show(compare_text(self.compare, self._loss_name()))
        else:
            self.query_one(StatusLine).show(status_text(self.history, self._loss_name(), problems))
        for panel in self.query(DevicePanel):
            panel.live = self._device_text()

    def _device_text(self) -> str:
        """Where the run shown trains or trained, how fast and, on CUDA, with how much memory."""
        started, last = self.history.started, self.history.last
        if started is None or self.compare is not None:
            return ""
        device = started.device
        if started.device_description != device:  # a saved run keeps only the device's name
            device = f"{device} ({started.device_description})"
        lines = [f"in use: {device}" if self.history.live else f"trained on: {device}"]
        if last is not None and self.history.live:
            lines.append(f"{last.samples_per_s:,.0f} samples/s")
        if self.history.memory_bytes is not None:
            lines.append(f"memory in use: {self.history.memory_bytes / 2**20:,.0f} MiB")
        return "\n".join(lines)


def run_app(runs_dir: str | None = None) -> int:
    return NntuiApp(runs_dir=runs_dir).run() or 0
