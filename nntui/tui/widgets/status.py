"""The status line: state, epoch, loss, accuracy, speed and time left."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from nntui.tui.history import DIVERGED, FAILED, FINISHED, PAUSED, STARTING, STOPPED, TRAINING, RunHistory

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
        text.append(f" at epoch {outcome.epoch}", "bold red")
    if history.total_epochs:
        text.append(f"  epoch {history.epochs_done}/{history.total_epochs}")
    last = history.last
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


def format_duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class StatusLine(Static):
    # Wraps onto a second line when the terminal is too narrow for every figure (80 columns).
    DEFAULT_CSS = "StatusLine { height: auto; max-height: 3; background: $panel; padding: 0 1; }"
