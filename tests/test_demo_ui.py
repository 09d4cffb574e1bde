"""The demo's page wiring without a browser: building the app, voice switching, `emotts demo`."""

from __future__ import annotations

import pytest

from emotts.cli import main
from emotts.emotion.labels import LABELS
from emotts.models.untrained import make_untrained_voice

gr = pytest.importorskip("gradio", reason="gradio (the demo extra) is not installed")


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory) -> str:
    return str(
        make_untrained_voice(
            tmp_path_factory.mktemp("voice"),
            "tiny",
            frames_per_phoneme=7.0,
            speakers=("kim",),
            vocoder="griffinlim",
        )
    )


def test_app_builds_with_a_queue(voice_dir):
    from emotts.demo.app import build_app

    demo = build_app(voice_dir)
    assert isinstance(demo, gr.Blocks)


def test_switching_voice_updates_speakers_and_labels(voice_dir):
    from emotts.demo.ui import voice_changed

    updates = voice_changed("unused", voice_dir, "torch")
    backend, speaker, label = updates[:3]
    assert backend["choices"] == ["torch"] and backend["value"] == "torch"
    assert speaker["choices"] == ["kim"]
    assert label["choices"] == list(LABELS)
    assert "Loaded" in updates[-1]
    assert len(updates) == 5 + len(LABELS) + 1


def test_switching_to_a_missing_voice_says_why(tmp_path):
    from emotts.demo.ui import voice_changed

    updates = voice_changed("unused", str(tmp_path / "nowhere"), "torch")
    assert "emotts-error" in updates[-1] and "nowhere" in updates[-1]


def test_demo_without_a_voice_asks_for_one(monkeypatch, capsys):
    monkeypatch.setattr("emotts.demo.voices.shipped_voices", lambda: [])
    assert main(["demo", "--port", "0"]) == 2
    assert "--voice" in capsys.readouterr().err
