"""Writes screenshots/serve.png: `nntui serve` in the distribution's headless Chromium (driven by
Playwright), a spiral classifier training a few seconds after `s` was pressed in the page.

    .venv/bin/pip install -e ".[serve,test]" && .venv/bin/python screenshots/serve_screenshot.py
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from nntui.core.config import DataConfig, Layer, ModelConfig, RunConfig, TrainingConfig
from nntui.core.share import to_share_string

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
SPIRAL = RunConfig(
    name="spiral",
    data=DataConfig(dataset="spiral", size=3000, val_share=0.2, noise=0.02),
    model=ModelConfig(hidden=(Layer(64, "tanh"), Layer(64, "tanh"))),
    training=TrainingConfig(optimizer="adam", lr=0.01, epochs=300, batch_size=200, shuffle=True),
)


def main() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as runs:
        command = [sys.executable, "-m", "nntui", "serve", "--port", str(port), "--runs-dir", runs]
        server = subprocess.Popen(
            [*command, "--config-string", to_share_string(SPIRAL)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")]),
            },
        )
        try:
            for _ in range(150):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(f"http://localhost:{port}")
                page.wait_for_selector("body.-first-byte", timeout=60_000)
                time.sleep(10)  # torch loads in the page's app
                page.mouse.click(900, 600)
                page.keyboard.press("s")
                time.sleep(8)
                page.screenshot(path=str(HERE / "serve.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print("wrote screenshots/serve.png")


if __name__ == "__main__":
    main()
