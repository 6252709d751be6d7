"""The screen budget on its own: frames of known cost in, intervals out (no clock, no Textual)."""

from __future__ import annotations

import pytest

from nntui.tui.budget import FAST_LINK, SLOW_LINK, Part, ScreenBudget, link_limits


def budget(limits=FAST_LINK) -> ScreenBudget:
    parts = {
        "status": Part(0.2, 0.15, 2.0),
        "charts": Part(1.0, 0.45, 3.0),
        "predictions": Part(2.0, 0.4, 6.0),
    }
    return ScreenBudget(limits, parts)


def frame(screen: ScreenBudget, parts: dict[str, int], written: int, cpu_s: float = 0.0) -> None:
    """One frame drawing `parts` (name: cells) that made the driver write `written` bytes."""
    number = screen.begin(cpu_s=0.0)
    for name, cells in parts.items():
        screen.drawn(name, now=0.0, cells=cells)
    screen.written += written
    screen.painted(number, cpu_s)


@pytest.mark.parametrize("limits", [FAST_LINK, SLOW_LINK])
def test_a_bigger_part_is_redrawn_less_often_so_its_bytes_per_second_stay_the_same(limits):
    intervals, rates = [], []
    for cells in (400, 1400, 4500):  # the class map at 80x24, 120x40, 200x60
        screen = budget(limits)
        for _ in range(3):
            frame(screen, {"predictions": cells}, written=6 * cells)
        intervals.append(screen.interval("predictions"))
        rates.append(6 * cells / intervals[-1])
    assert intervals == sorted(intervals) and intervals[-1] > intervals[0]
    assert all(rate <= 0.4 * limits.bytes_per_s * 1.0001 for rate in rates)


def test_a_slow_link_stretches_the_same_frame_further():
    fast, slow = budget(FAST_LINK), budget(SLOW_LINK)
    for screen in (fast, slow):
        frame(screen, {"charts": 1400}, written=6000)
    assert slow.interval("charts") > fast.interval("charts") > 0


def test_a_small_cheap_part_keeps_its_own_least_interval():
    screen = budget()
    frame(screen, {"status": 120}, written=200)
    assert screen.interval("status") == 0.2


def test_a_frame_that_took_long_stretches_the_interval():
    screen = budget()
    for _ in range(2):
        frame(screen, {"charts": 1400}, written=100, cpu_s=0.2)
    assert screen.interval("charts") == pytest.approx(0.2 / (0.45 * FAST_LINK.core_share))


def test_the_status_lines_cost_is_taken_off_a_frame_it_shared():
    screen = budget()
    for _ in range(3):
        frame(screen, {"status": 100}, written=300)
    for _ in range(2):
        frame(screen, {"status": 100, "charts": 1000}, written=5300)
    assert screen.parts["charts"].bytes_per_cell == pytest.approx(5.0)


def test_a_frame_of_two_big_parts_or_before_a_run_teaches_nothing():
    screen = budget()
    frame(screen, {"charts": 1000, "predictions": 1000}, written=10**6)
    number = screen.begin(0.0)
    screen.drawn("charts", 0.0, 1000)
    screen.written += 10**6
    screen.painted(number, 0.0, learn=False)
    assert screen.parts["charts"].bytes_per_cell == 3.0  # still the guess


def test_one_costly_frame_does_not_set_the_pace():
    screen = budget()
    frame(screen, {"status": 100}, written=8000)  # the frame that moved the layout
    frame(screen, {"status": 100}, written=200)
    frame(screen, {"status": 100}, written=210)
    assert screen.parts["status"].bytes_per_cell == pytest.approx(2.0)


def test_a_late_paint_cannot_close_the_next_frame():
    screen = budget()
    first = screen.begin(0.0)
    screen.drawn("charts", 0.0, 1000)
    second = screen.begin(0.0)
    screen.drawn("predictions", 0.0, 1000)
    screen.written += 9000
    screen.painted(first, 0.0)
    screen.painted(second, 0.0)
    assert screen.parts["charts"].bytes_per_cell == 3.0
    assert screen.parts["predictions"].bytes_per_cell == 6.0  # median_low of the guess and 9


def test_ssh_means_a_slow_link_unless_asked_otherwise():
    assert link_limits(None, {}) is FAST_LINK
    assert link_limits(None, {"SSH_CONNECTION": "10.0.0.2 5022 10.0.0.1 22"}).bytes_per_s == 4000
    assert "SSH_CONNECTION" in link_limits(None, {"SSH_CONNECTION": "x"}).why
    assert link_limits(False, {"SSH_CONNECTION": "x"}) is FAST_LINK
    assert link_limits(True, {}).why == "nntui --slow-link"


@pytest.mark.parametrize("limits", [FAST_LINK, SLOW_LINK])
def test_bytes_the_frame_estimates_miss_still_keep_the_rate_under_budget(limits):
    """Each frame of the predictions writes three times as much again after it was measured (the
    driver's writer thread, a toast): at 4x its 40 % share the estimate alone would send 1.6x the
    budget; the rate measured at the terminal stretches the intervals."""
    screen = budget(limits)
    cells, now, sent = 1400, 0.0, []
    while now < 120.0:
        if screen.due("predictions", now):
            number = screen.begin(cpu_s=0.0)
            screen.drawn("predictions", now=now, cells=cells)
            screen.written += 6 * cells
            screen.painted(number, cpu_s=0.0)
            screen.written += 18 * cells  # after the frame was measured: the estimate misses it
            sent.append((now, 24 * cells))
        now += 0.05
    late = sum(bytes for when, bytes in sent if when >= 60.0)
    assert late / 60.0 <= limits.bytes_per_s * 1.05
    assert screen.stretch > 1.0


def test_an_idle_screen_shrinks_the_stretch_back():
    screen = budget()
    screen.stretch = 8.0
    for second in range(60):
        screen.observe(float(second))
    assert screen.stretch == 1.0
