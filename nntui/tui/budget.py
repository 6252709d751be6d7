"""What the live screen may cost, whatever the terminal's size. Each live part (the status line,
the charts, the predictions) is redrawn no more often than its recent frames' cost allows: the
bytes the terminal was sent and the CPU the app's UI thread spent painting it, per cell of the
part, times its cells now, within its share of a byte rate and of a core. No Textual here: the app
says when a frame begins and is painted, what it drew, and what its driver wrote."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from statistics import median_low

# A part's cost is the lower median of its last few frames', starting from a guess: a toast or a
# key's repaint that lands in one frame, or the odd frame that moves the layout, does not set the
# pace.
REMEMBERED_FRAMES = 5


@dataclass(frozen=True)
class Limits:
    """The screen's budget: bytes to the terminal per second and the share of one core the app's
    UI thread spends painting, over the live parts together."""

    name: str
    bytes_per_s: float
    core_share: float
    why: str = ""  # why this budget is in use, said in the help and the status line; "" by default


# Issue 9's targets are 20 KB/s, and 5 KB/s over a slow link: these leave room for key presses,
# toasts and the odd frame that costs more than the ones before it.
FAST_LINK = Limits("fast link", bytes_per_s=16_000, core_share=0.10)
SLOW_LINK = Limits("slow link", bytes_per_s=4_000, core_share=0.10)


def link_limits(slow_link: bool | None, environ: Mapping[str, str]) -> Limits:
    """`nntui --slow-link` or `--fast-link` as asked; by default the slow link's budget over SSH
    (SSH_CONNECTION set), where a few KB/s may be all the link carries, else the fast one's."""
    if slow_link is None and environ.get("SSH_CONNECTION"):
        return replace(SLOW_LINK, why="over SSH: SSH_CONNECTION is set; nntui --fast-link lifts it")
    if slow_link:
        return replace(SLOW_LINK, why="nntui --slow-link")
    return FAST_LINK


@dataclass
class Part:
    """One live part: the shortest interval between its frames, its share of the budget, the bytes
    a cell of it is guessed to cost until measured, its size in cells when last drawn, and what
    its recent frames cost per cell."""

    every_s: float
    share: float
    guess_bytes_per_cell: float
    cells: int = 0
    drawn_at: float = float("-inf")
    frames: list[tuple[float, float]] = field(default_factory=list)  # (bytes, CPU s) per cell

    def __post_init__(self) -> None:
        self.frames = self.frames or [(self.guess_bytes_per_cell, 0.0)]

    @property
    def bytes_per_cell(self) -> float:
        return median_low(bytes for bytes, _ in self.frames)

    @property
    def cpu_s_per_cell(self) -> float:
        return median_low(cpu for _, cpu in self.frames)

    def remember(self, bytes_per_cell: float, cpu_s_per_cell: float) -> None:
        self.frames = [*self.frames[1 - REMEMBERED_FRAMES :], (bytes_per_cell, cpu_s_per_cell)]


RATE_WINDOW_S = 3.0  # the terminal's real byte rate is measured over this long
MAX_STRETCH = 20.0  # intervals grow at most this much for bytes the estimates missed


@dataclass
class ScreenBudget:
    """`begin` a frame, say which parts were `drawn`, and once it is on the screen, `painted`:
    the bytes written and CPU spent in between are the frame's cost, learnt when it held one
    part, or one part and the status line (whose own cost is then taken off)."""

    limits: Limits
    parts: dict[str, Part]
    written: int = 0  # bytes the terminal was sent so far, counted by the app's driver
    _frame: int = 0  # which frame is open, so that a late `painted` cannot close the next one
    _drawn: set[str] = field(default_factory=set)
    _mark: tuple[int, float] | None = None  # bytes written and CPU used when the frame began
    # What the terminal was really sent: bytes the estimates miss (written after a frame was
    # measured, toasts, the footer) stretch every interval until the rate is back under budget.
    stretch: float = 1.0
    _window: deque = field(default_factory=deque)  # (time, bytes written so far), RATE_WINDOW_S long

    def interval(self, name: str) -> float:
        """Seconds from one frame of the part to the next: its own least, or more when its
        recent frames, at today's size, would overspend its share."""
        part, limits = self.parts[name], self.limits
        by_bytes = part.cells * part.bytes_per_cell / (part.share * limits.bytes_per_s)
        by_cpu = part.cells * part.cpu_s_per_cell / (part.share * limits.core_share)
        return max(part.every_s, by_bytes, by_cpu) * self.stretch

    def due(self, name: str, now: float) -> bool:
        self.observe(now)
        return now - self.parts[name].drawn_at >= self.interval(name)

    def observe(self, now: float) -> None:
        """Measure the bytes per second sent over the last RATE_WINDOW_S and, about once a
        half second, stretch the intervals where it is over budget (shrink them back, to their own
        least, where it is well under)."""
        window = self._window
        if window and now - window[-1][0] < 0.5:
            return
        window.append((now, self.written))
        while len(window) > 2 and now - window[1][0] >= RATE_WINDOW_S:
            window.popleft()
        span = now - window[0][0]
        if span < RATE_WINDOW_S / 2:
            return
        rate = (self.written - window[0][1]) / span
        over = rate / self.limits.bytes_per_s
        if over > 1.0:
            self.stretch = min(self.stretch * min(over, 1.5), MAX_STRETCH)
        elif over < 0.8:
            self.stretch = max(self.stretch * max(over / 0.8, 0.8), 1.0)

    def begin(self, cpu_s: float) -> int:
        """Open a frame; returns its number for `painted`."""
        self._frame += 1
        self._drawn, self._mark = set(), (self.written, cpu_s)
        return self._frame

    def drawn(self, name: str, now: float, cells: int) -> None:
        """The part was redrawn now, `cells` in size: in the open frame, if one is."""
        part = self.parts[name]
        part.drawn_at, part.cells = now, max(cells, 1)
        if self._mark is not None:
            self._drawn.add(name)

    def painted(self, frame: int, cpu_s: float, learn: bool = True) -> None:
        """The frame is on the screen: learn what it cost (with `learn`: while a run trains, not
        while the person sets one up), and close it."""
        if frame != self._frame or self._mark is None:
            return
        spent_bytes, spent_cpu = self.written - self._mark[0], max(cpu_s - self._mark[1], 0.0)
        drawn, self._drawn, self._mark = self._drawn, set(), None
        others = drawn - {"status"}
        if not learn or not drawn or len(others) > 1:
            return  # two big parts in one frame (a run that just ended): whose bytes, unknown
        if others and "status" in drawn:
            status = self.parts["status"]
            spent_bytes -= status.cells * status.bytes_per_cell
            spent_cpu -= status.cells * status.cpu_s_per_cell
        part = self.parts[others.pop() if others else "status"]
        part.remember(max(spent_bytes, 0.0) / part.cells, max(spent_cpu, 0.0) / part.cells)
