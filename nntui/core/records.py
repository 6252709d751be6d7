"""A runs table as the CLI prints it and the app shows it: columns, cells and sort orders, and
the formats a run exports to. Light on purpose (no torch): the CLI builds its argument parser from
these, and `nntui` must paint its first frame before torch is imported."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nntui.storage.runs import RunRecord

# How a runs table sorts (`nntui runs --sort KEY`, and `s` on the app's runs screen): how to read
# the key from a run, and whether the largest comes first.
SORT_KEYS: dict[str, tuple[Callable[[RunRecord], Any], bool]] = {
    "created": (lambda run: run.id, True),
    "name": (lambda run: run.name, False),
    "status": (lambda run: run.status, False),
    "dataset": (lambda run: run.dataset, False),
    "architecture": (lambda run: run.architecture, False),
    "optimizer": (lambda run: run.optimizer, False),
    "lr": (lambda run: run.lr, False),
    "epochs": (lambda run: run.epochs_done, True),
    "train_loss": (lambda run: run.train_loss, False),
    "val_loss": (lambda run: run.val_loss, False),
    "accuracy": (lambda run: run.accuracy, True),
    "duration": (lambda run: run.duration_s, True),
    "device": (lambda run: run.device, False),
}
SORT_NAMES = list(SORT_KEYS)
EXPORT_FORMATS = ("csv", "json", "pt", "py")
RUN_COLUMNS = (
    "id", "name", "status", "dataset", "architecture", "optimizer", "lr", "epochs",
    "train loss", "val loss", "accuracy", "duration", "device",
)  # fmt: skip


def sorted_runs(runs: list[RunRecord], sort: str) -> list[RunRecord]:
    """Runs in `sort` order; those without that figure (e.g. no accuracy) last."""
    key, largest_first = SORT_KEYS[sort]
    known = [run for run in runs if key(run) is not None]
    return sorted(known, key=key, reverse=largest_first) + [run for run in runs if key(run) is None]


def table_row(run: RunRecord) -> tuple[str, ...]:
    """One run as the cells of RUN_COLUMNS."""
    return (
        run.id,
        run.name,
        run.status,
        run.dataset,
        run.architecture,
        run.optimizer,
        f"{run.lr:g}",
        f"{run.epochs_done}/{run.epochs}",
        figure_text(run.train_loss),
        figure_text(run.val_loss),
        "-" if run.accuracy is None else f"{run.accuracy:.4f}",
        duration_text(run.duration_s),
        run.device,
    )


def figure_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def duration_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m {seconds:02d}s"
