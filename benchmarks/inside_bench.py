"""Times the inside screen's work on the UI thread: a view switch (2 ↔ 3) until the screen is
painted, and a new snapshot's redraw, in UI-thread CPU, on a classification preset's snapshots.

    .venv/bin/python benchmarks/inside_bench.py [--preset classification] [--sizes 120x40]
        [--rounds 40] [--profile]

The app runs headless (Textual's `run_test`) with its terminal output encoded as a real driver
would (`render_segments`), so the figures hold what a key costs from the binding to the bytes:
the action, the widget's lines, the compositor and the escape codes. Each round, a new snapshot
comes (the run's first and last alternate) and the view shown is redrawn, then 2 or 3 switches
to the other view (new since the snapshot), back and to it again (both seen). Each is timed
alone with `time.thread_time` (CPU of the UI thread, not wall time, so another process on the
machine does not count); bytes are what that frame would write. `--profile` prints where their
time goes. Not a test: numbers depend on the machine. Prints a table."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def recorded(preset: str, epochs: int) -> list:
    import torch

    from nntui.core.events import Snapshot
    from nntui.engine.presets import PRESETS
    from nntui.engine.trainer import Observe, Trainer

    torch.set_num_threads(1)
    config = PRESETS.get(preset).config
    config = config.with_changes(training={"epochs": epochs})
    events = list(Trainer(config, observe=Observe(flush_every_s=0.0)).events())
    if sum(isinstance(e, Snapshot) for e in events) < 2:
        raise SystemExit("the run gave fewer than two snapshots: nothing to alternate")
    return config, events


async def measure(config, events: list, size: tuple[int, int], rounds: int, profile: cProfile.Profile | None):
    from textual._compositor import CompositorUpdate

    from nntui.core.events import Snapshot
    from nntui.tui.app import NntuiApp
    from nntui.tui.draft import Draft
    from nntui.tui.inside_screen import InsideScreen
    from nntui.tui.runner import ThreadRunner

    app = NntuiApp(runner=ThreadRunner)
    written = [0]
    display = app._display

    def encoded_display(screen, renderable) -> None:
        display(screen, renderable)
        if isinstance(renderable, CompositorUpdate):
            written[0] += len(renderable.render_segments(app.console).encode())

    app._display = encoded_display
    async with app.run_test(size=size) as pilot:
        while app.runner is None:
            await pilot.pause(0.02)
        app.draft = Draft.of(config)
        await app._mount_setup()
        app.consume(events)
        await pilot.pause()
        await pilot.press("i")
        while not isinstance(app.screen, InsideScreen):
            await pilot.pause(0.02)
        await pilot.pause()
        screen = app.screen
        snapshots = [e for e in events if isinstance(e, Snapshot)][-2:]

        async def timed(step) -> tuple[float, int]:
            written[0] = 0
            if profile:
                profile.enable()
            began = time.thread_time()
            await step()
            await pilot.pause()
            spent = time.thread_time() - began
            if profile:
                profile.disable()
            return spent, written[0]

        async def switch(key: str):
            async def step():
                await pilot.press(key)

            return await timed(step)

        async def redraw(snapshot):
            async def step():
                app.consume([snapshot], redraw=False)  # as the app's poll: the monitor under it undrawn
                screen.check_snapshot()

            return await timed(step)

        figures: dict[str, list[tuple[float, int]]] = {
            "new snapshot": [],  # its redraw of the view shown
            "switch, new": [],  # to the other view, first since the snapshot
            "switch, seen": [],  # back to a view drawn since the snapshot
        }
        for _ in range(2):  # warm: the first frames of each view (Python's caches, the fonts' widths)
            await switch("2")
            await switch("3")
        shown, other = "3", "2"
        for n in range(rounds):  # redrawn on 3, 2 and 3; then on 2, 3 and 2; ...
            figures["new snapshot"].append(await redraw(snapshots[n % 2]))
            figures["switch, new"].append(await switch(other))
            figures["switch, seen"].append(await switch(shown))
            figures["switch, seen"].append(await switch(other))
            shown, other = other, shown
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", default="classification")
    parser.add_argument("--sizes", nargs="+", default=["120x40"])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument(
        "--epochs", type=int, default=100, help="epochs recorded (their figures are the network view's rows)"
    )
    parser.add_argument("--profile", action="store_true", help="print the top of a profile of the switches")
    args = parser.parse_args()
    config, events = recorded(args.preset, args.epochs)
    print(f"{args.preset}: UI-thread CPU per action until painted (thread_time), bytes per frame")
    print(f"{'size':>8} {'action':<14}{'median ms':>10}{'p95 ms':>8}{'max ms':>8}{'bytes':>8}")
    for size in args.sizes:
        columns, lines = map(int, size.split("x"))
        profile = cProfile.Profile() if args.profile else None
        figures = asyncio.run(measure(config, events, (columns, lines), args.rounds, profile))
        for action, samples in figures.items():
            ordered = sorted(s for s, _ in samples)
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            print(
                f"{size:>8} {action:<14}{statistics.median(ordered) * 1000:>10.1f}{p95 * 1000:>8.1f}"
                f"{ordered[-1] * 1000:>8.1f}{statistics.median(b for _, b in samples):>8,.0f}"
            )
        if profile:
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
