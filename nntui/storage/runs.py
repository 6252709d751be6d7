"""Saved runs: one directory per run under the user's data directory, every file written atomically.

    <runs dir>/<id>/run.json      the record: config, how it ended, final figures (one table row)
    <runs dir>/<id>/history.json  every epoch's figures, by column
    <runs dir>/<id>/model.pt      model and optimizer state, epochs done, generator state

The app and the CLI both list, load, continue and delete runs from a `RunStore`, and save them
with a `RunRecorder` fed the run's event stream.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import torch

from nntui.core.config import RunConfig, changed_fields, paths_where, rule_of
from nntui.core.errors import ConfigError, UserError
from nntui.core.events import Edited, EpochEnd, Event, Failed, Finished, Started, Status
from nntui.core.metrics import FORMAT, History, Series
from nntui.core.records import RunRecord
from nntui.engine.trainer import Checkpoint, Observe, RunControl, Trainer

RUNS_DIR_ENV = "NNTUI_RUNS_DIR"
RECORD_FILE, HISTORY_FILE, MODEL_FILE = "run.json", "history.json", "model.pt"


def default_runs_dir() -> Path:
    """$NNTUI_RUNS_DIR, else `runs` in the user's data directory (platformdirs)."""
    override = os.environ.get(RUNS_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("nntui")) / "runs"


def write_atomic(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a temporary file in the same directory, then rename it over `path`:
    a crash or kill mid-write leaves the earlier file whole. The file has the mode open() would
    give it (0666 less the umask), not mkstemp's 0600: an exported script is an ordinary file."""
    temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    handle = os.open(temporary, flags, 0o666)
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
        """Never raises for a bad entry: it is skipped and reported. Temporary files a killed
        save left behind are removed on the way (a save takes seconds, they are minutes old)."""
        if not self.root.is_dir():
            return Listing([], [] if not self.root.exists() else [f"{self.root}: not a directory"])
        runs, skipped = [], []
        try:
            entries = sorted(self.root.iterdir(), reverse=True)
        except OSError as error:
            return Listing([], [f"{self.root}: {_reason(error)}"])
        for entry in entries:
            if entry.name.startswith("."):
                continue
            _remove_stale_temporaries(entry)
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
        """Gone at once (renamed aside), then removed. A run killed during its first save (no
        run.json yet, only nntui's own files) can be deleted too."""
        folder = self.root / run_id
        if not (folder / RECORD_FILE).is_file() and not _incomplete(folder):
            raise UserError(f"no run {run_id!r} in {self.root}")
        doomed = self.root / f".deleting-{run_id}-{secrets.token_hex(2)}"
        os.replace(folder, doomed)
        shutil.rmtree(doomed, ignore_errors=True)

    def incomplete(self, run_id: str) -> bool:
        """Whether `run_id` names, exactly, a run killed during its first save."""
        name = run_id.strip()
        return bool(name) and "/" not in name and not name.startswith(".") and _incomplete(self.root / name)

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
            if _incomplete(folder):
                raise UserError(
                    f"skipped {folder}: an incomplete run (its process ended during its first save); "
                    f"`nntui runs delete {folder.name}` removes it"
                ) from None
            raise UserError(f"skipped {folder}: no {RECORD_FILE}, not a run directory") from None
        except ConfigError as error:
            raise UserError(f"skipped {path}: invalid config ({'; '.join(error.problems)})") from None
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise UserError(f"skipped {path}: {_reason(error)}") from None
        if record.id != folder.name:
            raise UserError(f"skipped {path}: its id {record.id!r} is not its directory's name")
        if record.status == Status.RUNNING and process_gone(record.process):
            message = f"interrupted after epoch {record.epochs_done}: the process training it ended"
            record = dataclasses.replace(record, status=Status.INTERRUPTED.value, message=message)
        return record


STALE_AFTER_S = 600
_RUN_FILES = {RECORD_FILE, HISTORY_FILE, MODEL_FILE}


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.glob(".*.tmp") if p.name.split(".")[1] in {"run", "history", "model"}]


def _remove_stale_temporaries(folder: Path) -> None:
    now = time.time()
    for temporary in _temporaries(folder) if folder.is_dir() else []:
        with contextlib.suppress(OSError):
            if now - temporary.stat().st_mtime > STALE_AFTER_S:
                temporary.unlink()


def _incomplete(folder: Path) -> bool:
    """A folder holding only nntui's own files but no record: a first save that was killed."""
    if not folder.is_dir() or (folder / RECORD_FILE).exists():
        return False
    names = {p.name for p in folder.iterdir()}
    return bool(names) and all(name in _RUN_FILES or name.endswith(".tmp") for name in names)


def this_process() -> str:
    """How a record saved while training names its process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_gone(process: str) -> bool:
    """Whether the process a RUNNING record names has ended (known only on the same host)."""
    host, _, pid = process.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


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
            self.history.add(event.epoch, event.values, self.earlier_s)
            self.elapsed_s = event.elapsed_s
            if self._save_due(event):
                try:
                    self.save()
                except UserError as error:
                    self.save_error = error
        elif isinstance(event, Edited):
            self.history.edits.append(event.to_record())
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
            return outcome.status
        return Status.RUNNING

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
            process=this_process() if self.status == Status.RUNNING else "",
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
        values = {column: value for column, value in row.items() if column != "epoch"}
        values["lr"] = values["lr"] or config.training.lr
        values["elapsed_s"] = values["elapsed_s"] or 0.0
        events.append(EpochEnd(int(row["epoch"]), config.training.epochs, 0, values, 0.0))
    if record.status in (Status.DIVERGED, Status.FAILED):
        reason = "diverged" if record.status == Status.DIVERGED else "error"
        events.append(Failed(reason, record.message, record.epochs_done))
    elif record.status in (
        Status.RUNNING,
        Status.INTERRUPTED,
    ):  # saved while training, then its process ended
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
    """The saved config with `overrides` applied; only the fields the field table marks
    resumable may differ (everything else must stay as the run was trained)."""
    config = record.config.updated(overrides)
    refused = [path for path in changed_fields(record.config, config) if not rule_of(path).resumable]
    if refused:
        raise UserError(
            f"--resume continues run {record.id} as it was trained; it cannot change "
            f"{', '.join(refused)} (it may change {', '.join(paths_where('resumable'))})"
        )
    if config.training.epochs <= record.epochs_done:
        raise UserError(
            f"run {record.id} has done {record.epochs_done} of its {config.training.epochs} epochs; "
            f"pass --epochs N with N > {record.epochs_done} to train on"
        )
    return config


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
