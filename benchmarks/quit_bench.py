"""Times `q` pressed while training until the shell prompt is back, in tmux, on a loaded machine.

    .venv/bin/python benchmarks/quit_bench.py [--trials 6] [--burners 2] [--root DIR]

Each trial opens a shell in a tmux session, runs `python -m nntui` there (the nntui of `--root`,
this checkout by default), starts the default run with `s`, waits for it to train, presses `q`
and polls the pane until the prompt is written again. `--burners` CPU-bound processes run
meanwhile (a busy machine is where quitting was slow). Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSION = "nntui-quit-bench"
PROMPT = "READY$"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def pane() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(condition, timeout_s: float) -> float:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if condition(pane()):
            return time.time()
        time.sleep(0.02)
    raise TimeoutError(pane())


def prompt_is_back(text: str) -> bool:
    lines = text.strip().splitlines()
    return text.count(PROMPT) >= 2 and lines[-1].strip() == PROMPT


def trial(root: Path, runs_dir: str) -> float:
    tmux("kill-session", "-t", SESSION)
    shell = f"env PS1='{PROMPT} ' bash --norc --noprofile"
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", shell)
    time.sleep(0.5)
    tmux("send-keys", "-t", SESSION, "clear", "Enter")
    time.sleep(0.3)
    command = f"cd {root} && PYTHONPATH={root} {sys.executable} -m nntui --runs-dir {runs_dir}"
    tmux("send-keys", "-t", SESSION, command, "Enter")
    wait_for(lambda text: "learning rate" in text, 120)
    for _ in range(30):  # the first presses may come before the training process is up
        tmux("send-keys", "-t", SESSION, "s")
        try:
            wait_for(lambda text: "samples/s" in text, 3)
            break
        except TimeoutError:
            continue
    time.sleep(1.5)
    pressed = time.time()
    tmux("send-keys", "-t", SESSION, "q")
    return wait_for(prompt_is_back, 30) - pressed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--burners", type=int, default=2)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose nntui runs")
    args = parser.parse_args()
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.burners)]
    times = []
    try:
        with tempfile.TemporaryDirectory(prefix="nntui-quit-bench-") as runs_dir:
            for number in range(args.trials):
                times.append(trial(args.root, runs_dir))
                print(f"trial {number}: q to prompt {times[-1]:.2f} s", flush=True)
    finally:
        for burner in burners:
            burner.kill()
        tmux("kill-session", "-t", SESSION)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"q to prompt: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
        f"({args.burners} CPU burners; load average {load})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
