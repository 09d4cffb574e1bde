"""Build and launch the demo server; also the argument parser both launchers share."""

from __future__ import annotations

import argparse

from emotts.demo.session import delete_session
from emotts.demo.voices import initial_voice, pick_backend, voice_choices

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# Queued requests beyond this are refused with "queue full" instead of waiting for minutes.
_QUEUE_SIZE = 32
# A session's WAV folder is removed this long after its last use (seconds).
_SESSION_TTL = 3600
_INTRO = """# emotts — emotional text-to-speech
Type a sentence, choose how it should feel (a label, a blend of labels, or a point in
arousal–dominance–valence space) and press **Synthesize**. The *Compare* tab renders one
sentence across emotions side by side."""


def theme():
    import gradio as gr

    # System fonts: the default theme fetches web fonts, which an offline server cannot reach.
    system = ["ui-sans-serif", "system-ui", "sans-serif"]
    return gr.themes.Default(font=system, font_mono=["ui-monospace", "monospace"])


def build_app(voice: str | None = None, backend: str = "auto"):
    """The gradio Blocks for a voice (a directory or shipped name; None: the default voice)."""
    import gradio as gr

    from emotts.demo.compare_ui import CompareTab
    from emotts.demo.ui import SynthesisTab, VoiceControls, voice_changed

    start_voice = initial_voice(voice)
    start_backend = pick_backend(start_voice, backend)
    with gr.Blocks(title="emotts demo", analytics_enabled=False) as demo:
        gr.Markdown(_INTRO)
        session = gr.State(None, time_to_live=_SESSION_TTL, delete_callback=delete_session)
        controls = VoiceControls(voice_choices(voice), start_voice, start_backend)
        with gr.Tabs():
            with gr.Tab("Synthesize"):
                synthesis = SynthesisTab(controls)
            with gr.Tab("Compare"):
                compare = CompareTab(controls)
        synthesis.wire(session)
        compare.wire(session)
        reload_outputs = [
            controls.backend,
            controls.speaker,
            synthesis.label,
            *synthesis.mix,
            compare.labels,
            compare.sweep_label,
            synthesis.status,
        ]
        for event in (controls.voice.change, controls.path.submit):
            event(
                voice_changed,
                inputs=[controls.voice, controls.path, controls.backend],
                outputs=reload_outputs,
            )
    demo.queue(max_size=_QUEUE_SIZE)
    return demo


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(
        prog="emotts-demo", description="Run the emotts Gradio demo."
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--voice", help="voice directory or shipped voice name (default: the shipped default voice)"
    )
    parser.add_argument(
        "--backend",
        choices=("auto", "torch", "onnx"),
        default="auto",
        help="inference backend (default auto)",
    )
    return parser


def launch(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    voice: str | None = None,
    backend: str = "auto",
) -> None:
    """Serve the demo until interrupted."""
    demo = build_app(voice, backend)
    demo.launch(server_name=host, server_port=port, theme=theme(), show_error=False)
