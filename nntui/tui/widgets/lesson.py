"""The lesson panel: which experiment of the tutorial this is, a few lines on it, and what the
tutorial printed beside what this run measures, as it trains."""

from __future__ import annotations

import math

from rich.text import Text
from textual import work
from textual.containers import VerticalScroll
from textual.widgets import Static

from nntui.core.lessons import LESSONS, Lesson
from nntui.tui.history import RunHistory

KEYS = "s runs it · ] next · [ previous · t leaves the lesson"
SHOWN_EPOCHS = 3  # printed epochs shown at once: the last reached, and the final one


def agreeing_digits(theirs: float, ours: float) -> int:
    if theirs == ours:
        return 17
    if theirs == 0:
        return 0
    return max(0, int(-math.log10(abs(theirs - ours) / abs(theirs))))


def figure_lines(preset, history: RunHistory) -> list[Text]:
    """The tutorial's printed losses by epoch beside this run's (the last batch's loss, as the
    tutorial prints it): the epochs reached so far, latest last, then the final printed one."""
    if not preset.figures:
        return []
    epochs, losses = history.series("batch_loss")
    ours = dict(zip(epochs, losses))
    val_epochs, vals = history.series("val_loss")
    our_vals = dict(zip(val_epochs, vals))
    last = max(preset.figures)
    reached = [epoch for epoch in preset.figures if epoch in ours]
    shown = reached[-SHOWN_EPOCHS:]
    if last not in shown:
        shown = [*shown[-(SHOWN_EPOCHS - 1) :], last]
    lines = [Text("epoch  tutorial printed   this run", style="bold")]
    for epoch in shown:
        train, val = preset.figures[epoch]
        lines.append(_row(epoch, "loss", train, ours.get(epoch), preset.exact))
        if val is not None:
            slip = 1 if epoch == last else preset.in_loop_val_slip
            label = "val" if slip == 1 else f"val÷{slip:g}"
            lines.append(_row(epoch, label, val / slip, our_vals.get(epoch), preset.exact))
    return lines


def _row(epoch: int, label: str, theirs: float, ours: float | None, exact: bool) -> Text:
    line = Text(f"{epoch:>5}  {label:<7} {theirs:<10.6g} ")
    if ours is None:
        line.append("…", "dim")
        return line
    line.append(f"{ours:<10.6g}")
    digits = agreeing_digits(theirs, ours)
    if exact and digits >= 5:
        line.append(" ✓ same", "green")
    else:
        line.append(f" ≈ {min(digits, 9)} digits" if exact else " ~ in distribution", "yellow")
    return line


def printed_lines(preset, values: dict) -> list[Text]:
    """Each tensor or loss the tutorial printed, one line, with this run's beside it."""
    from nntui.engine.printed import compare, short

    lines = []
    for row in compare(preset.printed, values):
        line = Text(f"{row.printed.label}: ", style="bold")
        line.append(short(row.printed.text, 34))
        if row.ours is None:
            line.append("  this run: …", "dim")
        elif row.same:
            line.append("  this run ✓ same", "green")
        else:
            line.append(f"  this run ✗ {short(row.ours, 30)}", "yellow")
        lines.append(line)
    return lines


class LessonPanel(VerticalScroll):
    """Shows `LESSONS[index]`; `show(history)` refreshes the figures (at chart time, not per step)."""

    DEFAULT_CSS = """
    LessonPanel { height: auto; max-height: 45%; border: round $accent; padding: 0 1;
                  scrollbar-size-vertical: 1; }
    LessonPanel Static { height: auto; }
    """

    def __init__(self, index: int = 0) -> None:
        super().__init__(id="lesson")
        self.index = index
        self.values: dict = {}
        self.history = RunHistory()

    @property
    def lesson(self) -> Lesson:
        return LESSONS[self.index]

    @property
    def demo(self) -> bool:
        return self.lesson.demo

    def compose(self):
        yield Static(id="lesson-text")

    def on_mount(self) -> None:
        self.go(self.index)

    def go(self, index: int) -> None:
        """Show lesson `index` (its preset is loaded by the app) and work out its printed tensors."""
        self.index, self.values, self.history = index, {}, RunHistory()
        self.border_title = f"lesson {index + 1}/{len(LESSONS)} · {self.lesson.preset}"
        self.border_subtitle = KEYS
        self._update_text()
        self.scroll_home(animate=False)
        self._initial_values(self.lesson.preset)

    @work(thread=True, exclusive=True, group="lesson")
    def _initial_values(self, name: str) -> None:
        from nntui.engine.presets import PRESETS
        from nntui.engine.printed import LOSS_AFTER, LOSS_BEFORE, initial_values
        from nntui.engine.trainer import Trainer

        preset = PRESETS.get(name)
        needs = {item.source for item in preset.printed} - {LOSS_BEFORE, LOSS_AFTER}
        if preset.config is None or not needs:
            return
        values = initial_values(Trainer(preset.config))  # the same build the run makes
        self.app.call_from_thread(self._got_values, name, values)

    def _got_values(self, name: str, values: dict) -> None:
        if name == self.lesson.preset:
            self.values.update(values)
            self._update_text()

    def show(self, history: RunHistory) -> None:
        from nntui.engine.printed import run_values

        self.history = history
        epochs, losses = history.series("batch_loss")
        first = losses[0] if epochs and epochs[0] == 0 else None
        self.values.update(run_values(first, history.outcome))
        self._update_text()

    def _update_text(self) -> None:
        from nntui.engine.presets import PRESETS

        lesson = self.lesson
        preset = PRESETS.get(lesson.preset)
        figures = Text()
        lines = [*printed_lines(preset, self.values), *figure_lines(preset, self.history)]
        if lines:
            figures.append("\ntutorial printed, beside this run:", "bold")
            for line in lines:
                figures.append("\n")
                figures.append_text(line)
        words = Text("\n" + lesson.text)
        text = Text(lesson.title, "bold")
        for part in (figures, words) if self.history.exists else (words, figures):
            text.append_text(part)  # once a run is under way its figures come first
        if preset.notes:
            text.append("\n" + preset.notes, "dim")
        self.query_one("#lesson-text", Static).update(text)
