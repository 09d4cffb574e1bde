"""Take the screenshot of the demo shown in docs/demo.md (docs/demo.png).

    python scripts/demo_screenshot.py [--voice DIR] [--out docs/demo.png]

Serves the demo in this process on a free localhost port, fills in an example with a label,
an intensity and marked-up spans, synthesizes, and photographs the page with Debian's headless
chromium (driven by the `playwright` package; no browser download). Without --voice it uses the
shipped default voice; `--voice placeholder` makes an untrained placeholder voice instead (for
checking the page layout without any trained weights: the audio is noise-like).
"""

from __future__ import annotations

import argparse
import socket
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
EXAMPLE = (
    'I <emotion name="sad">miss you</emotion>, but '
    '<emotion name="happy" intensity="1.4">I am so proud of you</emotion>.'
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def take_screenshot(url: str, out: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
        page.goto(url)
        page.wait_for_selector("#synthesize", timeout=60_000)
        page.locator("#text textarea").fill(EXAMPLE)
        page.locator("#label input").click()
        page.get_by_role("option", name="surprised", exact=True).click()
        box = page.locator("#intensity input[type=number]")
        box.fill("0.8")
        box.press("Enter")
        page.click("#synthesize")
        expect(page.locator("#status .emotts-ok")).to_be_visible(timeout=120_000)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=out, full_page=True)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--voice",
        help="voice directory or name (default: the shipped default voice; 'placeholder': untrained)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "demo.png"
    )
    args = parser.parse_args()

    from emotts.demo.app import build_app, theme
    from emotts.models.untrained import make_untrained_voice

    with tempfile.TemporaryDirectory() as scratch:
        voice = args.voice or "default"
        if voice == "placeholder":
            voice = str(
                make_untrained_voice(
                    Path(scratch) / "placeholder-voice",
                    "tiny",
                    frames_per_phoneme=7.0,
                    speakers=("ann", "bob"),
                    vocoder="griffinlim",
                )
            )
        demo = build_app(voice)
        port = _free_port()
        demo.launch(
            server_name="127.0.0.1",
            server_port=port,
            theme=theme(),
            prevent_thread_lock=True,
            quiet=True,
        )
        try:
            take_screenshot(f"http://127.0.0.1:{port}/", args.out)
        finally:
            demo.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
