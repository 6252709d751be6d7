"""Measures the app against the issue's targets, driving the real `nntui` in a pseudo-terminal.

    .venv/bin/python benchmarks/app_bench.py [--presets minibatch classification] [--size 120x40]

- throughput: a preset trained with the app open and its charts live, against the same preset
  trained headless (Trainer.events() in a fresh interpreter, torch's default threads);
- key press to screen: `l` (log-y) pressed while training, until the toggled chart title is written;
- start to first frame: process start until the first screen's text is written;
- bytes written to the terminal per second while training, with no key pressed.
Not a test: numbers depend on the machine. Prints a table."""

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NNTUI = ROOT / ".venv" / "bin" / "nntui"
PYTHON = sys.executable
RUNS_DIR = tempfile.mkdtemp(prefix="nntui-bench-runs-")
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
PRESET_ORDER_HINT = "custom comes first in the picker, then the presets in registry order"


def headless(preset: str, threads: int | None) -> float:
    """Training seconds of one preset run headless, as Finished.duration_s reports them."""
    code = (
        "import torch, sys\n"
        f"{f'torch.set_num_threads({threads})' if threads else ''}\n"
        "from nntui.engine.presets import PRESETS\nfrom nntui.engine.trainer import Trainer\n"
        "from nntui.core.events import Finished\n"
        f"for e in Trainer(PRESETS.get({preset!r}).config).events():\n"
        "    if isinstance(e, Finished): print(e.duration_s)\n"
    )
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


class Terminal:
    """`nntui` in a pty of a given size; every write to the terminal is kept with its time."""

    def __init__(self, columns: int, lines: int) -> None:
        self.began = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines))
            env.setdefault("NNTUI_RUNS_DIR", RUNS_DIR)  # the app saves every run: not in the user's
            env.pop("NO_COLOR", None)
            os.execve(str(NNTUI), [str(NNTUI)], env)
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

    def text_since(self, since: float) -> bytes:
        with self.lock:
            raw = b"".join(data for at, data in self.chunks if at >= since)
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

    def bytes_between(self, start: float, end: float) -> int:
        with self.lock:
            return sum(len(data) for at, data in self.chunks if start <= at < end)

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

    return 1 + PRESETS.names().index(name)


def app_run(preset: str, columns: int, lines: int, presses: int) -> dict:
    term = Terminal(columns, lines)
    first_frame = term.wait_for(b"press s to start", term.began) - term.began
    term.wait_for(b"learning rate", term.began)
    time.sleep(1.0)
    term.press("p")
    time.sleep(0.5)
    for _ in range(preset_position(preset)):
        term.press("\x1b[B")
        time.sleep(0.05)
    term.press("\r")
    time.sleep(1.0)
    started = term.press("s")
    first_epoch = term.wait_for(b"samples/s", started)
    # bytes while training, keys untouched: from just after the first epoch's full repaint until
    # the key presses begin (or the run ends, for short presets)
    quiet_from, quiet_until = first_epoch + 0.5, first_epoch + 4.0
    latencies = []
    log = False
    time.sleep(4.0)
    for _ in range(presses):
        log = not log
        at = term.press("l")
        try:
            latencies.append(term.wait_for(b"log y" if log else b"linear y", at, timeout_s=5) - at)
        except TimeoutError:
            break
        time.sleep(0.25)
    finished_at = term.wait_for(b"finished", started, timeout_s=1800)
    time.sleep(0.5)
    duration = re.search(rb"in (\d+\.\d+) s", term.text_since(finished_at - 0.01))
    result = {
        "first_frame_s": first_frame,
        "start_to_first_epoch_s": first_epoch - started,
        "bytes_per_s": term.bytes_between(quiet_from, min(quiet_until, finished_at))
        / max(min(quiet_until, finished_at) - quiet_from, 1e-9),
        "latencies": latencies,
        "duration_s": float(duration[1]) if duration else float("nan"),
    }
    term.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--presets", nargs="+", default=["minibatch", "classification"])
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--presses", type=int, default=30)
    args = parser.parse_args()
    columns, lines = map(int, args.size.split("x"))
    rows = []
    all_latencies: list[float] = []
    frames = []
    from nntui.tui.runner import child_threads

    threads = child_threads()
    for preset in args.presets:
        bare = headless(preset, None)
        same = headless(preset, threads)
        app = app_run(preset, columns, lines, args.presses)
        all_latencies += app["latencies"]
        frames.append(app["first_frame_s"])
        rows.append((preset, bare, same, app))
    print(
        f"\nthroughput: the app trains with {threads} torch thread(s), leaving a core to the screen; "
        "headless uses every core by default"
    )
    print(
        f"{'preset':<16}{'headless s':>11}{f'@{threads} thr s':>11}{'app s':>8}"
        f"{'ratio@same':>11}{'ratio@all':>10}{'B/s @' + args.size:>13}{'start→epoch s':>15}"
    )
    for preset, bare, same, app in rows:
        duration = app["duration_s"]
        print(
            f"{preset:<16}{bare:>11.2f}{same:>11.2f}{duration:>8.2f}{same / duration:>11.2f}"
            f"{bare / duration:>10.2f}{app['bytes_per_s']:>13,.0f}{app['start_to_first_epoch_s']:>15.2f}"
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
