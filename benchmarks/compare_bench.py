"""Is it faster to train K variants of a small network batched into one computation than one
after another? K = 1, 10, 100, 1000 seeds of the tutorial's networks, both ways.

For each network and K, the K variants (seeds 1..K) are trained one after another (K Trainers)
and batched (BatchedRun: stacked weights, torch.baddbmm, one stacked update), each timed from
building the Trainers to the last Finished event, and printed as seconds, variants per second
and the speed-up of batching; then the crossover (the smallest K where batching is faster) and
the goal line: 100 variants of the x² preset in less than 3x the time of one run.

Estimates, marked `~`: one after another, only the first `--subset` variants are trained and the
time scaled to K (every variant does the same work); batched, a K over `--max-chunk` variants or
whose activations would pass `--max-floats` is trained in chunks, the first chunk timed and scaled.

    .venv/bin/python benchmarks/compare_bench.py                 # 10 epochs, CPU, 1 thread: about a minute
    .venv/bin/python benchmarks/compare_bench.py --epochs 100 --cases optim
    .venv/bin/python benchmarks/compare_bench.py --device cuda --threads 0
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

from nntui.cli.common import set_threads
from nntui.core.config import RunConfig
from nntui.core.events import Failed
from nntui.core.variants import make_variants
from nntui.engine.batched import BatchedRun, chunk_size
from nntui.engine.devices import resolve_device
from nntui.engine.loop import RunControl
from nntui.engine.presets import PRESETS
from nntui.engine.trainer import Trainer

# preset: what it is; optim is the tutorial's 1-100-1 x² net, the goal's network
CASES = {
    "optim": "1-100-1 x², 10,000 points, full batch, SGD",
    "classification": "2-100-100-3 rings, batches of 1000, shuffled, SGD",
    "better-spiral": "2-16-16-2 spiral, batches of 50, Adam",
}
GOAL_PRESET, GOAL_K, GOAL_RATIO = "optim", 100, 3.0


@dataclass(frozen=True)
class Timing:
    k: int  # variants
    seconds: float  # for all K, measured or scaled from `measured` of them
    measured: int  # variants actually trained
    chunk: int | None = None  # batched: variants per computation

    @property
    def estimated(self) -> bool:
        return self.measured < self.k

    def per_second(self) -> float:
        return self.k / self.seconds


def configs_of(preset: str, k: int, epochs: int, device: str) -> list[RunConfig]:
    config = PRESETS.get(preset).config.updated(
        [f"training.epochs={epochs}", f'device="{device}"', "replay=''"]
    )
    if k == 1:
        return [config.with_changes(name=f"{config.name} [seed=1]")]
    seeds = ",".join(str(seed) for seed in range(1, k + 1))
    return [variant.config for variant in make_variants(config, [f"training.seed={seeds}"])]


TIMED: dict[tuple[str, int, bool], float] = {}  # (first config's name, count, batched): seconds


def train_all(configs: list[RunConfig], batched: bool) -> float:
    """Seconds to build and train these configs, batched as one computation or one by one; the
    same first variants are timed once (K=1000's subset or first chunk is K=100's)."""
    key = (configs[0].name, len(configs), batched)
    if key not in TIMED:
        TIMED[key] = _train_all(configs, batched)
    return TIMED[key]


def _train_all(configs: list[RunConfig], batched: bool) -> float:
    began = time.perf_counter()
    control = RunControl()
    trainers = [Trainer(config, control) for config in configs]
    if batched and len(trainers) > 1:
        events = (event for _, event in BatchedRun(trainers, control).events())
    else:
        events = (event for trainer in trainers for event in trainer.events())
    for event in events:
        if isinstance(event, Failed):
            raise SystemExit(f"{configs[0].name}: {event.message}")
    return time.perf_counter() - began


def activation_floats(config: RunConfig) -> int:
    """One variant's widest activation: a batch's rows × the widest layer."""
    rows = config.training.batch_size or config.data.size - config.n_val
    return rows * max(layer.units for layer in config.model.hidden)


def sequential(configs: list[RunConfig], subset: int) -> Timing:
    """One after another; a single run is timed thrice and its best kept (it is short)."""
    measured = min(len(configs), subset)
    seconds = train_all(configs[:measured], batched=False)
    if measured == 1:
        seconds = min(seconds, *(_train_all(configs[:1], batched=False) for _ in range(2)))
    return Timing(len(configs), seconds * len(configs) / measured, measured)


def batched(configs: list[RunConfig], max_floats: int, max_chunk: int) -> Timing:
    chunk = max(1, min(len(configs), max_chunk, max_floats // activation_floats(configs[0])))
    seconds = train_all(configs[:chunk], batched=True)
    return Timing(len(configs), seconds * len(configs) / chunk, chunk, chunk)


def shown(timing: Timing) -> str:
    mark = "~" if timing.estimated else " "
    return f"{mark}{timing.seconds:>8.2f}s {timing.per_second():>8.1f}/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="epochs per variant (default 10)")
    parser.add_argument("--ks", default="1,10,100,1000", help="variant counts (default 1,10,100,1000)")
    parser.add_argument("--cases", default=",".join(CASES), help=f"presets (default {','.join(CASES)})")
    parser.add_argument(
        "--subset", type=int, default=20, help="train at most this many one after another, scale the rest"
    )
    parser.add_argument(
        "--max-floats",
        type=int,
        default=2**27,
        help="largest batched activation (K × rows × widest layer; default 2^27, 512 MB); chunks beyond",
    )
    parser.add_argument(
        "--max-chunk",
        type=int,
        default=100,
        help="batch at most this many at once (default 100), chunks beyond",
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1; 0: torch's own)")
    args = parser.parse_args()
    set_threads(args.threads or None)
    import torch

    ks = [int(k) for k in args.ks.split(",")]
    device = resolve_device(args.device)
    print(
        f"{args.epochs} epochs per variant, seeds 1..K, {device}, {torch.get_num_threads()} torch thread(s); "
        f"~ marks an estimate (sequential: the first {args.subset} variants timed and scaled to K; "
        "batched: the first chunk timed and scaled)"
    )
    goal: dict[str, float] = {}
    for preset in args.cases.split(","):
        print(f"\n{preset}: {CASES.get(preset, PRESETS.get(preset).summary)}")
        print(f"{'K':>5}  {'one after another':>20}  {'batched':>20}  {'speed-up':>8}  batched in chunks of")
        crossover = None
        _train_all(configs_of(preset, 1, 1, args.device), batched=False)  # warm-up: first calls, caches
        for k in ks:
            configs = configs_of(preset, k, args.epochs, args.device)
            one_by_one = sequential(configs, args.subset)
            together = batched(configs, args.max_floats, args.max_chunk) if k > 1 else one_by_one
            speed_up = one_by_one.seconds / together.seconds
            if k > 1 and speed_up > 1 and crossover is None:
                crossover = k
            chunks = "-" if k == 1 else f"{together.chunk} (nntui's sweep: {chunk_size(configs, device)})"
            print(f"{k:>5}  {shown(one_by_one)}  {shown(together)}  {speed_up:>7.2f}x  {chunks}")
            if preset == GOAL_PRESET and k in (1, GOAL_K):
                goal[f"{k} sequential"], goal[f"{k} batched"] = one_by_one.seconds, together.seconds
        print(
            f"crossover: batching is faster from K={crossover}"
            if crossover
            else f"crossover: none up to K={max(ks)}: one after another is faster at every K measured"
        )
    if {"1 sequential", f"{GOAL_K} batched"} <= goal.keys():
        one = goal["1 sequential"]
        best = min(goal[f"{GOAL_K} batched"], goal[f"{GOAL_K} sequential"])
        ratio = best / one
        verdict = "met" if ratio < GOAL_RATIO else "NOT met"
        print(
            f"\ngoal: {GOAL_K} variants of {GOAL_PRESET} in < {GOAL_RATIO:g}x the time of one run: {verdict}"
        )
        print(
            f"  one run {one:.2f}s; {GOAL_K} variants batched {goal[f'{GOAL_K} batched']:.2f}s, "
            f"one after another {goal[f'{GOAL_K} sequential']:.2f}s: {ratio:.1f}x at best"
        )
        if ratio >= GOAL_RATIO:
            floats = activation_floats(configs_of(GOAL_PRESET, 1, 1, "cpu")[0])
            print(
                f"  why: one variant's hidden activation is {floats:,} floats; {GOAL_K} variants move "
                f"{GOAL_K}x the memory, far out of cache, so a CPU takes about {GOAL_K}x as long either way: "
                "batching saves per-step overhead, which a full batch of 10,000 points hardly has"
            )


if __name__ == "__main__":
    main()
