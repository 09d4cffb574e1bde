"""End to end: the demo served on localhost, driven by Debian's headless chromium.

Nothing is installed at test time: chromium comes from scripts/install-system-deps.sh and the
Python `playwright` package drives that binary (never `playwright install`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import soundfile

from emotts.models.untrained import make_untrained_voice

CHROMIUM = Path("/usr/bin/chromium")
# Offline, sandbox-free headless flags: no GPU, no background fetches of any kind.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
REPO = Path(__file__).resolve().parents[1]
SERVER_START_SECONDS = 60
SYNTHESIS_SECONDS = 40_000  # milliseconds, playwright's unit

if not CHROMIUM.is_file():
    pytest.skip(
        f"{CHROMIUM} is absent (scripts/install-system-deps.sh installs it)",
        allow_module_level=True,
    )
pytest.importorskip("gradio", reason="gradio (the demo extra) is not installed")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright Python package is not installed"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`python demo/app.py` on a free localhost port with a tiny untrained voice; its URL."""
    voice = make_untrained_voice(
        tmp_path_factory.mktemp("voice"),
        "tiny",
        frames_per_phoneme=7.0,
        speakers=("ann", "bob"),
        vocoder="griffinlim",
    )
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable,
        str(REPO / "demo" / "app.py"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--voice",
        str(voice),
    ]
    with log.open("w") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=REPO
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not _answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the demo server did not start; its log:\n{log.read_text()}")
        time.sleep(0.5)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def page(server):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.goto(server)
        page.wait_for_selector("#synthesize", timeout=30_000)
        yield page
        browser.close()


def _set_slider(page, elem_id: str, value: float) -> None:
    box = page.locator(f"#{elem_id} input[type=number]")
    box.fill(str(value))
    box.press("Enter")


def _synthesize_and_expect(page, needle: str) -> None:
    page.click("#synthesize")
    sync_api.expect(page.locator("#status .emotts-ok")).to_contain_text(
        needle, timeout=SYNTHESIS_SECONDS
    )


def test_synthesize_download_recover_and_compare(server, page, tmp_path):
    """One test rather than several: under pytest-xdist, tests of one module may run on
    different workers, and each would start its own server and browser."""
    shots = tmp_path / "screenshots"
    shots.mkdir()
    page.locator("#text textarea").fill('We <emotion name="sad">lost</emotion> the match, again.')

    # A label with an intensity.
    page.locator("#label input").click()
    page.get_by_role("option", name="happy", exact=True).click()
    _set_slider(page, "intensity", 1.5)
    _synthesize_and_expect(page, "happy; intensity=1.5")
    page.screenshot(path=shots / "label.png", full_page=True)

    # An ADV vector (the intensity stays as set).
    page.locator("#emotion-kind").get_by_text("ADV", exact=True).click()
    _set_slider(page, "adv-arousal", 0.6)
    _synthesize_and_expect(page, "adv=0.6,0.0,0.0; intensity=1.5")
    page.screenshot(path=shots / "adv.png", full_page=True)

    # Download the WAV through the player's download button.
    with page.expect_download() as download_info:
        page.locator("#audio-out [data-testid=download-link]").click()
    wav = tmp_path / "download.wav"
    download_info.value.save_as(wav)
    samples, rate = soundfile.read(wav, dtype="float32")
    assert rate == 22050
    assert len(samples) > rate // 4 and np.sqrt(np.mean(samples**2)) > 1e-3

    # Malformed markup: the message appears in the page and the server keeps serving.
    page.locator("#text textarea").fill('An <emotion name="happy">unclosed tag')
    page.click("#synthesize")
    error = page.locator("#status .emotts-error")
    sync_api.expect(error).to_contain_text("never closed", timeout=SYNTHESIS_SECONDS)
    sync_api.expect(error).to_contain_text("<emotion")
    page.screenshot(path=shots / "error.png", full_page=True)
    assert _answers(server)
    page.locator("#text textarea").fill("And now it works again.")
    _synthesize_and_expect(page, "adv=0.6")

    # The comparison tab: an intensity sweep side by side.
    page.get_by_role("tab", name="Compare").click()
    page.locator("#compare-mode").get_by_text("intensity sweep", exact=True).click()
    _set_slider(page, "compare-steps", 3)
    page.click("#compare")
    sync_api.expect(page.locator("#compare-status .emotts-ok")).to_contain_text(
        "3 versions", timeout=SYNTHESIS_SECONDS
    )
    sync_api.expect(page.locator(".compare-player [data-testid=download-link]")).to_have_count(3)
    sync_api.expect(page.locator("#compare-plot img")).to_be_visible()
    page.screenshot(path=shots / "compare.png", full_page=True)
    # Each rendering is a separate WAV the server can hand out.
    first = page.locator(".compare-player [data-testid=download-link]").first.get_attribute("href")
    assert _answers(first)
