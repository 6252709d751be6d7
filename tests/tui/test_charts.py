"""The epoch chart on its own: what it writes for figures the app can meet."""

from __future__ import annotations

import math

from textual.app import App, ComposeResult

from nntui.tui.widgets.charts import EpochChart, Line, round_ticks, tick_labels, whole_ticks


class OneChart(App):
    def compose(self) -> ComposeResult:
        yield EpochChart("loss", "nothing yet", id="chart")


async def drawn(lines: list[Line], size=(80, 16), **options) -> list[str]:
    """The chart's rows for `lines` at `size`."""
    async with OneChart().run_test(size=size) as pilot:
        chart = pilot.app.query_one(EpochChart)
        chart.log_y = options.pop("log_y", False)
        chart.show("MSE loss", lines, **options)
        await pilot.pause()
        return str(chart.render()).splitlines()


def y_labels(rows: list[str]) -> list[str]:
    return [row.split("┤")[0].strip() for row in rows if "┤" in row]


def x_labels(rows: list[str]) -> list[str]:
    below = next(index for index, row in enumerate(rows) if "└" in row)
    return rows[below + 1].split()


def decaying(epochs: int, start: float = 0.7) -> list[float]:
    return [start * math.exp(-epoch / 30) + 0.01 for epoch in range(epochs)]


async def test_huge_losses_get_short_y_labels_and_keep_the_plot_wide():
    losses = [1.371677796579e32 / (epoch + 1) for epoch in range(20)]
    for log_y in (False, True):
        rows = await drawn([Line("train", list(range(20)), losses)], log_y=log_y)
        top = next(row for row in rows if "┌" in row)
        assert any("e+31" in label or "e+32" in label for label in y_labels(rows))
        assert "1371677" not in "\n".join(rows)
        assert len(top.strip()) > 60  # the plot keeps the chart's width


async def test_x_ticks_are_whole_epochs_counted_from_one():
    rows = await drawn([Line("train", list(range(300)), decaying(300))])
    labels = x_labels(rows)
    assert labels[0] == "1" and labels[-1] == "300"
    assert all(label.isdigit() for label in labels)


async def test_y_ticks_are_round_each_on_its_own_row_and_never_minus_zero():
    values = [0.5 - epoch / 40 for epoch in range(40)]  # crosses zero
    for height in (9, 11, 16, 24):
        rows = await drawn([Line("train", list(range(40)), values)], size=(80, height))
        labels = [float(label) for label in y_labels(rows)]
        steps = {round(high - low, 9) for high, low in zip(labels, labels[1:])}
        assert len(labels) >= 2 and len(steps) == 1, rows  # evenly spaced: none overwritten
        assert "-0.0" not in " ".join(y_labels(rows))


async def test_one_epoch_sits_in_the_middle_of_an_axis_around_it():
    rows = await drawn([Line("train", [0], [0.6]), Line("validation", [0], [0.55])])
    assert x_labels(rows) == ["0", "1", "2"]
    rows = await drawn([Line("validation", [99], [0.5])], y_range=(0, 1), x_range=(0, 299))
    assert x_labels(rows)[0] == "1" and x_labels(rows)[-1] == "300"  # the axis the loss chart has


async def test_the_legend_sits_under_the_plot_not_over_the_data():
    lines = [Line(f"run {n}", list(range(200)), decaying(200, 1 / n)) for n in (1, 2, 3)]
    rows = await drawn(lines)
    bottom = next(index for index, row in enumerate(rows) if "└" in row)
    assert not any("run" in row for row in rows[:bottom])
    assert all(f"run {n}" in "\n".join(rows[bottom:]) for n in (1, 2, 3))
    assert rows[-1].rstrip().endswith("epoch")


async def test_a_legend_that_would_squeeze_the_plot_is_left_out():
    lines = [
        Line(f"training.seed={seed}, lr=0.1", [0, 1, 2], [1 / seed, 0.5 / seed, 0.2 / seed])
        for seed in range(1, 6)
    ]
    for height, legend in ((12, False), (30, True)):
        rows = await drawn(lines, size=(80, height))
        assert ("seed=3" in "\n".join(rows)) == legend


def test_round_ticks_stay_within_the_count_and_label_with_the_decimals_they_need():
    for low, high, most in (
        (0.01, 0.7, 3),
        (0.0, 1.0, 5),
        (-0.475, 0.5, 6),
        (1e-4, 3e-4, 4),
        (12.0, 12.5, 3),
    ):
        bottom, top, ticks = round_ticks(low, high, most, widen=True)
        assert 2 <= len(ticks) <= most and bottom <= low and top >= high
    assert tick_labels([0.0, 0.25, 0.5]) == ["0.00", "0.25", "0.50"]
    assert tick_labels([-0.5, 0.0, 0.5]) == ["-0.5", "0.0", "0.5"]
    assert whole_ticks(1, 300, 5) == [1, 100, 200, 300]
    assert whole_ticks(1, 3, 8) == [1, 2, 3]
