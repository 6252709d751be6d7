"""The status line: state, epoch, loss, accuracy, speed and time left."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from nntui.tui.history import (
    DIVERGED,
    FAILED,
    FINISHED,
    PAUSED,
    STARTING,
    STOPPED,
    TRAINING,
    CompareHistory,
    RunHistory,
)
from nntui.tui.widgets.charts import marker_of

# Light enough for 4.5:1 on the status line in 256 and 16 colours and in grey (NO_COLOR=1)
STATE_STYLES = {
    TRAINING: "bold #87ff87",
    PAUSED: "bold #ffd75f",
    FINISHED: "bold #5fd7ff",
    STOPPED: "bold #5fd7ff",
    DIVERGED: "bold #ff8787",
    FAILED: "bold #ff8787",
    STARTING: "bold",
}
ERROR_STYLE = STATE_STYLES[FAILED]


def status_text(history: RunHistory, loss_name: str, problems: int = 0) -> list[Text]:
    """The status line's phrases: the state, then the epoch and the latest figures."""
    status = history.status
    if status == "ready" and problems:
        return [
            Text(f"■ invalid config: {problems} problem{'s' * (problems > 1)}", ERROR_STYLE),
            Text("fix the marked fields to start"),
        ]
    state = Text(f"■ {status}", STATE_STYLES.get(status, "bold"))
    phrases = [state]
    outcome = history.outcome
    if status == DIVERGED and outcome is not None:
        state.append(f" at epoch {outcome.epoch + 1}", STATE_STYLES[DIVERGED])
    if history.total_epochs:
        phrases.append(Text(f"epoch {history.epochs_done}/{history.total_epochs}"))
    last = history.last
    if last is None and status == FINISHED and outcome is not None and outcome.train_loss is not None:
        phrases.append(Text("0 epochs: the untrained network"))
        phrases.append(Text(f"{loss_name} {outcome.train_loss:.4g}"))
    if last is not None:
        phrases.append(Text(f"{loss_name} {last.train_loss:.4g}"))
        if history.latest("val_loss") is not None:
            phrases.append(Text(f"val {history.latest('val_loss'):.4g}"))
        if last.train_accuracy is not None:
            phrases.append(Text(f"acc {last.train_accuracy:.1%}"))
        if history.latest("val_accuracy") is not None:
            phrases.append(Text(f"val acc {history.latest('val_accuracy'):.1%}"))
        if status in (TRAINING, PAUSED):
            phrases.append(Text(f"{last.samples_per_s:,.0f} samples/s"))
    if history.edited is not None:
        phrases.append(Text(f"edited: {loss_name} {history.edited.train_loss:.4g}", STATE_STYLES[PAUSED]))
    eta = history.eta_s
    if eta is not None:
        phrases.append(Text(f"ETA {format_duration(eta)}"))
    if status in (FINISHED, STOPPED) and outcome is not None:
        phrases.append(Text(f"in {outcome.duration_s:.2f} s"))
    if status == "ready":
        phrases.append(Text("press s to start, ? for keys", "dim"))
    return phrases


def compare_text(compare: CompareHistory, loss_name: str) -> list[Text]:
    """The status line of a comparison: its state, epochs done over all variants, the best one."""
    status = compare.status
    phrases = [
        Text(f"■ {'comparing' if status == TRAINING else status}", STATE_STYLES.get(status, "bold")),
        Text(f"{len(compare.labels)} variants"),
        Text(f"epochs {compare.epochs_done}/{compare.total_epochs or '?'}"),
    ]
    best = compare.best()
    if best is not None:
        run = compare.runs[best]
        val_loss = run.latest("val_loss")
        figure = (
            f"val {val_loss:.4g}" if val_loss is not None else f"{loss_name} {run.latest('train_loss'):.4g}"
        )
        phrases.append(Text(f"best: {compare.labels[best]} ({figure})"))
    if compare.group is not None:
        phrases.append(Text(f"saved as group {compare.group} · h lists them", "dim"))
    return phrases


def packed(phrases: list[Text], width: int, gap: str = "  ") -> Text:
    """`phrases` joined by `gap`, a line broken between two phrases where the next would not fit
    (a phrase longer than the width is cut)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    column = 0
    for phrase in phrases:
        if column and column + len(gap) + phrase.cell_len > width:
            text.append("\n")
            column = 0
        elif column:
            text.append(gap)
            column += len(gap)
        text.append_text(phrase)
        column += phrase.cell_len
    return text


def compare_table(compare: CompareHistory) -> Table:
    """One row per variant, the best marked: where a comparison stands."""
    table = Table(title="variants", title_justify="left", expand=True, box=None, padding=(0, 1))
    for column in ("", "variant", "status", "epoch", "train loss", "val loss", "val acc"):
        table.add_column(column, justify="left" if column in ("", "variant", "status") else "right")
    best = compare.best()
    for index, (label, run) in enumerate(zip(compare.labels, compare.runs)):
        table.add_row(
            "★" if index == best else "",
            Text(f"{marker_of(index)[2]} {label}"),
            run.status,
            f"{run.epochs_done}/{run.total_epochs or '?'}",
            _figure(run.latest("train_loss"), ".4g"),
            _figure(run.latest("val_loss"), ".4g"),
            _figure(run.latest("val_accuracy"), ".1%"),
        )
    return table


def typing_text(label: str) -> Text:
    """What the footer says while keys go into a field rather than acting as commands."""
    return Text.assemble(
        "typing into ",
        (label, "bold"),
        " · ",
        ("enter", "bold"),
        " or ",
        ("esc", "bold"),
        " leaves the field, then keys are commands again",
    )


def format_duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class SteadyStatic(Static):
    """A Static that asks for a layout pass, which repaints its neighbours as well, only when its
    text's wrapped height changes: the status line and the training speed change several times a
    second, and the rest of the screen need not be sent again each time."""

    def update(self, content: str | Text = "", *, layout: bool = True) -> None:
        rows = self._rows(content)
        super().update(content, layout=layout and (rows is None or rows != self._rows(self.content)))

    def _rows(self, content) -> int | None:
        width = self.content_size.width
        if not isinstance(content, str | Text) or not self.is_mounted or width <= 0:
            return None
        text = Text(content) if isinstance(content, str) else content
        return len(text.wrap(self.app.console, width))


class StatusLine(Widget):
    """The phrases of `status_text` or `compare_text`, on as many lines as the width needs
    (up to three), broken between phrases."""

    DEFAULT_CSS = "StatusLine { height: auto; max-height: 3; background: $panel-darken-1; padding: 0 1; }"

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.phrases: list[Text] = []

    def show(self, phrases: list[Text]) -> None:
        self.phrases = phrases
        self.refresh(layout=True)

    def render(self) -> Text:
        return packed(self.phrases, self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return packed(self.phrases, width).plain.count("\n") + 1


def _figure(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)
