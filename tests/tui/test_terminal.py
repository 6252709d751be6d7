"""The app in a real pseudo-terminal: quitting on signals and hang-ups saves the live run, restores
the terminal and leaves no process behind; a crash exits non-zero."""

from __future__ import annotations

import os
import signal
import sys

import pytest
from helpers import PseudoTerminal, gone, nntui_command

from nntui.storage.runs import RunStore

LEAVE_ALTERNATE_SCREEN, SHOW_CURSOR, MOUSE_OFF = "\x1b[?1049l", "\x1b[?25h", "\x1b[?1000l"


@pytest.fixture
def live_run(runs_dir):
    """The app on its default config, its run stepped one epoch and paused: live, going nowhere."""
    terminal = PseudoTerminal(nntui_command("--runs-dir", str(runs_dir)))
    try:
        terminal.wait_for("learning rate")
        terminal.press_until("n", "paused")
        yield terminal
    finally:
        terminal.close()


def stopped_run(runs_dir):
    (record,) = RunStore(runs_dir).list().runs
    assert record.status == "stopped" and record.epochs_done >= 1
    return record


def test_sigterm_quits_as_q_does_saving_the_run_and_restoring_the_terminal(live_run, runs_dir):
    children = live_run.children()
    os.kill(live_run.pid, signal.SIGTERM)
    assert live_run.wait() == 128 + signal.SIGTERM
    record = stopped_run(runs_dir)
    written = live_run.output.decode(errors="replace")
    assert LEAVE_ALTERNATE_SCREEN in written and SHOW_CURSOR in written and MOUSE_OFF in written
    assert f"nntui: the run in progress was stopped and saved as {record.id}" in live_run.text
    assert children and all(gone(child) for child in children)


def test_sighup_to_the_whole_process_group_saves_the_run_before_the_training_process_ends(live_run, runs_dir):
    children = live_run.children()
    os.killpg(live_run.pid, signal.SIGHUP)  # as a shell passes a hang-up on to its job
    assert live_run.wait() == 128 + signal.SIGHUP
    record = stopped_run(runs_dir)
    assert f"saved as {record.id}" in live_run.text
    assert children and all(gone(child) for child in children)


def test_sigterm_to_the_process_group_saves_the_run_before_the_training_process_ends(live_run, runs_dir):
    children = live_run.children()
    os.killpg(live_run.pid, signal.SIGTERM)  # as `kill -- -PGID` or a service manager stops a job
    assert live_run.wait() == 128 + signal.SIGTERM
    record = stopped_run(runs_dir)
    assert f"saved as {record.id}" in live_run.text
    assert children and all(gone(child) for child in children)


def test_a_terminal_that_goes_away_leaves_the_run_saved_and_no_process_behind(live_run, runs_dir):
    children = live_run.children()
    live_run.hang_up()
    os.killpg(live_run.pid, signal.SIGHUP)
    assert live_run.wait() == 128 + signal.SIGHUP
    stopped_run(runs_dir)
    assert children and all(gone(child) for child in children)


def test_an_app_that_crashes_exits_1_and_ends_its_training_process(runs_dir):
    crash = (
        "import nntui.tui.app as app\n"
        "app.NntuiApp.action_help = lambda self: 1 / 0\n"
        "from nntui.cli import main\n"
        f"main(['--runs-dir', {str(runs_dir)!r}])\n"
    )
    terminal = PseudoTerminal([sys.executable, "-c", crash])
    try:
        terminal.wait_for("learning rate")
        terminal.press_until("n", "paused")
        children = terminal.children()
        terminal.press("?")
        assert terminal.wait() == 1
        assert "ZeroDivisionError" in terminal.text
        assert children and all(gone(child) for child in children)
    finally:
        terminal.close()
