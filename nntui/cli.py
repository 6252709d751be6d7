"""The headless face of nntui: `nntui train`, `nntui presets`, `nntui devices`; no arguments opens the app."""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from nntui.errors import ConfigError, UserError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nntui", description="Build, train and watch small PyTorch networks."
    )
    commands = parser.add_subparsers(dest="command")
    train = commands.add_parser("train", help="train headless, printing progress")
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help="a preset from `nntui presets`")
    source.add_argument("--config", metavar="FILE", help="a run config in TOML")
    train.add_argument(
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
        train.add_argument(flag, dest=field, type=kind, metavar=kind.__name__.upper(), help=f"sets {field}")
    train.add_argument("--jsonl", action="store_true", help="print one JSON object per event")
    train.add_argument(
        "--every", type=int, metavar="N", help="print every Nth epoch (default: about 10 lines)"
    )
    train.add_argument("--save", metavar="PATH", help="write the final state_dict and config to a .pt file")
    train.add_argument("--write-config", metavar="PATH", help="write the run's config as TOML and exit")
    train.add_argument(
        "--threads", type=int, metavar="N", help="torch CPU threads (default: one fewer than the cores)"
    )
    commands.add_parser("presets", help="list the tutorial's experiments")
    commands.add_parser("devices", help="list the devices torch can train on")
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    if args.command is None:
        from nntui.tui.app import run_app

        return run_app()
    try:
        if args.command == "presets":
            return list_presets(out)
        if args.command == "devices":
            return list_devices(out)
        return train(args, out)
    except ConfigError as error:
        for problem in error.problems:
            print(f"nntui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as error:
        print(f"nntui: {error}", file=sys.stderr)
        return EXIT_USAGE


def list_presets(out: TextIO) -> int:
    from nntui.presets import PRESETS

    width = max(map(len, PRESETS))
    for name, preset in PRESETS.items():
        print(f"{name:<{width}}  {preset.summary}", file=out)
    return 0


def list_devices(out: TextIO) -> int:
    from nntui.devices import auto_device, available_devices

    default = auto_device()
    for info in available_devices():
        print(f"{'*' if info.name == default else ' '} {info}", file=out)
    return 0


def run_config(args: argparse.Namespace):
    """The config named by --preset or --config, with flags and --set overrides applied."""
    from nntui.config import RunConfig
    from nntui.presets import PRESETS

    overrides = [
        f"{field}={_quote(value)}"
        for field, value in vars(args).items()
        if "." in field or field in ("device", "style")
        if value is not None
    ]
    overrides += args.overrides
    if args.config:
        return None, RunConfig.load(args.config, overrides)
    if args.preset not in PRESETS:
        raise UserError(f"unknown preset {args.preset!r}; `nntui presets` lists them")
    preset = PRESETS.get(args.preset)
    if preset.config is None:
        return preset, None
    return preset, preset.config.updated(overrides)


def _quote(value: object) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value)


def train(args: argparse.Namespace, out: TextIO) -> int:
    preset, config = run_config(args)
    if config is None:
        for line in preset.demo():
            print(line, file=out)
        return 0
    if args.write_config:
        config.save(args.write_config)
        print(f"wrote {args.write_config}", file=out)
        return 0
    set_threads(args.threads)
    from nntui.events import EpochEnd, Failed, Finished
    from nntui.trainer import RunControl, Trainer

    control = RunControl()
    trainer = Trainer(config, control)
    every = args.every or (100 if preset and preset.figures else max(1, config.training.epochs // 10))
    report = JsonReport(out) if args.jsonl else ProgressReport(out, every)
    history: dict[int, EpochEnd] = {}
    outcome: Finished | Failed | None = None
    previous = signal.signal(signal.SIGINT, lambda *_: _interrupt(control, previous))
    try:
        for event in trainer.events():
            report.show(event)
            if isinstance(event, EpochEnd):
                history[event.epoch] = event
            elif isinstance(event, Finished | Failed):
                outcome = event
    finally:
        signal.signal(signal.SIGINT, previous)
    if args.save and outcome is not None:
        save_model(trainer, args.save)
        report.note(f"saved {args.save}")
    if preset and not args.jsonl:
        for line in compare_with_tutorial(preset, history, outcome):
            print(line, file=out)
    if isinstance(outcome, Failed):
        return 1
    return EXIT_INTERRUPTED if control.stop_requested else 0


def set_threads(threads: int | None) -> None:
    """Default: leave one core free. Small networks gain little from more threads, and
    OpenMP threads that must share their cores with other work slow down many times over."""
    import os

    import torch

    torch.set_num_threads(threads or max(1, min(torch.get_num_threads(), (os.cpu_count() or 2) - 1)))


def _interrupt(control, previous) -> None:
    control.stop()
    signal.signal(signal.SIGINT, previous)


def save_model(trainer, path: str) -> None:
    """A dict of plain types and tensors: `torch.load(path)["state_dict"]` needs no nntui."""
    import torch

    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "state_dict": trainer.model.state_dict(),
            "config": trainer.config.to_dict(),
            "architecture": trainer.architecture,
            "epochs_done": trainer.epochs_done,
        },
        target,
    )


class ProgressReport:
    """Keras-style lines: one per reported epoch, then a summary."""

    def __init__(self, out: TextIO, every: int) -> None:
        self.out, self.every = out, every

    def show(self, event) -> None:
        from nntui.events import EpochEnd, Failed, Finished, Started

        if isinstance(event, Started):
            self.note(
                f"{event.config.name}: {event.architecture} ({event.parameters:,} parameters) on "
                f"{event.device} ({event.device_description}); {event.train_size:,} train / "
                f"{event.val_size:,} validation points"
            )
        elif isinstance(event, EpochEnd):
            if event.epoch % self.every == 0 or event.epoch == event.epochs - 1:
                self.note(epoch_line(event))
        elif isinstance(event, Finished):
            self.note(summary_line(event))
        elif isinstance(event, Failed):
            self.note(f"{event.reason}: {event.message}")

    def note(self, line: str) -> None:
        print(line, file=self.out, flush=True)


def epoch_line(event) -> str:
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


def summary_line(event) -> str:
    parts = [
        f"{event.status} after {event.epochs_done} epochs in {event.duration_s:.1f} s",
        f"train loss {event.train_loss:.6g}",
    ]
    if event.val_loss is not None:
        parts.append(f"val loss {event.val_loss:.6g}")
    if event.train_accuracy is not None:
        parts.append(f"train accuracy {event.train_accuracy:.4f}")
    if event.val_accuracy is not None:
        parts.append(f"val accuracy {event.val_accuracy:.4f}")
    return "; ".join(parts)


class JsonReport:
    """One JSON object per event (snapshots left out: they are arrays for drawing)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def show(self, event) -> None:
        from nntui.events import Snapshot, Started

        if isinstance(event, Snapshot):
            return
        record = {"event": type(event).__name__.lower()}
        if isinstance(event, Started):
            record.update({k: v for k, v in asdict(event).items() if k != "config"})
            record["config"] = event.config.to_dict()
        else:
            record.update(asdict(event))
        print(json.dumps(record, default=_json_default), file=self.out, flush=True)

    def note(self, line: str) -> None:
        print(json.dumps({"event": "note", "message": line}), file=self.out, flush=True)


def _json_default(value):
    return None if isinstance(value, float) and not math.isfinite(value) else str(value)


def significant_digits_agreeing(a: float, b: float) -> int:
    """How many leading significant digits two figures share (a rounding-tolerant count)."""
    if a == b:
        return 17
    if a == 0 or b == 0:
        return 0
    return max(0, int(-math.log10(abs(a - b) / abs(a))))


def compare_with_tutorial(preset, history: dict, outcome) -> list[str]:
    """Lines setting nntui's figures beside the ones the tutorial printed."""
    lines = []
    last = max(preset.figures, default=0)
    rows = [(epoch, figures, history.get(epoch)) for epoch, figures in preset.figures.items()]
    if any(event for _, _, event in rows):
        slip = preset.in_loop_val_slip
        lines.append("")
        if slip != 1:
            lines.append(
                f"(the tutorial's in-loop validation figures are {slip:g}x too large: val÷{slip:g} shown)"
            )
        lines.append("epoch  tutorial printed          nntui                     digits")
        for epoch, (train, val), event in rows:
            if event is None:
                continue
            pairs = [("train", train, event.batch_loss)]
            if val is not None and event.val_loss is not None:
                corrected = val / slip if epoch != last else val
                label = f"val÷{slip:g}" if corrected != val else "val"
                pairs.append((label, corrected, event.val_loss))
            for label, theirs, ours in pairs:
                digits = significant_digits_agreeing(theirs, ours)
                lines.append(f"{epoch:>5}  {label:<7} {theirs:<17.12g} {ours:<25.12g} {min(digits, 9)}")
    if preset.accuracy and outcome is not None and getattr(outcome, "train_accuracy", None) is not None:
        theirs_train, theirs_val = preset.accuracy
        lines.append("")
        lines.append(
            f"accuracy  tutorial train {theirs_train:.4f} val {theirs_val:.4f}; "
            f"nntui after {outcome.epochs_done} epochs train {outcome.train_accuracy:.4f} "
            f"val {outcome.val_accuracy:.4f}"
        )
    if preset.notes:
        lines.append("")
        lines.append(preset.notes)
    return lines
