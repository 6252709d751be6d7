"""Your own data, drawn: points of the plane [-1, 1]² with a class each, kept in the run config
as one line of text, `x1,x2,class;x1,x2,class;…` (data.points), so that a drawn set is saved,
shared and exported with its run. Checked here, without torch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

CLASSES = 4  # the class map tells four classes apart by glyph: o x + *
MAX_POINTS = 1000  # drawn by hand, or a generated set of Playground's size taken to edit
MIN_PER_CLASS = 3  # fewer leave a class nothing to learn from once validation takes its share
DECIMALS = 3  # finer than a terminal cell of the plane at any size nntui draws it
MAX_CHARS = MAX_POINTS * 40  # longer text is refused before it is read
SHARE_MAX_POINTS = 250  # a share string stays a line to paste (~3.5 KB); more: save the config


@dataclass(frozen=True)
class Point:
    x1: float
    x2: float
    label: int

    def __str__(self) -> str:
        return f"{_number(self.x1)},{_number(self.x2)},{self.label}"


def _number(value: float) -> str:
    return f"{round(value, DECIMALS) + 0.0:g}"  # + 0.0: -0.0 is written 0


def point(x1: float, x2: float, label: int) -> Point:
    """A point as the drawn set keeps it: rounded to DECIMALS, inside the plane."""
    inside = [min(max(round(value, DECIMALS) + 0.0, -1.0), 1.0) for value in (x1, x2)]
    return Point(inside[0], inside[1], int(label))


def format_points(points: Iterable[Point]) -> str:
    return ";".join(str(p) for p in points)


def count_points(text: str) -> int:
    """How many points the text lists, without reading them."""
    return sum(1 for part in text.split(";") if part.strip())


def parse_points(text: str) -> list[Point]:
    """The points `text` lists; a ValueError that names the first bad point otherwise. Only the
    form and the bounds: whether the set can train is `trainable_problem`'s question."""
    if len(text) > MAX_CHARS:
        raise ValueError(f"is {len(text):,} characters long; nntui reads at most {MAX_CHARS:,}")
    parts = [part.strip() for part in text.split(";") if part.strip()]
    if len(parts) > MAX_POINTS:
        raise ValueError(f"lists {len(parts):,} points; a drawn set holds at most {MAX_POINTS:,}")
    points = []
    for number, part in enumerate(parts, start=1):
        values = [value.strip() for value in part.split(",")]
        where = f"point {number} ({_quoted(part)})"
        if len(values) != 3:
            raise ValueError(f"{where} must be x1,x2,class (three values), got {len(values)}")
        try:
            x1, x2 = float(values[0]), float(values[1])
        except ValueError:
            raise ValueError(f"{where}: x1 and x2 must be numbers") from None
        if not (-1 <= x1 <= 1 and -1 <= x2 <= 1):  # also refuses nan
            raise ValueError(f"{where} lies outside the plane: x1 and x2 must be in [-1, 1]")
        if not values[2].isdigit() or int(values[2]) >= CLASSES:
            raise ValueError(f"{where}: the class must be a whole number 0 to {CLASSES - 1}")
        points.append(Point(x1, x2, int(values[2])))
    return points


def trainable_problem(points: list[Point]) -> str | None:
    """Why a drawn set cannot train: too few classes, or too few points of one."""
    counts = Counter(p.label for p in points)
    if not points:
        return "is empty: draw points on the class map (o), or list them as x1,x2,class;…"
    classes = max(counts) + 1
    if classes < 2:
        return f"has points of class 0 only: draw some of class 1 too (each class {MIN_PER_CLASS} or more)"
    short = [label for label in range(classes) if counts[label] < MIN_PER_CLASS]
    if short:
        label = short[0]
        gap = f" (the classes are 0 to {classes - 1})" if counts[label] == 0 else ""
        return (
            f"has {counts[label]} point{'s' if counts[label] != 1 else ''} of class {label}{gap}: "
            f"each class needs {MIN_PER_CLASS} or more to train"
        )
    return None


def points_problem(text: str) -> str | None:
    """The message for data.points, when a drawn set is the data: its form, bounds, size and
    classes; None when it trains."""
    try:
        points = parse_points(text)
    except ValueError as error:
        return f"data.points {error}"
    problem = trainable_problem(points)
    return f"data.points {problem}" if problem else None


def classes_of(text: str) -> int | None:
    """How many classes the set has (its largest label + 1, at least 2); None when unreadable."""
    try:
        points = parse_points(text)
    except ValueError:
        return None
    return max(2, max((p.label for p in points), default=0) + 1)


def _quoted(text: str, limit: int = 24) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")
