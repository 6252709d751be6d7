"""What the tutorial printed, verbatim, set beside the same thing in nntui's run: the first tensors
(as torch prints them: 4 decimals, the first and last 3 rows) and losses it printed as tensors."""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
LOSS_BEFORE = "loss before"  # the first epoch's loss, measured before its update
LOSS_AFTER = "loss after"  # the final model's loss on the training set
OUTPUT_SHAPE = "output shape"  # whether Output against Input is a straight line
STRAIGHT_WITHIN = 1e-4  # of the output's range: float32 rounding, not a bend


@dataclass(frozen=True)
class Printed:
    """One thing the tutorial printed: `text` as it printed it; `source` names nntui's own value,
    a tensor of `network_tensors` (or the timing demo's), `loss before` or `loss after`."""

    source: str
    text: str
    what: str = ""

    @property
    def label(self) -> str:
        return self.what or self.source

    @property
    def decimals(self) -> int:
        """Digits after the point in what the tutorial printed (4 for torch's tensors)."""
        first = NUMBER.search(self.text)
        return len(first.group().partition(".")[2]) if first else 0


@dataclass(frozen=True)
class Comparison:
    """A printed figure beside nntui's; `same` when the numbers shown are the same."""

    printed: Printed
    ours: str | None

    @property
    def same(self) -> bool:
        """The same numbers, or for words (`linear`) the same first word."""
        if self.ours is None:
            return False
        theirs = self.printed.text
        if not numbers(theirs):
            return self.ours.split(":")[0] == theirs
        return numbers(self.ours) == numbers(theirs)


def numbers(text: str) -> list[str]:
    """The figures in a printed tensor (its grad_fn left out, -0.0000 read as 0.0000)."""
    text = re.sub(r", grad_fn=<\w+>", "", text)
    return NUMBER.findall(text.replace("-0.0000", "0.0000"))


def torch_text(value: torch.Tensor | torch.Size) -> str:
    """As a notebook shows it: torch's default print options (4 decimals, 3 edge rows)."""
    with torch._tensor_str.printoptions(profile="default"):
        return repr(value)


def network_tensors(x: torch.Tensor, model) -> dict[str, torch.Tensor | torch.Size]:
    """The random-network cell's tensors for an untrained `model` on inputs `x`: X1 = Input@W1 + B1
    (the first layer before its activation), X1.clamp(0) (after ReLU) and the output's shape."""
    with torch.no_grad():
        if hasattr(model, "layers"):
            x1 = model.layers[0](x)
        else:
            w, b = model.weights[0], model.biases[0]
            x1 = x @ w if b is None else x @ w + b
        output = model(x)
    return {
        "Input": x.cpu(),
        "X1": x1.cpu(),
        "X1.shape": x1.shape,
        "X1.clamp(0)": x1.clamp(0).cpu(),
        "Output.shape": output.shape,
        OUTPUT_SHAPE: output_shape(x, output),
    }


def output_shape(x: torch.Tensor, output: torch.Tensor) -> str:
    """`linear` or `non-linear`, by how far the outputs lie from the best straight line through
    them (least squares), as a share of the output's range."""
    x, y = x.double().cpu(), output.double().cpu()
    if x.shape[1] != 1 or y.shape[1] != 1:
        return "-"
    line = torch.cat([x, torch.ones_like(x)], 1)
    fit = torch.linalg.lstsq(line, y).solution
    away = (line @ fit - y).abs().max().item()
    spread = max((y.max() - y.min()).item(), 1e-12)
    if away <= STRAIGHT_WITHIN * spread:
        return f"linear: every point within {away / spread:.0e} of the output's range of a straight line"
    return f"non-linear: the farthest point is {away / spread:.0%} of the output's range from a straight line"


def compare(printed: tuple[Printed, ...], ours: dict[str, object]) -> list[Comparison]:
    """Each printed figure beside nntui's: tensors as torch prints them, losses to the printed
    decimals; a figure nntui has not measured (yet) is None."""
    rows = []
    for item in printed:
        value = ours.get(item.source)
        if isinstance(value, float):
            value = f"tensor({value:.{item.decimals}f})"
        elif value is not None and not isinstance(value, str):
            value = torch_text(value)
        rows.append(Comparison(item, value))
    return rows


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\n", " ")).replace("[ ", "[")


def comparison_lines(rows: list[Comparison], heading: str) -> list[str]:
    """For the CLI: a figure that fits on a line beside the tutorial's, a matrix as two blocks."""
    if not rows:
        return []
    lines = ["", heading]
    for row in rows:
        mark = "✓ same" if row.same else ("… not measured" if row.ours is None else "✗ differs")
        theirs, ours = row.printed.text, row.ours or "-"
        if "\n" in theirs and "," in theirs.splitlines()[0]:
            lines += [
                f"{row.printed.label}: tutorial printed",
                *(f"  {line}" for line in theirs.splitlines()),
            ]
            lines += ["nntui", *(f"  {line}" for line in ours.splitlines()), f"  {mark}"]
        else:
            lines.append(f"{row.printed.label}")
            lines.append(f"  tutorial  {one_line(theirs)}")
            lines.append(f"  nntui     {one_line(ours)}  {mark}")
    return lines


def short(text: str, width: int = 50) -> str:
    """A printed tensor in a few characters: its first numbers, then `…` and its last ones."""
    if text.startswith("torch.Size"):
        return text.removeprefix("torch.Size(").removesuffix(")")
    found = numbers(text)
    if not found:  # words: the tutorial's `linear`
        return text if len(text) <= width else text[: width - 1] + "…"
    if len(numbers(text.splitlines()[0])) > 1:  # a matrix: its first row
        found = [*numbers(text.splitlines()[0]), "…"]
    elif "..." in text:
        half = len(found) // 2
        found = [*found[:half], "…", *found[half:]]
    line = " ".join(found)
    return line if len(line) <= width else line[: width - 1] + "…"


def initial_values(trainer) -> dict[str, object]:
    """nntui's side of the tensors printed before a cell trains: from the run's own data and
    untrained model, so call it before training."""
    return network_tensors(trainer.data.x_train, trainer.model)


def run_values(first_loss: float | None, outcome) -> dict[str, object]:
    """nntui's side of the losses printed: the first epoch's loss (before its update) and the
    final training loss."""
    values: dict[str, object] = {}
    if first_loss is not None:
        values[LOSS_BEFORE] = first_loss
    if outcome is not None and getattr(outcome, "train_loss", None) is not None:
        values[LOSS_AFTER] = outcome.train_loss
    return values


def short_lines(rows: list[Comparison]) -> list[str]:
    """For narrow places (the app, a demo): two short lines a figure, the tutorial's, then nntui's."""
    lines = []
    for row in rows:
        mark = "✓ same" if row.same else ("…" if row.ours is None else "✗ differs")
        lines.append(f"{row.printed.label}")
        lines.append(f"  tutorial {short(row.printed.text)}")
        lines.append(f"  nntui    {short(row.ours) if row.ours else '-'}  {mark}")
    return lines


def batch_mean_loss(steps, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> tuple[float, list[int]]:
    """The tutorial's validation loss: each batch's mean loss, then the mean of those (unequal
    batches weigh alike), and the batch sizes."""
    losses, sizes = [], []
    for begin in range(0, len(x), batch_size):
        loss, _ = steps.evaluate(x[begin : begin + batch_size], y[begin : begin + batch_size])
        losses.append(loss.reshape(-1)[0])
        sizes.append(len(x[begin : begin + batch_size]))
    return torch.stack(losses).mean().item(), sizes


def validation_lines(
    printed: float, full_mean: float | None, batch_means: float, sizes: list[int]
) -> list[str]:
    """The final validation loss both ways: as the tutorial defines it, and over every point."""
    batches = f"mean of {len(sizes)} batch means ({' / '.join(f'{size:,}' for size in sizes)} points)"
    every = f"mean over all {sum(sizes):,} points (nntui's val loss)"
    width = max(len(batches), len(every)) + 2
    full = "-" if full_mean is None else f"{full_mean:.4f}"
    return [
        "",
        f"{'final validation loss':<{width}}tutorial  nntui",
        f"{batches:<{width}}{printed:<10.4f}{batch_means:.4f}",
        f"{every:<{width}}{'-':<10}{full}",
    ]
