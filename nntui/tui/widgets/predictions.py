"""The tutorial's plots, live: predictions and targets against a 1-d input, or for a 2-d input the
predicted class (or value) over the plane with the sample points on top."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual_plotext import PlotextPlot

from nntui.core.events import Snapshot
from nntui.tui.widgets.charts import (
    PLAIN_MARKER,
    legend_rows,
    padded,
    plain_terminal,
    plot_text,
    rgb,
    round_ticks,
    tick_labels,
    x_tick_count,
    y_tick_count,
)

MAX_POINTS = 1000
TARGET_COLOR, PREDICTION_COLOR = "#bcbcbc", "#5fd7ff"
# Each class: a dark region (told apart by its shading character too, for 16 colours and
# NO_COLOR=1) and a light point shape, 3:1 or more on every region (tests/tui/test_contrast.py).
REGION_CHARS = " ░▒▓"
REGION_STYLES = ["#b2b2b2 on #16304d", "#b2b2b2 on #4d1a24", "#b2b2b2 on #17402a", "#b2b2b2 on #3d1f4d"]
POINT_CHARS = "ox+*"
VALIDATION_CHARS = "OX#%"  # validation points (T): the same colours, other shapes
POINT_STYLES = ["bold #5fd7ff", "bold #ffd75f", "bold #ffffff", "bold #87ff87"]
# k: shading by the winning class's probability; less sure cells darker, and dotted below UNSURE
UNSURE, SURE = 0.75, 0.9
DIM_REGION_STYLES = ["#b2b2b2 on #0f2033", "#b2b2b2 on #331118", "#b2b2b2 on #0f2a1c", "#b2b2b2 on #281433"]
VALUE_CHARS = " .:-=+*#%@"
NO_RUN = "appear here once a run starts"


class Predictions(PlotextPlot):
    """Shows the latest `Snapshot`, redrawn only when the app hands it a new one; without one,
    `empty` says why (no run yet, or a saved run's model still loading)."""

    DEFAULT_CSS = "Predictions { min-height: 6; background: $surface; }"

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.snapshot: Snapshot | None = None
        self.empty = NO_RUN
        self.redrawn_every_s: float | None = None
        self.validation = False  # T: the validation points on the class map too
        self.crisp = True  # k: crisp classes, or shaded by the winning class's probability

    def toggle_validation(self) -> str:
        self.validation = not self.validation
        self.refresh()
        return "validation points shown (O X # %)" if self.validation else "validation points hidden"

    def toggle_crisp(self) -> str:
        self.crisp = not self.crisp
        self.refresh()
        if self.crisp:
            return "class map: crisp classes"
        return f"class map: shaded by the winning class's probability (· below {UNSURE:.0%})"

    def show(
        self, snapshot: Snapshot | None, empty: str = NO_RUN, redrawn_every_s: float | None = None
    ) -> None:
        """`redrawn_every_s`, while a run trains: the picture trails the charts by up to that long,
        and its title says so."""
        self.snapshot, self.empty, self.redrawn_every_s = snapshot, empty, redrawn_every_s
        self.refresh()

    def _when(self, snapshot: Snapshot) -> str:
        every = f" (redrawn every {self.redrawn_every_s:g} s)" if self.redrawn_every_s else ""
        return f"at epoch {snapshot.epoch}{every}"

    def render(self):
        snapshot = self.snapshot
        if snapshot is None:
            return Text(f"predictions\n\n{self.empty}", style="dim")
        try:
            return self._draw(snapshot)
        except Exception as error:  # noqa: BLE001 - a plot that cannot draw says so; the app lives on
            return Text(f"predictions\n\ncannot draw them: {error}", style="red")

    def _draw(self, snapshot: Snapshot):
        if snapshot.grid is not None:
            return plane_map(
                snapshot, self.size.width, self.size.height, self._when(snapshot), self.validation, self.crisp
            )
        if snapshot.points.shape[1] != 1:
            return Text(f"predictions: {snapshot.points.shape[1]}-d inputs cannot be drawn", style="dim")
        plt = self.plt
        plt.clear_figure()
        width, height = self.size
        keep = thin(len(snapshot.points), MAX_POINTS)
        x = snapshot.points[keep, 0].tolist()
        targets, predicted = snapshot.targets[keep].tolist(), snapshot.predictions[keep].tolist()
        plain = plain_terminal()
        target_marker, target_char = (PLAIN_MARKER, PLAIN_MARKER) if plain else ("braille", "⠒")
        # Half blocks place a prediction to half a row (a dot per cell drew it in steps of a row);
        # the Linux console's fonts lack the quadrants, so it keeps whole-cell dots.
        prediction_marker, prediction_char = ("•", "•") if plain else ("hd", "▄")
        plt.scatter(x, targets, marker=target_marker, color=rgb(TARGET_COLOR))
        plt.scatter(x, predicted, marker=prediction_marker, color=rgb(PREDICTION_COLOR))
        plt.title(f"predictions {self._when(snapshot)}")
        legend = [(target_char, TARGET_COLOR, "target"), (prediction_char, PREDICTION_COLOR, "prediction")]
        under = legend_rows(legend, width, "input x")
        if min(x) < max(x):
            plt.xticks(ticks := round_ticks(min(x), max(x), x_tick_count(width))[2], tick_labels(ticks))
        low, high = padded(min(targets + predicted), max(targets + predicted))
        rows = height - 4 - len(under)  # title, frame, x ticks
        low, high, ticks = round_ticks(low, high, y_tick_count(rows), widen=True)
        plt.ylim(low, high)
        plt.yticks(ticks, tick_labels(ticks))
        return Text("\n").join([plot_text(self, height - len(under)), *under])


def thin(count: int, most: int) -> np.ndarray:
    return np.linspace(0, count - 1, min(count, most)).astype(int)


def plane_map(
    snapshot: Snapshot, width: int, height: int, when: str, validation: bool = False, crisp: bool = True
) -> Text:
    """One character cell per grid sample: a class map in shaded blocks with the points over it
    (shape and colour give the true class), or for regression the value in ten shades. With
    `validation` the validation points are drawn too (their own shapes); not `crisp`, a cell is
    darker the less sure the network is of its class, and dotted below UNSURE."""
    rows, cols = max(height - 2, 2), max(width, 2)
    grid = snapshot.grid
    pick_rows = np.linspace(0, grid.shape[0] - 1, rows).astype(int)
    pick_cols = np.linspace(0, grid.shape[1] - 1, cols).astype(int)
    cells = grid[pick_rows][:, pick_cols]
    sure = None if crisp or snapshot.confidence is None else snapshot.confidence[pick_rows][:, pick_cols]
    classify = snapshot.task == "classification"
    points: dict[tuple[int, int], tuple[int, str]] = {}
    if classify:
        sets = [(snapshot.points, snapshot.targets, POINT_CHARS)]
        if validation and snapshot.val_points is not None and len(snapshot.val_points):
            sets.append((snapshot.val_points, snapshot.val_targets, VALIDATION_CHARS))
        for inputs, targets, chars in sets:
            points.update(_placed(snapshot.extent, inputs, targets, chars, rows, cols))
    else:
        low, high = float(cells.min()), float(cells.max())
        shades = ((cells - low) / max(high - low, 1e-12) * (len(VALUE_CHARS) - 1)).round().astype(int)
    text = Text(no_wrap=True, overflow="crop")
    if classify:
        accuracy = float((snapshot.predictions == snapshot.targets).mean())
        text.append(f"class map {when} · sample accuracy {accuracy:.1%}\n")
    else:
        text.append(f"prediction over the plane {when} · ' ' {low:.3g} … '@' {high:.3g}\n")
    for row in range(rows):
        # Cells of one style go out as one run: a style per cell would write ~25 bytes a cell.
        run, run_style = [], ""
        for col in range(cols):
            if classify:
                region = int(cells[row, col]) % len(REGION_CHARS)
                target = points.get((row, col))
                styles = REGION_STYLES if sure is None or sure[row, col] >= SURE else DIM_REGION_STYLES
                unsure = sure is not None and sure[row, col] < UNSURE
                if target is None:
                    char, style = ("·" if unsure else REGION_CHARS[region]), styles[region]
                else:
                    point, chars = target
                    point %= len(POINT_CHARS)
                    char, style = chars[point], f"{styles[region]} {POINT_STYLES[point]}"
            else:
                char, style = VALUE_CHARS[shades[row, col]], ""
            if style != run_style and run:
                text.append("".join(run), run_style)
                run = []
            run.append(char)
            run_style = style
        text.append("".join(run), run_style)
        text.append("\n")
    if classify:
        classes = min(len(REGION_CHARS), int(max(cells.max(), snapshot.targets.max())) + 1)
        for k in range(classes):
            text.append(POINT_CHARS[k], f"{REGION_STYLES[k]} {POINT_STYLES[k]}")
            if validation:
                text.append(VALIDATION_CHARS[k], f"{REGION_STYLES[k]} {POINT_STYLES[k]}")
            text.append(REGION_CHARS[k], REGION_STYLES[k])
            text.append(f" class {k}  ")
        if validation:
            text.append("(OX#%: validation) ")
        if sure is not None:
            text.append("·", DIM_REGION_STYLES[0])
            text.append(f" under {UNSURE:.0%} sure")
    return text


def _placed(extent, inputs: np.ndarray, targets: np.ndarray, chars: str, rows: int, cols: int) -> dict:
    """Sample points at their cells: (row, col) → (true class, the shapes of their set)."""
    x0, x1, y0, y1 = extent
    keep = thin(len(inputs), rows * cols // 8)
    px, py = inputs[keep, 0], inputs[keep, 1]
    columns = np.clip(((px - x0) / max(x1 - x0, 1e-9) * (cols - 1)).round().astype(int), 0, cols - 1)
    lines = np.clip(((y1 - py) / max(y1 - y0, 1e-9) * (rows - 1)).round().astype(int), 0, rows - 1)
    classes = [(int(t), chars) for t in targets[keep].tolist()]
    return dict(zip(zip(lines.tolist(), columns.tolist()), classes))
