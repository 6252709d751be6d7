"""The inside views, drawn as text from a Snapshot's `inside` (core/inside.py): units (a 1-d
regression's hidden units summing to the prediction, kinks on the x axis), neurons (each unit's
map, paged; one large with its formula) and network (layers as columns, every link a glyph by
sign and size). Glyphs carry what colour does, for 16 colours and NO_COLOR."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text

from nntui.core.inside import STATE_MEANING, Inside, LayerView, diagnostics_lines, formula, unit_name

UNIT_STYLE, PREDICTION_STYLE, KINK_STYLE = "#8a8a8a", "bold #5fd7ff", "bold #ffd75f"
POSITIVE, NEGATIVE = "#5fafff", "#ffaf5f"  # Playground's blue and orange
# a link's glyph: its sign by shape, its size (against the layer's largest |w|) by weight
POSITIVE_GLYPHS, NEGATIVE_GLYPHS, TINY_GLYPH = "+#", "-=", "·"
# a map's cell: positive or negative activation, in 4 steps of size
POSITIVE_SHADES, NEGATIVE_SHADES = "·+*#", "·-=≡"
STATE_MARKS = {"dead": "✕", "linear": "/", "active": "●", "saturated": "■", "": "●"}
SELECTED = "reverse bold"


@dataclass
class Selection:
    """Which layer (weight matrix, from 1) and which of its shown units (row) are selected."""

    layer: int = 1
    row: int = 0

    def clamp(self, inside: Inside) -> None:
        self.layer = min(max(self.layer, 1), len(inside.layers))
        self.row = min(max(self.row, 0), len(inside.layer(self.layer).shown) - 1)


def _shade(value: float, scale: float) -> tuple[str, str]:
    level = min(3, int(abs(value) / scale * 4)) if scale > 0 else 0
    if abs(value) < scale * 0.05:
        return " ", ""
    glyphs, colour = (POSITIVE_SHADES, POSITIVE) if value > 0 else (NEGATIVE_SHADES, NEGATIVE)
    return glyphs[level], colour


def map_text(values: np.ndarray, width: int, height: int) -> Text:
    """One unit's activation map: over the plane (rows, cols) in shades, or along a 1-d input as
    a curve of block heights; cells of one style go out as one run."""
    text = Text(no_wrap=True, overflow="crop")
    scale = float(np.abs(values).max()) if values.size else 0.0
    if values.ndim == 1:
        return _curve(values, width, height)
    rows = values[np.linspace(0, values.shape[0] - 1, max(height, 1)).astype(int)]
    cells = rows[:, np.linspace(0, values.shape[1] - 1, max(width, 1)).astype(int)]
    for r, line in enumerate(cells):
        run, run_style = [], ""
        for value in line:
            char, style = _shade(float(value), scale)
            if style != run_style and run:
                text.append("".join(run), run_style)
                run = []
            run.append(char)
            run_style = style
        text.append("".join(run), run_style)
        if r < len(cells) - 1:
            text.append("\n")
    return text


def _curve(values: np.ndarray, width: int, height: int) -> Text:
    """A 1-d activation as a column of '█' per x, up from the row of zero (down for negatives)."""
    sampled = values[np.linspace(0, len(values) - 1, max(width, 1)).astype(int)]
    low, high = min(float(sampled.min()), 0.0), max(float(sampled.max()), 0.0)
    span = high - low or 1.0
    zero = round((high - 0) / span * (height - 1))
    rows = [[" "] * len(sampled) for _ in range(height)]
    for column, value in enumerate(sampled):
        row = round((high - value) / span * (height - 1))
        for r in range(min(row, zero), max(row, zero) + 1):
            rows[r][column] = "█" if value >= 0 else "▒"
        rows[zero][column] = rows[zero][column] if abs(value) > span * 0.02 else "─"
    text = Text(no_wrap=True, overflow="crop")
    for r, line in enumerate(rows):
        text.append("".join(line), POSITIVE if r <= zero else NEGATIVE)
        if r < height - 1:
            text.append("\n")
    return text


def units_text(inside: Inside, width: int, height: int) -> Text:
    """The units view: each shown unit's term w_out·act(h(x)) faint, the prediction over them,
    the first layer's kinks under the x axis, and what the picture claims, in words."""
    units = inside.units
    if units is None:
        return Text(
            "units view: for a regression with one input (x², sine…), where each hidden unit's "
            "share of the prediction can be drawn along x. 2 shows the neurons, 3 the network.",
            "dim",
        )
    label_width = 9
    plot_width = max(width - label_width - 2, 10)  # a row exactly full would eat the next one's indent
    plot_height = max(height - (7 if width >= 100 else 9), 4)  # the statements below take 2 or 4 rows
    curves = [*units.contributions, units.prediction]
    low = min(float(np.min(c)) for c in curves)
    high = max(float(np.max(c)) for c in curves)
    span = high - low or 1.0
    columns = np.linspace(0, len(units.x) - 1, plot_width).astype(int)
    grid = [[(" ", UNIT_STYLE)] * plot_width for _ in range(plot_height)]  # blanks as dots: one run

    def row_of(value: float) -> int:
        return int(round((high - value) / span * (plot_height - 1)))

    zero = row_of(0.0) if low <= 0 <= high else None
    if zero is not None:
        grid[zero] = [("┈", UNIT_STYLE)] * plot_width
    for term in units.contributions:
        for column, index in enumerate(columns):
            grid[row_of(float(term[index]))][column] = ("·", UNIT_STYLE)
    for column, index in enumerate(columns):
        grid[row_of(float(units.prediction[index]))][column] = ("•", PREDICTION_STYLE)
    text = Text(no_wrap=True, overflow="crop")
    shown = "all" if units.chosen == "all" else units.chosen
    text.append(f"units of layer {units.layer}: w_out·act(h(x)) each ({shown}), ")
    text.append("•", PREDICTION_STYLE)
    text.append(" their sum = the prediction\n")
    for r, line in enumerate(grid):
        label = (
            "0"
            if r == zero
            else f"{high - r * span / (plot_height - 1):.3g}"
            if r in (0, plot_height - 1)
            else ""
        )
        text.append(f"{label:>{label_width}} ")
        run, run_style = [], UNIT_STYLE
        for char, style in line:
            if style != run_style and run:
                text.append("".join(run), run_style)
                run = []
            run.append(char)
            run_style = style
        text.append("".join(run) + "\n", run_style)
    x0, x1 = float(units.x[0]), float(units.x[-1])
    marks = [" "] * plot_width
    for kink in units.kinks:
        if x0 <= kink <= x1:
            marks[int(round((kink - x0) / (x1 - x0 or 1) * (plot_width - 1)))] = "▲"
    text.append(" " * (label_width + 1))
    text.append("".join(marks), KINK_STYLE)
    text.append("\n")
    axis = f"{x0:.3g}".ljust(plot_width - len(f"{x1:.3g}")) + f"{x1:.3g}"
    text.append(" " * (label_width + 1) + axis + "\n")
    text.append(
        f"Σ of all {units.units} units + output bias {units.output_bias:.3g} = the prediction "
        f"(largest gap {units.sum_error:.1e}: float rounding)\n"
    )
    text.append("▲", KINK_STYLE)
    text.append(
        f" kinks x = −b/w of layer 1 · {units.dead} dead (never active) · {units.linear} linear over "
        f"the whole range · {units.kinks_in_range} with a kink inside the data"
    )
    return text


def neurons_text(inside: Inside, selection: Selection, width: int, height: int, large: bool) -> Text:
    """The neurons view: thumbnails of the selected layer's shown units, a page of them around the
    selected one; or, `large`, the selected unit's map filling the view with its formula."""
    layer = inside.layer(selection.layer)
    if layer.maps is None:
        return Text(
            f"layer {layer.number} is the output layer: its map is the predictions' (escape). "
            "← → chooses a hidden layer.",
            "dim",
        )
    row = selection.row
    unit = int(layer.shown[row])
    if large:
        text = Text(no_wrap=True, overflow="crop")
        text.append(formula(inside, layer, row) + "\n", "bold")
        state = layer.states[row] if layer.states else ""
        if state:
            text.append(f"{state}: {STATE_MEANING[state]}\n")
        text.append_text(map_text(layer.maps[row], width, max(height - 4, 3)))
        text.append("\n" + _shade_legend())
        return text
    thumb_w, thumb_h = (16, 6) if layer.maps.ndim == 3 else (16, 4)
    across = max((width + 1) // (thumb_w + 1), 1)
    down = max((height - 2) // (thumb_h + 1), 1)
    per_page = across * down
    page = row // per_page
    pages = -(-len(layer.shown) // per_page)
    first = page * per_page
    text = Text(no_wrap=True, overflow="crop")
    last = min(first + per_page, len(layer.shown))
    text.append(
        f"layer {layer.number} ({layer.activation}): units {first + 1}–{last} "
        f"of {len(layer.shown)} shown"
        + (f" ({layer.chosen})" if layer.chosen != "all" else "")
        + f" · page {page + 1}/{pages} · enter: large\n"
    )
    for start in range(first, min(first + per_page, len(layer.shown)), across):
        block = range(start, min(start + across, len(layer.shown), first + per_page))
        maps = [map_text(layer.maps[i], thumb_w, thumb_h).split("\n") for i in block]
        for line in range(thumb_h):
            for n, lines in enumerate(maps):
                text.append_text(lines[line] if line < len(lines) else Text(" " * thumb_w))
                text.append(" " if n < len(maps) - 1 else "")
            text.append("\n")
        for n, i in enumerate(block):
            state = layer.states[i] if layer.states else ""
            label = f"{STATE_MARKS[state]} {unit_name(layer.number, int(layer.shown[i]))} {state}"[:thumb_w]
            text.append(label.ljust(thumb_w), SELECTED if i == row else "")
            text.append(" " if n < len(block) - 1 else "")
        text.append("\n")
    text.append(_shade_legend() + f" · selected: {unit_name(layer.number, unit)}")
    return text


def _shade_legend() -> str:
    return f"activation: {POSITIVE_SHADES[1:]} positive, {NEGATIVE_SHADES[1:]} negative (small → large)"


def _link(weight: float, scale: float) -> tuple[str, str]:
    if scale <= 0 or abs(weight) < 0.2 * scale:
        return TINY_GLYPH, "#8a8a8a"
    big = abs(weight) >= 0.6 * scale
    if weight > 0:
        return POSITIVE_GLYPHS[big], f"{'bold ' if big else ''}{POSITIVE}"
    return NEGATIVE_GLYPHS[big], f"{'bold ' if big else ''}{NEGATIVE}"


def network_text(inside: Inside, selection: Selection, width: int, height: int, diagnostics: list) -> Text:
    """The network view: a column per layer; each unit's row starts with its incoming links, one
    glyph per input; the selected unit's weights and bias as numbers, and the layers' diagnostics."""
    below = 4 + (len(diagnostics) + 1 if diagnostics else 0)
    rows = max(height - below - 2, 3)
    most_links = max(4, min(24, (width - 8 * (len(inside.layers) + 1)) // max(len(inside.layers), 1)))
    columns: list[list[Text]] = [[Text("inputs", "bold")] + [Text(name) for name in inside.inputs[:rows]]]
    for layer in inside.layers:
        title = f"L{layer.number} {'out' if layer.output else layer.activation} {layer.units}"
        column = [Text(title, "bold")]
        scale = float(np.abs(layer.weights).max()) if layer.weights.size else 0.0
        selected = layer.number == selection.layer
        first = (selection.row // rows) * rows if selected else 0
        for row in range(first, min(first + rows, len(layer.shown))):
            cell = Text()
            for weight in layer.weights[row, :most_links]:
                cell.append(*_link(float(weight), scale))
            if layer.weights.shape[1] > most_links:
                cell.append("…")
            state = layer.states[row] if layer.states else ""
            name = (
                f"out{int(layer.shown[row]) + 1}"
                if layer.output
                else unit_name(layer.number, int(layer.shown[row]))
            )
            cell.append(" ")
            cell.append(f"{STATE_MARKS[state]}{name}", SELECTED if selected and row == selection.row else "")
            column.append(cell)
        if len(layer.shown) > rows:
            column.append(Text(f"{len(layer.shown)} shown of {layer.units}", "dim"))
        columns.append(column)
    widths = [max(c.cell_len for c in column) + 2 for column in columns]
    text = Text(no_wrap=True, overflow="crop")
    for line in range(max(len(column) for column in columns)):
        for column, size in zip(columns, widths):
            cell = column[line] if line < len(column) else Text("")
            text.append_text(cell)
            text.append(" " * (size - cell.cell_len))
        text.append("\n")
    text.append("links: ")
    for glyph, style, meaning in [
        ("#", f"bold {POSITIVE}", "large +"),
        ("+", POSITIVE, "+"),
        ("=", f"bold {NEGATIVE}", "large −"),
        ("-", NEGATIVE, "−"),
        (TINY_GLYPH, "#8a8a8a", "small"),
    ]:
        text.append(glyph, style)
        text.append(f" {meaning}  ")
    text.append("· ✕ dead / linear ● active ■ saturated\n")
    layer = inside.layer(selection.layer)
    text.append_text(_weights_line(inside, layer, selection.row))
    if diagnostics:
        text.append("\n")
        text.append("\n".join(diagnostics_lines(diagnostics, len(inside.hidden))), "")
    return text


def _weights_line(inside: Inside, layer: LayerView, row: int) -> Text:
    text = Text()
    text.append(formula(inside, layer, row), "bold")
    names = [f"w{int(unit) + 1}={float(w):.4g}" for unit, w in zip(layer.inputs_shown, layer.weights[row])]
    bias = "" if layer.biases is None else f"  b={float(layer.biases[row]):.4g}"
    text.append("\n" + "  ".join(names) + bias)
    return text
