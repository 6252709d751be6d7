"""Helpers several test modules share (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

from nntui.core.config import RunConfig
from nntui.core.events import EpochEnd
from nntui.engine.trainer import Trainer
from nntui.storage.runs import RunRecord, RunRecorder, RunStore


def train_and_save(store: RunStore, config: RunConfig, control=None) -> tuple[RunRecord, list[float]]:
    """Train `config` headless as `nntui train` does, save it in `store`; the record and its losses."""
    trainer = Trainer(config, control)
    recorder = RunRecorder(trainer, store)
    losses = []
    for event in trainer.events():
        recorder.record(event)
        if isinstance(event, EpochEnd):
            losses.append(event.train_loss)
    return recorder.save(), losses


ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def nntui_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "nntui", *args]


def nntui_environment() -> dict[str, str]:
    """The environment of a `python -m nntui` child: this checkout's nntui, a colour terminal."""
    return dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm-256color")


class PseudoTerminal:
    """A command run as the only process of a terminal of its own, as a shell's job is (the terminal
    is its controlling terminal: closing it hangs it up); everything it writes is kept in `output`."""

    def __init__(self, command: list[str], size: tuple[int, int] = (120, 40)) -> None:
        columns, lines = size
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(ROOT)
            os.execve(command[0], command, nntui_environment())
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.pid, self.fd = pid, fd
        self.output = bytearray()
        self.status: int | None = None

    @property
    def text(self) -> str:
        """What was written, escape sequences left out."""
        return ANSI.sub(b"", bytes(self.output)).decode(errors="replace")

    def press(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def read(self, timeout_s: float) -> None:
        """What it wrote next, waiting up to `timeout_s` for it."""
        if self.fd < 0:
            time.sleep(timeout_s)
        elif select.select([self.fd], [], [], timeout_s)[0]:
            try:
                self.output += os.read(self.fd, 65536)
            except OSError:  # EIO: every process of the terminal has closed it
                time.sleep(timeout_s)

    def wait_for(self, text: str, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while text not in self.text:
            if time.monotonic() > deadline or self.exited():
                raise AssertionError(f"{text!r} not written; the screen shows:\n{self.text[-2000:]}")
            self.read(0.05)

    def press_until(self, keys: str, text: str, attempts: int = 20) -> None:
        """Press `keys` until `text` is written (the first presses may come before the app can act)."""
        for _ in range(attempts):
            self.press(keys)
            try:
                self.wait_for(text, timeout_s=5)
                return
            except AssertionError:
                continue
        raise AssertionError(f"{keys!r} never brought {text!r}; the screen shows:\n{self.text[-2000:]}")

    def exited(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status is not None

    def wait(self, timeout_s: float = 60.0) -> int:
        """The exit code (minus the signal that ended it), reading what it writes meanwhile."""
        deadline = time.monotonic() + timeout_s
        while not self.exited():
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"running after {timeout_s} s; the screen shows:\n{self.text[-2000:]}")
            self.read(0.05)
        while self.fd >= 0 and select.select([self.fd], [], [], 0.05)[0]:  # what is still buffered
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.output += chunk
        return self.status

    def hang_up(self) -> None:
        """Close the terminal, as an ssh connection that dies does: the kernel hangs it up."""
        os.close(self.fd)
        self.fd = -1

    def children(self) -> list[int]:
        return children_of(self.pid)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        if not self.exited():
            os.waitpid(self.pid, 0)

    def close(self) -> None:
        if not self.exited():
            self.kill()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int(_proc_stat(entry.name)[1]) == pid:
                    found.append(int(entry.name))
    return found


def gone(pid: int, timeout_s: float = 10.0) -> bool:
    """Whether the process has ended (a zombie its new parent has yet to reap has ended)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if _proc_stat(str(pid))[0] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def _proc_stat(pid: str) -> list[str]:
    """State, parent id, ...: the fields after the command name in /proc/PID/stat."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()
