"""The tutorial's plots, live: predictions and targets against a 1-d input, or for a 2-d input the
predicted class (or value) over the plane with the sample points on top."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual_plotext import PlotextPlot

from nntui.core.events import Snapshot

MAX_POINTS = 1000
TARGET_STYLE = {"marker": "braille", "color": "gray", "label": "target ⠒"}
PREDICTION_STYLE = {"marker": "•", "color": "cyan", "label": "prediction •"}
REGION_CHARS = " ░▒▓"
REGION_STYLES = ["on blue", "on red", "on green", "on magenta"]
POINT_CHARS = "ox+*"
POINT_STYLES = ["bold bright_cyan", "bold bright_yellow", "bold bright_white", "bold bright_green"]
VALUE_CHARS = " .:-=+*#%@"
NO_RUN = "appear here once a run starts"


class Predictions(PlotextPlot):
    """Shows the latest `Snapshot`, redrawn only when the app hands it a new one; without one,
    `empty` says why (no run yet, or a saved run's model still loading)."""

    DEFAULT_CSS = "Predictions { min-height: 6; }"

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.snapshot: Snapshot | None = None
        self.empty = NO_RUN

    def show(self, snapshot: Snapshot | None, empty: str = NO_RUN) -> None:
        self.snapshot, self.empty = snapshot, empty
        self.refresh()

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
            return plane_map(snapshot, self.size.width, self.size.height)
        if snapshot.points.shape[1] != 1:
            return Text(f"predictions: {snapshot.points.shape[1]}-d inputs cannot be drawn", style="dim")
        plt = self.plt
        plt.clear_figure()
        keep = thin(len(snapshot.points), MAX_POINTS)
        x = snapshot.points[keep, 0].tolist()
        plt.scatter(x, snapshot.targets[keep].tolist(), **TARGET_STYLE)
        plt.scatter(x, snapshot.predictions[keep].tolist(), **PREDICTION_STYLE)
        plt.title(f"predictions at epoch {snapshot.epoch}")
        plt.xlabel("input x")
        return super().render()


def thin(count: int, most: int) -> np.ndarray:
    return np.linspace(0, count - 1, min(count, most)).astype(int)


def plane_map(snapshot: Snapshot, width: int, height: int) -> Text:
    """One character cell per grid sample: a class map in shaded blocks with the points over it
    (shape and colour give the true class), or for regression the value in ten shades."""
    rows, cols = max(height - 2, 2), max(width, 2)
    grid = snapshot.grid
    cells = grid[np.linspace(0, grid.shape[0] - 1, rows).astype(int)][
        :, np.linspace(0, grid.shape[1] - 1, cols).astype(int)
    ]
    classify = snapshot.task == "classification"
    points: dict[tuple[int, int], int] = {}
    if classify:
        x0, x1, y0, y1 = snapshot.extent
        keep = thin(len(snapshot.points), rows * cols // 8)
        px, py = snapshot.points[keep, 0], snapshot.points[keep, 1]
        columns = np.clip(((px - x0) / max(x1 - x0, 1e-9) * (cols - 1)).round().astype(int), 0, cols - 1)
        lines = np.clip(((y1 - py) / max(y1 - y0, 1e-9) * (rows - 1)).round().astype(int), 0, rows - 1)
        points = dict(zip(zip(lines.tolist(), columns.tolist()), snapshot.targets[keep].tolist()))
    else:
        low, high = float(cells.min()), float(cells.max())
        shades = ((cells - low) / max(high - low, 1e-12) * (len(VALUE_CHARS) - 1)).round().astype(int)
    text = Text(no_wrap=True, overflow="crop")
    if classify:
        accuracy = float((snapshot.predictions == snapshot.targets).mean())
        text.append(f"class map at epoch {snapshot.epoch} · sample accuracy {accuracy:.1%}\n")
    else:
        text.append(f"prediction over the plane at epoch {snapshot.epoch} · ' ' {low:.3g} … '@' {high:.3g}\n")
    for row in range(rows):
        # Cells of one style go out as one run: a style per cell would write ~25 bytes a cell.
        run, run_style = [], ""
        for col in range(cols):
            if classify:
                region = int(cells[row, col]) % len(REGION_CHARS)
                target = points.get((row, col))
                if target is None:
                    char, style = REGION_CHARS[region], REGION_STYLES[region]
                else:
                    point = int(target) % len(POINT_CHARS)
                    char, style = POINT_CHARS[point], f"{POINT_STYLES[point]} {REGION_STYLES[region]}"
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
        text.append(
            " ".join(
                f"{POINT_CHARS[k]}{REGION_CHARS[k]} class {k}"
                for k in range(len(REGION_CHARS))
                if k <= int(max(cells.max(), snapshot.targets.max()))
            )
        )
    return text
