"""The app: setup panels on the left, charts and predictions on the right, a status line below.
Training runs in a child process (see runner.py); the app only renders the events it sends.

The App owns what is app-wide: its keys, screens, quitting, the engine and the runner. The run
it shows lives in session.py, the setup panels' editing in editing.py, the drawing in drawing.py;
the widgets are reached through the typed properties at the end of the class."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import random
import signal
import sys
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

from nntui.core.errors import UserError
from nntui.core.lessons import LESSONS
from nntui.core.share import to_share_string
from nntui.core.variants import Variant, make_variants
from nntui.tui.budget import FAST_LINK, Limits, link_limits
from nntui.tui.devices_screen import DevicesScreen
from nntui.tui.draw import DrawCanvas
from nntui.tui.drawing import POLL_EVERY_S, Drawing
from nntui.tui.editing import SetupEditor
from nntui.tui.history import STARTING, CompareHistory, RunHistory
from nntui.tui.runs_screen import RunChoice, RunsScreen, ask_vary
from nntui.tui.screens import HelpScreen
from nntui.tui.session import RunSession
from nntui.tui.sweep_screen import SweepScreen
from nntui.tui.widgets.charts import EpochChart, plain_terminal
from nntui.tui.widgets.fields import Field
from nntui.tui.widgets.lesson import LessonPanel
from nntui.tui.widgets.panels import ArchitecturePanel, DataPanel, DevicePanel
from nntui.tui.widgets.predictions import Predictions
from nntui.tui.widgets.status import StatusLine

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
        Binding("o", "draw", "draw your own points: click, or arrows and enter", show=False),
        Binding("l", "log_y", "log-y", show=False),
        Binding("p", "presets", "preset"),
        Binding("c", "compare", "compare"),
        Binding("w", "sweep", "sweep: a grid of learning rates, widths… as a loss heatmap", show=False),
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
        self.sweep = None  # the sweep screen while a sweep is shown (tui/sweep_screen.py)
        self.runner = None
        self.engine = None
        self.draft = None  # the setup being edited, a Draft
        self.preset = "custom"
        self.session = RunSession(self)
        self.editor = SetupEditor(self)
        self.drawing = Drawing(self, limits)
        self.quitting = False
        self.set_class(plain_terminal(), "-plain")  # square corners: see app.tcss

    def get_driver_class(self):
        """The platform's driver, counting the bytes it sends the terminal for the screen budget."""
        driver = super().get_driver_class()
        app = self

        class CountingDriver(driver):
            def write(self, data: str) -> None:
                app.drawing.budget.written += len(data.encode())
                super().write(data)

            def run_input_thread(self) -> None:
                super().run_input_thread()
                if self.is_web and not self.exit_event.is_set():  # textual-serve's pipe closed
                    self._loop.call_soon_threadsafe(app.quit_on_signal, signal.SIGHUP)

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
            from nntui.tui.engine import load_engine  # torch

            self.load_engine = load_engine
        engine = self.load_engine()
        self.call_from_thread(self._engine_ready, engine)

    async def _engine_ready(self, engine) -> None:
        from nntui.tui.draft import Draft  # torch

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
        self.drawing.show_status()
        if self.lesson_at is not None:
            await self.open_lesson(self.lesson_at)

    async def _mount_setup(self) -> None:
        await self.editor.mount_setup()

    # -- the run shown (session.py) ------------------------------------------------------------

    @property
    def history(self) -> RunHistory:
        return self.session.history

    @property
    def compare(self) -> CompareHistory | None:
        return self.session.compare

    @property
    def in_run(self):
        """The live run's config as a Draft."""
        return self.session.in_run

    def poll_runner(self) -> None:
        if self.runner is None or not self.is_running:  # not while the app is closing its screens
            return
        self.session.poll()

    def consume(self, events: list, redraw: bool = True) -> None:
        """Fold a run's events into the view; tests call this with events of their own."""
        self.session.consume(events, redraw)

    def show_comparison(self, variants: list[Variant], pairs: list = (), group: str | None = None) -> None:
        """Show a comparison of `variants` and its (index, event) pairs so far, as a live one is
        shown; `group` once it is saved. The screenshot script and the tests show recorded
        comparisons through this, as the app shows its own."""
        self.session.show_comparison(variants, pairs, group)

    def open_run(self, record) -> None:
        """Show a saved run's charts, then its predictions once its model is loaded."""
        self.session.open_run(record)

    def continue_run(self, record) -> None:
        """Train a saved run on from where it ended; its earlier epochs stay on the charts."""
        self.session.continue_run(record)

    @work(thread=True, exclusive=True, group="saved")
    def _load_predictions(self, store, record) -> None:
        from nntui.storage.runs import restore_trainer  # torch

        try:
            snapshot = restore_trainer(store, record).snapshot()
        except Exception as error:  # noqa: BLE001 - e.g. a CSV that moved: a message, not a crash
            self.call_from_thread(self.session.saved_snapshot_failed, str(error))
            return
        self.call_from_thread(self.session.show_saved_snapshot, snapshot)

    def end_run_then(self, change: str, go_on: Callable[[bool], Any]) -> None:
        """Clear the current run, then `go_on(True)`; a live run only if the person agrees."""
        self.session.end_run_then(change, go_on)

    # -- the setup (editing.py) ----------------------------------------------------------------

    @on(Field.Edited)
    def field_edited(self, event: Field.Edited) -> None:
        self.editor.field_edited(event)

    @on(Field.Typing)
    def typing(self, event: Field.Typing) -> None:
        self.editor.typing()

    def take_pending_edits(self) -> None:
        self.editor.take_pending_edits()

    def _after_edit(self) -> None:
        self.editor.after_edit()

    def choose_preset(
        self, name: str, field: Field | None = None, then: Callable[[bool], Any] | None = None
    ) -> None:
        """Load preset `name` (a demo runs instead); `then(loaded)` once it is, or is not."""
        self.editor.choose_preset(name, field, then)

    @work(thread=True, exclusive=True, group="demo")
    def _run_demo(self, preset) -> None:
        lines = preset.demo()
        self.call_from_thread(self.editor.demo_done, preset, lines)

    def show_message(self, text: str | Text, error: bool = False) -> None:
        message = self.message_box
        message.update(text)
        message.set_class(bool(text), "-shown")
        message.set_class(error, "-error")

    # -- keys ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if len(self.screen_stack) > 1:  # the runs screen or a question: keys of their own
            return action in ("help", "quit")
        if action == "switch_view":
            return self.screen.has_class("-compact")
        if action == "lesson_step":
            return self.lesson is not None
        return True

    def action_start(self) -> None:
        self.take_pending_edits()
        if self.lesson is not None and self.lesson.demo:
            self.choose_preset(self.lesson.lesson.preset)  # a demo's lesson: s runs the demo
        elif self.history.live:
            self.notify("A run is in progress: x stops it, r resets it.")
        elif self.editor.selected_demo() is not None:
            self.editor.time_demo(self.editor.selected_demo())
        elif self.session.ready_to_run():
            self.session.begin(paused=False)

    def action_pause(self) -> None:
        self.take_pending_edits()
        self.session.pause()

    def action_step(self) -> None:
        self.take_pending_edits()
        self.session.step()

    def action_stop(self) -> None:
        self.session.stop()

    def action_reset(self) -> None:
        self.session.reset()

    def action_share(self) -> None:
        """The setup as one line (Playground's URL hash), shown and copied to the clipboard."""
        if self.draft is None:
            return
        self.take_pending_edits()
        if not self.draft.valid:
            self.notify("Fix the marked fields first: a share string holds a valid setup.", severity="error")
            return
        try:
            line = to_share_string(self.draft.config)
        except UserError as error:  # a drawn set too large for one line
            self.notify(str(error), severity="error")
            return
        self.copy_to_clipboard(line)
        self.show_message(Text(f"share string (copied; nntui --config-string '…' opens it):\n{line}"))

    def action_draw(self) -> None:
        """Draw mode: points of your own on the plane (nntui/tui/draw.py)."""
        from nntui.tui.draw import enter_draw

        enter_draw(self)

    @on(DrawCanvas.Changed)
    @on(DrawCanvas.Write)
    @on(DrawCanvas.Leave)
    def drawing_changed(self, message) -> None:
        from nntui.tui.draw import handle

        handle(self, message)

    def action_regenerate(self) -> None:
        """Playground's regenerate: the same dataset drawn again from a new data seed."""
        self._reseed("data.seed", "new data")

    def action_reset_new_weights(self) -> None:
        """Playground's reset: new initial weights, from a new training seed (r keeps them)."""
        self._reseed("training.seed", "new initial weights")

    def _reseed(self, path: str, what: str) -> None:
        if self.draft is None:
            return
        self.editor.reseed(path, new_seed(self.draft.get(path)), what)

    def action_compare(self) -> None:
        self.take_pending_edits()
        if self.history.live:
            self.notify("A run is in progress: x stops it, r resets it.")
            return
        if not self.session.ready_to_run():
            return
        config = self.draft.config

        def begin(vary: list[str] | None) -> None:
            if vary:
                self.session.begin(paused=False, vary=vary)

        self.push_screen(ask_vary(lambda vary: make_variants(config, vary)), begin)

    def action_sweep(self) -> None:
        """Ask for a grid, train it in the training process and show its heatmap as it trains."""
        self.take_pending_edits()
        if self.history.live:
            self.notify("A run is in progress: x stops it, r resets it.")
            return
        if not self.session.ready_to_run():
            return
        from nntui.core.sweep import make_grid
        from nntui.storage.runs import RunStore
        from nntui.tui.runner import Job
        from nntui.tui.sweep_screen import ask_grid

        config = self.draft.config

        def begin(texts: list[str] | None) -> None:
            if not texts:
                return
            group = RunStore(self.runs_dir).new_id()
            self.action_reset()
            self.session.history = RunHistory(status=STARTING)
            self.runner.start(Job(config, grid=tuple(texts), group=group))
            self.sweep = SweepScreen(
                make_grid(config, texts), group, self.runs_dir, lambda: self.runner.send("stop")
            )
            self.push_screen(self.sweep, self._sweep_closed)

        self.push_screen(ask_grid(lambda texts: make_grid(config, texts)), begin)

    def _sweep_closed(self, choice: RunChoice | None) -> None:
        self.sweep = None
        self.session.history = RunHistory()
        self._run_chosen(choice)

    def action_runs(self) -> None:
        if self.engine is None:
            self.notify("Still loading torch…")
            return
        from nntui.storage.runs import RunStore  # torch

        self.push_screen(RunsScreen(RunStore(self.runs_dir)), self._run_chosen)

    def _run_chosen(self, choice: RunChoice | None) -> None:
        if choice is None:
            return
        if self.history.live:
            self.notify("A run is in progress: x stops it, r resets it, then pick the run again.")
            return
        from nntui.tui.draft import Draft  # torch

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

    def action_log_y(self) -> None:
        chart = self.loss_chart
        chart.log_y = not chart.log_y

    def action_presets(self) -> None:
        if self.engine is None:
            return
        self.view = "setup"
        select = self.query_one("#preset Select", Select)
        select.focus()
        select.action_show_overlay()

    def action_add_layer(self) -> None:
        self.editor.change_layers(lambda: self.draft.add_layer())

    def action_remove_layer(self) -> None:
        if self.draft is None or not self.draft.layers:
            return
        index = self.editor.focused_layer()
        self.editor.change_layers(lambda: self.draft.remove_layer(index))

    # -- the lesson ----------------------------------------------------------------------------

    @property
    def lesson(self) -> LessonPanel | None:
        panels = self.query(LessonPanel)
        return panels.first() if panels else None

    async def open_lesson(self, index: int = 0) -> None:
        """Lesson mode: the lesson panel above the charts, at lesson `index`, its preset loaded."""
        if self.lesson is None:
            await self.monitor.mount(LessonPanel(index), before=0)
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

    # -- views and screens ---------------------------------------------------------------------

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
        self.notify(self.predictions.toggle_validation())

    def action_discretize(self) -> None:
        self.notify(self.predictions.toggle_crisp())

    def action_help(self) -> None:
        bindings = (
            [*self.screen.BINDINGS, *self.BINDINGS[-2:]]
            if isinstance(self.screen, RunsScreen | SweepScreen)
            else self.BINDINGS
        )
        keys = [(self.get_key_display(binding), binding.description) for binding in bindings]
        limits = self.drawing.budget.limits
        note = (
            f"{limits.name} ({limits.why}): the screen redraws within about "
            f"{limits.bytes_per_s / 1000:g} KB/s, its charts less often"
            if limits.why
            else ""
        )
        self.push_screen(HelpScreen(keys, note))

    def on_resize(self, event: events.Resize) -> None:
        width, height = event.size
        compact = width < COMPACT_BELOW[0] or height < COMPACT_BELOW[1]
        self.screen.set_class(compact, "-compact")
        self.watch_view(self.view)
        self.refresh_bindings()

    # -- quitting ------------------------------------------------------------------------------

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
        if saved and self.compare is not None:
            runs = self.compare.runs
            started = sum(run.status != STARTING for run in runs)
            unstarted = f" (the other {len(runs) - started} had not started)" if started < len(runs) else ""
            return (
                f"nntui: the comparison in progress was stopped and saved as group {saved}: "
                f"{started} of {len(runs)} variants{unstarted} (nntui runs lists them)"
            )
        if saved:
            return f"nntui: the {what} in progress was stopped and saved as {saved} (nntui runs lists it)"
        if live:
            return f"nntui: the {what} in progress was stopped before it could be saved"
        return None

    def on_exit_app(self) -> None:
        """The app ends without q: textual-serve asked it to (the browser page reloaded or closed).
        A live run is stopped and saved, as q saves it."""
        if not self.quitting:
            self.quitting = True
            message = self._end_run_for_quit()
            if message:
                with contextlib.suppress(OSError):
                    print(message, file=sys.__stderr__)

    def close_runner(self, save_within_s: float = 0.0) -> str | None:
        saved = None
        if self.runner is not None:
            saved = self.runner.close(save_within_s)
            self.runner = None
        return saved

    def on_unmount(self) -> None:
        self.close_runner()

    # -- the widgets ---------------------------------------------------------------------------

    @property
    def setup(self) -> VerticalScroll:
        return self.query_one("#setup", VerticalScroll)

    @property
    def monitor(self) -> Vertical:
        return self.query_one("#monitor", Vertical)

    @property
    def loss_chart(self) -> EpochChart:
        return self.query_one("#loss", EpochChart)

    @property
    def accuracy_chart(self) -> EpochChart:
        return self.query_one("#accuracy", EpochChart)

    @property
    def predictions(self) -> Predictions:
        return self.query_one(Predictions)

    @property
    def compare_table(self) -> Static:
        return self.query_one("#compare-table", Static)

    @property
    def message_box(self) -> Static:
        return self.query_one("#message", Static)

    @property
    def status_line(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def typing_line(self) -> Static:
        return self.query_one("#typing", Static)

    @property
    def data_panel(self) -> DataPanel:
        return self.query_one(DataPanel)

    @property
    def architecture_panel(self) -> ArchitecturePanel:
        return self.query_one(ArchitecturePanel)

    @property
    def device_panel(self) -> DevicePanel | None:
        """The device panel, once the setup is mounted: query_one is cached, where a query() walks
        the whole DOM (which took longer than the rest of the status line's update)."""
        try:
            return self.query_one(DevicePanel)
        except NoMatches:
            return None


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
