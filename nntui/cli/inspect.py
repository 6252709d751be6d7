"""`nntui inspect RUN [--layer N]`: a saved run's neurons as a table (weights, bias, state), and
`nntui runs show RUN --layers`: its per-layer diagnostics, the last measured and over time."""

from __future__ import annotations

import argparse
from typing import TextIO

from nntui.core.errors import UserError
from nntui.core.inside import (
    STATE_MEANING,
    Inside,
    LayerView,
    diagnostics_lines,
    edit_text,
    last_diagnostics,
    layer_diagnostics,
)

MOST_WEIGHTS = 10  # a neuron with more inputs shows the first ones and the count of the rest


def add_inspect_command(commands, store: argparse.ArgumentParser) -> None:
    inspect = commands.add_parser(
        "inspect",
        parents=[store],
        help="a saved run's neurons: weights, bias and state (dead/active/saturated)",
    )
    inspect.add_argument("id", help="a run id, or a unique start of one")
    inspect.add_argument(
        "--layer", type=int, metavar="N", help="only weight matrix N (from 1; the last is the output)"
    )


def inspect_command(args: argparse.Namespace, out: TextIO) -> int:
    from nntui.engine.inside import look_inside
    from nntui.storage.runs import RunStore, restore_trainer

    store = RunStore(getattr(args, "runs_dir", None))
    record = store.find(args.id)
    trainer = restore_trainer(store, record)
    data = trainer.data
    inside = look_inside(trainer.model, trainer.config, data.x_train, data.task, most=None, maps=False)
    layers = len(inside.layers)
    if args.layer is not None and not 1 <= args.layer <= layers:
        raise UserError(
            f"--layer {args.layer}: run {record.id} has layers 1 to {layers} ({record.architecture})"
        )
    print(
        f"run {record.id}: {record.name}, {record.architecture}, after {trainer.epochs_done} epochs", file=out
    )
    for layer in inside.layers:
        if args.layer is None or layer.number == args.layer:
            print("", file=out)
            for line in neuron_table(inside, layer):
                print(line, file=out)
    states = {state for layer in inside.layers for state in layer.states}
    if states:
        print("", file=out)
        for state in [s for s in STATE_MEANING if s in states]:
            print(f"{state}: {STATE_MEANING[state]}", file=out)
    return 0


def neuron_table(inside: Inside, layer: LayerView) -> list[str]:
    """One line per neuron: its number, state, bias and incoming weights."""
    kind = "output layer" if layer.output else f"hidden layer, {layer.activation}"
    counts = ", ".join(f"{count} {state}" for state, count in layer.state_counts().items())
    lines = [f"layer {layer.number} ({kind}): {layer.units} units" + (f": {counts}" if counts else "")]
    fan_in = layer.weights.shape[1]
    names = [f"w{i + 1}" for i in range(min(fan_in, MOST_WEIGHTS))]
    lines.append("neuron  state      bias        " + "  ".join(f"{name:>9}" for name in names))
    for row, unit in enumerate(layer.shown.tolist()):
        state = layer.states[row] if layer.states else "-"
        bias = "-" if layer.biases is None else f"{float(layer.biases[row]):.4g}"
        weights = "  ".join(f"{float(w):>9.4g}" for w in layer.weights[row, :MOST_WEIGHTS])
        more = f"  … {fan_in - MOST_WEIGHTS} more" if fan_in > MOST_WEIGHTS else ""
        lines.append(f"{unit + 1:>6}  {state:<9}  {bias:>10}  {weights}{more}".rstrip())
    source = (
        ", ".join(inside.inputs) if layer.number == 1 else f"the {fan_in} units of layer {layer.number - 1}"
    )
    lines.append(f"inputs w1 … w{fan_in}: {source}")
    return lines


def layers_lines(history, hidden: int) -> list[str]:
    """`runs show --layers`: the last per-layer figures, then the layers' figures every tenth of the way."""
    rows = history.rows()
    last = last_diagnostics(rows)
    if last is None:
        return ["no per-layer diagnostics saved for this run (it was trained before nntui measured them)"]
    epoch, found = last
    lines = [f"per-layer diagnostics at epoch {epoch}:", *diagnostics_lines(found, hidden)]
    measured = [row for row in rows if layer_diagnostics(row)]
    step = max(1, len(measured) // 10)
    lines += ["", "over the run (weight norm / gradient norm per layer):"]
    for index, row in enumerate(measured):
        if index % step and index != len(measured) - 1:
            continue
        cells = [
            f"L{d.layer} {d.text('weight_norm')}/{d.text('layer_grad_norm')}".ljust(20)
            for d in layer_diagnostics(row)
        ]
        lines.append(f"{int(row['epoch']):>6}  " + "".join(cells).rstrip())
    if history.edits:
        lines += ["", "edited by hand:"]
        lines += [f"  {edit_text(edit)}" for edit in history.edits]
    return lines
