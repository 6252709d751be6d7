"""The status line: state, epoch, loss, accuracy, speed and time left."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
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

STATE_STYLES = {
    TRAINING: "bold green",
    PAUSED: "bold yellow",
    FINISHED: "bold cyan",
    STOPPED: "bold cyan",
    DIVERGED: "bold red",
    FAILED: "bold red",
    STARTING: "bold",
}


def status_text(history: RunHistory, loss_name: str, problems: int = 0) -> Text:
    text = Text()
    status = history.status
    if status == "ready" and problems:
        text.append(f"■ invalid config: {problems} problem{'s' * (problems > 1)}", "bold red")
        text.append(" — fix the marked fields to start")
        return text
    text.append(f"■ {status}", STATE_STYLES.get(status, "bold"))
    outcome = history.outcome
    if status == DIVERGED and outcome is not None:
        text.append(f" at epoch {outcome.epoch + 1}", "bold red")
    if history.total_epochs:
        text.append(f"  epoch {history.epochs_done}/{history.total_epochs}")
    last = history.last
    if last is None and status == FINISHED and outcome is not None and outcome.train_loss is not None:
        text.append(f"  0 epochs: the untrained network  {loss_name} {outcome.train_loss:.4g}")
    if last is not None:
        text.append(f"  {loss_name} {last.train_loss:.4g}")
        if history.val_loss:
            text.append(f"  val {history.val_loss[-1]:.4g}")
        if last.train_accuracy is not None:
            text.append(f"  acc {last.train_accuracy:.1%}")
        if history.val_accuracy:
            text.append(f"  val acc {history.val_accuracy[-1]:.1%}")
        if status in (TRAINING, PAUSED):
            text.append(f"  {last.samples_per_s:,.0f} samples/s")
    eta = history.eta_s
    if eta is not None:
        text.append(f"  ETA {format_duration(eta)}")
    if status in (FINISHED, STOPPED) and outcome is not None:
        text.append(f"  in {outcome.duration_s:.2f} s")
    if status == "ready":
        text.append("  press s to start, ? for keys", "dim")
    return text


def compare_text(compare: CompareHistory, loss_name: str) -> Text:
    """The status line of a comparison: its state, epochs done over all variants, the best one."""
    status = compare.status
    text = Text()
    text.append(f"■ {'comparing' if status == TRAINING else status}", STATE_STYLES.get(status, "bold"))
    text.append(
        f" {len(compare.labels)} variants  epochs {compare.epochs_done}/{compare.total_epochs or '?'}"
    )
    best = compare.best()
    if best is not None:
        run = compare.runs[best]
        figure = f"val {run.val_loss[-1]:.4g}" if run.val_loss else f"{loss_name} {run.train_loss[-1]:.4g}"
        text.append(f"  best: {compare.labels[best]} ({figure})")
    if compare.group is not None:
        text.append(f"  saved as group {compare.group} · h lists them", "dim")
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
            f"{run.train_loss[-1]:.4g}" if run.train_loss else "-",
            f"{run.val_loss[-1]:.4g}" if run.val_loss else "-",
            f"{run.val_accuracy[-1]:.1%}" if run.val_accuracy else "-",
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


class StatusLine(Static):
    # Wraps onto a second line when the terminal is too narrow for every figure (80 columns).
    DEFAULT_CSS = "StatusLine { height: auto; max-height: 3; background: $panel; padding: 0 1; }"
