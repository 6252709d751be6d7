"""Per-epoch charts (loss, accuracy, an overlay of runs) drawn by plotext. Series differ by marker
as well as colour, so they stay apart in 16 colours and with NO_COLOR=1."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from nntui.tui.history import downsample

# (plotext marker, colour, the character a legend shows for it), in the order series take them.
STYLES = [
    ("braille", "cyan", "⠒"),
    ("x", "magenta", "x"),
    ("+", "green", "+"),
    ("o", "yellow", "o"),
    ("*", "blue", "*"),
    ("#", "red", "#"),
    ("@", "white", "@"),
    ("%", "orange", "%"),
]


CHART_FRAME_ROWS = 5  # title, frame top and bottom, x ticks, x label


def marker_of(index: int) -> tuple[str, str, str]:
    """The plotext marker, colour and legend character of a chart's series number `index`."""
    return STYLES[index % len(STYLES)]


# From here plotext's own y labels are written out in full (137167779657948550535055274934272.0)
# and leave the plot no width: labels in 3 significant digits instead.
HUGE = 1e5


@dataclass(frozen=True)
class Line:
    """One labelled series of a chart."""

    label: str
    epochs: list
    values: list


def train_and_validation(epochs, train, val_epochs, val) -> list[Line]:
    return [Line("train", epochs, train), Line("validation", val_epochs, val)]


class EpochChart(PlotextPlot):
    """Labelled series against the epoch, each thinned to about two points per column."""

    DEFAULT_CSS = "EpochChart { min-height: 6; }"

    log_y: reactive[bool] = reactive(False)

    def __init__(self, title: str, empty: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title, self.empty = title, empty
        self.lines: list[Line] = []
        self.y_range: tuple[float, float] | None = None
        self._shown: tuple | None = None

    def show(self, title: str, lines: list[Line], y_range: tuple[float, float] | None = None) -> None:
        """Redrawn only when something changed: an unchanged chart writes nothing to the terminal."""
        shown = (
            title,
            self.empty,
            y_range,
            [(line.label, len(line.epochs), line.values[-1:]) for line in lines],
        )
        if shown == self._shown:
            return
        self._shown = shown
        self.title, self.lines, self.y_range = title, lines, y_range
        self.refresh()

    def watch_log_y(self) -> None:
        self.refresh()

    def render(self):
        if not any(line.epochs for line in self.lines):
            return Text(f"{self.title}\n\n{self.empty}", style="dim")
        try:
            return self._draw()
        except Exception as error:  # noqa: BLE001 - a chart that cannot draw says so; the app lives on
            return Text(f"{self.title}\n\ncannot draw this chart: {error}", style="red")

    def _draw(self):
        plt = self.plt
        plt.clear_figure()
        points = max(2 * self.size.width, 10)
        log = self.log_y and self.y_range is None
        drawn: list[float] = []
        # a legend of more rows than half the plot hides the curves: short charts go without
        # (a comparison's variants table shows each variant's marker too)
        legend = 2 * len(self.lines) <= self.size.height - CHART_FRAME_ROWS
        for index, line in enumerate(self.lines):
            marker, color, shown = marker_of(index)
            xs, ys = downsample(line.epochs, line.values, points)
            if log:
                kept = [(x, y) for x, y in zip(xs, ys) if y > 0]
                xs, ys = [x for x, _ in kept], [y for _, y in kept]
            if xs:
                label = f"{line.label} {shown}" if legend else None
                plt.plot(list(xs), list(ys), marker=marker, color=color, label=label)
                drawn.extend(ys)
        plt.title(self.title if self.y_range else f"{self.title} · {'log' if log else 'linear'} y")
        if log:
            plt.yscale("log")
        if drawn and max(abs(y) for y in drawn) >= HUGE:
            ticks = _ticks(min(drawn), max(drawn), log, max(2, min(5, self.size.height // 3)))
            plt.yticks(ticks, [f"{tick:.3g}" for tick in ticks])
        if self.y_range:
            plt.ylim(*self.y_range)
        plt.xlabel("epoch")
        return super().render()


def _ticks(low: float, high: float, log: bool, count: int) -> list[float]:
    if high <= low:
        return [low]
    if log:
        ratio = (high / low) ** (1 / (count - 1))
        return [low * ratio**step for step in range(count)]
    return [low + (high - low) * step / (count - 1) for step in range(count)]
