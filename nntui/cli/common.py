"""What the commands share: the config source and field flags, the threads flag, stopping on
signals, output paths checked before training, the exit codes and the epoch line."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from nntui.core.config import RunConfig
from nntui.core.errors import UserError
from nntui.core.events import EpochEnd
from nntui.core.share import from_share_string

if TYPE_CHECKING:
    from nntui.engine.presets import Preset

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it; SIGHUP 129, SIGTERM 143
SHARE_HELP = "a config as one line, e.g. 'dataset=circle&lr=0.03' (`nntui runs show` prints a run's)"
STOP_SIGNALS = (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)


def add_config_flags(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override one config field, e.g. training.lr=0.01 (repeatable)",
    )
    for flag, field, kind in [
        ("--epochs", "training.epochs", int),
        ("--lr", "training.lr", float),
        ("--batch-size", "training.batch_size", int),
        ("--optimizer", "training.optimizer", str),
        ("--seed", "training.seed", int),
        ("--device", "device", str),
        ("--dataset", "data.dataset", str),
        ("--hidden", "model.hidden", str),
        ("--style", "style", str),
    ]:
        command.add_argument(flag, dest=field, type=kind, metavar=kind.__name__.upper(), help=f"sets {field}")


def add_threads(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="torch CPU threads (default: torch's, one per core; 1 on a busy machine)",
    )


def config_overrides(args: argparse.Namespace) -> list[str]:
    """The flags that set config fields, as `field=value` overrides, then the --set ones."""
    overrides = [
        f"{field}={_quote(value)}"
        for field, value in vars(args).items()
        if "." in field or field in ("device", "style")
        if value is not None
    ]
    return overrides + args.overrides


def _quote(value: object) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value)


def run_config(args: argparse.Namespace) -> tuple[Preset | None, RunConfig | None]:
    """The config named by --preset, --config or --config-string, with flags and --set overrides
    applied; a preset that is a timing demo comes back with no config."""
    from nntui.engine.presets import PRESETS  # torch

    overrides = config_overrides(args)
    if args.config:
        return None, RunConfig.load(args.config, overrides)
    if args.config_string is not None:
        return None, from_share_string(args.config_string).updated(overrides)
    if args.preset not in PRESETS:
        raise UserError(f"unknown preset {args.preset!r}; `nntui presets` lists them")
    preset = PRESETS.get(args.preset)
    if preset.config is None:
        if overrides:
            raise UserError(
                f"preset {preset.name!r} is a timing demo with no config: "
                f"{', '.join(overrides)} does not apply to it"
            )
        return preset, None
    return preset, preset.config.updated(overrides)


def set_threads(threads: int | None) -> None:
    """By default torch's own choice, one thread per core: headless, nothing else needs a core,
    and benchmarks/engine_bench.py measured 2 threads 1.3-1.7x faster than 1 on 2 cores.
    (The app's training process leaves one core to the screen; see nntui/tui/runner.py.)"""
    if threads is not None and not 1 <= threads <= 1024:
        raise UserError(f"--threads must be between 1 and 1024, got {threads}")
    if threads:
        import torch

        torch.set_num_threads(threads)


def check_output_path(flag: str, path: str) -> None:
    """Refuse, before any training, a file that could not be written afterwards."""
    target = Path(path).expanduser()
    folder = target.parent
    if target.is_dir():
        raise UserError(f"{flag} {path}: is a folder; give a file name")
    if not folder.exists():
        raise UserError(f"{flag} {path}: there is no folder {folder}")
    if not folder.is_dir():
        raise UserError(f"{flag} {path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK):
        raise UserError(f"{flag} {path}: cannot write in {folder}")


@contextlib.contextmanager
def stopping_on_signals(control) -> Iterator[list[int]]:
    """Ctrl-C, SIGTERM and SIGHUP stop the run after the current step; the list holds the signals
    received. Until the block ends (the run saved), later ones change nothing, so a second quick
    Ctrl-C cannot cut the final evaluation or the save short."""
    received: list[int] = []

    def stop(signum: int, frame) -> None:
        if len(received) == 1:
            with contextlib.suppress(OSError):  # a terminal that hung up
                os.write(2, b"nntui: stopping; the run is saved first\n")
        received.append(signum)
        control.stop()

    previous = {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def epoch_line(event: EpochEnd) -> str:
    """One epoch's figures, Keras-style, as `train` and `compare` print them."""
    width = len(str(event.epochs))
    parts = [
        f"Epoch {event.epoch:>{width}}/{event.epochs}",
        f"{event.steps} steps",
        f"loss: {event.batch_loss:.6g}",
    ]
    if event.steps > 1:
        parts.append(f"mean loss: {event.train_loss:.6g}")
    if event.val_loss is not None:
        parts.append(f"val_loss: {event.val_loss:.6g}")
    if event.train_accuracy is not None:
        parts.append(f"accuracy: {event.train_accuracy:.4f}")
    if event.val_accuracy is not None:
        parts.append(f"val_accuracy: {event.val_accuracy:.4f}")
    parts.append(f"{event.samples_per_s:,.0f} samples/s")
    return " - ".join(parts)
