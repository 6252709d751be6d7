"""`nntui train`: one run headless, printed as Keras-style lines or JSON, saved as a run; a
tutorial preset's figures set beside the ones the tutorial printed."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import textwrap
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from nntui.cli.common import (
    SHARE_HELP,
    add_config_flags,
    add_threads,
    check_output_path,
    config_overrides,
    epoch_line,
    run_config,
    set_threads,
    stopping_on_signals,
)
from nntui.core.errors import UserError
from nntui.core.events import EpochEnd, Failed, Finished, Snapshot, Started


def add_train_command(commands, store: argparse.ArgumentParser) -> None:
    train = commands.add_parser("train", parents=[store], help="train headless, printing progress")
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help="a preset from `nntui presets`")
    source.add_argument("--config", metavar="FILE", help="a run config in TOML")
    source.add_argument("--resume", metavar="ID", help="continue a saved run (see `nntui runs`)")
    source.add_argument("--config-string", metavar="TEXT", help=SHARE_HELP)
    add_config_flags(train)
    train.add_argument("--jsonl", action="store_true", help="print one JSON object per event")
    train.add_argument(
        "--every", type=int, metavar="N", help="print every Nth epoch (default: about 10 lines)"
    )
    train.add_argument("--save", metavar="PATH", help="write the final state_dict and config to a .pt file")
    train.add_argument("--write-config", metavar="PATH", help="write the run's config as TOML and exit")
    add_threads(train)


def train_command(args: argparse.Namespace, out: TextIO) -> int:
    """Train one run (or resume one), print it as it goes, save it; the exit code says how it ended."""
    from nntui.storage.runs import RunStore, config_for_resume  # torch

    for flag, path in (("--save", args.save), ("--write-config", args.write_config)):
        if path:
            check_output_path(flag, path)
    store = RunStore(getattr(args, "runs_dir", None))
    resumed = None
    if args.resume:
        resumed = store.find(args.resume)
        preset, config = None, config_for_resume(resumed, config_overrides(args))
    else:
        preset, config = run_config(args)
    if config is None:
        for line in preset.demo():
            print(line, file=out)
        return 0
    if args.write_config:
        try:
            config.save(args.write_config)
        except OSError as error:
            raise UserError(f"--write-config {args.write_config}: {error.strerror or error}") from None
        print(f"wrote {args.write_config}", file=out)
        return 0
    store.ensure_writable()
    set_threads(args.threads)
    from nntui.engine.printed import initial_values, run_values
    from nntui.engine.trainer import RunControl, Trainer
    from nntui.storage.runs import RunRecorder, restore_trainer

    control = RunControl()
    if resumed:
        trainer = restore_trainer(store, resumed, config, control)
    else:
        trainer = Trainer(config, control)
    recorder = RunRecorder(trainer, store, resumed_from=resumed)
    tutorial_values = initial_values(trainer) if preset and preset.printed else {}
    every = args.every or (100 if preset and preset.figures else max(1, config.training.epochs // 10))
    report = JsonReport(out) if args.jsonl else ProgressReport(out, every)
    history: dict[int, EpochEnd] = {}
    outcome: Finished | Failed | None = None
    model_problem = ""
    with stopping_on_signals(control) as received:
        for event in trainer.events():
            recorder.record(event)
            if isinstance(event, EpochEnd):
                history[event.epoch] = event
            elif isinstance(event, Finished | Failed):
                outcome = event
            try:
                report.show(event)
            except OSError:  # the terminal hung up, or the pipe closed: stop, the run is saved
                control.stop()
                report = SilentReport()
        record = recorder.save()  # before --save: a file that cannot be written loses no run
        if args.save and outcome is not None:
            try:
                save_model(trainer, args.save)
            except OSError as error:
                model_problem = f"--save {args.save}: {error.strerror or error}"
    with contextlib.suppress(OSError):  # nowhere to print to after a hang-up: nothing is lost
        if args.save and outcome is not None and not model_problem:
            report.note(f"saved {args.save}")
        if preset and not args.jsonl:
            tutorial_values.update(run_values(history[0].batch_loss if 0 in history else None, outcome))
            for line in compare_with_tutorial(preset, history, outcome, tutorial_values):
                print(line, file=out)
            for line in tutorial_validation(preset, trainer, outcome):
                print(line, file=out)
        continues = f", continuing {resumed.id}" if resumed else ""
        saved = f"saved run {record.id} ({record.status}{continues}) in {store.root}"
        print(saved, file=sys.stderr if args.jsonl else out)
    if model_problem:
        raise UserError(model_problem)
    if isinstance(outcome, Failed):
        return 1
    if received:
        return 128 + received[0]
    return 1 if isinstance(report, SilentReport) else 0


def save_model(trainer, path: str) -> None:
    """A dict of plain types and tensors: `torch.load(path)["state_dict"]` needs no nntui."""
    import torch

    state = {
        "state_dict": trainer.model.state_dict(),
        "config": trainer.config.to_dict(),
        "architecture": trainer.architecture,
        "epochs_done": trainer.epochs_done,
    }
    with open(Path(path).expanduser(), "wb") as file:  # fails as OSError, which torch.save does not
        torch.save(state, file)


class ProgressReport:
    """Keras-style lines: one per reported epoch, then a summary."""

    def __init__(self, out: TextIO, every: int) -> None:
        self.out, self.every = out, every

    def show(self, event) -> None:
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


class SilentReport:
    """Where the output went away mid-run."""

    def show(self, event) -> None:
        pass

    def note(self, line: str) -> None:
        pass


class JsonReport:
    """One JSON object per event (snapshots left out: they are arrays for drawing)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def show(self, event) -> None:
        if isinstance(event, Snapshot):
            return
        record = {"event": type(event).__name__.lower()}
        if isinstance(event, Started):
            record.update({k: v for k, v in asdict(event).items() if k != "config"})
            record["config"] = event.config.to_dict()
        elif isinstance(event, EpochEnd):
            record.update(event.to_dict())
        else:
            record.update(asdict(event))
        print(json.dumps(record, default=_json_default), file=self.out, flush=True)

    def note(self, line: str) -> None:
        print(json.dumps({"event": "note", "message": line}), file=self.out, flush=True)


def _json_default(value):
    return None if isinstance(value, float) and not math.isfinite(value) else str(value)


def tutorial_validation(preset, trainer, outcome) -> list[str]:
    """The final validation loss as the tutorial defines it (a mean of batch means) beside
    nntui's mean over every point, where the tutorial's batches are unequal."""
    from nntui.engine.printed import batch_mean_loss, validation_lines

    if not preset.val_batch_size or outcome is None or not trainer.data.has_validation:
        return []
    data = trainer.data
    batch_means, sizes = batch_mean_loss(trainer, data.x_val, data.y_val, preset.val_batch_size)
    printed = preset.figures[max(preset.figures)][1]
    return validation_lines(printed, getattr(outcome, "val_loss", None), batch_means, sizes)


def significant_digits_agreeing(a: float, b: float) -> int:
    """How many leading significant digits two figures share (a rounding-tolerant count)."""
    if a == b:
        return 17
    if a == 0 or b == 0:
        return 0
    return max(0, int(-math.log10(abs(a - b) / abs(a))))


def compare_with_tutorial(preset, history: dict, outcome, values: dict | None = None) -> list[str]:
    """Lines setting nntui's figures beside the ones the tutorial printed; `values` are nntui's
    side of the preset's other printed things (engine/printed.py)."""
    from nntui.engine.printed import compare, comparison_lines

    rows = compare(preset.printed, values or {})
    lines = comparison_lines(rows, "what the tutorial printed, and nntui's own:")
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
        lines += textwrap.wrap(preset.notes, 100)
    return lines
