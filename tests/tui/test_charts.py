"""The epoch chart on its own: what it writes for figures the app can meet."""

from __future__ import annotations

from textual.app import App, ComposeResult

from nntui.tui.widgets.charts import EpochChart, Line


class OneChart(App):
    def compose(self) -> ComposeResult:
        yield EpochChart("loss", "nothing yet", id="chart")


async def test_huge_losses_get_short_y_labels_and_keep_the_plot_wide():
    async with OneChart().run_test(size=(80, 16)) as pilot:
        chart = pilot.app.query_one(EpochChart)
        losses = [1.371677796579e32 / (epoch + 1) for epoch in range(20)]
        for log_y in (False, True):
            chart.log_y = log_y
            chart.show("MSE loss", [Line("train", list(range(20)), losses)])
            await pilot.pause()
            rows = str(chart.render()).splitlines()
            top = next(row for row in rows if "┌" in row)
            assert "1.37e+32┤" in "\n".join(rows) and "1371677" not in "\n".join(rows)
            assert len(top.strip()) > 60  # the plot keeps the chart's width


async def test_ordinary_losses_keep_plotexts_own_labels():
    async with OneChart().run_test(size=(80, 16)) as pilot:
        chart = pilot.app.query_one(EpochChart)
        chart.show("MSE loss", [Line("train", [0, 1, 2, 3], [0.5, 0.25, 0.125, 0.0625])])
        await pilot.pause()
        text = str(chart.render())
        assert "0.500┤" in text and "e+" not in text


async def test_a_legend_taller_than_half_the_plot_is_left_out():
    lines = [Line(f"seed={seed}", [0, 1, 2], [1.0 / seed, 0.5 / seed, 0.2 / seed]) for seed in range(1, 6)]
    for height, legend in ((12, False), (24, True)):
        async with OneChart().run_test(size=(80, height)) as pilot:
            chart = pilot.app.query_one(EpochChart)
            chart.show("val loss per variant", lines)
            await pilot.pause()
            assert ("seed=3" in str(chart.render())) == legend
