from nntui.engine.timing import duration, time_calls


class Clock:
    """A clock that moves only when the timed call runs: each call takes the next of `costs`."""

    def __init__(self, costs: list[float]) -> None:
        self.now, self.costs, self.calls = 0.0, costs, 0

    def __call__(self) -> float:
        return self.now

    def call(self) -> None:
        self.now += self.costs[min(self.calls, len(self.costs) - 1)]
        self.calls += 1


def test_a_warm_up_then_repeats_and_the_best_repeat_is_reported():
    clock = Clock([0.5, 0.03, 0.01, 0.02, 0.04, 0.03])
    timing = time_calls(clock.call, repeat=5, repeat_s=0.05, timer=clock)
    assert timing.calls == 1  # the cold warm-up call (0.5 s) already fills a repeat
    assert clock.calls == 1 + 5
    assert timing.repeats == 5
    assert abs(timing.best_s - 0.01) < 1e-9  # the best repeat, not the cold 0.5 s
    assert abs(timing.median_s - 0.03) < 1e-9


def test_fast_calls_are_repeated_until_a_repeat_lasts_long_enough():
    clock = Clock([0.001])
    timing = time_calls(clock.call, repeat=3, repeat_s=0.05, timer=clock)
    assert timing.calls == 50 and clock.calls == 1 + 3 * 50
    assert abs(timing.best_s - 0.001) < 1e-12


def test_durations_read_as_time_prints_them():
    assert [duration(s) for s in (2.5, 0.171, 584e-6)] == ["2.50 s", "171.0 ms", "584.0 µs"]
