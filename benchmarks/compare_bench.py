"""Is it faster to train K small variants batched into one computation than one after another?

For each network, K variants (seeds 1..K) are trained twice through `nntui.storage.comparison.Comparison`:
one after another (K Trainers), then batched (stacked weights, torch.baddbmm, one optimizer).
Prints both times, the ratio, and each way's final train losses, which must agree.

    .venv/bin/python benchmarks/compare_bench.py             # K=5, 100 epochs
    .venv/bin/python benchmarks/compare_bench.py --k 10 --epochs 300 --device cuda
"""

from __future__ import annotations

import argparse
import tempfile
import time

from nntui.cli.common import set_threads
from nntui.core.events import Finished
from nntui.core.variants import make_variants
from nntui.engine.presets import PRESETS
from nntui.storage.comparison import Comparison
from nntui.storage.runs import RunStore

# (label, preset, overrides): the tutorial's 1-100-1 network and its 2-100-100-3 classifier
CASES = [
    ("1-100-1 x2, full batch", "optim", []),
    ("1-100-1 x2, batches of 1000", "minibatch", []),
    ("2-100-100-3 rings, batches of 1000, shuffled", "classification", []),
    ("1-16-16-2 spiral, batches of 50, adam", "better-spiral", []),
]


def timed(variants, store: RunStore, sequential: bool) -> tuple[float, list[float], bool]:
    began = time.perf_counter()
    comparison = Comparison(variants, store, batched=not sequential)
    finals: dict[int, float] = {}
    for index, event in comparison.events():
        if isinstance(event, Finished):
            finals[index] = event.train_loss
    seconds = time.perf_counter() - began
    return seconds, [finals[index] for index in sorted(finals)], comparison.batched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=5, help="variants (seeds 1..K)")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    set_threads(args.threads)
    import torch

    print(f"K={args.k} seeds, {args.epochs} epochs, {args.device}, {torch.get_num_threads()} torch threads")
    print(
        f"{'network':<46} {'sequential':>10} {'batched':>9} {'speed-up':>8}  auto  final train losses agree"
    )
    with tempfile.TemporaryDirectory() as runs_dir:
        store = RunStore(runs_dir)
        for label, preset, overrides in CASES:
            config = PRESETS.get(preset).config.updated(
                [f"training.epochs={args.epochs}", f'device="{args.device}"', "replay=''", *overrides]
            )
            seeds = ",".join(str(seed) for seed in range(1, args.k + 1))
            variants = make_variants(config, [f"training.seed={seeds}"])
            sequential_s, sequential_losses, _ = timed(variants, store, sequential=True)
            batched_s, batched_losses, batched = timed(variants, store, sequential=False)
            assert batched, "the seed variants should batch"
            auto = "batch" if Comparison(variants, store).batched else "seq."
            worst = max(abs(a - b) / abs(a) for a, b in zip(sequential_losses, batched_losses))
            print(
                f"{label:<46} {sequential_s:>9.2f}s {batched_s:>8.2f}s "
                f"{sequential_s / batched_s:>7.1f}x  {auto:<5} "
                f"max rel. diff {worst:.1e} (e.g. {sequential_losses[0]:.6g} vs {batched_losses[0]:.6g})"
            )


if __name__ == "__main__":
    main()
