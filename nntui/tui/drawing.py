"""The monitor's drawing: the charts, the predictions (or a comparison's table), the status line
and the device's speed, each redrawn only when it is stale and the screen budget lets it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text

from nntui.tui.budget import Limits, Part, ScreenBudget
from nntui.tui.history import FINISHED, READY, TRAINING
from nntui.tui.runner import SNAPSHOT_EVERY_S
from nntui.tui.widgets.charts import Line, epoch_span, train_and_validation
from nntui.tui.widgets.status import compare_table, compare_text, status_text

if TYPE_CHECKING:
    from nntui.tui.app import NntuiApp

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


class Drawing:
    """Draws the run (or comparison) the app's session holds, in the app's widgets; `stale`
    says which parts have news not drawn yet, the budget when they may be drawn again."""

    def __init__(self, app: NntuiApp, limits: Limits) -> None:
        self.app = app
        self.budget = ScreenBudget(limits, {name: Part(*part) for name, part in LIVE_PARTS.items()})
        self.stale = {"charts": False, "predictions": False, "status": False}
        self.status_shown = ""

    def mark_stale(self, charts: bool, predictions: bool) -> None:
        self.stale["charts"] |= charts
        self.stale["predictions"] |= predictions

    def draw_due(self, news: bool) -> None:
        """After a poll: draw the stale parts that are due (`news`: events came in)."""
        history = self.app.history
        budget, now, done = self.budget, time.monotonic(), not history.live
        charts = self.stale["charts"] and (done or budget.due("charts", now))
        # one big part a frame: the bytes go out evenly, and each part's cost is measured on its own
        predictions = self.stale["predictions"] and (done or (budget.due("predictions", now) and not charts))
        self.stale["status"] |= news
        if getattr(self.app.screen, "covers_monitor", False):  # the inside screen: drawn once it is left
            return
        status = self.stale["status"] and (
            done or budget.due("status", now) or history.status != self.status_shown
        )
        if not (charts or predictions or status):
            return
        frame = budget.begin(time.thread_time())  # the UI thread's: a ThreadRunner trains apart
        self.redraw(charts=charts, predictions=predictions)
        if status:
            self.show_status()
        self.app.call_after_refresh(self._painted, frame)

    def _painted(self, frame: int) -> None:
        self.budget.painted(frame, time.thread_time(), learn=self.app.history.live)

    def redraw(self, charts: bool, predictions: bool) -> None:
        app, now = self.app, time.monotonic()
        history = app.history
        if app.compare is not None:
            self._redraw_comparison(charts, predictions, now)
            return
        if charts:
            loss_name = self.loss_name()
            untrained = history.status == FINISHED and not history.epochs
            app.loss_chart.empty = (
                "0 epochs: the untrained network, no loss curve" if untrained else "press s to start training"
            )
            loss = train_and_validation(*history.series("train_loss"), *history.series("val_loss"))
            app.loss_chart.show(f"{loss_name} loss", loss)
            every = history.started.config.training.val_every if history.started else 1
            app.accuracy_chart.show(
                "accuracy" if every == 1 else f"accuracy · every {every} epochs",
                train_and_validation(*history.series("train_accuracy"), *history.series("val_accuracy")),
                y_range=(0, 1),
                x_range=epoch_span(loss),  # the loss chart's epochs: both charts end at the same one
            )
            self.drawn("charts", now, app.loss_chart, app.accuracy_chart)
            if app.lesson is not None:
                app.lesson.show(history)
        if predictions:
            every_s = max(SNAPSHOT_EVERY_S, PREDICTIONS_EVERY_S) if history.status == TRAINING else None
            app.predictions.show(history.snapshot, redrawn_every_s=every_s)
            self.drawn("predictions", now, app.predictions)

    def _redraw_comparison(self, charts: bool, predictions: bool, now: float) -> None:
        """Each variant's validation loss (train loss without a validation set) on one chart."""
        app, compare = self.app, self.app.compare
        if charts:
            validation = any(run.latest("val_loss") is not None for run in compare.runs)
            which = "val" if validation else "train"
            lines = [
                Line(label, *run.series(f"{which}_loss")) for label, run in zip(compare.labels, compare.runs)
            ]
            app.loss_chart.show(f"{which} loss per variant", lines)
            accuracy = [
                Line(label, *run.series("val_accuracy")) for label, run in zip(compare.labels, compare.runs)
            ]
            app.accuracy_chart.show(
                "val accuracy per variant", accuracy, y_range=(0, 1), x_range=epoch_span(lines)
            )
            self.drawn("charts", now, app.loss_chart, app.accuracy_chart)
        if predictions:
            app.compare_table.update(compare_table(compare))
            self.drawn("predictions", now, app.compare_table)

    def drawn(self, part: str, now: float, *widgets) -> None:
        """Tell the budget that `part`, made of `widgets`, was redrawn."""
        self.stale[part] = False
        self.budget.drawn(part, now, sum(widget.size.area for widget in widgets if widget is not None))

    def loss_name(self) -> str:
        app = self.app
        config = (
            app.history.started.config if app.history.started else app.draft.config if app.draft else None
        )
        if config and config.model.output == "playground":
            return "½(out−y)²"
        return "cross-entropy" if config and config.resolved_task == "classification" else "MSE"

    def show_status(self) -> None:
        app = self.app
        problems = len(app.draft.problems) if app.draft else 0
        if app.compare is not None:
            app.status_line.show(compare_text(app.compare, self.loss_name()))
        else:
            phrases = status_text(app.history, self.loss_name(), problems)
            if self.budget.limits.why and app.history.status == READY:
                phrases.append(Text(f"{self.budget.limits.name}: charts redraw less often", "dim"))
            app.status_line.show(phrases)
        panel = app.device_panel
        if panel is not None:
            panel.live = self.device_text()
        self.status_shown = app.history.status
        live = panel.query_one("#device-live") if panel is not None else None
        self.drawn("status", time.monotonic(), app.status_line, live)

    def device_text(self) -> str:
        """Where the run shown trains or trained, how fast and, on CUDA, with how much memory."""
        history = self.app.history
        started, last = history.started, history.last
        if self.app.compare is not None or (started is None and not history.live):
            return ""
        if started is None:  # as many lines as the run will show: the panel does not move
            return "in use: starting…\nspeed: after an epoch"
        device = started.device
        if started.device_description != device:  # a saved run keeps only the device's name
            device = f"{device} ({started.device_description})"
        lines = [f"in use: {device}" if history.live else f"trained on: {device}"]
        if history.live:  # a line from the start: the first epoch's speed moves no panel
            lines.append(f"{last.samples_per_s:,.0f} samples/s" if last else "speed: after an epoch")
        if history.memory_bytes is not None:
            lines.append(f"memory in use: {history.memory_bytes / 2**20:,.0f} MiB")
        return "\n".join(lines)
