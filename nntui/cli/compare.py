"""`nntui compare`: variants of one config trained side by side (batched where it pays), their
figures printed as a table, each saved as a run of one group."""

from __future__ import annotations

import argparse
from typing import TextIO

from nntui.cli.common import (
    SHARE_HELP,
    add_config_flags,
    add_threads,
    epoch_line,
    run_config,
    set_threads,
    stopping_on_signals,
)
from nntui.core.errors import UserError
from nntui.core.events import EpochEnd, Failed, Finished
from nntui.core.records import duration_text, figure_text
from nntui.core.variants import make_variants


def add_compare_command(commands, store: argparse.ArgumentParser) -> None:
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
    add_config_flags(compare)
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
    add_threads(compare)


def compare_command(args: argparse.Namespace, out: TextIO) -> int:
    """Train variants of one config, print their figures side by side, save each as a run."""
    from nntui.engine.trainer import RunControl  # torch
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
