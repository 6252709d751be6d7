"""Measures the app against the issue's targets, driving the real `nntui` in a pseudo-terminal.

    .venv/bin/python benchmarks/app_bench.py [--presets minibatch classification]
        [--sizes 80x24 120x40 200x60] [--modes normal slow-link] [--app-root DIR]

For each preset, terminal size and mode (`normal`, or `slow-link`: `nntui --slow-link`):
- throughput: the preset trained with the app open and its charts live, against the same preset
  trained headless (Trainer.events() in a fresh interpreter) with the app's torch threads, the
  best of the headless runs made between the app runs; the target is a ratio of 0.9 or more;
- bytes written to the terminal per second while training, with no key pressed (target: 20 KB/s,
  5 KB/s with --slow-link), from half a second after the first epoch's frame until the quiet
  window ends or the frame that says the run finished begins: that frame is the final picture,
  drawn at once whatever the budget, and its size is printed apart (end KB), not as a rate;
- how often the loss chart, the predictions and the status line were redrawn meanwhile (live:
  the charts or the status line, above 0), and the share of a core the app's own process used;
- key press to screen: `l` (log-y) pressed while training, until the toggled chart title is written;
- start to first frame: process start until the first screen's text is written.
With `--inside`, the app trains with the inside screen open (i), its views on (each snapshot
carries the network's inside), against the headless run with them off (Observe(inside=False));
key press to screen is then 2 and 3 (neurons and network views) until the view's title is written.
`--app-root` runs the app from another checkout (say, an older commit unpacked with `git archive`),
so that two versions are measured side by side in one run. Not a test: numbers depend on the
machine (and on what else it runs). Prints a table."""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RUNS_DIR = tempfile.mkdtemp(prefix="nntui-bench-runs-")
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
TARGET_BYTES_PER_S = {"normal": 20_000, "slow-link": 5_000}
TARGET_RATIO = 0.9
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def headless(preset: str, threads: int, inside: bool = True) -> float:
    """Training seconds of one preset run headless, as Finished.duration_s reports them; with
    `inside` False its snapshots leave the network's inside out (the views off)."""
    code = (
        "import torch, sys\n"
        f"torch.set_num_threads({threads})\n"
        "from nntui.engine.presets import PRESETS\nfrom nntui.engine.trainer import Observe, Trainer\n"
        "from nntui.core.events import Finished\n"
        f"for e in Trainer(PRESETS.get({preset!r}).config, observe=Observe(inside={inside})).events():\n"
        "    if isinstance(e, Finished): print(e.duration_s)\n"
    )
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


class Terminal:
    """`nntui` (from `app_root`) in a pty of a given size; every write to the terminal is kept
    with its time."""

    def __init__(self, columns: int, lines: int, app_root: Path, options: list[str]) -> None:
        self.began = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines))
            env["PYTHONPATH"] = str(app_root)
            env.setdefault("NNTUI_RUNS_DIR", RUNS_DIR)  # the app saves every run: not in the user's
            for name in ("NO_COLOR", "SSH_CONNECTION"):
                env.pop(name, None)
            os.chdir(app_root)
            os.execve(PYTHON, [PYTHON, "-m", "nntui", *options], env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.pid, self.fd = pid, fd
        self.chunks: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.chunks.append((time.perf_counter(), data))

    def press(self, keys: str) -> float:
        at = time.perf_counter()
        os.write(self.fd, keys.encode())
        return at

    def text_between(self, start: float, end: float = float("inf")) -> bytes:
        with self.lock:
            raw = b"".join(data for at, data in self.chunks if start <= at < end)
        return ANSI.sub(b"", raw)

    def wait_for(self, pattern: bytes, since: float, timeout_s: float = 120.0) -> float:
        """When the first write after `since` containing `pattern` (ANSI codes removed) arrived."""
        deadline = time.perf_counter() + timeout_s
        scanned, tail = 0, b""
        while time.perf_counter() < deadline:
            with self.lock:
                chunks = self.chunks[scanned:]
            scanned += len(chunks)
            for at, data in chunks:
                if at < since:
                    continue
                if pattern in ANSI.sub(b"", tail + data):
                    return at
                tail = data[-256:]
            time.sleep(0.005)
        raise TimeoutError(f"{pattern!r} did not appear")

    def frame_start(self, at: float, gap_s: float = 0.02) -> float:
        """When the burst of writes holding the write at `at` began: a frame goes out as one
        burst (the pty splits it into chunks), so the writes before it less than `gap_s` apart."""
        with self.lock:
            times = [when for when, _ in self.chunks if when <= at]
        start = times[-1] if times else at
        for when in reversed(times[:-1]):
            if start - when >= gap_s:
                break
            start = when
        return start

    def bytes_between(self, start: float, end: float) -> int:
        with self.lock:
            return sum(len(data) for at, data in self.chunks if start <= at < end)

    def cpu_s(self) -> float:
        """CPU seconds the app's own process (not its training child) has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def close(self) -> None:
        os.write(self.fd, b"q")
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return
            time.sleep(0.05)
        os.kill(self.pid, 9)


def preset_position(name: str) -> int:
    from nntui.engine.presets import PRESETS

    return 1 + PRESETS.names().index(name)  # custom comes first in the picker, then the registry


@dataclass
class AppRun:
    first_frame_s: float
    start_to_first_epoch_s: float
    duration_s: float
    bytes_per_s: float
    chart_frames: int
    status_frames: int
    final_frame_bytes: int
    prediction_frames: int
    window_s: float
    ui_core_share: float
    latencies: list[float] = field(default_factory=list)


def sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.perf_counter()))


INSIDE_KEYS = (("2", b"page 1/"), ("3", b"links:"))


def app_run(
    preset: str,
    columns: int,
    lines: int,
    mode: str,
    app_root: Path,
    presses: int,
    quiet_s: float,
    inside: bool = False,
):
    term = Terminal(columns, lines, app_root, ["--slow-link"] if mode == "slow-link" else [])
    first_frame = term.wait_for(b"press s to start", term.began) - term.began
    term.wait_for(b"learning rate", term.began)
    time.sleep(1.0)
    term.press("p")
    time.sleep(0.5)
    for _ in range(preset_position(preset)):
        term.press("\x1b[B")
        time.sleep(0.05)
    term.press("\r")
    time.sleep(1.5)
    started = term.press("s")
    first_epoch = term.wait_for(b"samples/s", started)
    if inside:
        term.press("i")
        term.wait_for(b"1 units", first_epoch)
        first_epoch = time.perf_counter()
    # keys untouched, from just after the first epoch's full repaint until the key presses begin
    # (or the run ends, for short presets)
    quiet_from = first_epoch + 0.5
    sleep_until(quiet_from)
    cpu_from = term.cpu_s()
    try:
        finished_at = term.wait_for(b"finished", quiet_from, timeout_s=quiet_s)
    except TimeoutError:
        finished_at = float("inf")
    # while training: up to the frame that says the run finished (drawn at once, whatever the
    # budget: the final picture), whose bytes are counted on their own
    final_from = term.frame_start(finished_at) if finished_at < float("inf") else float("inf")
    quiet_until = min(quiet_from + quiet_s, final_from)
    cpu_until = term.cpu_s()
    window = max(quiet_until - quiet_from, 1e-9)
    seen = term.text_between(quiet_from, quiet_until)
    latencies = []
    log = False
    for press in range(presses if finished_at == float("inf") else 0):
        log = not log
        key, title = INSIDE_KEYS[press % 2] if inside else ("l", b"log y" if log else b"linear y")
        at = term.press(key)
        try:
            latencies.append(term.wait_for(title, at, timeout_s=10) - at)
        except TimeoutError:
            break
        time.sleep(0.25)
    back = term.press("i") if inside else started  # the monitor's status line says how long it took
    finished_at = term.wait_for(b"finished", back, timeout_s=1800)
    time.sleep(0.5)
    duration = re.search(rb"in (\d+\.\d+) s", term.text_between(finished_at - 0.01))
    final_from = min(final_from, term.frame_start(finished_at))
    result = AppRun(
        first_frame_s=first_frame,
        start_to_first_epoch_s=first_epoch - started,
        duration_s=float(duration[1]) if duration else float("nan"),
        bytes_per_s=term.bytes_between(quiet_from, quiet_until) / window,
        chart_frames=seen.count(b"at epoch") if inside else seen.count(b"linear y"),
        status_frames=seen.count(b"samples/s"),
        final_frame_bytes=term.bytes_between(final_from, final_from + 0.5),
        prediction_frames=seen.count(b"class map at epoch") + seen.count(b"predictions at epoch"),
        window_s=window,
        ui_core_share=(cpu_until - cpu_from) / window,
        latencies=latencies,
    )
    term.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--presets", nargs="+", default=["minibatch", "classification"])
    parser.add_argument("--sizes", nargs="+", default=["80x24", "120x40", "200x60"])
    parser.add_argument("--modes", nargs="+", choices=list(TARGET_BYTES_PER_S), default=["normal"])
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout whose app to run")
    parser.add_argument("--presses", type=int, default=10)
    parser.add_argument("--quiet-s", type=float, default=15.0, help="seconds measured with no key pressed")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="app runs per preset, size and mode, each followed by a headless run: the row's ratio is "
        "the fastest app run against the fastest headless one, its bytes the app run that sent the most",
    )
    parser.add_argument(
        "--inside", action="store_true", help="train with the inside screen open, against headless without it"
    )
    args = parser.parse_args()
    from nntui.tui.runner import child_threads

    threads = child_threads()
    app_root = args.app_root.resolve()
    rows = []
    all_latencies: list[float] = []
    frames = []
    for preset in args.presets:
        same = [headless(preset, threads, not args.inside)]
        for size in args.sizes:
            columns, lines = map(int, size.split("x"))
            for mode in args.modes:
                runs = []
                for _ in range(max(args.repeat, 1)):
                    options = (args.presses, args.quiet_s, args.inside)
                    runs.append(app_run(preset, columns, lines, mode, app_root, *options))
                    same.append(headless(preset, threads, not args.inside))
                    all_latencies += runs[-1].latencies
                    frames.append(runs[-1].first_frame_s)
                rows.append((preset, size, mode, runs))
        for index, row in enumerate(rows):
            if row[0] == preset:
                rows[index] = (*row, min(same))
    repeated = f"; of {args.repeat} app runs a row: app s the fastest, B/s the most sent"
    repeated = repeated if args.repeat > 1 else ""
    print(
        f"\napp from {app_root}; it trains with {threads} torch thread(s), leaving a "
        f"core to the screen: headless s is the best headless run with as many threads{repeated}"
    )
    print(
        f"{'preset':<15}{'size':>7} {'mode':<10}{'headless s':>11}{'app s':>7}{'ratio':>6}"
        f"{'B/s':>8}{'charts/s':>9}{'preds/s':>8}{'status/s':>9}{'end KB':>7}{'UI core':>8}"
        f"{'start→epoch':>12}  targets"
    )
    for preset, size, mode, runs, same in rows:
        fastest = min(run.duration_s for run in runs)
        app = max(runs, key=lambda run: run.bytes_per_s)
        ratio = same / fastest
        missed = [
            name
            for name, met in [
                ("ratio", ratio >= TARGET_RATIO),
                ("B/s", app.bytes_per_s <= TARGET_BYTES_PER_S[mode]),
                ("live", all(run.chart_frames + run.status_frames > 0 for run in runs)),
            ]
            if not met
        ]
        print(
            f"{preset:<15}{size:>7} {mode:<10}{same:>11.2f}{fastest:>7.2f}{ratio:>6.2f}"
            f"{app.bytes_per_s:>8,.0f}{app.chart_frames / app.window_s:>9.2f}"
            f"{app.prediction_frames / app.window_s:>8.2f}{app.status_frames / app.window_s:>9.2f}"
            f"{app.final_frame_bytes / 1000:>7.1f}{app.ui_core_share:>8.0%}"
            f"{app.start_to_first_epoch_s:>12.2f}  {'met' if not missed else 'missed: ' + ', '.join(missed)}"
        )
    if all_latencies:
        ordered = sorted(all_latencies)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(
            f"key press → screen while training: n={len(ordered)}, "
            f"median {statistics.median(ordered) * 1000:.0f} ms,"
            f" p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
        )
    print(f"start → first frame: {', '.join(f'{f:.2f} s' for f in frames)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
