"""`nntui sweep`: train a grid of one or two fields (batched where it fits, in chunks where it
does not), print the grid's validation loss as a heatmap with the best cell marked, save it as a
group of runs."""

from __future__ import annotations

import argparse
import math
import time
from typing import TextIO

from nntui.cli.common import (
    EXIT_INTERRUPTED,
    SHARE_HELP,
    add_config_flags,
    add_threads,
    run_config,
    set_threads,
    stopping_on_signals,
)
from nntui.core.errors import UserError
from nntui.core.events import Failed, Finished
from nntui.core.sweep import BEST, SHADES, SPACINGS, Grid, make_grid, shade


def add_sweep_command(commands, store: argparse.ArgumentParser) -> None:
    sweep = commands.add_parser(
        "sweep",
        parents=[store],
        help="train a grid of learning rates, widths, … as one computation and map its loss",
    )
    source = sweep.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help="a preset from `nntui presets`")
    source.add_argument("--config", metavar="FILE", help="a run config in TOML")
    source.add_argument("--config-string", metavar="TEXT", help=SHARE_HELP)
    sweep.add_argument(
        "--grid",
        action="append",
        required=True,
        metavar="FIELD=LOW..HIGH,N",
        help="a field and its values: a range of N (training.lr=1e-4..1,12, "
        "model.hidden[0].units=2..128,7) or a list (training.seed=1,2,3); once or twice",
    )
    sweep.add_argument(
        "--spacing",
        choices=SPACINGS,
        default="auto",
        help="of a range's values (default auto: log for a range above 0 spanning over a decade)",
    )
    sweep.add_argument(
        "--figure",
        choices=("final", "best"),
        default="final",
        help="map the final validation loss (default) or the best seen while training",
    )
    sweep.add_argument(
        "--chunk", type=int, metavar="K", help="train K cells at a time (default: as many as fit and pay)"
    )
    sweep.add_argument(
        "--sequential", dest="batched", action="store_false", default=None, help="never batch the cells"
    )
    add_config_flags(sweep)
    add_threads(sweep)


def sweep_command(args: argparse.Namespace, out: TextIO) -> int:
    from nntui.engine.loop import RunControl
    from nntui.storage.runs import RunStore
    from nntui.storage.sweep import Sweep

    if args.chunk is not None and args.chunk < 1:
        raise UserError(f"--chunk must be at least 1, got {args.chunk}")
    store = RunStore(getattr(args, "runs_dir", None))
    preset, config = run_config(args)
    if config is None:
        raise UserError(f"preset {preset.name!r} is a demo, not a training run: there is nothing to sweep")
    grid = make_grid(config, args.grid, args.spacing)
    store.ensure_writable()
    set_threads(args.threads)
    control = RunControl()
    sweep = Sweep(grid, store, control, chunk=args.chunk, batched=args.batched)
    rows, columns = grid.shape
    chunks = math.ceil(len(grid.variants) / sweep.chunk)
    print(
        f"{len(grid.variants)} cells of {config.name} ({rows} × {columns}), "
        f"{min(sweep.chunk, len(grid.variants))} at a time in {chunks} chunk{'s' * (chunks != 1)}",
        file=out,
        flush=True,
    )
    began = time.perf_counter()
    done = 0
    with stopping_on_signals(control):
        for _, event in sweep.events():
            if isinstance(event, Finished | Failed):
                done += 1
                if done % sweep.chunk == 0 or done == len(grid.variants):
                    print(
                        f"  {done}/{len(grid.variants)} cells trained ({sweep.ways[-1]}), "
                        f"{time.perf_counter() - began:.1f} s",
                        file=out,
                        flush=True,
                    )
    print("", file=out)
    for line in heatmap_lines(grid, sweep.figures.values(args.figure), sweep.figures.outcome):
        print(line, file=out)
    what = "validation" if sweep.figures.metric == "val_loss" else "train (no validation set)"
    legend = f"{BEST} marks the best; shade: {SHADES[1]} low … {SHADES[-1]} high"
    print(f"\n{args.figure} {what} loss; {legend}", file=out)
    best = sweep.figures.best_cell(args.figure)
    if best is not None:
        record = sweep.records[best]
        value = sweep.figures.values(args.figure)[best]
        run = f" (run {record.id})" if record else ""
        print(f"best: {grid.variants[best].label}: {value:.4g}{run}", file=out)
    saved = [record for record in sweep.records if record is not None]
    print(f"saved {len(saved)} runs in {store.root} (group {sweep.group})", file=out)
    if any(outcome not in ("finished", "stopped") for outcome in sweep.figures.outcome):
        return 1
    return EXIT_INTERRUPTED if control.stop_requested else 0


def cell_text(value: float | None, outcome: str, low: float, high: float) -> str:
    """A cell as a shade glyph (its loss's place between the grid's lowest and highest, in log
    space) and the loss; a failed cell names its failure, an untrained one is blank."""
    if outcome and outcome not in ("finished", "stopped"):
        return f"× {outcome}"
    if value is None or not math.isfinite(value):
        return "·"
    return f"{SHADES[shade(value, low, high)]} {value:.3g}"


def heatmap_lines(grid: Grid, values: list[float | None], outcomes: list[str]) -> list[str]:
    """The grid as a table: the first field's values down, the second's across, each cell its
    loss with a shade glyph, the best cell marked with BEST."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 0.0)
    best = min(((v, i) for i, v in enumerate(values) if v is not None and math.isfinite(v)), default=None)
    first = grid.axes[0]
    second = grid.axes[1] if len(grid.axes) > 1 else None
    rows, columns = grid.shape
    header = [f"{first.name} \\ {second.name}" if second else first.name]
    header += [second.label(value) for value in second.values] if second else ["loss"]
    table = [header]
    for row in range(rows):
        line = [first.label(first.values[row])]
        for column in range(columns):
            index = row * columns + column
            text = cell_text(values[index], outcomes[index], low, high)
            line.append(f"{text} {BEST}" if best and best[1] == index else text)
        table.append(line)
    widths = [max(len(line[column]) for line in table) for column in range(len(header))]
    return ["  ".join(cell.rjust(w) for cell, w in zip(line, widths)).rstrip() for line in table]
