"""The run the app shows: started, paused, stepped, stopped and reset through the runner; its
events (or a comparison's) folded into a history for the drawing; saved runs opened or continued."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nntui.core.errors import UserError
from nntui.core.variants import Variant, make_variants
from nntui.tui.history import DIVERGED, FAILED, PAUSED, STARTING, TRAINING, CompareHistory, RunHistory
from nntui.tui.runner import Batch, Job
from nntui.tui.screens import ConfirmScreen

if TYPE_CHECKING:
    from nntui.tui.app import NntuiApp
    from nntui.tui.draft import Draft


class RunSession:
    """One run (or comparison) at a time: `history` is what the monitor shows, `compare` the
    comparison's histories when one is shown, `in_run` the live run's config as a Draft (read
    field by field as the fields are)."""

    def __init__(self, app: NntuiApp) -> None:
        self.app = app
        self.history = RunHistory()
        self.compare: CompareHistory | None = None
        self.in_run: Draft | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def ready_to_run(self) -> bool:
        app = self.app
        if app.runner is None:
            app.notify("Still loading torch…")
            return False
        if not app.draft.valid:
            app.notify("Fix the marked fields first.", severity="error")
            return False
        return self.runs_folder_usable()

    def runs_folder_usable(self) -> bool:
        """Every run is saved when it ends: one that could not be is not started."""
        from nntui.storage.runs import RunStore  # torch

        try:
            RunStore(self.app.runs_dir).ensure_writable()
        except UserError as error:
            message = f"{error}; --runs-dir or NNTUI_RUNS_DIR chooses another"
            self.app.show_message(message, error=True)
            self.app.notify(message, severity="error")
            return False
        return True

    def begin(self, paused: bool, vary: list[str] | None = None) -> None:
        from nntui.tui.draft import Draft  # torch
        from nntui.tui.draw import leave_draw

        app = self.app
        leave_draw(app)
        self.history = RunHistory(status=STARTING)
        self.compare = None
        config = app.draft.config
        app.monitor.set_class(False, "-comparing")
        if vary:
            self.show_comparison(make_variants(config, vary))
        app.show_message("")
        app.runner.start(Job(config, tuple(vary or ())), paused=paused)
        self.in_run = Draft.of(config)
        app.drawing.redraw(charts=True, predictions=True)
        app.drawing.show_status()
        app.view = "monitor"
        app.screen.set_focus(None)

    def pause(self) -> None:
        """Pause a training run, resume a paused one."""
        if self.history.status == TRAINING:
            self.app.runner.send("pause")
        elif self.history.status == PAUSED:
            self.app.runner.send("resume")
        else:
            self.app.notify("Nothing is training: s starts a run.")

    def step(self) -> None:
        """One step of a live run; else a new run, paused after its first step."""
        if self.history.live:
            self.app.runner.send("step")
        elif self.ready_to_run():
            self.begin(paused=True)

    def stop(self) -> None:
        if self.history.live:
            self.app.runner.send("stop")
            if self.compare is not None:
                self.compare.stopping = True

    def reset(self) -> None:
        app = self.app
        if app.runner is not None and self.history.live:
            app.runner.discard()
            app.notify("The run was stopped; it is kept as a stopped run (h lists runs).")
        self.history = RunHistory()
        self.compare = None
        app.monitor.set_class(False, "-comparing")
        app.drawing.redraw(charts=True, predictions=True)
        app.drawing.show_status()

    def set_lr(self, lr: float) -> None:
        """A new learning rate for the live run, from its next step."""
        self.app.runner.send("set_lr", lr)
        self.in_run.set("training.lr", lr)
        self.app.notify(f"learning rate is now {lr:g}")

    def end_run_then(self, change: str, go_on: Callable[[bool], Any]) -> None:
        """Clear the current run, then `go_on(True)`. A live run is stopped (and saved as stopped)
        only if the person agrees, else `go_on(False)`; a run that has ended is saved already,
        so nothing is asked."""

        def answer(yes: bool) -> None:
            if yes:
                self.app.action_reset()
            go_on(yes)

        if self.history.live:
            question = f"{change} stops the current run; it is kept as a stopped run (h lists runs). Go on?"
            self.app.push_screen(ConfirmScreen(question), answer)
        else:
            answer(True)

    # -- events -------------------------------------------------------------------------------

    def poll(self) -> None:
        """Fold in what the runner sent since the last poll, then draw what is due."""
        app = self.app
        batches = app.runner.drain()
        for batch in batches:
            if app.sweep is not None:
                app.sweep.take(batch)
                self.history.status = app.sweep.status
                continue
            if self.compare is not None:
                self._consume_comparison(batch)
            else:
                self.consume(batch.events, redraw=False)
            if batch.memory_bytes is not None:
                self.history.memory_bytes = batch.memory_bytes
            if batch.note:
                app.show_message(batch.note, error=True)
            if batch.saved and self.compare is None:
                app.notify(f"saved as run {batch.saved} · h lists the runs", timeout=4)
        app.drawing.draw_due(news=bool(batches))

    def consume(self, events: list, redraw: bool = True) -> None:
        """Fold a run's events into the view."""
        app = self.app
        was = self.history.status
        app.drawing.mark_stale(*self.history.consume(events))
        if self.history.status != was and self.history.status in (DIVERGED, FAILED):
            app.show_message(self.history.outcome.message, error=True)
        if redraw:
            app.drawing.redraw(charts=True, predictions=True)
            app.drawing.show_status()

    # -- comparisons --------------------------------------------------------------------------

    def show_comparison(self, variants: list[Variant], pairs: list = (), group: str | None = None) -> None:
        """Show a comparison of `variants` and its (index, event) pairs so far, as a live one is
        shown; `group` once it is saved."""
        app = self.app
        self.compare = CompareHistory.of(variants)
        app.monitor.set_class(True, "-comparing")
        self.compare.consume(list(pairs))
        self.compare.group = group
        self.history.status = self.compare.status
        app.drawing.redraw(charts=True, predictions=True)
        app.drawing.show_status()

    def _consume_comparison(self, batch: Batch) -> None:
        app, compare = self.app, self.compare
        failed = [event for event in batch.events if not isinstance(event, tuple)]
        compare.consume([item for item in batch.events if isinstance(item, tuple)])
        if batch.saved:
            compare.group = batch.saved
            app.notify(f"saved as group {batch.saved} · h lists the runs", timeout=4)
        if failed:  # the comparison could not start
            self.compare = None
            app.monitor.set_class(False, "-comparing")
            self.consume(failed, redraw=False)
            return
        self.history.status = compare.status
        app.drawing.mark_stale(charts=True, predictions=True)

    # -- saved runs ---------------------------------------------------------------------------

    def open_run(self, record) -> None:
        """Show a saved run's charts, then its predictions once its model is loaded."""
        from nntui.storage.runs import RunStore, saved_events  # torch

        app = self.app
        store = RunStore(app.runs_dir)
        try:
            events = saved_events(record, store.history(record.id))
        except UserError as error:
            app.show_message(str(error), error=True)
            return
        self.history = RunHistory()
        self.consume(events)
        app.predictions.show(None, "loading the saved model…")
        app.show_message(f"saved run {record.id} ({record.status}) · s trains this config again")
        app._load_predictions(store, record)

    def continue_run(self, record) -> None:
        """Train a saved run on from where it ended; its earlier epochs stay on the charts."""
        from nntui.storage.runs import RunStore, saved_events  # torch
        from nntui.tui.draft import Draft

        app = self.app
        try:
            earlier = saved_events(record, RunStore(app.runs_dir).history(record.id))
        except UserError as error:
            app.show_message(str(error), error=True)
            return
        if not self.runs_folder_usable():
            return
        self.history = RunHistory(status=STARTING)
        self.history.consume(earlier[:-1])  # its epochs, not how it ended
        app.show_message("")
        app.runner.start(Job(app.draft.config, resume=record.id))
        self.in_run = Draft.of(app.draft.config)
        app.drawing.redraw(charts=True, predictions=True)
        app.view = "monitor"
        app.screen.set_focus(None)

    def show_saved_snapshot(self, snapshot) -> None:
        if not self.history.live and self.history.started is not None:
            self.history.snapshot = snapshot
            self.app.drawing.redraw(charts=False, predictions=True)

    def saved_snapshot_failed(self, error: str) -> None:
        if not self.history.live and self.history.started is not None:
            self.app.predictions.show(None, "unavailable: the saved model could not be loaded")
            self.app.show_message(f"predictions unavailable: {error}", error=True)
