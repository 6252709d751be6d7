"""The app: setup panels on the left, charts and predictions on the right, a status line below.
Training runs in a child process (see runner.py); the app only renders the events it sends."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Footer, Select, Static

from nntui.tui.history import DIVERGED, FAILED, PAUSED, STARTING, TRAINING, RunHistory
from nntui.tui.screens import ConfirmScreen, HelpScreen
from nntui.tui.widgets.charts import EpochChart
from nntui.tui.widgets.fields import Field
from nntui.tui.widgets.predictions import Predictions
from nntui.tui.widgets.status import StatusLine, status_text

POLL_EVERY_S = 0.2
CHARTS_EVERY_S = 1.0
PREDICTIONS_EVERY_S = 2.0
COMPACT_BELOW = (110, 32)
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
        Binding("r", "reset", "reset"),
        Binding("l", "log_y", "log-y"),
        Binding("p", "presets", "preset"),
        Binding("a", "add_layer", "add layer", show=False),
        Binding("d", "remove_layer", "remove layer", show=False),
        Binding("v", "switch_view", "view"),
        Binding("escape", "leave_field", "leave a field (then letter keys act)", show=False),
        Binding("question_mark", "help", "help"),
        Binding("q", "quit", "quit"),
    ]

    view: reactive[str] = reactive("setup")

    def __init__(
        self,
        runner: Callable[[], Any] | None = None,
        load_engine: Callable[[], Any] | None = None,
        poll: bool = True,
    ) -> None:
        super().__init__()
        self.make_runner, self.load_engine, self.poll = runner, load_engine, poll
        self.runner = None
        self.engine = None
        self.draft = None
        self.preset = "custom"
        self.history = RunHistory()
        self.drawn_at = {"charts": 0.0, "predictions": 0.0}
        self.stale = {"charts": False, "predictions": False}

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with VerticalScroll(id="setup"):
                yield Static("loading torch…", id="loading")
            with Vertical(id="monitor"):
                with Horizontal(id="charts"):
                    yield EpochChart("loss", "press s to start training", id="loss")
                    yield EpochChart("accuracy", "", id="accuracy")
                yield Predictions(id="predictions")
                yield Static(id="message")
        yield StatusLine(id="status")
        yield Footer(compact=True)

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
        self.runner = self.make_runner()
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
        if event.path == "preset":
            self.choose_preset(event.value, event.field)
        elif event.problem:
            self.draft.set(event.path, event.value, event.problem)
            self._after_edit()
        elif self.history.exists and event.path.startswith(DISCARDING_FIELDS):
            old = self.draft.get(event.path)

            def answer(discard: bool) -> None:
                if discard:
                    self.action_reset()
                    self._apply(event.path, event.value)
                else:
                    self.draft.set(event.path, old)
                    event.field.show(old)
                    self._after_edit()

            self.push_screen(
                ConfirmScreen(f"Changing {event.path} discards the current run. Discard it?"), answer
            )
        else:
            self._apply(event.path, event.value)

    def _apply(self, path: str, value: Any) -> None:
        if self.draft.set(path, value):
            self.notify("Tutorial replay is off: the data no longer matches the tutorial's.")
        if path == "training.lr" and self.history.live and path not in self.draft.problems:
            self.runner.send("set_lr", value)
            self.notify(f"learning rate is now {value:g}")
        if path == "data.dataset":
            self.query_one("#csv-path").display = value == "csv"
        self._after_edit()

    def _after_edit(self) -> None:
        from nntui.tui.draft import describe
        from nntui.tui.widgets.panels import ArchitecturePanel

        problems = self.draft.problems
        for field in self.query(Field):
            field.problem = problems.get(field.path, "")
        box = self.query_one("#problems", Static)
        box.set_class(bool(problems), "-shown")
        box.update("\n".join(problems.values()) + "\n[b]fix these to start[/b]" if problems else "")
        drawing, parameters = describe(self.draft.config)
        count = f"{parameters:,} parameters" if parameters is not None else "parameters: known once loaded"
        self.query_one(ArchitecturePanel).drawing = f"{drawing}\n{count}"
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
            self.show_message(f"{name}: timing…")
            self._run_demo(preset)
            return

        def load(discard: bool = True) -> None:
            if not discard:
                if field is not None:
                    field.show(self.preset)
                return
            from nntui.tui.draft import Draft

            self.action_reset()
            self.preset = name
            self.draft = Draft.of(preset.config)
            self.show_message("")
            self.call_later(self._mount_setup)

        if self.history.exists:
            self.push_screen(
                ConfirmScreen(f"Loading preset {name} discards the current run. Discard it?"), load
            )
        else:
            load()

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
        if self.history.live:
            self.notify("A run is in progress: x stops it, r resets it.")
        elif self._ready_to_run():
            self._begin(paused=False)

    def _begin(self, paused: bool) -> None:
        self.history = RunHistory(status=STARTING)
        self.show_message("")
        self.runner.start(self.draft.config, paused=paused)
        self._redraw(charts=True, predictions=True)
        self.view = "monitor"
        self.screen.set_focus(None)

    def action_pause(self) -> None:
        if self.history.status == TRAINING:
            self.runner.send("pause")
        elif self.history.status == PAUSED:
            self.runner.send("resume")
        else:
            self.notify("Nothing is training: s starts a run.")

    def action_step(self) -> None:
        if self.history.live:
            self.runner.send("step")
        elif self._ready_to_run():
            self._begin(paused=True)

    def action_stop(self) -> None:
        if self.history.live:
            self.runner.send("stop")

    def action_reset(self) -> None:
        if self.runner is not None and self.history.live:
            self.runner.discard()
        self.history = RunHistory()
        self._redraw(charts=True, predictions=True)

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

        async def apply(discard: bool = True) -> None:
            if discard:
                self.action_reset()
                change()
                await self.query_one(ArchitecturePanel).show_layers(self.draft.layers)
                self._after_edit()

        if self.history.exists:
            self.push_screen(
                ConfirmScreen("Changing the layers discards the current run. Discard it?"), apply
            )
        else:
            self.call_later(apply)

    def action_switch_view(self) -> None:
        self.view = "monitor" if self.view == "setup" else "setup"

    def watch_view(self, view: str) -> None:
        self.screen.set_class(view == "setup", "-view-setup")
        self.screen.set_class(view == "monitor", "-view-monitor")

    def action_leave_field(self) -> None:
        self.screen.set_focus(None)

    def action_help(self) -> None:
        keys = [(self.get_key_display(binding), binding.description) for binding in self.BINDINGS]
        self.push_screen(HelpScreen(keys))

    async def action_quit(self) -> None:
        self.close_runner()
        self.exit(0)

    def close_runner(self) -> None:
        if self.runner is not None:
            self.runner.close()
            self.runner = None

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
        if self.runner is None:
            return
        batches = self.runner.drain()
        for batch in batches:
            self.consume(batch.events, redraw=False)
            if batch.memory_bytes is not None:
                self.history.memory_bytes = batch.memory_bytes
        now = time.monotonic()
        done = not self.history.live
        self._redraw(
            charts=self.stale["charts"] and (done or now - self.drawn_at["charts"] >= CHARTS_EVERY_S),
            predictions=self.stale["predictions"]
            and (done or now - self.drawn_at["predictions"] >= PREDICTIONS_EVERY_S),
        )
        if batches:
            self._show_status()

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
        if charts:
            loss_name = self._loss_name()
            self.query_one("#loss", EpochChart).show(
                f"{loss_name} loss",
                (history.epochs, history.train_loss),
                (history.val_epochs, history.val_loss),
            )
            self.query_one("#accuracy", EpochChart).show(
                "accuracy",
                (history.epochs if history.train_accuracy else [], history.train_accuracy),
                (history.val_epochs if history.val_accuracy else [], history.val_accuracy),
                y_range=(0, 1),
            )
            self.stale["charts"], self.drawn_at["charts"] = False, now
        if predictions:
            self.query_one(Predictions).show(history.snapshot)
            self.stale["predictions"], self.drawn_at["predictions"] = False, now

    def _loss_name(self) -> str:
        config = (
            self.history.started.config if self.history.started else self.draft.config if self.draft else None
        )
        return "cross-entropy" if config and config.resolved_task == "classification" else "MSE"

    def _show_status(self) -> None:
        from nntui.tui.widgets.panels import DevicePanel

        problems = len(self.draft.problems) if self.draft else 0
        self.query_one(StatusLine).update(status_text(self.history, self._loss_name(), problems))
        started, last = self.history.started, self.history.last
        if started is None or not self.is_mounted:
            return
        lines = [f"in use: {started.device} ({started.device_description})"]
        if last is not None and self.history.live:
            lines.append(f"{last.samples_per_s:,.0f} samples/s")
        if self.history.memory_bytes is not None:
            lines.append(f"memory in use: {self.history.memory_bytes / 2**20:,.0f} MiB")
        for panel in self.query(DevicePanel):
            panel.live = "\n".join(lines)


def run_app() -> int:
    return NntuiApp().run() or 0
