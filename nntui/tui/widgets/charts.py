"""Per-epoch charts (loss, accuracy, an overlay of runs) drawn by plotext. Series differ by marker
as well as colour, so they stay apart in 16 colours and with NO_COLOR=1; the legend sits under the
plot, never over the data. Epochs are counted from 1, as the status line counts them."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from nntui.tui.history import downsample

# (plotext marker, colour, the character a legend shows for it), in the order series take them.
# Colours are light enough for 3:1 on the chart's background in 256 and 16 colours and in grey
# (NO_COLOR=1); tests/tui/test_contrast.py measures them.
STYLES = [
    ("braille", "#5fd7ff", "⠒"),
    ("x", "#ff87d7", "x"),
    ("+", "#87ff87", "+"),
    ("o", "#ffd75f", "o"),
    ("*", "#87afff", "*"),
    ("#", "#ff875f", "#"),
    ("@", "#ffffff", "@"),
    ("%", "#d7af5f", "%"),
]
PLAIN_MARKER = "."  # instead of braille, which the Linux console's fonts lack

CHART_FRAME_ROWS = 5  # title, frame top and bottom, x ticks, and the row under them (axis name, legend)


def plain_terminal() -> bool:
    """The Linux console (TERM=linux) has neither braille nor rounded corners in its fonts."""
    return os.environ.get("TERM", "") == "linux"


def marker_of(index: int) -> tuple[str, str, str]:
    """The plotext marker, colour and legend character of a chart's series number `index`."""
    marker, color, shown = STYLES[index % len(STYLES)]
    if marker == "braille" and plain_terminal():
        return PLAIN_MARKER, color, PLAIN_MARKER
    return marker, color, shown


WIDEN_AT_MOST = 1.3  # an axis moved out to round ends keeps the data on 1/1.3 of it or more

# From here plotext's own y labels are written out in full (137167779657948550535055274934272.0)
# and leave the plot no width: labels in 3 significant digits instead.
HUGE = 1e5


@dataclass(frozen=True)
class Line:
    """One labelled series of a chart; `epochs` are numbered from 0, as events number them."""

    label: str
    epochs: list
    values: list


def train_and_validation(epochs, train, val_epochs, val) -> list[Line]:
    return [Line("train", epochs, train), Line("validation", val_epochs, val)]


def epoch_span(lines: list[Line]) -> tuple[int, int] | None:
    """The first and the last epoch of any of `lines`: an axis that another chart can share."""
    drawn = [line.epochs for line in lines if line.epochs]
    if not drawn:
        return None
    return min(epochs[0] for epochs in drawn), max(epochs[-1] for epochs in drawn)


class EpochChart(PlotextPlot):
    """Labelled series against the epoch, each thinned to about two points per column."""

    DEFAULT_CSS = "EpochChart { min-height: 6; background: $surface; }"

    log_y: reactive[bool] = reactive(False)

    def __init__(self, title: str, empty: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title, self.empty = title, empty
        self.lines: list[Line] = []
        self.y_range: tuple[float, float] | None = None
        self.x_range: tuple[int, int] | None = None
        self._shown: tuple | None = None

    def show(
        self,
        title: str,
        lines: list[Line],
        y_range: tuple[float, float] | None = None,
        x_range: tuple[int, int] | None = None,
    ) -> None:
        """Redrawn only when something changed: an unchanged chart writes nothing to the terminal.
        `x_range` (first and last epoch, from 0) lines this chart up with another; by default the
        axis spans this chart's own epochs."""
        shown = (
            title,
            self.empty,
            y_range,
            x_range,
            [(line.label, len(line.epochs), line.values[-1:]) for line in lines],
        )
        if shown == self._shown:
            return
        self._shown = shown
        self.title, self.lines, self.y_range, self.x_range = title, lines, y_range, x_range
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

    def _draw(self) -> Text:
        plt = self.plt
        plt.clear_figure()
        width, height = self.size
        points = max(2 * width, 10)
        log = self.log_y and self.y_range is None
        drawn: list[float] = []
        shown: list[tuple[str, str, str]] = []
        for index, line in enumerate(self.lines):
            marker, color, char = marker_of(index)
            xs, ys = downsample(line.epochs, line.values, points)
            kept = [(x + 1, y) for x, y in zip(xs, ys) if math.isfinite(y) and (y > 0 or not log)]
            if kept:
                plt.plot([x for x, _ in kept], [y for _, y in kept], marker=marker, color=rgb(color))
                drawn.extend(y for _, y in kept)
                shown.append((char, color, line.label))
        plt.title(self.title if self.y_range else f"{self.title} · {'log' if log else 'linear'} y")
        under = legend_rows(shown, width)
        if len(under) > max(1, (height - CHART_FRAME_ROWS) // 3):
            # a legend this tall would squeeze the curves; a comparison's variants table shows
            # each variant's marker too
            under = legend_rows([], width)
        plot_rows = height - CHART_FRAME_ROWS + 1 - len(under)  # the canvas between the frame lines
        self._x_axis(width)
        self._y_axis(drawn, log, plot_rows)
        return Text("\n").join([plot_text(self, height - len(under)), *under])

    def _x_axis(self, width: int) -> None:
        first, last = self.x_range or epoch_span(self.lines)
        first, last = first + 1, last + 1
        if first == last:  # one epoch: a little room either side, not plotext's -1 to 1
            first, last = max(first - 1, 0), last + 1
        ticks = whole_ticks(first, last, x_tick_count(width))
        self.plt.xlim(first, last)
        self.plt.xticks(ticks, [str(tick) for tick in ticks])

    def _y_axis(self, drawn: list[float], log: bool, rows: int) -> None:
        most = y_tick_count(rows)
        if log:
            ticks = log_ticks(min(drawn), max(drawn), most)
            self.plt.yscale("log")
            self.plt.yticks(ticks, [f"{tick:.3g}" for tick in ticks])
            return
        low, high = self.y_range or padded(min(drawn), max(drawn))
        low, high, ticks = round_ticks(low, high, most, widen=self.y_range is None)
        self.plt.ylim(low, high)
        self.plt.yticks(ticks, tick_labels(ticks))


def plot_text(widget: PlotextPlot, height: int) -> Text:
    """What PlotextPlot.render draws, in the top `height` rows: the rows under it are the legend's."""
    plt, width = widget.plt, widget.size.width
    plt.plotsize(width, height)
    plt._set_size(width, height)  # as PlotextPlot.render does: resizing needs both
    plt.theme(widget._get_plotext_theme_name(widget.app.theme))
    plot = Text.from_ansi(plt.build())
    if plot.plain.endswith("\n"):
        plot.right_crop(1)
    return plot


def rgb(color: str) -> tuple[int, int, int]:
    """A "#rrggbb" colour as plotext takes it (plotext reads strings as colour names)."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def legend_rows(series: list[tuple[str, str, str]], width: int, axis_name: str = "epoch") -> list[Text]:
    """Each series' (marker, colour, label), packed into rows of `width`, and the x axis's name at
    the right: the rows under a plot."""
    rows: list[Text] = []
    row = Text(" ")
    for char, color, label in series:
        entry = Text.assemble((char, f"bold {color}"), f" {label}")
        if row.cell_len > 1 and row.cell_len + 3 + entry.cell_len > width:
            rows.append(row)
            row = Text(" ")
        elif row.cell_len > 1:
            row.append("   ")
        row.append_text(entry)
    room = width - row.cell_len - len(axis_name) - 1
    if room < 2:
        rows.append(row)
        row, room = Text(""), width - len(axis_name) - 1
    row.append(" " * room + axis_name)
    rows.append(row)
    return rows


def padded(low: float, high: float) -> tuple[float, float]:
    """A flat series gets a little height, so that it has an axis to sit on."""
    if high > low:
        return low, high
    pad = abs(low) * 0.1 or 0.1
    return low - pad, high + pad


def x_tick_count(width: int) -> int:
    """Labels up to six characters wide, a column or two apart."""
    return max(2, width // 8)


def y_tick_count(rows: int) -> int:
    """A free row between labels (none is overwritten), more on tall plots (evenly placed)."""
    return max(2, min(rows // 2 + 1, rows // 3 + 2))


def round_step(span: float, intervals: int, whole: bool = False) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that splits `span` into at most
    `intervals` parts; at least 1 and never 2.5 for `whole` numbers."""
    raw = span / max(intervals, 1)
    power = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * power
        if whole and (step < 1 or step != round(step)):
            continue
        if step >= raw * (1 - 1e-9):
            return step
    return 10 * power


def round_ticks(low: float, high: float, most: int, widen: bool = False) -> tuple[float, float, list[float]]:
    """Two to `most` round values from `low` to `high`, as many as fit. `widen` moves the ends
    out to round values where that costs the data little of the axis; returns the ends and the
    values."""
    for intervals in range(most + 1, 0, -1):
        step = round_step(high - low, intervals)
        ends = [(low, high)]
        bottom, top = math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step
        if widen and top - bottom <= WIDEN_AT_MOST * (high - low):
            ends.insert(0, (bottom, top))
        for bottom, top in ends:
            first, last = math.ceil(bottom / step - 1e-9), math.floor(top / step + 1e-9)
            if 2 <= last - first + 1 <= most:
                return bottom, top, [k * step + 0.0 for k in range(first, last + 1)]
    return low, high, [low, high]


def whole_ticks(first: int, last: int, most: int) -> list[int]:
    """Whole epochs at round steps, and the first epoch when the first round one is far from it."""
    step = int(round_step(last - first, most - 1, whole=True))
    ticks = list(range(-(-first // step) * step, last + 1, step))
    if not ticks or ticks[0] - first >= 0.75 * step:
        ticks.insert(0, first)
    return ticks


def log_ticks(low: float, high: float, most: int) -> list[float]:
    """Powers of ten (with 2 and 5 times them on a short axis) within [low, high]."""
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    for multiples in ((1,), (1, 2, 5)):
        ticks = [m * 10.0**d for d in decades for m in multiples if low <= m * 10.0**d <= high]
        if len(ticks) >= 2:
            stride = math.ceil(len(ticks) / most)
            return ticks[::stride]
    return [low, high] if high > low else [low]


def tick_labels(ticks: list[float]) -> list[str]:
    """As few decimals as the step needs (0.25 has two, 100 none); 3 significant digits for
    very large or very small values."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else abs(ticks[0]) or 1.0
    decimals = len(f"{step:.6f}".rstrip("0").split(".")[1])
    if max(abs(tick) for tick in ticks) >= HUGE or step < 1e-3 or decimals > 3:  # not a round step
        return [f"{tick:.3g}" for tick in ticks]
    return [f"{tick:.{decimals}f}" for tick in ticks]
