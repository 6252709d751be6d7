"""Timing a piece of code as `timeit` does: a warm-up, then several repeats of many calls, and
the best (the least disturbed) repeat's time per call reported, its median beside it."""

from __future__ import annotations

import statistics
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Each repeat's seconds per call (`calls` calls a repeat), after one warm-up call."""

    per_call_s: tuple[float, ...]
    calls: int

    @property
    def best_s(self) -> float:
        return min(self.per_call_s)

    @property
    def median_s(self) -> float:
        return statistics.median(self.per_call_s)

    @property
    def repeats(self) -> int:
        return len(self.per_call_s)


def time_calls(
    call: Callable[[], object],
    repeat: int = 5,
    repeat_s: float = 0.05,
    timer: Callable[[], float] = time.perf_counter,
) -> Timing:
    """`repeat` repeats of as many calls as fill `repeat_s` (1, 2, 5, 10, … as timeit's
    autorange counts), after a warm-up call that also says how long one call takes."""
    began = timer()
    call()
    once = timer() - began
    calls = 1
    while calls * once < repeat_s:
        calls *= 2 if str(calls)[0] in "15" else 5 / 2
        calls = int(calls)
    runs = timeit.Timer(call, timer=timer).repeat(repeat=repeat, number=calls)
    return Timing(tuple(seconds / calls for seconds in runs), calls)


def duration(seconds: float) -> str:
    """A time as %time prints one: s, ms or µs."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"
