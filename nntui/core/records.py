"""A runs table as the CLI prints it and the app shows it: columns, cells and sort orders, and
the formats a run exports to. Light on purpose (no torch): the CLI builds its argument parser from
these, and `nntui` must paint its first frame before torch is imported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from nntui.core.config import RunConfig
from nntui.core.events import Status
from nntui.core.metrics import FORMAT

_STATUSES = tuple(Status)


@dataclass(frozen=True)
class RunRecord:
    """A saved run as listed: one row of the runs table, and the config to train it again.
    Final figures are on the whole sets when the run finished or stopped, else its last epoch's."""

    id: str
    name: str
    created: str
    status: str
    config: RunConfig
    device: str = ""
    architecture: str = ""
    parameters: int = 0
    epochs_done: int = 0
    duration_s: float = 0.0
    train_loss: float | None = None
    val_loss: float | None = None
    train_accuracy: float | None = None
    val_accuracy: float | None = None
    message: str = ""
    group: str = ""
    resumed_from: str = ""
    has_model: bool = False
    process: str = ""  # host:pid of the process saving it while it trains

    @property
    def dataset(self) -> str:
        return self.config.data.dataset

    @property
    def optimizer(self) -> str:
        return self.config.training.optimizer

    @property
    def lr(self) -> float:
        return self.config.training.lr

    @property
    def epochs(self) -> int:
        return self.config.training.epochs

    @property
    def accuracy(self) -> float | None:
        """Validation accuracy where there is a validation set, else training accuracy."""
        return self.val_accuracy if self.val_accuracy is not None else self.train_accuracy

    @property
    def label(self) -> str:
        """How a chart names this run's series."""
        return f"{self.name} ({self.id})"

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["config"] = self.config.to_dict()
        return {"format": FORMAT, **out}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunRecord:
        """A record read through its schema: each field must have its type (a float field takes
        a whole number too; an optional figure takes null), else ValueError names the field."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError("not an nntui run record")
        values: dict[str, Any] = {}
        for item in fields(cls):
            if item.name not in raw:
                if item.name in _REQUIRED:
                    raise ValueError(f"missing field {item.name!r}")
                continue
            value = raw[item.name]
            if item.name == "config":
                values["config"] = RunConfig.from_dict(value)
                continue
            kinds = _SCHEMA[item.name]
            if not _fits(value, kinds):
                names = " or ".join(_KIND_NAMES[kind] for kind in kinds)
                raise ValueError(f"field {item.name!r} must be {names}, got {_short(value)}")
            values[item.name] = float(value) if float in kinds and _fits(value, (int,)) else value
        if values["status"] not in {status.value for status in _STATUSES}:
            raise ValueError(f"field 'status' is not a run status: {_short(values['status'])}")
        return cls(**values)


_REQUIRED = ("id", "name", "created", "status", "config")
_SCHEMA: dict[str, tuple[type, ...]] = {
    "id": (str,), "name": (str,), "created": (str,), "status": (str,), "device": (str,),
    "architecture": (str,), "parameters": (int,), "epochs_done": (int,), "duration_s": (float,),
    "train_loss": (float, type(None)), "val_loss": (float, type(None)),
    "train_accuracy": (float, type(None)), "val_accuracy": (float, type(None)),
    "message": (str,), "group": (str,), "resumed_from": (str,), "has_model": (bool,), "process": (str,),
}  # fmt: skip
_KIND_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    type(None): "null",
}


def _fits(value: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, int) and float in kinds:
        return True
    return isinstance(value, kinds)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


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
EXPORT_FORMATS = ("csv", "json", "pt", "py", "data")  # data: the run's points as CSV
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
