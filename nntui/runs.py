"""Saved runs: one directory per run under the user's data directory, every file written atomically.

    <runs dir>/<id>/run.json      the record: config, how it ended, final figures (one table row)
    <runs dir>/<id>/history.json  every epoch's figures, by column
    <runs dir>/<id>/model.pt      model and optimizer state, epochs done, generator state

The app and the CLI both list, load, continue and delete runs from a `RunStore`, and save them
with a `RunRecorder` fed the run's event stream.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import torch

from nntui.config import RunConfig
from nntui.errors import ConfigError, UserError
from nntui.events import EpochEnd, Event, Failed, Finished, Started
from nntui.trainer import Checkpoint, Observe, RunControl, Trainer

RUNS_DIR_ENV = "NNTUI_RUNS_DIR"
RECORD_FILE, HISTORY_FILE, MODEL_FILE = "run.json", "history.json", "model.pt"
RUNNING, FINISHED, STOPPED, DIVERGED, FAILED = "running", "finished", "stopped", "diverged", "failed"
FORMAT = 1
# What `--resume` may change: everything else must stay as the run was trained.
RESUMABLE_CHANGES = ("name", "device", "training.epochs", "training.lr", "training.val_every")


def default_runs_dir() -> Path:
    """$NNTUI_RUNS_DIR, else `runs` in the user's data directory (platformdirs)."""
    override = os.environ.get(RUNS_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("nntui")) / "runs"


def write_atomic(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a temporary file in the same directory, then rename it over `path`:
    a crash or kill mid-write leaves the earlier file whole."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, value: Any, indent: int | None = 1) -> None:
    text = json.dumps(_json_safe(value), indent=indent, allow_nan=False)
    write_atomic(path, lambda file: file.write(text.encode() + b"\n"))


def _json_safe(value: Any) -> Any:
    """nan and inf (a diverged figure) become null, which JSON can hold."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


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
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError("not an nntui run record")
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in raw.items() if key in known}
        values["config"] = RunConfig.from_dict(raw["config"])
        return cls(**values)


@dataclass(frozen=True)
class Series:
    """One labelled curve for an overlay chart."""

    label: str
    epochs: list[int]
    values: list[float]


METRICS = ("train_loss", "batch_loss", "val_loss", "train_accuracy", "val_accuracy", "lr", "elapsed_s")


@dataclass
class History:
    """Every recorded epoch's figures, by column; None where an epoch was not evaluated."""

    epochs: list[int] = field(default_factory=list)
    columns: dict[str, list[float | None]] = field(default_factory=lambda: {m: [] for m in METRICS})

    def add(self, event: EpochEnd, elapsed_offset_s: float = 0.0) -> None:
        self.epochs.append(event.epoch)
        for metric in METRICS:
            value = getattr(event, metric)
            if metric == "elapsed_s":
                value += elapsed_offset_s
            self.columns[metric].append(value)

    def series(self, metric: str = "train_loss") -> tuple[list[int], list[float]]:
        """The epochs that have `metric`, and its values there."""
        pairs = [(e, v) for e, v in zip(self.epochs, self.columns[metric]) if v is not None]
        return [e for e, _ in pairs], [v for _, v in pairs]

    def rows(self) -> list[dict[str, float | int | None]]:
        return [
            {"epoch": epoch, **{metric: self.columns[metric][index] for metric in METRICS}}
            for index, epoch in enumerate(self.epochs)
        ]

    def last(self, metric: str) -> float | None:
        return next((v for v in reversed(self.columns[metric]) if v is not None), None)

    def __len__(self) -> int:
        return len(self.epochs)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "epoch": self.epochs, **self.columns}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> History:
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError("not an nntui history")
        epochs = [int(e) for e in raw["epoch"]]
        columns = {metric: list(raw.get(metric) or [None] * len(epochs)) for metric in METRICS}
        if any(len(column) != len(epochs) for column in columns.values()):
            raise ValueError("history columns differ in length")
        return cls(epochs, columns)


@dataclass(frozen=True)
class SavedState:
    """What model.pt holds: enough to continue the run exactly where it ended."""

    checkpoint: Checkpoint
    generator_state: torch.Tensor | None


@dataclass(frozen=True)
class Listing:
    """The readable runs, newest first, and one `path: reason` line per entry that was skipped."""

    runs: list[RunRecord]
    skipped: list[str]


class RunStore:
    """The runs directory: list, find by id prefix, load, delete, save."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root).expanduser() if root else default_runs_dir()

    def list(self) -> Listing:
        """Never raises for a bad entry: it is skipped and reported."""
        if not self.root.is_dir():
            return Listing([], [] if not self.root.exists() else [f"{self.root}: not a directory"])
        runs, skipped = [], []
        for entry in sorted(self.root.iterdir(), reverse=True):
            if entry.name.startswith("."):
                continue
            try:
                runs.append(self._read_record(entry))
            except UserError as error:
                skipped.append(str(error))
        return Listing(runs, skipped)

    def find(self, prefix: str) -> RunRecord:
        """The run whose id is `prefix` or, uniquely, starts with it."""
        prefix = prefix.strip()
        names = [p.name for p in self.root.glob("*") if p.is_dir() and not p.name.startswith(".")]
        if prefix in names:
            return self._read_record(self.root / prefix)
        matches = sorted(name for name in names if prefix and name.startswith(prefix))
        if not matches:
            raise UserError(f"no run {prefix!r} in {self.root}; `nntui runs` lists them")
        if len(matches) > 1:
            shown = ", ".join(matches[:5]) + (", …" if len(matches) > 5 else "")
            raise UserError(f"run id {prefix!r} is ambiguous: it starts {len(matches)} runs ({shown})")
        return self._read_record(self.root / matches[0])

    def history(self, run_id: str) -> History:
        path = self.root / run_id / HISTORY_FILE
        try:
            return History.from_dict(json.loads(path.read_text()))
        except FileNotFoundError:
            return History()
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise UserError(f"{path}: unreadable history ({_reason(error)})") from None

    def saved_state(self, run_id: str) -> SavedState:
        path = self.root / run_id / MODEL_FILE
        if not path.is_file():
            raise UserError(f"run {run_id} has no saved model (it failed before training)")
        try:
            raw = torch.load(path, map_location="cpu", weights_only=True)
            checkpoint = Checkpoint(raw["model_state"], raw["optimizer_state"], int(raw["epochs_done"]))
        except Exception as error:  # noqa: BLE001 - torch raises many kinds for a damaged file
            raise UserError(f"{path}: unreadable model ({_reason(error)})") from None
        return SavedState(checkpoint, raw.get("generator_state"))

    def model_path(self, run_id: str) -> Path:
        return self.root / run_id / MODEL_FILE

    def delete(self, run_id: str) -> None:
        """Gone at once (renamed aside), then removed."""
        folder = self.root / run_id
        if not (folder / RECORD_FILE).is_file():
            raise UserError(f"no run {run_id!r} in {self.root}")
        doomed = self.root / f".deleting-{run_id}-{secrets.token_hex(2)}"
        os.replace(folder, doomed)
        shutil.rmtree(doomed, ignore_errors=True)

    def new_id(self) -> str:
        """Sortable by time and short enough to type: 20261128-153012-ab12."""
        return f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"

    def ensure_writable(self) -> None:
        """Fail before training, not after, when runs cannot be saved."""
        if self.root.exists() and not self.root.is_dir():
            raise UserError(f"cannot save runs in {self.root}: it is a file, not a folder")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = tempfile.NamedTemporaryFile(dir=self.root, prefix=".probe-")
            probe.close()
        except OSError as error:
            raise UserError(f"cannot save runs in {self.root}: {_reason(error)}") from None

    def save(self, record: RunRecord, history: History, state: SavedState | None = None) -> None:
        """History and model first, the record last: the record is what makes a run listed."""
        folder = self.root / record.id
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_json_atomic(folder / HISTORY_FILE, history.to_dict(), indent=None)
            if state is not None:
                payload = {
                    "format": FORMAT,
                    "model_state": state.checkpoint.model_state,
                    "optimizer_state": state.checkpoint.optimizer_state,
                    "epochs_done": state.checkpoint.epochs_done,
                    "generator_state": state.generator_state,
                }
                write_atomic(folder / MODEL_FILE, lambda file: torch.save(payload, file))
            write_json_atomic(folder / RECORD_FILE, record.to_dict())
        except OSError as error:
            raise UserError(f"could not save run {record.id} in {self.root}: {_reason(error)}") from None

    def overlay(self, run_ids: list[str], metric: str = "train_loss") -> list[Series]:
        """One labelled series per run, ready to draw on one chart."""
        series = []
        for run_id in run_ids:
            record = self.find(run_id)
            epochs, values = self.history(record.id).series(metric)
            series.append(Series(record.label, epochs, values))
        return series

    def _read_record(self, folder: Path) -> RunRecord:
        path = folder / RECORD_FILE
        if not folder.is_dir():
            raise UserError(f"skipped {folder}: not a run directory")
        try:
            record = RunRecord.from_dict(json.loads(path.read_text()))
        except FileNotFoundError:
            raise UserError(f"skipped {folder}: no {RECORD_FILE}, not a run directory") from None
        except ConfigError as error:
            raise UserError(f"skipped {path}: invalid config ({'; '.join(error.problems)})") from None
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise UserError(f"skipped {path}: {_reason(error)}") from None
        if record.id != folder.name:
            raise UserError(f"skipped {path}: its id {record.id!r} is not its directory's name")
        return record


def _reason(error: BaseException) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON ({error.msg} at line {error.lineno})"
    if isinstance(error, KeyError):
        return f"missing field {error}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


class RunRecorder:
    """Keeps what a run reports and saves it to a store: at the end (`save`), and every
    `save_every_s` while it trains, so a killed run can still be continued from there."""

    def __init__(
        self,
        trainer: Trainer,
        store: RunStore,
        group: str = "",
        resumed_from: RunRecord | None = None,
        message: str = "",
        save_every_s: float | None = 60.0,
    ) -> None:
        self.trainer, self.store = trainer, store
        self.group, self.note = group, message
        self.run_id = store.new_id()
        self.created = datetime.now().isoformat(timespec="seconds")
        self.resumed_from = resumed_from
        self.history = store.history(resumed_from.id) if resumed_from else History()
        self.earlier_s = resumed_from.duration_s if resumed_from else 0.0
        self.started: Started | None = None
        self.outcome: Finished | Failed | None = None
        self.elapsed_s = 0.0
        self.save_every_s = save_every_s
        self._last_save = time.monotonic()
        self.save_error: UserError | None = None

    def record(self, event: Event) -> None:
        if isinstance(event, Started):
            self.started = event
        elif isinstance(event, EpochEnd):
            self.history.add(event, self.earlier_s)
            self.elapsed_s = event.elapsed_s
            if self._save_due(event):
                try:
                    self.save()
                except UserError as error:
                    self.save_error = error
        elif isinstance(event, Finished | Failed):
            self.outcome = event

    def _save_due(self, event: EpochEnd) -> bool:
        every = self.save_every_s
        consistent = event.epoch == self.trainer.epochs_done - 1
        return every is not None and consistent and time.monotonic() - self._last_save >= every

    @property
    def status(self) -> str:
        outcome = self.outcome
        if isinstance(outcome, Finished):
            return outcome.status
        if isinstance(outcome, Failed):
            return DIVERGED if outcome.reason == "diverged" else FAILED
        return RUNNING

    def save(self) -> RunRecord:
        """Write the run as it stands; raises UserError when it cannot be written."""
        record = self.record_now()
        state = SavedState(self.trainer.checkpoint(), self.trainer.generator.get_state())
        self.store.save(record, self.history, state)
        self._last_save = time.monotonic()
        return record

    def record_now(self) -> RunRecord:
        trainer, outcome, started = self.trainer, self.outcome, self.started
        figures: dict[str, Any] = {
            "train_loss": self.history.last("train_loss"),
            "val_loss": self.history.last("val_loss"),
            "train_accuracy": self.history.last("train_accuracy"),
            "val_accuracy": self.history.last("val_accuracy"),
        }
        duration = self.elapsed_s
        message = self.note
        if isinstance(outcome, Finished):
            figures = {key: getattr(outcome, key) for key in figures}
            duration = outcome.duration_s
        elif isinstance(outcome, Failed):
            message = outcome.message
        return RunRecord(
            id=self.run_id,
            name=trainer.config.name,
            created=self.created,
            status=self.status,
            config=trainer.config,
            device=started.device if started else str(trainer.device),
            architecture=trainer.architecture,
            parameters=trainer.parameters,
            epochs_done=trainer.epochs_done,
            duration_s=self.earlier_s + duration,
            message=message,
            group=self.group,
            resumed_from=self.resumed_from.id if self.resumed_from else "",
            has_model=True,
            **figures,
        )


def saved_events(record: RunRecord, history: History) -> list[Event]:
    """The saved run told again as the events it reported (without predictions), so a view that
    renders a live run shows a saved one the same way."""
    config = record.config
    events: list[Event] = [
        Started(config, record.device, record.device, record.architecture, record.parameters, 0, 0)
    ]
    for row in history.rows():
        events.append(
            EpochEnd(
                int(row["epoch"]),
                config.training.epochs,
                0,
                row["train_loss"],
                row["batch_loss"],
                row["val_loss"],
                row["train_accuracy"],
                row["val_accuracy"],
                0.0,
                row["elapsed_s"] or 0.0,
                row["lr"] or config.training.lr,
            )
        )
    if record.status in (DIVERGED, FAILED):
        reason = "diverged" if record.status == DIVERGED else "error"
        events.append(Failed(reason, record.message, record.epochs_done))
    elif record.status == RUNNING:  # saved while training, then its process ended
        message = f"interrupted after epoch {record.epochs_done}: the process training it ended"
        events.append(Failed("error", message, record.epochs_done))
    else:
        events.append(
            Finished(
                record.status,
                record.epochs_done,
                record.train_loss,
                record.val_loss,
                record.train_accuracy,
                record.val_accuracy,
                record.duration_s,
            )
        )
    return events


def config_for_resume(record: RunRecord, overrides: list[str]) -> RunConfig:
    """The saved config with `overrides` applied; only RESUMABLE_CHANGES may differ."""
    config = record.config.updated(overrides)
    changed = _changed_fields(record.config.to_dict(), config.to_dict())
    refused = [name for name in changed if name not in RESUMABLE_CHANGES]
    if refused:
        raise UserError(
            f"--resume continues run {record.id} as it was trained; it cannot change "
            f"{', '.join(refused)} (it may change {', '.join(RESUMABLE_CHANGES)})"
        )
    if config.training.epochs <= record.epochs_done:
        raise UserError(
            f"run {record.id} has done {record.epochs_done} of its {config.training.epochs} epochs; "
            f"pass --epochs N with N > {record.epochs_done} to train on"
        )
    return config


def _changed_fields(before: dict, after: dict, prefix: str = "") -> list[str]:
    changed = []
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            changed += _changed_fields(old, new, f"{prefix}{key}.")
        elif old != new:
            changed.append(f"{prefix}{key}")
    return sorted(changed)


def restore_trainer(
    store: RunStore,
    record: RunRecord,
    config: RunConfig | None = None,
    control: RunControl | None = None,
    observe: Observe | None = None,
) -> Trainer:
    """A Trainer holding the run's saved model, optimizer and generator state: call `snapshot()`
    to see its predictions again, or `events()` to train on (given a config with more epochs)."""
    saved = store.saved_state(record.id)
    try:
        trainer = Trainer(config or record.config, control, observe or Observe(), checkpoint=saved.checkpoint)
    except (RuntimeError, KeyError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UserError(f"run {record.id}'s saved model does not fit its config: {first_line}") from None
    if saved.generator_state is not None:
        trainer.generator.set_state(saved.generator_state)
    if config is not None and config.training.lr != record.config.training.lr:
        trainer.control.set_lr(config.training.lr)
    return trainer
