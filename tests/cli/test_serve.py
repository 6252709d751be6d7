"""`nntui serve`: the app in a browser through textual-serve, on 127.0.0.1 only. The browser test
drives the distribution's headless Chromium with Playwright: the page loads, a key press starts
training, the screen updates, and a reload saves the live run as stopped and starts a fresh app."""

from __future__ import annotations

import base64
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nntui.cli import main
from nntui.cli.serve import HOST, app_command
from nntui.core.config import RunConfig
from nntui.core.share import to_share_string
from nntui.storage.runs import RunStore

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def test_a_port_out_of_range_or_in_use_is_a_message(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port must be between 1 and 65535, got 70000" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_without_textual_serve_it_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # the import fails
    assert main(["serve", "--port", str(free_port())]) == 2
    assert "nntui serve needs textual-serve: pip install 'nntui[serve]'" in capsys.readouterr().err


def test_a_bad_config_string_is_refused_before_the_server_starts(capsys):
    assert main(["serve", "--port", str(free_port()), "--config-string", "lr=fast"]) == 2
    assert "lr" in capsys.readouterr().err


def test_each_page_runs_this_pythons_app_with_the_runs_dir_and_config(tmp_path):
    runs = tmp_path / "my runs"
    command = shlex.split(app_command(str(runs), "lr=0.1&epochs=5"))
    assert command == [
        sys.executable,
        "-m",
        "nntui",
        "--runs-dir",
        str(runs.resolve()),
        "--config-string",
        "lr=0.1&epochs=5",
    ]


def test_the_help_says_how_to_reach_it_and_what_a_reload_does(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "127.0.0.1:N only" in text and "ssh -L N:localhost:N SERVER" in text
    assert "a run it was training is stopped and saved as stopped" in text


def browser():
    """Playwright's Chromium, the distribution's build, or a skip saying what is missing."""
    pytest.importorskip("textual_serve", reason="textual-serve is not installed (pip install 'nntui[serve]')")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    return sync_api


def until(condition, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"{what}: not within {timeout_s:g} s")


@pytest.fixture
def served(tmp_path):
    """`nntui serve` on a free port, its pages' app on a long run's config; stopped after. Skipped
    without textual-serve, Playwright or Chromium."""
    browser()
    port = free_port()
    config = to_share_string(RunConfig().with_changes(training={"epochs": 100_000}))
    command = [sys.executable, "-m", "nntui", "serve", "--port", str(port), "--config-string", config]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    server = subprocess.Popen(
        [*command, "--runs-dir", str(tmp_path / "runs")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,  # where the pages' apps export to
    )

    def listening() -> bool:
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return True
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            return False

    try:
        until(listening, 30, "the server listening")
        yield f"http://localhost:{port}", RunStore(tmp_path / "runs"), server.pid
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


VIEWPORT = {"width": 1280, "height": 800}
STATUS_LINE = {"x": 0, "y": 762, "width": 240, "height": 17}  # row 40 of the 42 the page gets
COUNT_PIXELS = """async ([png, kind]) => {
    const image = new Image();
    image.src = "data:image/png;base64," + png;
    await image.decode();
    const canvas = document.createElement("canvas");
    [canvas.width, canvas.height] = [image.width, image.height];
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, image.width, image.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if (kind === "green" ? g > 150 && r < 120 && b < 120 : r + g + b > 450) count++;
    }
    return count;
}"""


def status_pixels(page, kind: str) -> int:
    """How many of the status line's first pixels are `green` (the ■ of a training run) or
    `bright` (any text: the status line is empty while the app loads torch)."""
    png = base64.b64encode(page.screenshot(clip=STATUS_LINE)).decode()
    return page.evaluate(COUNT_PIXELS, [png, kind])


def ready(page) -> bytes:
    """The page once its app has loaded torch and shows its status line, then stays still."""
    until(lambda: status_pixels(page, "bright") and not status_pixels(page, "green"), 90, "the app ready")
    return until(settled(page), 60, "the ready screen settling")


def test_in_a_headless_browser_a_key_starts_training_and_a_reload_saves_the_run(served):
    sync_api = browser()
    url, store, _ = served
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        try:
            page = chromium.new_page(viewport=VIEWPORT)
            page.goto(url, timeout=30_000)
            page.wait_for_selector("body.-first-byte", timeout=60_000)  # the app's first bytes arrived
            first = ready(page)
            page.mouse.click(900, 600)  # the terminal takes the keys
            frames = [until(settled(page), 30, "the screen settling after a click")]
            page.keyboard.press("s")
            until(lambda: status_pixels(page, "green"), 30, "the green ■ of a training run")
            for _ in range(2):  # the charts move as it trains
                frames.append(until(new_frame(page, frames), 30, "the screen changing while it trains"))
            assert not store.list().runs  # nothing saved yet: the run is live
            page.reload()
            run = until(lambda: store.list().runs, 30, "the live run saved once the page reloaded")[0]
            assert run.status == "stopped" and 0 < run.epochs_done < 100_000
            page.wait_for_selector("body.-first-byte", timeout=60_000)
            assert ready(page) == first  # a fresh app, as the first page load showed it
        finally:
            chromium.close()


def new_frame(page, frames: list[bytes]):
    """A condition: a screenshot unlike any of `frames`."""

    def check() -> bytes | None:
        shot = page.screenshot()
        return shot if shot not in frames else None

    return check


def settled(page):
    """A condition: the page's screenshot, once two taken a second apart are the same."""
    last: list[bytes] = []

    def check() -> bytes | None:
        shot = page.screenshot()
        same = last and last[-1] == shot
        last.append(shot)
        time.sleep(1)
        return shot if same else None

    return check


async def test_the_app_told_to_exit_by_textual_serve_saves_a_live_run_as_stopped(tmp_path):
    """A reload or a closed tab reaches the app as ExitApp (textual-serve's quit), not as q; the
    run trains in its own process, as in the app, which ends with the app."""
    from textual import messages

    from nntui.tui.app import NntuiApp
    from nntui.tui.history import TRAINING
    from tests.tui.conftest import TINY, loaded, until, use

    app = NntuiApp(runs_dir=str(tmp_path / "runs"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await use(pilot, TINY.with_changes(training={"epochs": 10**7}))
        await pilot.press("s")
        await until(pilot, lambda: app.history.status == TRAINING, timeout_s=60)
        app.post_message(messages.ExitApp())
        await pilot.pause()
    (run,) = RunStore(tmp_path / "runs").list().runs
    assert run.status == "stopped" and run.epochs_done >= 1


def test_in_a_headless_browser_a_killed_server_leaves_the_run_saved_and_no_app_behind(served):
    sync_api = browser()
    url, store, server = served
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        try:
            page = chromium.new_page(viewport=VIEWPORT)
            page.goto(url, timeout=30_000)
            page.wait_for_selector("body.-first-byte", timeout=60_000)
            ready(page)
            page.mouse.click(900, 600)
            page.keyboard.press("s")
            until(lambda: status_pixels(page, "green"), 30, "the green ■ of a training run")
            apps = processes_under(server)
            os.kill(server, signal.SIGKILL)  # the app's stdin closes under it
            run = until(lambda: store.list().runs, 30, "the live run saved once the server died")[0]
            assert run.status == "stopped"
            until(lambda: not any(os.path.exists(f"/proc/{pid}") for pid in apps), 10, "the app gone")
        finally:
            chromium.close()


def processes_under(pid: int) -> list[int]:
    """Every process below `pid`: textual-serve's shell for a page and the app it runs."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    children = [int(child) for child in found]
    return children + [grandchild for child in children for grandchild in processes_under(child)]


def test_in_a_headless_browser_an_export_arrives_as_a_download(served, tmp_path, monkeypatch):
    sync_api = browser()
    url, store, _ = served
    store.root.mkdir(parents=True, exist_ok=True)
    from nntui.engine.trainer import Trainer
    from nntui.storage.runs import RunRecorder
    from tests.tui.conftest import TINY

    trainer = Trainer(TINY.with_changes(training={"epochs": 3}))
    recorder = RunRecorder(trainer, store)
    for event in trainer.events():
        recorder.record(event)
    record = recorder.save()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        try:
            page = chromium.new_page(viewport=VIEWPORT, accept_downloads=True)
            page.goto(url, timeout=30_000)
            page.wait_for_selector("body.-first-byte", timeout=60_000)
            ready(page)
            page.mouse.click(900, 600)
            for key in ["h", "e"]:  # the runs screen, then its export question
                before = until(settled(page), 30, "the screen settling")
                page.keyboard.press(key)
                until(new_frame(page, [before]), 30, f"the screen changing after {key}")
            for key in ["End", "Backspace", "Backspace", "c", "s", "v"]:  # py, the answer offered, to csv
                page.keyboard.press(key, delay=50)
            until(settled(page), 30, "the answer typed")
            with page.expect_download(timeout=30_000) as download:
                page.keyboard.press("Enter")
            saved = tmp_path / "downloaded.csv"
            download.value.save_as(saved)
            name = download.value.suggested_filename
        finally:
            chromium.close()
    assert name == f"nntui-{record.id}.csv"
    assert saved.read_text() == (tmp_path / f"nntui-{record.id}.csv").read_text()  # as the server wrote it
    assert saved.read_text().startswith("epoch,")
