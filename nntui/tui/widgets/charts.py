"""Per-epoch charts (loss, accuracy) drawn by plotext; series differ by marker as well as colour."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from nntui.tui.history import downsample

TRAIN_STYLE = {"marker": "braille", "color": "cyan", "label": "train ⠒"}
VAL_STYLE = {"marker": "x", "color": "magenta", "label": "validation x"}

Series = tuple[list, list]


class EpochChart(PlotextPlot):
    """Train and validation series against the epoch, thinned to about two points per column."""

    DEFAULT_CSS = "EpochChart { min-height: 6; }"

    log_y: reactive[bool] = reactive(False)

    def __init__(self, title: str, empty: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title, self.empty = title, empty
        self.train: Series = ([], [])
        self.val: Series = ([], [])
        self.y_range: tuple[float, float] | None = None

    def show(
        self, title: str, train: Series, val: Series, y_range: tuple[float, float] | None = None
    ) -> None:
        self.title, self.train, self.val, self.y_range = title, train, val, y_range
        self.refresh()

    def watch_log_y(self) -> None:
        self.refresh()

    def render(self):
        if not self.train[0]:
            return Text(f"{self.title}\n\n{self.empty}", style="dim")
        plt = self.plt
        plt.clear_figure()
        points = max(2 * self.size.width, 10)
        log = self.log_y and self.y_range is None
        for (xs, ys), style in ((self.train, TRAIN_STYLE), (self.val, VAL_STYLE)):
            if xs:
                xs, ys = downsample(xs, ys, points)
                if log:
                    xs, ys = (
                        zip(*((x, y) for x, y in zip(xs, ys) if y > 0))
                        if any(y > 0 for y in ys)
                        else ([], [])
                    )
                if xs:
                    plt.plot(list(xs), list(ys), **style)
        plt.title(self.title if self.y_range else f"{self.title} · {'log' if log else 'linear'} y")
        if log:
            plt.yscale("log")
        if self.y_range:
            plt.ylim(*self.y_range)
        plt.xlabel("epoch")
        return super().render()
