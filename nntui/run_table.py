"""A runs table as the CLI prints it and the app shows it: columns, cells and sort orders, and
the formats a run exports to. Light on purpose (no torch): the CLI builds its argument parser from
these, and `nntui` must paint its first frame before torch is imported."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nntui.runs import RunRecord

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


# What `nntui runs` keeps in a narrow terminal, most needed first: once long names and networks
# are cut short, columns are left out from the end of this list until the table fits.
COLUMN_PRIORITY = (
    "id", "name", "status", "train loss", "val loss", "epochs", "accuracy", "architecture",
    "dataset", "lr", "optimizer", "duration", "device",
)  # fmt: skip
CUT_TO = {"name": 24, "architecture": 18}  # cut in the middle: "playgrou…[seed=3]"
NARROWEST_NAME = 8  # the name is cut no shorter than this, however narrow the terminal
GAP = 2  # spaces between columns


def fit_columns(
    rows: list[tuple[str, ...]],
    width: int | None,
    priority: tuple[str, ...] = COLUMN_PRIORITY,
    always_shown: int = 3,
) -> dict[str, int]:
    """The columns of a table (its header first) to show in `width` characters a line, and how
    wide each: long names and networks cut, then columns left out from the end of `priority`
    (never its first `always_shown`); every column in full with None."""
    header = list(rows[0])
    widths = {name: max(len(row[i]) for row in rows) for i, name in enumerate(header)}
    full, shown = dict(widths), list(header)

    def line_width() -> int:
        return sum(widths[name] for name in shown) + GAP * (len(shown) - 1)

    if width is not None and line_width() > width:
        for name, most in CUT_TO.items():
            widths[name] = min(widths[name], max(most, len(name)))
        droppable = list(reversed(priority[always_shown:]))
        while line_width() > width and droppable:
            shown.remove(droppable.pop(0))
        for name in CUT_TO:  # what leaving columns out freed goes back to the text cut short
            if name in shown:
                widths[name] = min(full[name], widths[name] + max(width - line_width(), 0))
        if line_width() > width:  # still too wide: the name is cut further
            widths["name"] = max(NARROWEST_NAME, widths["name"] - (line_width() - width))
    return {name: widths[name] for name in shown}


def cut_middle(text: str, width: int) -> str:
    """`text` in `width` characters, its middle replaced by "…": both ends of a name say which run."""
    if len(text) <= width:
        return text
    tail = (width - 1) // 2
    return f"{text[: width - 1 - tail]}…{text[len(text) - tail :] if tail else ''}"
