"""`nntui runs`: list, show, export and delete saved runs."""

from __future__ import annotations

import argparse
import select
import shutil
import sys
import textwrap
from typing import TextIO

from nntui.cli.common import EXIT_INTERRUPTED
from nntui.core.errors import UserError
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
from nntui.core.share import to_share_string


def add_runs_commands(commands, store: argparse.ArgumentParser) -> None:
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


def runs_command(args: argparse.Namespace, out: TextIO) -> int:
    from nntui.storage.runs import RunStore  # torch

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
    try:
        share = repr(to_share_string(record.config))
    except UserError as error:  # a drawn set too large for one line
        share = f"none: {error}"
    lines += [f"files: {store.root / record.id}", f"share: {share}"]
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
