"""The headless face of nntui: `nntui train`, `nntui runs`, `nntui compare`, `nntui sweep`,
`nntui presets`, `nntui devices`, `nntui lesson` (the app in lesson mode), `nntui inspect`; no
arguments opens the app."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import select
import shutil
import signal
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from nntui.cli.inspect import add_inspect_command, inspect_command
from nntui.cli.lesson import add_lesson_command, lesson_command
from nntui.core.errors import ConfigError, UserError
from nntui.core.records import (
    EXPORT_FORMATS,
    RUN_COLUMNS,
    SORT_NAMES,
    cut_middle,
    duration_text,
    figure_text,
    fit_columns,
    sorted_runs,
    table_row,
)

EXIT_USAGE = 2
SHARE_HELP = "a config as one line, e.g. 'dataset=circle&lr=0.03' (`nntui runs show` prints a run's)"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it; SIGHUP 129, SIGTERM 143
STOP_SIGNALS = (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)


def build_parser() -> argparse.ArgumentParser:
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument(
        "--runs-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where runs are saved (default: $NNTUI_RUNS_DIR, else the user data directory)",
    )
    parser = argparse.ArgumentParser(
        prog="nntui",
        description="Build, train and watch small PyTorch networks. With no command: the app.",
        parents=[store],
    )
    link = parser.add_mutually_exclusive_group()
    link.add_argument(
        "--slow-link",
        dest="slow_link",
        action="store_true",
        default=None,
        help="the app redraws within about 5 KB/s, its charts less often (the default over SSH)",
    )
    link.add_argument(
        "--fast-link",
        dest="slow_link",
        action="store_false",
        help="the app redraws within about 20 KB/s, over SSH too",
    )
    parser.add_argument(
        "--config-string",
        dest="app_config_string",
        metavar="TEXT",
        help="open the app on the config of a share string (`nntui runs show` prints a run's)",
    )
    commands = parser.add_subparsers(dest="command")
    train = commands.add_parser("train", parents=[store], help="train headless, printing progress")
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help="a preset from `nntui presets`")
    source.add_argument("--config", metavar="FILE", help="a run config in TOML")
    source.add_argument("--resume", metavar="ID", help="continue a saved run (see `nntui runs`)")
    source.add_argument("--config-string", metavar="TEXT", help=SHARE_HELP)
    _add_config_flags(train)
    train.add_argument("--jsonl", action="store_true", help="print one JSON object per event")
    train.add_argument(
        "--every", type=int, metavar="N", help="print every Nth epoch (default: about 10 lines)"
    )
    train.add_argument("--save", metavar="PATH", help="write the final state_dict and config to a .pt file")
    train.add_argument("--write-config", metavar="PATH", help="write the run's config as TOML and exit")
    _add_threads(train)
    _add_runs_commands(commands, store)
    _add_compare_command(commands, store)
    add_lesson_command(commands, store)
    add_inspect_command(commands, store)
    from nntui.cli.sweep import add_sweep_command

    add_sweep_command(commands, store)
    commands.add_parser("presets", help="list the tutorial's experiments")
    commands.add_parser(
        "devices", help="list the devices torch can train on, and each GPU's load, memory, heat and power"
    )
    return parser


def _add_config_flags(command: argparse.ArgumentParser) -> None:
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


def _add_threads(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="torch CPU threads (default: torch's, one per core; 1 on a busy machine)",
    )


def _add_runs_commands(commands, store: argparse.ArgumentParser) -> None:

    runs = commands.add_parser("runs", parents=[store], help="list, show, export and delete saved runs")
    runs.add_argument("--sort", choices=SORT_NAMES, default="created", help="default: newest first")
    runs.add_argument(
        "--wide", action="store_true", help="every column, however wide (default: fit the terminal)"
    )
    actions = runs.add_subparsers(dest="runs_command")
    show = actions.add_parser("show", parents=[store], help="a run's config, outcome and history")
    show.add_argument("id", help="a run id, or a unique start of one")
    show.add_argument("--layers", action="store_true", help="its per-layer diagnostics and hand edits")
    export = actions.add_parser("export", parents=[store], help="write a run as csv, json, pt or py")
    export.add_argument("id", help="a run id, or a unique start of one")
    export.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    export.add_argument(
        "-o", "--output", metavar="PATH", help="where to write (default: ./nntui-ID.FORMAT; - for stdout)"
    )
    delete = actions.add_parser("delete", parents=[store], help="delete a run (asks first)")
    delete.add_argument("id", help="a run id, or a unique start of one")
    delete.add_argument("-y", "--yes", action="store_true", help="do not ask")


def _add_compare_command(commands, store: argparse.ArgumentParser) -> None:
    compare = commands.add_parser(
        "compare", parents=[store], help="train variants of one config side by side and compare them"
    )
    source = compare.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help="a preset from `nntui presets`")
    source.add_argument("--config", metavar="FILE", help="a run config in TOML")
    source.add_argument("--config-string", metavar="TEXT", help=SHARE_HELP)
    compare.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="FIELD=A|B|…",
        help='values to try, e.g. model.hidden="100 relu|100 identity" or training.seed=1,2,3 '
        "(repeatable: every combination is trained)",
    )
    _add_config_flags(compare)
    way = compare.add_mutually_exclusive_group()
    way.add_argument(
        "--sequential", dest="batched", action="store_false", default=None, help="never batch the variants"
    )
    way.add_argument(
        "--batched",
        dest="batched",
        action="store_true",
        help="batch the variants even where it is expected to be slower (default: where it pays)",
    )
    compare.add_argument("--plot", action="store_true", help="draw the loss curves in the terminal")
    _add_threads(compare)


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            from nntui.tui.app import run_app

            config = None
            if args.app_config_string is not None:
                from nntui.core.share import from_share_string

                config = from_share_string(args.app_config_string)
            return run_app(getattr(args, "runs_dir", None), args.slow_link, config)  # ends the process
        if args.command == "presets":
            return list_presets(out)
        if args.command == "devices":
            return list_devices(out)
        if args.command == "runs":
            return runs_command(args, out)
        if args.command == "compare":
            return compare_command(args, out)
        if args.command == "lesson":
            return lesson_command(args, out)
        if args.command == "inspect":
            return inspect_command(args, out)
        if args.command == "sweep":
            from nntui.cli.sweep import sweep_command

            return sweep_command(args, out)
        return train(args, out)
    except ConfigError as error:
        for problem in error.problems:
            print(f"nntui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as error:
        print(f"nntui: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl-C before a run took it over, e.g. while torch is imported
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `nntui runs | head`: the reader has all it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def list_presets(out: TextIO) -> int:
    from nntui.engine.presets import PRESETS

    width = max(map(len, PRESETS))
    for name, preset in PRESETS.items():
        print(f"{name:<{width}}  {preset.summary}", file=out)
    return 0


def list_devices(out: TextIO) -> int:
    from nntui.engine.devices import auto_device, available_devices, device_failure
    from nntui.engine.gpu_monitor import GpuMonitor, report_lines

    default = auto_device()
    for info in available_devices():
        failure = device_failure(info.name) if info.name != "cpu" else None
        print(f"{'*' if info.name == default else ' '} {info}", file=out)
        if failure:
            print(f"    fails its first computation, so auto passes it over: {failure}", file=out)
    monitor = GpuMonitor()
    try:
        for line in report_lines(monitor.read()):
            print(f"  {line}", file=out)
    finally:
        monitor.close()
    return 0


def config_overrides(args: argparse.Namespace) -> list[str]:
    """The flags that set config fields, as `field=value` overrides, then the --set ones."""
    overrides = [
        f"{field}={_quote(value)}"
        for field, value in vars(args).items()
        if "." in field or field in ("device", "style")
        if value is not None
    ]
    return overrides + args.overrides


def run_config(args: argparse.Namespace):
    """The config named by --preset or --config, with flags and --set overrides applied."""
    from nntui.core.config import RunConfig
    from nntui.engine.presets import PRESETS

    overrides = config_overrides(args)
    if args.config:
        return None, RunConfig.load(args.config, overrides)
    if args.config_string is not None:
        from nntui.core.share import from_share_string

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


def runs_command(args: argparse.Namespace, out: TextIO) -> int:
    from nntui.storage.runs import RunStore

    store = RunStore(getattr(args, "runs_dir", None))
    if args.runs_command is None:
        return list_runs(store, args.sort, out, None if args.wide else shutil.get_terminal_size().columns)
    if args.runs_command == "delete" and store.incomplete(args.id):
        store.delete(args.id.strip())  # killed during its first save: nothing of it to keep
        print(f"deleted the incomplete run {args.id.strip()}", file=out)
        return 0
    record = store.find(args.id)
    if args.runs_command == "show":
        for line in run_details(store, record):
            print(line, file=out)
        if args.layers:
            from nntui.cli.inspect import layers_lines

            for line in ["", *layers_lines(store.history(record.id), len(record.config.model.hidden))]:
                print(line, file=out)
    elif args.runs_command == "export":
        from nntui.storage.export import export_run

        where = export_run(store, record, args.format, args.output)
        if where != "-":
            print(f"wrote {where}", file=out)
    else:
        if not args.yes:
            if not sys.stdin.isatty():
                raise UserError(f"delete run {record.id}: pass --yes to delete without being asked")
            try:
                answer = ask(f"delete run {record.id} ({record.name}, {record.status})? [y/N] ")
            except (EOFError, KeyboardInterrupt) as interrupt:
                print("\nnot deleted", file=out)
                return EXIT_INTERRUPTED if isinstance(interrupt, KeyboardInterrupt) else 0
            if answer.strip().lower() not in ("y", "yes"):
                print("not deleted", file=out)
                return 0
        store.delete(record.id)
        print(f"deleted run {record.id}", file=out)
    return 0


def ask(question: str) -> str:
    """input(), but one that Ctrl-C ends though a thread of torch's took the signal: the main
    thread waits in short selects, each a chance for Python to run the handler, not in one read."""
    print(question, end="", flush=True)
    while not select.select([sys.stdin], [], [], 0.1)[0]:
        pass
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line


def list_runs(store, sort: str, out: TextIO, width: int | None = None) -> int:
    """The runs table, fitted to `width` characters (None: every column in full); unreadable
    entries are named on stderr and skipped."""
    listing = store.list()
    for line in listing.skipped:
        print(f"nntui: {line}", file=sys.stderr)
    if not listing.runs:
        print(f"no runs saved in {store.root} yet; `nntui train` saves every run", file=out)
        return 0
    table = [RUN_COLUMNS] + [table_row(run) for run in sorted_runs(listing.runs, sort)]
    columns = fit_columns(table, width)
    order = [RUN_COLUMNS.index(name) for name in columns]
    for row in table:
        cells = (cut_middle(row[i], size).ljust(size) for i, size in zip(order, columns.values()))
        print("  ".join(cells).rstrip(), file=out)
    left_out = [name for name in RUN_COLUMNS if name not in columns]
    if left_out:
        note = f"--wide shows the {len(left_out)} columns left out to fit: {', '.join(left_out)}"
        print(textwrap.fill(note, width or len(note)), file=out)
    return 0


def run_details(store, record) -> list[str]:
    """`nntui runs show`: what the run was, how it ended, its figures every tenth of the way."""
    lines = [
        f"run {record.id}: {record.name} ({record.status})",
        f"created {record.created} on {record.device}; "
        f"{record.architecture}, {record.parameters:,} parameters",
        f"{record.epochs_done} of {record.epochs} epochs in {duration_text(record.duration_s)}; "
        f"train loss {figure_text(record.train_loss)}, val loss {figure_text(record.val_loss)}, "
        f"accuracy {'-' if record.accuracy is None else f'{record.accuracy:.4f}'}",
    ]
    if record.resumed_from:
        lines.append(f"continues run {record.resumed_from}")
    if record.group:
        lines.append(f"compared in group {record.group}")
    if record.message:
        lines.append(record.message)
    from nntui.core.share import to_share_string

    lines += [f"files: {store.root / record.id}", f"share: {to_share_string(record.config)!r}"]
    lines += ["", "config:", record.config.to_toml().rstrip(), ""]
    history = store.history(record.id)
    if len(history):
        step = max(1, len(history) // 10)
        lines.append("epoch  train_loss    val_loss      accuracy")
        for index, row in enumerate(history.rows()):
            if index % step and index != len(history) - 1:
                continue
            accuracy = row["val_accuracy"] if row["val_accuracy"] is not None else row["train_accuracy"]
            lines.append(
                f"{row['epoch']:>5}  {figure_text(row['train_loss']):<12}  "
                f"{figure_text(row['val_loss']):<12}  "
                f"{'-' if accuracy is None else f'{accuracy:.4f}'}"
            )
    return lines


def _quote(value: object) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value)


def train(args: argparse.Namespace, out: TextIO) -> int:
    from nntui.storage.runs import RunStore, config_for_resume

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
    from nntui.core.events import EpochEnd, Failed, Finished
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


def compare_command(args: argparse.Namespace, out: TextIO) -> int:
    """Train variants of one config, print their figures side by side, save each as a run."""
    from nntui.core.events import EpochEnd, Failed, Finished
    from nntui.core.variants import make_variants
    from nntui.engine.trainer import RunControl
    from nntui.storage.comparison import Comparison
    from nntui.storage.runs import RunStore

    store = RunStore(getattr(args, "runs_dir", None))
    preset, config = run_config(args)
    if config is None:
        raise UserError(f"preset {preset.name!r} is a demo, not a training run: there is nothing to vary")
    variants = make_variants(config, args.vary)
    store.ensure_writable()
    set_threads(args.threads)
    control = RunControl()
    comparison = Comparison(variants, store, control, batched=args.batched)
    how = (
        "batched into one computation"
        if comparison.batched
        else f"one after another ({comparison.why_sequential})"
    )
    print(f"{len(variants)} variants of {config.name}, trained {how}", file=out, flush=True)
    width = max(len(variant.label) for variant in variants)
    every = max(1, config.training.epochs // 5)
    outcomes: dict[int, Finished | Failed] = {}
    with stopping_on_signals(control) as received:
        for index, event in comparison.events():
            label = variants[index].label
            if isinstance(event, EpochEnd) and (event.epoch % every == 0 or event.epoch == event.epochs - 1):
                print(f"{label:<{width}}  {epoch_line(event)}", file=out, flush=True)
            elif isinstance(event, Finished | Failed):
                outcomes[index] = event
                if isinstance(event, Failed):
                    print(f"{label:<{width}}  {event.reason}: {event.message}", file=out, flush=True)
        records = comparison.save()
    print("", file=out)
    rows = [("variant", "status", "epochs", "train loss", "val loss", "accuracy", "duration", "run")]
    for variant, record in zip(variants, records):
        rows.append(
            (
                variant.label,
                record.status,
                str(record.epochs_done),
                figure_text(record.train_loss),
                figure_text(record.val_loss),
                "-" if record.accuracy is None else f"{record.accuracy:.4f}",
                duration_text(record.duration_s),
                record.id,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip(), file=out)
    print(f"saved {len(records)} runs in {store.root} (group {comparison.group})", file=out)
    if args.plot:
        print(overlay_chart(store, [record.id for record in records]), file=out)
    if any(isinstance(outcome, Failed) for outcome in outcomes.values()):
        return 1
    return 128 + received[0] if received else 0


def overlay_chart(store, run_ids: list[str], metric: str = "train_loss") -> str:
    """The runs' curves on one terminal chart, each labelled."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(100, 25)
    plt.theme("clear")
    for series in store.overlay(run_ids, metric):
        plt.plot(series.epochs, series.values, label=series.label)
    plt.title(metric.replace("_", " "))
    plt.xlabel("epoch")
    return plt.build()


def set_threads(threads: int | None) -> None:
    """By default torch's own choice, one thread per core: headless, nothing else needs a core,
    and benchmarks/engine_bench.py measured 2 threads 1.3-1.7x faster than 1 on 2 cores.
    (The app's training process leaves one core to the screen; see nntui/tui/runner.py.)"""
    if threads is not None and not 1 <= threads <= 1024:
        raise UserError(f"--threads must be between 1 and 1024, got {threads}")
    if threads:
        import torch

        torch.set_num_threads(threads)


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
        from nntui.core.events import EpochEnd, Failed, Finished, Started

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
        from nntui.core.events import EpochEnd, Snapshot, Started

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
