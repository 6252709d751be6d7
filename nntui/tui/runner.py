"""Runs training away from the UI: in a child process with an interpreter of its own (the app's
choice), or in a thread (tests). Both take commands and hand back events in batches."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nntui.core.config import RunConfig
from nntui.core.errors import UserError
from nntui.core.events import EpochEnd, Failed
from nntui.core.variants import make_variants

SEND_EVERY_S = 0.1
SNAPSHOT_EVERY_S = 2.0
COMMANDS = ("pause", "resume", "step", "stop", "set_lr", "edit")


@dataclass(frozen=True)
class Job:
    """What to train: one run of `config`; with `vary`, its variants side by side; with
    `resume`, the saved run of that id continued to `config`'s epochs; with `grid`, a sweep
    (core/sweep.py) saved as the group `group`."""

    config: RunConfig
    vary: tuple[str, ...] = ()
    resume: str = ""
    grid: tuple[str, ...] = ()
    spacing: str = "auto"
    group: str = ""


@dataclass(frozen=True)
class Batch:
    """Events of one run, sent together. A comparison's events are (variant index, event) pairs,
    and its first batch names the variants in `labels`. `memory_bytes` is what the run holds on
    a CUDA device; `saved` the saved run's id (a comparison's group id) once it is written, or
    `note` why it could not be."""

    run_id: int
    events: list
    memory_bytes: int | None = None
    labels: tuple[str, ...] = ()
    saved: str | None = None
    note: str = ""


def child_threads() -> int:
    """Torch threads for the training child: all cores but one, which stays with the UI."""
    return max(1, (os.cpu_count() or 2) - 1)


def train_runs(runs: Iterable[tuple[int, Job, Any]], send, runs_dir: str | None = None) -> None:
    """Train each (run_id, job, control) in turn, sending batches of its events, and save it
    in the runs directory as `nntui train` does."""
    from nntui.engine.devices import memory_in_use
    from nntui.storage.runs import RunStore

    for run_id, job, control in runs:
        try:
            stream, save, device, labels = _prepare(job, control, RunStore(runs_dir))
        except UserError as error:
            send(Batch(run_id, [Failed("error", str(error), 0)]))
            continue
        except Exception as error:  # noqa: BLE001 - e.g. out of memory while building: shown, not raised
            send(Batch(run_id, [Failed("error", f"{type(error).__name__}: {error}", 0)]))
            continue
        pending: list = []
        sent_at = time.perf_counter()
        if labels:
            send(Batch(run_id, [], labels=labels))
        for item in stream:
            pending.append(item)
            event = item[1] if isinstance(item, tuple) else item
            now = time.perf_counter()
            if not isinstance(event, EpochEnd) or now - sent_at >= SEND_EVERY_S:
                send(Batch(run_id, pending, memory_in_use(device)))
                pending, sent_at = [], now
        if pending:
            send(Batch(run_id, pending, memory_in_use(device)))
        try:
            send(Batch(run_id, [], saved=save()))
        except UserError as error:
            send(Batch(run_id, [], note=f"not saved: {error}"))


def _prepare(job: Job, control, store):
    """The job's event stream, how to save it (returning the id), its device and variant labels."""
    from nntui.engine.trainer import Observe, Trainer
    from nntui.storage.comparison import Comparison
    from nntui.storage.runs import RunRecorder, config_for_resume, restore_trainer

    if job.grid:
        return _prepare_sweep(job, control, store)
    if job.vary:
        comparison = Comparison(make_variants(job.config, list(job.vary)), store, control)

        def save_all() -> str:
            comparison.save()
            return comparison.group

        labels = tuple(variant.label for variant in comparison.variants)
        return comparison.events(), save_all, comparison.trainers[0].device, labels
    observe = Observe(snapshot_every_s=SNAPSHOT_EVERY_S)
    if job.resume:
        record = store.find(job.resume)
        config = config_for_resume(record, [f"training.epochs={job.config.training.epochs}"])
        trainer = restore_trainer(store, record, config, control, observe)
        recorder = RunRecorder(trainer, store, resumed_from=record)
    else:
        trainer = Trainer(job.config, control, observe)
        recorder = RunRecorder(trainer, store)

    def recorded():
        for event in trainer.events():
            recorder.record(event)
            yield event

    return recorded(), lambda: recorder.save().id, trainer.device, ()


def _prepare_sweep(job: Job, control, store):
    """A sweep's (cell, event) pairs, less the prediction snapshots: the heatmap needs only the
    losses, and a cell opened as a run draws its predictions from its saved model."""
    from nntui.core.events import Snapshot
    from nntui.core.sweep import make_grid
    from nntui.engine.devices import resolve_device
    from nntui.storage.sweep import Sweep

    grid = make_grid(job.config, list(job.grid), job.spacing)
    sweep = Sweep(grid, store, control, group=job.group or None)
    pairs = (pair for pair in sweep.events() if not isinstance(pair[1], Snapshot))
    labels = tuple(variant.label for variant in grid.variants)
    return pairs, lambda: sweep.group, resolve_device(job.config.device), labels


def apply(control, command: str, value: Any = None) -> None:
    if command == "set_lr":
        control.set_lr(value)
    elif command == "edit":
        control.edit(value)
    elif command == "step":
        control.step(1)
    else:
        getattr(control, command)()


def serve(commands, events, threads: int, runs_dir: str | None) -> None:
    """The child process: a listener thread applies commands to the current run's control while
    the main thread trains; it exits when the app's process goes away. Ctrl-C and a hang-up reach
    the whole foreground process group, and so does a SIGTERM sent to the group (`kill -- -PGID`,
    a service manager): the app, not the signal, ends the child, once the run is saved."""
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the child's whole life
    import torch

    torch.set_num_threads(threads)
    from nntui.engine.trainer import RunControl

    parent = os.getppid()
    runs: queue.Queue = queue.Queue()
    current: list = [RunControl()]

    def listen() -> None:
        while True:
            try:
                command, *args = commands.get(timeout=0.5)
            except queue.Empty:
                if os.getppid() != parent:
                    os._exit(0)
                continue
            if command == "start":
                current[0].stop()
                current[0] = RunControl()
                if args[2]:
                    current[0].step(1)
                runs.put((args[0], args[1], current[0]))
            elif command == "quit":
                os._exit(0)
            else:
                apply(current[0], command, *args)

    threading.Thread(target=listen, daemon=True).start()
    events.put(Batch(0, []))
    train_runs(iter(runs.get, None), events.put, runs_dir)


@contextlib.contextmanager
def group_signals_held():
    """Block SIGHUP and SIGTERM while children start: they inherit the mask, so that
    multiprocessing's resource tracker (which blocks SIGINT and SIGTERM the same way) and the
    trainer, until `serve` ignores them, outlive a signal to the whole group; the app then ends
    them. A signal meanwhile waits here."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


@contextlib.contextmanager
def real_stdio():
    """Textual swaps sys.stdout/stderr for objects without a file descriptor, which the spawning
    machinery of multiprocessing needs; lend it the real ones while a child starts."""
    swapped = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    try:
        yield
    finally:
        sys.stdout, sys.stderr = swapped


class ProcessRunner:
    """Training in a spawned child that imports torch once and then serves run after run."""

    def __init__(self, threads: int | None = None, runs_dir: str | None = None) -> None:
        self.threads, self.runs_dir = threads or child_threads(), runs_dir
        self.run_id = 0
        self._spawn()

    def _spawn(self) -> None:
        context = multiprocessing.get_context("spawn")
        with real_stdio(), group_signals_held():
            self._commands = context.Queue()
            self._events = context.Queue()
            self._process = context.Process(
                target=serve, args=(self._commands, self._events, self.threads, self.runs_dir), daemon=True
            )
            self._process.start()
        self._reported_exit = False

    def start(self, job: Job, paused: bool = False) -> None:
        if not self._process.is_alive():  # it was killed (say, by the out-of-memory killer): a new one
            self._close_channels()
            self._spawn()
        self.run_id += 1
        self._commands.put(("start", self.run_id, job, paused))

    def discard(self) -> None:
        """Stop the current run and ignore whatever it still sends."""
        self.send("stop")
        self.run_id += 1

    def send(self, command: str, value: Any = None) -> None:
        self._commands.put((command, value) if value is not None else (command,))

    def drain(self) -> list[Batch]:
        batches = []
        while True:
            try:
                batches.append(self._events.get_nowait())
            except queue.Empty:
                break
        if not batches and not self._reported_exit and not self._process.is_alive():
            self._reported_exit = True
            code = self._process.exitcode
            message = (
                f"the training process ended unexpectedly (exit code {code}; killed, perhaps for "
                "lack of memory): s starts a new one"
            )
            return [Batch(self.run_id, [Failed("error", message, 0)])]
        return [batch for batch in batches if batch.run_id == self.run_id]

    def close(self, save_within_s: float = 0.0) -> str | None:
        """End the child within a second, whatever it is doing. With `save_within_s`, first stop
        the current run and wait that long for it to be saved; returns its id if it was."""
        saved = self._stop_and_wait(save_within_s) if save_within_s > 0 else None
        self._process.terminate()
        self._process.join(0.5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(0.5)
        self._close_channels()
        return saved

    def _stop_and_wait(self, within_s: float) -> str | None:
        self.send("stop")
        deadline = time.monotonic() + within_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                batch = self._events.get(timeout=left)
            except queue.Empty:
                break
            if batch.run_id == self.run_id and (batch.saved or batch.note):
                return batch.saved
        return None

    def _close_channels(self) -> None:
        for channel in (self._commands, self._events):
            channel.cancel_join_thread()
            channel.close()


class ThreadRunner:
    """Training in a thread of this process: the same interface, for tests and small machines."""

    def __init__(self, runs_dir: str | None = None) -> None:
        from nntui.engine.trainer import RunControl

        self.runs_dir = runs_dir
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._control = RunControl()
        self._thread: threading.Thread | None = None
        self.run_id = 0

    def start(self, job: Job, paused: bool = False) -> None:
        from nntui.engine.trainer import RunControl

        self._control.stop()
        if self._thread:
            self._thread.join()
        self.run_id += 1
        self._control = RunControl()
        if paused:
            self._control.step(1)
        run = (self.run_id, job, self._control)
        self._thread = threading.Thread(
            target=train_runs, args=([run], self._events.put, self.runs_dir), daemon=True
        )
        self._thread.start()

    def discard(self) -> None:
        self._control.stop()
        self.run_id += 1

    def send(self, command: str, value: Any = None) -> None:
        apply(self._control, command, value)

    def drain(self) -> list[Batch]:
        batches = []
        while not self._events.empty():
            batch = self._events.get()
            if batch.run_id == self.run_id:
                batches.append(batch)
        return batches

    def close(self, save_within_s: float = 0.0) -> str | None:
        self._control.stop()
        if self._thread:
            self._thread.join(max(save_within_s, 1.0))
        saved = [batch.saved for batch in self.drain() if batch.saved]
        return saved[-1] if saved else None
